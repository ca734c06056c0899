"""judge(): one status per claim, most severe first, each with reasons a person can read."""

from __future__ import annotations

import datetime as dt

from freshness.arxiv_ids import parse_arxiv_id
from freshness.models import Anchor, AnchorResult, AnchorStatus, Claim, ClaimStatus, Match, Stance, Velocity
from freshness.verdicts import judge

TODAY = dt.date(2026, 11, 26)
CLAIM = Claim(
    id="cot-shift",
    text="Chain-of-thought degrades under distribution shift.",
    date=dt.date(2026, 6, 1),
    topics=("chain-of-thought under distribution shift",),
    shelf_life_days=365,
)
NEWEST = dt.date(2026, 11, 25)


def _anchor(status: AnchorStatus, detail: str = "", raw: str = "2508.01191") -> AnchorResult:
    try:
        parsed = parse_arxiv_id(raw)
    except ValueError:
        parsed = None
    return AnchorResult(Anchor(raw, parsed, None, 7, 9), status, detail)


def _match(
    arxiv_id: str,
    *,
    superseding: bool,
    score: float = 80.0,
    title: str = "A paper",
    stance: Stance = Stance.RELATED,
    confidence: float = 0.0,
    sentence: str | None = None,
) -> Match:
    return Match(
        arxiv_id,
        title,
        dt.date(2026, 9, 1),
        score,
        superseding,
        ("evidence",),
        stance=stance,
        confidence=confidence,
        stance_sentence=sentence,
        stance_target="anchor 2508.01191" if sentence else None,
    )


def test_a_broken_anchor_wins_over_everything_and_names_the_anchor() -> None:
    v = judge(
        CLAIM,
        [_match("2609.00001", superseding=True)],
        [_anchor(AnchorStatus.WITHDRAWN, "v3")],
        today=TODAY,
        newest_paper=NEWEST,
    )
    assert v.status is ClaimStatus.ANCHOR_BROKEN
    assert v.reasons[0] == "anchor 2508.01191: withdrawn (v3)"
    assert v.reasons[1] == '1 newer paper challenges it: 2609.00001 "A paper" (score 80)'


def test_a_malformed_anchor_is_named_as_written() -> None:
    v = judge(
        CLAIM,
        [],
        [_anchor(AnchorStatus.MALFORMED, "month 13 is not 01-12", raw="2513.00001")],
        today=TODAY,
        newest_paper=NEWEST,
    )
    assert v.status is ClaimStatus.ANCHOR_BROKEN
    assert v.reasons[0] == "anchor 2513.00001: malformed id (month 13 is not 01-12)"


def test_a_superseding_match_makes_it_possibly_superseded_naming_the_strongest_challenge() -> None:
    matches = [
        _match(
            "2609.00001",
            superseding=True,
            score=91.2,
            title="Against CoT",
            stance=Stance.CHALLENGES,
            confidence=0.62,
            sentence="Unlike prior work, we find no degradation.",
        ),
        _match("2609.00002", superseding=False),
        _match(
            "2609.00003",
            superseding=True,
            score=70,
            title="Breaking the Chain-of-Thought Distribution Shift Barrier with Curriculum Data",
            stance=Stance.CHALLENGES,
            confidence=0.86,
            sentence="Contrary to the common view that chain-of-thought degrades under distribution "
            "shift, we show that a curriculum of shifted formats removes the degradation entirely on "
            "all twelve benchmarks we consider.",
        ),
        _match("2609.00004", superseding=True, score=60, title="Third"),
    ]
    v = judge(CLAIM, matches, [_anchor(AnchorStatus.OK)], today=TODAY, newest_paper=NEWEST)

    assert v.status is ClaimStatus.POSSIBLY_SUPERSEDED
    assert v.reasons == (
        '3 newer papers challenge it; strongest: 2609.00003 "Breaking the Chain-of-Thought '
        'Distribution Shift Barrier..." (confidence 0.86): "Contrary to the common view '
        "that chain-of-thought degrades under distribution shift, we show that a curriculum of shifted "
        'formats removes the degradation..."',
    )
    assert v.matches == tuple(matches)
    assert v.age_days == 178


def test_one_challenge_is_named_with_its_confidence_and_sentence() -> None:
    challenge = _match(
        "2609.00001",
        superseding=True,
        title="Against\n  CoT",
        stance=Stance.CHALLENGES,
        confidence=0.8,
        sentence="We challenge\nthis view.",
    )
    v = judge(CLAIM, [challenge], [], today=TODAY, newest_paper=NEWEST)
    assert v.reasons == (
        '1 newer paper challenges it: 2609.00001 "Against CoT" (confidence 0.80): "We challenge this view."',
    )


