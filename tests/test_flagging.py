"""The flag rule and its fit, on hand-built matches whose F0.5 is worked out in the comments."""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest

from freshness.flagging import (
    DEFAULT_GRID,
    DEFAULT_RULE,
    FlagExample,
    FlagGrid,
    FlagRule,
    apply_rule,
    fit_rule,
    tally_rules,
)
from freshness.models import Match, Stance

C, S, R = Stance.CHALLENGES, Stance.SUPPORTS, Stance.RELATED


def m(arxiv_id: str, stance: Stance = C, confidence: float = 0.9, score: float = 50.0) -> Match:
    return Match(arxiv_id, f"title of {arxiv_id}", dt.date(2025, 3, 1), score, False, (), stance, confidence)


def flagged(matches: list[Match]) -> list[str]:
    return [x.arxiv_id for x in matches if x.superseding]


def test_the_default_rule_and_grid_are_the_documented_ones() -> None:
    assert FlagRule(min_confidence=0.45, max_rank=20, min_score=0.0) == DEFAULT_RULE
    assert DEFAULT_GRID.min_confidence == (
        0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95,
    )  # fmt: skip
    assert DEFAULT_GRID.max_rank == (3, 5, 10, 20, 30)
    assert DEFAULT_GRID.min_score == (0.0, 10.0, 20.0, 30.0, 40.0)
    assert len(DEFAULT_GRID.rules()) == 14 * 5 * 5


def test_apply_rule_flags_only_challenges_at_the_confidence_rank_and_score_asked() -> None:
    rule = FlagRule(min_confidence=0.6, max_rank=4, min_score=20.0)
    matches = [
        m("a", C, 0.6, 20.0),  # every bound met exactly: flagged
        m("b", S, 0.99, 90.0),  # supports, however sure: not flagged
        m("c", C, 0.59, 90.0),  # below the confidence
        m("d", C, 0.9, 19.9),  # below the score
        m("e", C, 0.9, 90.0),  # rank 5 > max_rank 4
    ]
    out = apply_rule(matches, rule)

    assert flagged(out) == ["a"]
    assert [x.arxiv_id for x in out] == ["a", "b", "c", "d", "e"]  # order kept
    assert out[1] == matches[1]  # everything else unchanged


def test_apply_rule_clears_a_flag_the_matcher_set() -> None:
    shipped = Match("a", "t", dt.date(2025, 3, 1), 90.0, True, (), R, 0.0)
    assert apply_rule([shipped], DEFAULT_RULE)[0].superseding is False


# One claim for the fits below: supersedes {a, d, e} (e never found), b labeled supports, u unlabeled.
#   rank 1 a supersedes conf 0.9 score 80
#   rank 2 b supports   conf 0.7 score 60
#   rank 3 u unknown    conf 0.8 score 50
#   rank 4 d supersedes conf 0.5 score 15
CLAIM = FlagExample(
    matches=[m("a", C, 0.9, 80), m("b", C, 0.7, 60), m("u", C, 0.8, 50), m("d", C, 0.5, 15)],
    supersedes=frozenset({"a", "d", "e"}),
    wrong=frozenset({"b"}),
)
SMALL = FlagGrid(min_confidence=(0.5, 0.75), max_rank=(3, 5), min_score=(0.0, 20.0))


def test_tallies_leave_unknown_flags_out_of_precision() -> None:
    tallies = dict(tally_rules([CLAIM], grid=SMALL))

    # conf 0.5, rank <= 5, any score: a, b, u, d flagged; right a, d; wrong b; u is unknown.
    wide = tallies[FlagRule(0.5, 5, 0.0)]
    assert (wide.right, wide.wrong, wide.flags, wide.challengers) == (2, 1, 4, 3)
    assert wide.precision == pytest.approx(2 / 3)
    assert wide.recall == pytest.approx(2 / 3)
    assert wide.f_beta == pytest.approx(2 / 3)
    # conf 0.75: a and u flagged; u is unknown, so precision is 1/1, recall 1/3:
    # F0.5 = 1.25 * 1 * 1/3 / (0.25 * 1 + 1/3) = 0.7143
    sure = tallies[FlagRule(0.75, 3, 0.0)]
    assert (sure.right, sure.wrong, sure.flags) == (1, 0, 2)
    assert sure.precision == 1.0
    assert sure.f_beta == pytest.approx(0.7143, abs=1e-4)
    # score >= 20 drops d (score 15): a, b, u at conf 0.5: P 1/2, R 1/3, F0.5 0.4545
    assert tallies[FlagRule(0.5, 5, 20.0)].f_beta == pytest.approx(0.4545, abs=1e-4)


def test_fit_maximises_f_half_with_unknowns_excluded() -> None:
    # Counting u as wrong would make conf 0.75 score P 1/2 (F0.5 0.45) and pick (0.5, 5, 0) at 0.67.
    assert fit_rule([CLAIM], grid=SMALL) == FlagRule(0.75, 3, 0.0)


def test_ties_go_to_fewer_flags_then_to_the_higher_confidence() -> None:
    one = FlagExample(
        [m("a", C, 0.9, 80), m("x", S), m("y", S), m("u", C, 0.8, 50)], frozenset({"a"}), frozenset()
    )
    # Every rule flags a (F0.5 = 1); rank 3 leaves out the unknown u at rank 4: one flag, not two.
    grid = FlagGrid(min_confidence=(0.5, 0.7), max_rank=(5, 3), min_score=(0.0,))
    assert fit_rule([one], grid=grid) == FlagRule(0.7, 3, 0.0)
    # Same flags for every confidence: the higher one wins, wherever it is in the grid.
    grid = FlagGrid(min_confidence=(0.5, 0.85, 0.7), max_rank=(3,), min_score=(0.0,))
    assert fit_rule([one], grid=grid) == FlagRule(0.85, 3, 0.0)


