"""The HTTP layer: retries with Retry-After, idempotency, redirects, failure classes."""

from __future__ import annotations

import httpx
import pytest
import respx
import trio.testing

from oneinbox_check.net.http import Failure, HttpClient, Reply, RetryPolicy, server_wait_hint

pytestmark = pytest.mark.anyio
URL = "http://127.0.0.1:8/v1/models"


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


async def test_retry_after_is_honoured(sleeps: Sleeps) -> None:
    with respx.mock:
        route = respx.get(URL).mock(side_effect=[
            httpx.Response(429, headers={"retry-after": "3"}),
            httpx.Response(503, headers={"retry-after": "1.5"}),
            httpx.Response(200, json={"data": []}),
        ])
        async with HttpClient(retries=2, sleep=sleeps) as http:
            outcome = await http.get(URL)
    assert isinstance(outcome, Reply) and outcome.status == 200 and outcome.attempts == 3
    assert route.call_count == 3
    assert sleeps == [3.0, 1.5]


async def test_rate_limit_reset_header_is_a_hint_too(sleeps: Sleeps) -> None:
    with respx.mock:
        respx.get(URL).mock(side_effect=[httpx.Response(429, headers={"ratelimit-reset": "2"}), httpx.Response(200)])
        async with HttpClient(sleep=sleeps) as http:
            await http.get(URL)
    assert sleeps == [2.0]


async def test_a_wait_beyond_the_cap_is_not_waited_for(sleeps: Sleeps) -> None:
    with respx.mock:
        route = respx.get(URL).mock(return_value=httpx.Response(429, headers={"retry-after": "3600"}))
        async with HttpClient(sleep=sleeps) as http:
            outcome = await http.get(URL)
    assert isinstance(outcome, Reply) and outcome.status == 429
    assert route.call_count == 1 and sleeps == []


async def test_backoff_is_jittered_and_bounded_without_hints(sleeps: Sleeps) -> None:
    with respx.mock:
        route = respx.get(URL).mock(return_value=httpx.Response(502))
        async with HttpClient(retries=3, sleep=sleeps) as http:
            outcome = await http.get(URL)
    assert isinstance(outcome, Reply) and outcome.status == 502
    assert route.call_count == 4
    assert len(sleeps) == 3 and all(0 <= s <= 8 for s in sleeps)


async def test_connect_errors_are_retried_then_reported(sleeps: Sleeps) -> None:
    with respx.mock:
        route = respx.get(URL).mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
        async with HttpClient(retries=2, sleep=sleeps) as http:
            outcome = await http.get(URL)
    assert isinstance(outcome, Failure) and outcome.kind == "connect"
    assert "Connection refused" in outcome.reason and route.call_count == 3


async def test_post_is_never_retried(sleeps: Sleeps) -> None:
    with respx.mock:
        route = respx.post(URL).mock(return_value=httpx.Response(503))
        async with HttpClient(retries=3, sleep=sleeps) as http:
            outcome = await http.request("POST", URL)
    assert isinstance(outcome, Reply) and outcome.status == 503 and route.call_count == 1


async def test_read_timeout_is_a_failure_not_retried(sleeps: Sleeps) -> None:
    with respx.mock:
        route = respx.get(URL).mock(side_effect=httpx.ReadTimeout("slow"))
        async with HttpClient(timeout=2, sleep=sleeps) as http:
            outcome = await http.get(URL)
    assert isinstance(outcome, Failure) and outcome.kind == "timeout" and "timed out after 2s" in outcome.reason
    assert route.call_count == 1


async def test_cross_host_redirect_is_not_followed_with_credentials() -> None:
    with respx.mock:
        respx.get(URL).mock(return_value=httpx.Response(302, headers={"location": "http://127.0.0.2:8/steal"}))
        other = respx.get("http://127.0.0.2:8/steal").mock(return_value=httpx.Response(200))
        async with HttpClient() as http:
            outcome = await http.get(URL, headers={"Authorization": "Bearer x"})
    assert isinstance(outcome, Failure) and outcome.kind == "redirect"
    assert other.call_count == 0


