"""``oneinbox-check demo``: check the bundled manifest against the sandbox,
in-process (no sockets for HTTP; the DNS responder listens on loopback)."""

from __future__ import annotations

import os
from importlib import resources

from ..exits import EXIT_INTERRUPTED
from ..manifest import RawItem, build_entries, read_sources
from ..outputs import terminal_width
from ..probes.registry import load_registry
from ..session import Options, Session, execute
from . import scenario
from .dns import DnsResponder
from .network import IN_PROCESS_BASE, FakeNetwork


def demo_manifest_path() -> str:
    return str(resources.files(__package__).joinpath("demo.toml"))


def demo_env(base: str) -> dict[str, str]:
    ws = base.replace("http://", "ws://", 1)
    return {**os.environ, **scenario.KEYS, **scenario.ENV, "ONEINBOX_SANDBOX": base, "ONEINBOX_SANDBOX_WS": ws}


def run_demo(options: Options) -> int:
    """Run the bundled manifest against the sandbox: its fakes answer in-process and its DNS
    responder on loopback; the rest (state, outputs, exit code) is an ordinary session."""
    sandbox = scenario.build()
    registry = load_registry()
    raw = read_sources([demo_manifest_path()])
    raw.integrations += [RawItem("<sandbox fakes>", i, dict(body), expand=True) for i, body in enumerate(scenario.DEMO)]
    entries = build_entries(raw, registry, demo_env(IN_PROCESS_BASE))
    output = options.output
    with DnsResponder(sandbox.zone) as dns:
        session = Session(entries, registry, endpoints=sandbox.endpoints(IN_PROCESS_BASE),
                          transport=sandbox.transport(), nameservers=[dns.address])
        shows_table = not output.quiet and output.format == "table" and not output.path
        if shows_table:
            print("Checking the demo manifest against the built-in sandbox (fake providers, no real keys).\n")
        code = execute(session, options).exit_code
    if shows_table and code != EXIT_INTERRUPTED:
        _show_drift(sandbox, entries, options)
    return code


def _show_drift(sandbox: FakeNetwork, entries: list, options: Options) -> None:
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
        return await drift(entries, base=base, key=key, timeout=options.timeout, retries=options.retries,
                           transport=sandbox.transport())

    result = anyio.run(job)
    width = terminal_width() if os.isatty(1) else 120
    print("\nDrift against OneInbox (`oneinbox-check drift`: what the sandbox's OneInbox already stores):\n")
    print(render(result.report, "table", rich=False, color=False, verbose=False, strict=options.strict, width=width),
          end="")
