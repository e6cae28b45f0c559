"""Run a command and write its own wall time, CPU time and peak RSS as JSON to a file.

``python -I bench/rss.py OUT TIMEOUT CMD...`` (run by path, importing nothing but the
standard library). On Linux, a child's ``ru_maxrss`` also counts the memory of the
process it was forked from, up to the ``exec`` — the bench driver, tens of MiB by the
time the memory benchmark runs. Forked from this small process instead, the figure is
the command's own (this wrapper is ≈ 10 MiB, below any command measured).
"""

import json
import os
import subprocess
import sys
import time


def main() -> int:
    out, timeout, args = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    started = time.perf_counter()
    proc = subprocess.Popen(args)  # stdin, stdout and stderr are this wrapper's
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    wall = time.perf_counter() - started
    with open(out, "w") as f:
        json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kib": usage.ru_maxrss,
                   "returncode": os.waitstatus_to_exitcode(status)}, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
