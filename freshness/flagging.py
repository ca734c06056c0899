"""Pure: which matches get the superseding flag (a rule over stance, confidence, rank and score), and
fitting that rule to labeled claims by a small grid search (what `freshness eval` cross-validates)."""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from freshness.models import Match, Stance

BETA = 0.5  # F0.5: a wrong flag costs a curator more than a missed challenger, so precision counts twice


@dataclass(frozen=True)
class FlagRule:
    """Flag a match iff it challenges the claim with at least `min_confidence`, sits at 1-based rank
    <= `max_rank` and scores (relevance, 0-100) at least `min_score`."""

    min_confidence: float
    max_rank: int
    min_score: float


# The shipped rule: `fit_rule` over both dev sets' 14 claims (docs/matching.md section 3). `freshness
# eval` refits it on 13 claims at a time and scores the one left out, which is the figure to trust.
DEFAULT_RULE = FlagRule(min_confidence=0.45, max_rank=20, min_score=0.0)


@dataclass(frozen=True)
class FlagGrid:
    """The values `fit_rule` tries, every combination of the three."""

    min_confidence: tuple[float, ...]
    max_rank: tuple[int, ...]
    min_score: tuple[float, ...]

    def rules(self) -> list[FlagRule]:
        return [FlagRule(*values) for values in itertools.product(*dataclasses.astuple(self))]


DEFAULT_GRID = FlagGrid(
    # 0.30 .. 0.95 by 0.05, rounded so that 0.6 is the literal 0.6 and not 0.6000000000000001
    min_confidence=tuple(round(0.30 + 0.05 * i, 2) for i in range(14)),
    max_rank=(3, 5, 10, 20, 30),
    min_score=(0.0, 10.0, 20.0, 30.0, 40.0),
)


@dataclass(frozen=True)
class FlagExample:
    """One labeled claim as training data: its matches (best first) and what the labels say of them.

    `supersedes`: the claim's papers labeled supersedes (found or not: the recall denominator);
    `wrong`: papers labeled supports/related for it, or a negative for it. Any other flagged paper is
    unknown (unlabeled, or an unverified candidate) and left out of precision."""

    matches: Sequence[Match]
    supersedes: frozenset[str]
    wrong: frozenset[str]


@dataclass(frozen=True)
class FlagTally:
    """Flags of a rule pooled over claims: the figures F0.5 and its tie-breaks are computed from."""

    right: int  # flagged and labeled supersedes
    wrong: int  # flagged and labeled supports/related, or a negative
    flags: int  # every flag, unknowns included
    challengers: int  # labeled supersedes, flagged or not

    @property
    def precision(self) -> float | None:
        judged = self.right + self.wrong
        return self.right / judged if judged else None

    @property
    def recall(self) -> float | None:
        return self.right / self.challengers if self.challengers else None

    @property
    def f_beta(self) -> float:
        """F0.5; 0 when nothing labeled is flagged (so no precision or no recall to speak of)."""
        p, r = self.precision or 0.0, self.recall or 0.0
        if p == 0.0 or r == 0.0:
            return 0.0
        b2 = BETA * BETA
        return (1 + b2) * p * r / (b2 * p + r)


def flags(match: Match, rank: int, rule: FlagRule) -> bool:
    """Whether `rule` flags `match` at 1-based `rank`."""
    return (
        match.stance is Stance.CHALLENGES
        and match.confidence >= rule.min_confidence
        and rank <= rule.max_rank
        and match.score >= rule.min_score
    )


def apply_rule(matches: Sequence[Match], rule: FlagRule = DEFAULT_RULE) -> list[Match]:
    """The matches, in the order given, with `superseding` recomputed by `rule`."""
    return [
        dataclasses.replace(m, superseding=flags(m, rank, rule)) for rank, m in enumerate(matches, start=1)
    ]


def fit_rule(examples: Iterable[FlagExample], *, grid: FlagGrid = DEFAULT_GRID) -> FlagRule:
    """The grid's rule with the best F0.5 of flags pooled over `examples`; ties go to fewer flags, then
    the higher min_confidence, then the first in grid order. With nothing to learn from (no labeled
    supersedes flagged by any rule) that is the rule flagging least."""
    tallies = tally_rules(examples, grid=grid)
    best_i = min(
        range(len(tallies)),
        key=lambda i: (-tallies[i][1].f_beta, tallies[i][1].flags, -tallies[i][0].min_confidence, i),
    )
    return tallies[best_i][0]


def tally_rules(
    examples: Iterable[FlagExample], *, grid: FlagGrid = DEFAULT_GRID
) -> list[tuple[FlagRule, FlagTally]]:
    """Every rule of the grid with its pooled tally, in grid order."""
    # A challenging match is flagged by the rules whose min_confidence and min_score are at most its
    # own and whose max_rank is at least its rank: a corner of the grid. So each match adds 1 to one
    # cell, and a rule's count is a 3-D cumulative sum: O(matches + grid), not O(matches x grid), which
    # keeps a 14-fold cross-validation over 50 matches a claim in milliseconds.
    confs, ranks, scores = (
        sorted(set(grid.min_confidence)),
        sorted(set(grid.max_rank)),
        sorted(set(grid.min_score)),
    )
    shape = (len(confs), len(ranks), len(scores))
    cells = {kind: _zeros(shape) for kind in ("right", "wrong", "every")}
    challengers = 0
    for ex in examples:
        challengers += len(ex.supersedes)
        for rank, match in enumerate(ex.matches, start=1):
            if match.stance is not Stance.CHALLENGES:
                continue
            ic = bisect.bisect_right(confs, match.confidence) - 1
            ir = bisect.bisect_left(ranks, rank)
            is_ = bisect.bisect_right(scores, match.score) - 1
            if ic < 0 or ir == len(ranks) or is_ < 0:
                continue  # no rule of the grid flags it
            kinds = ["every"]
            if match.arxiv_id in ex.supersedes:
                kinds.append("right")
            elif match.arxiv_id in ex.wrong:
                kinds.append("wrong")
            for kind in kinds:
                cells[kind][ic][ir][is_] += 1
    counts = {kind: _cumulate(c) for kind, c in cells.items()}

    def tally(rule: FlagRule) -> FlagTally:
        i = confs.index(rule.min_confidence), ranks.index(rule.max_rank), scores.index(rule.min_score)
        right, wrong, every = (counts[kind][i[0]][i[1]][i[2]] for kind in ("right", "wrong", "every"))
        return FlagTally(right, wrong, every, challengers)

    return [(rule, tally(rule)) for rule in grid.rules()]


Cells = list[list[list[int]]]


def _zeros(shape: tuple[int, int, int]) -> Cells:
    return [[[0] * shape[2] for _ in range(shape[1])] for _ in range(shape[0])]


def _cumulate(cells: Cells) -> Cells:
    """out[c][r][s] = the sum of cells[c'][r'][s'] over c' >= c, r' <= r, s' >= s (one pass a dimension)."""
    out = [[list(row) for row in plane] for plane in cells]
    for c in reversed(range(len(out) - 1)):  # confidence: from the highest threshold down
        for r, row in enumerate(out[c]):
            for s in range(len(row)):
                row[s] += out[c + 1][r][s]
    for plane in out:  # rank: from the smallest max_rank up
        for r in range(1, len(plane)):
            for s in range(len(plane[r])):
                plane[r][s] += plane[r - 1][s]
    for plane in out:  # score: from the highest min_score down
        for row in plane:
            for s in reversed(range(len(row) - 1)):
                row[s] += row[s + 1]
    return out
