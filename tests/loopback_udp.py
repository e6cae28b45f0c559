"""A loopback UDP server on its own thread: each datagram goes to ``on_datagram(data, addr)``.

The base of the tests' scripted and hostile nameservers (tests/net/test_dns_sockets.py,
tests/hostile/dns_hostile.py); what to answer is theirs.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable


class UdpServer:
    def __init__(self, on_datagram: Callable[[bytes, tuple], None]):
        self.on_datagram = on_datagram
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(4096)
            except OSError:
                continue
            self.on_datagram(data, addr)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()
