"""Pacing across processes: at most one request per `delay` seconds, one at a time, for every
freshness process that shares a store, through a stamped lock file beside it.

arXiv's terms of use ask for "no more than one request every three seconds ... a single connection at
a time" from all machines combined: two processes polling the same store (cron and a manual run) must
share one pace, so the time of the last request lives in the lock file, not in a process.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from freshness.errors import SourceUnavailable

# Pacing is part of polite HTTP: its warnings keep the logger name service logs show for it.
log = logging.getLogger("freshness.http")

# A pacing stamp this far past the clock cannot be a request made by anyone: the clock moved back.
_FUTURE_SLACK = 1.0


class BudgetSpent(SourceUnavailable):
    """The poll's (or the request's) wall-clock budget ran out."""


class RateLimiter:
    """At most one request per `delay` seconds, one at a time, across processes.

    The slot is a `flock` on `lock_path` (beside the store), which also holds the time of the last
    request, so a second freshness process waits its turn instead of doubling the rate. A stamp in
    the future (the clock was set back) is read as "now": it costs one `delay`, never hours.
    """

    def __init__(
        self,
        delay: float,
        lock_path: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.delay = delay
        self.lock_path = lock_path
        self.clock = clock
        self.sleep = sleep
        self._last = 0.0
        self.request_times: list[float] = []  # when each slot was entered, by `clock`

    @contextlib.contextmanager
    def slot(self, *, deadline: float | None = None) -> Iterator[None]:
        """Wait for this process's and every other process's last request to be `delay` old, then
        hold the slot (no one else may request) until the block ends. Raises BudgetSpent instead of
        waiting past `deadline`."""
        fd = self._open_lock()
        try:
            now = self.clock()
            last = max(self._last, _read_stamp(fd))
            if last > now + _FUTURE_SLACK:
                log.warning(
                    "the last arXiv request is stamped %.0f s in the future (%s): the clock was set "
                    "back; counting it as made now",
                    last - now,
                    self.lock_path or "this process",
                )
                last = now
            wait = last + self.delay - now
            if wait > 0:
                if deadline is not None and now + wait > deadline:
                    raise BudgetSpent(
                        f"waiting {wait:.0f} s for the next request slot would pass the poll's time budget"
                    )
                self.sleep(wait)
            self.request_times.append(self.clock())
            try:
                yield
            finally:
                self._last = self.clock()
                _write_stamp(fd, self._last)
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _open_lock(self) -> int | None:
        if self.lock_path is None:
            return None
        try:
            self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # raised as a named fault, not retried as a network error
            from freshness.faults import os_fault

            raise os_fault(exc, doing="open the arXiv pacing file", path=self.lock_path) from exc
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd


def _read_stamp(fd: int | None) -> float:
    if fd is None:
        return 0.0
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 64).decode("ascii", "replace").strip()
    try:
        value = float(raw) if raw else 0.0
    except ValueError:
        return 0.0
    return value if value == value and value != float("inf") else 0.0  # nan/inf: no stamp


def _write_stamp(fd: int | None, when: float) -> None:
    if fd is None:
        return
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, f"{when:.6f}\n".encode("ascii"))


def pacing_path_for(db_path: Path) -> Path:
    """`<db>.arxiv-lock` beside the store's real file: the same store reached through a symlink
    shares one pacing stamp (and so one request every 3 s)."""
    real = db_path.resolve()
    return real.parent / (real.name + ".arxiv-lock")
