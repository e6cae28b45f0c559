"""``key.format``: hygiene every key must pass, wrong-provider detection, and the
provider's own shape.

Severity policy: hygiene problems, a key of another provider and a missing
required prefix are ``fail`` (the key cannot work as given, and is never sent);
an unusual length or character set is ``warn`` — formats change, so the
provider's answer to ``key.auth`` decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..models import CheckResult, Status

ID = "key.format"


@dataclass(frozen=True)
class Signature:
    """A distinctive shape that identifies a provider's key (for wrong-provider detection)."""

    pattern: re.Pattern[str]
    provider: str
    label: str  # "an Anthropic key (sk-ant-…)"


@dataclass(frozen=True)
class KeyFormat:
    """A provider's key shape.

    ``prefixes``: one of them is required (empty: no prefix rule).
    ``pattern``: the full well-formed shape; a mismatch is a warn.
    ``notes``: (regex, status, summary) for special cases such as admin or test keys.
    """

    description: str
    pattern: re.Pattern[str] | None = None
    prefixes: tuple[str, ...] = ()
    notes: tuple[tuple[re.Pattern[str], Status, str], ...] = ()
    min_length: int = 16


_PLACEHOLDER = re.compile(
    r"^(<[^>]*>|\[[^\]]*\]|\{[^}]*\}|x{3,}|\*{3,}|\.{3,}|changeme|change_me|todo|tbd|none|null|"
    r"your[-_ ].*|.*[-_]here|placeholder|redacted|insert[-_ ].*|api[-_ ]?key)$",
    re.IGNORECASE,
)
_PLACEHOLDER_PART = re.compile(r"<[^>]*>|\$\{|x{6,}|X{6,}|\.\.\.|…|your[-_]|[-_]here$", re.IGNORECASE)
_QUOTES = ("'", '"', "`", "\u2018", "\u2019", "\u201c", "\u201d")


def _fail(summary: str, remediation: str, **details: object) -> CheckResult:
    return CheckResult(id=ID, status=Status.FAIL, summary=summary, remediation=remediation,
                       details=details or None)


def hygiene(key: str) -> CheckResult | None:
    """Problems from copying and pasting, the same for every provider."""
    if not key:
        return _fail("api_key is empty", "Paste the provider key into api_key (or set the ${VAR} it names).")
    if key != key.strip():
        return _fail("key has leading or trailing whitespace",
                     "Remove the spaces/newlines around the key; it must be sent exactly as issued.")
    if any(c in key for c in "\r\n\t"):
        return _fail("key contains a line break or tab",
                     "The key was copied across lines: paste it again as one line.")
    if key[0] in _QUOTES and key[-1] in _QUOTES:
        return _fail("key is wrapped in quotes",
                     "Remove the surrounding quotes; they are not part of the key.")
    if key.lower().startswith(("bearer ", "token ", "basic ")):
        scheme = key.split(" ", 1)[0]
        return _fail(f"key starts with '{scheme} '",
                     f"Remove the '{scheme} ' prefix: the checker and OneInbox add the auth scheme themselves.")
    if " " in key:
        return _fail("key contains a space", "A provider key has no spaces: copy it again from the provider's console.")
    if _PLACEHOLDER.match(key) or _PLACEHOLDER_PART.search(key):
        return _fail("key is a placeholder, not a real key",
                     "Replace the placeholder with the key from the provider's console (or a ${VAR} that holds it).")
    return None


def check_key(
    key: str,
    provider: str,
    rule: KeyFormat | None,
    *,
    same_key_providers: Sequence[str] = (),
    signatures: Sequence[Signature] = (),
    display: str | None = None,
) -> CheckResult:
    """Run hygiene, wrong-provider detection and *rule* on *key* (the revealed value)."""
    display = display or provider
    problem = hygiene(key)
    if problem is not None:
        return problem
    if rule is None:  # nothing known about this key (e.g. a custom server's): hygiene only
        return CheckResult(id=ID, status=Status.PASS, summary="no known format; basic hygiene ok")
    own = {provider, *same_key_providers}
    foreign = _longest_signature(key, signatures)
    if foreign is not None and foreign.provider not in own:
        return _fail(f"looks like {foreign.label}, but it is filed under provider '{provider}'",
                     f"File this key under provider '{foreign.provider}', or paste the {display} key here.",
                     looks_like=foreign.provider)
    if rule.prefixes and not key.startswith(rule.prefixes):
        want = " or ".join(f"'{p}'" for p in rule.prefixes)
        return _fail(f"{display} keys start with {want}; this one does not",
                     f"Copy the key again from {display}: expected {rule.description}.")
    for pattern, status, summary in rule.notes:
        if pattern.search(key):
            return CheckResult(id=ID, status=status, summary=summary,
                               remediation=None if status == Status.PASS else f"Expected {rule.description}.")
    if rule.pattern is not None and not rule.pattern.fullmatch(key):
        return CheckResult(
            id=ID, status=Status.WARN,
            summary=f"unusual {display} key shape ({len(key)} characters)",
            remediation=f"Check the key was copied whole: expected {rule.description}.",
            details={"length": len(key)},
        )
    if len(key) < rule.min_length:
        return CheckResult(id=ID, status=Status.WARN, summary=f"key is very short ({len(key)} characters)",
                           remediation="Check the key was copied whole.", details={"length": len(key)})
    return CheckResult(id=ID, status=Status.PASS, summary=f"looks like a {display} key")


def _longest_signature(key: str, signatures: Sequence[Signature]) -> Signature | None:
    best: tuple[int, Signature] | None = None
    for sig in signatures:
        m = sig.pattern.match(key)
        if m and (best is None or m.end() > best[0]):
            best = (m.end(), sig)
    return best[1] if best else None
