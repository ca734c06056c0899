"""The poll state table group: each paper source's state (watermark, resumption token, HTTP validators)
and the days of each category a listing covered (freshness.coverage does the arithmetic).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable

from freshness.models import SourceState, utc_iso
from freshness.store.database import Database


class SourceTables(Database):
    """source_state and coverage."""

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