async def test_same_host_redirect_is_followed() -> None:
    with respx.mock:
        respx.get(URL).mock(return_value=httpx.Response(301, headers={"location": "/v2/models"}))
        respx.get("http://127.0.0.1:8/v2/models").mock(return_value=httpx.Response(200, json={}))
        async with HttpClient() as http:
            outcome = await http.get(URL)
    assert isinstance(outcome, Reply) and outcome.status == 200


async def test_identical_gets_are_sent_once() -> None:
    import anyio

    with respx.mock:
        route = respx.get(URL).mock(return_value=httpx.Response(200, json={"data": []}))
        async with HttpClient() as http:
            results = []

            async def one() -> None:
                results.append(await http.get(URL, headers={"Authorization": "Bearer same"}))

            async with anyio.create_task_group() as tg:
                for _ in range(5):
                    tg.start_soon(one)
            await http.get(URL, headers={"Authorization": "Bearer other"})
    assert route.call_count == 2 and len(results) == 5


def test_reply_json_tolerates_garbage() -> None:
    assert Reply(200, {}, b"<html>oops</html>", URL).json() is None
    assert Reply(200, {}, b'{"a": 1', URL).json() is None


@pytest.mark.parametrize(("headers", "expected"), [
    ({"retry-after": "7"}, 7.0), ({"x-ratelimit-reset-requests": "6m0s"}, 360.0),
    ({"x-ratelimit-reset-requests": "20ms"}, 0.02), ({}, None), ({"retry-after": "soon"}, None),
])
def test_server_wait_hints(headers: dict, expected: float | None) -> None:
    assert server_wait_hint(headers) == expected


def test_policy_stops_after_retries() -> None:
    policy = RetryPolicy(retries=1)
    assert policy.wait_for(1, None) is not None
    assert policy.wait_for(2, None) is None


async def test_documented_rate_limit_paces_requests() -> None:
    """2 requests/s with a burst of 2: the 3rd and 4th of four quick requests wait about 0.5 s and 1 s."""
    waits: list[float] = []

    async def pause(seconds: float) -> None:
        waits.append(seconds)

    with respx.mock:
        respx.get(url__startswith="http://127.0.0.1:8/").mock(return_value=httpx.Response(200))
        async with HttpClient(rates={"http://127.0.0.1:8/v1": 2.0}) as http:
            http._pause = pause
            started = next(iter(http._buckets.values())).last
            http._clock = lambda: started  # four requests at one instant, however slow this machine is
            for i in range(4):
                await http.get(f"{URL}?n={i}")
            await http.get("http://127.0.0.1:8/v2/other")  # another endpoint on the same host: not paced
    assert len(waits) == 2
    assert waits[0] == pytest.approx(0.5, abs=0.05) and waits[1] == pytest.approx(1.0, abs=0.05)


def test_bucket_refills_with_time() -> None:
    from oneinbox_check.net.http import _Bucket

    bucket = _Bucket(rate=2.0, tokens=2.0, last=0.0)
    assert [bucket.reserve(0.0) for _ in range(3)] == [0.0, 0.0, 0.5]
    assert bucket.reserve(10.0) == 0.0  # refilled (capped at the burst)


@pytest.mark.paced
def test_registry_maps_rate_limits_to_hosts() -> None:
    from oneinbox_check.probes.registry import load_registry

    registry = load_registry()
    rates = registry.rate_limits(registry.endpoint_defaults())
    assert rates["https://api.resend.com"] == 2.0 and rates["https://api.cal.com"] == 2.0
    assert "https://api.openai.com" not in rates


# --- limits per origin (issue 12) ---------------------------------------------------------------

class Gauge(httpx.AsyncBaseTransport):
    """Answers after *delay*; records the peak number of requests in flight, per origin and overall."""

    def __init__(self, delay: float = 0.02):
        self.delay = delay
        self.inflight: dict[tuple[str, int | None], int] = {}
        self.peak: dict[tuple[str, int | None], int] = {}
        self.total = self.total_peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import anyio

        origin = (request.url.host, request.url.port)
        self.inflight[origin] = self.inflight.get(origin, 0) + 1
        self.peak[origin] = max(self.peak.get(origin, 0), self.inflight[origin])
        self.total += 1
        self.total_peak = max(self.total_peak, self.total)
        await anyio.sleep(self.delay)
        self.inflight[origin] -= 1
        self.total -= 1
        return httpx.Response(200, json={})


