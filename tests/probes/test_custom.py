"""custom.websocket: URL shape, host resolution, the address rule (SPEC §13) and
the WebSocket opening handshake (RFC 6455 §4.1)."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest
import respx

from oneinbox_check import check

pytestmark = pytest.mark.anyio
METADATA = {"custom_websocket_url": "wss://llm.example.com/ws"}  # what every row of this provider carries
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("custom-server-token-9xfogoEmvnEN", "pass"),
}
# no one-request key.auth: the WebSocket handshake to the server's own URL is the check; these tests
# of this module hold its rows, one per verdict (tests/probes/test_auth_table.py checks they exist)
AUTH_ELSEWHERE = {"pass": "test_handshake_succeeds", "fail": "test_the_servers_own_refusals_fail",
                  "error": "test_server_trouble_is_error"}
FAULTS_ELSEWHERE = "test_server_trouble_is_error"  # its faulty-server rows (tests/e2e/test_sandbox_faults.py)


def LEAK_METADATA(base: str) -> dict:  # noqa: N802 - a row, named like the others
    """The leak sweep's metadata (tests/hostile/test_leaks.py): the custom server is the echo server."""
    return {"custom_websocket_url": base.replace("http", "ws", 1) + "/whole"}


GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TOKEN = "custom-token-1234567890"
KEY = TOKEN  # a made-up key of custom's shape


def accept_value(request: httpx.Request) -> str:
    key = request.headers["sec-websocket-key"]
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def accept(request: httpx.Request) -> httpx.Response:
    return httpx.Response(101, headers={"upgrade": "websocket", "connection": "Upgrade",
                                        "sec-websocket-accept": accept_value(request)})


def answer(drop: str = "", **extra: str):
    """A 101 reply with one required header left out (*drop*) or extra headers added."""
    def respond(request: httpx.Request) -> httpx.Response:
        headers = {"upgrade": "websocket", "connection": "Upgrade", "sec-websocket-accept": accept_value(request),
                   **{k.replace("_", "-"): v for k, v in extra.items()}}
        headers.pop(drop, None)
        return httpx.Response(101, headers=headers)
    return respond


async def run(url: str, dns_server=None, key: str | None = None, **kw):
    entry = {"name": "llm", "provider": "custom", "custom_websocket_url": url}
    if key:
        entry["api_key"] = key
    report = await check([entry], nameservers=[dns_server.address] if dns_server else [], retries=0, timeout=1, **kw)
    return {c.id: c for c in report.integrations[0].checks}["custom.websocket"]


async def test_handshake_succeeds() -> None:
    with respx.mock:
        route = respx.get("http://127.0.0.1:8/ws").mock(side_effect=accept)
        result = await run("ws://127.0.0.1:8/ws", key=TOKEN)
    assert result.status.value == "pass"
    assert route.calls[0].request.headers["upgrade"] == "websocket"
    assert route.calls[0].request.headers["authorization"] == f"Bearer {TOKEN}"


async def test_wrong_accept_header_fails() -> None:
    with respx.mock:
        respx.get("http://127.0.0.1:8/ws").mock(side_effect=answer(sec_websocket_accept="x"))
        result = await run("ws://127.0.0.1:8/ws")
    assert result.status.value == "fail" and "Sec-WebSocket-Accept" in result.summary


@pytest.mark.parametrize("missing", ["upgrade", "connection"])
async def test_item19_101_without_upgrade_or_connection_header_fails(missing: str) -> None:
    with respx.mock:
        respx.get("http://127.0.0.1:8/ws").mock(side_effect=answer(drop=missing))
        result = await run("ws://127.0.0.1:8/ws")
    assert result.status.value == "fail" and missing.capitalize() in result.summary


@pytest.mark.parametrize("header", ["sec_websocket_protocol", "sec_websocket_extensions"])
async def test_item19_101_with_unrequested_subprotocol_or_extension_fails(header: str) -> None:
    with respx.mock:
        respx.get("http://127.0.0.1:8/ws").mock(side_effect=answer(**{header: "chat"}))
        assert (await run("ws://127.0.0.1:8/ws")).status.value == "fail"


async def test_item19_connection_header_is_a_token_list_and_case_insensitive() -> None:
    with respx.mock:
        respx.get("http://127.0.0.1:8/ws").mock(side_effect=answer(connection="keep-alive, UPGRADE",
                                                                   upgrade="WebSocket"))
        assert (await run("ws://127.0.0.1:8/ws")).status.value == "pass"


