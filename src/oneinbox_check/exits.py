"""The exit codes (SPEC §5) and the one-line way the program says what went wrong on stderr.

Standard library only: the command line imports it before parsing.
"""

from __future__ import annotations

import sys

PROG = "oneinbox-check"

EXIT_OK = 0
EXIT_FAIL = 1  # at least one fail (or warn with --strict)
EXIT_USAGE = 2  # usage or input-file error; nothing probed
EXIT_UNDETERMINED = 3  # no fail, but at least one error: retry later
EXIT_INTERNAL = 70  # a bug
EXIT_OUTPUT = 74  # an output or state file could not be written after the run
EXIT_INTERRUPTED = 130


def error(message: object) -> None:
    """One stderr line: a path or name with a newline or an escape sequence cannot forge or hide lines."""
    from .secrets import clean, scrub

    print(f"{PROG}: error: {clean(scrub(str(message)), newlines=False)}", file=sys.stderr)


def warning(message: object) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)
