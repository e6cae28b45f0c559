"""key.format hygiene that protects every provider: placeholders judged on the
whole value, characters no key has, absurd lengths — and such keys are never sent."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.checks.keyformat import hygiene
from oneinbox_check.probes.registry import load_registry
from tests.probes.test_auth_table import BASE, ENDPOINTS, KEYS

OPENAI = KEYS["openai"]


@pytest.mark.parametrize("key", [
    "sk-proj-" + "Ab1" * 5 + "your_" + "Cd2" * 5 + "xxxxxxx" + "Ef3" * 8,
    "sk-proj-" + "Ab1" * 10 + "-here" + "Cd2" * 6,
    "SG." + "a" * 10 + "xxxxxx" + "b" * 6 + "." + "your-" + "c" * 38,
    "0123abcdxxxxxxxx0123abcd0123abcd0123abcd",
], ids=["openai-your_-and-x-run", "openai-here-inside", "sendgrid", "hex-x-run"])
def test_item9_placeholder_words_inside_a_random_key_are_not_a_placeholder(key: str) -> None:
    assert hygiene(key) is None


@pytest.mark.parametrize("key", [
    "<your_api_key>", "your-key-here", "YOUR_API_KEY", "your_openai_api_key", "changeme", "xxxxxxxxxxxxxxxx",
    "sk-...", "sk-proj-xxxxxxxxxxxx", "sk-your-key-here", "${OPENAI_API_KEY}", "re_xxxxxxxxxxxxxx", "api_key", "…",
    "[API KEY]", "{{ api_key }}", "TODO", "placeholder", "redacted",
])
def test_item9_whole_value_placeholders_fail(key: str) -> None:
    result = hygiene(key)
    assert result is not None and result.status.value == "fail" and "placeholder" in result.summary, key


@pytest.mark.parametrize(("char", "name"), [
    ("\u200b", "ZERO WIDTH SPACE"), ("\u00a0", "NO-BREAK SPACE"), ("\u00e9", "LATIN SMALL LETTER E WITH ACUTE"),
    ("\ufeff", "ZERO WIDTH NO-BREAK SPACE"), ("\x00", "control"), ("\x7f", "control"), ("\ud800", "control"),
], ids=["zwsp", "nbsp", "e-acute", "bom", "nul", "del", "lone-surrogate"])
def test_item8_9_non_ascii_or_control_character_is_a_format_fail(char: str, name: str) -> None:
    result = hygiene(OPENAI[:20] + char + OPENAI[20:])
    assert result is not None and result.status.value == "fail"
    assert name in result.summary and result.details["position"] == 21
    assert OPENAI[:20] not in result.summary  # the key itself is never echoed


def test_item8_9_megabyte_key_is_a_format_fail() -> None:
    result = hygiene("sk-proj-" + "a" * 1_000_000)
    assert result is not None and result.status.value == "fail" and "characters long" in result.summary


@pytest.mark.anyio
@pytest.mark.parametrize("key", [OPENAI[:20] + "\u200b" + OPENAI[20:], OPENAI[:30] + "\u00a0" + OPENAI[30:],
                                 OPENAI[:40] + "\u00e9" + OPENAI[41:], "sk-proj-" + "a" * 1_000_000],
                         ids=["zwsp", "nbsp", "e-acute", "1MB"])
async def test_item8_9_key_failing_format_is_never_sent(key: str) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route(url__startswith=BASE).mock(return_value=httpx.Response(200, json={"data": []}))
        report = await check([{"name": "o", "provider": "openai", "api_key": key}], endpoints=ENDPOINTS, retries=0)
    checks = {c.id: c for c in report.integrations[0].checks}
    assert checks["key.format"].status.value == "fail"
    assert checks["key.auth"].status.value == "skip" and not route.called
    assert report.exit_code == 1


def test_item21_calcom_test_key_warns_that_bookings_are_not_real() -> None:
    registry = load_registry()
    result = registry.get("calcom").format_check("calcom", "cal_test_" + "0a1b2c3d" * 4, None, registry.signatures())
    assert result.status.value == "warn" and "test-mode key" in result.summary and "not be real" in result.summary