async def test_each_origin_has_its_own_limit_even_on_one_host() -> None:
    import anyio

    gauge = Gauge()
    async with HttpClient(transport=gauge, per_origin=2, concurrency=32) as http:
        async with anyio.create_task_group() as tg:
            for port in (1001, 1002):
                for i in range(10):
                    tg.start_soon(http.get, f"http://127.0.0.1:{port}/v1/models?n={i}")
    assert gauge.peak == {("127.0.0.1", 1001): 2, ("127.0.0.1", 1002): 2}
    assert gauge.total_peak == 4


async def test_the_global_limit_bounds_all_origins_together() -> None:
    import anyio

    gauge = Gauge()
    async with HttpClient(transport=gauge, per_origin=8, concurrency=3) as http:
        async with anyio.create_task_group() as tg:
            for port in (1001, 1002, 1003):
                for i in range(5):
                    tg.start_soon(http.get, f"http://127.0.0.1:{port}/x?n={i}")
    assert gauge.total_peak == 3


async def test_requests_queued_for_a_busy_origin_hold_no_global_slot() -> None:
    """40 requests wait for one origin (limit 2); a request to another origin still gets a global slot at once."""
    import anyio

    order: list[str] = []

    class Slow(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await anyio.sleep(0.05 if request.url.port == 1001 else 0.0)
            order.append("busy" if request.url.port == 1001 else "other")
            return httpx.Response(200)

    async with HttpClient(transport=Slow(), per_origin=2, concurrency=4) as http:
        async with anyio.create_task_group() as tg:
            for i in range(40):
                tg.start_soon(http.get, f"http://127.0.0.1:1001/x?n={i}")
            await anyio.sleep(0)
            tg.start_soon(http.get, "http://127.0.0.1:1002/x")
    assert order.index("other") <= 2


# --- item 6: the check's budget bounds Retry-After and backoff -------------------------------------

async def test_item6_retry_after_beyond_the_remaining_budget_is_not_waited_for(sleeps: Sleeps) -> None:
    from oneinbox_check.net.budget import Budget

    with respx.mock:
        route = respx.get(URL).mock(return_value=httpx.Response(429, headers={"retry-after": "8"}))
        async with HttpClient(timeout=2, retries=5, sleep=sleeps) as http:
            with Budget(5.0):
                outcome = await http.get(URL)
    assert isinstance(outcome, Reply) and outcome.status == 429
    assert route.call_count == 1 and sleeps == []


async def test_item6_retry_after_within_the_remaining_budget_is_honoured(sleeps: Sleeps) -> None:
    from oneinbox_check.net.budget import Budget

    with respx.mock:
        respx.get(URL).mock(side_effect=[httpx.Response(503, headers={"retry-after": "2"}), httpx.Response(200)])
        async with HttpClient(timeout=2, sleep=sleeps) as http:
            with Budget(5.0):
                outcome = await http.get(URL)
    assert isinstance(outcome, Reply) and outcome.status == 200 and sleeps == [2.0]


@pytest.mark.parametrize("anyio_backend", [("trio", {"clock": trio.testing.MockClock(autojump_threshold=0)})])
async def test_item6_a_bare_client_bounds_each_request_by_its_own_budget(anyio_backend) -> None:
    """Without a runner budget: timeout x (retries + 3) per request (here 1.3 s), its waits included;
    on trio's mock clock (virtual time: no real waits, and a loaded machine cannot eat the slack)."""
    import anyio

    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        await anyio.sleep(seconds)

    with respx.mock:
        route = respx.get(URL).mock(return_value=httpx.Response(429, headers={"retry-after": "0.5"}))
        async with HttpClient(timeout=0.1, retries=10, sleep=sleep) as http:
            outcome = await http.get(URL)
    assert isinstance(outcome, Reply) and outcome.status == 429
    assert sum(waited) <= 1.3 and route.call_count == len(waited) + 1 < 11
    assert waited == [0.5, 0.5]  # no per-request budget: ten waits of 0.5 s


async def test_item6_attempts_are_cut_to_the_remaining_budget() -> None:
    import anyio

    from oneinbox_check.net.budget import Budget

    class Never(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await anyio.sleep(60)
            return httpx.Response(200)

    async with HttpClient(timeout=30, transport=Never()) as http:
        with Budget(0.2):
            outcome = await http.get(URL)
    assert isinstance(outcome, Failure) and outcome.kind == "timeout"


def test_policy_refuses_a_wait_that_leaves_no_room_for_the_attempt() -> None:
    policy = RetryPolicy(retries=3)
    reply = Reply(429, {"retry-after": "2"}, b"", URL)
    assert policy.wait_for(1, reply, remaining=10.0, room=1.0) == 2.0
    assert policy.wait_for(1, reply, remaining=2.5, room=1.0) is None


# --- item 13: redirects ----------------------------------------------------------------------------

async def test_item13_same_host_http_to_https_redirect_is_followed() -> None:
    with respx.mock:
        respx.get(URL).mock(return_value=httpx.Response(301, headers={"location": "https://127.0.0.1:8/v1/models"}))
        secure = respx.get("https://127.0.0.1:8/v1/models").mock(return_value=httpx.Response(200, json={}))
        async with HttpClient() as http:
            outcome = await http.get(URL, headers={"Authorization": "Bearer x"})
    assert isinstance(outcome, Reply) and outcome.status == 200 and secure.call_count == 1


async def test_https_to_http_redirect_is_not_followed_with_credentials() -> None:
    secure_url = "https://127.0.0.1:8/v1/models"
    with respx.mock:
        respx.get(secure_url).mock(return_value=httpx.Response(302, headers={"location": URL}))
        plain = respx.get(URL).mock(return_value=httpx.Response(200))
        async with HttpClient() as http:
            outcome = await http.get(secure_url, headers={"Authorization": "Bearer x"})
    assert isinstance(outcome, Failure) and outcome.kind == "redirect" and "plain http" in outcome.reason
    assert "another host" not in outcome.reason and plain.call_count == 0


# --- item 10: proxies --------------------------------------------------------------------------------

class RecordingProxy:
    """A loopback 'proxy' that records the first request line and answers 502."""

    def __init__(self) -> None:
        import socket
        import threading

        self.lines: list[str] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.stopped = threading.Event()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        import socket

        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
                break
            except socket.timeout:
                continue
            except OSError:
                return
        else:
            return
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            self.lines.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
            conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch):
    recording = RecordingProxy()
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, recording.url)
    monkeypatch.setenv("NO_PROXY", "localhost")
    monkeypatch.setenv("no_proxy", "localhost")
    yield recording
    recording.close()


