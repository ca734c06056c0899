"""`freshness eval --feedback N`: every labeled claim after N decisions of the simulated curator
(`feedback.simulate`), scored on the papers not decided, learned beside a control that learned nothing;
per claim, per labels file and overall (docs/eval.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from freshness.errors import FreshnessError
from freshness.eval_figures import ClaimFlags, FlagSummary, count_on_topic, flags_of, pool_flags
from freshness.feedback import simulate
from freshness.flagging import FlagRule, apply_rule
from freshness.labels import LabeledClaim, Labels
from freshness.models import Match
from freshness.store import Store


@dataclass(frozen=True)
class FeedbackClaim:
    """One claim after `n` simulated decisions: the papers decided, and the flags and top 10 of the
    rest, learned from the decisions and (`control`) with the same papers decided but nothing learned."""

    key: str
    file: str
    revealed: tuple[tuple[str, str], ...]  # (arXiv id, label) in the order decided
    learned: ClaimFlags
    control: ClaimFlags
    on_topic: tuple[int, int]  # learned: labeled papers in the top 10, papers judged there
    control_on_topic: tuple[int, int]


@dataclass(frozen=True)
class FeedbackSummary:
    """`n` simulated decisions per claim, pooled over a set of claims (one file, or all)."""

    name: str
    learned: FlagSummary
    control: FlagSummary
    on_topic_at_10: float | None
    control_on_topic_at_10: float | None
    revealed: int  # decisions made
    revealed_challengers: int  # of them, confirmations


@dataclass(frozen=True)
class FeedbackRound:
    n: int
    claims: tuple[FeedbackClaim, ...]
    overall: FeedbackSummary
    by_file: tuple[FeedbackSummary, ...]


def feedback_rounds(
    store: Store,
    labels: Sequence[Labels],
    claims: Sequence[tuple[Path, LabeledClaim]],
    matches: Sequence[Sequence[Match]],
    rules: Sequence[FlagRule],
    rounds: Sequence[int],
) -> tuple[FeedbackRound, ...]:
    """Each round: every claim after N decisions of a simulated curator (`feedback.simulate`), with
    the rule fitted without it; scored on the papers not decided."""
    if not rounds:
        return ()
    if any(n < 0 for n in rounds):
        raise FreshnessError(f"--feedback must be 0 or more (got {min(rounds)})")
    papers = store.get_papers(sorted({m.arxiv_id for ms in matches for m in ms}))
    texts = {pid: f"{p.title}\n{p.abstract}" for pid, p in papers.items()}
    out = []
    for n in rounds:
        scored = [
            _feedback_claim(path, lc, apply_rule(ms, rule), texts, n, rule)
            for (path, lc), ms, rule in zip(claims, matches, rules, strict=True)
        ]
        by_file = tuple(
            _feedback_summary(str(lab.path), [c for c in scored if c.file == str(lab.path)]) for lab in labels
        )
        out.append(FeedbackRound(n, tuple(scored), _feedback_summary("all", scored), by_file))
    return tuple(out)


def _feedback_claim(
    path: Path, lc: LabeledClaim, matches: Sequence[Match], texts: Mapping[str, str], n: int, rule: FlagRule
) -> FeedbackClaim:
    run = simulate(lc.claim, matches, texts, lc.label_of, n, rule)
    decided = {e.arxiv_id for e in run.revealed}
    challengers = sum(p.label == "supersedes" and p.arxiv_id not in decided for p in lc.papers)

    def flags(rest: Sequence[Match]) -> ClaimFlags:
        return ClaimFlags(flags_of(rest, lc.label_of), challengers, rule)

    return FeedbackClaim(
        key=lc.claim.id,
        file=str(path),
        revealed=tuple((e.arxiv_id, str(lc.label_of(e.arxiv_id))) for e in run.revealed),
        learned=flags(run.learned),
        control=flags(run.control),
        on_topic=count_on_topic(run.learned, lc.label_of),
        control_on_topic=count_on_topic(run.control, lc.label_of),
    )


def _feedback_summary(name: str, claims: Sequence[FeedbackClaim]) -> FeedbackSummary:
    keys = [c.key for c in claims]

    def share(pairs: Sequence[tuple[int, int]]) -> float | None:
        judged = sum(j for _, j in pairs)
        return sum(o for o, _ in pairs) / judged if judged else None

    return FeedbackSummary(
        name=name,
        learned=pool_flags(keys, [c.learned for c in claims]),
        control=pool_flags(keys, [c.control for c in claims]),
        on_topic_at_10=share([c.on_topic for c in claims]),
        control_on_topic_at_10=share([c.control_on_topic for c in claims]),
        revealed=sum(len(c.revealed) for c in claims),
        revealed_challengers=sum(label == "supersedes" for c in claims for _, label in c.revealed),
    )
