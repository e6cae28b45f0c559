"""``oneinbox-check register``: check, then create the healthy integrations in
OneInbox (SPEC §9) — and the OneInbox integrations client ``drift`` shares.

Only integrations whose verdict is not ``fail``/``error`` (with ``--strict``:
only ``pass``) are created. An entry is identified by itself (its position in
the manifest), never by its name: two entries sharing a name both fail
``input.schema`` and neither is created. Names that already exist are skipped,
reading every page of the list, so running it twice creates nothing twice. The
create request is never retried (it is not idempotent).

OneInbox API (oneinbox-integrations-docs.md): ``GET /v1/integrations`` lists,
``POST /v1/integrations`` with ``{name, provider, api_key, metadata}`` creates
and returns the integration with its ``id``; Bearer auth; a wrong key is a 401.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .models import Report, Status
from .secrets import Secret, scrub, wrap

MAX_PAGES = 1000  # 20 000+ stored integrations; a server paging past this is broken
REQUIRED_CHECKS = ("input.schema", "key.format")  # a report without them was filtered: never register from it


@dataclass(frozen=True)
class Registration:
    """What ``register`` did (or would do) with one manifest entry."""

    name: str
    action: str  # registered | exists | would-register | not-registered | failed | unknown
    detail: str = ""


@dataclass
class Listing:
    """Every stored integration, or why they could not all be read."""

    items: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None  # could not read every page: nothing may rely on the list
    rejected: bool = False  # OneInbox rejected the OneInbox API key (configuration, exit 2)


@dataclass
class Result:
    rejected: str | None = None  # OneInbox's reason, when it rejected the OneInbox key


def eligible(status: Status, strict: bool) -> bool:
    return status == Status.PASS if strict else status in (Status.PASS, Status.WARN, Status.SKIP)


def duplicate_name_problem(name: str) -> str:
    return f"duplicate name '{name}': names must be unique"


def mark_duplicate_names(entries: Sequence[Any]) -> None:
    """Every entry sharing its name with another fails ``input.schema`` — the
    first one too (SPEC §9): OneInbox would hold two integrations nobody can
    tell apart, and which key is meant cannot be known."""
    counts: dict[str, int] = {}
    for entry in entries:
        if entry.integration is not None:
            counts[entry.label] = counts.get(entry.label, 0) + 1
    for entry in entries:
        if entry.integration is not None and counts[entry.label] > 1:
            problem = duplicate_name_problem(entry.label)
            if problem not in entry.problems:
                entry.problems.append(problem)


def _items(body: Any) -> list[dict[str, Any]] | None:
    """The integrations of one list page; ``None`` when the shape is unknown
    (an unknown shape must never read as "nothing stored")."""
    # Documented for OneInbox's list endpoints: {"items": [...], "total", "limit", "offset"}.
    # Tolerated (the integrations list documents no envelope): a bare list, data/integrations/results.
    if isinstance(body, list):
        return [i for i in body if isinstance(i, dict)]
    if isinstance(body, dict):
        for key in ("items", "data", "integrations", "results"):
            if isinstance(body.get(key), list):
                return [i for i in body[key] if isinstance(i, dict)]
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _link_next(headers: Mapping[str, str]) -> str | None:
    """The ``rel="next"`` target of an RFC 8288 ``Link`` header."""
    for part in (headers.get("link") or "").split(","):
        target, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", "") or "rel=next" in params.replace(" ", ""):
            return target.strip().strip("<>")
    return None


def next_page(url: str, body: Any, headers: Mapping[str, str], count: int) -> str | None:
    """The URL of the page after *url*, ``None`` on the last page.

    Raises ``ValueError`` when the answer says there is more but not how to get it.
    """
    import httpx

    current = httpx.URL(url)
    link = _link_next(headers)
    if link:
        return str(current.join(link))
    if not isinstance(body, dict):
        return None
    nested = [body] + [body[k] for k in ("pagination", "meta", "links", "page_info") if isinstance(body.get(k), dict)]
    for where in nested:
        for key in ("next", "next_url", "next_page_url"):
            if isinstance(where.get(key), str) and where[key]:
                return str(current.join(where[key]))
    for where in nested:
        for key, param in (("next_cursor", "cursor"), ("nextCursor", "cursor"),
                           ("next_page_token", "page_token"), ("nextPageToken", "page_token")):
            value = where.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
                return str(current.copy_merge_params({param: str(value)}))
    # the documented shape: total/limit/offset
    total, offset, limit = _int(body.get("total")), _int(body.get("offset")), _int(body.get("limit"))
    if total is not None and offset is not None:
        following = offset + count
        if following >= total:
            return None
        params = {"offset": str(following)} | ({"limit": str(limit)} if limit else {})
        return str(current.copy_merge_params(params))
    page = _int(body.get("page"))
    pages = _int(body.get("total_pages")) or _int(body.get("pages"))
    if page is not None and pages is not None:
        return str(current.copy_merge_params({"page": str(page + 1)})) if page < pages else None
    if body.get("has_more") is True:
        items = _items(body) or []
        last = items[-1].get("id") if items else None
        if last is None:
            raise ValueError("OneInbox says there are more integrations but not how to read them")
        return str(current.copy_merge_params({"starting_after": str(last)}))
    return None


def _rejection(reply: Any) -> str:
    from .net.replies import error_message

    message = error_message(reply.json())
    return scrub(f"HTTP {reply.status}" + (f": {message}" if message else ""))


async def list_integrations(http: Any, base: str, key: Secret, *, max_pages: int = MAX_PAGES) -> Listing:
    """Read every page of ``GET /v1/integrations``."""
    import httpx

    from .net.outcomes import Failure

    headers = {"Authorization": wrap(key, "Bearer {}")}
    url = base.rstrip("/") + "/v1/integrations"
    origin = httpx.URL(url).copy_with(path="/", query=None)
    seen: set[str] = set()
    items: list[dict[str, Any]] = []
    for _ in range(max_pages):
        seen.add(url)
        reply = await http.get(url, headers=headers)
        if isinstance(reply, Failure):
            return Listing(items, reply.reason)
        if reply.status in (401, 403):
            return Listing(items, f"OneInbox rejected the OneInbox API key ({_rejection(reply)})", rejected=True)
        if reply.status != 200:
            return Listing(items, _rejection(reply))
        body = reply.json()
        page = _items(body)
        if page is None:
            return Listing(items, "unexpected answer: no list of integrations")
        items += page
        try:
            following = next_page(url, body, reply.headers, len(page))
        except ValueError as exc:
            return Listing(items, str(exc))
        if following is None:
            return Listing(items)
        if httpx.URL(following).copy_with(path="/", query=None) != origin:
            return Listing(items, "the next page is on another host; not followed with the OneInbox key")
        if following in seen or not page:
            return Listing(items, "OneInbox's pages do not end (a page repeats or is empty but claims more)")
        url = following
    return Listing(items, f"OneInbox still had more pages after {max_pages}; stopped")


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
    from .probes.registry import load_registry

    for name in load_registry().top_level_metadata(integration.provider):  # OneInbox takes these at top level
        if name in integration.metadata:
            body[name] = integration.metadata[name]
    return body


def _verdict(integ: Any, strict: bool) -> str | None:
    """Why *integ* must not be registered, or ``None`` when it may be."""
    ran = {c.id for c in integ.checks}
    missing = [c for c in REQUIRED_CHECKS if c not in ran]
    if integ.status == Status.FAIL:
        return "its checks say fail"
    if missing:
        return f"{', '.join(missing)} did not run; every check must run before registering"
    if not eligible(integ.status, strict):
        return f"its checks say {integ.status.value}"
    return None


async def register(report: Report, entries: Sequence[Any], *, base: str, key: Secret | None, strict: bool,
                   dry_run: bool, http: Any, outcomes: list[Registration]) -> Result:
    """Create the eligible integrations of *report*; *entries* carry their bodies,
    in the report's order. Registrations are appended to *outcomes* as they happen,
    so an interrupted run still knows what it created."""
    import anyio

    from .manifest import TOOL_LABEL
    from .net.outcomes import Failure

    if len(report.integrations) != len(entries):  # cannot pair results with entries: register nothing
        outcomes += [Registration(e.label, "not-registered", "the report does not match the manifest")
                     for e in entries if e.provider != TOOL_LABEL]
        return Result()
    wanted = []
    for integ, entry in zip(report.integrations, entries):
        if entry.provider == TOOL_LABEL:
            continue
        reason = _verdict(integ, strict) if entry.integration is not None else f"its checks say {integ.status.value}"
        if reason:
            outcomes.append(Registration(integ.name, "not-registered", reason))
        else:
            wanted.append(entry)
    if not wanted:
        return Result()
    pending = list(wanted)
    posting = False  # a create request is in flight: its fate is unknown if interrupted now
    try:
        existing: set[str] = set()
        if key:
            listing = await list_integrations(http, base, key)
            if listing.problem is not None:
                detail = (listing.problem if listing.rejected else
                          f"could not list existing integrations ({listing.problem}); nothing registered")
                outcomes += [Registration(e.label, "not-registered" if listing.rejected else "failed", detail)
                             for e in wanted]
                return Result(listing.problem if listing.rejected else None)
            existing = {str(i.get("name")) for i in listing.items}
        headers = {"Authorization": wrap(key, "Bearer {}")} if key else {}
        while pending:
            entry = pending[0]
            if entry.label in existing:
                outcomes.append(Registration(entry.label, "exists", "an integration with this name exists; skipped"))
            elif dry_run:
                outcomes.append(Registration(entry.label, "would-register", "dry run" if key else
                                        "dry run without a OneInbox key: cannot tell whether the name exists"))
            else:
                posting = True
                reply = await http.request("POST", base.rstrip("/") + "/v1/integrations", headers=headers,
                                           json_body=body_of(entry.integration), idempotent=False)
                posting = False
                if isinstance(reply, Failure):
                    outcomes.append(Registration(entry.label, "failed", scrub(reply.reason)))
                elif reply.status in (401, 403):
                    reason = f"OneInbox rejected the OneInbox API key ({_rejection(reply)})"
                    outcomes += [Registration(e.label, "not-registered", reason) for e in pending]
                    return Result(reason)
                elif reply.status in (200, 201) and _id(reply.json()):
                    outcomes.append(Registration(entry.label, "registered", _id(reply.json()) or ""))
                    existing.add(entry.label)
                else:
                    outcomes.append(Registration(entry.label, "failed", _rejection(reply)))
            pending.pop(0)
    except anyio.get_cancelled_exc_class():  # interrupted: say what happened to each entry
        if posting:
            outcomes.append(Registration(pending.pop(0).label, "unknown", "interrupted while OneInbox was creating it; "
                                    "run register again (names that exist are skipped)"))
        outcomes += [Registration(e.label, "not-registered", "interrupted") for e in pending]
        raise
    return Result()
