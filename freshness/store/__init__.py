"""The SQLite store, `Store`: one database file and its table groups, one module each.

- `database`: opening, the integrity check, transactions, migrations (freshness.migrations) and the
  chunked `IN (…)` helper;
- `papers`: papers (newest version wins), versions, categories; `fulltext`: the FTS5 index's queries;
- `source_state`: each paper source's poll state and the days its listings covered;
- `anchor_checks`, `runs` (run history), `decisions` (triage), `match_cache`;
- `stored_json`: the JSON kept in TEXT columns, written and read in one place.

`Store` is all of them over one connection; `store_batch` is its one write that spans groups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from freshness.models import Paper, SourceState
from freshness.store.anchor_checks import AnchorCheckTable, StoredAnchorCheck
from freshness.store.decisions import DecisionTable, StoredDecision
from freshness.store.fulltext import FullTextIndex
from freshness.store.match_cache import MatchCacheTable
from freshness.store.papers import PaperTables, UpsertCounts
from freshness.store.runs import RunTables, StoredRun, StoredRunClaim
from freshness.store.source_state import SourceTables

__all__ = ["Store", "StoredAnchorCheck", "StoredDecision", "StoredRun", "StoredRunClaim", "UpsertCounts"]


class Store(
    PaperTables, FullTextIndex, SourceTables, AnchorCheckTable, RunTables, DecisionTable, MatchCacheTable
):
    """One SQLite database file. Open with `Store.open(path)`; close with `close()` or `with`."""

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
