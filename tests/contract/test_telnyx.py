"""Telnyx: the probe's requests and the fake's answers against team-telnyx/openapi spec3.yml (trimmed)."""

from __future__ import annotations

import pytest

from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.fakes.telnyx import TELNYX_BALANCES

from .drive import drive, no_problems, request_problems, response_problems
from .openapi import Spec

pytestmark = pytest.mark.anyio
SPECS = {"telnyx": [Spec.load("telnyx.json")]}
KEY = scenario.KEYS["SANDBOX_TELNYX_KEY"]


def balance_key(i: int) -> str:
    return "KEY" + f"{i:032X}" + "_" + "b" * 22


async def exchanges(sandbox):
    pairs = [(KEY, "+13125550100"), (KEY, "+13125550101"), (KEY, "+15739693824"),
             ("KEY" + "0" * 32 + "_" + "a" * 22, "+13125550100")]
    for i, state in enumerate(TELNYX_BALANCES):  # every balance answer the fake gives
        sandbox.fake("telnyx").keys[balance_key(i)] = state
        pairs.append((balance_key(i), "+13125550100"))
    entries = [{"name": f"x{i}", "provider": "telnyx", "api_key": key, "metadata": {"phone_number": n}}
               for i, (key, n) in enumerate(pairs)]
    return await drive(sandbox, ["telnyx"], entries)


async def test_telnyx_probe_requests_fit_the_spec(sandbox) -> None:
    seen = await exchanges(sandbox)
    assert {(e.request.path, e.response.status) for e in seen} >= {("/v2/balance", 200), ("/v2/balance", 401),
                                                                   ("/v2/balance", 403), ("/v2/phone_numbers", 200)}
    no_problems(request_problems(seen, SPECS))


async def test_telnyx_fake_answers_fit_the_spec(sandbox) -> None:
    no_problems(response_problems(await exchanges(sandbox), SPECS))
