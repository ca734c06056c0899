"""Learning from the curator: a claim's own decisions re-rank its matches and move its flag threshold.

Each paper decision on a claim (confirm, dismiss, mark relevant, mark not relevant) is a training example
for that claim and for no other. The model is small, explainable and rebuilt from the decisions every
time it is used (a few milliseconds), so what a claim has learned is exactly the decisions in force, and
undoing one removes its effect:

- **Like an example.** Each paper is a tf-idf vector of the stems of its title and abstract, with the
  claim's own words left out (every candidate shares them; what is left is the paper's angle on the
  topic). A match whose nearest example is at least `LIKE` alike (cosine) moves by `SHIFT` points times
  that similarity: up when the example was confirmed, down when it was dismissed or marked not relevant.
  Its evidence names the example: "ranked up: like 2505.24864 that you confirmed (0.42 alike)".
- **The claim's threshold.** The confidence a challenge needs to be flagged moves between the challenges
  the person confirmed and those they said were not challenges (the best cut of the examples the matcher
  read as challenges; ties keep the shipped threshold). The claim's reasons say where it moved and why.
- **A veto and a vouch.** A challenge more like a paper marked "not a challenge" than like any confirmed
  one (at least `LIKE_FLAG` alike) is not flagged; a challenge the matcher found too weak to flag is
  flagged when it is at least `LIKE_FLAG` like a confirmed paper. Both say so in the evidence.

With no decisions the matches come back unchanged: the ranking and flags are the matcher's. The decided
papers themselves are left where they are; `decisions.shape_matches` pins, keeps or removes them.
The constants are set from the similarity of unrelated papers, not fitted to labels: two papers on the
same topic share few words beyond the topic's (median cosine about 0.05), so 0.2 is already unusual.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from freshness.flagging import FlagRule, flags
from freshness.matching.stance import MIN_STANCE
from freshness.matching.text import content_stems
from freshness.models import Claim, Match, Stance

LIKE = 0.2  # a match at least this alike (cosine of angle vectors) to an example moves with it
SHIFT = 20.0  # score points (of 0-100) a match moves per unit of similarity to its nearest example
LIKE_FLAG = 0.25  # at least this alike, a confirmed example vouches for a weak challenge (a veto likewise)
COMMON_SHARE = 0.5  # a stem in more than this share of the papers is the topic's, not an angle on it
THRESHOLD_STEP = 0.01  # a threshold raised past a "not a challenge" example sits this much above it


class Teaching(StrEnum):
    """What a decision teaches about a paper."""

    CHALLENGE = "challenge"  # confirm: it challenges the claim
    NOT_CHALLENGE = "not_challenge"  # mark --relevant: on topic, no challenge
    OFF_TOPIC = "off_topic"  # mark --not-relevant, dismiss: not about the claim


@dataclass(frozen=True)
class Example:
    """One decided paper: what it teaches and how the person said it ("you confirmed")."""

    arxiv_id: str
    teaching: Teaching
    said: str


@dataclass(frozen=True)
class Lesson:
    """A claim's matches after learning, and what it learned."""

    matches: tuple[Match, ...]
    threshold: float  # the confidence a challenge needs to be flagged for this claim
    notes: tuple[str, ...]  # for the claim's reasons: how many decisions, where the threshold moved
    moved: int = 0  # matches ranked up or down


def learn(
    claim: Claim,
    matches: Sequence[Match],
    texts: Mapping[str, str],
    examples: Sequence[Example],
    *,
    rule: FlagRule,
) -> Lesson:
    """`matches` (best first, as the matcher ranked and flagged them by `rule`) re-ranked and
    re-flagged by what `examples` teach: `rule` with the claim's own threshold. `texts`: title and
    abstract by arXiv id, for the matches and the examples (a paper without text teaches nothing)."""
    if not examples:
        return Lesson(tuple(matches), rule.min_confidence, ())
    decided = {e.arxiv_id for e in examples}
    vectors = _vectors(claim, [*texts.items()])
    by_id = {m.arxiv_id: m for m in matches}
    threshold, threshold_note = _threshold(examples, by_id, rule.min_confidence)
    claim_rule = dataclasses.replace(rule, min_confidence=threshold)
    scored: list[tuple[float, int, Match]] = []
    moved = 0
    for i, match in enumerate(matches):
        if match.arxiv_id in decided:
            scored.append((match.score, i, match))
            continue
        nearest = _nearest(vectors.get(match.arxiv_id), examples, vectors)
        shifted, note = _shift(match, nearest)
        moved += note is not None
        evidence = (*match.evidence, note) if note else match.evidence
        scored.append((shifted, i, dataclasses.replace(match, evidence=evidence)))
    scored.sort(key=lambda t: (-t[0], t[1]))
    out = []
    for rank, (_, _, match) in enumerate(scored, start=1):
        if match.arxiv_id in decided:
            out.append(match)
            continue
        nearest = _nearest(vectors.get(match.arxiv_id), examples, vectors)
        out.append(_flag(match, rank, nearest, claim_rule))
    notes = [f"learned from {len(examples)} decision{'s' if len(examples) != 1 else ''} on its papers"]
    if threshold_note:
        notes.append(threshold_note)
    return Lesson(tuple(out), threshold, tuple(notes), moved)