def test_a_stance_without_the_flag_never_changes_the_status() -> None:
    """The status follows `superseding` alone; a weak challenge or a supporting paper is information."""
    matches = [
        _match("2609.00001", superseding=False, stance=Stance.CHALLENGES, confidence=0.9, sentence="No."),
        _match("2609.00002", superseding=False, stance=Stance.SUPPORTS, confidence=0.7, sentence="Yes."),
        _match("2609.00003", superseding=False),
    ]
    v = judge(CLAIM, matches, [], today=TODAY, newest_paper=NEWEST)
    assert v.status is ClaimStatus.FRESH
    assert v.reasons == (
        "no newer paper challenges it (3 related newer papers: 1 supports it, 1 leans against it, too "
        "weakly to flag); 178 days old, shelf life 365 days",
    )


def test_older_than_its_shelf_life_is_perishable() -> None:
    old = Claim(**{**CLAIM.__dict__, "date": dt.date(2025, 10, 10)})
    v = judge(old, [_match("2609.00001", superseding=False)], [], today=TODAY, newest_paper=NEWEST)
    assert v.status is ClaimStatus.PERISHABLE
    assert v.reasons == (
        "no newer paper challenges it (1 related newer paper)",
        "412 days old, shelf life 365 days",
    )


def test_a_busy_topic_is_perishable_and_says_how_busy() -> None:
    velocity = Velocity(since=dt.date(2026, 8, 28), until=TODAY, related=14, challenging=2)
    v = judge(CLAIM, [], [], today=TODAY, newest_paper=NEWEST, velocity=velocity)
    assert v.status is ClaimStatus.PERISHABLE
    assert v.reasons == (
        "no newer paper challenges it (0 related newer papers)",
        "14 related papers in the last 3 months (4.7 a month); 2 challenge it",
    )


def test_velocity_since_a_recent_claim_is_worded_so_and_a_quiet_topic_stays_fresh() -> None:
    velocity = Velocity(since=CLAIM.date, until=TODAY, related=1, challenging=1)
    v = judge(
        CLAIM,
        [_match("2609.00001", superseding=False)],
        [],
        today=TODAY,
        newest_paper=NEWEST,
        velocity=velocity,
    )
    assert v.status is ClaimStatus.FRESH
    assert v.reasons == (
        "no newer paper challenges it (1 related newer paper); 178 days old, shelf life 365 days",
        "1 related paper in the 6 months since this claim (0.2 a month); 1 challenges it",
    )


def test_no_papers_after_the_claim_is_unchecked_not_fresh() -> None:
    v = judge(CLAIM, [], [], today=TODAY, newest_paper=dt.date(2026, 5, 30))
    assert v.status is ClaimStatus.UNCHECKED
    assert v.reasons == (
        "the store has no papers after 2026-06-01 (newest 2026-05-30): import or poll newer papers "
        "before judging this claim",
    )
    empty = judge(CLAIM, [], [], today=TODAY, newest_paper=None)
    assert empty.status is ClaimStatus.UNCHECKED
    assert "no papers yet" in empty.reasons[0]


def test_unchecked_store_ignores_matches_but_not_age() -> None:
    old = Claim(**{**CLAIM.__dict__, "date": dt.date(2024, 1, 1)})
    v = judge(
        old, [_match("2609.00001", superseding=True)], [], today=TODAY, newest_paper=dt.date(2023, 1, 1)
    )
    assert v.status is ClaimStatus.PERISHABLE
    assert v.reasons[0] == "1060 days old, shelf life 365 days"
    assert "no papers after 2024-01-01" in v.reasons[1]


def test_fresh_lists_warnings_about_anchors_that_are_not_broken() -> None:
    v = judge(
        CLAIM,
        [],
        [_anchor(AnchorStatus.REVISED, "v2 on 2026-07-01"), _anchor(AnchorStatus.UNCHECKED, "offline")],
        today=TODAY,
        newest_paper=NEWEST,
    )
    assert v.status is ClaimStatus.FRESH
    assert v.reasons == (
        "no newer paper challenges it (0 related newer papers); 178 days old, shelf life 365 days",
        "anchor 2508.01191: revised since the claim (v2 on 2026-07-01)",
        "anchor 2508.01191: not checked (offline)",
    )
    assert len(v.anchors) == 2
