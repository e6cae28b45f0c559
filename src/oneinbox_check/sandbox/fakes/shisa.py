"""Fake of Shisa's ``GET /tts/voices``."""

from __future__ import annotations

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring


class ShisaFake(KeyedApp):
    name = "shisa"

    def setup(self) -> None:
        self.route("GET", "/tts/voices", self.voices)

    def voices(self, r: Request) -> Response:
        if self.state(r.bearer()) == "valid":
            # a JSON array of voices (vendor TTS page, providers.md); voice fields as public Shisa clients read them
            return json_response(200, [{"id": "61ba1141-60aa-4bc3-a3b3-be1ec20700b3", "displayName": "Sandbox",
                                        "language": "Japanese", "formats": ["mp3", "wav"]}])
        # unconfirmed: Shisa's error body is not published (FastAPI-style {"detail": …} assumed)
        return json_response(401, {"detail": "Invalid API key"})


WIRING = Wiring(apps=lambda: {"shisa": ShisaFake({})})