Vector = dict[str, float]


def _vectors(claim: Claim, texts: Sequence[tuple[str, str]]) -> dict[str, Vector]:
    """Unit tf-idf vectors of each text's stems, without the claim's own and the pool's common stems."""
    own = set(content_stems(" ".join((claim.text, *claim.topics))))
    bags = {pid: Counter(s for s in content_stems(text) if s not in own) for pid, text in texts}
    df = Counter(stem for bag in bags.values() for stem in bag)
    n = len(bags)
    out = {}
    for pid, bag in bags.items():
        kept = ((s, tf) for s, tf in bag.items() if df[s] <= COMMON_SHARE * n)
        weights = {s: (1.0 + math.log(tf)) * math.log(n / df[s]) for s, tf in kept}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        out[pid] = {s: w / norm for s, w in weights.items()} if norm else {}
    return out


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(s, 0.0) for s, w in a.items())


Nearest = dict[Teaching, tuple[float, Example]]


def _nearest(vector: Vector | None, examples: Sequence[Example], vectors: Mapping[str, Vector]) -> Nearest:
    """For each teaching, the most alike example and its similarity (the latest decision wins ties)."""
    best: Nearest = {}
    if not vector:
        return best
    for example in examples:
        other = vectors.get(example.arxiv_id)
        if not other:
            continue
        sim = _cosine(vector, other)
        if example.teaching not in best or sim >= best[example.teaching][0]:
            best[example.teaching] = (sim, example)
    return best


def _shift(match: Match, nearest: Nearest) -> tuple[float, str | None]:
    """The match's score moved by its nearest example, if that is at least LIKE alike, with the note."""
    up = nearest.get(Teaching.CHALLENGE)
    down = nearest.get(Teaching.OFF_TOPIC)
    up_sim = up[0] if up else 0.0
    down_sim = down[0] if down else 0.0
    if up and up_sim >= LIKE and up_sim >= down_sim:
        return match.score + SHIFT * up_sim, f"ranked up: {_like(up)}"
    if down and down_sim >= LIKE:
        return match.score - SHIFT * down_sim, f"ranked down: {_like(down)}"
    return match.score, None


def _like(nearest: tuple[float, Example]) -> str:
    sim, example = nearest
    return f"like {example.arxiv_id} that {example.said} ({sim:.2f} alike)"


def _flag(match: Match, rank: int, nearest: Nearest, rule: FlagRule) -> Match:
    """The flag by the claim's rule, with the veto of a paper said not to challenge and the vouch of
    a confirmed one; the evidence says when either decided."""
    challenge = match.stance is Stance.CHALLENGES
    flag = flags(match, rank, rule)
    up = nearest.get(Teaching.CHALLENGE)
    up_sim = up[0] if up else 0.0
    against = [n for t, n in nearest.items() if t is not Teaching.CHALLENGE and n[0] >= LIKE_FLAG]
    veto = max(against, key=lambda n: n[0], default=None)
    note = None
    if flag and veto is not None and veto[0] > up_sim:
        flag, note = False, f"not flagged: {_like(veto)}"
    elif (
        not flag
        and challenge
        and flags(match, rank, dataclasses.replace(rule, min_confidence=MIN_STANCE))
        and up is not None
        and up_sim >= LIKE_FLAG
        and (veto is None or up_sim >= veto[0])
    ):
        flag, note = True, f"flagged: a challenge {_like(up)}"
    if flag == match.superseding and note is None:
        return match
    evidence = (*match.evidence, note) if note else match.evidence
    return dataclasses.replace(match, superseding=flag, evidence=evidence)


def _threshold(
    examples: Sequence[Example], by_id: Mapping[str, Match], base: float
) -> tuple[float, str | None]:
    """The claim's challenge threshold: the cut of the decided challenges (read as challenges by the
    matcher) with the fewest wrong calls, a wrong flag counting twice; ties keep the cut nearest `base`."""
    read: list[tuple[float, Example]] = []
    for e in examples:
        m = by_id.get(e.arxiv_id)
        if m is not None and m.stance is Stance.CHALLENGES:
            read.append((m.confidence, e))
    if not read:
        return base, None
    cuts = {base} | {c for c, _ in read} | {round(c + THRESHOLD_STEP, 4) for c, _ in read}
    cuts = {c for c in cuts if MIN_STANCE <= c <= 1.0}

    def cost(cut: float) -> tuple[int, float]:
        wrong = sum(c >= cut and e.teaching is not Teaching.CHALLENGE for c, e in read)
        missed = sum(c < cut and e.teaching is Teaching.CHALLENGE for c, e in read)
        return 2 * wrong + missed, abs(cut - base)

    best = min(sorted(cuts), key=cost)
    if best == base:
        return base, None
    if best > base:
        why = [e for c, e in read if e.teaching is not Teaching.CHALLENGE and base <= c < best]
        verb = "raised"
    else:
        why = [e for c, e in read if e.teaching is Teaching.CHALLENGE and best <= c < base]
        verb = "lowered"
    named = ", ".join(f"{e.arxiv_id} ({by_id[e.arxiv_id].confidence:.2f}) {e.said}" for e in why)
    return best, f"flags challenges from confidence {best:.2f} ({verb} from {base:.2f}: {named})"
