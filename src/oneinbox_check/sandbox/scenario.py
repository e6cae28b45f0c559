"""The built-in scenario used by ``demo`` and ``sandbox serve``: fake accounts
and keys whose answers show every verdict.

Every key here is a sandbox key, made up to have the provider's shape; none
is or was a real credential.
"""

from __future__ import annotations

from . import zones
from .asgi import Fault
from .dns import ZoneData
from .fakes import keyed
from .fakes.calcom import CalcomFake, EventType
from .fakes.oneinbox import OneInboxFake
from .fakes.email import ResendDomain, ResendFake, SendGridDomain, SendGridFake
from .fakes.phone import TelnyxFake, TelnyxNumber, TwilioAccount, TwilioFake, TwilioNumber, TwilioTrunk
from .world import Sandbox

# name of the ${VAR} in the demo manifest -> sandbox key
KEYS: dict[str, str] = {
    "SANDBOX_OPENAI_KEY": "sk-proj-sandboxFAKEkeyQm3Vx8Lr2Tz6Hn1Wc9Pb4Ky7Dg5Js0Af3Ue8Io2Na6Rl",
    "SANDBOX_OPENAI_RESTRICTED_KEY": "sk-proj-sandboxFAKEkeyRst7Bq2Xm9Lw4Zc6Hv1Np8Tk3Dy5Gf0Ja7Us2Me4Wo9",
    "SANDBOX_GROQ_REVOKED_KEY": "gsk_sandboxFAKEkeyRevoked7Hq2Lp9Xw4Mz8Tc3Vb6Nd1Kf5Jg0YsE",
    "SANDBOX_ANTHROPIC_KEY": "sk-ant-api03-sandboxFAKEkey" + "Zq8Wv3Xt6Yr1Us4Tp7Oq2Nm5Lk9Jh0Gf3Ed6Cb8Az1Yx4Wv7Ut2Sr5Qp9On3Ml6Kj0Ih" + "-AAAAAAAAAA",
    "SANDBOX_DEEPGRAM_KEY": "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
    "SANDBOX_DEEPGRAM_LOW_KEY": "1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c",
    "SANDBOX_ELEVENLABS_KEY": "sk_" + "4e1f0c2b9a8d7e6f" * 3,
    "SANDBOX_ELEVENLABS_QUOTA_KEY": "sk_" + "7a6b5c4d3e2f1a0b" * 3,
    "SANDBOX_CARTESIA_KEY": "sk_car_sandboxFAKEkeyW7x2Q9z4",
    "SANDBOX_RESEND_KEY": "re_sandbox1_FAKEfullACCESSkeyQ7w3Zp9",
    "SANDBOX_RESEND_SENDING_KEY": "re_sandbox2_FAKEsendingONLYkeyR4x8Yt",
    "SANDBOX_SENDGRID_KEY": "SG.sandboxFAKEkey7Hq2Lp9X.sandboxFAKEsecret4Tz8Wm3Rk6Yv1Nc5Bd7Jf2Gh9Q",
    "SANDBOX_CALCOM_KEY": "cal_live_a1b2c3d4e5f60718293a4b5c6d7e8f90",
    "SANDBOX_CALCOM_EXPIRED_KEY": "cal_live_0f9e8d7c6b5a49382716f5e4d3c2b1a0",
    "SANDBOX_TWILIO_TOKEN": "c0ffee11c0ffee11c0ffee11d15ea5e1",
    "SANDBOX_TWILIO_TRIAL_TOKEN": "c0ffee22c0ffee22c0ffee22d15ea5e2",
    "SANDBOX_TWILIO_SUSPENDED_TOKEN": "c0ffee33c0ffee33c0ffee33d15ea5e3",
    "SANDBOX_TWILIO_LOW_TOKEN": "c0ffee44c0ffee44c0ffee44d15ea5e4",
    "SANDBOX_TELNYX_KEY": "KEY" + "7C3E9A1F" * 4 + "_sandboxFAKEkeyK2m9Vq4W",
    "SANDBOX_ONEINBOX_KEY": "oi_sandboxFAKEkeyP5n8Xc2Vb7",
}

