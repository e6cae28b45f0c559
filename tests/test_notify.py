"""``--notify``: the change document and its delivery to a loopback receiver."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import respx

from oneinbox_check import check_sync
from oneinbox_check.errors import UsageError
from oneinbox_check.notify import deliver, heartbeat, payload, validate_url

KEY = "sk-proj-" + "Q" * 40 + "\n"  # a newline: key.format fails offline


def _report(change: str | None = "degraded"):
    report = check_sync([{"name": "Voice", "provider": "openai", "api_key": KEY}], offline=True)
    for integ in report.integrations:
        integ.change = change
    return report


class _Receiver(BaseHTTPRequestHandler):
    received: list[bytes] = []
    mode = "ok"

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("content-length", 0))
        type(self).received.append(self.rfile.read(length))
        if self.mode == "hang":
            time.sleep(10)
        self.send_response(500 if self.mode == "fail" else 200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Handler", (_Receiver,), {"received": [], "mode": "ok"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/XXXXSECRETPATH", handler
    finally:
        server.shutdown()
        server.server_close()


def test_payload_has_slack_text_and_structured_changes_without_the_key():
    doc = payload(_report(), previous={("Voice", "openai"): "pass"})
    assert doc is not None
    (change,) = doc["changes"]
    assert change["integration"] == "Voice" and change["previous_status"] == "pass" and change["status"] == "fail"
    assert change["checks"] and all(c["status"] in ("fail", "error") for c in change["checks"])
    assert "Voice (openai): pass → fail (degraded)" in doc["text"]
    text = json.dumps(doc)
    assert KEY.strip() not in text and KEY.strip()[8:20] not in text


def test_no_changes_no_payload_but_a_heartbeat_on_request():
    report = _report(change="unchanged")
    assert payload(report) is None
    assert heartbeat(report)["changes"] == []


@pytest.mark.anyio
async def test_delivery_posts_one_json_document(receiver):
    url, handler = receiver
    (result,) = await deliver([url], {"text": "hi", "changes": []}, timeout=5)
    assert result.ok and result.detail == "HTTP 200"
    assert json.loads(handler.received[0]) == {"text": "hi", "changes": []}


@pytest.mark.anyio
async def test_a_500_is_reported_and_never_retried(receiver):
    url, handler = receiver
    handler.mode = "fail"
    (result,) = await deliver([url], {"text": "hi"}, timeout=5)
    assert not result.ok and result.detail == "HTTP 500"
    assert len(handler.received) == 1


@pytest.mark.anyio
async def test_a_hanging_receiver_is_bounded_by_the_timeout_and_not_retried(receiver):
    url, handler = receiver
    handler.mode = "hang"
    started = time.monotonic()
    (result,) = await deliver([url], {"text": "hi"}, timeout=1)
    assert not result.ok and "no answer" in result.detail
    assert time.monotonic() - started < 5  # the receiver hangs 10 s
    assert len(handler.received) == 1


@pytest.mark.anyio
async def test_a_refused_connection_is_retried_once_then_reported():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    (result,) = await deliver([f"http://127.0.0.1:{port}/hook"], {"text": "hi"}, timeout=1)
    assert not result.ok and "could not connect" in result.detail


def test_the_receiver_is_shown_without_its_secret_path(receiver):
    url, _ = receiver
    from oneinbox_check.notify import Delivery

    assert "SECRETPATH" not in Delivery(url, False, "x").shown


@pytest.mark.parametrize("url", ["ftp://x.example/", "hooks.slack.com/services/x", "http:///nohost"])
def test_a_bad_notify_url_is_a_usage_error(url):
    with pytest.raises(UsageError):
        validate_url(url)


def _check(capsys, tmp_path, url, *extra):
    from .helpers import run_cli, write_manifest

    manifest = write_manifest(tmp_path, [{"name": "Voice", "provider": "openai", "api_key": KEY}])
    return run_cli(capsys, "check", manifest, "--state", str(tmp_path / "s.json"),
                   "--notify", url, *extra)


def test_check_notifies_on_changes_only(capsys, tmp_path, receiver):
    url, handler = receiver
    code, _, err = _check(capsys, tmp_path, url)
    assert code == 1
    (doc,) = [json.loads(b) for b in handler.received]
    assert doc["changes"][0]["change"] == "new" and KEY.strip() not in json.dumps(doc)
    _check(capsys, tmp_path, url)
    assert len(handler.received) == 1, "nothing changed: no notification"
    _check(capsys, tmp_path, url, "--notify-always")
    assert json.loads(handler.received[-1])["changes"] == []


def test_a_failed_notification_is_said_on_stderr_and_keeps_the_exit_code(capsys, tmp_path, receiver):
    url, handler = receiver
    handler.mode = "fail"
    code, _, err = _check(capsys, tmp_path, url)
    assert code == 1
    assert "not delivered (HTTP 500)" in err and "SECRETPATH" not in err


def test_notify_without_state_is_a_usage_error(capsys, tmp_path):
    from .helpers import run_cli, write_manifest

    manifest = write_manifest(tmp_path, [{"name": "Voice", "provider": "openai", "api_key": KEY}])
    code, _, err = run_cli(capsys, "check", manifest, "--notify", "http://127.0.0.1:9/x")
    assert code == 2 and "--state" in err


def test_notify_with_offline_is_a_usage_error_and_sends_nothing(capsys, tmp_path):
    from .helpers import run_cli, write_manifest

    received = []

    def answer(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    manifest = write_manifest(tmp_path, [{"name": "Voice", "provider": "openai", "api_key": KEY}])
    with respx.mock(assert_all_called=False) as mock:
        mock.route(url__startswith="http://127.0.0.1:9/").mock(side_effect=answer)
        code, _, err = run_cli(capsys, "check", manifest, "--offline", "--state", str(tmp_path / "s.json"),
                               "--notify", "http://127.0.0.1:9/x", "--notify-always")
    assert code == 2 and "--offline" in err and "--notify" in err
    assert received == [] and not (tmp_path / "s.json").exists()
