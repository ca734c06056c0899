"""Triage decisions: validated, recorded, folded into what is in force, applied to a claim's matches."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from freshness.decisions import (
    CONFIRMED_EVIDENCE,
    ClaimDecisions,
    Decided,
    TriageError,
    decide,
    effective_claim,
    load_decisions,
    shape_matches,
)
from freshness.learning import Teaching
from freshness.migrations import MIGRATIONS
from freshness.models import (
    Claim,
    ClaimStatus,
    DecisionKind,
    Report,
    Stance,
    StoreSummary,
    Velocity,
    Verdict,
)
from freshness.store import Store
from tests.conftest import NOW, make_match, make_paper, make_verdict

TODAY = NOW.date()  # 2026-11-26
VELOCITY = Velocity(dt.date(2026, 5, 26), TODAY, related=0, challenging=0)
CLAIMS = [
    Claim("cot-shift", "Chain of thought degrades under shift.", dt.date(2025, 8, 2), ("cot shift",)),
    Claim("long-context", "Long context is solved.", dt.date(2025, 3, 1), ("long context",)),
]


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
    assert shape_matches([make_match("2611.00002", superseding=True)], d, {}) == ()


# -- applying decisions --------------------------------------------------------------------------------


def test_shape_matches_drops_dismissed_and_puts_confirmed_first() -> None:
    d = ClaimDecisions(
        dismissed=frozenset({"2611.00002"}), confirmed=("2611.00009", "2611.00003", "2611.00404")
    )
    matches = [
        make_match("2611.00001", score=95),
        make_match("2611.00002", superseding=True),
        make_match("2611.00003", score=60),
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
        make_match("2611.00003"),
        stance=Stance.CHALLENGES,
        confidence=0.55,
        stance_sentence="We challenge this view.",
        stance_target="anchor 2508.01191",
    )
    support = dataclasses.replace(
        make_match("2611.00004"), stance=Stance.SUPPORTS, confidence=0.9, stance_sentence="We confirm it."
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


def test_decided_verdict_shows_the_decisions_in_the_reasons() -> None:
    claim = CLAIMS[0]
    judged = make_verdict(dataclasses.replace(claim, date=dt.date(2026, 10, 1)), ClaimStatus.FRESH)
    d = ClaimDecisions(
        dismissed=frozenset({"2611.00002"}),
        confirmed=("2611.00003",),
        snoozed_until=dt.date(2026, 12, 24),
        reviewed_on=dt.date(2026, 10, 1),
    )
    shown = Decided(claim, (), VELOCITY, d.notes(TODAY)).applied_to(judged)
    assert shown.claim == claim  # the claim as written, not its moved date
    assert shown.reasons == (
        "fresh because",
        "snoozed until 2026-12-24: needs no attention before then",
        "reviewed by a person on 2026-10-01: its age and newer work count from then",
        "confirmed as superseding by a person: 2611.00003",
        "dismissed by a person (not flagged again): 2611.00002",
    )
    later = Decided(claim, (), VELOCITY, d.notes(dt.date(2026, 12, 24))).applied_to(judged)
    assert later.reasons[1].startswith("reviewed")


# -- what a claim learns from ---------------------------------------------------------------------------


def test_marks_and_undo_fold_into_what_is_in_force(store: Store) -> None:
    def record(kind: DecisionKind, arxiv_id: str) -> None:
        decide(store, CLAIMS, "cot-shift", kind, now=NOW, today=TODAY, arxiv_id=arxiv_id)

    record(DecisionKind.RELEVANT, "2601.00001v2")
    record(DecisionKind.NOT_RELEVANT, "2601.00002")
    record(DecisionKind.CONFIRM, "2601.00003")
    record(DecisionKind.DISMISS, "2601.00004")
    record(DecisionKind.UNDO, "2601.00003")
    mine = load_decisions(store).for_claim("cot-shift")
    assert mine.relevant == frozenset({"2601.00001"})
    assert mine.not_relevant == frozenset({"2601.00002"})
    assert mine.confirmed == ()
    assert mine.hidden == frozenset({"2601.00002", "2601.00004"})
    assert [(e.arxiv_id, e.teaching, e.said) for e in mine.examples] == [
        ("2601.00001", Teaching.NOT_CHALLENGE, "you marked relevant"),
        ("2601.00002", Teaching.OFF_TOPIC, "you marked not relevant"),
        ("2601.00004", Teaching.OFF_TOPIC, "you dismissed"),
    ]
    # Decisions on one claim teach no other.
    assert load_decisions(store).for_claim("long-context").examples == ()


def test_undo_needs_a_decision_in_force(store: Store) -> None:
    with pytest.raises(TriageError, match=r"no decision on 2601\.00009 for cot-shift to undo"):
        decide(store, CLAIMS, "cot-shift", DecisionKind.UNDO, now=NOW, today=TODAY, arxiv_id="2601.00009")
    assert store.get_decisions() == []


def test_a_settled_confirmation_still_teaches(store: Store) -> None:
    decide(store, CLAIMS, "cot-shift", DecisionKind.CONFIRM, now=NOW, today=TODAY, arxiv_id="2601.00003")
    decide(store, CLAIMS, "cot-shift", DecisionKind.REVIEWED, now=NOW, today=TODAY)
    mine = load_decisions(store).for_claim("cot-shift")
    assert mine.confirmed == ()
    assert [e.arxiv_id for e in mine.examples] == ["2601.00003"]


def test_shape_matches_keeps_relevant_papers_unflagged_and_drops_off_topic_ones() -> None:
    challenge = dataclasses.replace(
        make_match("2601.00001", superseding=True),
        stance=Stance.CHALLENGES,
        confidence=0.8,
        stance_sentence="No.",
    )
    mine = ClaimDecisions(relevant=frozenset({"2601.00001"}), not_relevant=frozenset({"2601.00002"}))
    shaped = shape_matches([challenge, make_match("2601.00002"), make_match("2601.00003")], mine, {})
    assert [m.arxiv_id for m in shaped] == ["2601.00001", "2601.00003"]
    kept = shaped[0]
    assert not kept.superseding
    assert kept.stance is Stance.RELATED
    assert kept.stance_sentence is None
    assert kept.evidence[0].startswith("marked relevant by a person")


def test_decisions_made_before_marks_existed_upgrade_with_their_ids(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    for migration in MIGRATIONS[:12]:
        with db:
            migration(db)
    db.execute(f"PRAGMA user_version = {12}")
    with db:
        db.execute(
            "INSERT INTO decisions (claim_id, arxiv_id, kind, reason, until, created_at) "
            "VALUES ('cot-shift', '2601.00003', 'confirm', NULL, NULL, '2026-11-01T00:00:00+00:00')"
        )
    db.close()
    with Store.open(path) as upgraded:
        decide(
            upgraded, CLAIMS, "cot-shift", DecisionKind.RELEVANT, now=NOW, today=TODAY, arxiv_id="2601.00004"
        )
        kinds = [(d.id, d.kind) for d in upgraded.get_decisions()]
    assert kinds == [(1, DecisionKind.CONFIRM), (2, DecisionKind.RELEVANT)]
