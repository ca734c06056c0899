"""The SQLite store: opens and migrates (migrations.py), papers (newest version wins), FTS5 index, poll state.

Every write runs in one transaction (`BEGIN IMMEDIATE`), so a killed process leaves the store as it
was before the write. WAL mode lets readers (`freshness report`) read while a writer writes.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from freshness.errors import StoreBusyError, StoreError
from freshness.migrations import MIGRATIONS
from freshness.models import (
    AnchorStatus,
    ClaimStatus,
    Match,
    Paper,
    PaperVersion,
    Stance,
    StoreSummary,
    merge_papers,
    utc_iso,
)

# Re-exported: callers that already hold a Store import these with it.
from freshness.models import DecisionKind as DecisionKind
from freshness.models import SourceState as SourceState


@dataclass(frozen=True)
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.added + other.added, self.updated + other.updated, self.unchanged + other.unchanged
        )


@dataclass(frozen=True)
class StoredAnchorCheck:
    arxiv_id: str
    status: AnchorStatus
    title: str | None
    latest_version: int | None
    detail: str
    checked_at: dt.datetime
    latest_date: dt.date | None = None


@dataclass(frozen=True)
class StoredRun:
    id: int
    day: dt.date
    started_at: dt.datetime
    finished_at: dt.datetime
    outcome: str
    stale: bool
    poll: str


@dataclass(frozen=True)
class StoredRunClaim:
    claim_id: str
    status: ClaimStatus
    reasons: tuple[str, ...]
    matches: tuple[Match, ...]


@dataclass(frozen=True)
class StoredDecision:
    id: int
    claim_id: str
    arxiv_id: str | None
    kind: DecisionKind
    reason: str | None
    until: dt.date | None
    created_at: dt.datetime


_PAPER_COLUMNS = (
    "rowid, arxiv_id, version, title, abstract, authors, categories, comments, journal_ref, doi, "
    "published, updated, withdrawn"
)
_SELECT_PAPERS = f"SELECT {_PAPER_COLUMNS} FROM papers"
_IN_CHUNK = 500  # ids bound per `IN (…)`: well under SQLite's cap on host parameters (999 before 3.32)
_T = TypeVar("_T")


def _select_in(db: sqlite3.Connection, sql: str, values: Sequence[_T]) -> Iterator[tuple[Any, ...]]:
    """Rows of `sql` for every value, `{marks}` in it standing for the `?` of one chunk of values."""
    for start in range(0, len(values), _IN_CHUNK):
        chunk = list(values[start : start + _IN_CHUNK])
        yield from db.execute(sql.replace("{marks}", ",".join("?" * len(chunk))), chunk)


class Store:
    """One SQLite database file. Open with `Store.open(path)`; close with `close()` or `with`."""

    def __init__(self, db: sqlite3.Connection, path: Path, *, busy_timeout: float = 10.0) -> None:
        self.db = db
        self.path = path
        self.busy_timeout = busy_timeout
        self._summary: tuple[tuple[int, int], StoreSummary] | None = None

    @classmethod
    def open(cls, path: Path, *, busy_timeout: float = 10.0, check: bool = False) -> Store:
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

    def __enter__(self) -> Store:
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

    # -- papers ------------------------------------------------------------------------------------

    def upsert_papers(self, papers: Iterable[Paper], *, source: str, now: dt.datetime) -> UpsertCounts:
        """Store papers in one transaction. A newer version replaces an older one, never the reverse;
        the same version only fills in what the stored copy lacks (an RSS item has no comments)."""
        batch = list(papers)
        if not batch:
            return UpsertCounts()
        with self.transaction() as db:
            return self._upsert(db, batch, source, now)

    def _upsert(
        self, db: sqlite3.Connection, batch: list[Paper], source: str, now: dt.datetime
    ) -> UpsertCounts:
        latest: dict[str, Paper] = {}
        for p in batch:  # the same id twice in one batch: keep the newer
            old = latest.get(p.arxiv_id)
            latest[p.arxiv_id] = p if old is None else merge_papers(old, p)
        existing = self._get_many(db, list(latest))
        stamp = utc_iso(now)
        added = updated = unchanged = 0
        # Rows are collected and written with one executemany per table (~1.2x faster than a
        # statement per paper). New rows get explicit rowids after the current maximum, which is what
        # SQLite would pick; the write transaction we are in keeps them ours.
        next_rowid = int(db.execute("SELECT COALESCE(MAX(rowid), 0) FROM papers").fetchone()[0]) + 1
        inserts: list[tuple[object, ...]] = []
        updates: list[tuple[object, ...]] = []
        version_rows: list[tuple[int, int, str]] = []
        category_rows: list[tuple[str, int]] = []
        for arxiv_id, new in latest.items():
            found = existing.get(arxiv_id)
            if found is None:
                rowid = next_rowid
                next_rowid += 1
                inserts.append((rowid, *_row(new), source, stamp))
                added += 1
            else:
                rowid, old = found
                merged = merge_papers(old, new)
                if merged == old:
                    unchanged += 1
                    continue
                updates.append((*_row(merged)[1:], source, stamp, rowid))
                new = merged
                updated += 1
            version_rows.extend((rowid, v.number, v.date.isoformat()) for v in new.versions)
            category_rows.extend((c, rowid) for c in new.categories)
        db.executemany(
            "INSERT INTO papers (rowid, arxiv_id, version, title, abstract, authors, categories, "
            "comments, journal_ref, doi, published, updated, withdrawn, source, stored_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            inserts,
        )
        # The FTS5 index gets the new rows in the same transaction (m008: faster than a trigger).
        db.executemany(
            "INSERT INTO papers_fts (rowid, title, abstract) VALUES (?,?,?)",
            [(row[0], row[3], row[4]) for row in inserts],
        )
        db.executemany(
            "INSERT INTO paper_filter (rowid, published, categories) VALUES (?,?,?)",
            [(row[0], row[10], f" {row[6]} ") for row in inserts],
        )
        db.executemany(
            "UPDATE papers SET version=?, title=?, abstract=?, authors=?, categories=?, "
            "comments=?, journal_ref=?, doi=?, published=?, updated=?, withdrawn=?, "
            "source=?, stored_at=? WHERE rowid=?",
            updates,
        )
        db.executemany("DELETE FROM paper_categories WHERE paper=?", [(u[-1],) for u in updates])
        db.executemany("INSERT OR REPLACE INTO versions (paper, number, date) VALUES (?,?,?)", version_rows)
        db.executemany("INSERT OR IGNORE INTO paper_categories (category, paper) VALUES (?,?)", category_rows)
        return UpsertCounts(added, updated, unchanged)

    def _get_many(self, db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[int, Paper]]:
        rows = list(_select_in(db, _SELECT_PAPERS + " WHERE arxiv_id IN ({marks})", ids))
        versions = self._versions(db, [r[0] for r in rows])
        return {row[1]: (row[0], _paper(row, versions.get(row[0], ()))) for row in rows}

    def _versions(self, db: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, tuple[PaperVersion, ...]]:
        found: dict[int, list[PaperVersion]] = {}
        sql = "SELECT paper, number, date FROM versions WHERE paper IN ({marks}) ORDER BY number"
        for paper, number, date in _select_in(db, sql, rowids):
            found.setdefault(paper, []).append(PaperVersion(number, dt.date.fromisoformat(date)))
        return {k: tuple(v) for k, v in found.items()}

    def get_papers(self, ids: Sequence[str]) -> dict[str, Paper]:
        """Papers by id without version; missing ids are absent from the result."""
        return {k: v for k, (_, v) in self._get_many(self.db, list(ids)).items()}

    def rowids_of(self, ids: Sequence[str]) -> list[int]:
        """The rowids of the papers stored under these ids (without version); absent ids are skipped."""
        sql = "SELECT rowid FROM papers WHERE arxiv_id IN ({marks})"
        return [r[0] for r in _select_in(self.db, sql, ids)]

    def papers_by_rowid(self, rowids: Sequence[int]) -> dict[int, Paper]:
        rows = list(_select_in(self.db, _SELECT_PAPERS + " WHERE rowid IN ({marks})", rowids))
        versions = self._versions(self.db, [r[0] for r in rows])
        return {row[0]: _paper(row, versions.get(row[0], ())) for row in rows}

    def search(
        self,
        fts_query: str,
        *,
        after: dt.date | None = None,
        categories: Sequence[str] = (),
        limit: int = 200,
        after_rowid: int = 0,
    ) -> list[tuple[int, float]]:
        """Full-text search: (rowid, bm25 rank; lower is better) of papers first submitted after
        `after` and, when given, carrying one of `categories`. Title hits weigh 3x abstract hits.
        `after_rowid`: only papers stored after that rowid (FTS5 seeks there in its posting lists, so
        a night's new papers cost a fraction of the whole index)."""
        # The filters read paper_filter's narrow rows (m009), one lookup per hit.
        sql = (
            "SELECT papers_fts.rowid, bm25(papers_fts, 3.0, 1.0) AS rank FROM papers_fts "
            "JOIN paper_filter f ON f.rowid = papers_fts.rowid WHERE papers_fts MATCH ?"
        )
        params: list[object] = [fts_query]
        if after_rowid:
            sql += " AND papers_fts.rowid > ?"
            params.append(after_rowid)
        if after is not None:
            sql += " AND f.published > ?"
            params.append(after.isoformat())
        if categories:
            sql += " AND (" + " OR ".join("instr(f.categories, ?) > 0" for _ in categories) + ")"
            params.extend(f" {c} " for c in categories)
        sql += " ORDER BY rank LIMIT ?"
        params.append(limit)
        try:
            return [(int(r), float(s)) for r, s in self.db.execute(sql, params)]
        except sqlite3.OperationalError as exc:
            raise StoreError(f"full-text query {fts_query!r} failed: {exc}") from exc

    def optimize_index(self) -> None:
        """Merge the full-text index's segments into one (FTS5 'optimize'). A bulk import leaves tens of
        segments (26 at 1M papers) and every query reads each of them: merged, single-word counts took
        0.68 ms instead of 1.25 and NEAR lookups 6.1 instead of 7.8 on the 1M store, with identical
        results. Costs about 16 s at 1M papers; one transaction, so an interruption loses nothing."""
        with self.transaction() as db:
            db.execute("INSERT INTO papers_fts(papers_fts) VALUES ('optimize')")

    def count_matches(self, fts_query: str) -> int:
        """How many stored papers match a full-text query (any date): the document frequency the
        matcher turns into a term's weight. Cheap: no ranking, just the index's posting lists."""
        try:
            row = self.db.execute(
                "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", (fts_query,)
            ).fetchone()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"full-text query {fts_query!r} failed: {exc}") from exc
        return int(row[0])

    def estimate_matches(
        self, fts_query: str, *, exact_below: int = 20_000, windows: int = 4, share: float = 0.05
    ) -> int:
        """How many papers match a full-text query: counted in `windows` rowid ranges spread evenly
        over the store and covering `share` of it, then scaled up; exact (`count_matches`) when that
        comes to fewer than `exact_below` or the store is small. FTS5 seeks to each range, so a term
        in half of 1M papers costs ~1/5 of `count_matches`; within 1-2% above 50,000 papers."""
        # Two statements: SQLite answers min() or max() of the key from the b-tree's ends, but not
        # both in one statement (that scans the table).
        lo = self.db.execute("SELECT min(rowid) FROM papers").fetchone()[0]
        hi = self.db.execute("SELECT max(rowid) FROM papers").fetchone()[0]
        span = int(hi) - int(lo) + 1 if lo is not None and hi is not None else 0
        width = int(span * share / windows)
        if width < 1000:
            return self.count_matches(fts_query)
        found = 0
        try:
            for i in range(windows):
                start = int(lo) + int((i + 0.5) * span / windows) - width // 2
                found += int(
                    self.db.execute(
                        "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ? AND rowid BETWEEN ? AND ?",
                        (fts_query, start, start + width - 1),
                    ).fetchone()[0]
                )
        except sqlite3.OperationalError as exc:
            raise StoreError(f"full-text query {fts_query!r} failed: {exc}") from exc
        estimate = round(found * span / (width * windows))
        return estimate if estimate >= exact_below else self.count_matches(fts_query)

    def match_rowids(self, fts_query: str, *, limit: int) -> list[int]:
        """Rowids of up to `limit` papers matching a full-text query (any date), unranked. As cheap as
        `count_matches` and it stops at `limit`: when fewer match, this is every match, and the
        matcher needs neither a count nor a BM25-ranked query for that term."""
        try:
            rows = self.db.execute(
                "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? LIMIT ?", (fts_query, limit)
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"full-text query {fts_query!r} failed: {exc}") from exc
        return [int(r[0]) for r in rows]

    def widen_page_cache(self, mib: int) -> None:
        """Let this connection keep up to `mib` MiB of database pages in memory (never less than it
        already may). SQLite's default is 2 MiB: on a 1M-paper store the matcher's full-text queries
        then reread the same index pages from the OS cache. Connection-only; writes nothing."""
        current = int(self.db.execute("PRAGMA cache_size").fetchone()[0])
        page_size = int(self.db.execute("PRAGMA page_size").fetchone()[0])
        # cache_size is KiB when negative, pages when positive.
        current_kib = -current if current < 0 else current * page_size // 1024
        if current_kib < mib * 1024:
            self.db.execute(f"PRAGMA cache_size = {-int(mib) * 1024}")

    def summary(self) -> StoreSummary:
        """Paper count and date range. Remembered until the database changes (this connection's
        writes move total_changes, other connections' commits move data_version): count(*) over 1M
        papers costs tens of ms, and the matcher asks once per claim."""
        key = (int(self.db.execute("PRAGMA data_version").fetchone()[0]), self.db.total_changes)
        if self._summary is not None and self._summary[0] == key:
            return self._summary[1]
        # Three queries, not one: SQLite answers a lone min() or max() from the index in O(log n),
        # but computes min, max and count together by scanning it (0.2 s at 1M papers).
        n = self.db.execute("SELECT count(*) FROM papers").fetchone()[0]
        newest = self.db.execute("SELECT max(published) FROM papers").fetchone()[0]
        oldest = self.db.execute("SELECT min(published) FROM papers").fetchone()[0]
        summary = StoreSummary(
            papers=int(n),
            newest_paper=dt.date.fromisoformat(newest) if newest else None,
            oldest_paper=dt.date.fromisoformat(oldest) if oldest else None,
        )
        self._summary = (key, summary)
        return summary

    # -- poll state --------------------------------------------------------------------------------

    def get_source_state(self, source: str) -> SourceState:
        row = self.db.execute(
            "SELECT watermark, resume_token, etag, last_modified, last_success, window_from, "
            "window_until FROM source_state WHERE source=?",
            (source,),
        ).fetchone()
        if row is None:
            return SourceState(source)
        return SourceState(
            source=source,
            watermark=dt.date.fromisoformat(row[0]) if row[0] else None,
            resume_token=row[1],
            etag=row[2],
            last_modified=row[3],
            last_success=dt.datetime.fromisoformat(row[4]) if row[4] else None,
            window_from=dt.date.fromisoformat(row[5]) if row[5] else None,
            window_until=dt.date.fromisoformat(row[6]) if row[6] else None,
        )

    def store_batch(
        self,
        papers: Iterable[Paper],
        state: SourceState,
        *,
        now: dt.datetime,
        source: str,
        covers: tuple[dt.date, dt.date] | None = None,
        covered_categories: Iterable[str] = (),
    ) -> UpsertCounts:
        """Store what one response of a paper source brought, in ONE transaction: its papers, the
        source state they justify (watermark, resumption token, HTTP validators) and, when `covers`
        is given, the days of `covered_categories` its listing covered. All of it or none of it, so a
        watermark never runs ahead of the papers it covers and a killed poll resumes without gaps."""
        batch = list(papers)
        with self.transaction() as db:
            counts = self._upsert(db, batch, source, now) if batch else UpsertCounts()
            self._write_source_state(db, state, now=now)
            if covers is not None:
                self._write_coverage(db, covered_categories, *covers, source=source, now=now)
        return counts

    def _write_source_state(self, db: sqlite3.Connection, state: SourceState, *, now: dt.datetime) -> None:
        db.execute(
            "INSERT INTO source_state (source, watermark, resume_token, etag, last_modified, "
            "last_success, window_from, window_until, updated_at) VALUES (?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(source) DO UPDATE SET "
            "watermark=excluded.watermark, resume_token=excluded.resume_token, etag=excluded.etag, "
            "last_modified=excluded.last_modified, last_success=excluded.last_success, "
            "window_from=excluded.window_from, window_until=excluded.window_until, "
            "updated_at=excluded.updated_at",
            (
                state.source,
                state.watermark.isoformat() if state.watermark else None,
                state.resume_token,
                state.etag,
                state.last_modified,
                utc_iso(state.last_success) if state.last_success else None,
                state.window_from.isoformat() if state.window_from else None,
                state.window_until.isoformat() if state.window_until else None,
                utc_iso(now),
            ),
        )

    # -- anchor checks -----------------------------------------------------------------------------

    def get_anchor_checks(self, ids: Sequence[str]) -> dict[str, StoredAnchorCheck]:
        sql = (
            "SELECT arxiv_id, status, title, latest_version, detail, checked_at, latest_date "
            "FROM anchor_checks WHERE arxiv_id IN ({marks})"
        )
        return {
            row[0]: StoredAnchorCheck(
                row[0],
                AnchorStatus(row[1]),
                row[2],
                row[3],
                row[4],
                dt.datetime.fromisoformat(row[5]),
                dt.date.fromisoformat(row[6]) if row[6] else None,
            )
            for row in _select_in(self.db, sql, ids)
        }

    def save_anchor_checks(self, checks: Iterable[StoredAnchorCheck]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO anchor_checks "
                "(arxiv_id, status, title, latest_version, detail, checked_at, latest_date) "
                "VALUES (?,?,?,?,?,?,?)",
                [
                    (
                        c.arxiv_id,
                        c.status.value,
                        c.title,
                        c.latest_version,
                        c.detail,
                        utc_iso(c.checked_at),
                        c.latest_date.isoformat() if c.latest_date else None,
                    )
                    for c in checks
                ],
            )

    # -- run history -------------------------------------------------------------------------------

    def save_run(
        self,
        *,
        day: dt.date,
        started_at: dt.datetime,
        finished_at: dt.datetime,
        outcome: str,
        stale: bool,
        poll: str,
        claims: Sequence[StoredRunClaim],
    ) -> StoredRun:
        """Record a run and its claims in one transaction, replacing any earlier run of that day."""
        with self.transaction() as db:
            db.execute("DELETE FROM runs WHERE day=?", (day.isoformat(),))  # cascades to run_claims
            cur = db.execute(
                "INSERT INTO runs (day, started_at, finished_at, outcome, stale, poll) VALUES (?,?,?,?,?,?)",
                (day.isoformat(), utc_iso(started_at), utc_iso(finished_at), outcome, int(stale), poll),
            )
            run_id = int(cur.lastrowid or 0)
            db.executemany(
                "INSERT INTO run_claims (run, claim_id, status, reasons, matches) VALUES (?,?,?,?,?)",
                [
                    (
                        run_id,
                        c.claim_id,
                        c.status.value,
                        json.dumps(list(c.reasons), ensure_ascii=False),
                        json.dumps([match_to_json(m) for m in c.matches], ensure_ascii=False),
                    )
                    for c in claims
                ],
            )
        return StoredRun(run_id, day, started_at, finished_at, outcome, stale, poll)

    def get_runs(
        self, *, since: dt.date | None = None, until: dt.date | None = None, succeeded: bool = False
    ) -> list[StoredRun]:
        """Runs with `since <= day <= until`, oldest first; `succeeded`: only runs whose poll worked."""
        sql = "SELECT id, day, started_at, finished_at, outcome, stale, poll FROM runs WHERE 1=1"
        params: list[object] = []
        if since is not None:
            sql += " AND day >= ?"
            params.append(since.isoformat())
        if until is not None:
            sql += " AND day <= ?"
            params.append(until.isoformat())
        if succeeded:
            sql += " AND stale = 0"
        return [_run(row) for row in self.db.execute(sql + " ORDER BY day", params)]

    def get_run_claims(self, run_id: int) -> dict[str, StoredRunClaim]:
        """Each claim's status and matches in one run, by claim id."""
        return {
            row[0]: _run_claim(row)
            for row in self.db.execute(
                "SELECT claim_id, status, reasons, matches FROM run_claims WHERE run=? ORDER BY claim_id",
                (run_id,),
            )
        }

    def get_claim_runs(self, claim_id: str) -> list[tuple[StoredRun, StoredRunClaim]]:
        """One claim through every run that judged it, oldest first."""
        rows = self.db.execute(
            "SELECT r.id, r.day, r.started_at, r.finished_at, r.outcome, r.stale, r.poll, "
            "c.claim_id, c.status, c.reasons, c.matches FROM run_claims c JOIN runs r ON r.id = c.run "
            "WHERE c.claim_id=? ORDER BY r.day",
            (claim_id,),
        )
        return [(_run(row[:7]), _run_claim(row[7:])) for row in rows]

    # -- triage decisions --------------------------------------------------------------------------

    def add_decision(
        self,
        claim_id: str,
        kind: DecisionKind,
        *,
        now: dt.datetime,
        arxiv_id: str | None = None,
        reason: str | None = None,
        until: dt.date | None = None,
    ) -> StoredDecision:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO decisions (claim_id, arxiv_id, kind, reason, until, created_at) "
                "VALUES (?,?,?,?,?,?)",
                (claim_id, arxiv_id, kind.value, reason, until.isoformat() if until else None, utc_iso(now)),
            )
        return StoredDecision(int(cur.lastrowid or 0), claim_id, arxiv_id, kind, reason, until, now)

    def get_decisions(self, claim_id: str | None = None) -> list[StoredDecision]:
        """Every decision (or one claim's), oldest first."""
        sql = "SELECT id, claim_id, arxiv_id, kind, reason, until, created_at FROM decisions"
        params: tuple[object, ...] = ()
        if claim_id is not None:
            sql += " WHERE claim_id=?"
            params = (claim_id,)
        return [
            StoredDecision(
                int(row[0]),
                str(row[1]),
                row[2],
                DecisionKind(row[3]),
                row[4],
                dt.date.fromisoformat(row[5]) if row[5] else None,
                dt.datetime.fromisoformat(row[6]),
            )
            for row in self.db.execute(sql + " ORDER BY id", params)
        ]

    # -- coverage ----------------------------------------------------------------------------------

    def _write_coverage(
        self,
        db: sqlite3.Connection,
        categories: Iterable[str],
        first: dt.date,
        last: dt.date,
        *,
        source: str,
        now: dt.datetime,
    ) -> None:
        if first > last:
            return
        db.executemany(
            "INSERT OR REPLACE INTO coverage (category, first_day, last_day, source, recorded_at) "
            "VALUES (?,?,?,?,?)",
            [(c, first.isoformat(), last.isoformat(), source, utc_iso(now)) for c in sorted(set(categories))],
        )

    def add_coverage(
        self, categories: Iterable[str], first: dt.date, last: dt.date, *, source: str, now: dt.datetime
    ) -> None:
        """Record that a listing of `categories` covered first..last (a bulk import's span)."""
        with self.transaction() as db:
            self._write_coverage(db, categories, first, last, source=source, now=now)

    def coverage(self) -> dict[str, list[tuple[dt.date, dt.date]]]:
        """category -> the spans recorded for it (unmerged; freshness.coverage merges them)."""
        out: dict[str, list[tuple[dt.date, dt.date]]] = {}
        for category, first, last in self.db.execute("SELECT category, first_day, last_day FROM coverage"):
            out.setdefault(category, []).append((dt.date.fromisoformat(first), dt.date.fromisoformat(last)))
        return out

    # -- match cache -------------------------------------------------------------------------------

    def papers_stamp(self) -> str:
        """Changes whenever a paper is added or updated (for cache keys); cheap at any size."""
        top = self.db.execute("SELECT max(rowid) FROM papers").fetchone()[0]
        updates = self.db.execute("SELECT value FROM counters WHERE name = 'paper_updates'").fetchone()
        return f"{top or 0}:{updates[0] if updates else 0}"

    def get_match_cache(self, claim_ids: Sequence[str]) -> dict[str, tuple[str, str, str]]:
        """claim id -> (key, matches JSON, velocity JSON) for the cached claims among `claim_ids`."""
        sql = "SELECT claim_id, key, matches, velocity FROM match_cache WHERE claim_id IN ({marks})"
        return {claim_id: (key, m, v) for claim_id, key, m, v in _select_in(self.db, sql, claim_ids)}

    def save_match_cache(self, rows: Sequence[tuple[str, str, str, str]], *, now: dt.datetime) -> bool:
        """Store (claim id, key, matches JSON, velocity JSON) rows if the store is free right now.

        Best effort: a reader such as `freshness report` must never wait for a writer, so when another
        process holds the write lock nothing is saved and False is returned."""
        if not rows:
            return True
        self.db.execute("PRAGMA busy_timeout = 0")
        try:
            with self.transaction() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO match_cache (claim_id, key, matches, velocity, computed_at) "
                    "VALUES (?,?,?,?,?)",
                    [(*row, utc_iso(now)) for row in rows],
                )
        except StoreBusyError:
            return False
        except sqlite3.OperationalError:  # e.g. a read-only store file: the cache is optional
            return False
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        return True


