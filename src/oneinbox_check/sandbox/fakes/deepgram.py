"""Fake of Deepgram's management API (projects and their balances)."""

from __future__ import annotations

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring


DEEPGRAM_PROJECT = "3b5a0c2e-0000-4000-8000-000000000001"

# Deepgram balance rows by key state: deepgram-api-specs ListProjectBalancesV1ResponseBalancesItems
# {balance_id, amount (double), units, purchase_order_id}; units "usd" as in Deepgram's community answer
# "Deepgram credit balance retrieval" (the spec's description says "such as USD")
DEEPGRAM_BALANCES: dict[str, list[float]] = {
    "valid": [104.56822227], "restricted": [104.56822227], "low_balance": [2.5], "no_credit": [0.0],
    "no_balances": [], "billing_forbidden": [], "balance_outage": [],
}


class DeepgramFake(KeyedApp):
    """States: valid, restricted (cannot list projects), low_balance, no_credit, no_balances (pay-as-you-go),
    billing_forbidden (balances 403), balance_outage (balances 503); else invalid."""

    name = "deepgram"

    def setup(self) -> None:
        self.route("GET", "/v1/projects", self.projects)
        self.route("GET", r"/v1/projects/(?P<project_id>[^/]+)/balances", self.balances)

    def _state(self, r: Request) -> str | None:
        auth = r.headers.get("authorization", "")
        return self.state(auth[6:] if auth.startswith("Token ") else None)

    def projects(self, r: Request) -> Response:
        state = self._state(r)
        if state in DEEPGRAM_BALANCES and state != "restricted":
            # deepgram-api-specs ListProjectsV1Response
            return json_response(200, {"projects": [{"project_id": DEEPGRAM_PROJECT, "name": "Sandbox"}]})
        if state == "restricted":
            # ErrorResponseLegacyError shape; the 403 code/text for a role that cannot list projects is unconfirmed
            return json_response(403, {"err_code": "FORBIDDEN", "err_msg": "Insufficient permissions.",
                                       "request_id": "00000000-0000-4000-8000-000000000403"})
        return self._invalid()

    def balances(self, r: Request) -> Response:
        state = self._state(r)
        if state is None:
            return self._invalid()
        if r.params["project_id"] != DEEPGRAM_PROJECT:
            # the spec's only documented error for this operation: 400 ErrorResponse; the text is unconfirmed
            return json_response(400, {"err_code": "Bad Request", "err_msg": "Invalid project id.",
                                       "request_id": "00000000-0000-4000-8000-000000000400"})
        if state in ("billing_forbidden", "restricted"):
            # observed for a key whose role lacks the scope (third-party report of Deepgram's management API);
            # legacy ErrorResponse shape. The status (403) is not in the spec.
            return json_response(403, {"err_code": "INSUFFICIENT_PERMISSIONS",
                                       "err_msg": "Your account does not have the required scope to perform that "
                                                  "action for this project.",
                                       "request_id": "00000000-0000-4000-8000-000000000403"})
        if state == "balance_outage":
            return json_response(503, {"err_code": "SERVICE_UNAVAILABLE", "err_msg": "Service unavailable.",
                                       "request_id": "00000000-0000-4000-8000-000000000503"})
        return json_response(200, {"balances": [
            {"balance_id": f"00000000-0000-4000-9000-00000000000{i}", "amount": amount, "units": "usd",
             "purchase_order_id": f"00000000-0000-4000-a000-00000000000{i}"}
            for i, amount in enumerate(DEEPGRAM_BALANCES[state], 1)]})

    @staticmethod
    def _invalid() -> Response:
        # ErrorResponseLegacyError; INVALID_AUTH per providers.md
        return json_response(401, {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials.",
                                   "request_id": "00000000-0000-4000-8000-000000000401"})


KEYS = {
    "SANDBOX_DEEPGRAM_KEY": "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
    "SANDBOX_DEEPGRAM_LOW_KEY": "1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c",
}

WIRING = Wiring(keys=KEYS, apps=lambda: {"deepgram": DeepgramFake({
    KEYS["SANDBOX_DEEPGRAM_KEY"]: "valid", KEYS["SANDBOX_DEEPGRAM_LOW_KEY"]: "low_balance"})})
