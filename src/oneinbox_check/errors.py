"""Exceptions of oneinbox-check.

Errors are values inside a run (a probe returns ``error`` results, it does not
raise); exceptions are for the edges and for programming errors::

    OneInboxCheckError
    └── UsageError            bad command line, endpoint or nameserver: exit 2
        └── ManifestError     a manifest file that cannot be read or has no known shape: exit 2
"""

from __future__ import annotations


class OneInboxCheckError(Exception):
    """Base of every exception this package raises on purpose."""


class UsageError(OneInboxCheckError):
    """The invocation cannot be carried out; nothing was probed (exit 2)."""


class ManifestError(UsageError):
    """A manifest file cannot be read, parsed, or has none of the accepted shapes."""

    def __init__(self, source: str, message: str, line: int | None = None, column: int | None = None):
        self.source = source
        self.line = line
        self.column = column
        where = source
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {message}")
