"""OpenAI contract: every request the probe makes and every answer the fake
gives, against openai/openai-openapi (trimmed: specs/openai.json).

The spec documents only the 200 of ``GET /models``; OpenAI's error answers are
validated against the spec's ``ErrorResponse`` schema, which every OpenAI error
uses (the error-codes guide describes the statuses)."""

from __future__ import annotations

import pytest

from oneinbox_check.sandbox.fakes.openai import OPENAI_QUOTA_CODES, OpenAIFake, _models
from tests.contract import _oas_llm as oas
from tests.probes.test_openai import KEY

SPEC = "openai"
STATES = ["valid", "restricted", "ip_blocked", "invalid", *sorted(OPENAI_QUOTA_CODES)]


def check_exchange(x: oas.Exchange) -> None:
    oas.validate_request(SPEC, x.method, x.path, x.query, x.headers)
    if x.status == 200:
        oas.validate_response(SPEC, x.method, x.path, x.status, x.body)
    else:
        with pytest.raises(oas.Undocumented):  # the spec is silent on errors: if it changes, use it
            oas.validate_response(SPEC, x.method, x.path, x.status, x.body)
        oas.validate_schema(SPEC, oas.component("ErrorResponse"), x.body)


@pytest.mark.anyio
@pytest.mark.parametrize("provider", ["openai", "whisper"])
@pytest.mark.parametrize("state", STATES)
async def test_openai_probe_requests_and_fake_answers_follow_the_spec(provider: str, state: str) -> None:
    seen = await oas.exchanges(OpenAIFake({KEY: state}), provider, KEY)
    assert seen, "the probe made no request"
    for x in seen:
        check_exchange(x)


def test_contract_rejects_a_model_missing_a_required_field() -> None:
    model = {k: v for k, v in _models()[0].items() if k != "created"}
    with pytest.raises(oas.ContractError, match="created"):
        oas.validate_response(SPEC, "GET", "/v1/models", 200, {"object": "list", "data": [model]})


def test_contract_rejects_an_error_missing_openais_fields() -> None:
    with pytest.raises(oas.ContractError):
        oas.validate_schema(SPEC, oas.component("ErrorResponse"), {"error": {"message": "no", "code": None}})


def test_contract_rejects_an_undeclared_query_parameter_and_a_missing_bearer() -> None:
    with pytest.raises(oas.ContractError, match="limit"):
        oas.validate_request(SPEC, "GET", "/v1/models", {"limit": "1"}, {"authorization": "Bearer " + KEY})
    with pytest.raises(oas.ContractError, match="Bearer"):
        oas.validate_request(SPEC, "GET", "/v1/models", {}, {"x-api-key": KEY})


def test_contract_rejects_an_unknown_path() -> None:
    with pytest.raises(oas.ContractError, match="no such operation"):
        oas.validate_request(SPEC, "GET", "/v1/model", {}, {"authorization": "Bearer " + KEY})