async def test_item19_a_400_is_indeterminate_not_no_websocket() -> None:
    with respx.mock:
        respx.get("http://127.0.0.1:8/ws").mock(return_value=httpx.Response(400, json={"error": "subprotocol required"}))
        result = await run("ws://127.0.0.1:8/ws")
    assert result.status.value == "error" and "no WebSocket" not in result.summary


@pytest.mark.parametrize(("status", "fragment"), [(401, "refused"), (403, "refused"), (404, "no WebSocket"),
                                                  (405, "no WebSocket"), (426, "version 13")])
async def test_the_servers_own_refusals_fail(status: int, fragment: str) -> None:
    with respx.mock:
        respx.get("http://127.0.0.1:8/ws").mock(return_value=httpx.Response(status, json={"error": "no"}))
        result = await run("ws://127.0.0.1:8/ws")
    assert result.status.value == "fail" and fragment in result.summary


@pytest.mark.parametrize(("status", "body"), [
    (403, "<html><body>Request blocked by the web application firewall</body></html>"),
    (401, "<!doctype html><title>Sign in to the network</title>"),
    (200, "<html><title>Welcome to Airport Wi-Fi</title><form>accept terms</form></html>"),
    (200, '{"ok": true}'),
], ids=["waf-403", "html-401", "captive-portal-200", "json-200"])
async def test_item9_waf_pages_and_captive_portals_are_errors_not_fails(status: int, body: str) -> None:
    with respx.mock:
        respx.get("http://127.0.0.1:8/ws").mock(return_value=httpx.Response(status, text=body))
        result = await run("ws://127.0.0.1:8/ws")
    assert result.status.value == "error"


@pytest.mark.parametrize("response", [httpx.Response(503), httpx.ConnectError("refused")], ids=["503", "refused"])
async def test_server_trouble_is_error(response) -> None:
    with respx.mock:
        route = respx.get("http://127.0.0.1:8/ws")
        route.mock(side_effect=response) if isinstance(response, Exception) else route.mock(return_value=response)
        assert (await run("ws://127.0.0.1:8/ws")).status.value == "error"


async def test_not_a_websocket_url_fails() -> None:
    assert (await run("https://llm.example.com/ws")).status.value == "fail"


async def test_a_url_with_a_bad_port_fails_without_a_crash() -> None:
    result = await run("wss://llm.example.com:99999/ws")
    assert result.status.value == "fail"


async def test_host_that_does_not_resolve_fails(dns_server) -> None:
    result = await run("wss://nowhere.example/ws", dns_server)
    assert result.status.value == "fail" and "does not resolve" in result.summary


async def test_dns_failure_is_error(dns_server) -> None:
    dns_server.zone.faults["broken.example"] = "servfail"
    assert (await run("wss://broken.example/ws", dns_server)).status.value == "error"


async def test_the_request_goes_to_the_checked_address_with_the_hosts_name(dns_server) -> None:
    dns_server.zone.load({"llm.example": {"A": ["192.0.2.1"]}})
    with respx.mock:
        route = respx.get("http://192.0.2.1:8080/ws").mock(side_effect=accept)
        assert (await run("ws://llm.example:8080/ws", dns_server)).status.value == "pass"
    assert route.calls[0].request.headers["host"] == "llm.example:8080"


async def test_wss_is_pinned_to_the_checked_address_and_keeps_the_tls_server_name(dns_server) -> None:
    dns_server.zone.load({"llm.example": {"A": ["192.0.2.1"]}})
    with respx.mock:
        route = respx.get("https://192.0.2.1/ws").mock(side_effect=accept)
        assert (await run("wss://llm.example/ws", dns_server)).status.value == "pass"
    request = route.calls[0].request
    assert request.headers["host"] == "llm.example" and request.extensions["sni_hostname"] == "llm.example"


async def test_wss_to_a_resolving_host_is_sent_over_https(dns_server) -> None:
    dns_server.zone.load({"llm.example": {"A": ["192.0.2.1"]}})
    with respx.mock:
        route = respx.get(url__regex=r"https://(llm\.example|192\.0\.2\.1)/ws").mock(side_effect=accept)
        assert (await run("wss://llm.example/ws", dns_server)).status.value == "pass"
    assert route.called


