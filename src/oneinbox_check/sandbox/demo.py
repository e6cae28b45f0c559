"""``oneinbox-check demo``: check the bundled manifest against the sandbox,
in-process (no sockets for HTTP; the DNS responder listens on loopback)."""

from __future__ import annotations

import argparse
import os
from importlib import resources

from .. import cli
from ..manifest import build_entries, read_sources
from ..probes._base import load_registry
from . import scenario
from .dns import DnsResponder
from .world import IN_PROCESS_BASE


def demo_manifest_path() -> str:
    return str(resources.files(__package__).joinpath("demo.toml"))


def demo_env(base: str) -> dict[str, str]:
    ws = base.replace("http://", "ws://", 1)
    return {**os.environ, **scenario.KEYS, "ONEINBOX_SANDBOX": base, "ONEINBOX_SANDBOX_WS": ws,
            "SANDBOX_TWILIO_SID": scenario.TWILIO_SID}


def run_demo(args: argparse.Namespace) -> int:
    sandbox = scenario.build()
    registry = load_registry()
    raw = read_sources([demo_manifest_path()])
    entries = build_entries(raw, registry, demo_env(IN_PROCESS_BASE))
    with DnsResponder(sandbox.zone) as dns:
        args.nameserver = [dns.address] + list(args.nameserver)
        if not args.quiet and args.format == "table":
            print("Checking the demo manifest against the built-in sandbox (fake providers, no real keys).\n")
        return cli.execute(args, entries, registry, extra_endpoints=sandbox.endpoints(IN_PROCESS_BASE),
                           transport=sandbox.transport())
