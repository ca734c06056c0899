"""The decisions table: a person's triage decisions about a claim and its matches (freshness.decisions
says what each one means)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from freshness.models import DecisionKind, utc_iso
from freshness.store.database import Database


@dataclass(frozen=True)
class StoredDecision:
    id: int
    claim_id: str
    arxiv_id: str | None
    kind: DecisionKind
    reason: str | None
    until: dt.date | None
    created_at: dt.datetime


class DecisionTable(Database):
    """decisions."""

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
