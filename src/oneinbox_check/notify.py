"""``--notify URL``: tell a chat channel or an incident tool what changed (SPEC §9).

One JSON document per run with changes (or every run with ``--notify-always``):
a Slack/Mattermost-compatible ``text`` summary plus the structured changes —
integration, provider, old → new verdict, whether the key was rotated, and the
failing checks' summaries and fixes. It is built from the report, which holds
masks, never keys, and is scrubbed once more before it leaves.

Delivery is bounded (one timeout per attempt) and retried once only when no
answer arrived (a refused connection); an answer, even a 500, is final, since
the receiver may already have posted the message. A failed delivery never
changes the run's exit code: the caller prints it on stderr.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .models import Report, Status

CHANGES = ("degraded", "recovered", "new")
_ARROW = "→"


@dataclass(frozen=True)
class Delivery:
    url: str
    ok: bool
    detail: str

    @property
    def shown(self) -> str:
        """The receiver without its path: a webhook URL's path is itself a secret (Slack, Mattermost)."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "") + "/…"


def _changed(report: Report) -> list[Any]:
    return [i for i in report.integrations if i.change in CHANGES or getattr(i, "rotated", False)]


def payload(report: Report, previous: Mapping[tuple[str, str], str | None] | None = None) -> dict[str, Any] | None:
    """The document to POST, or ``None`` when nothing changed.

    *previous* maps (name, provider) to the last run's verdict, for "old → new".
    """
    previous = previous or {}
    changes = []
    for integ in _changed(report):
        before = previous.get((integ.name, integ.provider))
        failing = [c for c in integ.checks if c.status in (Status.FAIL, Status.ERROR)]
        changes.append({
            "integration": integ.name, "provider": integ.provider, "change": integ.change,
            "rotated": bool(getattr(integ, "rotated", False)),
            "previous_status": before, "status": integ.status.value,
            "checks": [{"id": c.id, "status": c.status.value, "summary": c.summary,
                        **({"remediation": c.remediation} if c.remediation else {})} for c in failing],
        })
    if not changes:
        return None
    return {"text": _text(report, changes), "changes": changes, "summary": report.summary.model_dump(by_alias=True),
            "exit_code": report.exit_code, "started_at": report.started_at.isoformat()}


def heartbeat(report: Report) -> dict[str, Any]:
    """The document for ``--notify-always`` when nothing changed."""
    s = report.summary
    return {"text": f"oneinbox-check: no changes ({s.integrations} integrations, {s.fail} fail, {s.error} error)",
            "changes": [], "summary": s.model_dump(by_alias=True), "exit_code": report.exit_code,
            "started_at": report.started_at.isoformat()}


def _text(report: Report, changes: Sequence[Mapping[str, Any]]) -> str:
    lines = [f"oneinbox-check: {len(changes)} integration(s) changed"]
    for c in changes:
        move = f"{c['previous_status'] or 'new'} {_ARROW} {c['status']}"
        rotated = ", key rotated" if c["rotated"] else ""
        lines.append(f"• {c['integration']} ({c['provider']}): {move} ({c['change']}{rotated})")
        for check in c["checks"][:3]:
            lines.append(f"    {check['id']}: {check['summary']}")
    return "\n".join(lines)


async def deliver(urls: Sequence[str], document: Mapping[str, Any], *, timeout: float = 10.0,
                  transport: Any = None) -> list[Delivery]:
    """POST *document* to each URL concurrently; one retry when no answer arrived."""
    import json

    import anyio
    import httpx

    from .secrets import scrub

    body = scrub(json.dumps(document, ensure_ascii=False)).encode("utf-8", "replace")
    results: dict[int, Delivery] = {}

    async def one(i: int, url: str, client: httpx.AsyncClient) -> None:
        for attempt in (1, 2):
            try:
                with anyio.fail_after(timeout):
                    reply = await client.post(url, content=body, headers={"content-type": "application/json"})
            except TimeoutError:
                results[i] = Delivery(url, False, f"no answer within {timeout:g} s")
                return  # the receiver may have it already: never retried
            except httpx.ConnectError as exc:
                results[i] = Delivery(url, False, f"could not connect ({type(exc).__name__})")
                if attempt == 1:
                    await anyio.sleep(0.5)
                    continue
                return
            except httpx.HTTPError as exc:
                results[i] = Delivery(url, False, f"{type(exc).__name__}")
                return
            ok = 200 <= reply.status_code < 300
            results[i] = Delivery(url, ok, f"HTTP {reply.status_code}")
            return

    kwargs: dict[str, Any] = {"timeout": timeout, "follow_redirects": False}
    if transport is not None:
        kwargs["transport"] = transport
    async with httpx.AsyncClient(**kwargs) as client, anyio.create_task_group() as tg:
        for i, url in enumerate(urls):
            tg.start_soon(one, i, url, client)
    return [results[i] for i in range(len(urls))]


def validate_url(url: str) -> str:
    """A ``--notify`` URL: http(s) with a host (usage error otherwise)."""
    from urllib.parse import urlsplit

    from .errors import UsageError

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--notify {url!r}: expected an http(s) URL, e.g. https://hooks.slack.com/services/…")
    return url


def urls(given: Sequence[str], *, state: str | None, always: bool, offline: bool = False) -> list[str]:
    """``--notify`` URLs, validated before any request; they need ``--state`` (changes come from it)
    and a run that may use the network (``--offline``: no network at all, SPEC §5)."""
    from .errors import UsageError

    if given and offline:
        raise UsageError("--notify sends a request, and --offline uses no network: drop one of them")
    checked = [validate_url(u) for u in given]
    if checked and not state:
        raise UsageError("--notify reports what changed since the last run: add --state FILE")
    if always and not checked:
        raise UsageError("--notify-always needs --notify URL")
    return checked


def send(urls: Sequence[str], report: Report, previous: Any, *, always: bool, timeout: float) -> None:
    """POST the change summary; a failed delivery is said on stderr and never changes the exit code."""
    import anyio

    from .exits import warning

    before = {(e["name"], e["provider"]): e["status"] for e in previous.entries.values()}
    document = payload(report, before) or (heartbeat(report) if always else None)
    if document is None:
        return
    for result in anyio.run(lambda: deliver(list(urls), document, timeout=timeout)):
        if not result.ok:
            warning(f"--notify {result.shown}: not delivered ({result.detail})")
