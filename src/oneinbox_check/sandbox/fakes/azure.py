"""Fake of Azure Speech's token endpoint (``POST /sts/v1.0/issueToken``)."""

from __future__ import annotations

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring


class AzureFake(KeyedApp):
    """States: valid, quota, vnet (network-restricted resource); else invalid."""

    name = "azure"

    def setup(self) -> None:
        self.route("POST", "/sts/v1.0/issueToken", self.token)

    def token(self, r: Request) -> Response:
        state = self.state(r.headers.get("ocp-apim-subscription-key"))
        if state == "valid":
            # Speech REST docs: the body is the access token (a JWT)
            return Response(200, "eyJhbGciOiJIUzI1NiJ9.eyJyZWdpb24iOiJlYXN0dXMifQ.c2FuZGJveA",
                            {"content-type": "application/jwt"})
        if state == "quota":
            # message observed in Azure AI services answers; envelope as the 401's
            return json_response(403, {"error": {"code": "403", "message": "Out of call volume quota. Quota will be "
                                                 "replenished in 2.12:00:00."}})
        if state == "vnet":
            # observed: Azure-Samples/azure-sql-db-chatbot#3
            return json_response(403, {"error": {"code": "403",
                                                 "message": "Access denied due to Virtual Network/Firewall rules."}})
        # observed envelope; text as Azure AI services give it for a bad key or a wrong regional endpoint
        return json_response(401, {"error": {"code": "401", "message": "Access denied due to invalid subscription key "
                                             "or wrong API endpoint. Make sure to provide a valid key for an active "
                                             "subscription and use a correct regional API endpoint for your resource."}})


WIRING = Wiring(apps=lambda: {"azure": AzureFake({})})
