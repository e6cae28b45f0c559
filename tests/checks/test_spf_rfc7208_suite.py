"""dns.spf against the RFC 7208 conformance test suite (fixtures/zones/rfc7208-tests.yml).

Each scenario's zone data is served on the loopback responder; for each case
the check must land in the suite's verdict class: ``permerror`` (details.valid
is false), ``none`` (no SPF record), ``temperror`` (``error``), or anything
else (an evaluable record). Translation of the suite's zone data: a name's
``SPF`` records are also its ``TXT`` records unless it lists ``TXT`` (the
suite's drivers do the same); ``TXT: NONE`` means no TXT record; ``TIMEOUT``
makes every type without data at that name time out; an empty MX exchange is the
null MX (``.``).

We check a record for every client address at once, so a case whose verdict
depends on the client address differs by design (``DELIBERATE``).
"""

from __future__ import annotations

import anyio
import pytest

from oneinbox_check.checks.spf import check_spf
from oneinbox_check.net.dns import Resolver
from oneinbox_check.sandbox.dns import ZoneData
from tests.helpers import FIXTURES

yaml = pytest.importorskip("yaml")

SUITE = FIXTURES / "zones" / "rfc7208-tests.yml"
TYPES = ("A", "AAAA", "MX", "PTR", "TXT", "SPF", "CNAME")

# case → why our verdict differs from the suite's
DELIBERATE = {
    "include-at-limit": "the suite's client matches ip4:1.2.3.4 before the 11th lookup (mx); for any other "
                        "address a receiver reaches it, so the record is a permerror for most senders (§4.6.4)",
}


def _zone(data: dict) -> ZoneData:
    zones: dict[str, dict[str, list[str]]] = {}
    faults: dict[str, str] = {}
    for name, entries in (data or {}).items():
        name = name.lower().rstrip(".")
        slot: dict[str, list[str]] = {}
        listed: set[str] = set()
        spf: list[str] = []
        timeout = False
        for entry in entries:
            if entry == "TIMEOUT":
                timeout = True
                continue
            ((rdtype, value),) = entry.items()
            listed.add(rdtype)
            if value == "NONE":
                continue
            if rdtype in ("TXT", "SPF") and isinstance(value, list):
                value = "".join(value)
            if rdtype == "MX":
                value = f"{value[0]} {value[1] or '.'}"
            if rdtype == "SPF":
                spf.append(str(value))
            else:
                slot.setdefault(rdtype, []).append(str(value))
        if spf and "TXT" not in listed:
            slot["TXT"] = spf
            listed.add("TXT")
        if timeout:  # every type without data times out (a listed NONE included)
            for rdtype in TYPES:
                if rdtype not in slot:
                    faults[f"{name}/{rdtype}"] = "timeout"
        zones[name] = slot
    return ZoneData(zones, faults)


def _cases() -> list:  # type: ignore[type-arg]
    cases = []
    for doc in yaml.safe_load_all(SUITE.read_text()):
        for test_name, case in doc["tests"].items():
            cases.append(pytest.param(doc.get("zonedata"), case, id=f"{test_name}"))
    return cases


def _class(result: str) -> str:
    return {"permerror": "permerror", "none": "none", "temperror": "error"}.get(result, "evaluable")


@pytest.mark.parametrize(("zonedata", "case"), _cases())
def test_rfc7208_suite_case(dns_server, request: pytest.FixtureRequest, zonedata: dict, case: dict) -> None:
    name = request.node.callspec.id
    if name in DELIBERATE:
        pytest.skip(DELIBERATE[name])
    dns_server.use(_zone(zonedata))
    mailfrom = case.get("mailfrom") or ""
    domain = mailfrom.rpartition("@")[2] if "@" in mailfrom else str(case.get("helo", ""))
    expected = case["result"] if isinstance(case["result"], list) else [case["result"]]
    timeout = 0.2 if "temperror" in expected else 2.0  # short only where an answer is meant to be missing
    r = anyio.run(check_spf, Resolver([("127.0.0.1", dns_server.port)], timeout=timeout, tries=1), domain)
    if r.status.value == "error":
        ours = "error"
    elif r.summary.startswith("no SPF record"):
        ours = "none"
    else:
        ours = "evaluable" if (r.details or {}).get("valid") else "permerror"
    expected = case["result"] if isinstance(case["result"], list) else [case["result"]]
    assert ours in {_class(e) for e in expected}, (case.get("description"), case.get("spec"), r.summary)


def test_the_whole_suite_is_read() -> None:
    assert len(_cases()) > 150
