"""The sandbox's fault injection (latency, status, body, drop) reaches the
checker as the right verdicts, in-process, on asyncio and trio — for every
registered provider.

A provider's row is ``FAKE`` in tests/probes/test_<provider>.py: its sandbox fake
class, in which ``FAKE({KEY: "valid"})`` passes key.auth for the module's ``KEY``
and ``METADATA``; or ``FAULTS_ELSEWHERE`` naming that module's faulty-server test
(for a provider whose key.auth needs more than one fake and a key). A registered
provider with neither fails ``test_every_provider_has_fault_rows``.
"""

from __future__ import annotations

import pytest

from oneinbox_check import check
from oneinbox_check.sandbox.asgi import Fault, FakeApp
from oneinbox_check.sandbox.network import FakeNetwork
from tests.probes import rows

pytestmark = pytest.mark.anyio
FAKES = rows.rows("FAKE")
PROVIDERS = sorted(FAKES)


@pytest.mark.parametrize("provider", rows.providers())
def test_every_provider_has_fault_rows(provider: str) -> None:
    problem = rows.missing(provider, "FAKE", "FAULTS_ELSEWHERE")
    assert problem is None, problem
    elsewhere = rows.row(provider, "FAULTS_ELSEWHERE", None)
    if elsewhere is not None:
        assert callable(getattr(rows.module_of(provider), elsewhere, None)), \
            f"provider {provider}: FAULTS_ELSEWHERE names a test that does not exist: {elsewhere}"


def fake_of(provider: str) -> FakeApp:
    return FAKES[provider]({rows.keys()[provider]: "valid"})


async def _auth(provider: str, fake: FakeApp, **kw) -> tuple[str, str]:
    sandbox = FakeNetwork({fake.name: fake})
    entry = {"name": "o", "provider": provider, "api_key": rows.keys()[provider], "metadata": rows.metadata(provider)}
    report = await check([entry], endpoints=sandbox.endpoints(), transport=sandbox.transport(),
                         retries=kw.pop("retries", 0), **kw)
    auth = next(c for c in report.integrations[0].checks if c.id == "key.auth")
    return auth.status.value, auth.summary


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_valid_key_passes(provider: str) -> None:
    assert (await _auth(provider, fake_of(provider)))[0] == "pass"


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(("fault", "fragment"), [
    (Fault(drop=True), "connection failed"),
    (Fault(status=502, body="<html>Bad gateway</html>"), "HTML"),
    (Fault(status=200, body="not json"), "non-JSON"),
    (Fault(latency=3.0), "timed out"),
], ids=["drop", "502-html", "200-not-json", "latency"])
async def test_faults_are_indeterminate(provider: str, fault: Fault, fragment: str) -> None:
    fake = fake_of(provider)
    fake.faults.append(fault)
    status, summary = await _auth(provider, fake, timeout=0.2 if fault.latency else 0.5)  # 3 s latency: any short timeout
    assert status == "error" and fragment in summary


def auth_path(provider: str) -> tuple[str, str]:
    """The method and the fake's own path of *provider*'s key.auth request (its ``AUTH_ROUTE``
    without the endpoint's name), or ("GET", "/.*") when it declares none."""
    method, path = rows.row(provider, "AUTH_ROUTE", ("GET", "/_/.*"))
    return method, "/" + path.lstrip("/").partition("/")[2]


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if auth_path(p)[0] == "GET"])
async def test_a_transient_fault_is_retried_away(provider: str) -> None:
    fake = fake_of(provider)
    fake.faults.append(Fault(status=503, times=1, headers={"retry-after": "0"}))
    assert (await _auth(provider, fake, retries=1))[0] == "pass"
    assert fake.count(auth_path(provider)[1]) == 2


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if auth_path(p)[0] != "GET"])
async def test_a_transient_fault_on_a_non_idempotent_auth_request_is_not_retried(provider: str) -> None:
    """net/http.py retries only idempotent requests: one 503 on a POST is an error, never resent."""
    fake = fake_of(provider)
    fake.faults.append(Fault(status=503, times=1, headers={"retry-after": "0"}))
    assert (await _auth(provider, fake, retries=1))[0] == "error"
    assert fake.count(auth_path(provider)[1]) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_fault_can_target_one_key(provider: str) -> None:
    fake = fake_of(provider)
    fake.faults.append(Fault(key="some-other-key", status=500))
    assert (await _auth(provider, fake))[0] == "pass"
