"""A simulated curator, for `freshness eval --feedback N`: reveal a claim's labeled papers one decision
at a time, in the order a curator reads the claim's matches, let the claim learn from them, and return
what the curator would see next.

The reading order is the report's: challenges (flagged, or too weak to flag) first, then supporting,
then related papers, each best score first. A curator decides the first labeled paper they meet
(`supersedes` -> confirm, `supports`/`related` -> mark relevant, a negative -> mark not relevant); papers
nobody labeled are read past, never decided, since the simulation cannot know the curator's answer.
After each decision the matches are re-ranked (`learning.learn`) before the next is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from freshness.flagging import FlagRule
from freshness.learning import Example, Teaching, learn
from freshness.models import Claim, Match, Stance

TEACHING_OF_LABEL: Mapping[str, tuple[Teaching, str]] = {
    "supersedes": (Teaching.CHALLENGE, "you confirmed"),
    "supports": (Teaching.NOT_CHALLENGE, "you marked relevant"),
    "related": (Teaching.NOT_CHALLENGE, "you marked relevant"),
    "negative": (Teaching.OFF_TOPIC, "you marked not relevant"),
}


@dataclass(frozen=True)
class Simulated:
    """After `revealed` decisions: the rest of the claim's matches, ranked and flagged as the curator
    would see them next (`learned`), and the same rest with nothing learned (`control`)."""

    revealed: tuple[Example, ...]
    learned: tuple[Match, ...]
    control: tuple[Match, ...]


def reading_order(matches: Sequence[Match]) -> list[Match]:
    """Challenges first, then supporting, then related papers, each best score first (the report's order)."""

    def group(m: Match) -> int:
        if m.superseding or m.stance is Stance.CHALLENGES:
            return 0
        return 1 if m.stance is Stance.SUPPORTS else 2

    return sorted(matches, key=lambda m: (group(m), -m.score))


def simulate(
    claim: Claim,
    matches: Sequence[Match],
    texts: Mapping[str, str],
    label_of: Callable[[str], str | None],
    n: int,
    rule: FlagRule,
) -> Simulated:
    """Reveal up to `n` labeled papers of `matches` (flagged by `rule`) as decisions, learning after each."""
    examples: list[Example] = []
    current = list(matches)
    for _ in range(n):
        decided = {e.arxiv_id for e in examples}
        nxt = next(
            (
                m
                for m in reading_order([m for m in current if m.arxiv_id not in decided])
                if (label := label_of(m.arxiv_id)) is not None and label in TEACHING_OF_LABEL
            ),
            None,
        )
        if nxt is None:
            break
        teaching, said = TEACHING_OF_LABEL[str(label_of(nxt.arxiv_id))]
        examples.append(Example(nxt.arxiv_id, teaching, said))
        current = list(learn(claim, matches, texts, examples, rule=rule).matches)
    decided = {e.arxiv_id for e in examples}
    return Simulated(
        revealed=tuple(examples),
        learned=tuple(m for m in current if m.arxiv_id not in decided),
        control=tuple(m for m in matches if m.arxiv_id not in decided),
    )
