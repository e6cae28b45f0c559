"""``python -m bench [--smoke] [--only NAME ...]``: run the benchmarks, print every
figure next to its budget, write ``results.json`` and the table in ``README.md``.

``--smoke`` runs each benchmark with tiny sizes in seconds (CI keeps the
harness working; its figures mean nothing and are written to ``--out`` only).
"""

from __future__ import annotations

import argparse
import compileall
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from . import dns_bench, live, memory, plot, startup
from .common import ROOT, Context, Row, machine

HERE = Path(__file__).resolve().parent
BENCHMARKS = {"startup": startup, "live": live, "dns": dns_bench, "memory": memory, "plot": plot}
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def table(rows: list[Row]) -> str:
    lines = ["| figure | measured | budget | met | note |", "|---|---|---|---|---|"]
    for r in rows:
        budget = "—" if r.budget is None else ("≥ " if r.higher_is_better else "≤ ") + f"{r.budget:g} {r.unit}"
        met = {True: "yes", False: "**no**", None: ""}[r.met]
        lines.append(f"| {r.figure} | {r.measured:g} {r.unit} | {budget} | {met} | {r.note} |")
    return "\n".join(lines)


def update_readme(path: Path, text: str) -> None:
    readme = path.read_text()
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        readme = head + BEGIN + "\n" + text + "\n" + END + rest.split(END, 1)[1]
    else:
        readme += f"\n{BEGIN}\n{text}\n{END}\n"
    path.write_text(readme)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds; nothing written to bench/")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these benchmarks")
    parser.add_argument("--out", type=Path, help="directory for results.json and the plot (default: bench/)")
    args = parser.parse_args(argv)
    out = args.out or (HERE if not args.smoke else None)
    if out is None:
        parser.error("--smoke needs --out (the committed figures are not overwritten by a smoke run)")
    out.mkdir(parents=True, exist_ok=True)
    ctx = Context(smoke=args.smoke, out_dir=out)
    # the checker runs from source: byte-compile it once, as an installed wheel is, so that no run pays for
    # compiling the modules it imports (PYTHONDONTWRITEBYTECODE, set on this machine, would make every run do so)
    compileall.compile_dir(str(ROOT / "src"), quiet=1)
    host = machine()
    started = time.perf_counter()
    rows: list[Row] = []
    for name, module in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        new = module.run(ctx)
        rows += new
        print(f"## {name} ({time.perf_counter() - t0:.1f} s)\n{table(new)}\n", flush=True)
    total = time.perf_counter() - started
    result = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "smoke": args.smoke, "seconds": round(total, 1),
              "machine": host, "rows": [r.as_dict() for r in rows]}
    (out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    missed = [r.figure for r in rows if r.met is False]
    print(f"{len(rows)} figures in {total:.0f} s; budgets missed: {len(missed)}")
    if not args.smoke and not args.only:
        desc = (f"{result['date']}: {host['cores']} cores ({host['cpu']}), {host['memory_mib']} MiB, "
                f"Python {host['python']}, {host['system']}; load average {host['load_at_start']:.1f} at the start "
                f"(the machine is shared); whole bench {total:.0f} s.")
        update_readme(HERE / "README.md", desc + "\n\n" + table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
