"""The sandbox fake of AcmeMail's ``GET /v1/account``."""

from __future__ import annotations

from oneinbox_check.sandbox.asgi import KeyedApp, Request, Response, json_response
from oneinbox_check.sandbox.fakes import Wiring

VALID = "am_" + "AcmeSandboxValidKey0123456789abc"[:32]


class AcmeMailFake(KeyedApp):
    name = "acmemail"

    def setup(self) -> None:
        self.route("GET", "/v1/account", self.account)

    def account(self, r: Request) -> Response:
        if self.state(r.bearer()) == "valid":
            return json_response(200, {"account": {"id": "acct_1", "plan": "starter"}})
        return json_response(401, {"error": {"code": "invalid_key", "message": "Invalid API key"}})


KEYS = {"SANDBOX_ACMEMAIL_KEY": VALID}

WIRING = Wiring(keys=KEYS, apps=lambda: {"acmemail": AcmeMailFake({VALID: "valid"})},
                demo=({"name": "AcmeMail transactional", "provider": "acmemail",
                       "api_key": "${SANDBOX_ACMEMAIL_KEY}"},))
