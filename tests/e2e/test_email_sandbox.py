"""The Resend and SendGrid fakes through the whole engine (in-process HTTP,
loopback DNS): the fakes answer in providers.md's shapes."""

from __future__ import annotations

import pytest

from oneinbox_check import check
from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.asgi import Fault
from oneinbox_check.sandbox.dns import DnsResponder

pytestmark = pytest.mark.anyio
K = scenario.KEYS


async def _run(sandbox, provider: str, key: str, from_email: str):
    with DnsResponder(sandbox.zone) as dns:
        report = await check([{"name": "x", "provider": provider, "api_key": key, "metadata": {"from_email": from_email}}],
                             endpoints=sandbox.endpoints(), transport=sandbox.transport(),
                             nameservers=[dns.address], retries=0, timeout=1)
    return {c.id: c.status.value for c in report.integrations[0].checks}


@pytest.mark.parametrize(("key", "from_email", "expected"), [
    ("SANDBOX_RESEND_KEY", "hello@good.example", {"key.auth": "pass", "resend.domain": "pass", "dns.spf": "pass"}),
    ("SANDBOX_RESEND_KEY", "hello@pending.example", {"resend.domain": "fail", "resend.records": "fail",
                                                     "dns.spf": "fail"}),
    ("SANDBOX_RESEND_SENDING_KEY", "hello@good.example", {"key.auth": "pass", "resend.domain": "skip"}),
    ("SANDBOX_RESEND_KEY", "hello@deep.example", {"dns.spf": "fail"}),
])
async def test_resend_fake(sandbox, key: str, from_email: str, expected: dict) -> None:
    got = await _run(sandbox, "resend", K[key], from_email)
    assert {k: got[k] for k in expected} == expected


async def test_resend_fake_rejects_unknown_key(sandbox) -> None:
    got = await _run(sandbox, "resend", "re_Unknown1_" + "X1y2Z3w4" * 3, "hello@good.example")
    assert got["key.auth"] == "fail"


async def test_resend_rate_limit_is_an_error(sandbox) -> None:
    sandbox.fake("resend").faults.append(Fault(status=429, body={"statusCode": 429, "name": "rate_limit_exceeded",
                                                                 "message": "Too many requests"},
                                               headers={"retry-after": "1", "ratelimit-limit": "2",
                                                        "ratelimit-remaining": "0", "ratelimit-reset": "1"}))
    got = await _run(sandbox, "resend", K["SANDBOX_RESEND_KEY"], "hello@good.example")
    assert got["key.auth"] == "error"


async def test_sendgrid_fake(sandbox) -> None:
    got = await _run(sandbox, "sendgrid", K["SANDBOX_SENDGRID_KEY"], "news@sg-good.example")
    assert got["sendgrid.sender"] == "pass" and got["dns.dkim"] == "pass"
    single = await _run(sandbox, "sendgrid", K["SANDBOX_SENDGRID_KEY"], "ops@single.example")
    assert single["sendgrid.sender"] == "pass"
