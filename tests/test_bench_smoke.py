"""The benchmark harness keeps working: ``python -m bench --smoke`` runs every
benchmark with tiny sizes against loopback fakes (no time assertions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (ROOT / "bench" / "__main__.py").exists(), reason="bench/ is not shipped in the sdist")
def test_bench_smoke_run_produces_every_figure(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / "results.json").read_text())
    assert result["smoke"] is True and result["machine"]["cores"]
    figures = " | ".join(row["figure"] for row in result["rows"])
    for expected in ("--version", "run ÷ ideal", "--concurrency 1", "bare httpx", "fakes' own CPU",
                     "`dns`", "checkdmarc", "bare dnspython", "DNS responder", "--offline"):
        assert expected in figures, expected
    assert "Traceback" not in proc.stderr


@pytest.fixture
def bench_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    if not (ROOT / "bench" / "dnsfake.py").exists():
        pytest.skip("bench/ is not shipped in the sdist")
    monkeypatch.syspath_prepend(str(ROOT))


def test_dns_responder_answers_from_its_cache_with_the_query_id(bench_modules: None) -> None:
    import dns.message
    from bench.dnsfake import Answers, domains

    from oneinbox_check.sandbox.dns import ZoneData, _reply
    from oneinbox_check.sandbox.fakes.resend import resend_domain

    data = dict(resend_domain(domains(1)[0]))
    answers = Answers(ZoneData(data))
    answers.warm(sorted(data))
    query = dns.message.make_query("send.bench-0.example", "TXT")
    query.id = 4321
    wire = query.to_wire()
    assert answers.reply(wire) == _reply(ZoneData(data), wire, udp=True)
    assert answers.misses == 0


def test_dns_responder_answers_an_unwarmed_question_once_then_from_cache(bench_modules: None) -> None:
    import dns.message
    from bench.dnsfake import Answers

    from oneinbox_check.sandbox.dns import ZoneData

    answers = Answers(ZoneData({"a.example": {"A": ["192.0.2.1"]}}))
    wire = dns.message.make_query("nothing-here.example", "TXT", use_edns=0).to_wire()
    first, second = answers.reply(wire), answers.reply(wire)
    assert first == second and dns.message.from_wire(first).rcode() == dns.rcode.NXDOMAIN  # type: ignore[arg-type]
    assert answers.misses == 1


def test_dns_responder_answers_every_question_of_a_burst(bench_modules: None) -> None:
    """1,000 questions sent at once (more than 256 in flight, as the checker sends)
    are all answered: the responder neither drops datagrams nor lags behind."""
    import socket

    import dns.message

    proc = subprocess.Popen([sys.executable, "-m", "bench.dnsfake", "200", "0"], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout is not None and proc.stdin is not None
        port = json.loads(proc.stdout.readline())["port"]
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.settimeout(3.0)
        for i in range(1000):
            query = dns.message.make_query(f"_dmarc.bench-{i % 200}.example", "TXT")
            sock.sendto(query.to_wire(), ("127.0.0.1", port))
        answered = 0
        try:
            while answered < 1000:
                sock.recvfrom(4096)
                answered += 1
        except TimeoutError:
            pass
        sock.close()
        assert answered == 1000
    finally:
        if proc.stdin is not None:
            proc.stdin.write("quit\n")
            proc.stdin.flush()
        proc.wait(timeout=10)
