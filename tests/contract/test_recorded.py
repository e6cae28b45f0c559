"""Providers without a published OpenAPI spec (Anthropic, Groq, Cartesia,
MiniMax, Shisa, Azure Speech; and ElevenLabs' 401s, which its spec omits):
one recorded answer per documented case in fixtures/recorded/<provider>/, each
naming the page it came from. The fake must answer that case in the same shape,
and the probe must give the recorded verdict on the recorded answer itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from oneinbox_check.sandbox.fakes import anthropic, azure, cartesia, elevenlabs, groq, minimax, shisa
from tests.contract import _oas_llm as oas
from tests.probes import rows
from tests.probes.helpers import ENDPOINTS, run_provider

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "recorded"
FAKES = {"anthropic": anthropic.AnthropicFake, "groq": groq.GroqFake, "cartesia": cartesia.CartesiaFake,
         "minimax": minimax.MinimaxFake, "shisa": shisa.ShisaFake, "azure": azure.AzureFake,
         "elevenlabs": elevenlabs.ElevenLabsFake}
BASES = {"anthropic": "anthropic", "groq": "groq", "cartesia": "cartesia", "minimax": "minimax", "shisa": "shisa",
         "azure": "azure", "elevenlabs": "elevenlabs"}
CASES = sorted(RECORDED.glob("*/*.json"))
KEYS, META = rows.keys(), rows.rows("METADATA")  # the providers' own rows (tests/probes/test_<provider>.py)


def shape(value: Any) -> Any:
    """The JSON shape: object keys (recursively), array element shape, scalar type."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def test_every_provider_without_a_spec_has_recorded_answers() -> None:
    assert {p.parent.name for p in CASES} == set(FAKES)


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}-{p.stem}" for p in CASES])
def test_recorded_answer_names_its_source(path: Path) -> None:
    case = load(path)
    assert case["source"] and case["confidence"] and case["verdict"]["key.auth"]
    assert ("body" in case) != ("body_text" in case)


@pytest.mark.anyio
@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}-{p.stem}" for p in CASES])
async def test_fake_answers_the_recorded_case_in_the_recorded_shape(path: Path) -> None:
    case, provider = load(path), path.parent.name
    key = KEYS[provider]
    seen = await oas.exchanges(FAKES[provider]({key: case["fake_state"]}), provider, key, META.get(provider))
    x = next((x for x in seen if (x.method, x.path) == (case["request"]["method"], case["request"]["path"])), None)
    assert x is not None, f"the probe never called {case['request']}"
    for name, value in case["request"]["headers"].items():  # the documented auth (and version) headers
        assert name in x.headers, f"header {name} not sent"
        assert value == "*" or x.headers[name] == value.replace("<key>", key)
    assert x.query == case["request"].get("query", {})
    assert x.status == case["status"]
    if "body_text" in case:
        assert isinstance(x.body, str) and x.body.count(".") == case["body_text"].count(".")
    else:
        assert shape(x.body) == shape(case["body"])


@pytest.mark.anyio
@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}-{p.stem}" for p in CASES])
async def test_probe_gives_the_recorded_verdict_on_the_recorded_answer(path: Path) -> None:
    case, provider = load(path), path.parent.name
    url = ENDPOINTS[BASES[provider]] + case["request"]["path"]
    answer = (httpx.Response(case["status"], text=case["body_text"]) if "body_text" in case
              else httpx.Response(case["status"], json=case["body"]))
    with respx.mock:
        respx.route(method=case["request"]["method"], url__startswith=url).mock(return_value=answer)
        if case["request"]["path"] == "/v1/user":  # ElevenLabs' restricted key is tried on /v1/voices next
            respx.get(ENDPOINTS["elevenlabs"] + "/v1/voices").mock(return_value=httpx.Response(200, json={"voices": []}))
        report = await run_provider(provider)
    checks = {c.id: c.status.value for c in report.integrations[0].checks}
    assert {k: checks[k] for k in case["verdict"]} == case["verdict"]


def test_shape_comparison_notices_a_changed_field() -> None:
    recorded = load(RECORDED / "anthropic" / "authentication_error_401.json")["body"]
    changed = {**recorded, "error": {"kind": "authentication_error", "message": "invalid x-api-key"}}
    assert shape(changed) != shape(recorded)
