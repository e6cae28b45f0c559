"""Test session set-up.

Safety net (DEVELOPERS.md): HTTP(S)_PROXY point at a closed loopback port, so a
request that forgot its endpoint override fails at once instead of reaching a
real provider; loopback is exempt.
"""

from __future__ import annotations

import os
import socket

import pytest
from hypothesis import settings

# Property tests are reproducible and not timed (the machine is small and shared).
settings.register_profile("oneinbox", derandomize=True, deadline=None)
settings.load_profile("oneinbox")


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


_PROXY = f"http://127.0.0.1:{_closed_port()}"
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ[_name] = _PROXY
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"
os.environ.pop("ONEINBOX_CHECK_ENDPOINTS", None)
os.environ["NO_COLOR"] = "1"


@pytest.fixture(autouse=True)
def _manifest_key_variables(monkeypatch):
    """Variables that ``tests.helpers.key_reference`` sets for manifests are unset after each test."""
    from tests import helpers

    helpers._setenv = monkeypatch.setenv
    yield
    helpers._setenv = None


@pytest.fixture(autouse=True)
def _unpaced(request, monkeypatch):
    """Runs keep under the providers' documented rate limits (Cal.com and Resend: 2 requests/s),
    which makes a test of anything else wait half a second per request beyond the second. Tests
    skip those waits unless marked ``paced``; pacing itself is tested in tests/net/test_http.py
    (the client) and tests/test_runner.py (a run, marked ``paced``)."""
    if request.node.get_closest_marker("paced") is None:
        from oneinbox_check.probes.registry import Registry

        monkeypatch.setattr(Registry, "rate_limits", lambda self, endpoints: {})


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def _dns_responder():
    from oneinbox_check.sandbox.dns import DnsResponder

    with DnsResponder() as server:
        yield server


@pytest.fixture
def dns_server(_dns_responder):
    """The session's loopback DNS responder with empty zones; tests load zones
    into ``dns_server.zone`` (a fresh ZoneData per test)."""
    from oneinbox_check.sandbox.dns import ZoneData

    _dns_responder.use(ZoneData())
    return _dns_responder


@pytest.fixture
def sandbox():
    from oneinbox_check.sandbox import scenario

    return scenario.build()


@pytest.fixture
def zones_server(_dns_responder):
    """The sandbox's email zones (good.example, nospf.example, …), fresh per test."""
    from oneinbox_check.sandbox import scenario

    _dns_responder.use(scenario.zone_data())
    return _dns_responder


@pytest.fixture
def zresolver(zones_server):
    from oneinbox_check.net.dns import Resolver

    # 2 s: an answer meant to arrive does, on a loaded machine; a test that waits for a
    # timeout (slowdns, a "timeout" fault) shortens it for itself (``tests.helpers.short_timeout``)
    return Resolver([("127.0.0.1", zones_server.port)], timeout=2.0, tries=1)



@pytest.fixture(scope="module")
def loopback_sandbox():
    """An empty sandbox served by uvicorn on a real loopback port (one per test module)."""
    pytest.importorskip("uvicorn")
    from oneinbox_check.sandbox.serve import Server
    from oneinbox_check.sandbox.network import FakeNetwork

    with Server(FakeNetwork({})) as server:
        yield server
