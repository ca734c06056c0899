"""Queries over the papers' full-text index (FTS5 papers_fts, filtered by paper_filter): ranked search,
match counts and estimates, unranked rowids, index upkeep and the connection's page cache.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence

from freshness.errors import StoreError
from freshness.store.database import Database


class FullTextIndex(Database):
    """What the matcher asks the full-text index (freshness.matching.index)."""

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
