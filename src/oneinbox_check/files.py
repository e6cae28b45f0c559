"""Writing files the way a scheduled job needs: atomically, so a reader (a
metrics collector, the next run) never sees half a file."""

from __future__ import annotations

import os


def _default_mode(path: str) -> int:
    """The existing file's mode, or what a plain open() would create (0666 less the umask)."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str, text: str, mode: int | None = None) -> None:
    """Write via a temporary file in the same folder and rename over *path*.

    The file gets *mode*, else the mode a reader such as a metrics collector
    expects (that of the file it replaces, or the usual default).
    """
    import tempfile

    from .errors import UsageError

    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".oneinbox-check-", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
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