def test_fewer_flags_beat_a_higher_confidence() -> None:
    # rank: 1 a supersedes 0.6 | 2, 3 supports | 4 w wrong 0.6 | 5 b supersedes 0.9 | 6 u unknown 0.8
    ex = FlagExample(
        [m("a", C, 0.6), m("x", S), m("y", S), m("w", C, 0.6), m("b", C, 0.9), m("u", C, 0.8)],
        supersedes=frozenset({"a", "b"}),
        wrong=frozenset({"w"}),
    )
    grid = FlagGrid(min_confidence=(0.5, 0.75), max_rank=(3, 6), min_score=(0.0,))
    tallies = dict(tally_rules([ex], grid=grid))
    # (0.5, 3) flags a; (0.75, 6) flags b and u: both P 1, R 1/2, F0.5 0.8333.
    assert tallies[FlagRule(0.5, 3, 0.0)].f_beta == pytest.approx(0.8333, abs=1e-4)
    assert tallies[FlagRule(0.75, 6, 0.0)].f_beta == pytest.approx(0.8333, abs=1e-4)
    # (0.5, 6) also flags w: P 2/3, R 1, F0.5 0.7143; (0.75, 3) flags nothing.
    assert tallies[FlagRule(0.5, 6, 0.0)].f_beta == pytest.approx(0.7143, abs=1e-4)
    assert tallies[FlagRule(0.75, 3, 0.0)].flags == 0
    assert fit_rule([ex], grid=grid) == FlagRule(0.5, 3, 0.0)


def test_with_nothing_to_learn_the_rule_flagging_least_is_chosen() -> None:
    related_only = FlagExample([m("a", R, 0.0), m("b", R, 0.0)], frozenset({"a"}), frozenset({"b"}))
    assert fit_rule([related_only]) == FlagRule(0.95, 3, 0.0)
    assert fit_rule([]) == FlagRule(0.95, 3, 0.0)


def test_the_pool_is_over_claims_not_an_average_of_claims() -> None:
    # Claim 1: a (supersedes) at conf 0.9. Claim 2: two wrong flags at 0.6, its supersedes c at 0.4.
    c1 = FlagExample([m("a", C, 0.9)], frozenset({"a"}), frozenset())
    c2 = FlagExample(
        [m("w1", C, 0.6), m("w2", C, 0.6), m("c", C, 0.4)], frozenset({"c"}), frozenset({"w1", "w2"})
    )
    tallies = dict(tally_rules([c1, c2], grid=FlagGrid((0.3, 0.5, 0.7), (5,), (0.0,))))
    # 0.3: right 2, wrong 2 -> P 0.5, R 1; 0.5: right 1, wrong 2 -> P 1/3, R 1/2; 0.7: P 1, R 1/2.
    assert tallies[FlagRule(0.3, 5, 0.0)].f_beta == pytest.approx(1.25 * 0.5 / (0.125 + 1))
    assert tallies[FlagRule(0.7, 5, 0.0)].f_beta == pytest.approx(1.25 * 0.5 / (0.25 + 0.5))
    assert fit_rule([c1, c2], grid=FlagGrid((0.3, 0.5, 0.7), (5,), (0.0,))) == FlagRule(0.7, 5, 0.0)


def test_fourteen_folds_over_fifty_challenging_matches_each_take_well_under_a_second() -> None:
    rng = random.Random(7)
    examples = []
    for c in range(14):
        matches = [m(f"{c}.{i}", C, rng.random(), rng.uniform(0, 100)) for i in range(50)]
        ids = [x.arxiv_id for x in matches]
        examples.append(FlagExample(matches, frozenset(ids[:8]), frozenset(ids[8:30])))
    start = time.perf_counter()
    rules = [fit_rule(examples[:i] + examples[i + 1 :]) for i in range(len(examples))]
    elapsed = time.perf_counter() - start
    assert len(rules) == 14
    assert elapsed < 1.0, f"14 folds took {elapsed:.2f} s"


def test_tallies_agree_with_applying_each_rule_one_by_one() -> None:
    """The cumulative-sum tally against the plain definition, on random stances, ties and bounds."""
    rng = random.Random(3)
    examples = []
    for c in range(6):
        matches = [
            m(f"{c}.{i}", rng.choice([C, C, S, R]), rng.choice([0.3, 0.62, 0.95, rng.random()]),
              rng.choice([0.0, 10.0, 15.0, 40.0, rng.uniform(0, 100)]))
            for i in range(40)
        ]  # fmt: skip
        ids = [x.arxiv_id for x in matches]
        rng.shuffle(ids)
        examples.append(FlagExample(matches, frozenset([*ids[:6], "never.found"]), frozenset(ids[6:25])))

    for rule, tally in tally_rules(examples):
        flagged_pairs = [
            (x.arxiv_id, ex) for ex in examples for x in apply_rule(ex.matches, rule) if x.superseding
        ]
        assert tally.flags == len(flagged_pairs), rule
        assert tally.right == sum(pid in ex.supersedes for pid, ex in flagged_pairs), rule
        assert tally.wrong == sum(pid in ex.wrong for pid, ex in flagged_pairs), rule
        assert tally.challengers == 6 * 7
