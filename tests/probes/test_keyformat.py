"""key.format hygiene that protects every provider: placeholders judged on the
whole value, characters no key has, absurd lengths — and such keys are never sent.

The per-provider rows iterate the registry with each provider's ``KEY`` (and
``METADATA``) from tests/probes/test_<provider>.py; a registered provider without
a ``KEY`` fails ``test_every_provider_has_a_key`` (tests/probes/README.md)."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.checks.keyformat import hygiene
from oneinbox_check.probes.registry import load_registry
from tests.probes import rows
from tests.probes.helpers import BASE, ENDPOINTS

KEYS = rows.keys()
PROVIDERS = sorted(KEYS)


@pytest.mark.parametrize("provider", rows.providers())
def test_every_provider_has_a_key(provider: str) -> None:
    problem = rows.missing(provider, "KEY")
    assert problem is None, problem


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
@pytest.mark.parametrize("provider", PROVIDERS)
def test_item8_9_non_ascii_or_control_character_is_a_format_fail(provider: str, char: str, name: str) -> None:
    key = KEYS[provider]
    result = hygiene(key[:20] + char + key[20:])
    assert result is not None and result.status.value == "fail"
    assert name in result.summary and result.details["position"] == 21
    assert key[:20] not in result.summary  # the key itself is never echoed
    registry = load_registry()  # and no probe's own key.format lets such a key through
    own = registry.get(provider).format_check(provider, key[:20] + char + key[20:], rows.metadata(provider),
                                              registry.signatures())
    assert own.status.value == "fail", own


def test_item8_9_megabyte_key_is_a_format_fail() -> None:
    result = hygiene("sk-proj-" + "a" * 1_000_000)
    assert result is not None and result.status.value == "fail" and "characters long" in result.summary


BROKEN = {"zwsp": lambda k: k[:20] + "\u200b" + k[20:], "nbsp": lambda k: k[:30] + "\u00a0" + k[30:],
          "e-acute": lambda k: k[:40] + "\u00e9" + k[41:], "1MB": lambda k: k[:8] + "a" * 1_000_000}


@pytest.mark.anyio
@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("broken", list(BROKEN))
async def test_item8_9_key_failing_format_is_never_sent(provider: str, broken: str) -> None:
    """(A key shorter than the cut keeps its character at the end: it is still not a key.)"""
    key = BROKEN[broken](KEYS[provider])
    probe = load_registry().get(provider)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route(url__startswith=BASE).mock(return_value=httpx.Response(200, json={"data": []}))
        report = await check([{"name": "o", "provider": provider, "api_key": key, "metadata": rows.metadata(provider)}],
                             endpoints=ENDPOINTS, retries=0)
    checks = {c.id: c for c in report.integrations[0].checks}
    assert checks["key.format"].status.value == "fail"
    assert checks[probe.check_ids[0]].status.value == "skip" and not route.called
    assert report.exit_code == 1
