"""Run history (one run a day, changes between runs) and triage decisions (validated, folded, applied)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from freshness.history import (
    CONFIRMED_EVIDENCE,
    KEPT_MATCHES,
    ClaimDecisions,
    DecisionKind,
    TriageError,
    apply_decisions,
    changes_since,
    claim_history,
    compare,
    decide,
    effective_claim,
    load_decisions,
    previous_run,
    record_run,
    shape_matches,
)
from freshness.migrations import MIGRATIONS
from freshness.models import Claim, ClaimStatus, Match, Report, Stance, StoreSummary, Verdict
from freshness.store import Store, StoredRunClaim
from tests.conftest import NOW, make_paper

TODAY = NOW.date()  # 2026-11-26
CLAIMS = [
    Claim("cot-shift", "Chain of thought degrades under shift.", dt.date(2025, 8, 2), ("cot shift",)),
    Claim("long-context", "Long context is solved.", dt.date(2025, 3, 1), ("long context",)),
]


def _match(arxiv_id: str, *, superseding: bool = False, score: float = 80.0) -> Match:
    return Match(arxiv_id, f"Paper {arxiv_id}", dt.date(2026, 1, 5), score, superseding, (f"why {arxiv_id}",))


def _verdict(claim: Claim, status: ClaimStatus, *matches: Match) -> Verdict:
    return Verdict(claim, status, (f"{status.value} because",), 100, (), matches)


def _report(*verdicts: Verdict, stale: bool = False) -> Report:
    return Report(NOW, StoreSummary(10, dt.date(2026, 11, 25)), verdicts, stale=stale)


# -- decisions -----------------------------------------------------------------------------------------


def test_history_tables_are_numbered_migrations(store: Store) -> None:
    names = [m.__name__ for m in MIGRATIONS]
    assert any(n.endswith("_create_runs") for n in names)
    assert any(n.endswith("_create_decisions") for n in names)
    tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "run_claims", "decisions"} <= tables


def test_decide_keys_papers_by_base_id(store: Store) -> None:
    d = decide(
        store, CLAIMS, "cot-shift", DecisionKind.DISMISS, now=NOW, today=TODAY, arxiv_id="arXiv:2611.00001v3"
    )
    assert d.arxiv_id == "2611.00001"
    assert load_decisions(store).for_claim("cot-shift").dismissed == frozenset({"2611.00001"})


@pytest.mark.parametrize(
    ("claim_id", "kind", "kwargs", "message"),
    [
        ("nope", DecisionKind.DISMISS, {"arxiv_id": "2611.00001"}, "no claim 'nope' in the claims file"),
        ("cot-shift", DecisionKind.CONFIRM, {"arxiv_id": "2611.1"}, "'2611.1' is not an arXiv id"),
        ("cot-shift", DecisionKind.DISMISS, {"arxiv_id": "1313.00001"}, "month 13 is not 01-12"),
        ("cot-shift", DecisionKind.CONFIRM, {}, "confirm needs an arXiv id"),
        ("cot-shift", DecisionKind.SNOOZE, {}, "snooze needs a date"),
        ("cot-shift", DecisionKind.SNOOZE, {"until": dt.date(2026, 11, 1)}, "in the past"),
        ("cot-shift", DecisionKind.REVIEWED, {"until": dt.date(2026, 12, 1)}, "in the future"),
    ],
)
def test_decide_refuses_bad_input_and_records_nothing(
    store: Store, claim_id: str, kind: DecisionKind, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(TriageError) as info:
        decide(store, CLAIMS, claim_id, kind, now=NOW, today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert store.get_decisions() == []


def test_unknown_claim_error_lists_the_known_ids(store: Store) -> None:
    with pytest.raises(TriageError) as info:
        decide(store, CLAIMS, "cot", DecisionKind.SNOOZE, now=NOW, today=TODAY, until=TODAY)
    assert info.value.tip is not None
    assert "cot-shift, long-context" in info.value.tip


def test_latest_decision_wins_and_review_settles_confirmations(store: Store) -> None:
    def do(kind: DecisionKind, **kw: object) -> None:
        decide(store, CLAIMS, "cot-shift", kind, now=NOW, today=TODAY, **kw)  # type: ignore[arg-type]

    do(DecisionKind.CONFIRM, arxiv_id="2611.00001")
    do(DecisionKind.DISMISS, arxiv_id="2611.00002", reason="about vision, not text")
    do(DecisionKind.CONFIRM, arxiv_id="2611.00003")
    do(DecisionKind.DISMISS, arxiv_id="2611.00001")  # changed their mind
    do(DecisionKind.SNOOZE, until=dt.date(2026, 12, 1))
    do(DecisionKind.SNOOZE, until=dt.date(2026, 12, 24))
    d = load_decisions(store).for_claim("cot-shift")
    assert d.dismissed == frozenset({"2611.00001", "2611.00002"})
    assert d.dismiss_reasons["2611.00002"] == "about vision, not text"
    assert d.confirmed == ("2611.00003",)
    assert d.snoozed_until == dt.date(2026, 12, 24)
    assert d.snoozed(TODAY)
    assert not d.snoozed(dt.date(2026, 12, 24))
    assert load_decisions(store).for_claim("long-context") == ClaimDecisions()

    do(DecisionKind.REVIEWED, until=dt.date(2026, 11, 20))
    d = load_decisions(store).for_claim("cot-shift")
    assert d.reviewed_on == dt.date(2026, 11, 20)
    assert d.confirmed == ()  # the review took the confirmed paper into account
    assert d.dismissed == frozenset({"2611.00001", "2611.00002"})  # dismissals stay


def test_reviewed_defaults_to_today(store: Store) -> None:
    decide(store, CLAIMS, "long-context", DecisionKind.REVIEWED, now=NOW, today=TODAY)
    assert load_decisions(store).for_claim("long-context").reviewed_on == TODAY


def test_decisions_survive_a_reimport_of_the_papers(store: Store) -> None:
    store.upsert_papers(
        [make_paper("2611.00002", published=dt.date(2026, 11, 2))], source="snapshot", now=NOW
    )
    decide(store, CLAIMS, "cot-shift", DecisionKind.DISMISS, now=NOW, today=TODAY, arxiv_id="2611.00002")
    # Re-import, this time a newer version (the row is rewritten) and then the full snapshot again.
    store.upsert_papers(
        [make_paper("2611.00002", version=2, published=dt.date(2026, 11, 2), updated=dt.date(2026, 11, 20))],
        source="api",
        now=NOW,
    )
    store.upsert_papers(
        [make_paper("2611.00002", published=dt.date(2026, 11, 2))], source="snapshot", now=NOW
    )
    d = load_decisions(store).for_claim("cot-shift")
    assert d.dismissed == frozenset({"2611.00002"})
    assert shape_matches([_match("2611.00002", superseding=True)], d, {}) == ()


# -- applying decisions --------------------------------------------------------------------------------


def test_shape_matches_drops_dismissed_and_puts_confirmed_first() -> None:
    d = ClaimDecisions(
        dismissed=frozenset({"2611.00002"}), confirmed=("2611.00009", "2611.00003", "2611.00404")
    )
    matches = [
        _match("2611.00001", score=95),
        _match("2611.00002", superseding=True),
        _match("2611.00003", score=60),
    ]
    confirmed_paper = make_paper("2611.00009", title="Found by hand", published=dt.date(2026, 11, 9))
    shaped = shape_matches(matches, d, {"2611.00009": confirmed_paper})
    assert [m.arxiv_id for m in shaped] == ["2611.00009", "2611.00003", "2611.00001"]
    by_hand, confirmed_match = shaped[0], shaped[1]
    assert by_hand.superseding
    assert by_hand.title == "Found by hand"
    assert by_hand.evidence == (CONFIRMED_EVIDENCE,)
    assert confirmed_match.superseding  # the matcher did not call it superseding; the person did
    assert confirmed_match.evidence == (CONFIRMED_EVIDENCE, "why 2611.00003")
    assert not shaped[2].superseding
    # 2611.00404 is confirmed but not in the store: it cannot be shown as a match.
    for confirmed in (by_hand, confirmed_match):
        assert (confirmed.stance, confirmed.confidence) == (Stance.CHALLENGES, 1.0)
        assert confirmed.stance_target == "the claim (confirmed by you)"
        assert confirmed.stance_sentence is None


def test_a_confirmed_paper_keeps_the_challenge_the_matcher_read_but_not_a_supporting_sentence() -> None:
    challenge = dataclasses.replace(
        _match("2611.00003"),
        stance=Stance.CHALLENGES,
        confidence=0.55,
        stance_sentence="We challenge this view.",
        stance_target="anchor 2508.01191",
    )
    support = dataclasses.replace(
        _match("2611.00004"), stance=Stance.SUPPORTS, confidence=0.9, stance_sentence="We confirm it."
    )
    d = ClaimDecisions(confirmed=("2611.00003", "2611.00004"))
    kept, turned = shape_matches([challenge, support], d, {})
    assert kept == dataclasses.replace(
        challenge,
        superseding=True,
        confidence=1.0,
        stance_target="anchor 2508.01191 (confirmed by you)",
        evidence=(CONFIRMED_EVIDENCE, *challenge.evidence),
    )
    assert (turned.stance, turned.stance_sentence, turned.stance_target) == (
        Stance.CHALLENGES,
        None,
        "the claim (confirmed by you)",
    )


def test_review_moves_the_freshness_clock_forward_only() -> None:
    claim = CLAIMS[0]  # dated 2025-08-02
    assert effective_claim(claim, ClaimDecisions(reviewed_on=dt.date(2026, 10, 1))).date == dt.date(
        2026, 10, 1
    )
    assert effective_claim(claim, ClaimDecisions(reviewed_on=dt.date(2025, 1, 1))) == claim
    assert effective_claim(claim, ClaimDecisions()) == claim


def test_apply_decisions_shows_them_in_the_reasons() -> None:
    claim = CLAIMS[0]
    judged = _verdict(dataclasses.replace(claim, date=dt.date(2026, 10, 1)), ClaimStatus.FRESH)
    d = ClaimDecisions(
        dismissed=frozenset({"2611.00002"}),
        confirmed=("2611.00003",),
        snoozed_until=dt.date(2026, 12, 24),
        reviewed_on=dt.date(2026, 10, 1),
    )
    shown = apply_decisions(judged, claim, d, TODAY)
    assert shown.claim == claim  # the claim as written, not its moved date
    assert shown.reasons == (
        "fresh because",
        "snoozed until 2026-12-24: needs no attention before then",
        "reviewed by a person on 2026-10-01: its age and newer work count from then",
        "confirmed as superseding by a person: 2611.00003",
        "dismissed by a person (not flagged again): 2611.00002",
    )
    assert apply_decisions(judged, claim, d, dt.date(2026, 12, 24)).reasons[1].startswith("reviewed")


# -- run history -----------------------------------------------------------------------------------------


def _record(store: Store, day: dt.date, report: Report, outcome: str = "ok") -> None:
    at = dt.datetime.combine(day, dt.time(6, 30), tzinfo=dt.UTC)
    record_run(store, report, day=day, started_at=at, finished_at=at, outcome=outcome, poll="got 3 papers")


def test_a_second_run_on_one_day_replaces_the_first(store: Store) -> None:
    day = dt.date(2026, 11, 26)
    _record(store, day, _report(_verdict(CLAIMS[0], ClaimStatus.FRESH)), outcome="failed")
    _record(
        store,
        day,
        _report(_verdict(CLAIMS[0], ClaimStatus.PERISHABLE), _verdict(CLAIMS[1], ClaimStatus.FRESH)),
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
    matches = [_match(f"2611.{i:05d}", score=99 - i * 0.1) for i in range(1, 31)]
    matches.append(_match("2611.00099", superseding=True, score=10))
    _record(store, TODAY, _report(_verdict(CLAIMS[0], ClaimStatus.POSSIBLY_SUPERSEDED, *matches)))
    kept = store.get_run_claims(store.get_runs()[0].id)["cot-shift"].matches
    assert len(kept) == KEPT_MATCHES + 1
    assert kept[-1].arxiv_id == "2611.00099"
    assert kept[0] == matches[0]  # stored and read back whole


def test_previous_run_is_the_last_one_before_the_day(store: Store) -> None:
    _record(store, dt.date(2026, 11, 20), _report(_verdict(CLAIMS[0], ClaimStatus.FRESH)))
    _record(store, dt.date(2026, 11, 25), _report(_verdict(CLAIMS[0], ClaimStatus.PERISHABLE)))
    _record(store, dt.date(2026, 11, 26), _report(_verdict(CLAIMS[0], ClaimStatus.ANCHOR_BROKEN)))
    found = previous_run(store, dt.date(2026, 11, 26))
    assert found is not None
    run, claims = found
    assert run.day == dt.date(2026, 11, 25)
    assert claims["cot-shift"].status is ClaimStatus.PERISHABLE
    assert previous_run(store, dt.date(2026, 11, 20)) is None


def test_compare_reports_status_changes_new_candidates_and_gone_claims() -> None:
    before = {
        "cot-shift": StoredRunClaim("cot-shift", ClaimStatus.FRESH, (), (_match("2611.00001"),)),
        "long-context": StoredRunClaim("long-context", ClaimStatus.FRESH, (), ()),
        "removed": StoredRunClaim("removed", ClaimStatus.PERISHABLE, (), ()),
    }
    after = {
        "cot-shift": StoredRunClaim(
            "cot-shift",
            ClaimStatus.POSSIBLY_SUPERSEDED,
            (),
            (_match("2611.00001", superseding=True), _match("2611.00005")),
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
    _record(store, dt.date(2026, 11, 20), _report(_verdict(CLAIMS[0], ClaimStatus.FRESH)))
    _record(store, dt.date(2026, 11, 23), _report(_verdict(CLAIMS[0], ClaimStatus.PERISHABLE)))
    _record(
        store,
        dt.date(2026, 11, 26),
        _report(_verdict(CLAIMS[0], ClaimStatus.POSSIBLY_SUPERSEDED, _match("2611.00007", superseding=True))),
    )
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

    current = _report(_verdict(CLAIMS[0], ClaimStatus.FRESH))
    against_now = changes_since(store, dt.date(2026, 11, 24), current=current)
    assert (against_now.baseline, against_now.latest) == (dt.date(2026, 11, 23), NOW.date())
    assert (against_now.claims[0].before, against_now.claims[0].after) == (
        ClaimStatus.PERISHABLE,
        ClaimStatus.FRESH,
    )


def test_claim_history_shows_what_changed_run_by_run(store: Store) -> None:
    _record(store, dt.date(2026, 11, 20), _report(_verdict(CLAIMS[0], ClaimStatus.FRESH)))
    _record(store, dt.date(2026, 11, 23), _report(_verdict(CLAIMS[0], ClaimStatus.FRESH)))
    _record(
        store,
        dt.date(2026, 11, 24),
        _report(_verdict(CLAIMS[0], ClaimStatus.POSSIBLY_SUPERSEDED, _match("2611.00007", superseding=True))),
    )
    _record(store, dt.date(2026, 11, 25), _report(_verdict(CLAIMS[1], ClaimStatus.FRESH)))  # claim absent
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
