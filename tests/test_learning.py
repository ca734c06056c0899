"""Learning from a claim's own decisions: re-ranking by likeness to decided papers, the claim's own
threshold, the veto and the vouch, each saying why; nothing changes without decisions."""

from __future__ import annotations

import dataclasses
import datetime as dt

from freshness.flagging import DEFAULT_RULE, apply_rule
from freshness.learning import Example, Teaching, learn
from freshness.models import Claim, Match, Stance

CLAIM = Claim(
    "cot-shift",
    "Chain-of-thought reasoning degrades under distribution shift.",
    dt.date(2025, 8, 2),
    ("chain of thought", "distribution shift"),
)
# Every paper shares the claim's words; each has an angle of its own (and some filler words, so that no
# angle word is in more than half of the pool).
ANGLES = {
    "2601.00001": "curriculum tokens rehearsal scaffold",
    "2601.00002": "curriculum tokens rehearsal scaffold ablation",
    "2601.00003": "protein folding lattice crystal",
    "2601.00004": "protein folding lattice crystal solvent",
    "2601.00005": "graph kernels spectral wavelets",
    "2601.00006": "audio codecs bitrate spectrogram",
    "2601.00007": "robot grasping tactile sensors",
    "2601.00008": "legal contracts clauses statutes",
}
TEXTS = {pid: f"Chain of thought under distribution shift. {angle} {angle}" for pid, angle in ANGLES.items()}


def _match(pid: str, score: float, stance: Stance = Stance.RELATED, confidence: float = 0.0) -> Match:
    return Match(pid, f"Paper {pid}", dt.date(2026, 1, 5), score, False, (f"why {pid}",), stance, confidence)


def _matches(*extra: Match) -> list[Match]:
    base = [_match(pid, 60.0 - 2 * i) for i, pid in enumerate(ANGLES)]
    by_id = {m.arxiv_id: m for m in extra}
    return apply_rule([by_id.get(m.arxiv_id, m) for m in base])


def _ids(matches: tuple[Match, ...] | list[Match]) -> list[str]:
    return [m.arxiv_id for m in matches]


def test_without_decisions_the_matches_are_the_matchers() -> None:
    matches = _matches(_match("2601.00004", 54.0, Stance.CHALLENGES, 0.8))
    lesson = learn(CLAIM, matches, TEXTS, (), rule=DEFAULT_RULE)
    assert lesson.matches == tuple(matches)
    assert lesson.threshold == DEFAULT_RULE.min_confidence
    assert lesson.notes == ()


def test_a_paper_like_a_confirmed_one_ranks_up_and_says_which() -> None:
    matches = _matches()
    assert _ids(matches).index("2601.00002") == 1
    confirmed = Example("2601.00001", Teaching.CHALLENGE, "you confirmed")
    lesson = learn(CLAIM, matches, TEXTS, (confirmed,), rule=DEFAULT_RULE)
    # 2601.00002 shares the confirmed paper's angle: it moves above 2601.00001's neighbours unchanged.
    alike = next(m for m in lesson.matches if m.arxiv_id == "2601.00002")
    assert any(e.startswith("ranked up: like 2601.00001 that you confirmed (") for e in alike.evidence)
    unrelated = next(m for m in lesson.matches if m.arxiv_id == "2601.00005")
    assert unrelated.evidence == ("why 2601.00005",)
    assert lesson.notes == ("learned from 1 decision on its papers",)
    assert lesson.moved == 1


def test_a_paper_like_an_off_topic_one_ranks_down() -> None:
    matches = _matches()
    before = _ids(matches).index("2601.00004")
    off = Example("2601.00003", Teaching.OFF_TOPIC, "you marked not relevant")
    lesson = learn(CLAIM, matches, TEXTS, (off,), rule=DEFAULT_RULE)
    after = _ids(lesson.matches).index("2601.00004")
    assert after > before
    moved = lesson.matches[after]
    assert any("ranked down: like 2601.00003 that you marked not relevant" in e for e in moved.evidence)