def _row(p: Paper) -> tuple[object, ...]:
    return (
        p.arxiv_id,
        p.version,
        p.title,
        p.abstract,
        json.dumps(list(p.authors), ensure_ascii=False),
        " ".join(p.categories),
        p.comments,
        p.journal_ref,
        p.doi,
        p.published.isoformat(),
        p.updated.isoformat(),
        None if p.withdrawn is None else int(p.withdrawn),
    )


def _paper(row: Sequence[object], versions: tuple[PaperVersion, ...]) -> Paper:
    withdrawn = row[12]
    return Paper(
        arxiv_id=str(row[1]),
        version=int(str(row[2])),
        title=str(row[3]),
        abstract=str(row[4]),
        authors=tuple(json.loads(str(row[5]))),
        categories=tuple(str(row[6]).split()),
        comments=None if row[7] is None else str(row[7]),
        journal_ref=None if row[8] is None else str(row[8]),
        doi=None if row[9] is None else str(row[9]),
        published=dt.date.fromisoformat(str(row[10])),
        updated=dt.date.fromisoformat(str(row[11])),
        withdrawn=None if withdrawn is None else bool(withdrawn),
        versions=versions,
    )


def _run(row: Sequence[object]) -> StoredRun:
    return StoredRun(
        id=int(str(row[0])),
        day=dt.date.fromisoformat(str(row[1])),
        started_at=dt.datetime.fromisoformat(str(row[2])),
        finished_at=dt.datetime.fromisoformat(str(row[3])),
        outcome=str(row[4]),
        stale=bool(row[5]),
        poll=str(row[6]),
    )


