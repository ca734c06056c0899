"""The simulated curator of `freshness eval --feedback N`: reads in the report's order, decides only
labeled papers, learns after each decision, and leaves the decided papers out of what is scored."""

from __future__ import annotations

import datetime as dt

from freshness.feedback import reading_order, simulate
from freshness.flagging import DEFAULT_RULE, apply_rule
from freshness.learning import Teaching
from freshness.models import Match, Stance
from tests.test_learning import CLAIM, TEXTS


def _match(pid: str, score: float, stance: Stance = Stance.RELATED, confidence: float = 0.0) -> Match:
    return Match(pid, f"Paper {pid}", dt.date(2026, 1, 5), score, False, (), stance, confidence)


MATCHES = apply_rule(
    [
        _match("2601.00001", 60.0),
        _match("2601.00002", 58.0, Stance.SUPPORTS, 0.6),
        _match("2601.00003", 56.0),
        _match("2601.00004", 54.0, Stance.CHALLENGES, 0.3),  # too weak to flag, still read first
        _match("2601.00005", 52.0, Stance.CHALLENGES, 0.8),
        _match("2601.00006", 50.0),
    ]
)
LABELS = {
    "2601.00001": "related",
    "2601.00002": "supports",
    "2601.00005": "supersedes",
    "2601.00006": "negative",
}


def test_reading_order_is_the_reports_challenges_then_support_then_related() -> None:
    # Challenges by score, flagged or not.
    assert [m.arxiv_id for m in reading_order(MATCHES)] == [
        "2601.00004",
        "2601.00005",
        "2601.00002",
        "2601.00001",
        "2601.00003",
        "2601.00006",
    ]


def test_the_curator_decides_labeled_papers_in_reading_order_and_reads_past_the_rest() -> None:
    run = simulate(CLAIM, MATCHES, TEXTS, LABELS.get, 3, DEFAULT_RULE)
    # 2601.00004 is unlabeled: read past, never decided.
    assert [(e.arxiv_id, e.teaching) for e in run.revealed] == [
        ("2601.00005", Teaching.CHALLENGE),
        ("2601.00002", Teaching.NOT_CHALLENGE),
        ("2601.00001", Teaching.NOT_CHALLENGE),
    ]
    decided = {e.arxiv_id for e in run.revealed}
    assert not decided & {m.arxiv_id for m in run.learned}
    assert [m.arxiv_id for m in run.control] == ["2601.00003", "2601.00004", "2601.00006"]


def test_no_more_decisions_than_labeled_papers_and_none_at_zero() -> None:
    assert len(simulate(CLAIM, MATCHES, TEXTS, LABELS.get, 10, DEFAULT_RULE).revealed) == 4
    zero = simulate(CLAIM, MATCHES, TEXTS, LABELS.get, 0, DEFAULT_RULE)
    assert zero.revealed == ()
    assert zero.learned == tuple(MATCHES) == zero.control
