"""Fake of Telnyx's balance and phone-number endpoints (API v2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring


@dataclass
class TelnyxNumber:
    phone_number: str
    status: str = "active"
    connection_id: str | None = "1684641123236054244"
    connection_name: str | None = "OneInbox SIP"


# Telnyx balances by key state: (balance, credit_limit, available_credit), strings as spec3.yml UserBalance
TELNYX_BALANCES = {"valid": ("300.00", "100.00", "400.00"), "low_balance": ("3.00", "0.00", "3.00"),
                   "no_credit": ("-12.50", "0.00", "-12.50"), "on_credit": ("-20.00", "100.00", "80.00"),
                   "balance_forbidden": None}


class TelnyxFake(KeyedApp):
    """keys: key → a TELNYX_BALANCES state ("valid", …); ``numbers`` belong to every such key."""

    name = "telnyx"

    def __init__(self, keys: dict[str, str] | None = None, numbers: list[TelnyxNumber] | None = None):
        self.numbers = numbers or []
        super().__init__(keys)

    def setup(self) -> None:
        self.route("GET", "/v2/balance", self.balance)
        self.route("GET", "/v2/phone_numbers", self.phone_numbers)

    def _denied(self, r: Request) -> Response | None:
        """401 in spec3.yml's ``Errors`` envelope (string ``code``); code 10009 per providers.md, the detail
        text is unconfirmed."""
        if self.state(r.bearer()) not in TELNYX_BALANCES:
            return json_response(401, {"errors": [{"code": "10009", "title": "Authentication failed",
                                                   "detail": "The API key looks malformed. Check that you copied it correctly."}]})
        return None

    def balance(self, r: Request) -> Response:
        denied = self._denied(r)
        if denied:
            return denied
        amounts = TELNYX_BALANCES[self.state(r.bearer()) or "valid"]
        if amounts is None:
            # spec3.yml GetUserBalance 403 billing_ForbiddenErrorResponse ("Insufficient permissions to access
            # balance information"); code 10010 per providers.md, the detail text is unconfirmed
            return json_response(403, {"errors": [{"code": "10010", "title": "Authorization failed",
                                                   "detail": "You are not authorized to access balance information."}]})
        balance, credit_limit, available = amounts
        return json_response(200, {"data": {"record_type": "balance", "balance": balance, "credit_limit": credit_limit,
                                            "available_credit": available, "pending": "0.00", "currency": "USD"}})

    def phone_numbers(self, r: Request) -> Response:
        denied = self._denied(r)
        if denied:
            return denied
        wanted = r.query.get("filter[phone_number]")
        rows = list(self.numbers)
        if wanted is not None:
            # Telnyx's spec (spec3.yml, ListPhoneNumbers, filter[phone_number]): "Requires at least three
            # digits. Non-numerical characters will result in no values being returned." So "+1312…" → [].
            # How digits match is not documented (unconfirmed): a contains-match here, which keeps the
            # probe's exact client-side comparison necessary.
            if not wanted.isdigit() or len(wanted) < 3 or not wanted.isascii():
                rows = []
            else:
                rows = [n for n in rows if wanted in n.phone_number]
        # PhoneNumberDetailed (spec3.yml): every required property, with neutral values
        data: list[dict[str, Any]] = [{"id": str(1293384261075731499 + i), "record_type": "phone_number",
                                       "phone_number": n.phone_number, "status": n.status,
                                       "connection_id": n.connection_id, "connection_name": n.connection_name,
                                       "country_iso_alpha2": "US", "tags": [], "external_pin": None,
                                       "created_at": "2026-01-05T10:00:00.000Z", "phone_number_type": "local",
                                       "purchased_at": "2026-01-05T10:00:00.000Z", "deletion_lock_enabled": False}
                                      for i, n in enumerate(rows)]
        return json_response(200, {"data": data, "meta": {"page_number": 1, "page_size": 20, "total_pages": 1,
                                                           "total_results": len(data)}})


KEYS = {"SANDBOX_TELNYX_KEY": "KEY" + "7C3E9A1F" * 4 + "_sandboxFAKEkeyK2m9Vq4W"}

WIRING = Wiring(keys=KEYS, apps=lambda: {"telnyx": TelnyxFake({KEYS["SANDBOX_TELNYX_KEY"]: "valid"}, [
    TelnyxNumber("+13125550100"), TelnyxNumber("+13125550101", status="purchase-pending"),
    TelnyxNumber("+13125550102", connection_id=None, connection_name=None)])})