@pytest.mark.parametrize("url", [
    "ws://169.254.169.254/latest/meta-data/",
    "wss://169.254.169.254/x",
    "ws://[::ffff:169.254.169.254]/x",
    "ws://[::ffff:a9fe:a9fe]/x",
    "ws://[fe80::1]/x",
    "ws://[fd00:ec2::254]/x",
    "ws://[64:ff9b::a9fe:a9fe]/x",
], ids=["aws-v4", "wss", "mapped", "mapped-hex", "fe80", "aws-v6", "nat64"])
async def test_item5_metadata_and_link_local_addresses_are_refused_without_a_request(url: str) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().mock(side_effect=accept)
        result = await run(url, key=TOKEN)
    assert result.status.value == "fail" and "refused to contact" in result.summary
    assert not route.called


@pytest.mark.parametrize("address", ["169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254"])
async def test_item5_a_name_resolving_to_a_metadata_address_is_refused(dns_server, address: str) -> None:
    dns_server.zone.load({"llm.example": {"A" if "." in address and ":" not in address else "AAAA": [address]}})
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().mock(side_effect=accept)
        result = await run("wss://llm.example/ws", dns_server, key=TOKEN)
    assert result.status.value == "fail" and "refused to contact" in result.summary
    assert not route.called


async def test_item5_one_bad_address_among_good_ones_is_refused(dns_server) -> None:
    dns_server.zone.load({"llm.example": {"A": ["192.0.2.1", "169.254.169.254"]}})
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().mock(side_effect=accept)
        result = await run("wss://llm.example/ws", dns_server)
    assert result.status.value == "fail" and not route.called


async def test_key_is_not_sent_over_cleartext_to_a_remote_host(dns_server) -> None:
    dns_server.zone.load({"llm.example": {"A": ["192.0.2.1"]}})
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().mock(side_effect=accept)
        result = await run("ws://llm.example/ws", dns_server, key=TOKEN)
    assert result.status.value == "fail" and not route.called


async def test_item1_url_credentials_are_not_sent_over_cleartext_to_a_remote_host(dns_server) -> None:
    dns_server.zone.load({"llm.example": {"A": ["192.0.2.1"]}})
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().mock(side_effect=accept)
        result = await run("ws://bob:hunter2-password@llm.example/ws", dns_server)
    assert result.status.value == "fail" and not route.called
    assert "hunter2" not in result.summary


async def test_a_name_resolving_to_loopback_may_carry_a_key_over_ws(dns_server) -> None:
    dns_server.zone.load({"dev.example": {"A": ["127.0.0.1"]}})
    with respx.mock:
        route = respx.get("http://127.0.0.1:8/ws").mock(side_effect=accept)
        assert (await run("ws://dev.example:8/ws", dns_server, key=TOKEN)).status.value == "pass"
    assert route.calls[0].request.headers["host"] == "dev.example:8"


async def test_localhost_is_loopback_without_asking_dns() -> None:
    with respx.mock:
        route = respx.get("http://127.0.0.1:8/ws").mock(side_effect=accept)
        assert (await run("ws://localhost:8/ws", key=TOKEN)).status.value == "pass"
    assert route.calls[0].request.headers["host"] == "localhost:8"


async def test_url_credentials_go_as_basic_auth_and_never_show() -> None:
    with respx.mock:
        route = respx.get("http://127.0.0.1:8/ws").mock(side_effect=accept)
        result = await run("ws://bob:hunter2-password@127.0.0.1:8/ws")
    assert result.status.value == "pass"
    sent = route.calls[0].request
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(b"bob:hunter2-password").decode()
    assert "@" not in str(sent.url)


# --- against the sandbox's WebSocket fake (in-process), which answers like an RFC 6455 server ---

@pytest.mark.parametrize(("path", "status"), [("/ws/ws", "pass"), ("/ws/subprotocol", "error"),
                                              ("/ws/nowhere", "fail")])
async def test_item19_the_fake_server_answers_like_a_websocket_server(sandbox, path: str, status: str) -> None:
    from oneinbox_check.sandbox.network import IN_PROCESS_BASE

    url = IN_PROCESS_BASE.replace("http://", "ws://") + path
    result = await run(url, transport=sandbox.transport())
    assert result.status.value == status, result.summary
