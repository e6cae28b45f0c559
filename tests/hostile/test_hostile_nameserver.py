"""Witness attacks on the pooled UDP resolver (net/dns.py) from a hostile or broken
loopback nameserver: whatever the server does wrong ends as ``error`` (never a missing
record, never ``fail``), in bounded time, on asyncio and trio, without leaking sockets."""

from __future__ import annotations

import gc
import os
import socket
import time

import anyio
import pytest

from oneinbox_check.manifest import Entry
from oneinbox_check.models import Status
from oneinbox_check.net.dns import Resolver
from oneinbox_check.probes.capabilities import Domain, MailDnsCheck
from oneinbox_check.probes.registry import Registry, load_registry
from oneinbox_check.runner import RunOptions, run

from .dns_hostile import HostileServer

pytestmark = pytest.mark.anyio


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _resolver(port: int, *, timeout: float = 0.3, tries: int = 1, concurrency: int = 4) -> Resolver:
    return Resolver([("127.0.0.1", port)], timeout=timeout, tries=tries,
                    limiter=anyio.CapacityLimiter(concurrency))


def _dns_run(port: int, domains: list[str], **options) -> object:
    probe = MailDnsCheck("resend", load_registry().get("resend"), region=None, return_path=None,
                         selector=None, offline=False)
    entries = [Entry(d, "resend", metadata=Domain(d)) for d in domains]
    opts = RunOptions(nameservers=[("127.0.0.1", port)], **{"timeout": 0.3, **options})
    return run(entries, Registry({"resend": probe}), opts)


SERVER_FAULTS = ["silent", "servfail", "refused", "formerr", "notimp", "pointer_loop",
                 "question_pointer_loop", "huge_ancount", "cname_loop", "cname_self", "cname_endless",
                 "tc", "wrong_question"]


@pytest.mark.parametrize("mode", SERVER_FAULTS)
async def test_a_question_the_server_answers_wrongly_fails_to_resolve_and_is_not_a_missing_record(mode) -> None:
    with HostileServer(mode) as server:
        result = await _resolver(server.port).query("example.com", "TXT")
    assert result.failed, (mode, result)


@pytest.mark.parametrize("mode", SERVER_FAULTS)
async def test_dns_checks_against_a_misbehaving_server_are_error_never_fail(mode) -> None:
    with HostileServer(mode) as server:
        report = await _dns_run(server.port, ["example.com"])
    statuses = {c.id: c.status for c in report.integrations[0].checks if c.id.startswith("dns.")}
    assert statuses and all(s == Status.ERROR for s in statuses.values()), (mode, statuses)
    assert report.exit_code == 3


async def test_a_silent_server_ends_as_timeout_within_timeout_times_tries() -> None:
    with HostileServer("silent") as server:
        t0 = time.monotonic()
        result = await _resolver(server.port, timeout=0.2, tries=2).query("example.com", "TXT")
        elapsed = time.monotonic() - t0
    assert result.outcome == "timeout"
    assert elapsed < 0.2 * 2 + 1.0  # bounded by timeout x tries (slack for a loaded machine)


async def test_nothing_listening_is_an_error_not_a_missing_record() -> None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # the port now answers with ICMP port unreachable
    result = await _resolver(port, tries=2).query("example.com", "TXT")
    assert result.outcome == "error"


async def test_a_stale_answer_to_the_previous_question_on_a_reused_socket_is_not_taken() -> None:
    # each reply is preceded by the previous question's answer (for another name): the
    # socket is reused (one slot), so the stale datagram arrives on it first
    with HostileServer("stale_first") as server:
        resolver = _resolver(server.port, timeout=5, concurrency=1)
        first = await resolver.query("one.example.com", "A")
        second = await resolver.query("two.example.com", "MX")
        third = await resolver.query("three.example.com", "TXT")
    assert first.outcome == second.outcome == third.outcome == "answer"
    assert second.records == ("10 feedback-smtp.us-east-1.amazonses.com",)
    assert third.records == ("v=spf1 include:amazonses.com ~all",)


async def test_late_duplicates_of_earlier_answers_do_not_answer_later_questions() -> None:
    names = [f"n{i}.example.com" for i in range(20)]
    with HostileServer("late_duplicates") as server:
        resolver = _resolver(server.port, timeout=5, concurrency=2)
        results = [await resolver.query(n, "MX") for n in names]
        resolver.close()
    assert all(r.outcome == "answer" and r.name == n for r, n in zip(results, names))


async def test_many_domains_with_a_small_dns_bound_all_finish_right() -> None:
    domains = [f"d{i}.example.com" for i in range(40)]
    with HostileServer("late_duplicates") as server:
        with anyio.fail_after(20):
            report = await _dns_run(server.port, domains, dns_concurrency=2, timeout=5)
    mx = [next(c for c in i.checks if c.id == "dns.mx") for i in report.integrations]
    assert [c.status for c in mx] == [Status.PASS] * len(domains)


async def test_a_run_against_a_silent_server_leaves_no_socket_open() -> None:
    with HostileServer("silent") as server:
        before = _open_fds()
        await _dns_run(server.port, [f"d{i}.example.com" for i in range(20)])
        after = _open_fds()
    assert after == before


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_run_whose_checks_overrun_their_budget_leaves_no_socket_open(anyio_backend) -> None:
    with HostileServer("hang_dmarc") as server:  # all answered but _dmarc: sockets pooled, checks overrun
        gc.collect()
        gc.disable()  # what is open when run() returns, not what a later collection closes
        try:
            before = _open_fds()
            report = await _dns_run(server.port, [f"d{i}.example.com" for i in range(50)], budget=0.5, timeout=2)
            after = _open_fds()
        finally:
            gc.enable()
    assert report.exit_code == 3
    assert after == before


async def test_a_run_cancelled_by_its_caller_leaves_no_socket_open() -> None:
    with HostileServer("hang_dmarc") as server:  # all answered but _dmarc: sockets pooled, run never ends
        gc.collect()
        gc.disable()
        try:
            before = _open_fds()
            with anyio.move_on_after(0.5):
                await _dns_run(server.port, [f"d{i}.example.com" for i in range(50)], timeout=2)
            after = _open_fds()
        finally:
            gc.enable()
    assert after == before


async def test_a_truncated_reply_whose_tcp_retry_is_closed_unanswered_fails_to_resolve() -> None:
    with HostileServer("tc_tcp_eof") as server:
        result = await _resolver(server.port).query("example.com", "TXT")
    assert result.failed


async def test_a_tcp_retry_closed_unanswered_leaves_every_dns_check_its_own_error() -> None:
    with HostileServer("tc_tcp_eof") as server:
        report = await _dns_run(server.port, ["example.com"])
    checks = {c.id: c for c in report.integrations[0].checks}
    assert {"dns.spf", "dns.dkim", "dns.mx", "dns.dmarc"} <= set(checks)
    assert all(c.status == Status.ERROR and "crashed" not in c.summary for i, c in checks.items() if i != "input.schema")
