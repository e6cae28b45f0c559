"""The registry: every probe comes from the entry-point group, built-ins like plugins,
and what a probe declares (mask prefixes, options, top-level metadata) reaches the tool."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from oneinbox_check import docs
from oneinbox_check.models import CheckResult, Integration, Status
from oneinbox_check.probes import registry as registry_module
from oneinbox_check.probes._verdicts import accepted
from oneinbox_check.probes.probe import Option, Probe
from oneinbox_check.probes.registry import ENTRY_POINT_GROUP, load_registry

ROOT = Path(__file__).resolve().parents[2]
PROBES_DIR = ROOT / "src" / "oneinbox_check" / "probes"
NOT_PROVIDERS = {"__init__", "probe", "registry", "facts", "capabilities"}


def _declared() -> dict[str, str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return pyproject["project"]["entry-points"][ENTRY_POINT_GROUP]


def _fake_entry_points(monkeypatch, extra: list) -> None:
    real = list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group=None: [*reversed(real), *extra] if group == ENTRY_POINT_GROUP else [])


class _EP:
    def __init__(self, name: str, obj: object, value: str = "acme_plugin:Probe"):
        self.name, self.value, self._obj = name, value, obj

    def load(self) -> object:
        return self._obj


def test_every_provider_module_is_declared_as_an_entry_point() -> None:
    modules = {p.stem for p in PROBES_DIR.glob("*.py") if not p.stem.startswith("_") and p.stem not in NOT_PROVIDERS}
    declared = {value.split(":")[0].rpartition(".")[2] for value in _declared().values()}
    assert modules == declared


def test_the_installed_distribution_exposes_every_declared_probe() -> None:
    installed = {ep.name: ep.value for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert _declared().items() <= installed.items(), "re-install (pip install -e .) after editing pyproject.toml"


def test_builtins_are_loaded_from_the_group_with_no_list_of_their_own() -> None:
    assert not hasattr(registry_module, "BUILTIN")
    registry = load_registry()
    assert not registry.problems
    assert {type(p).__module__.rpartition(".")[2] for p in registry.unique()} == {
        v.split(":")[0].rpartition(".")[2] for v in _declared().values()}


def test_registry_order_does_not_depend_on_the_order_the_installer_wrote(monkeypatch) -> None:
    expected = load_registry().providers
    _fake_entry_points(monkeypatch, [])
    assert load_registry.__wrapped__().providers == expected


def test_a_plugin_cannot_take_a_builtin_providers_name(monkeypatch) -> None:
    class Impostor(Probe):
        providers = ("openai", "acme")

    _fake_entry_points(monkeypatch, [_EP("aaa", Impostor)])
    registry = load_registry.__wrapped__()
    assert type(registry.get("openai")).__name__ == "OpenAIProbe"
    assert isinstance(registry.get("acme"), Impostor)


def test_a_plugin_that_is_not_a_probe_is_skipped_with_a_problem(monkeypatch) -> None:
    _fake_entry_points(monkeypatch, [_EP("notaprobe", object)])
    registry = load_registry.__wrapped__()
    assert "openai" in registry.providers
    assert any("notaprobe" in p and "not a Probe subclass" in p for p in registry.problems)


def test_no_probes_at_all_is_reported_as_a_problem(monkeypatch) -> None:
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group=None: [])
    registry = load_registry.__wrapped__()
    assert registry.providers == [] and any("no probes found" in p for p in registry.problems)


def test_mask_prefixes_are_the_probes_declarations_longest_first() -> None:
    registry = load_registry()
    prefixes = registry.mask_prefixes()
    declared = [p for probe in registry.unique() for p in probe.mask_prefixes]
    assert sorted(prefixes) == sorted(set(declared))  # every declaration, each once, nothing else
    today = {"sk-ant-admin01-", "sk-ant-api03-", "sk-svcacct-", "sk-admin-", "sk-proj-", "sk-ant-", "cal_live_",
             "cal_test_", "sk-api-", "sk-cp-", "sk_car_", "gsk_", "cal_", "sk-", "sk_", "SG.", "re_", "KEY"}
    assert today <= set(prefixes), today - set(prefixes)  # a new provider adds prefixes, never drops these
    assert [len(p) for p in prefixes] == sorted((len(p) for p in prefixes), reverse=True)


def test_importing_secrets_imports_no_probe() -> None:
    code = ("import sys, oneinbox_check.secrets as s; "
            "print(sorted(m for m in sys.modules if m.startswith('oneinbox_check.probes')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr


def test_cli_option_table_equals_the_probes_declarations() -> None:
    committed = (ROOT / "src" / "oneinbox_check" / "_probe_options.py").read_text(encoding="utf-8")
    assert committed == docs.render_options(), "_probe_options.py is stale: run `python -m oneinbox_check.docs`"


def test_calcom_declares_its_days_option() -> None:
    (days,) = load_registry().get("calcom").options
    assert (days.name, days.type, days.default, days.low, days.high, days.flag) == (
        "calcom_days", int, 14, 1, 365, "--calcom-days")


@pytest.mark.parametrize(("value", "message"), [
    ("x", "'x' is not a whole number of days"), (0, "must be between 1 and 365"), ("366", "must be between 1 and 365"),
    (True, "is not a whole number of days"), (2.5, "is not a whole number of days"),
])
def test_option_refuses_values_outside_its_declaration(value: object, message: str) -> None:
    days = load_registry().get("calcom").options[0]
    with pytest.raises(ValueError, match=message):
        days.parse(value)


def test_option_values_are_parsed_by_their_declaration_and_others_pass_through() -> None:
    values = load_registry().option_values({"calcom_days": "30", "min_balance": []})
    assert values == {"calcom_days": 30, "min_balance": []}
    with pytest.raises(ValueError, match="calcom_days"):
        load_registry().option_values({"calcom_days": 10**9})


def test_a_float_option_takes_whole_numbers_too() -> None:
    assert Option("x", float, 1.0, "help", low=0.5, high=2.0).parse(2) == 2.0


def test_top_level_metadata_is_what_the_probe_declares() -> None:
    registry = load_registry()
    assert registry.top_level_metadata("custom") == ("custom_websocket_url",)
    assert registry.top_level_metadata("openai") == ()


def test_a_top_level_field_the_probe_does_not_take_is_a_warning_not_metadata() -> None:
    from oneinbox_check.manifest import RawItem, RawManifest, build_entries

    body = {"name": "a", "provider": "groq", "api_key": "gsk_" + "a1" * 26, "custom_websocket_url": "wss://x.test/ws"}
    (entry,) = build_entries(RawManifest(integrations=[RawItem("<test>", 0, body, False)]), load_registry(), {})
    assert "custom_websocket_url" not in entry.integration.metadata
    assert any("unknown top-level key 'custom_websocket_url'" in w for w in entry.warnings)


def test_register_posts_the_declared_top_level_fields_at_top_level() -> None:
    from oneinbox_check.register import body_of

    integration = Integration.model_validate({"name": "llm", "provider": "custom",
                                              "metadata": {"custom_websocket_url": "wss://llm.test/ws"}})
    assert body_of(integration)["custom_websocket_url"] == "wss://llm.test/ws"


def test_verdict_helpers_read_the_title_of_the_probe_the_context_carries() -> None:
    class Acme(Probe):
        providers = ("acme",)
        title = "Acme Cloud"

    ctx = Acme().context(integration=Integration(name="a", provider="acme"), metadata=None, key=None, tools=[],
                         http=None, dns=None, endpoints={})
    result = accepted(ctx)
    assert isinstance(result, CheckResult) and result.status == Status.PASS
    assert result.summary == "Acme Cloud accepted the key"
