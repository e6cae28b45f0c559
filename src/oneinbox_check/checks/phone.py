"""E.164 phone numbers: syntax, validity per ``phonenumbers``, canonical form."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")


def normalise_e164(value: str) -> str:
    """Return the canonical E.164 form or raise ``ValueError`` saying what is wrong."""
    if not isinstance(value, str):
        raise ValueError("must be a string like +15551234567")
    compact = re.sub(r"[\s().-]", "", value)
    if not _E164.match(compact):
        raise ValueError(f"{value!r} is not E.164: use + then country code and number, e.g. +15551234567")
    import phonenumbers

    try:
        parsed = phonenumbers.parse(compact, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{value!r} is not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"{value!r} is not a valid number for its country code")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


E164 = Annotated[str, AfterValidator(normalise_e164)]
