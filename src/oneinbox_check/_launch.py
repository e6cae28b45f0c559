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
        from ._version import __version__
        from .exits import PROG

        print(f"{PROG} {__version__}")  # nothing (no traceback) when stdout is closed, as argparse's --version
        return 0
    from .cli import main as cli_main

    return cli_main()