def _run_claim(row: Sequence[object]) -> StoredRunClaim:
    return StoredRunClaim(
        claim_id=str(row[0]),
        status=ClaimStatus(str(row[1])),
        reasons=tuple(json.loads(str(row[2]))),
        matches=tuple(match_from_json(m) for m in json.loads(str(row[3]))),
    )


def match_to_json(m: Match) -> dict[str, object]:
    """A match as the store keeps it in JSON (run history, match cache)."""
    return {
        "arxiv_id": m.arxiv_id,
        "title": m.title,
        "published": m.published.isoformat(),
        "score": m.score,
        "superseding": m.superseding,
        "evidence": list(m.evidence),
        "stance": m.stance.value,
        "confidence": m.confidence,
        "stance_sentence": m.stance_sentence,
        "stance_target": m.stance_target,
    }


def match_from_json(d: dict[str, Any]) -> Match:
    """The match `match_to_json` wrote. Called ~30 times a claim by a report, so it takes the cheapest
    checks that still refuse a damaged value (KeyError, TypeError or ValueError).

    Rows written before matches had a stance lack its four keys: they read as the Match defaults
    (related, confidence 0, no sentence, no target)."""
    evidence = d["evidence"]
    if not isinstance(evidence, list):
        raise TypeError("evidence is not a list")
    sentence = d.get("stance_sentence")
    target = d.get("stance_target")
    return Match(
        arxiv_id=str(d["arxiv_id"]),
        title=str(d["title"]),
        published=dt.date.fromisoformat(d["published"]),
        score=float(d["score"]),
        superseding=d["superseding"] is True,
        evidence=tuple(map(str, evidence)),
        stance=Stance(d.get("stance", Stance.RELATED)),
        confidence=float(d.get("confidence", 0.0)),
        stance_sentence=None if sentence is None else str(sentence),
        stance_target=None if target is None else str(target),
    )
