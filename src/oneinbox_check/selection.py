"""Which entries and checks a run covers: ``--only`` / ``--skip`` (SPEC §5) and ``--shard I/N``.

``--only``/``--skip`` select which *live* checks run and are shown.

They never hide ``input.schema`` or ``key.format`` (a malformed entry or key
must never read as a pass because it was filtered out), and a glob that
matches no known check id is a usage error with "did you mean" — a typo must
not silently select nothing.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Sequence
from typing import Any

from .errors import UsageError

ALWAYS = ("input.schema", "key.format")
"""Check ids that every selection keeps."""


def _folded(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


def suggest(word: str, choices: Iterable[str], n: int = 1) -> list[str]:
    """The closest of *choices* to *word*: the same letters ignoring case, ``_`` and ``-``
    first (``OpenAI``, ``open_ai`` -> ``openai``), then spelling (``chek`` -> ``check``)."""
    choices = list(choices)
    same = [c for c in choices if _folded(c) == _folded(word) and c != word]
    if same:
        return same[:n]
    folded = {_folded(c): c for c in choices}
    close = difflib.get_close_matches(_folded(word), list(folded), n=n, cutoff=0.6)
    return [folded[c] for c in close]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` or an empty string."""
    close = suggest(word, choices)
    return f" (did you mean '{close[0]}'?)" if close else ""


def known_ids(registry: Any) -> list[str]:
    """Every check id the installed probes (and the ``dns`` command) can report."""
    ids = dict.fromkeys(ALWAYS)
    for probe in registry.unique():
        ids.update(dict.fromkeys(probe.check_ids))
    for extra in ("dns.spf", "dns.dkim", "dns.mx", "dns.dmarc"):
        ids.setdefault(extra)
    return list(ids)


def _matches(glob: str, ids: Iterable[str]) -> list[str]:
    return [i for i in ids if fnmatch.fnmatchcase(i, glob)]


def _unknown(option: str, glob: str, known: Sequence[str]) -> UsageError:
    areas = sorted({i.split(".")[0] + ".*" for i in known})
    close = difflib.get_close_matches(glob, [*known, *areas], n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return UsageError(f"{option} {glob!r} matches no check id{hint} (known ids: {', '.join(known)}; "
                      "'oneinbox-check probes' lists them by provider)")


def resolve(only: Sequence[str], skip: Sequence[str], known: Sequence[str], *,
            names: tuple[str, str] = ("--only", "--skip")) -> tuple[list[str], list[str]]:
    """The (only, skip) globs to run with: validated, and never excluding :data:`ALWAYS`.

    A ``--skip`` glob that would match an always-kept id is replaced by the
    live ids it matches; ``--only`` globs get the always-kept ids added.
    """
    for option, globs in zip(names, (only, skip)):
        for glob in globs:
            if not _matches(glob, known):
                raise _unknown(option, glob, known)
    new_only = [*only, *ALWAYS] if only else []
    new_skip: list[str] = []
    for glob in skip:
        if _matches(glob, ALWAYS):
            new_skip += [i for i in _matches(glob, known) if i not in ALWAYS]
        else:
            new_skip.append(glob)
    return new_only, new_skip


def in_shard(name: str, shard: tuple[int, int] | None) -> bool:
    """Whether *name* belongs to shard ``(index, count)`` (stable by name: CRC-32; ``None``: every name)."""
    import zlib

    if shard is None:
        return True
    index, count = shard
    return zlib.crc32(name.encode()) % count == index - 1
