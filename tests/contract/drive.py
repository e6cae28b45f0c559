"""Run probes against the sandbox fakes while capturing the exchanges, then hold
both sides to the providers' specs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from oneinbox_check import check
from oneinbox_check.sandbox.network import FakeNetwork

from .capture import Exchange, capture
from .openapi import Spec, check_request, check_response


async def drive(sandbox: FakeNetwork, names: Sequence[str], entries: list[dict[str, Any]],
                tools: list[dict[str, Any]] | None = None, nameservers: list[str] | None = None) -> list[Exchange]:
    """Every exchange between the probes of *entries* and the fakes called *names*."""
    with capture(*((n, sandbox.fake(n)) for n in names)) as seen:
        await check(entries, tools or [], endpoints=sandbox.endpoints(), transport=sandbox.transport(),
                    nameservers=nameservers or ["127.0.0.1:9"], retries=0, timeout=1)
    return seen


def no_problems(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} contract problem(s):\n" + "\n".join(problems)


def request_problems(exchanges: Iterable[Exchange], specs: Mapping[str, Sequence[Spec]]) -> list[str]:
    out = []
    for ex in exchanges:
        r = ex.request
        out += [f"{ex}: {p}" for p in check_request(specs[ex.fake], r.method, r.path, r.query, r.headers)]
    return out


def response_problems(exchanges: Iterable[Exchange], specs: Mapping[str, Sequence[Spec]],
                      undocumented: Mapping[tuple[str, int], str] | None = None) -> list[str]:
    """Problems of the fakes' answers; *undocumented* maps (operation path regex, status) to the source
    of an answer shape the spec does not document (the fake must say the same in a comment)."""
    import re

    out = []
    for ex in exchanges:
        r = ex.request
        if any(re.fullmatch(path, r.path) and status == ex.response.status
               for (path, status) in (undocumented or {})):
            continue
        out += [f"{ex}: {p}" for p in check_response(specs[ex.fake], r.method, r.path, ex.response.status, ex.body)]
    return out
