"""End to end: the demo, and the sandbox on real loopback sockets (uvicorn)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import run_cli


def test_demo_shows_every_verdict_and_exits_1(capsys) -> None:
    code, out, err = run_cli(capsys, "demo", "--format", "json")
    report = json.loads(out)
    statuses = {i["status"] for i in report["integrations"]}
    assert {"pass", "warn", "fail", "error"} <= statuses
    assert code == report["exit_code"] == 1


def test_demo_in_a_real_process_with_no_network(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
    env |= {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}  # and no NO_PROXY
    proc = subprocess.run([sys.executable, "-m", "oneinbox_check", "demo"], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "FAILED:" in proc.stdout and "Traceback" not in proc.stderr
    assert "sandbox" in proc.stdout.lower()


def test_check_against_the_sandbox_on_real_sockets(tmp_path, capsys) -> None:
    pytest.importorskip("uvicorn")
    from oneinbox_check.sandbox import scenario
    from oneinbox_check.sandbox.demo import demo_manifest_path
    from oneinbox_check.sandbox.dns import DnsResponder
    from oneinbox_check.sandbox.serve import Server

    sandbox = scenario.build()
    with DnsResponder(sandbox.zone) as dns, Server(sandbox) as http:
        env = {**scenario.KEYS, "ONEINBOX_SANDBOX": http.base, "ONEINBOX_SANDBOX_WS": http.base.replace("http", "ws", 1)}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            flags = [f"--endpoint={n}={u}" for n, u in sandbox.endpoints(http.base).items()]
            code, out, err = run_cli(capsys, "check", demo_manifest_path(), *flags, "--nameserver", dns.address,
                                     "--format", "json")
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    report = json.loads(out)
    by_name = {i["name"]: i for i in report["integrations"]}
    assert by_name["OpenAI Production"]["status"] == "pass"
    assert by_name["Custom LLM"]["status"] == "pass", by_name["Custom LLM"]
    assert by_name["ElevenLabs voice (provider outage)"]["status"] == "error"
    assert code == 1
    assert sandbox.fake("openai").count("/v1/models") == 2  # two distinct OpenAI keys, each sent once


def test_demo_email_integrations_show_the_exact_fix(capsys) -> None:
    code, out, err = run_cli(capsys, "demo", "--format", "json")
    report = json.loads(out)
    by_name = {i["name"]: {c["id"]: c for c in i["checks"]} for i in report["integrations"]}
    assert by_name["Resend Email"]["resend.domain"]["status"] == "pass"
    assert by_name["SendGrid Email"]["sendgrid.sender"]["status"] == "pass"
    sub = by_name["Resend Email (subdomain not verified)"]["resend.domain"]
    assert sub["status"] == "fail" and "Add mail.good.example" in sub["remediation"]
    gone = by_name["Resend Email (DNS records deleted)"]
    assert "Add an MX record at send.gone.example: 10 feedback-smtp.us-east-1.amazonses.com" in gone["dns.mx"]["remediation"]
    assert 'TXT record at send.gone.example: "v=spf1 include:amazonses.com ~all"' in gone["dns.spf"]["remediation"]


@pytest.mark.parametrize("fmt", ["table", "json", "junit", "markdown", "prometheus"])
def test_no_sandbox_key_leaks_from_the_demo(capsys, fmt: str) -> None:
    from oneinbox_check.sandbox.scenario import KEYS

    code, out, err = run_cli(capsys, "demo", "--format", fmt, "-vv")
    for key in KEYS.values():
        assert key not in out and key not in err
        assert key[-12:] not in out and key[-12:] not in err


def test_sandbox_serve_prints_working_flags(tmp_path) -> None:
    """`sandbox serve` in a real process; `check` in another, with the flags it printed."""
    pytest.importorskip("uvicorn")
    import re
    import signal
    import time

    proc = subprocess.Popen([sys.executable, "-m", "oneinbox_check", "sandbox", "serve"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "Ctrl-C to stop" in line:
                break
        text = "".join(lines)
        command = next(l for l in lines if "oneinbox-check check MANIFEST" in l).split("MANIFEST", 1)[1].split()
        env = dict(os.environ)
        env.update(dict(re.findall(r"export (\w+)=(\S+)", text)))
        env.update(dict(re.findall(r"(ONEINBOX_SANDBOX(?:_WS)?)=(\S+)", text)))
        manifest = re.search(r"The demo manifest \(uses these variables\): (\S+)", text).group(1)
        check = subprocess.run([sys.executable, "-m", "oneinbox_check", "check", manifest, *command, "--format", "json"],
                               capture_output=True, text=True, timeout=120, env=env)
        report = json.loads(check.stdout)
        statuses = {i["name"]: i["status"] for i in report["integrations"]}
        assert statuses["OpenAI Production"] == "pass" and statuses["Cal.com Bookings"] == "pass"
        assert statuses["My Twilio Account"] == "pass" and statuses["Resend Email"] == "pass"
        assert check.returncode == 1
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_demo_shows_a_drift_section_with_every_kind_of_drift(capsys) -> None:
    from oneinbox_check.sandbox import scenario

    code, out, _ = run_cli(capsys, "demo")
    assert code == 1
    drift = out.split("Drift against OneInbox", 1)[1]
    for kind in ("drift.missing", "drift.orphan", "drift.duplicate", "drift.provider", "drift.key"):
        assert kind in drift, kind
    for key in scenario.KEYS.values():
        assert key not in out and key[-12:] not in out


def test_demo_json_report_has_no_drift_section(capsys) -> None:
    code, out, _ = run_cli(capsys, "demo", "--format", "json")
    assert code == 1 and "Drift against" not in out and json.loads(out)["summary"]["integrations"] > 0
