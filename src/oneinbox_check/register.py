"""``oneinbox-check register``: check, then create the healthy integrations in
OneInbox (SPEC §9).

Only integrations whose verdict is not ``fail``/``error`` (with ``--strict``:
only ``pass``) are created; names that already exist are skipped, so running
it twice creates nothing twice. The create request is never retried (it is
not idempotent).

OneInbox API (oneinbox-integrations-docs.md): ``GET /v1/integrations`` lists,
``POST /v1/integrations`` with ``{name, provider, api_key, metadata}`` creates
and returns the integration with its ``id``; Bearer auth. The list and create
response envelopes are not documented: a bare list or ``data``/``integrations``
/``items``, and the id at top level or under ``data``, are all accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .models import Report, Status
from .secrets import Secret, scrub, wrap


@dataclass(frozen=True)
class Outcome:
    name: str
    action: str  # registered | exists | would-register | not-registered | failed
    detail: str = ""


def eligible(status: Status, strict: bool) -> bool:
    return status == Status.PASS if strict else status in (Status.PASS, Status.WARN, Status.SKIP)


def _items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return [i for i in body if isinstance(i, dict)]
    if isinstance(body, dict):
        for key in ("data", "integrations", "items", "results"):
            if isinstance(body.get(key), list):
                return [i for i in body[key] if isinstance(i, dict)]
    return []


def _id(body: Any) -> str | None:
    if isinstance(body, dict):
        for candidate in (body, body.get("data"), body.get("integration")):
            if isinstance(candidate, dict) and candidate.get("id") is not None:
                return str(candidate["id"])
    return None


def body_of(integration: Any) -> dict[str, Any]:
    """The POST body: what the manifest said, with the key revealed for OneInbox only."""
    body: dict[str, Any] = {"name": integration.name, "provider": integration.provider,
                            "metadata": dict(integration.metadata)}
    if integration.api_key:
        body["api_key"] = integration.api_key.reveal()
    if "custom_websocket_url" in integration.metadata:  # OneInbox takes it at top level
        body["custom_websocket_url"] = integration.metadata["custom_websocket_url"]
    return body


async def register(report: Report, entries: Sequence[Any], *, base: str, key: Secret | None, strict: bool,
                   dry_run: bool, http: Any) -> list[Outcome]:
    """Create the eligible integrations of *report*; *entries* carry their bodies."""
    from .net.http import Failure

    by_name = {e.label: e for e in entries if e.integration is not None}
    wanted = []
    outcomes = []
    for integ in report.integrations:
        entry = by_name.get(integ.name)
        if entry is None:
            continue
        if not eligible(integ.status, strict):
            outcomes.append(Outcome(integ.name, "not-registered", f"its checks say {integ.status.value}"))
        else:
            wanted.append(entry)
    if not wanted:
        return outcomes
    headers = {"Authorization": wrap(key, "Bearer {}")} if key else {}
    existing: set[str] = set()
    if key:
        listing = await http.get(base.rstrip("/") + "/v1/integrations", headers=headers)
        if isinstance(listing, Failure) or listing.status != 200:
            reason = listing.reason if isinstance(listing, Failure) else f"HTTP {listing.status}"
            return outcomes + [Outcome(e.label, "failed", f"could not list existing integrations ({reason}); "
                                       "nothing registered") for e in wanted]
        existing = {str(i.get("name")) for i in _items(listing.json())}
    for entry in wanted:
        if entry.label in existing:
            outcomes.append(Outcome(entry.label, "exists", "an integration with this name exists; skipped"))
            continue
        if dry_run:
            outcomes.append(Outcome(entry.label, "would-register", "dry run"))
            continue
        reply = await http.request("POST", base.rstrip("/") + "/v1/integrations", headers=headers,
                                   json_body=body_of(entry.integration), idempotent=False)
        if isinstance(reply, Failure):
            outcomes.append(Outcome(entry.label, "failed", scrub(reply.reason)))
        elif reply.status in (200, 201) and _id(reply.json()):
            outcomes.append(Outcome(entry.label, "registered", _id(reply.json()) or ""))
        else:
            from .probes._base import error_message

            message = error_message(reply.json())
            outcomes.append(Outcome(entry.label, "failed", scrub(f"HTTP {reply.status}" + (f": {message}" if message else ""))))
    return outcomes
