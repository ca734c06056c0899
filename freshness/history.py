"""Run history: what each nightly run found, what changed since, and how one claim changed.

History is one run a day (a second run that day replaces the first) with each claim's status, reasons
and top matches. A person's decisions are `freshness.decisions`; `claim_history` lists them beside the
runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from freshness.models import ClaimStatus, Match, Report, RunStatuses
from freshness.store import Store, StoredDecision, StoredRun, StoredRunClaim

KEPT_MATCHES = 20  # top matches kept per claim and run (superseding ones are always kept)


# -- run history -------------------------------------------------------------------------------------


def run_claims(report: Report) -> list[StoredRunClaim]:
    """What history keeps of a report: per claim its status, reasons and top (and superseding) matches."""
    out = []
    for v in report.verdicts:
        kept = [m for i, m in enumerate(v.matches) if i < KEPT_MATCHES or m.superseding]
        out.append(StoredRunClaim(v.claim.id, v.status, v.reasons, tuple(kept)))
    return out


def record_run(
    store: Store,
    report: Report,
    *,
    day: dt.date,
    started_at: dt.datetime,
    finished_at: dt.datetime,
    outcome: str,
    poll: str,
) -> StoredRun:
    """Keep this run as the day's run (replacing an earlier run that day)."""
    return store.save_run(
        day=day,
        started_at=started_at,
        finished_at=finished_at,
        outcome=outcome,
        stale=report.stale,
        poll=poll,
        claims=run_claims(report),
    )


def previous_run(store: Store, day: dt.date) -> tuple[StoredRun, dict[str, StoredRunClaim]] | None:
    """The latest run before `day`, with its claims: what a run on `day` reports changes against."""
    runs = store.get_runs(until=day - dt.timedelta(days=1))
    if not runs:
        return None
    return runs[-1], store.get_run_claims(runs[-1].id)


@dataclass(frozen=True)
class ClaimChange:
    """How one claim differs between two runs."""

    claim_id: str
    before: ClaimStatus | None  # None: the claim was not judged then (new claim, or first run)
    after: ClaimStatus | None  # None: the claim is gone from the claims file
    new_superseding: tuple[Match, ...] = ()  # superseding now, and were not before
    new_matches: tuple[Match, ...] = ()  # other related papers that were not among the matches before

    @property
    def status_changed(self) -> bool:
        return self.before is not self.after


@dataclass(frozen=True)
class ChangeSet:
    """What changed between the run of `baseline` (None: no earlier run) and `latest`."""

    baseline: dt.date | None
    latest: dt.date | None
    claims: tuple[ClaimChange, ...]


def compare(
    before: Mapping[str, StoredRunClaim], after: Mapping[str, StoredRunClaim]
) -> tuple[ClaimChange, ...]:
    """The claims whose status changed or that gained matches, in `after`'s order, then gone claims."""
    out = []
    for claim_id, now in after.items():
        old = before.get(claim_id)
        old_ids = {m.arxiv_id for m in old.matches} if old else set()
        old_superseding = {m.arxiv_id for m in old.matches if m.superseding} if old else set()
        new_superseding = tuple(m for m in now.matches if m.superseding and m.arxiv_id not in old_superseding)
        new_matches = tuple(m for m in now.matches if not m.superseding and m.arxiv_id not in old_ids)
        change = ClaimChange(claim_id, old.status if old else None, now.status, new_superseding, new_matches)
        if change.status_changed or new_superseding or new_matches:
            out.append(change)
    out.extend(ClaimChange(cid, old.status, None) for cid, old in before.items() if cid not in after)
    return tuple(out)


def changes_since(store: Store, since: dt.date, *, current: Report | None = None) -> ChangeSet:
    """What changed after `since`: the last run on or before that day against `current` (a report
    just built) or, without it, the latest run. For `freshness report --since DATE`."""
    baseline_runs = store.get_runs(until=since)
    baseline = baseline_runs[-1] if baseline_runs else None
    before = store.get_run_claims(baseline.id) if baseline else {}
    if current is not None:
        after = {c.claim_id: c for c in run_claims(current)}
        latest: dt.date | None = current.generated_at.date()
    else:
        runs = store.get_runs()
        if not runs or (baseline is not None and runs[-1].id == baseline.id):
            return ChangeSet(baseline.day if baseline else None, baseline.day if baseline else None, ())
        after = store.get_run_claims(runs[-1].id)
        latest = runs[-1].day
    return ChangeSet(baseline.day if baseline else None, latest, compare(before, after))


