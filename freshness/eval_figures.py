"""The figures `freshness eval` reports, as values: a claim's flags and what its labels say of them,
a claim's scores, flags and scores pooled over a set of claims, and the goals the headline figures
are held to (docs/eval.md defines each figure)."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from freshness.flagging import FlagRule
from freshness.labels import LABELS
from freshness.models import Match

ON_TOPIC_AT = 10  # on-topic@10: what a curator reads first


@dataclass(frozen=True)
class Goal:
    """A target for a headline figure: `metric` `op` `target` (op ">=" or "<=")."""

    metric: str
    op: Literal[">=", "<="]
    target: float

    def met(self, value: float | None) -> bool:
        if value is None:
            return False
        return value >= self.target if self.op == ">=" else value <= self.target


GOALS: tuple[Goal, ...] = (
    Goal("challengers_flagged", ">=", 0.6),
    Goal("flag_precision", ">=", 0.6),
    Goal("on_topic_at_10", ">=", 0.85),
    Goal("median_flags", "<=", 4),
    Goal("false_alarms", "<=", 0),
)


@dataclass(frozen=True)
class Flag:
    """A flagged match and what the labels say of it: supersedes/supports/related, "negative",
    "unverified" (neither right nor wrong) or None (unknown: nobody judged it for this claim)."""

    arxiv_id: str
    title: str
    rank: int
    label: str | None


@dataclass(frozen=True)
class ClaimFlags:
    """One claim's flags one way (as shipped, or by the rule fitted without the claim)."""

    flags: tuple[Flag, ...]
    challengers: int  # papers labeled supersedes, found or not
    rule: FlagRule | None = None  # cross-validated: the rule fitted on the other claims

    @property
    def right(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.label == "supersedes")

    @property
    def wrong(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.label in WRONG)

    @property
    def unknown(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.label is None)

    @property
    def unverified(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.label == "unverified")

    @property
    def challengers_flagged(self) -> float | None:
        return len(self.right) / self.challengers if self.challengers else None

    @property
    def precision(self) -> float | None:
        judged = len(self.right) + len(self.wrong)
        return len(self.right) / judged if judged else None

    @property
    def false_alarm(self) -> bool:
        """No challenger labeled, yet flagged: the claim would be reported possibly_superseded."""
        return self.challengers == 0 and bool(self.flags)


WRONG = frozenset({"supports", "related", "negative"})


@dataclass(frozen=True)
class ClaimScore:
    """One claim's figures; a ratio is None when its denominator is 0."""

    key: str
    file: str
    labeled: int
    recall_at_k: float | None
    recall_at_k_by_label: Mapping[str, float | None]
    on_topic: int  # labeled papers in the top 10
    judged_top: int  # papers in the top 10 that are labeled or a negative for the claim
    negatives_in_top_k: tuple[str, ...]
    missed: tuple[str, ...]
    not_in_store: tuple[str, ...]
    shipped: ClaimFlags
    cv: ClaimFlags
    seconds: float

    @property
    def on_topic_at_10(self) -> float | None:
        return self.on_topic / self.judged_top if self.judged_top else None


@dataclass(frozen=True)
class FlagSummary:
    """Flags pooled over a set of claims, one way of flagging."""

    challengers: int
    right: int
    wrong: int
    flags: int
    unknown: int
    unverified: int
    median_flags: float
    false_alarms: tuple[str, ...]  # claim keys

    @property
    def challengers_flagged(self) -> float | None:
        return self.right / self.challengers if self.challengers else None

    @property
    def precision(self) -> float | None:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else None


@dataclass(frozen=True)
class Summary:
    """The headline figures over a set of claims (one labels file, or all of them)."""

    name: str
    claims: tuple[str, ...]
    labeled: int
    recall_at_k: float | None
    recall_at_k_by_label: Mapping[str, float | None]
    on_topic_at_10: float | None
    negatives: int
    negatives_in_top_k: tuple[str, ...]
    shipped: FlagSummary
    cv: FlagSummary

    def goals(self, mode: Literal["shipped", "cv"]) -> dict[str, bool]:
        flags = self.shipped if mode == "shipped" else self.cv
        values = {
            "challengers_flagged": flags.challengers_flagged,
            "flag_precision": flags.precision,
            "on_topic_at_10": self.on_topic_at_10,
            "median_flags": flags.median_flags,
            "false_alarms": float(len(flags.false_alarms)),
        }
        return {g.metric: g.met(values[g.metric]) for g in GOALS}


def pool_flags(keys: Sequence[str], flags: Sequence[ClaimFlags]) -> FlagSummary:
    """The flags of the claims `keys` pooled: sums of counts, the median of flags per claim."""
    return FlagSummary(
        challengers=sum(f.challengers for f in flags),
        right=sum(len(f.right) for f in flags),
        wrong=sum(len(f.wrong) for f in flags),
        flags=sum(len(f.flags) for f in flags),
        unknown=sum(len(f.unknown) for f in flags),
        unverified=sum(len(f.unverified) for f in flags),
        median_flags=float(statistics.median(len(f.flags) for f in flags)) if flags else 0.0,
        false_alarms=tuple(k for k, f in zip(keys, flags, strict=True) if f.false_alarm),
    )


def flags_of(matches: Sequence[Match], label_of: Callable[[str], str | None]) -> tuple[Flag, ...]:
    """The flagged (superseding) matches, with their rank in `matches` and what the labels say of them."""
    return tuple(
        Flag(m.arxiv_id, m.title, rank, label_of(m.arxiv_id))
        for rank, m in enumerate(matches, start=1)
        if m.superseding
    )


def count_on_topic(matches: Sequence[Match], label_of: Callable[[str], str | None]) -> tuple[int, int]:
    """Of the first ON_TOPIC_AT matches: how many are labeled, and how many are labeled or a negative
    (judged)."""
    first = [label_of(m.arxiv_id) for m in matches[:ON_TOPIC_AT]]
    return sum(x in LABELS for x in first), sum(x in LABELS or x == "negative" for x in first)
