"""Name what the machine refused (disk full, read-only, permission, missing directory, a damaged
store) instead of calling it a bug: OS and SQLite errors become FreshnessErrors with a tip."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from freshness.errors import FreshnessError, LocalFaultError, StoreBusyError, StoreDamagedError, StoreError

_FULL_TIP = "Free some space on that disk (or point the command elsewhere) and run it again."


def os_fault(exc: OSError, *, doing: str, path: Path | str | None = None) -> FreshnessError:
    """A LocalFaultError for an OSError met while `doing` ("write the report", ...)."""
    where = path if path is not None else (exc.filename or "")
    target = f" {where}" if where else ""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return LocalFaultError(
            f"cannot {doing}{target}: the disk is full (no space left on device)", tip=_FULL_TIP
        )
    if code == errno.EROFS:
        return LocalFaultError(
            f"cannot {doing}{target}: it is on a read-only file system",
            tip="Point the command at a writable place, or remount the disk read-write.",
        )
    if code in (errno.EACCES, errno.EPERM):
        return LocalFaultError(
            f"cannot {doing}{target}: permission denied",
            tip="Check the owner and mode of that file and its directory (ls -ld).",
        )
    if code == errno.ENOENT:
        return LocalFaultError(
            f"cannot {doing}{target}: no such file or directory",
            tip="Check the path; create the directory first if it is meant to exist.",
        )
    if code in (errno.ENOTDIR, errno.EEXIST):  # EEXIST: mkdir met a file where a directory goes
        return LocalFaultError(f"cannot {doing}{target}: a part of the path is a file, not a directory")
    if code == errno.EIO:
        return LocalFaultError(
            f"cannot {doing}{target}: input/output error",
            tip="The disk may be failing or disconnected; check `dmesg` and the disk.",
        )
    return LocalFaultError(f"cannot {doing}{target}: {exc.strerror or exc}")


def store_fault(exc: sqlite3.Error, path: Path, *, doing: str = "write to") -> FreshnessError:
    """A named error for what SQLite said about the store at `path`."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    if primary == sqlite3.SQLITE_FULL or "disk is full" in text:
        return StoreError(f"cannot {doing} the store {path}: the disk is full", tip=_FULL_TIP)
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text:
        return damaged(path, text)
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
        return StoreBusyError(f"the store {path} is locked by another writer")
    if (
        primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM)
        or "readonly" in text
    ):
        return _not_writable(path, text, doing)
    if primary == sqlite3.SQLITE_IOERR:
        return StoreError(
            f"cannot {doing} the store {path}: input/output error ({text})",
            tip="The disk may be full, failing or disconnected; check `df` and `dmesg`.",
        )
    return StoreError(f"cannot {doing} the store {path}: {text}")


def damaged(path: Path, detail: str) -> StoreDamagedError:
    return StoreDamagedError(f"the store {path} is damaged ({detail}); nothing was written to it")


def _not_writable(path: Path, text: str, doing: str) -> FreshnessError:
    """Say which of file, directory, permission or mount is the problem."""
    directory = path.parent
    if not directory.exists():
        return LocalFaultError(
            f"cannot {doing} the store {path}: its directory {directory} does not exist",
            tip="Create it, or fix --db / FRESHNESS_DB.",
        )
    if path.exists() and not os.access(path, os.W_OK):
        return LocalFaultError(
            f"cannot {doing} the store {path}: the file is read-only ({text})",
            tip=f"Make it writable (chmod u+w {path}) or copy it somewhere writable and pass --db.",
        )
    if not os.access(directory, os.W_OK):
        return LocalFaultError(
            f"cannot {doing} the store {path}: its directory {directory} is not writable, and SQLite "
            f"needs to create {path.name}-wal and {path.name}-shm beside it ({text})",
            tip="Make the directory writable, or copy the store somewhere writable and pass --db.",
        )
    return LocalFaultError(
        f"cannot {doing} the store {path}: {text}",
        tip="Check the file system is mounted read-write and the file's owner and mode.",
    )
