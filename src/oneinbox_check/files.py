"""Writing the files a run produces (``--output``, ``--report``, ``--state``;
SPEC §13) the way a scheduled job needs.

- :func:`check_writable` runs before any request: a directory, a missing or
  unwritable folder is a usage error (exit 2) with nothing probed.
- :func:`write_output`: a regular file is replaced atomically (a reader — a
  metrics collector, the next run — never sees half a file); a symlink is
  followed and its target replaced, so the link stays; a character device or
  FIFO (``/dev/null``, ``/dev/stdout``, a named pipe) is written to, never
  replaced.
- A write that fails after the run (a full disk) raises :class:`WriteError`,
  which the command turns into exit 74.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable

from .errors import OneInboxCheckError, UsageError

_MAX_LINKS = 40
_MAGIC = ("/proc/", "/dev/fd/")  # links into a process's open files: write through them, never replace


def shown(path: str) -> str:
    """*path* safe for a one-line message: control characters and undecodable bytes escaped."""
    return repr(path)[1:-1] if not path.isprintable() else path


class WriteError(OneInboxCheckError):
    """An output or state file could not be written after the run (exit 74)."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


def _target(path: str) -> tuple[str, bool]:
    """The file *path* names after following symlinks, and whether it must be
    written in place (a link to an open file descriptor such as ``/dev/stdout``)."""
    current = os.path.abspath(path)
    for _ in range(_MAX_LINKS):
        folder, name = os.path.split(current)
        current = os.path.join(os.path.realpath(folder), name)
        if current.startswith(_MAGIC):
            return current, True
        if not os.path.islink(current):
            return current, False
        current = os.path.join(os.path.dirname(current), os.readlink(current))
    raise UsageError(f"{shown(path)}: too many levels of symbolic links")


def _kind(target: str) -> os.stat_result | None:
    try:
        return os.stat(target)
    except FileNotFoundError:
        return None


def check_writable(path: str, option: str) -> None:
    """Raise :class:`UsageError` unless *path* can be written by :func:`write_output`."""
    shown_ = f"{option} {shown(path)}"
    try:
        target, in_place = _target(path)
        st = _kind(target)
    except OSError as exc:
        raise UsageError(f"{shown_}: {exc.strerror or exc}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{shown_}: is a directory; give a file name")
    if in_place or (st is not None and not stat.S_ISREG(st.st_mode)):
        if st is not None and not (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)
                                   or stat.S_ISREG(st.st_mode)):
            raise UsageError(f"{shown_}: is neither a regular file, a character device nor a FIFO")
        if not os.access(target, os.W_OK):
            raise UsageError(f"{shown_}: is not writable")
        return
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise UsageError(f"{shown_}: the folder {shown(folder)} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{shown_}: the folder {shown(folder)} is not writable")
    if st is not None and not os.access(target, os.W_OK):
        raise UsageError(f"{shown_}: is not writable (read-only file)")


def write_output(path: str, text: str | Iterable[str], mode: int | None = None) -> None:
    """Write *text* to *path* by the rules above; raise :class:`WriteError` on failure.

    *mode* applies to a replaced or new regular file (default: the mode of
    the file it replaces, or what a plain ``open()`` would create).
    """
    try:
        target, in_place = _target(path)
        st = _kind(target)
        if in_place or (st is not None and not stat.S_ISREG(st.st_mode)):
            with open(target, "w", encoding="utf-8", errors="replace") as fh:
                fh.writelines([text] if isinstance(text, str) else text)
        else:
            write_atomic(target, text, mode)
    except (OSError, UsageError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise WriteError(f"cannot write {shown(path)}: {reason}", reason) from None


def _default_mode(path: str) -> int:
    """The existing file's mode, or what a plain open() would create (0666 less the umask)."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str, text: str | Iterable[str], mode: int | None = None) -> None:
    """Write via a temporary file in the same folder and rename over *path*
    (a regular file or none; :func:`write_output` decides).

    The file gets *mode*, else the mode a reader such as a metrics collector
    expects (that of the file it replaces, or the usual default). OSError
    propagates; the temporary file never stays behind.
    """
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".oneinbox-check-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as fh:
            fh.writelines([text] if isinstance(text, str) else text)
            fh.flush()
            os.fchmod(fh.fileno(), mode if mode is not None else _default_mode(path))
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