def run_statuses(store: Store) -> tuple[RunStatuses, ...]:
    """Every run's claim statuses, oldest first: what the dashboard draws."""
    return tuple(
        RunStatuses(
            run.day,
            run.stale,
            tuple((cid, c.status) for cid, c in sorted(store.get_run_claims(run.id).items())),
        )
        for run in store.get_runs()
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One run's view of a claim, and what was new in it."""

    run: StoredRun
    status: ClaimStatus
    reasons: tuple[str, ...]
    matches: tuple[Match, ...]
    change: ClaimChange | None  # None: same status and evidence as the run before


@dataclass(frozen=True)
class ClaimHistory:
    claim_id: str
    entries: tuple[HistoryEntry, ...]  # every run that judged the claim, oldest first
    decisions: tuple[StoredDecision, ...]  # every decision recorded for it, oldest first


def claim_history(store: Store, claim_id: str) -> ClaimHistory:
    """How one claim's status and evidence changed from run to run, and the decisions taken on it."""
    entries = []
    previous: StoredRunClaim | None = None
    for run, now in store.get_claim_runs(claim_id):
        changes = compare({claim_id: previous} if previous else {}, {claim_id: now})
        entries.append(
            HistoryEntry(run, now.status, now.reasons, now.matches, changes[0] if changes else None)
        )
        previous = now
    return ClaimHistory(claim_id, tuple(entries), tuple(store.get_decisions(claim_id)))


# -- describing changes -------------------------------------------------------------------------------

SHOWN_CANDIDATES = 5  # new superseding candidates named per claim in summaries and notes


def status_words(status: ClaimStatus | None) -> str:
    """A status as words ("possibly superseded"); None is a claim not judged before."""
    return "(new claim)" if status is None else status.words


def shown_changes(changes: Sequence[ClaimChange], baseline: dt.date | None) -> list[ClaimChange]:
    """Every change against an earlier run; on the first run (everything is new) only the alarming."""
    return (
        list(changes)
        if baseline is not None
        else [c for c in changes if c.after is not None and c.after.raises_alarm]
    )


def change_text(change: ClaimChange) -> str:
    """One line: how a claim changed (status, new superseding candidates, new related papers)."""
    parts = []
    if change.after is None:
        return f"{change.claim_id}: no longer in the claims file"
    if change.before is None:
        parts.append(f"{status_words(change.after)} (first judged)")
    elif change.status_changed:
        parts.append(f"{status_words(change.before)} -> {status_words(change.after)}")
    if change.new_superseding:
        ids = ", ".join(m.arxiv_id for m in change.new_superseding[:SHOWN_CANDIDATES])
        more = len(change.new_superseding) - SHOWN_CANDIDATES
        parts.append(f"new superseding candidate(s) {ids}" + (f" and {more} more" if more > 0 else ""))
    if change.new_matches and change.before is not None:
        n = len(change.new_matches)
        parts.append(f"{n} new related paper{'s' if n != 1 else ''}")
    return f"{change.claim_id}: " + "; ".join(parts)


def report_since(report: Report, changes: ChangeSet, since: dt.date) -> Report:
    """`report --since DATE`: only the claims that changed after DATE, with how they changed in the
    notes. Without a run on or before DATE there is nothing to compare with: everything is shown."""
    if changes.baseline is None:
        note = f"no run on or before {since} to compare with: showing every claim"
        return dataclasses.replace(report, notes=(*report.notes, note))
    changed = {c.claim_id for c in changes.claims if c.after is not None}
    notes = [f"changes since the run of {changes.baseline}: {len(changes.claims)} claim(s)"]
    notes += [change_text(c) for c in changes.claims]
    if not changes.claims:
        notes = [f"no changes since the run of {changes.baseline}"]
    verdicts = tuple(v for v in report.verdicts if v.claim.id in changed)
    return dataclasses.replace(report, verdicts=verdicts, notes=(*report.notes, *notes))