# Twilio sandbox accounts (SIDs are not secret; tokens are in KEYS)
TWILIO_SID = "AC" + "5a4d0b0e" * 3 + "00000001"
TWILIO_TRIAL_SID = "AC" + "5a4d0b0e" * 3 + "00000002"
TWILIO_SUSPENDED_SID = "AC" + "5a4d0b0e" * 3 + "00000003"
TWILIO_LOW_SID = "AC" + "5a4d0b0e" * 3 + "00000004"  # the demo manifest names it literally
TWILIO_TRUNK_SID = "TK" + "5a4d0b0e" * 3 + "00000001"

# The Resend account behind SANDBOX_RESEND_KEY: every sandbox zone is one of its
# domains (verified unless said otherwise) — except mail.good.example.
RESEND_DOMAINS = [
    "good.example", "nospf.example", "twospf.example", "deep.example", "void.example", "nodkim.example",
    "revoked.example", "weak.example", "nodmarc.example", "twodmarc.example", "plusall.example", "noses.example",
    "gone.example", "slowdns.example", "brokendns.example",
]


def build(zone: ZoneData | None = None) -> Sandbox:
    k = KEYS
    fakes = {
        "openai": keyed.OpenAIFake({k["SANDBOX_OPENAI_KEY"]: "valid", k["SANDBOX_OPENAI_RESTRICTED_KEY"]: "restricted"}),
        "anthropic": keyed.AnthropicFake({k["SANDBOX_ANTHROPIC_KEY"]: "valid"}),
        "groq": keyed.GroqFake({}),
        "deepgram": keyed.DeepgramFake({k["SANDBOX_DEEPGRAM_KEY"]: "valid", k["SANDBOX_DEEPGRAM_LOW_KEY"]: "low_balance"}),
        "assemblyai": keyed.AssemblyAIFake({}),
        "azure": keyed.AzureFake({}),
        "cartesia": keyed.CartesiaFake({k["SANDBOX_CARTESIA_KEY"]: "valid"}),
        "elevenlabs": keyed.ElevenLabsFake({k["SANDBOX_ELEVENLABS_KEY"]: "valid",
                                            k["SANDBOX_ELEVENLABS_QUOTA_KEY"]: "quota_exhausted"}),
        "minimax": keyed.MinimaxFake({}),
        "shisa": keyed.ShisaFake({}),
        "ws": keyed.WebSocketFake(),
        "resend": ResendFake(
            {k["SANDBOX_RESEND_KEY"]: "full", k["SANDBOX_RESEND_SENDING_KEY"]: "sending"},
            [ResendDomain(d) for d in RESEND_DOMAINS]
            + [ResendDomain("pending.example", status="pending", record_status={"SPF": "pending", "DKIM": "verified"}),
               ResendDomain("wrongdkim.example")],
        ),
        "sendgrid": SendGridFake({k["SANDBOX_SENDGRID_KEY"]: "full"}, [SendGridDomain("sg-good.example")],
                                 [{"id": 1, "from_email": "ops@single.example", "verified": True}]),
    }
    # ElevenLabs is "having an outage" for the demo's first key: every request with it answers 503.
    fakes["elevenlabs"].faults.append(Fault(path="/v1/.*", key=k["SANDBOX_ELEVENLABS_KEY"], status=503, body={
        "detail": {"status": "service_unavailable", "message": "Service temporarily unavailable"}}))
    fakes["calcom"] = CalcomFake(
        {k["SANDBOX_CALCOM_KEY"]: "valid", k["SANDBOX_CALCOM_EXPIRED_KEY"]: "expired"},
        [EventType(1001, "Product Demo"), EventType(1002, "Discovery Call", length=20, hidden=True),
         EventType(1003, "Onboarding", length=60, extra_fields=[
             {"type": "text", "slug": "company", "label": "Company", "required": True, "hidden": False}]),
         EventType(1004, "Consulting", slots=False)],
    )
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
    fakes["twilio"] = fakes["twilio-trunking"] = twilio
    fakes["telnyx"] = TelnyxFake({k["SANDBOX_TELNYX_KEY"]: "valid"}, [
        TelnyxNumber("+13125550100"), TelnyxNumber("+13125550101", status="purchase-pending"),
        TelnyxNumber("+13125550102", connection_id=None, connection_name=None)])
    fakes["oneinbox"] = OneInboxFake({k["SANDBOX_ONEINBOX_KEY"]: "valid"}, existing=["Deepgram STT"])
    return Sandbox(fakes, zone or ZoneData(zones.build(), zones.FAULTS))
