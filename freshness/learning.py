"""Pure: what a claim learns from a curator's decisions, and how it moves that claim's matches.

Each decided paper is an example for its claim alone: `confirm` (it challenges the claim), `mark
--relevant` (on the subject, no challenge), `mark --not-relevant` and `dismiss` (off the subject, or
never to be shown). A newer paper is compared with them by the words of its title and abstract
(tf-idf over the claim's own candidates, cosine similarity), nearest example first, as arxiv-sanity
compares papers with the ones a user tagged:

* its **rank** moves by how much more it is like the claim's on-subject examples (confirmed or
  relevant) than like its off-subject ones (not relevant or dismissed);
* its **challenge** confidence moves by how much more it is like a confirmed challenger than like a
  paper decided not to be one; a paper close enough to a confirmed challenger is read as one even
  where no sentence of its own says so.

Every move is explained in the match's evidence ("ranked up: like 2505.24864 that you confirmed
(similarity 0.42)"). A claim without decisions is left exactly as matched; one claim's decisions never
touch another's. docs/matching.md (Learning from decisions) has the figures.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from freshness.flagging import FlagRule, apply_rule
from freshness.matching.text import _STOPWORDS, _Text
from freshness.models import Match, Paper, Stance


class Lesson(StrEnum):
    """What a decision teaches about its paper."""

    CHALLENGES = "challenges"  # confirm: it challenges the claim
    RELEVANT = "relevant"  # mark --relevant: on the claim's subject, not a challenge
    NOT_RELEVANT = "not_relevant"  # mark --not-relevant, dismiss: off the subject, or not to be shown


# How far a decision moves its claim's other matches (docs/matching.md: Learning from decisions).
RANK_WEIGHT = 40.0  # score points for a paper as like the on-subject examples as a duplicate (1.0)
CHALLENGE_WEIGHT = 0.8  # confidence for the same, between a confirmed challenger and a non-challenger
LIKE = 0.25  # similarity from which a paper counts as "like" an example (and the evidence says so)
LEARNED_CHALLENGE = 0.35  # so much more like a confirmed challenger than like a non-challenger: read as one


@dataclass(frozen=True)
class Example:
    arxiv_id: str
    lesson: Lesson
    vector: Mapping[str, float]  # unit-length tf-idf of its title and abstract


@dataclass(frozen=True)
class ClaimModel:
    """A claim's decided papers as examples, and the vocabulary weights they were read with."""

    examples: tuple[Example, ...]
    idf: Mapping[str, float]

    def __bool__(self) -> bool:
        return bool(self.examples)


EMPTY = ClaimModel((), {})


def learn(decided: Mapping[str, Lesson], papers: Mapping[str, Paper], pool: Iterable[Paper]) -> ClaimModel:
    """A claim's model: its decided papers (`decided`: arXiv id -> lesson; a paper the store lacks is
    left out) read against the claim's candidates `pool` (for how common each word is)."""
    docs = {p.arxiv_id: _bag(p) for p in pool}
    for arxiv_id in decided:
        if arxiv_id in papers:
            docs[arxiv_id] = _bag(papers[arxiv_id])
    if not decided or not docs:
        return EMPTY
    df = Counter(w for bag in docs.values() for w in bag)
    n = len(docs)
    idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}
    examples = tuple(
        Example(arxiv_id, lesson, _vector(docs[arxiv_id], idf))
        for arxiv_id, lesson in decided.items()
        if arxiv_id in docs
    )
    return ClaimModel(examples, idf)


def adapt(
    matches: Sequence[Match], papers: Mapping[str, Paper], model: ClaimModel, rule: FlagRule
) -> list[Match]:
    """The claim's matches moved by what it learned, best first, flags recomputed by `rule`; the
    decided papers themselves are left out (a decision already says what they are)."""
    if not model:
        return list(matches)
    decided = {e.arxiv_id for e in model.examples}
    moved = []
    for m in matches:
        if m.arxiv_id in decided:
            continue
        paper = papers.get(m.arxiv_id)
        moved.append(m if paper is None else _move(m, _vector(_bag(paper), model.idf), model))
    moved.sort(key=lambda m: (-m.score, -m.published.toordinal(), m.arxiv_id))
    return apply_rule(moved, rule)


def _move(m: Match, v: Mapping[str, float], model: ClaimModel) -> Match:
    near = {lesson: _nearest(v, model, lesson) for lesson in Lesson}
    on_subject = max(near[Lesson.CHALLENGES], near[Lesson.RELEVANT], key=lambda x: x[0])
    off_subject = near[Lesson.NOT_RELEVANT]
    not_challenge = max(near[Lesson.RELEVANT], near[Lesson.NOT_RELEVANT], key=lambda x: x[0])
    evidence = list(m.evidence)
    rank_move = RANK_WEIGHT * (on_subject[0] - off_subject[0])
    score = round(max(0.0, min(100.0, m.score + rank_move)), 1)
    for (sim, example), verb in ((on_subject, "up"), (off_subject, "down")):
        if example is not None and sim >= LIKE:
            evidence.append(f"ranked {verb}: like {example.arxiv_id} that you {_said(example)} ({sim:.2f})")
    lean = near[Lesson.CHALLENGES][0] - not_challenge[0]
    stance, confidence = m.stance, m.confidence
    sentence, target = m.stance_sentence, m.stance_target
    confirmed = near[Lesson.CHALLENGES][1]
    if m.stance is Stance.CHALLENGES:
        confidence = max(0.0, min(0.97, m.confidence + CHALLENGE_WEIGHT * lean))
    elif confirmed is not None and lean >= LEARNED_CHALLENGE:
        # No sentence of its own says so, but it reads like a paper the curator confirmed.
        stance, confidence = Stance.CHALLENGES, min(0.97, CHALLENGE_WEIGHT * lean + 0.3)
        sentence, target = None, f"like {confirmed.arxiv_id} that you confirmed"
    if confidence != m.confidence and confirmed is not None and abs(lean) * CHALLENGE_WEIGHT >= 0.05:
        side = confirmed if lean > 0 else not_challenge[1]
        if side is not None:
            word = "more" if lean > 0 else "less"
            evidence.append(f"{word} likely a challenge: like {side.arxiv_id} that you {_said(side)}")
    return dataclasses.replace(
        m,
        score=score,
        evidence=tuple(evidence),
        stance=stance,
        confidence=round(confidence, 2),
        stance_sentence=sentence,
        stance_target=target,
    )


def _said(example: Example) -> str:
    return {
        Lesson.CHALLENGES: "confirmed",
        Lesson.RELEVANT: "marked relevant",
        Lesson.NOT_RELEVANT: "marked not relevant",
    }[example.lesson]


def _nearest(v: Mapping[str, float], model: ClaimModel, lesson: Lesson) -> tuple[float, Example | None]:
    best: tuple[float, Example | None] = (0.0, None)
    for e in model.examples:
        if e.lesson is lesson:
            sim = _cosine(v, e.vector)
            if sim > best[0]:
                best = (sim, e)
    return best


def _bag(paper: Paper) -> Counter[str]:
    text = _Text(f"{paper.title}. {paper.abstract}")
    return Counter(
        s for w, s in zip(text.words, text.stems, strict=True) if w not in _STOPWORDS and len(w) > 2
    )


def _vector(bag: Mapping[str, int], idf: Mapping[str, float]) -> dict[str, float]:
    v = {w: (1.0 + math.log(c)) * idf.get(w, 0.0) for w, c in bag.items()}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {w: x / norm for w, x in v.items() if x}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())
