"""Fake of the OneInbox integrations API (``/v1/integrations``), for ``register`` and ``drift``.

Pagination follows OneInbox's documented list endpoints (List Tools,
https://docs.oneinbox.ai/api-reference/tools/list-tools): ``{"items": [...],
"total", "limit", "offset"}`` with query ``limit`` (1–100, default 20) and
``offset`` (>= 0); out-of-range values are a 422, as a FastAPI validation
error. The list-integrations page itself documents no envelope, so the fake can
also answer in other plausible shapes (``style``) to test the client's
tolerance, and in hostile ones (``endless``: every page claims more, forever).
"""

from __future__ import annotations

import uuid
from typing import Any

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring

STYLES = ("offset", "cursor", "next", "link", "page", "bare", "endless")


def masked(key: str) -> str:
    """How the fake shows a stored key: a short prefix and the last 4 characters."""
    return f"{key[:3]}…{key[-4:]}" if len(key) > 8 else "…"


class OneInboxFake(KeyedApp):
    """keys: OneInbox API key → "valid". Stores created integrations (keys masked, as OneInbox does).

    Names are not unique in OneInbox (a name posted twice is stored twice —
    what ``drift.duplicate`` reports), so creating never answers 409.

    *existing*: names (stored as openai integrations) or stored integration
    objects (``{"name", "provider", "masked_key", ...}``) present from the start.
    """

    name = "oneinbox"

    def __init__(self, keys: dict[str, str] | None = None, existing: list[str | dict[str, Any]] | None = None, *,
                 page_size: int = 20, style: str = "offset"):
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}")
        self.created: list[dict[str, Any]] = []
        self.page_size = page_size
        self.style = style
        self.integrations: list[dict[str, Any]] = []
        for item in existing or []:
            self.store(**({"name": item} if isinstance(item, str) else item))
        super().__init__(keys)

    def store(self, name: str, provider: str = "openai", masked_key: str = "sk-…0000", **extra: Any) -> dict[str, Any]:
        """Add a stored integration (what an earlier registration left behind)."""
        item = {"id": str(uuid.UUID(int=len(self.integrations) + 1)), "name": name, "provider": provider,
                "masked_key": masked_key, "metadata": {}, "created_at": "2026-01-01T00:00:00Z", **extra}
        self.integrations.append(item)
        return item

    def setup(self) -> None:
        self.route("GET", "/v1/integrations", self.list)
        self.route("POST", "/v1/integrations", self.create)

    def _denied(self, r: Request) -> Response | None:
        if self.state(r.bearer()) != "valid":
            return json_response(401, {"detail": "Invalid API key"})
        return None

    def list(self, r: Request) -> Response:
        denied = self._denied(r)
        if denied:
            return denied
        items = self.integrations
        size = self.page_size
        if self.style == "bare":
            return json_response(200, list(items))
        try:
            limit = int(r.query.get("limit", size))
            start = int(r.query.get("offset") or r.query.get("cursor") or 0)
            page = int(r.query.get("page", 1))
        except ValueError:
            return json_response(422, {"detail": [{"type": "int_parsing", "msg": "Input should be a valid integer"}]})
        if not 1 <= limit <= 100 or start < 0 or page < 1:
            return json_response(422, {"detail": [{"type": "less_than_equal", "msg": "limit 1..100, offset >= 0"}]})
        if self.style == "page":
            start = (page - 1) * limit
        chunk = items[start:start + limit]
        end = start + len(chunk)
        more = end < len(items)
        if self.style == "offset":
            return json_response(200, {"items": chunk, "total": len(items), "limit": limit, "offset": start})
        if self.style == "cursor":
            return json_response(200, {"data": chunk, "has_more": more, "next_cursor": str(end) if more else None})
        if self.style == "next":
            return json_response(200, {"integrations": chunk,
                                       "next": f"integrations?offset={end}&limit={limit}" if more else None})
        if self.style == "link":
            headers = {"link": f'<integrations?offset={end}&limit={limit}>; rel="next"'} if more else {}
            return Response(200, chunk, headers)
        if self.style == "page":
            pages = max(1, -(-len(items) // limit))
            return json_response(200, {"data": chunk, "page": page, "total_pages": pages})
        # endless: a broken server that always says there is another page
        return json_response(200, {"data": chunk, "has_more": True, "next_cursor": str(end + 1)})

    def create(self, r: Request) -> Response:
        denied = self._denied(r)
        if denied:
            return denied
        body = r.json()
        if not isinstance(body, dict) or not body.get("name") or not body.get("provider"):
            return json_response(422, {"detail": "name and provider are required"})
        self.created.append(body)
        item = self.store(body["name"], body["provider"], masked(str(body.get("api_key", ""))),
                          metadata=body.get("metadata", {}))
        item["id"] = str(uuid.uuid4())
        return json_response(201, {k: v for k, v in item.items() if k != "masked_key"})


KEYS = {"SANDBOX_ONEINBOX_KEY": "oi_sandboxFAKEkeyP5n8Xc2Vb7"}

# the sandbox's OneInbox already holds one integration ("Deepgram STT"), for `drift` and `register`
WIRING = Wiring(keys=KEYS, apps=lambda: {"oneinbox": OneInboxFake({KEYS["SANDBOX_ONEINBOX_KEY"]: "valid"},
                                                                  existing=["Deepgram STT"])})
