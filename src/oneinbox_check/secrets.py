"""The secret type: a provider key that never shows itself.

``str``/``repr``/pydantic serialisation give the mask (``re_…a1b2``); only
``reveal()`` returns the key. It is called where the key itself is the point:
the HTTP layer sending it, the ``key.format`` check reading it, ``register``
posting it to OneInbox, and the drift check comparing it with OneInbox's mask
— never to show it. The mask keeps a prefix the probes declare public
(``Probe.mask_prefixes``, looked up once through the registry). Every key is
also registered with :func:`scrub`, the last line of defence that redacts keys
from any text leaving the process (reports, logs, errors), SPEC §8:

- the key itself, and any 12-character window of it (a cut, partly masked,
  one-character-off or line-split echo) — the match then grows over the rest
  of the echo, across a line break or a missing/changed character;
- its base64 forms (at the three byte alignments, so ``user:key`` pairs and
  longer encoded blobs too; standard and URL-safe alphabets) and its
  URL-encoded form, by the same 12-character windows;
- short keys (under 12 characters) wherever they occur whole (under 4
  characters only as a whole word, or every short word would go; one or two
  characters not at all: they hide nothing);
- credentials in a URL's user-info (``wss://user:pass@host`` → ``wss://…@host``).

Cost is linear in the text and in the number of keys: each key's forms are
indexed by 6-character anchors taken every 7 characters (every 12-character
window holds one), in a compact open-addressing table of 64-bit slots. Keys
are only queued when registered; the table is (re)built lazily when text is
scrubbed, sized for what is queued, so registering *n* keys is O(n).

:func:`clean` makes provider text safe for a terminal, Markdown or XML: no
control characters or escape sequences, no lone surrogates.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import threading
from array import array
from functools import lru_cache
from typing import Any
from urllib.parse import quote

_SHORT = 16  # below this length not even the last 4 characters are shown

WINDOW = 12  # any run of this many characters of a key (or of its encoded forms) is masked
_ANCHOR = 6
_STEP = WINDOW - _ANCHOR + 1  # anchors every _STEP characters: each WINDOW-run holds one whole
_WORD = 4  # short keys below this length are masked only as whole words
_TINY = 3  # below this, not at all
_MAX_FORM = (1 << 15) * _STEP  # anchors past this offset are not indexed (keys that long fail key.format)

# forms of a key: the key, base64 at byte alignment 0/1/2, URL-encoded (upper/lower hex)
_RAW, _B64_0, _B64_1, _B64_2, _URL, _URL_LOWER = range(6)
# URL-safe base64 and the key's own "-"/"_" are compared as "+"/"/": one alphabet for both
_NORMALISE = str.maketrans("-_", "+/")
_TOKEN = re.compile(r"\S{%d,}" % WINDOW)
_SURROGATE = re.compile("[\ud800-\udfff]")
_USERINFO = re.compile(r"(?<=://)[^\s/?#@\[\]]+@")  # starts only at "://": linear

_lock = threading.Lock()
_known: set[str] = set()
_secrets: list[str] = [""]  # index -> key (index 0 unused: a table slot of 0 means empty)
_pending: list[int] = []  # indices registered since the table was last built
_spaced: dict[str, str] = {}  # keys with whitespace inside -> mask (never sent, never shown either)
_short: dict[int, dict[str, str]] = {}  # length -> {short key: mask}


class _Table:
    """Anchor hash -> (key index, form, anchor number), in one ``array('Q')``.

    A slot holds a 24-bit fingerprint of the hash and a 40-bit value; 0 is empty.
    Linear probing, load at most one half; rebuilt (from the keys) when it fills.
    """

    __slots__ = ("slots", "size", "count", "shared")

    def __init__(self, capacity: int):
        size = max(1024, capacity * 2 + 1)  # any size: slots are picked modulo it
        self.slots = array("Q", bytes(8 * size))
        self.size = size
        self.count = 0
        # an anchor many keys share (a common stretch) goes to a list, so probe
        # chains stay short and inserting stays O(1)
        self.shared: dict[int, array[int]] = {}  # values packed: 8 bytes each, not an int object

    def room_for(self, more: int) -> bool:
        return (self.count + more) * 2 <= self.size

    def add(self, pairs: list[tuple[int, int]]) -> None:
        """Insert ``(hash, value)`` pairs."""
        slots, size, shared = self.slots, self.size, self.shared
        for h, value in pairs:
            if shared:
                chain = shared.get(h)
                if chain is not None:  # already known as shared: no probing past its 8 slots again
                    chain.append(value)
                    continue
            i = h % size
            fp = (h >> 40) & 0xFFFFFF
            same = 0
            while entry := slots[i]:
                if entry >> 40 == fp:
                    same += 1
                    if same >= 8:
                        shared.setdefault(h, array("Q")).append(value)
                        break
                i = i + 1 if i + 1 < size else 0
            else:
                slots[i] = fp << 40 | value
                self.count += 1

    def find(self, h: int) -> list[int]:
        slots, size = self.slots, self.size
        i = h % size
        fp = (h >> 40) & 0xFFFFFF
        found = []
        while entry := slots[i]:
            if entry >> 40 == fp:
                found.append(entry & 0xFFFFFFFFFF)
            i = i + 1 if i + 1 < size else 0
        if self.shared and h in self.shared:
            found.extend(self.shared[h])
        return found


_table = _Table(0)
_anchors_total = 0  # anchors of every indexed key (sizes a rebuild)


_prefixes: tuple[str, ...] = ()


def use_mask_prefixes(prefixes: tuple[str, ...]) -> None:
    """The probes' declared key prefixes (``Probe.mask_prefixes``), handed over by the
    probe registry when it loads (this module imports no probe and no registry): the
    mask keeps the part that tells a person which key it is without revealing anything
    secret. Longest first. Before a registry has loaded, masks show no prefix (safe);
    prefixes are public, so those of every registry loaded in this process are kept."""
    global _prefixes
    _prefixes = tuple(sorted({*_prefixes, *prefixes}, key=lambda p: (-len(p), p)))


def _known_prefixes() -> tuple[str, ...]:
    return _prefixes


@lru_cache(maxsize=8)
def _prefix_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation of *prefixes* (longest first, so the first that matches is the
    longest): a key's prefix is found in one match, not a loop over every prefix."""
    return re.compile("|".join(map(re.escape, prefixes))) if prefixes else None


