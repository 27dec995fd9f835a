"""Atomic file writes: a file is either its old self or completely the new one.

Game records, configs and results are written while people (or a crashed run, or
a full disk) can interrupt at any moment. Writing in place would leave a truncated
file behind; instead the data goes to a temporary file in the *same directory*
(so the final rename never crosses a filesystem), is flushed and fsynced, and
then ``os.replace`` swaps it in, which POSIX and Windows both make atomic. On any
error the temporary file is removed and the error re-raised, so nothing
half-written is ever left behind.
"""

from __future__ import annotations

import contextlib
import os
import uuid


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` atomically (see the module docstring)."""
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    temp = os.path.join(directory, f".{name}.{uuid.uuid4().hex[:12]}.tmp")
    # os.open with 0o666 (not tempfile.mkstemp's 0o600) so the final file gets the
    # permissions the user's umask gives any new file.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_directory(directory)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Replace the file at ``path`` with ``text`` atomically; no newline translation."""
    atomic_write_bytes(path, text.encode(encoding))


def _sync_directory(directory: str) -> None:
    """Persist the rename itself; best effort, as some systems cannot fsync a directory."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
