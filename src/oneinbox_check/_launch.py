"""The program's entry point (the console script and ``python -m oneinbox_check``).

``oneinbox-check --version`` is answered here, before :mod:`cli` and its argparse,
logging and report imports are loaded: start-up is most of what ``--version``
costs (issue 12). Everything else goes to :func:`cli.main`, whose own
``--version`` (e.g. after other global flags) prints the same line.
"""

from __future__ import annotations

import sys


def main() -> int:
    if sys.argv[1:] == ["--version"]:
        return _version()
    from .cli import main as cli_main

    return cli_main()


def _version() -> int:
    from ._version import __version__
    from .exits import EXIT_OUTPUT, PROG, error

    try:
        print(f"{PROG} {__version__}", flush=True)  # nothing (no traceback) when stdout is closed
    except OSError as exc:  # a full disk, a closed pipe
        import os

        error(f"cannot write the version to stdout: {exc.strerror or exc}")
        try:  # what is still buffered must not fail again, with a traceback, at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_OUTPUT
    return 0