def _prefix_at(value: str, pos: int) -> str:
    """The longest known prefix *value* has at *pos*, or ``""``."""
    pattern = _prefix_pattern(_known_prefixes())
    m = pattern.match(value, pos) if pattern is not None else None
    return m.group() if m else ""


def mask(value: str) -> str:
    """Known prefix + ``…`` + last 4 characters, or ``…`` for short keys."""
    if len(value) < _SHORT:
        return "…"
    return f"{_prefix_at(value, 0)}…{value[-4:]}"


def _public(value: str) -> int:
    """Length of the key's known prefix (after any quotes or brackets pasted with
    it): windows inside it are not secret."""
    lead = len(value) - len(value.lstrip("\"'`<([{"))
    prefix = _prefix_at(value, lead)
    return lead + len(prefix) if prefix else 0


def _forms(value: str) -> list[tuple[int, str, int]]:
    """``(form, text, first secret offset)``: the normalised strings a key may be echoed as.

    The third item tells which anchors lie only over the public prefix (in the
    form's own characters), so they are left out of the index.
    """
    public = _public(value)
    out = [(_RAW, value.translate(_NORMALISE), public)]
    data = value.encode("utf-8", "surrogatepass")
    for align, form in ((0, _B64_0), (1, _B64_1), (2, _B64_2)):
        encoded = base64.b64encode(b"\0" * align + data).decode()
        start = 4 if align else 0  # the first group holds bytes that are not the key's
        # to the end with its padding (the key ending the encoded text); a base64
        # character covers 6 bits: characters before this one encode only the prefix
        out.append((form, encoded[start:], (align + public) * 8 // 6 - start))
    quoted = quote(value, safe="")
    if quoted != value:
        out.append((_URL, quoted.translate(_NORMALISE), 0))
        lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quoted)
        if lower != quoted:
            out.append((_URL_LOWER, lower.translate(_NORMALISE), 0))
    return out


def _anchor_offsets(text: str, public: int) -> range:
    return _offsets(len(text), public)


def _offsets(length: int, public: int) -> range:
    # The first anchor starts 2 characters before the secret part: it holds 4
    # secret characters, so it is not shared by every key with the same prefix,
    # none lies in the public prefix (a mask, which shows it, never matches
    # again), and every WINDOW-run holding at least 4 secret characters still
    # holds an anchor (the prefix plus up to 3 characters reveals no more than
    # the mask does).
    return range(max(0, public - 2), min(length, _MAX_FORM) - _ANCHOR + 1, _STEP)


def _anchors(idx: int) -> list[tuple[int, int]]:
    """The key's anchors, each as (hash of its text, value). An anchor whose text the key
    repeats is indexed again only where its context differs: every WINDOW-run that holds an
    anchor lies within the WINDOW - _ANCHOR characters before it and WINDOW after it, so
    where that context is the same, :func:`_verify` at the first occurrence finds the same
    run. A low-entropy key (a megabyte of "a") then has a handful of anchors, not 32,768
    that each text position would verify (hostile-leaks witness: one scrub ran minutes)."""
    out: list[tuple[int, int]] = []
    for form, text, public in _forms(_secrets[idx]):
        base = idx << 18 | form << 15
        firsts: dict[str, int] = {}
        kept: set[tuple[int, str]] = set()
        for n, q in enumerate(_anchor_offsets(text, public)):
            anchor = text[q:q + _ANCHOR]
            first = firsts.setdefault(anchor, q)
            if first != q:  # a repeated anchor text (random keys have none)
                if first >= 0:  # its first repeat: the first occurrence's context joins the kept ones
                    kept.add(_context(text, first))
                    firsts[anchor] = -1
                context = _context(text, q)
                if context in kept:
                    continue
                kept.add(context)
            out.append((hash(anchor), base | n))
    return out


def _context(text: str, q: int) -> tuple[int, str]:
    """What any WINDOW-run through the anchor at *q* can see: the text around it, and
    where the anchor sits in it (a context cut short by the start of the text differs)."""
    lo = max(0, q - (WINDOW - _ANCHOR))
    return q - lo, text[lo:q + WINDOW]


_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*")  # what quote(safe="") leaves as it is


def _count(idx: int) -> int:
    """How many anchors :func:`_anchors` gives the key (it sizes the table), counted from
    lengths alone for the usual key (ASCII, nothing to URL-encode: no URL forms), so the
    forms are built once per key, by :func:`_anchors`."""
    value = _secrets[idx]
    if not (value.isascii() and _UNQUOTED.fullmatch(value)):
        return sum(len(_anchor_offsets(text, public)) for _, text, public in _forms(value))
    public, n = _public(value), len(value)
    total = len(_offsets(n, public))
    for align in (0, 1, 2):  # as _forms: base64 of align zero bytes + the key, its first group dropped
        start = 4 if align else 0
        total += len(_offsets(4 * ((align + n + 2) // 3) - start, (align + public) * 8 // 6 - start))
    return total


def _flush() -> None:
    """Index the keys registered since the last scrub (caller holds the lock)."""
    global _table, _anchors_total
    if not _pending:
        return
    pending = list(_pending)
    _pending.clear()
    more = sum(_count(i) for i in pending)
    _anchors_total += more
    if _table.room_for(more):
        table = _table
    else:  # a quarter to spare, so rebuilds stay amortised linear
        table = _Table(_anchors_total * 5 // 4)
        fresh = set(pending)
        for i in range(1, len(_secrets)):
            if i not in fresh:
                table.add(_anchors(i))
    for i in pending:
        table.add(_anchors(i))
    _table = table


def _register(value: str) -> None:
    value = value.strip()
    if not value:
        return
    with _lock:
        if value in _known:
            return
        _known.add(value)
        parts = value.split()
        if len(parts) > 1:
            _spaced[value] = mask(value)
            for part in parts:  # each long piece is masked like a key of its own (short ones are words)
                if len(part) >= WINDOW:
                    _add(part, _spaced[value])
            return
        _add(value, mask(value))


def _add(value: str, shown: str) -> None:
    if len(value) < _TINY:  # one or two characters hide nothing, and masking them would eat "a", "to", …
        return
    if len(value) < WINDOW:
        _short.setdefault(len(value), {})[value] = shown
        return
    if len(_secrets) >= 1 << 22:  # the table's index field is full: keep the exact match
        _short.setdefault(len(value), {})[value] = shown
        return
    _secrets.append(value)
    _pending.append(len(_secrets) - 1)


# --- scrubbing --------------------------------------------------------------------


def index() -> None:
    """Build the index of the secrets registered so far now (otherwise the first
    :func:`scrub` builds it). The runner calls it before a run starts: at 100,000
    keys the index takes seconds, which must not stall the event loop in the
    middle of a run (the first failed request scrubs its reason)."""
    if _pending:
        with _lock:
            _flush()


def scrub(text: str) -> str:
    """Replace every registered secret (and echo of one) in *text* by its mask.

    Also replaces lone surrogates (so every text can be written as UTF-8) and
    URL user-info. Linear in the text and in the number of secrets.
    """
    if not isinstance(text, str):
        text = str(text)
    if not text.isascii():
        text = _SURROGATE.sub("\ufffd", text)
    if "://" in text:
        text = _USERINFO.sub("…@", text)
    if len(_secrets) == 1 and not _short and not _spaced:
        return text
    if _pending:
        with _lock:
            _flush()
    for value, shown in list(_spaced.items()):
        if value in text:
            text = text.replace(value, shown)
    spans = _long_spans(text) if len(_secrets) > 1 else []
    if _short:
        spans = _merge(spans, _short_spans(text))
    if not spans:
        return text
    out: list[str] = []
    done = 0
    for start, end, shown in spans:
        out.append(text[done:start])
        out.append(shown)
        done = end
    out.append(text[done:])
    return "".join(out)


def _long_spans(text: str) -> list[tuple[int, int, str]]:
    norm = text.translate(_NORMALISE)
    table = _table
    spans: list[tuple[int, int, str]] = []
    done = 0
    for token in _TOKEN.finditer(norm):
        i = max(token.start(), done)
        end = token.end()
        while i <= end - _ANCHOR:
            hit = None
            for value in table.find(hash(norm[i:i + _ANCHOR])):
                found = _verify(norm, i, value, done)
                if found and (hit is None or found[1] - found[0] > hit[1] - hit[0]):
                    hit = found  # the longest echo wins (keys sharing a start)
            if hit:
                start, stop, idx = hit
                spans.append((start, stop, mask(_secrets[idx])))
                i = done = stop
            else:
                i += 1
    return spans


@lru_cache(maxsize=4096)
def _form_text(idx: int, form: int) -> tuple[str, int]:
    """A key's form and the offset of its first anchor."""
    return next(((t, _anchor_offsets(t, p).start) for f, t, p in _forms(_secrets[idx]) if f == form), ("", 0))


def _verify(norm: str, i: int, value: int, floor: int) -> tuple[int, int, int] | None:
    """Does the anchor at *i* sit in a WINDOW-long run of the key's form? Then the
    span the echo covers (grown over small damage), else ``None``."""
    idx, form, q = value >> 18, (value >> 15) & 7, value & 0x7FFF
    if idx >= len(_secrets):
        return None
    text, first = _form_text(idx, form)
    q = first + q * _STEP
    if text[q:q + _ANCHOR] != norm[i:i + _ANCHOR]:
        return None
    left = 0  # the exact run around the anchor
    while i - left > floor and q - left > 0 and norm[i - left - 1] == text[q - left - 1]:
        left += 1
    right = _ANCHOR
    while i + right < len(norm) and q + right < len(text) and norm[i + right] == text[q + right]:
        right += 1
    if left + right < WINDOW:
        return None
    encoded = form in (_B64_0, _B64_1, _B64_2)
    edge = i - left  # grow leftwards on reversed copies (only as far back as the key could reach)
    lo = max(floor, edge - (q - left) - 8 * 64 - 4)
    start = edge - _grow(norm[lo:edge][::-1], 0, text[:q - left][::-1], 0, encoded)
    stop = _grow(norm, i + right, text, q + right, encoded)
    return start, stop, idx


# (skip in the text, skip in the key) tried where the echo stops matching:
# an extra/changed/missing character, or a line break (up to 8 spaces)
_DAMAGE = ((1, 0), (1, 1), (0, 1), *((n, 0) for n in range(2, 9)))


def _grow(norm: str, t: int, text: str, f: int, encoded: bool) -> int:
    """Extend a match forward from text position *t* / key-form position *f* over
    line breaks and one-character damage, while at least two more characters of
    the key follow each repair; return the end of the echo."""
    n, m = len(norm), len(text)
    for _ in range(64):  # bounded: every round consumes characters of the key
        if f >= m:
            break
        repaired = False
        for dt, df in _DAMAGE:
            if dt > 1 and not norm[t:t + dt].isspace():
                break  # longer skips only over whitespace (a line break and its indent)
            if dt and norm[t:t + 1] in _STRUCTURE:
                continue  # never swallow a quote or markup character: JSON/XML stay well-formed
            a, b = t + dt, f + df
            if a + 1 < n and b + 1 < m and norm[a] == text[b] and norm[a + 1] == text[b + 1]:
                t, f = a, b
                while t < n and f < m and norm[t] == text[f]:
                    t, f = t + 1, f + 1
                repaired = True
                break
        if not repaired:
            break
    if encoded and f >= m:  # the last base64 group and its padding may still carry key bits
        k = 0
        while k < 4 and t + k < n and norm[t + k] in _B64_TAIL:
            k += 1
        t += k
    return t


_STRUCTURE = frozenset("\"'<>&\\")
_B64_TAIL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def _short_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    lengths = sorted(_short, reverse=True)
    i, n = 0, len(text)
    while i < n:
        for length in lengths:
            shown = _short[length].get(text[i:i + length])
            if shown is not None and (length >= _WORD or (
                    (i == 0 or not text[i - 1].isalnum()) and (i + length == n or not text[i + length].isalnum()))):
                spans.append((i, i + length, shown))
                i += length
                break
        else:
            i += 1
    return spans


def _merge(a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for span in sorted(a + b):
        if out and span[0] < out[-1][1]:
            if span[1] > out[-1][1]:
                out[-1] = (out[-1][0], span[1], out[-1][2])
            continue
        out.append(span)
    return out


def shorten(text: str, limit: int = 200) -> str:
    """Scrub, then cut to *limit* characters: never cut first (a cut key is still a key)."""
    text = scrub(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --- provider text for humans -----------------------------------------------------

# ANSI/VT escape sequences (CSI, OSC, other ESC), C0/C1 controls, DEL, bidi overrides
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI … final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC … BEL/ST
    r"|\x1b[ -/]*[0-~]?"  # other escapes
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"
)


def clean(text: str, *, newlines: bool = True) -> str:
    """Provider text made safe for a terminal, Markdown and XML.

    Escape sequences go; other control characters become a space; a lone
    surrogate becomes U+FFFD. Newlines and tabs stay when *newlines*, otherwise
    they become spaces too (one line: a name or path cannot forge a line).
    """
    if not text.isascii():
        text = _SURROGATE.sub("\ufffd", text)
    if not newlines:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ESCAPE.sub(lambda m: " " if len(m.group()) == 1 and m.group() not in "\x1b\x9b" else "", text)


class ScrubFilter(logging.Filter):
    """A logging filter that scrubs and cleans each record's message (install on a handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template
            message = str(record.msg)
        record.msg = clean(scrub(message), newlines=False)
        record.args = None
        return True


# --- the secret type -----------------------------------------------------------------


class Secret:
    """A provider key. Compares by value; shows only its mask."""

    __slots__ = ("_value",)

    def __init__(self, value: str, *, _register_it: bool = True):
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError("a secret must be a string")
        object.__setattr__(self, "_value", value)
        if _register_it:
            _register(value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Secret is immutable")

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask(self._value.strip())

    def fingerprint(self, salt: bytes) -> str:
        """A salted hash that identifies the key across runs without storing it."""
        return hmac.new(salt, self._value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:16]

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(
            self._value.encode("utf-8", "surrogatepass"), other._value.encode("utf-8", "surrogatepass"))

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self):  # never pickled with the value
        raise TypeError("Secret cannot be pickled")

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda s: s.masked, when_used="always"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "writeOnly": True, "description": "provider key (shown only masked)"}

    @classmethod
    def _validate(cls, value: Any) -> "Secret":
        if isinstance(value, Secret):
            return value
        if isinstance(value, str):
            return cls(value)
        raise ValueError("must be a string")


def wrap(secret: Secret, template: str) -> Secret:
    """A new secret made of *template* with ``{}`` replaced by the key (``"Bearer {}"``).

    Header values stay secrets until the HTTP layer sends them. The key inside
    is already registered, so the wrapper is not registered again (a wrapper
    per request would grow the index with every request).
    """
    return Secret(template.replace("{}", secret.reveal()), _register_it=False)
