"""Endpoint overrides (SPEC §6): ``--endpoint NAME=URL`` and ``ONEINBOX_CHECK_ENDPOINTS``.

``http://`` is accepted only for loopback hosts, so credentials never travel
in clear text to anything but this machine.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .errors import UsageError

ENV_VAR = "ONEINBOX_CHECK_ENDPOINTS"


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_url(name: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"endpoint {name}={url!r}: give an http(s) URL such as https://api.example.com")
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


def resolve(defaults: Mapping[str, str], cli: Iterable[str] = (), env: str | None = None) -> dict[str, str]:
    """Defaults, then the environment variable, then ``--endpoint`` (last wins)."""
    overrides = parse_pairs((env or "").split(","), ENV_VAR)
    overrides.update(parse_pairs(cli, "--endpoint"))
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise UsageError(f"unknown endpoint name(s): {', '.join(unknown)} (known: {' '.join(sorted(defaults))})")
    result = dict(defaults)
    for name, url in overrides.items():
        result[name] = validate_url(name, url)
    return result
