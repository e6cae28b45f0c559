"""Reading provider answers: the JSON object of a reply, the human message of
the common error envelopes, and a one-line description of an unexpected answer.

Pure functions of a :class:`~oneinbox_check.net.http.Reply` (or its decoded
body): no I/O, no verdicts. Text taken from a body is cleaned (no control
characters) and scrubbed of keys before it is shortened (SPEC §8); bodies are
never echoed whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .outcomes import Reply


def json_object(reply: "Reply") -> dict[str, Any] | None:
    """The reply's body when it is a JSON object, else ``None``."""
    data = reply.json()
    return data if isinstance(data, dict) else None


def str_at(body: Any, *path: str) -> str | None:
    """``body[path[0]][path[1]]…`` when that is a string, else ``None`` (for error envelopes)."""
    for name in path:
        if not isinstance(body, dict):
            return None
        body = body.get(name)
    return body if isinstance(body, str) else None


def error_message(data: Any) -> str | None:
    """The human message of the common error envelopes: cleaned (no control
    characters), scrubbed of keys and only then shortened (SPEC §8)."""
    from ..secrets import clean, shorten

    msg: Any = None
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict):
            msg = err.get("message") or err.get("type") or err.get("code")
        elif isinstance(err, str):
            msg = err
        if msg is None:
            errors = data.get("errors")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                msg = errors[0].get("message") or errors[0].get("detail") or errors[0].get("title")
        if msg is None:
            detail = data.get("detail")
            if isinstance(detail, dict):
                msg = detail.get("message") or detail.get("status")
            elif isinstance(detail, str):
                msg = detail
        if msg is None:
            msg = data.get("message")
    if not isinstance(msg, str):
        return None
    return shorten(clean(msg, newlines=False), 200)


def describe_reply(reply: "Reply") -> str:
    """``HTTP 503 (message from the body, if any)`` — bodies are scrubbed later, never echoed whole."""
    data = reply.json()
    message = error_message(data) if data is not None else None
    if data is None and reply.body:
        kind = "HTML" if reply.body.lstrip()[:1] == b"<" else "non-JSON"
        return f"unexpected {kind} answer (HTTP {reply.status})"
    suffix = f": {message}" if message else ""
    word = "rate limited" if reply.status == 429 else "unexpected answer"
    return f"{word} (HTTP {reply.status}{suffix})"


def retry_hint(reply: "Reply") -> str:
    """What a person can do about an answer that proved nothing."""
    if reply.status == 429:
        return "Rate limited: retry later (the checker already retried)."
    if reply.status >= 500:
        return "The provider had a server error: retry later; check its status page if it persists."
    return "Unexpected answer from the provider: retry later; if it persists, report it with -v output."
