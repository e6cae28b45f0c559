"""Our SPF evaluation agrees with checkdmarc on every sandbox zone.

checkdmarc is pointed at the loopback responder through a dnspython
``Do53Nameserver`` with the responder's port, so no port 53 is needed.
Validity here is RFC evaluability (one record, parses, limits); policy
findings such as ``+all`` or a missing provider include are ours alone.
For over-limit records both must report more than the limit; both stop
counting where the limit is crossed.
"""

from __future__ import annotations

import anyio
import pytest

from oneinbox_check.checks.spf import LOOKUP_LIMIT, VOID_LIMIT, check_spf
from oneinbox_check.net.dns import Resolver
from oneinbox_check.sandbox import scenario

checkdmarc_spf = pytest.importorskip("checkdmarc.spf")
import dns.nameserver  # noqa: E402

NAMES = sorted({name for name, types in scenario.zone_records().items()
                if name.startswith(("send.", "em")) and name not in scenario.DNS_FAULTS} | {"send.nospf.example"})


@pytest.mark.parametrize("name", NAMES)
def test_agrees_with_checkdmarc(zones_server, name: str) -> None:
    theirs = checkdmarc_spf.check_spf(name, nameservers=[dns.nameserver.Do53Nameserver("127.0.0.1", zones_server.port)],
                                      timeout=2)
    resolver = Resolver([("127.0.0.1", zones_server.port)], timeout=2)
    ours = anyio.run(check_spf, resolver, name)
    details = ours.details or {}
    assert details.get("valid") == theirs["valid"], (ours, theirs)
    if theirs["valid"]:
        assert details["lookups"] == theirs["dns_lookups"]
        assert details["void_lookups"] == theirs["void_dns_lookups"]
    elif theirs.get("dns_lookups", 0) and theirs["dns_lookups"] > LOOKUP_LIMIT:
        assert details["lookups"] > LOOKUP_LIMIT
    elif theirs.get("void_dns_lookups", 0) and theirs["void_dns_lookups"] > VOID_LIMIT:
        assert details["void_lookups"] > VOID_LIMIT


def test_zone_set_covers_the_interesting_cases() -> None:
    assert {"send.good.example", "send.deep.example", "send.void.example", "send.twospf.example",
            "send.nospf.example"} <= set(NAMES)
