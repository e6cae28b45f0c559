"""``oneinbox-check drift``: compare the manifest with what OneInbox stores
(SPEC §9), creating nothing.

One row per manifest entry, plus one per stored name the manifest does not
know (an orphan still holds a key nobody checks). Check ids (stable):

- ``drift.missing``   in the manifest, not stored
- ``drift.orphan``    stored, not in the manifest
- ``drift.duplicate`` one name stored more than once
- ``drift.provider``  stored provider differs from the manifest's
- ``drift.key``       the stored ``masked_key`` cannot be the manifest's key
  (its visible prefix or last characters differ: rotated or mistyped)

Drift is ``fail`` (exit 1); a list that cannot be read in full is ``error``
(exit 3), never a guess from part of it; a rejected OneInbox key is the
caller's configuration error (exit 2).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .models import CheckResult, IntegrationReport, Report, Status
from .secrets import Secret, scrub

MISSING, ORPHAN, DUPLICATE, PROVIDER, KEY = "drift.missing", "drift.orphan", "drift.duplicate", "drift.provider", "drift.key"
IDS = (MISSING, ORPHAN, DUPLICATE, PROVIDER, KEY)

# A mask is a run of "…", "..." (2+ dots: a single dot belongs to keys like SendGrid's "SG."), "*", "•" or "●".
_MASK = re.compile(r"…+|\.{2,}|[*•●]+")


@dataclass
class DriftResult:
    report: Report
    rejected: str | None = None  # OneInbox's reason, when it rejected the OneInbox key (exit 2)


def visible_parts(masked_key: Any) -> tuple[str, str] | None:
    """(prefix, suffix) a masked key shows, or ``None`` when it cannot be read
    as exactly one masked run (nothing then can be concluded from it)."""
    if not isinstance(masked_key, str):
        return None
    runs = list(_MASK.finditer(masked_key))
    if len(runs) != 1:
        return None
    run = runs[0]
    return masked_key[:run.start()], masked_key[run.end():]


def fits(key: str, parts: tuple[str, str]) -> bool:
    prefix, suffix = parts
    return len(key) >= len(prefix) + len(suffix) and key.startswith(prefix) and key.endswith(suffix)


def shown(parts: tuple[str, str]) -> str:
    """A masked key for display: never more than 8 leading and 4 trailing characters."""
    prefix, suffix = parts
    return scrub(f"{prefix[:8]}…{suffix[-4:] if suffix else ''}")


def _text(value: Any) -> str:
    return scrub(str(value)) if value is not None else "?"


def _key_result(key: Secret | None, stored: list[dict[str, Any]]) -> CheckResult:
    if not key:
        return CheckResult(id=KEY, status=Status.SKIP, summary="the manifest gives no key to compare")
    readable = [(item, visible_parts(item.get("masked_key"))) for item in stored]
    readable = [(item, p) for item, p in readable if p is not None and (p[0] or p[1])]
    if not readable:
        return CheckResult(id=KEY, status=Status.SKIP,
                           summary="OneInbox shows nothing of the stored key; it cannot be compared")
    value = key.reveal()
    wrong = [(item, p) for item, p in readable if not fits(value, p)]
    if not wrong:
        return CheckResult(id=KEY, status=Status.PASS,
                           summary="the stored key's visible characters fit the manifest's key")
    item, parts = wrong[0]
    return CheckResult(
        id=KEY, status=Status.FAIL,
        summary=f"OneInbox holds another key: it shows {shown(parts)}, the manifest's key is {key.masked}",
        remediation="The stored key was rotated or mistyped: update it in OneInbox "
                    "(PATCH /v1/integrations/{id} with the manifest's api_key) or fix the manifest.",
        details={"stored_ids": [_text(i.get("id")) for i, _ in wrong], "stored_masked_key": shown(parts)},
    )


def compare(entries: Sequence[Any], stored: Sequence[dict[str, Any]]) -> list[IntegrationReport]:
    """Drift rows: every manifest entry (in order), then the orphans (by name)."""
    from .manifest import TOOL_LABEL

    by_name: dict[str, list[dict[str, Any]]] = {}
    for item in stored:
        by_name.setdefault(str(item.get("name")), []).append(item)
    rows: list[IntegrationReport] = []
    known: set[str] = set()
    for entry in entries:
        if entry.provider == TOOL_LABEL:
            continue
        known.add(entry.label)
        integration = entry.integration
        key = integration.api_key if integration is not None else None
        matches = by_name.get(entry.label, [])
        checks: list[CheckResult]
        if not matches:
            checks = [CheckResult(id=MISSING, status=Status.FAIL, summary="not stored in OneInbox",
                                  remediation="Create it: oneinbox-check register MANIFEST")]
        else:
            ids = [_text(i.get("id")) for i in matches]
            checks = [CheckResult(id=MISSING, status=Status.PASS, summary="stored in OneInbox",
                                  details={"stored_ids": ids}),
                      _duplicate_result(matches)]
            providers = sorted({_text(i.get("provider")) for i in matches})
            other = [p for p in providers if p != entry.provider]
            if other:
                checks.append(CheckResult(
                    id=PROVIDER, status=Status.FAIL,
                    summary=f"OneInbox stores it as {', '.join(other)}; the manifest says {entry.provider}",
                    remediation="Fix the provider in the manifest, or re-create the integration in OneInbox.",
                    details={"stored_providers": providers}))
            else:
                checks.append(CheckResult(id=PROVIDER, status=Status.PASS, summary=f"stored as {entry.provider}"))
            checks.append(_key_result(key, matches))
        rows.append(IntegrationReport(
            name=scrub(entry.label), provider=entry.provider,
            masked_key=integration.masked_key if integration is not None else None,
            status=Status.worst(c.status for c in checks), checks=checks))
    for name, matches in by_name.items():
        if name in known:
            continue
        checks = [CheckResult(
            id=ORPHAN, status=Status.FAIL, summary="stored in OneInbox but not in the manifest: nobody checks its key",
            remediation="Add it to the manifest, or delete it in OneInbox (DELETE /v1/integrations/{id}).",
            details={"stored_ids": [_text(i.get("id")) for i in matches]})]
        if len(matches) > 1:
            checks.append(_duplicate_result(matches))
        parts = visible_parts(matches[0].get("masked_key"))
        rows.append(IntegrationReport(
            name=_text(name), provider=_text(matches[0].get("provider")),
            masked_key=shown(parts) if parts and (parts[0] or parts[1]) else None,
            status=Status.worst(c.status for c in checks), checks=checks))
    return rows


def _duplicate_result(matches: list[dict[str, Any]]) -> CheckResult:
    if len(matches) == 1:
        return CheckResult(id=DUPLICATE, status=Status.PASS, summary="stored once")
    return CheckResult(
        id=DUPLICATE, status=Status.FAIL, summary=f"stored {len(matches)} times in OneInbox",
        remediation="Delete the extra copies (DELETE /v1/integrations/{id}) so every tool uses one known key.",
        details={"stored_ids": [_text(i.get("id")) for i in matches]})


def _unknown(entries: Sequence[Any], reason: str) -> list[IntegrationReport]:
    from .manifest import TOOL_LABEL

    rows = []
    for entry in entries:
        if entry.provider == TOOL_LABEL:
            continue
        check = CheckResult(id=MISSING, status=Status.ERROR, summary=scrub(reason),
                            remediation="Run drift again once OneInbox answers; nothing was compared.")
        integration = entry.integration
        rows.append(IntegrationReport(name=scrub(entry.label), provider=entry.provider,
                                      masked_key=integration.masked_key if integration is not None else None,
                                      status=Status.ERROR, checks=[check]))
    return rows


async def drift(entries: Sequence[Any], *, base: str, key: Secret, timeout: float = 10.0, retries: int = 2,
                strict: bool = False, transport: Any = None, handle_signals: bool = False) -> DriftResult:
    """Read every stored integration and compare it with *entries*."""
    from .net.http import HttpClient
    from .register import list_integrations
    from .runner import build_report, run_all

    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    listings: list[Any] = []
    async with HttpClient(timeout=timeout, retries=retries, transport=transport) as http:

        async def job() -> None:
            listings.append(await list_integrations(http, base, key))

        interrupted = await run_all([job], handle_signals=handle_signals)
    listing = listings[0] if listings else None
    if listing is not None and listing.rejected:
        report = build_report(_unknown(entries, f"{listing.problem}; nothing compared"), started_at, t0,
                              strict=strict, interrupted=False)
        report.exit_code = 2  # configuration: the OneInbox key, not the manifest, is wrong
        return DriftResult(report, rejected=listing.problem)
    if listing is None:
        rows = _unknown(entries, "interrupted before OneInbox's integrations were read")
    elif listing.problem is not None:
        rows = _unknown(entries, f"could not read OneInbox's integrations: {listing.problem}")
    else:
        rows = compare(entries, listing.items)
    return DriftResult(build_report(rows, started_at, t0, strict=strict, interrupted=interrupted))
