"""Hostile HTTP answers (issue 8, item 6): a gzip bomb, an endless chunked body
and a slow drip from a real loopback socket. Each is bounded in time and in
memory (tracemalloc peak), and the answer too large is an ``error``.
"""

from __future__ import annotations

import gzip
import json
import socketserver
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest

from oneinbox_check import check
from oneinbox_check.models import Status
from oneinbox_check.net.http import MAX_BODY, Failure, HttpClient, Reply

pytestmark = pytest.mark.anyio
OPENAI_KEY = "sk-proj-" + "Hs7" * 20
SERVER_LIMIT = 20.0  # seconds a hostile stream may last, whatever the client does
MEMORY_BOUND = 24 * 1024 * 1024  # bytes of Python allocations while reading one hostile answer


def _bomb() -> bytes:
    """~1 MB of gzip that inflates to 1 GiB of zeros (a full flush makes each MiB's block identical)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    first = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    return first + block * 1023


BOMB = _bomb()


class _Hostile(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(8192).decode("latin-1")
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass
        path = line.split(" ")[1] if line.count(" ") >= 2 else "/"
        try:
            getattr(self, "_" + path.strip("/").split("/")[0].replace("-", "_"), self._missing)()
        except OSError:  # the client hung up: that is the point
            pass

    def _head(self, headers: dict[str, str], status: str = "200 OK") -> None:
        head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.wfile.write(head.encode())

    def _bomb(self) -> None:
        self._head({"Content-Type": "application/json", "Content-Encoding": "gzip",
                    "Content-Length": str(len(BOMB))})
        self.wfile.write(BOMB)

    def _endless(self) -> None:
        self._head({"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        chunk = b"[" + b"0," * 32767
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        deadline = time.monotonic() + SERVER_LIMIT
        while time.monotonic() < deadline:
            self.wfile.write(frame)

    def _drip(self) -> None:
        self._head({"Content-Type": "application/json", "Content-Length": "1000000"})
        deadline = time.monotonic() + SERVER_LIMIT
        while time.monotonic() < deadline:
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.05)

    def _small_gzip(self) -> None:
        body = gzip.compress(json.dumps({"data": [{"id": "gpt-4o"}]}).encode())
        self._head({"Content-Type": "application/json", "Content-Encoding": "gzip", "Content-Length": str(len(body))})
        self.wfile.write(body)

    def _exactly_cap(self) -> None:
        self._head({"Content-Type": "text/plain", "Content-Length": str(MAX_BODY)})
        self.wfile.write(b"x" * MAX_BODY)

    def _over_cap(self) -> None:
        self._head({"Content-Type": "text/plain", "Content-Length": str(MAX_BODY + 1)})
        self.wfile.write(b"x" * (MAX_BODY + 1))

    def _missing(self) -> None:
        self._head({"Content-Length": "0"}, "404 Not Found")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _Hostile)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def _fetch(url: str, timeout: float = 5.0) -> tuple[Reply | Failure, float, int]:
    """The outcome, the seconds it took and the peak bytes allocated meanwhile."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        async with HttpClient(timeout=timeout, retries=0) as http:
            outcome = await http.get(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return outcome, time.monotonic() - started, peak


async def test_item6_gzip_bomb_is_error_answer_too_large(hostile: str) -> None:
    report = await check([{"name": "bomb", "provider": "openai", "api_key": OPENAI_KEY}],
                         endpoints={"openai": f"{hostile}/bomb"}, retries=0, timeout=5)
    auth = next(c for c in report.integrations[0].checks if c.id == "key.auth")
    assert auth.status == Status.ERROR and "answer too large" in auth.summary


async def test_item6_gzip_bomb_is_stopped_at_the_cap_in_bounded_memory_and_time(hostile: str) -> None:
    outcome, seconds, peak = await _fetch(f"{hostile}/bomb")
    assert isinstance(outcome, Failure) and outcome.kind == "too_large"
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.0f} MiB allocated"
    assert seconds < 10


async def test_item6_endless_chunked_body_is_stopped_at_the_cap_in_bounded_memory_and_time(hostile: str) -> None:
    outcome, seconds, peak = await _fetch(f"{hostile}/endless")
    assert isinstance(outcome, Failure) and outcome.kind == "too_large"
    assert "answer too large" in outcome.reason
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.0f} MiB allocated"
    assert seconds < 10


async def test_item6_slow_drip_times_out_within_the_request_timeout(hostile: str) -> None:
    outcome, seconds, peak = await _fetch(f"{hostile}/drip", timeout=0.5)
    assert isinstance(outcome, Failure) and outcome.kind == "timeout"
    assert peak < MEMORY_BOUND
    assert seconds < 5  # one timeout (0.5 s) plus start-up, never the drip's 20 s


async def test_a_small_gzip_answer_is_decoded(hostile: str) -> None:
    outcome, _, _ = await _fetch(f"{hostile}/small-gzip")
    assert isinstance(outcome, Reply) and outcome.json() == {"data": [{"id": "gpt-4o"}]}


async def test_a_body_of_exactly_one_mebibyte_is_read(hostile: str) -> None:
    outcome, _, _ = await _fetch(f"{hostile}/exactly-cap")
    assert isinstance(outcome, Reply) and len(outcome.body) == MAX_BODY


async def test_one_byte_over_one_mebibyte_is_too_large(hostile: str) -> None:
    outcome, _, _ = await _fetch(f"{hostile}/over-cap")
    assert isinstance(outcome, Failure) and outcome.kind == "too_large"
