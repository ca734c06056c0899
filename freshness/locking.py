"""One writer at a time: an OS lock on a file beside the store, held for a whole nightly cycle.

`fcntl.flock` is released by the kernel when the holding process exits, however it exits (even
`kill -9`), so a crash never leaves a stale lock behind. The lock file also records who holds it
(pid, command, since) so that the process that has to give up can say whom it waited for. Readers
(`freshness report`) never take this lock: SQLite's WAL mode lets them read during a write.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from freshness.errors import StoreBusyError
from freshness.models import utc_iso

log = logging.getLogger(__name__)

DEFAULT_LOCK_WAIT = 10.0  # seconds a second writer waits before giving up
_POLL_INTERVAL = 0.1


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or last held) the writer lock."""

    pid: int
    command: str
    since: dt.datetime

    def describe(self) -> str:
        return f"pid {self.pid} (freshness {self.command}) since {utc_iso(self.since)}"


def lock_path_for(db_path: Path) -> Path:
    """`<db>.writer-lock`, beside the store's real file: the same store reached through a symlink
    (or a relative path) is guarded by the same lock."""
    real = db_path.resolve() if str(db_path) != ":memory:" else db_path
    return real.parent / (real.name + ".writer-lock")


@contextlib.contextmanager
def writer_lock(
    db_path: Path,
    *,
    command: str,
    now: dt.datetime,
    wait: float = DEFAULT_LOCK_WAIT,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[LockHolder]:
    """Hold the store's writer lock for the block; wait up to `wait` seconds for another holder.

    Raises StoreBusyError naming the holder when the wait runs out.
    """
    path = lock_path_for(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        from freshness.faults import os_fault

        raise os_fault(exc, doing="create the writer lock", path=path) from exc
    try:
        deadline = clock() + wait
        while not _try_lock(fd):
            if clock() >= deadline:
                holder = _read_holder(fd)
                who = holder.describe() if holder else "another process"
                raise StoreBusyError(
                    f"the store {db_path} is busy: {who} holds its writer lock; gave up after {wait:g} s"
                )
            sleep(_POLL_INTERVAL)
        me = LockHolder(os.getpid(), command, now)
        _write_holder(fd, me)
        log.debug("writer lock %s taken by %s", path, me.describe())
        try:
            yield me
        finally:
            os.ftruncate(fd, 0)  # the lock is free: no holder to name (a killed holder's record is
            fcntl.flock(fd, fcntl.LOCK_UN)  # simply overwritten by the next one)
    finally:
        os.close(fd)


def current_holder(db_path: Path) -> LockHolder | None:
    """Who holds the writer lock right now, or None when it is free (never blocks). The lock's read
    side, for a look from outside the holding process: the tests of every writer command check with
    it that the command holds the lock while it runs and releases it after."""
    path = lock_path_for(db_path)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        if _try_lock(fd):
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        return _read_holder(fd)
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _write_holder(fd: int, holder: LockHolder) -> None:
    data = json.dumps(
        {"pid": holder.pid, "command": holder.command, "since": holder.since.isoformat()}
    ).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _read_holder(fd: int) -> LockHolder | None:
    """The holder's record; None if it is empty or half-written (the holder is still writing it)."""
    try:
        raw = os.pread(fd, 4096, 0)
        data = json.loads(raw)
        return LockHolder(int(data["pid"]), str(data["command"]), dt.datetime.fromisoformat(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
