"""Balances and quotas (SPEC §9, providers.md "Balances and quotas"): the
``--min-balance`` threshold and the shared money verdict.

Going live with no credit fails like a bad key; a balance under the threshold
is a ``warn``. Reading a balance is a deeper check than ``key.auth``: when the
answer proves nothing (5xx, timeout, HTML, a key not allowed to read billing,
an unexpected shape) the balance check is ``error``/``skip``, never ``fail``.

Standard library only at import time: the CLI parses the option with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models import CheckResult
    from .probe import ProbeContext

OPTION = "min_balance"  # the probe_options key
ANY = "*"  # the threshold for every currency not named
DEFAULT_MIN_BALANCE = Decimal(5)  # providers.md: "default 5 in the account currency"
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_AMOUNT = re.compile(r"\d+(\.\d+)?")


def parse_min_balance(text: str) -> tuple[str, Decimal]:
    """One ``--min-balance`` value: ``AMOUNT`` (every currency) or ``CUR=AMOUNT``.

    Raises ``ValueError`` with a message fit for the command line.
    """
    currency, sep, value = str(text).strip().rpartition("=")
    return _currency(currency, text) if sep else ANY, _amount(value.strip(), text)


def _currency(code: Any, given: Any) -> str:
    if code in (None, ANY):
        return ANY
    if not isinstance(code, str) or not _CURRENCY.fullmatch(code.strip()):
        raise ValueError(f"{given!r}: the currency must be a 3-letter code such as USD (CUR=AMOUNT)")
    return code.strip().upper()


def _amount(value: Any, given: Any) -> Decimal:
    if isinstance(value, str) and _AMOUNT.fullmatch(value):
        return Decimal(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = Decimal(str(value))
        if number.is_finite() and number >= 0:
            return number
    raise ValueError(f"{given!r}: expected AMOUNT or CUR=AMOUNT with a non-negative number, e.g. 20 or USD=20")


def min_balances(value: Any) -> dict[str, Decimal]:
    """The thresholds by currency (``ANY`` for the rest) from a probe option.

    Accepts what the CLI passes (a list of ``(currency, amount)`` pairs) and what
    a library caller may pass: an amount, an ``"AMOUNT"``/``"CUR=AMOUNT"``
    string, a list of them, or a ``{currency: amount}`` mapping. A later value
    for the same currency wins. Raises ``ValueError`` for anything else.
    """
    out: dict[str, Decimal] = {ANY: DEFAULT_MIN_BALANCE}
    if value is None:
        return out
    if isinstance(value, Mapping):
        for code, amount in value.items():
            out[_currency(code, f"{code}={amount}")] = _amount(amount, f"{code}={amount}")
        return out
    items = value if isinstance(value, (list, tuple)) and not _is_pair(value) else [value]
    for item in items:
        if _is_pair(item):
            currency, amount = item
            out[_currency(currency, item)] = _amount(amount, item)
        elif isinstance(item, str):
            currency, amount = parse_min_balance(item)
            out[currency] = amount
        else:
            out[ANY] = _amount(item, item)
    return out


def _is_pair(item: Any) -> bool:
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Decimal)


def validated(value: Any) -> dict[str, Decimal]:
    """:func:`min_balances` for the library's ``check()``: a bad value is a ``UsageError``, raised before any request."""
    from ..errors import UsageError

    try:
        return min_balances(value)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def threshold(options: Mapping[str, Any], currency: str | None) -> Decimal:
    """The warn threshold for *currency* (case-insensitive) under ``options[OPTION]``."""
    limits = min_balances(options.get(OPTION))
    return limits.get((currency or "").upper(), limits[ANY])


def amount(value: Any) -> Decimal | None:
    """A provider's amount (a JSON number or a numeric string) as a ``Decimal``; ``None`` when it is neither."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def money(value: Decimal, currency: str | None) -> str:
    """``USD 12.34``: two decimals (Deepgram reports fractions of a cent)."""
    shown = value.quantize(Decimal("0.01"))
    return f"{currency.upper()} {shown}" if currency else str(shown)


def money_result(ctx: "ProbeContext", check_id: str, value: Decimal, currency: str | None, *,
                 what: str = "balance", empty: str = "fail", empty_means: str = "calls will be refused",
                 top_up: str, **details: Any) -> "CheckResult":
    """*empty* (``fail`` unless the provider still serves at zero) at or below
    zero, ``warn`` under ``--min-balance``, else ``pass``."""
    from ..models import Status

    minimum = threshold(ctx.options, currency)
    shown = money(value, currency)
    facts = {what.replace(" ", "_"): str(value), "currency": currency, "min_balance": str(minimum), **details}
    if value <= 0:
        return ctx.result(check_id, Status(empty), f"{ctx.title} {what} is {shown}: {empty_means}", top_up, **facts)
    if value < minimum:
        return ctx.result(check_id, Status.WARN, f"{ctx.title} {what} is low: {shown} (under --min-balance {minimum})",
                          top_up, **facts)
    return ctx.result(check_id, Status.PASS, f"{ctx.title} {what}: {shown}", **facts)
