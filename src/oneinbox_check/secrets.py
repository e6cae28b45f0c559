"""The secret type: a provider key that never shows itself.

``str``/``repr``/pydantic serialisation give the mask (``re_…a1b2``); only
``reveal()`` returns the key, and only the HTTP layer calls it. Every revealed
value is also registered with :func:`scrub`, the last line of defence that
redacts keys from any text leaving the process (reports, logs, errors).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from typing import Any

# Known prefixes, longest first, so the mask keeps the part that tells a person
# which key it is without revealing anything secret.
_PREFIXES = (
    "sk-ant-admin01-", "sk-ant-api03-", "sk-svcacct-", "sk-admin-", "sk-proj-", "sk-ant-",
    "cal_live_", "cal_test_", "sk-api-", "sk-cp-", "sk_car_", "gsk_", "cal_", "sk-", "sk_",
    "SG.", "re_", "KEY",
)
_SHORT = 16  # below this length not even the last 4 characters are shown

_MIN = 8  # shorter strings would redact ordinary words
_known: set[str] = set()
_by_prefix: dict[str, list[str]] = {}  # first _MIN characters -> secrets, longest first
_spaced: list[str] = []  # secrets with whitespace inside (never sent, but never shown either)
_lock = threading.Lock()
_TOKEN = re.compile(r"\S{%d,}" % _MIN)


def mask(value: str) -> str:
    """Known prefix + ``…`` + last 4 characters, or ``…`` for short keys."""
    if len(value) < _SHORT:
        return "…"
    prefix = next((p for p in _PREFIXES if value.startswith(p)), "")
    return f"{prefix}…{value[-4:]}"


def _register(value: str) -> None:
    if len(value) < _MIN:
        return
    with _lock:
        if value in _known:
            return
        _known.add(value)
        if any(c.isspace() for c in value):
            _spaced.append(value)
            return
        bucket = _by_prefix.setdefault(value[:_MIN], [])
        bucket.append(value)
        bucket.sort(key=len, reverse=True)


def scrub(text: str) -> str:
    """Replace every registered secret in *text* by its mask.

    Linear in the text, whatever the number of secrets: a secret without
    whitespace lies inside one non-space token, so only tokens are scanned, and
    each position is looked up by its first characters.
    """
    if not _known or len(text) < _MIN:
        return text
    for value in _spaced:
        if value in text:
            text = text.replace(value, mask(value.strip()))
    out: list[str] = []
    done = 0
    for token in _TOKEN.finditer(text):
        start, end = token.span()
        i = start
        while i <= end - _MIN:
            for value in _by_prefix.get(text[i:i + _MIN], ()):
                if text.startswith(value, i):
                    out.append(text[done:i])
                    out.append(mask(value))
                    i = done = i + len(value)
                    break
            else:
                i += 1
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


class Secret:
    """A provider key. Compares by value; shows only its mask."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError("a secret must be a string")
        object.__setattr__(self, "_value", value)
        _register(value)
        _register(value.strip())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Secret is immutable")

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask(self._value.strip())

    def fingerprint(self, salt: bytes) -> str:
        """A salted hash that identifies the key across runs without storing it."""
        return hmac.new(salt, self._value.encode(), hashlib.sha256).hexdigest()[:16]

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value, other._value)

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

    Header values stay secrets until the HTTP layer sends them.
    """
    return Secret(template.replace("{}", secret.reveal()))
