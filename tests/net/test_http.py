"""The HTTP layer: retries with Retry-After, idempotency, redirects, failure classes."""

from __future__ import annotations

import httpx
import pytest
import respx

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


def test_registry_maps_rate_limits_to_hosts() -> None:
    from oneinbox_check.probes._base import load_registry

    registry = load_registry()
    rates = registry.rate_limits(registry.endpoint_defaults())
    assert rates["https://api.resend.com"] == 2.0 and rates["https://api.cal.com"] == 2.0
    assert "https://api.openai.com" not in rates
