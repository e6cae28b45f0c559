"""Endpoint overrides (SPEC §6): ``--endpoint NAME=URL`` and ``ONEINBOX_CHECK_ENDPOINTS``.

``http://`` is accepted only for loopback hosts, so credentials never travel
in clear text to anything but this machine. Credentials in the URL
(``https://user:pass@…``) are refused (they would be sent with every request
and shown in logs), and so is an IP literal the address rule refuses
(link-local / cloud metadata, SPEC §13; host names are judged by the HTTP
layer once resolved, with :func:`oneinbox_check.net.addresses.refusal`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .errors import UsageError
from .net import addresses

ENV_VAR = "ONEINBOX_CHECK_ENDPOINTS"


def is_loopback(host: str) -> bool:
    """``localhost`` names (RFC 6761) and loopback addresses, IPv4-mapped ones included."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    return addresses.is_loopback(host)


def validate_url(name: str, url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise UsageError(f"endpoint {name}={url!r}: not a valid URL") from None
    if "@" in parts.netloc:
        raise UsageError(f"endpoint {name}: credentials in the URL are not allowed (the key is sent by the checker)")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"endpoint {name}={url!r}: give an http(s) URL such as https://api.example.com")
    refused = addresses.refusal(parts.hostname)
    if refused:
        raise UsageError(f"endpoint {name}={url!r}: {refused}; the checker never contacts it")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError(
            f"endpoint {name}={url!r}: http:// is only allowed for loopback hosts (127.0.0.1, ::1, localhost); "
            "use https:// so keys are never sent in clear text")
    if parts.query or parts.fragment:
        raise UsageError(f"endpoint {name}={url!r}: a base URL has no query or fragment")
    return url.rstrip("/")


def parse_pairs(items: Iterable[str], origin: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        item = item.strip()
        if not item:
            continue
        name, sep, url = item.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise UsageError(f"{origin} {item!r}: expected NAME=URL")
        out[name.strip().lower()] = url.strip()
    return out


def _folded(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def canonical(name: str, known: Iterable[str]) -> str:
    """An endpoint name as the defaults spell it, whatever the spelling of case, ``_`` and ``-``
    (``assembly_ai`` and ``assemblyai``, ``twilio_trunking`` and ``twilio-trunking``)."""
    by_folded = {_folded(k): k for k in known}
    return by_folded.get(_folded(name), name)


def resolve(defaults: Mapping[str, str], cli: Iterable[str] = (), env: str | None = None) -> dict[str, str]:
    """Defaults, then the environment variable, then ``--endpoint`` (last wins)."""
    overrides = {canonical(n, defaults): u for n, u in parse_pairs((env or "").split(","), ENV_VAR).items()}
    overrides.update({canonical(n, defaults): u for n, u in parse_pairs(cli, "--endpoint").items()})
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        from .selection import did_you_mean

        hints = "".join(did_you_mean(n, defaults) for n in unknown)
        raise UsageError(f"unknown endpoint name(s): {', '.join(unknown)}{hints} "
                         f"(known: {' '.join(sorted(defaults))})")
    result = dict(defaults)
    for name, url in overrides.items():
        result[name] = validate_url(name, url)
    return result
