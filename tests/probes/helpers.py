"""Running one provider's probe against respx mocks or one sandbox fake, on loopback.

Every endpoint a probe declares is ``BASE/<endpoint name>``; the key and metadata
are the provider's own rows (``KEY``, ``METADATA`` in tests/probes/test_<provider>.py).
"""

from __future__ import annotations

import httpx

from oneinbox_check import check
from oneinbox_check.models import CheckResult, Report
from oneinbox_check.probes.registry import load_registry
from oneinbox_check.sandbox.asgi import FakeApp
from oneinbox_check.sandbox.network import FakeNetwork

BASE = "http://127.0.0.1:7"
ENDPOINTS = {name: f"{BASE}/{name}" for probe in load_registry().unique() for name in probe.endpoints}


def j(status: int, body: object, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def _entry(provider: str, key: str | None, metadata: dict | None) -> dict:
    from tests.probes import rows  # late: rows imports the provider modules, which import this one

    return {"name": provider, "provider": provider, "api_key": key or rows.keys()[provider],
            "metadata": rows.metadata(provider) if metadata is None else metadata}


async def run_provider(provider: str, **kw: object) -> Report:
    """*provider*'s checks with its ``KEY`` and ``METADATA``, every endpoint on ``BASE``."""
    return await check([_entry(provider, None, None)], endpoints=ENDPOINTS, retries=kw.pop("retries", 0),
                       timeout=kw.pop("timeout", 2), **kw)


async def against_fake(fake: FakeApp, provider: str, key: str | None = None, metadata: dict | None = None,
                       **kw: object) -> dict[str, CheckResult]:
    """Run *provider*'s probe against *fake* (in-process sandbox); the checks by id."""
    sandbox = FakeNetwork({fake.name: fake})
    report = await check([_entry(provider, key, metadata)], endpoints=sandbox.endpoints(),
                         transport=sandbox.transport(), retries=kw.pop("retries", 0), timeout=kw.pop("timeout", 2),
                         **kw)
    return {c.id: c for c in report.integrations[0].checks}
