"""Capture what the probes send to the sandbox fakes and what the fakes answer,
so both sides can be checked against the providers' published specs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from oneinbox_check.sandbox.asgi import FakeApp, Request, Response


@dataclass
class Exchange:
    fake: str
    request: Request
    response: Response

    @property
    def body(self) -> Any:
        data, content_type = self.response.encode()
        if content_type != "application/json":
            return data
        return json.loads(data)

    def __str__(self) -> str:
        return f"{self.fake}: {self.request.method} {self.request.path} → {self.response.status}"


@contextmanager
def capture(*fakes: tuple[str, FakeApp]) -> Iterator[list[Exchange]]:
    """Record every exchange of the given fakes (fault answers excluded: they are
    the tests' scripted misbehaviour, not the provider's documented answers)."""
    seen: list[Exchange] = []
    originals = []
    for name, fake in fakes:
        original = fake.handle
        originals.append((fake, original))

        async def handle(request: Request, _fake=fake, _name=name, _original=original) -> Response:
            before = sum(f.hits for f in _fake.faults)
            response = await _original(request)
            if sum(f.hits for f in _fake.faults) == before:
                seen.append(Exchange(_name, request, response))
            return response

        fake.handle = handle  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        for fake, original in originals:
            fake.handle = original  # type: ignore[method-assign]
