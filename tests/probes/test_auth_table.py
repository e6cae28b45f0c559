"""key.auth (and key.scope) for every registered provider: which answers are
determinate (pass/fail) and which are indeterminate (error), one row each.

The rows are the providers' own: ``AUTH_ROUTE`` and ``AUTH`` in
tests/probes/test_<provider>.py for a provider whose key.auth is one request
(answers in providers.md's shapes, mocked with respx on loopback endpoints), or
``AUTH_ELSEWHERE`` naming the tests of that module that hold its pass, fail and
error rows. A registered provider with neither fails
``test_every_provider_has_auth_rows`` (tests/probes/README.md).
"""

from __future__ import annotations

import httpx
import pytest
import respx

from tests.probes import rows
from tests.probes.helpers import BASE, j, run_provider

pytestmark = pytest.mark.anyio

PATHS: dict[str, tuple[str, str]] = rows.rows("AUTH_ROUTE")
ROWS = [(provider, case, response, expected)
        for provider, auth in rows.rows("AUTH").items() for case, response, expected in auth]
HEADERS: dict[str, dict[str, object]] = rows.rows("AUTH_HEADERS")
VERDICTS = ("pass", "fail", "error")


@pytest.mark.parametrize("provider", rows.providers())
def test_every_provider_has_auth_rows(provider: str) -> None:
    problem = rows.missing(provider, "AUTH", "AUTH_ELSEWHERE")
    assert problem is None, problem
    module = rows.module_of(provider)
    if hasattr(module, "AUTH"):
        assert provider in PATHS, f"provider {provider}: AUTH needs AUTH_ROUTE in tests/probes/test_{provider}.py"
        return
    elsewhere = module.AUTH_ELSEWHERE
    assert set(elsewhere) == set(VERDICTS), f"provider {provider}: AUTH_ELSEWHERE names one test per {VERDICTS}"
    absent = [name for name in elsewhere.values() if not callable(getattr(module, name, None))]
    assert not absent, f"provider {provider}: AUTH_ELSEWHERE names tests that do not exist: {absent}"


@pytest.mark.parametrize(("provider", "case", "response", "expected"), ROWS, ids=[f"{r[0]}-{r[1]}" for r in ROWS])
async def test_auth_verdict(provider: str, case: str, response: httpx.Response, expected: dict) -> None:
    method, path = PATHS[provider]
    with respx.mock(assert_all_called=True) as mock:
        mock.route(method=method, url__startswith=BASE + path).mock(return_value=response)
        report = await run_provider(provider)
    checks = {c.id: c for c in report.integrations[0].checks}
    for check_id, status in expected.items():
        assert checks[check_id].status.value == status, checks[check_id]
    if expected["key.auth"] == "fail":
        assert checks["key.auth"].remediation


@pytest.mark.parametrize("provider", sorted(PATHS))
@pytest.mark.parametrize("fault", [httpx.ConnectError("[Errno 111] Connection refused"), httpx.ReadTimeout("slow"),
                                   httpx.RemoteProtocolError("Server disconnected")],
                         ids=["refused", "timeout", "dropped"])
async def test_transport_failures_are_errors_never_fails(provider: str, fault: Exception) -> None:
    method, path = PATHS[provider]
    with respx.mock:
        respx.route(method=method, url__startswith=BASE + path).mock(side_effect=fault)
        report = await run_provider(provider)
    checks = {c.id: c for c in report.integrations[0].checks}
    assert checks["key.auth"].status.value == "error"
    assert report.exit_code == 3


@pytest.mark.parametrize("provider", sorted(HEADERS))
async def test_headers_carry_the_key_as_each_provider_expects(provider: str) -> None:
    """``AUTH_HEADERS``: a value is sent exactly, ``None`` is never sent, ``...`` is sent with any value."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503)

    method, path = PATHS[provider]
    with respx.mock:
        respx.route(method=method, url__startswith=BASE + path).mock(side_effect=record)
        await run_provider(provider)
    headers = seen[0].headers
    for name, value in HEADERS[provider].items():
        if value is None:
            assert name not in headers
        elif value is ...:
            assert headers[name]
        else:
            assert headers[name] == value


PROXY_401 = j(401, {"message": "proxy auth required"})
OWN = sorted(PATHS)  # every one-request key.auth (telnyx too: it passes, though it was left out before)


@pytest.mark.parametrize("provider", OWN)
async def test_item8_9_json_401_from_a_proxy_is_not_a_rejection(provider: str) -> None:
    """A fail needs the provider's own error envelope: a proxy's JSON 401 is indeterminate."""
    method, path = PATHS[provider]
    with respx.mock:
        respx.route(method=method, url__startswith=BASE + path).mock(return_value=PROXY_401)
        report = await run_provider(provider)
    auth = {c.id: c for c in report.integrations[0].checks}["key.auth"]
    assert auth.status.value == "error", auth
    assert "rejected" not in auth.summary
