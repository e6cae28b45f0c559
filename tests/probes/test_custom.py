"""custom.websocket: URL shape, host resolution, and the WebSocket opening handshake."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest
import respx

from oneinbox_check import check

pytestmark = pytest.mark.anyio
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept(request: httpx.Request) -> httpx.Response:
    key = request.headers["sec-websocket-key"]
    value = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    return httpx.Response(101, headers={"upgrade": "websocket", "connection": "Upgrade", "sec-websocket-accept": value})


async def run(url: str, dns_server=None, key: str | None = None, **kw):
    entry = {"name": "llm", "provider": "custom", "custom_websocket_url": url}
    if key:
        entry["api_key"] = key
    report = await check([entry], nameservers=[dns_server.address] if dns_server else [], retries=0, timeout=1, **kw)
    return {c.id: c for c in report.integrations[0].checks}["custom.websocket"]


async def test_handshake_succeeds() -> None:
    with respx.mock:
        route = respx.get("http://127.0.0.1:8/ws").mock(side_effect=accept)
        result = await run("ws://127.0.0.1:8/ws", key="custom-token-1234567890")
    assert result.status.value == "pass"
    assert route.calls[0].request.headers["upgrade"] == "websocket"
    assert route.calls[0].request.headers["authorization"] == "Bearer custom-token-1234567890"


async def test_wrong_accept_header_fails() -> None:
    with respx.mock:
        respx.get("http://127.0.0.1:8/ws").mock(return_value=httpx.Response(101, headers={"sec-websocket-accept": "x"}))
        assert (await run("ws://127.0.0.1:8/ws")).status.value == "fail"


@pytest.mark.parametrize(("status", "fragment"), [(401, "refused"), (404, "no WebSocket"), (200, "no WebSocket")])
async def test_non_upgrade_answers_fail(status: int, fragment: str) -> None:
    with respx.mock:
        respx.get("http://127.0.0.1:8/ws").mock(return_value=httpx.Response(status, json={}))
        result = await run("ws://127.0.0.1:8/ws")
    assert result.status.value == "fail" and fragment in result.summary


@pytest.mark.parametrize("response", [httpx.Response(503), httpx.ConnectError("refused")], ids=["503", "refused"])
async def test_server_trouble_is_error(response) -> None:
    with respx.mock:
        route = respx.get("http://127.0.0.1:8/ws")
        route.mock(side_effect=response) if isinstance(response, Exception) else route.mock(return_value=response)
        assert (await run("ws://127.0.0.1:8/ws")).status.value == "error"


async def test_not_a_websocket_url_fails() -> None:
    assert (await run("https://llm.example.com/ws")).status.value == "fail"


async def test_host_that_does_not_resolve_fails(dns_server) -> None:
    result = await run("wss://nowhere.example/ws", dns_server)
    assert result.status.value == "fail" and "does not resolve" in result.summary


async def test_dns_failure_is_error(dns_server) -> None:
    dns_server.zone.faults["broken.example"] = "servfail"
    assert (await run("wss://broken.example/ws", dns_server)).status.value == "error"


async def test_resolving_host_is_contacted_over_https(dns_server) -> None:
    dns_server.zone.load({"llm.example": {"A": ["192.0.2.1"]}})
    with respx.mock:
        route = respx.get("https://llm.example/ws").mock(side_effect=accept)
        assert (await run("wss://llm.example/ws", dns_server)).status.value == "pass"
    assert route.called


async def test_key_is_not_sent_over_cleartext_to_a_remote_host(dns_server) -> None:
    dns_server.zone.load({"llm.example": {"A": ["192.0.2.1"]}})
    with respx.mock:
        route = respx.get("http://llm.example/ws").mock(side_effect=accept)
        result = await run("ws://llm.example/ws", dns_server, key="custom-token-1234567890")
    assert result.status.value == "fail" and not route.called
