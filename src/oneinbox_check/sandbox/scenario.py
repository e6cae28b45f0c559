"""The built-in scenario used by ``demo`` and ``sandbox serve``: fake accounts
and keys whose answers show every verdict.

Every key here is a sandbox key, made up to have the provider's shape; none
is or was a real credential.
"""

from __future__ import annotations

from .asgi import Fault
from .dns import ZoneData
from .fakes import keyed
from .world import Sandbox

# name of the ${VAR} in the demo manifest -> sandbox key
KEYS: dict[str, str] = {
    "SANDBOX_OPENAI_KEY": "sk-proj-sandboxFAKEkey0000000000000000000000000000000000000000001",
    "SANDBOX_OPENAI_RESTRICTED_KEY": "sk-proj-sandboxFAKEkey0000000000000000000000000000000000000000002",
    "SANDBOX_GROQ_REVOKED_KEY": "gsk_sandboxFAKEkey00000000000000000000000000000000000099",
    "SANDBOX_ANTHROPIC_KEY": "sk-ant-api03-sandboxFAKEkey" + "0" * 68 + "-AAAAAAAAAA",
    "SANDBOX_DEEPGRAM_KEY": "5a4d0b0e5a4d0b0e5a4d0b0e5a4d0b0e5a4d0b0e",
    "SANDBOX_ELEVENLABS_KEY": "sk_" + "5a4d0b0e" * 6,
    "SANDBOX_CARTESIA_KEY": "sk_car_sandboxFAKEkey000000001",
}


def build(zone: ZoneData | None = None) -> Sandbox:
    k = KEYS
    fakes = {
        "openai": keyed.OpenAIFake({k["SANDBOX_OPENAI_KEY"]: "valid", k["SANDBOX_OPENAI_RESTRICTED_KEY"]: "restricted"}),
        "anthropic": keyed.AnthropicFake({k["SANDBOX_ANTHROPIC_KEY"]: "valid"}),
        "groq": keyed.GroqFake({}),
        "deepgram": keyed.DeepgramFake({k["SANDBOX_DEEPGRAM_KEY"]: "valid"}),
        "assemblyai": keyed.AssemblyAIFake({}),
        "azure": keyed.AzureFake({}),
        "cartesia": keyed.CartesiaFake({k["SANDBOX_CARTESIA_KEY"]: "valid"}),
        "elevenlabs": keyed.ElevenLabsFake({k["SANDBOX_ELEVENLABS_KEY"]: "valid"}),
        "minimax": keyed.MinimaxFake({}),
        "shisa": keyed.ShisaFake({}),
        "ws": keyed.WebSocketFake(),
    }
    # ElevenLabs is "having an outage" in the demo: every request answers 503.
    fakes["elevenlabs"].faults.append(Fault(path="/v1/.*", status=503, body={"detail": {"status": "service_unavailable",
                                                                                          "message": "Service temporarily unavailable"}}))
    return Sandbox(fakes, zone or ZoneData())
