"""Fake of AssemblyAI's ``GET /v2/transcript`` (the transcript list)."""

from __future__ import annotations

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring


class AssemblyAIFake(KeyedApp):
    name = "assemblyai"

    def setup(self) -> None:
        self.route("GET", "/v2/transcript", self.transcripts)

    def transcripts(self, r: Request) -> Response:
        if self.state(r.headers.get("authorization")) == "valid":
            limit = r.query.get("limit", "10")
            # assemblyai-api-spec TranscriptList / PageDetails (all five page_details fields required)
            return json_response(200, {"page_details": {
                "limit": int(limit) if limit.isdigit() else 10, "result_count": 0,
                "current_url": f"https://api.assemblyai.com/v2/transcript?limit={limit}",
                "prev_url": None, "next_url": None}, "transcripts": []})
        # assemblyai-api-spec components/responses/Unauthorized example
        return json_response(401, {"error": "Authentication error, API token missing/invalid"})


WIRING = Wiring(apps=lambda: {"assemblyai": AssemblyAIFake({})})
