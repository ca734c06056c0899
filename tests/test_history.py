"""Run history: one run a day, changes between runs, one claim's history."""

from __future__ import annotations

import datetime as dt

from freshness.decisions import decide
from freshness.history import (
    KEPT_MATCHES,
    changes_since,
    claim_history,
    compare,
    previous_run,
    record_run,
)
from freshness.models import Claim, ClaimStatus, DecisionKind, Match, Report, StoreSummary, Verdict
from freshness.store import Store, StoredRunClaim
from tests.conftest import NOW, make_match, make_verdict

TODAY = NOW.date()  # 2026-11-26
CLAIMS = [
    Claim("cot-shift", "Chain of thought degrades under shift.", dt.date(2025, 8, 2), ("cot shift",)),
    Claim("long-context", "Long context is solved.", dt.date(2025, 3, 1), ("long context",)),
]


SUPERSEDING = make_match("2611.00007", superseding=True)


def _report(*verdicts: Verdict, stale: bool = False) -> Report:
    return Report(NOW, StoreSummary(10, dt.date(2026, 11, 25)), verdicts, stale=stale)


def _record_cot(store: Store, day: dt.date, status: ClaimStatus, *matches: Match) -> None:
    """Record a run on `day` that judged cot-shift alone: `status`, with `matches`."""
    _record(store, day, _report(make_verdict(CLAIMS[0], status, *matches)))


# -- run history -----------------------------------------------------------------------------------------


def _record(store: Store, day: dt.date, report: Report, outcome: str = "ok") -> None:
    at = dt.datetime.combine(day, dt.time(6, 30), tzinfo=dt.UTC)
    record_run(store, report, day=day, started_at=at, finished_at=at, outcome=outcome, poll="got 3 papers")


def test_a_second_run_on_one_day_replaces_the_first(store: Store) -> None:
    day = dt.date(2026, 11, 26)
    _record(store, day, _report(make_verdict(CLAIMS[0], ClaimStatus.FRESH)), outcome="failed")
    _record(
        store,
        day,
        _report(make_verdict(CLAIMS[0], ClaimStatus.PERISHABLE), make_verdict(CLAIMS[1], ClaimStatus.FRESH)),
    )
    runs = store.get_runs()
    assert len(runs) == 1
    assert runs[0].outcome == "ok"
    assert {k: v.status for k, v in store.get_run_claims(runs[0].id).items()} == {
        "cot-shift": ClaimStatus.PERISHABLE,
        "long-context": ClaimStatus.FRESH,
    }
    assert store.db.execute("SELECT count(*) FROM run_claims").fetchone()[0] == 2  # no orphans


def test_history_keeps_top_matches_and_every_superseding_one(store: Store) -> None:
    matches = [make_match(f"2611.{i:05d}", score=99 - i * 0.1) for i in range(1, 31)]
    matches.append(make_match("2611.00099", superseding=True, score=10))
    _record_cot(store, TODAY, ClaimStatus.POSSIBLY_SUPERSEDED, *matches)
    kept = store.get_run_claims(store.get_runs()[0].id)["cot-shift"].matches
    assert len(kept) == KEPT_MATCHES + 1
    assert kept[-1].arxiv_id == "2611.00099"
    assert kept[0] == matches[0]  # stored and read back whole


def test_previous_run_is_the_last_one_before_the_day(store: Store) -> None:
    _record_cot(store, dt.date(2026, 11, 20), ClaimStatus.FRESH)
    _record_cot(store, dt.date(2026, 11, 25), ClaimStatus.PERISHABLE)
    _record_cot(store, dt.date(2026, 11, 26), ClaimStatus.ANCHOR_BROKEN)
    found = previous_run(store, dt.date(2026, 11, 26))
    assert found is not None
    run, claims = found
    assert run.day == dt.date(2026, 11, 25)
    assert claims["cot-shift"].status is ClaimStatus.PERISHABLE
    assert previous_run(store, dt.date(2026, 11, 20)) is None


