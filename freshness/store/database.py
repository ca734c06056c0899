"""The store's database file: opening, the integrity check, transactions and migrations, and the one
chunked `IN (…)` query helper every table group uses.

Every write runs in one transaction (`BEGIN IMMEDIATE`), so a killed process leaves the store as it
was before the write. WAL mode lets readers (`freshness report`) read while a writer writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Self, TypeVar

from freshness.errors import StoreError
from freshness.migrations import MIGRATIONS

_IN_CHUNK = 500  # ids bound per `IN (…)`: well under SQLite's cap on host parameters (999 before 3.32)
_T = TypeVar("_T")


def select_in(db: sqlite3.Connection, sql: str, values: Sequence[_T]) -> Iterator[tuple[Any, ...]]:
    """Rows of `sql` for every value, `{marks}` in it standing for the `?` of one chunk of values."""
    for start in range(0, len(values), _IN_CHUNK):
        chunk = list(values[start : start + _IN_CHUNK])
        yield from db.execute(sql.replace("{marks}", ",".join("?" * len(chunk))), chunk)


class Database:
    """One SQLite database file, its connection and its transactions; the table groups of `Store`
    (freshness.store) build on it."""

    def __init__(self, db: sqlite3.Connection, path: Path, *, busy_timeout: float = 10.0) -> None:
        self.db = db
        self.path = path
        self.busy_timeout = busy_timeout

    @classmethod
    def open(cls, path: Path, *, busy_timeout: float = 10.0, check: bool = False) -> Self:
        """Open (creating it and its folder if needed) and bring the schema up to date. `check`: a
        writer's quick integrity check first (PRAGMA quick_check), so a damaged store is named and
        left alone instead of written to. OS and SQLite refusals are named (faults.py)."""
        from freshness.faults import os_fault, store_fault

        existed = path.exists() and str(path) != ":memory:"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise os_fault(exc, doing="create the store's directory", path=path.parent) from exc
        try:
            db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise store_fault(exc, path, doing="open") from exc
        store = cls(db, path, busy_timeout=busy_timeout)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            if check and existed:
                store.verify()
            store._migrate()
        except sqlite3.Error as exc:
            db.close()
            if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
                raise StoreError(f"{path} is not a freshness store (or is damaged): {exc}") from exc
            raise store_fault(exc, path, doing="open") from exc
        except BaseException:
            db.close()
            raise
        return store

    def verify(self) -> None:
        """Raise StoreDamagedError unless SQLite's quick integrity check passes (it reads every page
        once but skips index cross-checks: ~1 s a GB, see docs/reliability.md)."""
        from freshness.faults import damaged

        try:
            rows = [r[0] for r in self.db.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as exc:
            raise damaged(self.path, str(exc)) from exc
        if rows != ["ok"]:
            raise damaged(self.path, "; ".join(str(r) for r in rows))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions and migrations -------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: all of it is stored, or none of it. SQLite errors come out named
        (disk full, read-only, damaged: faults.py), never masked by a failed rollback."""
        from freshness.faults import store_fault

        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise store_fault(exc, self.path) from exc
        try:
            yield self.db
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                raise store_fault(exc, self.path) from exc
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise store_fault(exc, self.path) from exc

    def _rollback(self) -> None:
        # SQLite rolls back by itself on some errors (SQLITE_FULL, SQLITE_IOERR): a second ROLLBACK
        # would fail with "no transaction is active" and hide the real cause.
        if self.db.in_transaction:
            with suppress(sqlite3.Error):  # the error being raised is the one that matters
                self.db.execute("ROLLBACK")

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"the store {self.path} has schema version {current}, newer than this freshness "
                f"knows ({len(MIGRATIONS)})",
                tip="Upgrade freshness.",
            )
        for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.transaction() as db:
                migration(db)
                db.execute(f"PRAGMA user_version = {number}")
