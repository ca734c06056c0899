"""The anchor checks table: what arXiv last said about each anchor id (`check-anchors` and the poll's
anchor lookup fill it; the report reads it instead of asking arXiv).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from freshness.models import AnchorStatus, utc_iso
from freshness.store.database import Database, select_in


@dataclass(frozen=True)
class StoredAnchorCheck:
    arxiv_id: str
    status: AnchorStatus
    title: str | None
    latest_version: int | None
    detail: str
    checked_at: dt.datetime
    latest_date: dt.date | None = None


class AnchorCheckTable(Database):
    """anchor_checks."""

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
            for row in select_in(self.db, sql, ids)
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
