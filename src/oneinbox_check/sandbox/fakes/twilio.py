"""Fake of Twilio's REST API (account, balance, numbers) with its Trunking API."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring


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


KEYS = {
    "SANDBOX_TWILIO_TOKEN": "c0ffee11c0ffee11c0ffee11d15ea5e1",
    "SANDBOX_TWILIO_TRIAL_TOKEN": "c0ffee22c0ffee22c0ffee22d15ea5e2",
    "SANDBOX_TWILIO_SUSPENDED_TOKEN": "c0ffee33c0ffee33c0ffee33d15ea5e3",
    "SANDBOX_TWILIO_LOW_TOKEN": "c0ffee44c0ffee44c0ffee44d15ea5e4",
}

# Twilio sandbox accounts (SIDs are not secret; tokens are in KEYS)
TWILIO_SID = "AC" + "5a4d0b0e" * 3 + "00000001"
TWILIO_TRIAL_SID = "AC" + "5a4d0b0e" * 3 + "00000002"
TWILIO_SUSPENDED_SID = "AC" + "5a4d0b0e" * 3 + "00000003"
TWILIO_LOW_SID = "AC" + "5a4d0b0e" * 3 + "00000004"  # the demo manifest names it literally
TWILIO_TRUNK_SID = "TK" + "5a4d0b0e" * 3 + "00000001"


def _apps() -> dict[str, TwilioFake]:
    k = KEYS
    twilio = TwilioFake([
        TwilioAccount(TWILIO_SID, k["SANDBOX_TWILIO_TOKEN"], numbers=[
            TwilioNumber("+14155550100", "PN" + "1a" * 16, trunk_sid=TWILIO_TRUNK_SID),
            TwilioNumber("+14155550101", "PN" + "2b" * 16),
            TwilioNumber("+14155550102", "PN" + "3c" * 16, voice=False)],
            trunks=[TwilioTrunk(TWILIO_TRUNK_SID, "oneinbox-demo.pstn.twilio.com", ["sip:agent.oneinbox.example"])]),
        TwilioAccount(TWILIO_TRIAL_SID, k["SANDBOX_TWILIO_TRIAL_TOKEN"], type="Trial"),
        TwilioAccount(TWILIO_SUSPENDED_SID, k["SANDBOX_TWILIO_SUSPENDED_TOKEN"], status="suspended"),
        TwilioAccount(TWILIO_LOW_SID, k["SANDBOX_TWILIO_LOW_TOKEN"], balance="1.20"),
    ])
    return {"twilio": twilio, "twilio-trunking": twilio}  # one fake behind both of the probe's endpoints


WIRING = Wiring(keys=KEYS, env={"SANDBOX_TWILIO_SID": TWILIO_SID}, apps=_apps)
