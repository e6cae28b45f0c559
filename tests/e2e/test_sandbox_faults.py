"""The sandbox's fault injection (latency, status, body, drop) reaches the
checker as the right verdicts, in-process, on asyncio and trio."""

from __future__ import annotations

import pytest

from oneinbox_check import check
from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.asgi import Fault

pytestmark = pytest.mark.anyio
KEY = scenario.KEYS["SANDBOX_OPENAI_KEY"]


async def _auth(sandbox, **kw) -> tuple[str, str]:
    report = await check([{"name": "o", "provider": "openai", "api_key": KEY}], endpoints=sandbox.endpoints(),
                         transport=sandbox.transport(), retries=kw.pop("retries", 0), **kw)
    auth = next(c for c in report.integrations[0].checks if c.id == "key.auth")
    return auth.status.value, auth.summary


async def test_valid_key_passes(sandbox) -> None:
    assert (await _auth(sandbox))[0] == "pass"


@pytest.mark.parametrize(("fault", "fragment"), [
    (Fault(drop=True), "connection failed"),
    (Fault(status=502, body="<html>Bad gateway</html>"), "HTML"),
    (Fault(status=200, body="not json"), "non-JSON"),
    (Fault(latency=3.0), "timed out"),
])
async def test_faults_are_indeterminate(sandbox, fault: Fault, fragment: str) -> None:
    sandbox.fake("openai").faults.append(fault)
    status, summary = await _auth(sandbox, timeout=0.5)
    assert status == "error" and fragment in summary


async def test_a_transient_fault_is_retried_away(sandbox) -> None:
    sandbox.fake("openai").faults.append(Fault(status=503, times=1, headers={"retry-after": "0"}))
    assert (await _auth(sandbox, retries=1))[0] == "pass"
    assert sandbox.fake("openai").count("/v1/models") == 2


async def test_fault_can_target_one_key(sandbox) -> None:
    sandbox.fake("openai").faults.append(Fault(key="some-other-key", status=500))
    assert (await _auth(sandbox))[0] == "pass"
