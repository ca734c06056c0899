"""The run history table group: each day's run and every claim's status, reasons and matches in it
(`freshness history`, the dashboard and the report's "since last run" read them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from freshness.models import ClaimStatus, Match, utc_iso
from freshness.store.database import Database
from freshness.store.stored_json import from_text, matches_from_text, matches_to_text, to_text


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


class RunTables(Database):
    """runs and run_claims."""

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
                        to_text(list(c.reasons)),
                        matches_to_text(c.matches),
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
        reasons=tuple(from_text(row[2])),
        matches=matches_from_text(row[3]),
    )
