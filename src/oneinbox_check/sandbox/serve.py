"""``oneinbox-check sandbox serve``: the fakes on real loopback sockets.

Prints the ``--endpoint``/``--nameserver`` flags to use from another terminal,
then serves until Ctrl-C. Needs uvicorn (``pip install 'oneinbox-check[sandbox]'``).
"""

from __future__ import annotations

import socket
import sys
import threading
from typing import Any

from ..endpoints import is_loopback
from ..errors import UsageError
from . import scenario
from .dns import DnsResponder
from .network import FakeNetwork


class Server:
    """The sandbox's HTTP app under uvicorn in a background thread (also used by tests)."""

    def __init__(self, sandbox: FakeNetwork, host: str = "127.0.0.1", port: int = 0):
        if not is_loopback(host):
            raise UsageError(f"the sandbox only listens on loopback, not {host}")
        try:
            import uvicorn
        except ImportError:
            raise UsageError("sandbox serve needs uvicorn: pip install 'oneinbox-check[sandbox]'") from None
        self.sandbox = sandbox
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.host, self.port = host, self.sock.getsockname()[1]
        config = uvicorn.Config(sandbox, log_level="warning", lifespan="off", ws="auto")
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> "Server":
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        import time

        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=5)
        self.sock.close()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def serve(host: str = "127.0.0.1", port: int = 0, dns_port: int = 0) -> int:
    sandbox = scenario.build()
    with DnsResponder(sandbox.zone, host="127.0.0.1", port=dns_port) as dns, Server(sandbox, host, port) as http:
        flags = " ".join(f"--endpoint {n}={u}" for n, u in sandbox.endpoints(http.base).items())
        print("Sandbox running on loopback. From another terminal:\n")
        print(f"  oneinbox-check check MANIFEST {flags} --nameserver {dns.address}\n")
        print("Sandbox keys (for manifests):")
        for name, key in scenario.KEYS.items():
            print(f"  export {name}={key}")
        for name, value in scenario.ENV.items():
            print(f"  export {name}={value}")
        print(f"  export ONEINBOX_SANDBOX={http.base} ONEINBOX_SANDBOX_WS={http.base.replace('http', 'ws', 1)}")
        from .demo import demo_manifest_path

        print(f"\nThe demo manifest (uses these variables): {demo_manifest_path()}")
        print("\nCtrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nstopped", file=sys.stderr)
    return 0
