"""``key.format``: hygiene every key must pass, wrong-provider detection, and the
provider's own shape.

Severity policy: hygiene problems, a key of another provider and a missing
required prefix are ``fail`` (the key cannot work as given, and is never sent);
an unusual length or character set is ``warn`` — formats change, so the
provider's answer to ``key.auth`` decides.
"""

from __future__ import annotations

import re
import unicodedata
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


MAX_LENGTH = 4096  # the longest real keys (legacy MiniMax JWTs) are well under 1,000 characters

# A placeholder is judged on the WHOLE value (providers.md): random keys contain
# "your_" or "xxxxxx" by chance (about 1 OpenAI key in 200,000), so no substring
# rule. An optional short prefix ("sk-", "sk-proj-", "re_") may precede the filler.
_PREFIX = r"(?:[A-Za-z]{1,8}[-_.]){0,3}"
_PLACEHOLDER = re.compile(
    r"(?:<[^<>]*>|\[[^\[\]]*\]|\{\{?[^{}]*\}?\}|\$\{[^{}]*\}|\$[A-Z_][A-Z0-9_]*|%[A-Z_][A-Z0-9_]*%"
    rf"|{_PREFIX}(?:x{{3,}}|X{{3,}}|\*{{3,}}|\.{{3,}}|…+)"
    rf"|{_PREFIX}(?:your|my|insert|enter|paste|put|add|the)[-_ ]?(?:[a-z0-9]+[-_ ]){{0,3}}"
    r"(?:key|token|secret|password)(?:[-_ ]?here)?"
    rf"|{_PREFIX}(?:api[-_ ]?)?(?:key|token|secret)(?:[-_ ]?(?:here|goes[-_ ]here))?"
    r"|change[-_ ]?me|todo|tbd|fixme|none|null|nil|undefined|placeholder|redacted|dummy|example|sample)",
    re.IGNORECASE,
)
_QUOTES = ("'", '"', "`", "\u2018", "\u2019", "\u201c", "\u201d")


def _fail(summary: str, remediation: str, **details: object) -> CheckResult:
    return CheckResult(id=ID, status=Status.FAIL, summary=summary, remediation=remediation,
                       details=details or None)


def hygiene(key: str) -> CheckResult | None:
    """Problems from copying and pasting, the same for every provider."""
    if not key:
        return _fail("api_key is empty", "Paste the provider key into api_key (or set the ${VAR} it names).")
    if len(key) > MAX_LENGTH:
        return _fail(f"key is {len(key):,} characters long: no provider key is longer than {MAX_LENGTH:,}",
                     "api_key holds something else (a file, a whole config?): paste only the key.",
                     length=len(key))
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
    if _PLACEHOLDER.fullmatch(key):
        return _fail("key is a placeholder, not a real key",
                     "Replace the placeholder with the key from the provider's console (or a ${VAR} that holds it).")
    if " " in key:
        return _fail("key contains a space", "A provider key has no spaces: copy it again from the provider's console.")
    odd = next(((i, c) for i, c in enumerate(key) if not " " < c < "\x7f"), None)
    if odd is not None:
        i, c = odd
        name = unicodedata.name(c, "a control character")
        return _fail(f"key contains an invisible or non-ASCII character ({name}, U+{ord(c):04X}, "
                     f"at position {i + 1})",
                     "No provider issues such keys and HTTP headers cannot carry them: copy the key again "
                     "from the provider's console (a word processor or chat app may have added it).",
                     position=i + 1, codepoint=f"U+{ord(c):04X}")
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
