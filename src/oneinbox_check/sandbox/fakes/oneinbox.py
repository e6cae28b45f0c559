"""Fake of the OneInbox integrations API (``/v1/integrations``), for ``register``."""

from __future__ import annotations

import uuid
from typing import Any

from ..asgi import Request, Response, json_response
from .keyed import KeyedApp


class OneInboxFake(KeyedApp):
    """keys: OneInbox API key → "valid". Stores created integrations (keys masked, as OneInbox does)."""

    name = "oneinbox"

    def __init__(self, keys: dict[str, str] | None = None, existing: list[str] | None = None):
        self.created: list[dict[str, Any]] = []
        self.integrations: list[dict[str, Any]] = [
            {"id": str(uuid.UUID(int=i + 1)), "name": n, "provider": "openai", "masked_key": "sk-…0000"}
            for i, n in enumerate(existing or [])]
        super().__init__(keys)

    def setup(self) -> None:
        self.route("GET", "/v1/integrations", self.list)
        self.route("POST", "/v1/integrations", self.create)

    def _denied(self, r: Request) -> Response | None:
        if self.state(r.bearer()) != "valid":
            return json_response(401, {"error": {"message": "Invalid API key"}})
        return None

    def list(self, r: Request) -> Response:
        return self._denied(r) or json_response(200, {"data": self.integrations})

    def create(self, r: Request) -> Response:
        denied = self._denied(r)
        if denied:
            return denied
        body = r.json()
        if not isinstance(body, dict) or not body.get("name") or not body.get("provider"):
            return json_response(422, {"error": {"message": "name and provider are required"}})
        if any(i["name"] == body["name"] for i in self.integrations):
            return json_response(409, {"error": {"message": "an integration with this name exists"}})
        self.created.append(body)
        key = str(body.get("api_key", ""))
        item = {"id": str(uuid.uuid4()), "name": body["name"], "provider": body["provider"],
                "masked_key": f"{key[:3]}…{key[-4:]}" if len(key) > 8 else "…", "metadata": body.get("metadata", {})}
        self.integrations.append(item)
        return json_response(201, item)
