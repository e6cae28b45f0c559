"""What a probe asks its provider and how it reads the answer, as data.

Each probe class declares ``facts = ProviderFacts(...)`` next to its code, so
the provider facts table (``docs/providers.md``, written by
``python -m oneinbox_check.docs``) is generated from the probes themselves and
tests hold the declared request to the one the probe really sends.
This module imports nothing from the probes (``probe`` imports it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Call:
    """One HTTP request a probe makes.

    *path* is a template on the base URL of *endpoint* (a name in the probe's
    ``endpoints``; ``None`` when the URL comes from the integration itself), with
    ``{Name}`` for the parts taken from the key's metadata or an earlier answer.
    """

    method: str
    endpoint: str | None
    path: str
    auth: str
    query: tuple[str, ...] = ()  # "name=value" as sent; value "<…>" when it varies
    headers: tuple[str, ...] = ()  # further headers the request needs, "Name: value"
    purpose: str = "key.auth"
    note: str = ""  # how the request varies (base URL, body, retries)


@dataclass(frozen=True)
class ProviderFacts:
    """How a probe decides ``key.auth`` (and the checks that ride on it).

    Each verdict field says which answers lead to it, in a sentence or two;
    ``restricted`` is ``None`` when the probe tells no restricted-but-valid key
    apart. *unconfirmed* lists what the probe's sources could not pin down (the
    probe stays tolerant there); *sources* are API references, specs or
    observed answers.
    """

    request: Call
    valid: str
    invalid: str
    indeterminate: str
    sources: tuple[str, ...]
    restricted: str | None = None
    unconfirmed: tuple[str, ...] = ()
    also: tuple[Call, ...] = ()  # the deep checks' requests, made after key.auth
