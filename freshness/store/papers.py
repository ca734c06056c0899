"""The papers table group: papers (newest version wins, models.merge_papers), their versions and
categories, and the full-text rows written with them; reading papers back by id or rowid; counts.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from freshness.models import Paper, PaperVersion, StoreSummary, merge_papers, utc_iso
from freshness.store.database import Database, select_in
from freshness.store.stored_json import from_text, to_text


@dataclass(frozen=True)
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.added + other.added, self.updated + other.updated, self.unchanged + other.unchanged
        )


_PAPER_COLUMNS = (
    "rowid, arxiv_id, version, title, abstract, authors, categories, comments, journal_ref, doi, "
    "published, updated, withdrawn"
)
_SELECT_PAPERS = f"SELECT {_PAPER_COLUMNS} FROM papers"


class PaperTables(Database):
    """papers, versions, paper_categories and the rows papers_fts and paper_filter get with them."""

    # summary() remembers its answer with the database state it was read at.
    _summary: tuple[tuple[int, int], StoreSummary] | None = None

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
        latest = _newest_of_each(batch)
        existing = self._get_many(db, list(latest))
        # Rows are collected and written with one executemany per table (~1.2x faster than a
        # statement per paper). New rows get explicit rowids after the current maximum, which is what
        # SQLite would pick; the write transaction we are in keeps them ours.
        next_rowid = int(db.execute("SELECT COALESCE(MAX(rowid), 0) FROM papers").fetchone()[0]) + 1
        rows = _upsert_rows(latest, existing, next_rowid, source=source, stamp=utc_iso(now))
        _write_upsert_rows(db, rows)
        return rows.counts

    def _get_many(self, db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[int, Paper]]:
        rows = list(select_in(db, _SELECT_PAPERS + " WHERE arxiv_id IN ({marks})", ids))
        versions = self._versions(db, [r[0] for r in rows])
        return {row[1]: (row[0], _paper(row, versions.get(row[0], ()))) for row in rows}

    def _versions(self, db: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, tuple[PaperVersion, ...]]:
        found: dict[int, list[PaperVersion]] = {}
        sql = "SELECT paper, number, date FROM versions WHERE paper IN ({marks}) ORDER BY number"
        for paper, number, date in select_in(db, sql, rowids):
            found.setdefault(paper, []).append(PaperVersion(number, dt.date.fromisoformat(date)))
        return {k: tuple(v) for k, v in found.items()}

    def get_papers(self, ids: Sequence[str]) -> dict[str, Paper]:
        """Papers by id without version; missing ids are absent from the result."""
        return {k: v for k, (_, v) in self._get_many(self.db, list(ids)).items()}

    def rowids_of(self, ids: Sequence[str]) -> list[int]:
        """The rowids of the papers stored under these ids (without version); absent ids are skipped."""
        sql = "SELECT rowid FROM papers WHERE arxiv_id IN ({marks})"
        return [r[0] for r in select_in(self.db, sql, ids)]

    def papers_by_rowid(self, rowids: Sequence[int]) -> dict[int, Paper]:
        rows = list(select_in(self.db, _SELECT_PAPERS + " WHERE rowid IN ({marks})", rowids))
        versions = self._versions(self.db, [r[0] for r in rows])
        return {row[0]: _paper(row, versions.get(row[0], ())) for row in rows}

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


def _row(p: Paper) -> tuple[object, ...]:
    return (
        p.arxiv_id,
        p.version,
        p.title,
        p.abstract,
        to_text(list(p.authors)),
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
        authors=tuple(from_text(row[5])),
        categories=tuple(str(row[6]).split()),
        comments=None if row[7] is None else str(row[7]),
        journal_ref=None if row[8] is None else str(row[8]),
        doi=None if row[9] is None else str(row[9]),
        published=dt.date.fromisoformat(str(row[10])),
        updated=dt.date.fromisoformat(str(row[11])),
        withdrawn=None if withdrawn is None else bool(withdrawn),
        versions=versions,
    )


def _newest_of_each(batch: Sequence[Paper]) -> dict[str, Paper]:
    """One paper per id: the same id twice in one batch keeps the newer."""
    latest: dict[str, Paper] = {}
    for p in batch:
        old = latest.get(p.arxiv_id)
        latest[p.arxiv_id] = p if old is None else merge_papers(old, p)
    return latest


@dataclass(frozen=True)
class _UpsertRows:
    """What one upsert writes to each table, and what it did to each paper."""

    inserts: list[tuple[object, ...]]  # new papers rows, rowid first
    updates: list[tuple[object, ...]]  # changed papers rows, rowid last
    versions: list[tuple[int, int, str]]
    categories: list[tuple[str, int]]
    unchanged: int  # stored papers the batch did not change

    @property
    def counts(self) -> UpsertCounts:
        return UpsertCounts(len(self.inserts), len(self.updates), self.unchanged)


def _upsert_rows(
    latest: dict[str, Paper],
    existing: dict[str, tuple[int, Paper]],
    next_rowid: int,
    *,
    source: str,
    stamp: str,
) -> _UpsertRows:
    """The rows that store `latest` over the `existing` copies: a new id gets the next rowid, a stored
    one is merged (models.merge_papers) and rewritten only when that changes it."""
    inserts: list[tuple[object, ...]] = []
    updates: list[tuple[object, ...]] = []
    versions: list[tuple[int, int, str]] = []
    categories: list[tuple[str, int]] = []
    unchanged = 0
    for arxiv_id, new in latest.items():
        found = existing.get(arxiv_id)
        if found is None:
            rowid = next_rowid
            next_rowid += 1
            inserts.append((rowid, *_row(new), source, stamp))
        else:
            rowid, old = found
            merged = merge_papers(old, new)
            if merged == old:
                unchanged += 1
                continue
            updates.append((*_row(merged)[1:], source, stamp, rowid))
            new = merged
        versions.extend((rowid, v.number, v.date.isoformat()) for v in new.versions)
        categories.extend((c, rowid) for c in new.categories)
    return _UpsertRows(inserts, updates, versions, categories, unchanged)


def _write_upsert_rows(db: sqlite3.Connection, rows: _UpsertRows) -> None:
    """One executemany per table."""
    db.executemany(
        "INSERT INTO papers (rowid, arxiv_id, version, title, abstract, authors, categories, "
        "comments, journal_ref, doi, published, updated, withdrawn, source, stored_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows.inserts,
    )
    # The FTS5 index gets the new rows in the same transaction (m008: faster than a trigger).
    db.executemany(
        "INSERT INTO papers_fts (rowid, title, abstract) VALUES (?,?,?)",
        [(row[0], row[3], row[4]) for row in rows.inserts],
    )
    db.executemany(
        "INSERT INTO paper_filter (rowid, published, categories) VALUES (?,?,?)",
        [(row[0], row[10], f" {row[6]} ") for row in rows.inserts],
    )
    db.executemany(
        "UPDATE papers SET version=?, title=?, abstract=?, authors=?, categories=?, "
        "comments=?, journal_ref=?, doi=?, published=?, updated=?, withdrawn=?, "
        "source=?, stored_at=? WHERE rowid=?",
        rows.updates,
    )
    db.executemany("DELETE FROM paper_categories WHERE paper=?", [(u[-1],) for u in rows.updates])
    db.executemany("INSERT OR REPLACE INTO versions (paper, number, date) VALUES (?,?,?)", rows.versions)
    db.executemany("INSERT OR IGNORE INTO paper_categories (category, paper) VALUES (?,?)", rows.categories)
