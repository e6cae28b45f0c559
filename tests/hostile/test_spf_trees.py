"""Issue 8 item 6 (SPF part): hostile SPF trees on the loopback DNS responder.

Each case is bounded in the test itself: wall time (``anyio.fail_after``),
memory (``tracemalloc`` peak) and report size, and each DNS name/type must be
asked at most once per run. Before the fix: the doubling tree took 17 s and
842 MB for 19 records, a 130-long chain exited 70 and a 1,200-long one was a
RecursionError shown as a DNS failure; 30 slow wide includes took 55 s.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections import Counter

import anyio
import pytest

from oneinbox_check.checks.spf import LOOKUP_LIMIT, check_spf
from oneinbox_check.net.dns import Resolver
from oneinbox_check.sandbox import zones
from oneinbox_check.sandbox.dns import ZoneData
from tests.helpers import run_cli

pytestmark = pytest.mark.anyio

SLOW = 0.5  # seconds per answer: far under the 2 s timeout; ten lookups one at a time take >= 10 * SLOW


def _resolver(server, timeout: float = 2.0) -> Resolver:
    return Resolver([("127.0.0.1", server.port)], timeout=timeout, tries=1)


def _asked_once(zone: ZoneData, truncated: str = "") -> None:
    """*truncated*: a name whose answer exceeds 512 bytes is asked again over TCP (RFC 7766), by design."""
    repeated = {q: n for q, n in Counter(zone.queries).items() if n > (2 if q[0] == truncated else 1)}
    assert not repeated, f"asked more than once: {repeated}"


async def test_item6_spf_doubling_tree_is_linear(dns_server) -> None:
    zone = ZoneData(zones.spf_doubling_tree("send.double.example", 19))
    dns_server.use(zone)
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with anyio.fail_after(10):
            r = await check_spf(_resolver(dns_server), "send.double.example")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 3
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.1f} MiB"
    assert r.status.value == "fail" and f"more than {LOOKUP_LIMIT} DNS lookups" in r.summary
    assert r.details["lookups"] == LOOKUP_LIMIT + 1
    assert len(json.dumps(r.details)) < 20_000
    assert len(zone.queries) <= 19
    _asked_once(zone)


def test_item6_spf_doubling_tree_report_is_small_through_the_cli(dns_server, capsys) -> None:
    dns_server.use(ZoneData(zones.spf_doubling_tree("send.double.example", 19)))
    t0 = time.perf_counter()
    code, out, err = run_cli(capsys, "dns", "double.example", "--nameserver", dns_server.address, "--timeout", "1",
                             "--format", "json")
    assert time.perf_counter() - t0 < 10
    assert code == 1, err
    assert len(out) < 50_000
    spf = next(c for c in json.loads(out)["integrations"][0]["checks"] if c["id"] == "dns.spf")
    assert spf["status"] == "fail" and "DNS lookups" in spf["summary"]


@pytest.mark.parametrize("length", [130, 1200])
async def test_item6_spf_include_chain_fails_cleanly_at_the_lookup_limit(dns_server, length: int) -> None:
    zone = ZoneData(zones.spf_chain("send.chain.example", length))
    dns_server.use(zone)
    with anyio.fail_after(10):
        r = await check_spf(_resolver(dns_server), "send.chain.example")
    assert r.status.value == "fail" and "more than 10 DNS lookups" in r.summary
    assert r.details["valid"] is False and r.details["lookups"] == LOOKUP_LIMIT + 1
    assert len(zone.queries) <= LOOKUP_LIMIT + 1
    _asked_once(zone)


async def test_item6_spf_endless_generated_chain_stops_at_the_lookup_limit(dns_server) -> None:
    zone = ZoneData({"send.endless.example": {"TXT": ["v=spf1 include:n0.endless.example ~all"]}},
                    generate=zones.endless_spf_chain("endless.example"))
    dns_server.use(zone)
    with anyio.fail_after(10):
        r = await check_spf(_resolver(dns_server), "send.endless.example")
    assert r.status.value == "fail" and r.details["lookups"] == LOOKUP_LIMIT + 1
    assert len(zone.queries) <= LOOKUP_LIMIT + 1


@pytest.mark.parametrize("length", [130, 1200])
def test_item6_spf_include_chain_through_the_cli_exits_1_not_70(dns_server, capsys, length: int) -> None:
    dns_server.use(ZoneData(zones.spf_chain("send.chain.example", length)))
    code, out, err = run_cli(capsys, "dns", "chain.example", "--nameserver", dns_server.address, "--timeout", "1",
                             "--format", "json")
    assert code == 1, err
    assert "Traceback" not in err and "RecursionError" not in out + err
    spf = next(c for c in json.loads(out)["integrations"][0]["checks"] if c["id"] == "dns.spf")
    assert spf["status"] == "fail" and "DNS lookups" in spf["summary"]


async def test_item6_spf_thirty_slow_wide_includes_take_about_one_timeout(dns_server) -> None:
    tree, names = zones.spf_wide("send.wide.example", 30)
    zone = ZoneData(tree, {n: f"delay:{SLOW}" for n in names})
    dns_server.use(zone)
    t0 = time.perf_counter()
    with anyio.fail_after(20):
        r = await check_spf(_resolver(dns_server), "send.wide.example")
    elapsed = time.perf_counter() - t0
    assert r.status.value == "fail" and "more than 10 DNS lookups" in r.summary
    assert elapsed < 5 * SLOW, f"{elapsed:.1f}s: siblings were resolved one at a time"
    # only the includes a receiver reaches before the limit were asked
    assert len([q for q in zone.queries if q[0].startswith("w")]) <= LOOKUP_LIMIT
    _asked_once(zone, truncated="send.wide.example")


async def test_item6_spf_ten_slow_sibling_includes_resolve_concurrently_and_pass(dns_server) -> None:
    tree, names = zones.spf_wide("send.wide.example", LOOKUP_LIMIT)
    dns_server.use(ZoneData(tree, {n: f"delay:{SLOW}" for n in names}))
    t0 = time.perf_counter()
    with anyio.fail_after(20):
        r = await check_spf(_resolver(dns_server), "send.wide.example", require_include=None)
    assert r.status.value == "pass" and r.details["lookups"] == LOOKUP_LIMIT
    assert time.perf_counter() - t0 < 5 * SLOW


def test_item6_spf_thirty_slow_wide_includes_through_the_cli_with_timeout_2(dns_server, capsys) -> None:
    tree, names = zones.spf_wide("send.wide.example", 30)
    dns_server.use(ZoneData(tree, {n: f"delay:{SLOW}" for n in names}))
    t0 = time.perf_counter()
    code, out, err = run_cli(capsys, "dns", "wide.example", "--nameserver", dns_server.address, "--timeout", "2",
                             "--format", "json")
    elapsed = time.perf_counter() - t0
    assert code == 1, err
    spf = next(c for c in json.loads(out)["integrations"][0]["checks"] if c["id"] == "dns.spf")
    assert spf["status"] == "fail" and "DNS lookups" in spf["summary"]
    assert elapsed < 5 * SLOW + 1, f"{elapsed:.1f}s"
