"""``oneinbox-check exporter``: run the checks on a schedule and serve the latest
results on ``/metrics`` (Prometheus) and ``/healthz`` — for a Kubernetes
Deployment scraped directly, without a textfile collector.

- One run at a time; runs start ``--interval`` apart (±10 % jitter, so many
  replicas do not hit the providers together) and never closer than
  ``--min-interval``, however long a run takes.
- The manifest is read again for every run, so an edited ConfigMap applies
  without a restart.
- A run that cannot be carried out (the manifest became unreadable, a bug)
  keeps the last good results on ``/metrics`` and is counted in the
  exporter's own series; ``/healthz`` turns 503 when no run has succeeded for
  three intervals.
- SIGTERM or SIGINT stops the loop and the server cleanly (exit 0).
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from .errors import UsageError
from .models import Report

log = logging.getLogger("oneinbox_check.exporter")

DEFAULT_LISTEN = "127.0.0.1:9787"
JITTER = 0.1
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "": 1.0}


def parse_interval(text: str, what: str = "--interval") -> float:
    """``"15m"``, ``"30s"``, ``"1h"``, ``"90"`` (seconds) → seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|)\s*", text or "")
    if not match:
        raise UsageError(f"{what} {text!r}: expected a duration such as 30s, 15m or 1h")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise UsageError(f"{what} {text!r}: must be longer than zero")
    return seconds


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``[IPv6]:PORT`` → (host, port)."""
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d{1,5})|([^:\[\]\s]+):(\d{1,5})", text or "")
    if not match:
        raise UsageError(f"--listen {text!r}: expected HOST:PORT, e.g. 127.0.0.1:9787 or [::1]:9787")
    host = match.group(1) or match.group(3)
    port = int(match.group(2) or match.group(4))
    if port > 65535:
        raise UsageError(f"--listen {text!r}: port must be 0-65535")
    return host, port


class Exporter:
    """The schedule and the latest results; a prometheus_client collector."""

    def __init__(self, run_once: Callable[[], Awaitable[Report]], *, interval: float, min_interval: float,
                 rng: Callable[[], float] = random.random):
        if interval < min_interval:
            raise UsageError(f"--interval must be at least --min-interval ({min_interval:g} s): "
                             "runs never start closer together than that")
        self._run_once = run_once
        self.interval = interval
        self.min_interval = min_interval
        self._rng = rng
        self._lock = threading.Lock()
        self.latest: Report | None = None
        self.runs = 0
        self.failures = 0
        self.last_ok: bool | None = None
        self.last_success: float | None = None
        self.last_error: str | None = None
        self.started = time.time()

    async def run_one(self) -> None:
        """One run; a failure keeps the previous results."""
        from .secrets import scrub

        try:
            report = await self._run_once()
        except Exception as exc:  # an exporter keeps serving: count it, keep the last good results
            message = scrub(str(exc))[:300]
            log.warning("run failed: %s", message)
            with self._lock:
                self.runs += 1
                self.failures += 1
                self.last_ok, self.last_error = False, message
            return
        with self._lock:
            self.runs += 1
            self.latest = report
            self.last_ok, self.last_error, self.last_success = True, None, time.time()

    def next_delay(self, elapsed: float) -> float:
        """Seconds to wait after a run that took *elapsed* seconds."""
        target = max(self.min_interval, self.interval * (1 + JITTER * (2 * self._rng() - 1)))
        return max(0.0, target - elapsed)

    async def loop(self) -> None:
        import anyio

        while True:
            t0 = time.monotonic()
            await self.run_one()
            await anyio.sleep(self.next_delay(time.monotonic() - t0))

    # prometheus_client's Collector protocol
    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        from .report.prometheus import families

        with self._lock:
            report, runs, failures = self.latest, self.runs, self.failures
            last_ok, last_success = self.last_ok, self.last_success
        if report is not None:
            yield from families(report)
        yield CounterMetricFamily("oneinbox_check_exporter_runs", "Runs attempted since the exporter started.",
                                  value=runs)
        yield CounterMetricFamily("oneinbox_check_exporter_run_failures",
                                  "Runs that could not be carried out (the last good results stay exported).",
                                  value=failures)
        yield GaugeMetricFamily("oneinbox_check_exporter_last_run_success",
                                "1 when the latest run was carried out, 0 when it failed.",
                                value=1 if last_ok else 0)
        if last_success is not None:
            yield GaugeMetricFamily("oneinbox_check_exporter_last_success_timestamp_seconds",
                                    "When the latest successful run finished (Unix time).", value=last_success)

    def health(self) -> tuple[int, dict[str, Any]]:
        """``/healthz``: 200 while runs succeed (or the first is under way), else 503."""
        with self._lock:
            last_success, last_ok, error, runs = self.last_success, self.last_ok, self.last_error, self.runs
        stale_after = 3 * self.interval
        reference = last_success if last_success is not None else self.started
        healthy = time.time() - reference <= stale_after or (runs == 0)
        body = {"status": "ok" if healthy else "stale", "runs": runs, "last_run_ok": last_ok,
                "last_success": last_success, **({"last_error": error} if error else {})}
        return (200 if healthy else 503), body


def _app(exporter: Exporter, registry: Any) -> Callable[..., Any]:
    from prometheus_client import make_wsgi_app

    metrics = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "/")
        if path == "/metrics":
            return metrics(environ, start_response)
        if path == "/healthz":
            code, body = exporter.health()
            start_response(f"{code} {'OK' if code == 200 else 'Service Unavailable'}",
                           [("Content-Type", "application/json")])
            return [json.dumps(body).encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"oneinbox-check exporter: see /metrics and /healthz\n"]

    return app


def serve(exporter: Exporter, listen: tuple[str, int], *, ready: Callable[[str], None] | None = None) -> int:
    """Serve ``/metrics`` and ``/healthz`` and run the schedule until SIGTERM/SIGINT; exit code 0."""
    import signal
    import socket
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    import anyio
    from prometheus_client import CollectorRegistry

    host, port = listen
    family = socket.AF_INET6 if ":" in host else socket.AF_INET

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True
        address_family = family

    class Quiet(WSGIRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

    registry = CollectorRegistry(auto_describe=False)
    registry.register(exporter)  # type: ignore[arg-type]
    try:
        server = make_server(host, port, _app(exporter, registry), server_class=Server, handler_class=Quiet)
    except (OSError, OverflowError) as exc:
        raise UsageError(f"--listen {host}:{port}: cannot listen there ({getattr(exc, 'strerror', None) or exc})") from None
    thread = threading.Thread(target=server.serve_forever, name="exporter-http", daemon=True)
    thread.start()
    bound = server.server_address
    address = f"[{bound[0]}]:{bound[1]}" if family == socket.AF_INET6 else f"{bound[0]}:{bound[1]}"
    if ready is not None:
        ready(address)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            async def stop_on_signal() -> None:
                with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
                    async for _ in signals:
                        tg.cancel_scope.cancel()
                        return

            tg.start_soon(stop_on_signal)
            tg.start_soon(exporter.loop)

    try:
        anyio.run(main)
    finally:
        server.shutdown()
        server.server_close()
    return 0
