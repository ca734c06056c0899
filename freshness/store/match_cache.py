"""The match cache table: each claim's matches and velocity under the key of what produced them
(freshness.match_cache keys and fills it; a report reuses a row whose key still holds).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence

from freshness.errors import StoreBusyError
from freshness.models import utc_iso
from freshness.store.database import Database, select_in


class MatchCacheTable(Database):
    """match_cache, and the stamp of the papers its keys include."""

    def papers_stamp(self) -> str:
        """Changes whenever a paper is added or updated (for cache keys); cheap at any size."""
        top = self.db.execute("SELECT max(rowid) FROM papers").fetchone()[0]
        updates = self.db.execute("SELECT value FROM counters WHERE name = 'paper_updates'").fetchone()
        return f"{top or 0}:{updates[0] if updates else 0}"

    def get_match_cache(self, claim_ids: Sequence[str]) -> dict[str, tuple[str, str, str]]:
        """claim id -> (key, matches JSON, velocity JSON) for the cached claims among `claim_ids`."""
        sql = "SELECT claim_id, key, matches, velocity FROM match_cache WHERE claim_id IN ({marks})"
        return {claim_id: (key, m, v) for claim_id, key, m, v in select_in(self.db, sql, claim_ids)}

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
