"""Atomic file writes (a file is either its old self or completely the new one), and versioned JSON documents.

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
import json
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


def write_json_document(path: str | os.PathLike, kind: str, version: int, **fields) -> None:
    """Write ``{"format": kind, "version": version, **fields}`` as indented JSON, atomically."""
    data = {"format": kind, "version": version, **fields}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write_text(path, json.dumps(data, indent=1) + "\n")


def read_json_document(path: str | os.PathLike, kind: str, version: int, what: str) -> dict:
    """The JSON document at ``path`` written by ``write_json_document(path, kind, version, ...)``.

    ValueError, one line naming the file and ``what`` it should be, when it is not
    JSON, not a ``kind`` document, or of another version.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not {what} (bad JSON: {err})") from None
    if not isinstance(data, dict) or data.get("format") != kind:
        raise ValueError(f"{path} is not {what}")
    if data.get("version") != version:
        raise ValueError(f"{path} is {what} of format version {data.get('version')}; this Dosaku reads {version}")
    return data


def settings_differences(old: dict, new: dict, ignored: frozenset[str] = frozenset()) -> str:
    """``"key: old there, new now; ..."`` for every key whose value differs (except ``ignored``); "" if none."""
    changed = sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key) and key not in ignored)
    return "; ".join(f"{key}: {old.get(key)!r} there, {new.get(key)!r} now" for key in changed)
