"""The sandbox mirrors the probes: one fake module per provider, each exporting
its ``WIRING``, which the built-in scenario iterates (no hand-kept list)."""

from __future__ import annotations

import importlib.metadata
from importlib.metadata import EntryPoint

import httpx
import pytest

from oneinbox_check.probes.registry import load_registry
from oneinbox_check.sandbox import fakes, scenario
from oneinbox_check.sandbox.asgi import FakeApp, json_response
from oneinbox_check.sandbox.fakes import Wiring
from oneinbox_check.sandbox.network import IN_PROCESS_BASE, FakeNetwork


def _builtin_probe_modules() -> set[str]:
    registry = load_registry()
    return {type(registry.get(p)).__module__.rpartition(".")[2] for p in registry.providers
            if type(registry.get(p)).__module__.startswith("oneinbox_check.probes.")}


def test_every_builtin_probe_module_has_a_fake_module_of_the_same_name() -> None:
    assert _builtin_probe_modules() - set(fakes.wirings()) == set()


def test_every_probe_endpoint_is_served_by_a_fake() -> None:
    registry = load_registry()
    served = scenario.build().endpoints()
    wanted = {name for p in registry.providers for name in registry.get(p).endpoints}
    assert wanted - set(served) == set()


def test_a_fake_reached_through_a_manifest_url_is_mounted_but_not_an_endpoint() -> None:
    network = scenario.build()
    assert "ws" in network.fakes and "ws" not in network.endpoints()


def test_the_scenario_keys_are_every_fakes_keys() -> None:
    merged = {k: v for w in fakes.wirings().values() for k, v in w.keys.items()}
    assert scenario.KEYS == merged


def test_the_scenario_zones_are_every_fakes_zones() -> None:
    merged = {n: r for w in fakes.wirings().values() for n, r in w.zones().items()}
    assert scenario.zone_records() == merged and "send.good.example" in merged and "sg-good.example" in merged


def test_two_fakes_claiming_one_endpoint_is_an_error(monkeypatch) -> None:
    one = Wiring(apps=lambda: {"openai": FakeApp()})
    monkeypatch.setattr(scenario, "_WIRINGS", {"a": one, "b": one})
    with pytest.raises(ValueError, match="'openai' comes from both fakes.a and fakes.b"):
        scenario.build()


class _EchoFake(FakeApp):
    def setup(self) -> None:
        self.route("GET", "/ping", lambda r: json_response(200, {"pong": True}))


PLUGIN = "zz_example_plugin"  # a made-up plugin name no real provider will take
PLUGIN_WIRING = Wiring(apps=lambda: {PLUGIN: _EchoFake()}, keys={"SANDBOX_ZZ_EXAMPLE_PLUGIN_KEY": "key-sandboxFAKE"})


def _with_plugin(monkeypatch, value: str) -> None:
    """An installed distribution declaring ``zz_example_plugin = <value>`` in the fakes' entry point group."""
    ep = EntryPoint(name=PLUGIN, value=value, group=fakes.ENTRY_POINT_GROUP)
    original = importlib.metadata.entry_points

    def patched(**kw):  # type: ignore[no-untyped-def]
        return [ep] if kw.get("group") == fakes.ENTRY_POINT_GROUP else original(**kw)

    monkeypatch.setattr(importlib.metadata, "entry_points", patched)


@pytest.mark.anyio
async def test_a_plugins_fake_joins_the_sandbox_through_its_entry_point(monkeypatch) -> None:
    _with_plugin(monkeypatch, f"{__name__}:PLUGIN_WIRING")
    wirings = fakes.wirings()
    assert wirings[PLUGIN] is PLUGIN_WIRING
    monkeypatch.setattr(scenario, "_WIRINGS", wirings)
    network = scenario.build()
    async with httpx.AsyncClient(transport=network.transport()) as client:
        reply = await client.get(network.endpoints(IN_PROCESS_BASE)[PLUGIN] + "/ping")
    assert reply.json() == {"pong": True}


def test_a_broken_fake_plugin_is_left_out_with_a_warning(monkeypatch) -> None:
    _with_plugin(monkeypatch, "no_such_module_for_sandbox_fakes:WIRING")
    with pytest.warns(UserWarning, match=f"{PLUGIN!r} could not be loaded"):
        wirings = fakes.wirings()
    assert PLUGIN not in wirings and "openai" in wirings


@pytest.mark.anyio
async def test_the_in_process_transport_refuses_a_non_loopback_host() -> None:
    async with httpx.AsyncClient(transport=FakeNetwork({}).transport()) as client:
        with pytest.raises(httpx.ConnectError, match="not a loopback host"):
            await client.get("https://api.openai.com/v1/models")

