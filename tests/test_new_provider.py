"""A provider is its probe, its fake and its rows (issue 9): a throwaway email
provider, "AcmeMail", installed the way a third-party plugin is — a distribution
on the path whose entry points name its probe (``oneinbox_check.probes``) and its
fake (``oneinbox_check.sandbox_fakes``) — shows up everywhere the built-ins do,
with no file of oneinbox-check edited.

The plugin lives in tests/plugins/acmemail/ (a package and its ``.dist-info``);
its rows are tests/plugins/acmemail/rows_acmemail.py, dropped into a copy of
this test tree to show the cross-provider tables pick it up (and fail without it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

PLUGIN = ROOT / "tests" / "plugins" / "acmemail"
KEY = "am_AcmeSandboxValidKey0123456789abc"


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join([str(PLUGIN), str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _cli(*argv: str, stdin: str | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "oneinbox_check", *argv], input=stdin, capture_output=True,
                          text=True, env=_env(**extra), timeout=120, check=False)


def test_the_plugin_provider_is_listed_by_probes() -> None:
    out = _cli("probes")
    assert out.returncode == 0, out.stderr
    row = next(line for line in out.stdout.splitlines() if line.startswith("acmemail"))
    assert "key.auth" in row and "acmemail=https://api.acmemail.example" in row


def test_the_plugin_provider_is_in_the_manifest_schema() -> None:
    out = _cli("schema", "manifest")
    assert out.returncode == 0, out.stderr
    assert '"acmemail"' in out.stdout


def test_the_plugin_key_is_checked_and_masked_with_its_declared_prefix() -> None:
    body = json.dumps({"name": "acme", "provider": "acmemail", "api_key": KEY})
    out = _cli("check", "-", "--offline", "--format", "json", stdin=body)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    row = report["integrations"][0]
    assert row["masked_key"] == "am_…9abc" and KEY not in out.stdout
    assert {c["id"]: c["status"] for c in row["checks"]}["key.format"] == "pass"
    bad = _cli("check", "-", "--offline", "--format", "json", stdin=body.replace(KEY, "am_short"))
    assert {c["id"]: c["status"] for c in json.loads(bad.stdout)["integrations"][0]["checks"]}["key.format"] != "pass"


def test_the_plugin_key_is_found_in_the_environment_by_from_env_and_init(tmp_path: Path) -> None:
    out = _cli("check", "--from-env", "--offline", "--format", "json", ACMEMAIL_API_KEY=KEY)
    assert out.returncode == 0, out.stderr
    assert [i["provider"] for i in json.loads(out.stdout)["integrations"]] == ["acmemail"]
    init = _cli("init", str(tmp_path / "m.toml"), ACMEMAIL_API_KEY=KEY)
    assert init.returncode == 0, init.stderr
    text = (tmp_path / "m.toml").read_text()
    assert 'provider = "acmemail"' in text and "${ACMEMAIL_API_KEY}" in text and KEY not in text


def test_the_plugin_mail_dns_layout_is_offered_by_dns() -> None:
    out = _cli("dns", "--provider", "acmemail", "--region", "us", "example.com", "--offline", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["integrations"][0]["provider"] == "acmemail"
    refused = _cli("dns", "--provider", "acmemail", "--region", "mars", "example.com", "--offline")
    assert refused.returncode == 2 and "eu, us" in refused.stderr


def test_the_plugin_fake_joins_the_sandbox_and_the_demo() -> None:
    code = ("from oneinbox_check.sandbox import scenario; n = scenario.build(); "
            "print(sorted(scenario.KEYS)); print(sorted(n.endpoints('http://sandbox.invalid')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=60,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert "SANDBOX_ACMEMAIL_KEY" in out.stdout and "'acmemail'" in out.stdout
    demo = _cli("demo", "--format", "json")
    assert demo.returncode == 1, demo.stderr  # the demo has failures by design
    rows = {i["name"]: i for i in json.loads(demo.stdout)["integrations"]}
    acme = rows["AcmeMail transactional"]
    assert acme["status"] == "pass" and acme["masked_key"] == "am_…9abc"
    assert {c["id"]: c["status"] for c in acme["checks"]}["key.auth"] == "pass"  # answered by its fake


def test_without_the_plugin_nothing_of_it_remains() -> None:
    out = subprocess.run([sys.executable, "-m", "oneinbox_check", "probes"], capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.returncode == 0 and "acmemail" not in out.stdout


TABLES = ["tests/checks/test_keyformat.py", "tests/probes/test_auth_table.py", "tests/probes/test_keyformat.py",
          "tests/e2e/test_sandbox_faults.py", "tests/hostile/test_leaks.py"]


def _tables(tree: Path) -> subprocess.CompletedProcess[str]:
    """The cross-provider tables of a copy of this test tree, only their AcmeMail rows."""
    env = _env()
    env["PYTHONPATH"] = os.pathsep.join([str(PLUGIN), str(tree)])
    return subprocess.run([sys.executable, "-m", "pytest", "-rA", "-k", "acmemail", *TABLES], cwd=tree, capture_output=True, text=True, env=env, timeout=240, check=False)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    shutil.copytree(ROOT / "tests", root / "tests", ignore=shutil.ignore_patterns("__pycache__", "plugins"))
    shutil.copytree(ROOT / "fixtures", root / "fixtures")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")  # pytest's settings (anyio, markers)
    return root


def test_every_cross_provider_table_runs_the_plugins_rows(tree: Path) -> None:
    rows = tree / "tests" / "probes" / "test_acmemail.py"
    shutil.copy(PLUGIN / "rows_acmemail.py", rows)
    try:
        out = _tables(tree)
    finally:
        rows.unlink()
    assert out.returncode == 0, out.stdout[-3000:]
    passed = {line.split("::")[0] for line in out.stdout.splitlines() if line.startswith("PASSED ")}
    assert passed == {f"PASSED {table}" for table in TABLES}, out.stdout[-3000:]  # every table ran its rows


def test_a_plugin_provider_without_rows_fails_the_tables(tree: Path) -> None:
    out = _tables(tree)
    assert out.returncode == 1
    assert "provider acmemail has no rows" in out.stdout
