"""Worker processes: many claims' matches shared among fresh interpreters, one per CPU, each reading
the store file on its own connection."""

from __future__ import annotations

import datetime as dt
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from freshness.errors import FreshnessError, StoreError
from freshness.matching.matcher import matcher_for
from freshness.matching.settings import DEFAULT_SETTINGS, MatchSettings
from freshness.models import CitationIndex, Claim, Match, Velocity
from freshness.store import Store

log = logging.getLogger(__package__)  # the matcher's one logger, "freshness.matching"


@dataclass(frozen=True)
class _Task:
    """One claim to match (at most `limit` matches) and, when `today` is given, its velocity."""

    claim: Claim
    limit: int
    today: dt.date | None = None
    settings: MatchSettings = DEFAULT_SETTINGS
    citations: CitationIndex | None = None  # who cites the claim's anchors (from the store)

    def run(self, store: Store) -> tuple[list[Match], Velocity | None]:
        matcher = matcher_for(store, self.settings, self.citations)
        matches = matcher.match(self.claim, limit=self.limit)
        velocity = (
            None if self.today is None else matcher.velocity(self.claim, today=self.today, matches=matches)
        )
        return matches, velocity


_Done = dict[str, tuple[list[Match], "Velocity | None"]]


def _run_tasks(store: Store, tasks: Sequence[_Task], workers: int | None, settings: MatchSettings) -> _Done:
    """Each task's answer by claim id: in worker processes from `settings.parallel_from` tasks on (or
    when `workers` says so), else (or when a worker fails) in this process."""
    if workers is None:
        workers = (os.cpu_count() or 1) if len(tasks) >= settings.parallel_from else 1
    workers = min(workers, len(tasks))
    if workers > 1:
        try:
            return _match_in_workers(store.path, tasks, workers, settings.worker_batch)
        except FreshnessError as exc:
            if isinstance(exc, StoreError):
                raise
            log.warning("matching in this process instead: %s", exc)
    return {t.claim.id: t.run(store) for t in tasks}


# A worker is a fresh interpreter (not a fork: a forked child would inherit this process's open
# SQLite connection, which SQLite forbids; and not multiprocessing's "spawn", which re-runs the
# caller's main module). It takes its import path, then the store path, then lists of tasks, each
# answered in turn, on stdin until it closes.
_WORKER = (
    "import pickle, sys; sys.path[:0] = pickle.load(sys.stdin.buffer); "
    "from freshness.matching.workers import _serve; _serve(sys.stdin.buffer, sys.stdout.buffer)"
)


def _match_in_workers(path: Path, tasks: Sequence[_Task], workers: int, batch: int) -> _Done:
    """Run `tasks` in `workers` processes, each taking `batch` tasks at a time. A worker takes the next
    batch when it has answered one, so a worker slowed by another job on its core takes fewer: dealing
    the claims out up front left the whole call waiting for the slower worker on this shared machine
    (docs/benchmarks.md)."""
    batches = _Batches([list(tasks[i : i + batch]) for i in range(0, len(tasks), batch)])
    procs = _start_workers(workers)
    header = pickle.dumps(list(sys.path)) + pickle.dumps(str(path))
    pool = ThreadPoolExecutor(workers)
    try:
        answers = list(pool.map(lambda pe: _drive(pe[0], pe[1], header, batches), procs))
    except BaseException:  # Ctrl-C, a failed worker: no worker outlives the call
        batches.failed.set()
        _end_workers(procs, kill=True)
        raise
    finally:
        pool.shutdown(wait=True)
        _end_workers(procs, kill=False)
    out: _Done = {}
    for answer in answers:
        out.update(answer)
    return out


class _Batches:
    """The batches of tasks the workers take in turn; none once a worker has failed."""

    def __init__(self, batches: list[list[_Task]]) -> None:
        self._batches = iter(batches)
        self._lock = threading.Lock()
        self.failed = threading.Event()

    def next(self) -> list[_Task] | None:
        with self._lock:
            return None if self.failed.is_set() else next(self._batches, None)


def _start_workers(workers: int) -> list[tuple[subprocess.Popen[bytes], BinaryIO]]:
    """`workers` fresh interpreters running _WORKER, each with a temporary file for its stderr."""
    procs: list[tuple[subprocess.Popen[bytes], BinaryIO]] = []
    try:
        for _ in range(workers):
            errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _end_workers, after the worker ends
            proc = subprocess.Popen(  # noqa: S603 - this interpreter, running this module's _WORKER
                [sys.executable, "-c", _WORKER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
            procs.append((proc, errors))
    except OSError as exc:
        _end_workers(procs, kill=True)
        raise FreshnessError(f"cannot start a matching worker: {exc}") from exc
    return procs


def _drive(proc: subprocess.Popen[bytes], errors: BinaryIO, header: bytes, batches: _Batches) -> _Done:
    """Feed one worker batches until none are left; its answers, or a FreshnessError."""
    stdin, stdout = proc.stdin, proc.stdout
    if stdin is None or stdout is None:  # never: both are pipes
        raise FreshnessError("a matching worker has no pipes")
    out: _Done = {}
    try:
        stdin.write(header)
        while (batch := batches.next()) is not None:
            pickle.dump(batch, stdin)
            stdin.flush()
            kind, value = pickle.load(stdout)  # noqa: S301 - our own worker, over its pipe
            if kind == "error":
                message, tip = value
                raise StoreError(message, tip=tip)
            out.update(value)
        stdin.close()
        proc.wait()
    except StoreError:
        batches.failed.set()
        raise
    except Exception:  # whatever a dead worker left (a broken pipe, a cut answer): its stderr
        batches.failed.set()
        proc.kill()
        proc.wait()
        errors.seek(0)
        last = errors.read().decode(errors="replace").strip().splitlines()[-1:] or [
            f"exit code {proc.returncode}"
        ]
        raise FreshnessError(f"a matching worker failed: {last[0]}") from None
    return out


def _end_workers(procs: Sequence[tuple[subprocess.Popen[bytes], BinaryIO]], *, kill: bool) -> None:
    for proc, errors in procs:
        if kill:
            proc.kill()
        proc.wait()
        errors.close()


def _serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """A worker's side of `_run_tasks`: read the store path, then run each batch of tasks on its own
    connection and answer it, until stdin closes."""
    path = pickle.load(stdin)  # noqa: S301 - our parent's job, over our stdin
    store: Store | None = None
    try:
        while True:
            try:
                tasks: list[_Task] = pickle.load(stdin)  # noqa: S301 - our parent's job, over our stdin
            except EOFError:
                return
            try:
                if store is None:
                    store = Store.open(Path(path))
                answer: tuple[str, object] = ("ok", {t.claim.id: t.run(store) for t in tasks})
            except FreshnessError as exc:
                answer = ("error", (str(exc), exc.tip))
            pickle.dump(answer, stdout)
            stdout.flush()
    finally:
        if store is not None:
            store.close()