async def test_item10_https_proxy_is_used_for_real_endpoints(proxy: RecordingProxy) -> None:
    async with HttpClient(timeout=5, retries=0) as http:
        outcome = await http.get("https://api.provider.invalid/v1/models")
    assert isinstance(outcome, Failure)
    assert proxy.lines == ["CONNECT api.provider.invalid:443 HTTP/1.1"]


async def test_item10_injected_transport_is_never_proxied(proxy: RecordingProxy) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    async with HttpClient(timeout=5, retries=0, transport=transport) as http:
        outcome = await http.get("https://api.provider.invalid/v1/models")
    assert isinstance(outcome, Reply) and outcome.status == 200 and proxy.lines == []


async def test_item10_test_session_proxy_net_catches_a_forgotten_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """conftest.py points HTTP(S)_PROXY at a closed loopback port: a real provider host is never even resolved."""
    import socket

    asked: list[str] = []
    real = socket.getaddrinfo

    def recording(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(host.decode() if isinstance(host, bytes) else str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    async with HttpClient(timeout=5, retries=0) as http:
        outcome = await http.get("https://api.openai.com/v1/models")
    assert isinstance(outcome, Failure) and outcome.kind in ("connect", "protocol")
    assert "api.openai.com" not in asked


def test_witness_a_deeply_nested_answer_reads_as_not_json_not_a_crash():
    from oneinbox_check.net.http import Reply

    body = b'{"data":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert Reply(status=200, headers={}, body=body, url="http://127.0.0.1/").json() is None


# The address rule in the HTTP layer (SPEC §13): a host name — e.g. an
# --endpoint override — is resolved by the client itself, every address is
# judged, and the connection goes to the judged address (no second resolution).

class Connects(list):
    """Stands in for the network: records every connection attempt, connects nowhere."""

    async def connect_tcp(self, host, port, **kw):
        import httpcore

        self.append((host, port))
        raise httpcore.ConnectError("no network in tests")


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Connects:
    import httpcore

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    connects = Connects()

    async def connect_tcp(backend, host, port, **kw):
        return await connects.connect_tcp(host, port, **kw)

    monkeypatch.setattr(httpcore.AsyncNetworkBackend, "connect_tcp", connect_tcp)
    from httpcore._backends.auto import AutoBackend
    monkeypatch.setattr(AutoBackend, "connect_tcp", connect_tcp)
    return connects


def resolves_to(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    asked: list[str] = []

    async def getaddrinfo(host: str, port: int) -> list[str]:
        asked.append(host)
        return list(answers)

    monkeypatch.setattr("oneinbox_check.net.http._getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize("address", ["169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254"])
async def test_a_host_name_resolving_to_a_metadata_address_is_refused_and_never_connected(
        monkeypatch: pytest.MonkeyPatch, network: Connects, address: str) -> None:
    asked = resolves_to(monkeypatch, address)
    async with HttpClient(retries=2, timeout=2) as http:
        outcome = await http.get("https://api.example.test/v1/models")
    assert isinstance(outcome, Failure) and outcome.kind == "refused"
    assert "refused to contact api.example.test" in outcome.reason
    assert address.removeprefix("::ffff:") in outcome.reason
    assert asked == ["api.example.test"] and network == []  # judged once, not retried, never connected


async def test_one_refused_address_among_public_ones_refuses_the_host(
        monkeypatch: pytest.MonkeyPatch, network: Connects) -> None:
    resolves_to(monkeypatch, "192.0.2.10", "169.254.169.254")
    async with HttpClient(retries=0, timeout=2) as http:
        outcome = await http.get("https://api.example.test/")
    assert isinstance(outcome, Failure) and outcome.kind == "refused" and network == []


async def test_the_connection_goes_to_the_judged_address_not_a_second_resolution(
        monkeypatch: pytest.MonkeyPatch, network: Connects) -> None:
    resolves_to(monkeypatch, "192.0.2.10")
    async with HttpClient(retries=0, timeout=2) as http:
        outcome = await http.get("https://api.example.test:8443/")
    assert isinstance(outcome, Failure) and outcome.kind == "connect"
    assert network == [("192.0.2.10", 8443)]


async def test_an_endpoint_override_resolving_to_metadata_gives_an_error_result(
        monkeypatch: pytest.MonkeyPatch, network: Connects) -> None:
    from oneinbox_check import check

    resolves_to(monkeypatch, "169.254.169.254")
    report = await check([{"name": "ai", "provider": "openai", "api_key": "sk-" + "a" * 48}],
                         endpoints={"openai": "https://metadata.example.test"}, retries=1, timeout=2)
    auth = {c.id: c for c in report.integrations[0].checks}["key.auth"]
    assert auth.status.value == "error" and "169.254.169.254" in auth.summary
    assert network == []


async def test_request_extensions_reach_the_transport() -> None:
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.extensions))
        return httpx.Response(200)

    async with HttpClient(transport=httpx.MockTransport(handler)) as http:
        await http.get("https://192.0.2.1/ws", extensions={"sni_hostname": "llm.example"})
    assert seen[0]["sni_hostname"] == "llm.example"


@pytest.mark.anyio
async def test_the_tls_context_is_made_once_and_only_when_a_real_connection_is_needed(monkeypatch) -> None:
    made = []
    real = httpx.create_ssl_context
    monkeypatch.setattr(httpx, "create_ssl_context", lambda *a, **k: made.append(1) or real(*a, **k))
    async with HttpClient() as http:
        assert made == []  # a run that sends nothing (dns, every key malformed) pays nothing for TLS
        first = http._client_for(("https", "api.example.invalid", 443))
        second = http._client_for(("https", "other.example.invalid", 443))
        assert first is not second and made == [1]  # one context shared by the origins' pools
