"""What the benchmarks share: result rows, the machine, the fake fleet, manifests
and measuring a command (wall, CPU, peak RSS of that one child)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

# ten providers whose probe makes one request per key; sandbox-shaped keys, a counter at the end
PROVIDERS: dict[str, tuple[str, str]] = {  # provider -> (endpoint name, key template with {n:06d})
    "openai": ("openai", "sk-proj-benchFAKEkeyQm3Vx8Lr2Tz6Hn1Wc9Pb4Ky7Dg5Js0Af3Ue8Io{n:06d}"),
    "anthropic": ("anthropic", "sk-ant-api03-benchFAKEkeyZq8Wv3Xt6Yr1Us4Tp7Oq2Nm5Lk9Jh0Gf3Ed6Cb8Az1Yx4Wv7Ut2Sr5Qp9On3Ml{n:06d}-AAAAAAAAAA"),
    "groq": ("groq", "gsk_benchFAKEkeyRevoked7Hq2Lp9Xw4Mz8Tc3Vb6Nd1Kf5Jg{n:06d}"),
    "shisa": ("shisa", "sk-benchFAKEkeyShisa7Hq2Lp9Xw4Mz8Tc3Vb6Nd1Kf{n:06d}"),
    "deepgram": ("deepgram", "9f8e7d6c5b4a39281706f5e4d3c2b1a098{n:06d}"),
    "assembly_ai": ("assemblyai", "4e1f0c2b9a8d7e6f4e1f0c2b9a{n:06d}"),
    "cartesia": ("cartesia", "sk_car_benchFAKEkeyW7x2Q{n:06d}"),
    "minimax": ("minimax", "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.benchFAKEkey{n:06d}"),
    "azure": ("azure", "4e1f0c2b9a8d7e6f4e1f0c2b9a{n:06d}"),
    "elevenlabs": ("elevenlabs", "sk_4e1f0c2b9a8d7e6f4e1f0c2b9a8d7e6f4e1f0c2b9a{n:06d}"),
}


@dataclass
class Row:
    """One figure: what was measured, its budget, and whether it is met."""

    figure: str
    measured: float
    unit: str
    budget: float | None = None  # None: informative only
    higher_is_better: bool = False
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.budget is None:
            return None
        return self.measured >= self.budget if self.higher_is_better else self.measured <= self.budget

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met}


@dataclass
class Context:
    smoke: bool
    out_dir: Path
    extra: dict[str, Any] = field(default_factory=dict)  # figures shared between modules (scaling -> plot)

    def n(self, full: int, smoke: int) -> int:
        return smoke if self.smoke else full


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal"))) // 1024
    except (OSError, StopIteration):
        mem = 0
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mib": mem, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "load_at_start": os.getloadavg()[0]}


@dataclass
class Measured:
    wall: float
    cpu: float
    rss_mib: float
    returncode: int
    stdout: str
    stderr: str


def measure(args: list[str], *, timeout: float = 600, stdin: str | None = None) -> Measured:
    """Run *args*; wall time, CPU time and peak RSS of that child alone (wait4 in
    ``rss.py``, a small process it is forked from: see there why)."""
    with tempfile.TemporaryDirectory() as tmp:
        figures = Path(tmp) / "figures.json"
        m = _measure([PY, "-I", str(Path(__file__).with_name("rss.py")), str(figures), str(timeout), *args],
                     timeout=timeout + 30, stdin=stdin)
        own = json.loads(figures.read_text())
    return Measured(own["wall"], own["cpu"], own["rss_kib"] / 1024, own["returncode"], m.stdout, m.stderr)


def measure_wall(args: list[str]) -> float:
    """The wall time of running *args* (no wrapper: start-up figures)."""
    return _measure(args).wall


def _measure(args: list[str], *, timeout: float = 600, stdin: str | None = None) -> Measured:
    started = time.perf_counter()
    done = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=timeout,
                          stdin=None if stdin else subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    return Measured(time.perf_counter() - started, 0.0, 0.0, done.returncode, done.stdout, done.stderr)


class Fleet:
    """The fake providers in their own process, one port each."""

    def __init__(self, count: int = len(PROVIDERS), latency: float = 0.0):
        self.proc = subprocess.Popen([PY, "-m", "bench.fakes", str(count), str(latency)], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.ports: list[int] = json.loads(self.proc.stdout.readline())["ports"]

    def command(self, line: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def latency(self, seconds: float) -> None:
        self.command(f"latency {seconds}")

    def stats(self) -> dict[str, Any]:
        return self.command("stats")

    def endpoints(self) -> dict[str, str]:
        return {endpoint: f"http://127.0.0.1:{port}" for (endpoint, _), port in zip(PROVIDERS.values(), self.ports)}

    def endpoint_flags(self) -> list[str]:
        return [f for name, url in self.endpoints().items() for f in ("--endpoint", f"{name}={url}")]

    def close(self) -> None:
        try:
            self.command("quit")
        except (OSError, ValueError):
            pass
        self.proc.wait(timeout=10)

    def __enter__(self) -> "Fleet":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def mixed_integrations(n: int, providers: list[str] | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """*n* integrations spread over the providers, each with its own key (one request each)."""
    names = providers or list(PROVIDERS)
    out = []
    for i in range(n):
        provider = names[i % len(names)]
        item = {"name": f"bench-{i}", "provider": provider, "api_key": PROVIDERS[provider][1].format(n=i + offset)}
        if provider == "azure":
            item["metadata"] = {"region": "eastus"}  # the probe needs it to make its request
        out.append(item)
    return out


def write_manifest(directory: Path, integrations: list[dict[str, Any]], name: str = "manifest.json") -> Path:
    path = directory / name
    path.write_text(json.dumps(integrations))
    return path


def check_cli(manifest: Path, fleet: Fleet | None, *extra: str) -> list[str]:
    """``check`` reading *manifest* from stdin (pass ``stdin=manifest.read_text()`` to :func:`measure`):
    keys handed over as a pre-create hook does, since a key written in a manifest file is an
    ``input.schema`` warn that would add a result to every integration."""
    flags = fleet.endpoint_flags() if fleet is not None else []
    return [PY, "-m", "oneinbox_check", "check", "-", "--format", "json", "-o", os.devnull, "-q",
            *flags, *extra]
