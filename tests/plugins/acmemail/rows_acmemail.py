"""AcmeMail's rows — copied to tests/probes/test_acmemail.py by tests/test_new_provider.py
(a made-up provider: see tests/plugins/acmemail/acmemail_oic/)."""

from __future__ import annotations

from acmemail_oic.fake import AcmeMailFake

from tests.probes.helpers import j

KEY = "am_" + "Zq8Lm2Xc" * 4  # a made-up key of AcmeMail's shape
KEY_FORMATS = {
    "valid": ("am_AcmeSandboxValidKey0123456789abc", "pass"),
    "bad_prefix": ("xx_AcmeSandboxValidKey0123456789abc", "fail"),
    "wrong_provider": ("re_7G5IfQHe_VVEqZe2qpUWnoVPDF2yeE6Rs", "fail"),
}
AUTH_ROUTE = ("GET", "/acmemail/v1/account")
AUTH = [
    ("valid", j(200, {"account": {"id": "acct_1"}}), {"key.auth": "pass"}),
    ("invalid", j(401, {"error": {"code": "invalid_key", "message": "Invalid API key"}}), {"key.auth": "fail"}),
    ("server error", j(500, {}), {"key.auth": "error"}),
]
FAKE = AcmeMailFake
