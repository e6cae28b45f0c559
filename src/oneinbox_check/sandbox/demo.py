"""``oneinbox-check demo``: check the bundled manifest against the sandbox,
in-process (no sockets for HTTP; the DNS responder listens on loopback)."""

from __future__ import annotations

import argparse
import os
from importlib import resources

from .. import cli
from ..manifest import build_entries, read_sources
from ..probes.registry import load_registry
from . import scenario
from .dns import DnsResponder
from .network import IN_PROCESS_BASE, FakeNetwork


def demo_manifest_path() -> str:
    return str(resources.files(__package__).joinpath("demo.toml"))


def demo_env(base: str) -> dict[str, str]:
    ws = base.replace("http://", "ws://", 1)
    return {**os.environ, **scenario.KEYS, **scenario.ENV, "ONEINBOX_SANDBOX": base, "ONEINBOX_SANDBOX_WS": ws}


def run_demo(args: argparse.Namespace) -> int:
    sandbox = scenario.build()
    registry = load_registry()
    raw = read_sources([demo_manifest_path()])
    entries = build_entries(raw, registry, demo_env(IN_PROCESS_BASE))
    with DnsResponder(sandbox.zone) as dns:
        args.nameserver = [dns.address] + list(args.nameserver)
        shows_table = not args.quiet and args.format == "table" and not args.output
        if shows_table:
            print("Checking the demo manifest against the built-in sandbox (fake providers, no real keys).\n")
        code = cli.execute(args, entries, registry, extra_endpoints=sandbox.endpoints(IN_PROCESS_BASE),
                           transport=sandbox.transport())
    if shows_table and code != 130:
        _show_drift(sandbox, entries, args)
    return code


def _show_drift(sandbox: FakeNetwork, entries: list, args: argparse.Namespace) -> None:
    """What `oneinbox-check drift` would say against the sandbox's OneInbox, which holds an
    earlier registration of the manifest — except that one entry was never registered, one
    key was rotated at the provider only, one integration is stored twice, one under another
    provider (the fake's "Deepgram STT" is stored as openai), and one is an orphan."""
    import anyio

    from ..drift import drift
    from ..report import render
    from ..secrets import Secret
    from .fakes.oneinbox import masked

    fake = sandbox.fake("oneinbox")
    stored = {i["name"] for i in fake.integrations}
    for entry in entries:
        integ = entry.integration
        if integ is None or integ.name in stored or integ.name == "Custom LLM":  # never registered
            continue
        shown = masked(integ.api_key.reveal()) if integ.api_key else "…"
        if integ.name == "Cal.com Bookings":
            shown = "cal…9q8r"  # the key was rotated in Cal.com, OneInbox still holds the old one
        fake.store(integ.name, integ.provider, shown)
        if integ.name == "Cartesia voice":
            fake.store(integ.name, integ.provider, shown)  # registered twice
    fake.store("Old Twilio (2025)", "twilio", "c0f…beef")
    key = Secret(scenario.KEYS["SANDBOX_ONEINBOX_KEY"])
    base = sandbox.endpoints(IN_PROCESS_BASE)["oneinbox"]

    async def job():  # type: ignore[no-untyped-def]
        return await drift(entries, base=base, key=key, timeout=args.timeout, retries=args.retries,
                           transport=sandbox.transport())

    result = anyio.run(job)
    width = cli._terminal_width() if os.isatty(1) else 120
    print("\nDrift against OneInbox (`oneinbox-check drift`: what the sandbox's OneInbox already stores):\n")
    print(render(result.report, "table", rich=False, color=False, verbose=False, strict=args.strict, width=width),
          end="")