def test_a_challenge_marked_not_one_raises_the_claims_threshold() -> None:
    matches = _matches(
        _match("2601.00005", 52.0, Stance.CHALLENGES, 0.60),
        _match("2601.00007", 48.0, Stance.CHALLENGES, 0.55),
        _match("2601.00008", 46.0, Stance.CHALLENGES, 0.80),
    )
    assert [m.arxiv_id for m in matches if m.superseding] == ["2601.00005", "2601.00007", "2601.00008"]
    said_not = Example("2601.00005", Teaching.NOT_CHALLENGE, "you marked relevant")
    lesson = learn(CLAIM, matches, TEXTS, (said_not,), rule=DEFAULT_RULE)
    assert lesson.threshold == 0.61
    flagged = [m.arxiv_id for m in lesson.matches if m.superseding]
    # The decided paper itself is left to the decisions; the 0.55 challenge is no longer flagged.
    assert "2601.00007" not in flagged
    assert "2601.00008" in flagged
    assert lesson.notes[1] == (
        "flags challenges from confidence 0.61 (raised from 0.45: 2601.00005 (0.60) you marked relevant)"
    )


def test_a_confirmed_weak_challenge_lowers_the_claims_threshold() -> None:
    matches = _matches(
        _match("2601.00005", 52.0, Stance.CHALLENGES, 0.38),
        _match("2601.00007", 48.0, Stance.CHALLENGES, 0.40),
    )
    assert not any(m.superseding for m in matches)
    confirmed = Example("2601.00005", Teaching.CHALLENGE, "you confirmed")
    lesson = learn(CLAIM, matches, TEXTS, (confirmed,), rule=DEFAULT_RULE)
    assert lesson.threshold == 0.38
    assert [m.arxiv_id for m in lesson.matches if m.superseding] == ["2601.00007"]
    assert "lowered from 0.45: 2601.00005 (0.38) you confirmed" in lesson.notes[1]


def test_a_challenge_like_a_paper_marked_not_a_challenge_is_vetoed() -> None:
    matches = _matches(_match("2601.00004", 54.0, Stance.CHALLENGES, 0.9))
    said_not = Example("2601.00003", Teaching.NOT_CHALLENGE, "you marked relevant")
    lesson = learn(CLAIM, matches, TEXTS, (said_not,), rule=DEFAULT_RULE)
    vetoed = next(m for m in lesson.matches if m.arxiv_id == "2601.00004")
    assert not vetoed.superseding
    assert any(e.startswith("not flagged: like 2601.00003 that you marked relevant") for e in vetoed.evidence)


def test_a_weak_challenge_like_a_confirmed_paper_is_vouched_for() -> None:
    matches = _matches(_match("2601.00002", 58.0, Stance.CHALLENGES, 0.36))
    confirmed = Example("2601.00001", Teaching.CHALLENGE, "you confirmed")
    lesson = learn(CLAIM, matches, TEXTS, (confirmed,), rule=DEFAULT_RULE)
    vouched = next(m for m in lesson.matches if m.arxiv_id == "2601.00002")
    assert vouched.superseding
    assert any(
        e.startswith("flagged: a challenge like 2601.00001 that you confirmed") for e in vouched.evidence
    )


def test_a_paper_with_no_text_teaches_nothing_by_its_words() -> None:
    matches = _matches()
    texts = {k: v for k, v in TEXTS.items() if k != "2601.00001"}
    lesson = learn(
        CLAIM,
        matches,
        texts,
        (Example("2601.00001", Teaching.CHALLENGE, "you confirmed"),),
        rule=DEFAULT_RULE,
    )
    assert _ids(lesson.matches) == _ids(matches)
    assert lesson.moved == 0


def test_the_rule_s_rank_limit_still_holds() -> None:
    matches = _matches(_match("2601.00008", 46.0, Stance.CHALLENGES, 0.9))
    rule = dataclasses.replace(DEFAULT_RULE, max_rank=3)
    lesson = learn(
        CLAIM,
        matches,
        TEXTS,
        (Example("2601.00006", Teaching.NOT_CHALLENGE, "you marked relevant"),),
        rule=rule,
    )
    assert not any(m.superseding for m in lesson.matches)
