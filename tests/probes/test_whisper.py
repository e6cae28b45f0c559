"""Whisper: a provider name of its own, checked by the OpenAI probe with an OpenAI key
(OpenAIProbe serves both names), so its rows are OpenAI's answers on OpenAI's route."""

from __future__ import annotations

import pytest

from oneinbox_check.sandbox.fakes.openai import OpenAIFake
from tests.probes.helpers import j
from tests.probes.test_openai import OPENAI_INVALID

pytestmark = pytest.mark.anyio
KEY = "sk-proj-" + "Cd2" * 20  # a made-up key of whisper's (OpenAI's) shape
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("sk-svcacct-uvSwMFLZDe1f8rESQedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4", "pass"),
    "bad_prefix": ("pk-rvWdFrK9xiRGHOY32nfr5pyzPCB9t2039bicBTW5ZE9LFaez7770H2DCpYgo", "fail"),
    "wrong_provider": ("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", "fail"),
}
AUTH_ROUTE = ("GET", "/openai/v1/models")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("valid", j(200, {"object": "list", "data": []}), {"key.auth": "pass"}),
    ("invalid", OPENAI_INVALID, {"key.auth": "fail"}),
]
FAKE = OpenAIFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)