def test_compare_reports_status_changes_new_candidates_and_gone_claims() -> None:
    before = {
        "cot-shift": StoredRunClaim("cot-shift", ClaimStatus.FRESH, (), (make_match("2611.00001"),)),
        "long-context": StoredRunClaim("long-context", ClaimStatus.FRESH, (), ()),
        "removed": StoredRunClaim("removed", ClaimStatus.PERISHABLE, (), ()),
    }
    after = {
        "cot-shift": StoredRunClaim(
            "cot-shift",
            ClaimStatus.POSSIBLY_SUPERSEDED,
            (),
            (make_match("2611.00001", superseding=True), make_match("2611.00005")),
        ),
        "long-context": StoredRunClaim("long-context", ClaimStatus.FRESH, (), ()),
        "new-claim": StoredRunClaim("new-claim", ClaimStatus.FRESH, (), ()),
    }
    changes = {c.claim_id: c for c in compare(before, after)}
    assert set(changes) == {"cot-shift", "new-claim", "removed"}  # long-context did not change
    cot = changes["cot-shift"]
    assert (cot.before, cot.after) == (ClaimStatus.FRESH, ClaimStatus.POSSIBLY_SUPERSEDED)
    assert [m.arxiv_id for m in cot.new_superseding] == ["2611.00001"]  # now superseding
    assert [m.arxiv_id for m in cot.new_matches] == ["2611.00005"]
    assert (changes["new-claim"].before, changes["new-claim"].after) == (None, ClaimStatus.FRESH)
    assert (changes["removed"].before, changes["removed"].after) == (ClaimStatus.PERISHABLE, None)


def test_changes_since_compares_the_run_on_or_before_the_date_with_the_latest(store: Store) -> None:
    _record_cot(store, dt.date(2026, 11, 20), ClaimStatus.FRESH)
    _record_cot(store, dt.date(2026, 11, 23), ClaimStatus.PERISHABLE)
    _record_cot(store, dt.date(2026, 11, 26), ClaimStatus.POSSIBLY_SUPERSEDED, SUPERSEDING)
    since = changes_since(store, dt.date(2026, 11, 21))
    assert (since.baseline, since.latest) == (dt.date(2026, 11, 20), dt.date(2026, 11, 26))
    [change] = since.claims
    assert (change.before, change.after) == (ClaimStatus.FRESH, ClaimStatus.POSSIBLY_SUPERSEDED)
    assert [m.title for m in change.new_superseding] == ["Paper 2611.00007"]

    nothing = changes_since(store, dt.date(2026, 11, 26))
    assert nothing.claims == ()
    everything = changes_since(store, dt.date(2026, 1, 1))
    assert everything.baseline is None
    assert everything.claims[0].before is None

    current = _report(make_verdict(CLAIMS[0], ClaimStatus.FRESH))
    against_now = changes_since(store, dt.date(2026, 11, 24), current=current)
    assert (against_now.baseline, against_now.latest) == (dt.date(2026, 11, 23), NOW.date())
    assert (against_now.claims[0].before, against_now.claims[0].after) == (
        ClaimStatus.PERISHABLE,
        ClaimStatus.FRESH,
    )


def test_claim_history_shows_what_changed_run_by_run(store: Store) -> None:
    _record_cot(store, dt.date(2026, 11, 20), ClaimStatus.FRESH)
    _record_cot(store, dt.date(2026, 11, 23), ClaimStatus.FRESH)
    _record_cot(store, dt.date(2026, 11, 24), ClaimStatus.POSSIBLY_SUPERSEDED, SUPERSEDING)
    _record(store, dt.date(2026, 11, 25), _report(make_verdict(CLAIMS[1], ClaimStatus.FRESH)))  # claim absent
    decide(store, CLAIMS, "cot-shift", DecisionKind.CONFIRM, now=NOW, today=TODAY, arxiv_id="2611.00007")
    history = claim_history(store, "cot-shift")
    assert [e.run.day.isoformat() for e in history.entries] == ["2026-11-20", "2026-11-23", "2026-11-24"]
    first, same, superseded = history.entries
    assert first.change is not None
    assert first.change.before is None
    assert same.change is None  # nothing new that day
    assert superseded.change is not None
    assert superseded.change.before is ClaimStatus.FRESH
    assert [m.arxiv_id for m in superseded.change.new_superseding] == ["2611.00007"]
    assert [d.kind for d in history.decisions] == [DecisionKind.CONFIRM]
    assert claim_history(store, "unknown").entries == ()
