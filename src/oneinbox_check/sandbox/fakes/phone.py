"""Fakes of the telephony providers (Twilio with its Trunking API, Telnyx)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from ..asgi import Request, Response, json_response
from .keyed import KeyedApp


@dataclass
class TwilioNumber:
    phone_number: str
    sid: str
    voice: bool = True
    trunk_sid: str | None = None


@dataclass
class TwilioTrunk:
    sid: str
    domain_name: str
    origination: list[str] = field(default_factory=list)


@dataclass
class TwilioAccount:
    sid: str
    token: str
    status: str = "active"
    type: str = "Full"
    numbers: list[TwilioNumber] = field(default_factory=list)
    trunks: list[TwilioTrunk] = field(default_factory=list)
    balance: str | None = "25.00"  # None: a subaccount ("Child accounts do not contain balance information")
    currency: str | None = "USD"


def _twilio_error(status: int, code: int, message: str) -> Response:
    """Twilio's error envelope {code, message, more_info, status}: not in twilio-oai (200s only); from
    twilio.com/docs/usage/twilios-response and /docs/api/errors/20003, /20404 (providers.md)."""
    return json_response(status, {"code": code, "message": message,
                                  "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status})


class TwilioFake(KeyedApp):
    """The REST API and the Trunking API in one fake (mounted twice: ``twilio`` and ``twilio-trunking``)."""

    name = "twilio"

    def __init__(self, accounts: list[TwilioAccount]):
        self.accounts = {a.sid: a for a in accounts}
        super().__init__()

    def setup(self) -> None:
        self.route("GET", r"/2010-04-01/Accounts/(?P<sid>AC\w+)\.json", self.account)
        self.route("GET", r"/2010-04-01/Accounts/(?P<sid>AC\w+)/IncomingPhoneNumbers\.json", self.numbers)
        self.route("GET", r"/2010-04-01/Accounts/(?P<sid>AC\w+)/Balance\.json", self.balance)
        self.route("GET", r"/v1/Trunks", self.trunks)
        self.route("GET", r"/v1/Trunks/(?P<tk>TK\w+)/OriginationUrls", self.origination)

    def _login(self, r: Request) -> TwilioAccount | Response:
        auth = r.headers.get("authorization", "")
        try:
            user, _, token = base64.b64decode(auth[6:]).decode().partition(":") if auth.startswith("Basic ") else ("", "", "")
        except ValueError:
            user, token = "", ""
        account = self.accounts.get(user)
        if account is None or account.token != token:
            return _twilio_error(401, 20003, "Authenticate")
        return account

    def _visible(self, r: Request) -> TwilioAccount | Response:
        account = self._login(r)
        if isinstance(account, Response):
            return account
        if r.params.get("sid", account.sid) != account.sid:
            return _twilio_error(404, 20404, f"The requested resource /2010-04-01/Accounts/{r.params['sid']}.json was not found")
        return account

    def account(self, r: Request) -> Response:
        a = self._visible(r)
        if isinstance(a, Response):
            return a
        return json_response(200, {"sid": a.sid, "friendly_name": "Sandbox account", "status": a.status,
                                   "type": a.type, "owner_account_sid": a.sid,
                                   "date_created": "Mon, 05 Jan 2026 10:00:00 +0000",
                                   "uri": f"/2010-04-01/Accounts/{a.sid}.json"})

    def balance(self, r: Request) -> Response:
        a = self._visible(r)
        if isinstance(a, Response):
            return a
        # twilio-oai twilio_api_v2010.json FetchBalance: api.v2010.account.balance, its example's shape
        return json_response(200, {"account_sid": a.sid, "balance": a.balance,
                                   "currency": a.currency if a.balance is not None else None})

    def numbers(self, r: Request) -> Response:
        a = self._visible(r)
        if isinstance(a, Response):
            return a
        wanted = r.query.get("PhoneNumber")
        rows = [n for n in a.numbers if wanted is None or n.phone_number == wanted]
        return json_response(200, {
            "incoming_phone_numbers": [{
                "sid": n.sid, "account_sid": a.sid, "phone_number": n.phone_number, "friendly_name": n.phone_number,
                "capabilities": {"voice": n.voice, "sms": True, "mms": False, "fax": False},
                "voice_url": None if n.trunk_sid else "https://demo.twilio.com/welcome/voice/",
                "trunk_sid": n.trunk_sid, "status": "in-use"} for n in rows],
            "next_page_uri": None, "page": 0, "page_size": 50})

    def trunks(self, r: Request) -> Response:
        a = self._login(r)
        if isinstance(a, Response):
            return a
        return json_response(200, {
            "trunks": [{"sid": t.sid, "account_sid": a.sid, "friendly_name": t.domain_name.split(".")[0],
                        "domain_name": t.domain_name, "secure": False, "auth_type": "", "cnam_lookup_enabled": False}
                       for t in a.trunks],
            "meta": {"page": 0, "page_size": 50, "first_page_url": "https://trunking.twilio.com/v1/Trunks?PageSize=50&Page=0",
                     "previous_page_url": None, "next_page_url": None, "key": "trunks"}})

    def origination(self, r: Request) -> Response:
        a = self._login(r)
        if isinstance(a, Response):
            return a
        trunk = next((t for t in a.trunks if t.sid == r.params["tk"]), None)
        if trunk is None:
            return _twilio_error(404, 20404, "The requested resource was not found")
        return json_response(200, {"origination_urls": [
            {"sid": f"OU{i:032d}", "sip_url": url, "enabled": True, "priority": 10, "weight": 10}
            for i, url in enumerate(trunk.origination)], "meta": {"next_page_url": None}})


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
