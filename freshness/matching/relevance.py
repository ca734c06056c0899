"""Relevance: how much a candidate paper bears on a prepared claim, as features in [0, 1] with their
evidence, their weighted score, and an exact upper bound of that score that lets `_rank` skip the
candidates that cannot be among the claim's best."""

from __future__ import annotations

import dataclasses
import heapq
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from freshness.matching.pool import _Pool
from freshness.matching.settings import MatchSettings
from freshness.matching.stance import RELATED, StanceFinding, judge_stance
from freshness.matching.terms import _Prepared, _Topic
from freshness.matching.text import _Hit, _Text
from freshness.models import Paper

log = logging.getLogger(__package__)  # the matcher's one logger, "freshness.matching"


# Language that discusses what is known about a topic (prior findings, beliefs, phenomena): a paper
# that engages with the state of knowledge bears on a claim more than one that merely uses a method.
_PRIOR = re.compile(
    r"\b(?:prior|previous|earlier|recent|existing) (?:work|works|studies|study|research|findings|literature)"
    r"|\b(?:it has been|has been|have been) (?:shown|argued|observed|claimed|reported|suggested|hypothesi\w*)"
    r"|\bwidely (?:believed|assumed|held|reported|observed)|\bcommon(?:ly)? (?:belief|held|assumed)"
    r"|\bconventional wisdom|\bknown as|\bphenomen\w*|\bhypothes\w*|\bet al\b|\bfindings?\b"
)


def _cue_near(
    cues: Sequence[tuple[int, int]], spans: Sequence[_Hit], near: int
) -> tuple[tuple[int, int], _Hit] | None:
    """The first cue (word span) within `near` words of a topic span."""
    for h in spans:
        for c in cues:
            if c[1] >= h.first - near and c[0] <= h.last + near:
                return c, h
    return None


def _saturate(tf: float) -> float:
    """Term-frequency saturation as in BM25 (k1 = 1): one mention 0.5, three 0.75, never 1."""
    return tf / (tf + 1.0)


def _occurrences(seq: tuple[str, ...], text: _Text) -> list[_Hit]:
    """Every place where the stem sequence `seq` occurs as consecutive words."""
    starts = text.where(seq[0])
    if not starts:
        return []
    k = len(seq)
    if k == 1:
        return [_Hit(100.0, i, i) for i in starts]
    stems = text.stems
    rest = list(seq[1:])
    return [_Hit(100.0, i, i + k - 1) for i in starts if stems[i + 1 : i + k] == rest]


def _find(topic: _Topic, text: _Text, settings: MatchSettings) -> list[_Hit]:
    """Where a topic occurs: every exact occurrence of its words (open or closed compound, any
    inflection the crude stem forgives); else, when all its words are there, the best fuzzy match of
    the phrase (a typo: "low-rank adapation"); else its words near each other, weaker, written open
    or closed ("full fine-tuning comparison": "we compare LoRA and full finetuning")."""
    present = text.present
    hits: list[_Hit] = []
    for seq in topic.variants:
        if seq[0] in present:
            hits.extend(_occurrences(seq, text))
    if hits:
        return hits
    if len(topic.content) >= 2 and all(s in present for s in topic.content):
        # The leading space keeps a short topic from matching inside a word ("lora" in "exploration").
        al = fuzz.partial_ratio_alignment(topic.phrase, text.joined, score_cutoff=settings.phrase_cutoff)
        if al is not None:
            return [_Hit(al.score, text.word_at(al.dest_start + 1), text.word_at(al.dest_end - 1))]
        if hits := _near(topic.content, text, settings.near_words, settings.near_score):
            return hits
    closed = topic.closed_content
    if len(closed) >= 2 and all(s in present for s in closed):
        return _near(closed, text, settings.near_words, settings.near_score)
    return []


def _near(content: Sequence[str], text: _Text, within: int, score: float) -> list[_Hit]:
    """The content words (stems) all within `within` words of the first one, in any order: one hit
    scoring `score`."""
    for p in text.where(content[0]):
        found = [p]
        for s in content[1:]:
            q = next((q for q in text.where(s) if abs(q - p) <= within), None)
            if q is None:
                break
            found.append(q)
        else:
            return [_Hit(score, min(found), max(found))]
    return []


@dataclass
class _Features:
    """What one paper has in common with one claim, each part in [0, 1], with the evidence."""

    topics: float = 0.0  # rarity-weighted, saturated topic mentions (a title mention counts 3)
    coverage: float = 0.0  # the share of the claim's topics it mentions at all
    words: float = 0.0  # the same for the claim's own content words
    title: float = 0.0  # the title names a topic
    prior: float = 0.0  # discusses prior findings near a topic
    anchor: float = 0.0  # names an anchor by id, title or short name
    proximity: float = 0.0  # 1 / (1 + years between the claim and the paper)
    focus: float = 0.0  # the rarity-weighted share of the title's words that are the claim's
    stance: StanceFinding = RELATED  # judged only for the matches a claim shows (`judge=True`)
    evidence: list[str] = field(default_factory=list)

    def score(self, weights: Sequence[tuple[str, float]]) -> float:
        total = sum(weight * float(getattr(self, name)) for name, weight in weights)
        return max(0.0, min(100.0, 100.0 * total))


_FEATURE_NAMES = frozenset(f.name for f in dataclasses.fields(_Features) if f.type in ("float", float))


def _features(
    paper: Paper,
    prep: _Prepared,
    settings: MatchSettings,
    *,
    explain: bool = True,
    judge: bool = False,
    texts: tuple[_Text, _Text] | None = None,
    pool: _Pool | None = None,
) -> _Features:
    """Score one paper against a prepared claim. `explain=False` skips what only the evidence needs
    (quoted snippets): ranking hundreds of candidates needs only the numbers, and the few that are
    returned are explained afterwards. `judge=True` (with `explain`) also reads the paper's stance on
    the claim (stance.judge_stance). `pool`: the claim's candidates, which say how rare a word is
    among them (for the title's focus, and how specifically a topic names the claim)."""
    title, abstract = texts or (_Text(paper.title), _Text(paper.abstract))
    f = _Features()
    f.focus, title_shared, title_words = (pool or _Pool([(title, abstract)])).focus(title, prep.vocabulary)
    topics = _topic_hits(prep, title, abstract, settings)
    f.topics, f.coverage, f.title = topics.weight, topics.coverage, topics.title
    f.words, shared = _claim_words(prep, title, abstract)
    named = _anchors_named(prep, title, abstract)
    f.anchor = 1.0 if named else 0.0
    cue_words = settings.cue_words
    spans = topics.spans
    f.prior = 1.0 if spans and _cue_near(abstract.cues(_PRIOR, spans, cue_words), spans, cue_words) else 0.0
    f.proximity = _proximity(paper, prep)
    if not explain:
        return f
    f.evidence.extend(_topic_evidence(topics, prep, abstract, settings))
    if shared:
        f.evidence.append(f"shares the claim's words: {', '.join(shared)}")
    if title_shared:
        f.evidence.append(f"title: {title_shared} of its {title_words} words are the claim's")
    f.evidence.extend(named)
    if judge:
        pool = pool or _Pool([(title, abstract)])
        side, names = pool.judging(prep)
        f.stance = judge_stance(side, title, abstract, names)
    return f


@dataclass
class _TopicHits:
    """Where a paper mentions the claim's topics: the features they give and what explains them."""

    weight: float  # _Features.topics
    coverage: float  # _Features.coverage
    title: float  # _Features.title
    title_topic: str  # the topic the title names best ("" for none)
    covered: int  # how many topics it mentions
    spans: list[_Hit]  # the topics' places in the abstract, best first


def _topic_hits(prep: _Prepared, title: _Text, abstract: _Text, settings: MatchSettings) -> _TopicHits:
    """Each topic found in the title and the abstract: rarity-weighted, saturated mentions (a title
    mention counts 3), the share of topics covered, and the title's best topic hit."""
    near_score = settings.near_score
    covered = 0
    topic_sum = 0.0
    title_score = 0.0
    title_topic = ""
    spans: list[_Hit] = []
    for topic in prep.topics:
        if topic.keys.isdisjoint(abstract.present) and topic.keys.isdisjoint(title.present):
            continue  # none of its words: most topics for most candidates
        t_hits = _find(topic, title, settings)
        a_hits = _find(topic, abstract, settings)
        if not (t_hits or a_hits):
            continue
        covered += 1
        tf = (3 * sum(h.score for h in t_hits) + sum(h.score for h in a_hits)) / 100
        topic_sum += topic.weight * _saturate(tf)
        if t_hits and t_hits[0].score >= near_score and t_hits[0].score / 100 > title_score:
            title_score, title_topic = t_hits[0].score / 100, topic.text
        spans.extend(a_hits)
    spans.sort(key=lambda h: (-h.score, h.first))
    return _TopicHits(
        weight=topic_sum / (sum(t.weight for t in prep.topics) or 1.0),
        coverage=covered / (len(prep.topics) or 1),
        title=title_score,
        title_topic=title_topic,
        covered=covered,
        spans=spans,
    )


def _claim_words(prep: _Prepared, title: _Text, abstract: _Text) -> tuple[float, list[str]]:
    """The claim's own content words, counted by crude stem (forgives inflection; the title counts
    3): their rarity-weighted, saturated share (_Features.words), and the words the paper uses."""
    word_sum = 0.0
    shared = []
    for w in prep.words:
        tf = 0
        for s in w.stems:
            tf += 3 * title.count(s) + abstract.count(s)
        if tf:
            shared.append(w.text)
            word_sum += w.weight * _saturate(tf)
    return word_sum / (sum(w.weight for w in prep.words) or 1.0), shared


def _anchors_named(prep: _Prepared, title: _Text, abstract: _Text) -> list[str]:
    """Evidence for each anchor the paper names (by id, title or short name), in the claim's order."""
    named = []
    for ref in prep.refs:
        for seq, how in ref.patterns:
            if _occurrences(seq, abstract) or _occurrences(seq, title):
                named.append(_naming(ref.label, how))
                break
    return named


def _proximity(paper: Paper, prep: _Prepared) -> float:
    """1 / (1 + years between the claim and the paper); 0 for a timeless claim (velocity)."""
    years = max(0, (paper.published - prep.claim.date).days) / 365.25
    return 0.0 if prep.timeless else 1.0 / (1.0 + years)


def _topic_evidence(
    topics: _TopicHits, prep: _Prepared, abstract: _Text, settings: MatchSettings
) -> list[str]:
    """What the topics say for the paper: the title's topic, the best place in the abstract, how many."""
    evidence = []
    if topics.title:
        evidence.append(f"title matches topic '{topics.title_topic}' (score {100 * topics.title:.0f})")
    if topics.spans:
        h = topics.spans[0]
        evidence.append(f"abstract: '{abstract.quote(h.first, h.last, settings.snippet_context)}'")
    if prep.topics:
        evidence.append(f"covers {topics.covered} of {len(prep.topics)} topics")
    return evidence


def _naming(label: str, how: str) -> str:
    """Evidence that a paper names an anchor. A short name alone ("Medusa") is only what the claims
    file's title for the anchor is called: the id may be another paper, so the words say no more."""
    if how.startswith("as "):
        return f"mentions {how[3:]} (the short name the claims file gives anchor {label})"
    return f"names anchor {label} {how}"


# A candidate is scored in full only when an upper bound of its score (_score_bound, about half the
# cost of scoring it) can still reach the claim's best: where few of the candidates can, as in
# velocity (a floor of `related_score`: at 1M papers ~6 of ~100 candidates are scored) and when the
# claim has `prune_ratio` times more candidates than places. Below that, scoring them all is cheaper
# (docs/dev/matching-log.md 4.3). `prune=False` scores every candidate (the tests compare both).
_SLACK = 1e-9  # scores are 0-100: far above any rounding difference between a bound and its score


class _PruneSwitch:
    """Pruning's off switch, one per store's matcher: set once a scored candidate beat its bound
    (logged); from then on that matcher scores every candidate."""

    def __init__(self) -> None:
        self.broken = False


def _rank(
    papers: Sequence[Paper],
    prep: _Prepared,
    texts: dict[str, tuple[_Text, _Text]],
    pool: _Pool,
    settings: MatchSettings,
    switch: _PruneSwitch,
    *,
    keep: int,
    min_score: float,
    bonus: Mapping[str, float] | None = None,
) -> list[tuple[float, Paper]]:
    """(score, paper) of the candidates scoring at least `min_score`, unordered: every one that can be
    among the `keep` best, exactly as scoring them all would give them. Candidates are scored best
    bound first; once `keep` scores are in, a candidate whose bound is below the `keep`-th best score
    (or below `min_score`) cannot enter, and neither can any after it. `bonus`: points a paper gains
    on top of its score (citing an anchor), in its bound too."""
    scoring = _Scoring(prep, texts, pool, settings, bonus or {})
    worth_it = min_score > settings.min_score or len(papers) >= settings.prune_ratio * keep
    if settings.prune and worth_it and not switch.broken:
        ranked = _rank_pruned(papers, scoring, keep=keep, min_score=min_score)
        if ranked is not None:
            return ranked
        switch.broken = True
    scored = [(scoring.score(p), p) for p in papers]
    return [s for s in scored if s[0] >= min_score]


@dataclass(frozen=True)
class _Scoring:
    """A claim's candidates scored for ranking (numbers only, no evidence), each with its bonus."""

    prep: _Prepared
    texts: Mapping[str, tuple[_Text, _Text]]
    pool: _Pool
    settings: MatchSettings
    bonus: Mapping[str, float]

    def score(self, p: Paper) -> float:
        f = _features(
            p, self.prep, self.settings, explain=False, texts=self.texts[p.arxiv_id], pool=self.pool
        )
        return self._plus(p, f.score(self.settings.weights))

    def bound(self, p: Paper) -> float:
        """An upper bound of `score(p)` (_score_bound plus the bonus)."""
        return self._plus(
            p, _score_bound(p, self.prep, self.texts[p.arxiv_id], self.pool, self.settings.weights)
        )

    def _plus(self, p: Paper, score: float) -> float:
        extra = self.bonus.get(p.arxiv_id)
        return score if extra is None else min(100.0, score + extra)


def _rank_pruned(
    papers: Sequence[Paper], scoring: _Scoring, *, keep: int, min_score: float
) -> list[tuple[float, Paper]] | None:
    """`_rank`'s answer, scoring candidates best bound first until no bound can reach the `keep`
    best (or `min_score`); None (logged) when a candidate scored above its bound."""
    bounded = sorted(((scoring.bound(p), i) for i, p in enumerate(papers)), reverse=True)
    best: list[float] = []  # min-heap of the `keep` best scores so far
    ranked: list[tuple[float, Paper]] = []
    for bound, i in bounded:
        if bound + _SLACK < min_score or (len(best) >= keep and bound + _SLACK < best[0]):
            break
        p = papers[i]
        score = scoring.score(p)
        if score > bound + _SLACK:
            # The scoring no longer keeps to what _score_bound assumes: score everything, from now on.
            log.warning(
                "a candidate scored %.3f above its bound %.3f: matching without pruning", score, bound
            )
            return None
        if score >= min_score:
            ranked.append((score, p))
            if len(best) < keep:
                heapq.heappush(best, score)
            elif score > best[0]:
                heapq.heapreplace(best, score)
    return ranked


def _score_bound(
    paper: Paper,
    prep: _Prepared,
    texts: tuple[_Text, _Text],
    pool: _Pool,
    weights: Sequence[tuple[str, float]],
) -> float:
    """An upper bound of `_features(paper, ...).score()` at a fraction of its cost: the claim's words,
    the title's focus and closeness in time exactly; a topic only if its stems are all in the text
    (what `_find` needs), counted as if every place its first word occurs were a full hit; whatever
    else at its most (1, or 0 for a negative weight). Added up in `_Features.score`'s order, so the
    bound is never below the score beyond rounding (`_rank` allows _SLACK for that)."""
    title, abstract = texts
    b = _Features()
    for name in _FEATURE_NAMES.intersection(name for name, _ in weights):
        setattr(b, name, 1.0)
    topic_sum = 0.0
    in_title = in_abstract = False
    covered = 0
    for t in prep.topics:
        hits_t = _hits_at_most(t, title)
        hits_a = _hits_at_most(t, abstract)
        if hits_t or hits_a:
            covered += 1
            topic_sum += t.weight * _saturate(3 * hits_t + hits_a)
            in_title = in_title or hits_t > 0
            in_abstract = in_abstract or hits_a > 0
    b.topics = topic_sum / (sum(t.weight for t in prep.topics) or 1.0)
    b.coverage = covered / (len(prep.topics) or 1)  # a topic can only be covered where it can hit
    b.words = _claim_words(prep, title, abstract)[0]  # exactly as _features counts them
    b.title = 1.0 if in_title else 0.0  # a title hit
    b.prior = 1.0 if in_abstract else 0.0  # needs a topic in the abstract
    b.anchor = 1.0 if prep.refs else 0.0
    b.focus = pool.focus(title, prep.vocabulary)[0]
    b.proximity = _proximity(paper, prep)
    for name, weight in weights:
        if weight < 0 and name in _FEATURE_NAMES:  # a feature that lowers the score: at its least
            setattr(b, name, 0.0)
    return b.score(weights)


def _hits_at_most(topic: _Topic, text: _Text) -> int:
    """At most how many hits `_find` can give a topic in `text` (each scores at most 100): one per
    place a variant's first word occurs when all its words are there; one fuzzy or near hit when all
    the topic's content words (open or closed compound) are there; else none."""
    present = text.present
    if topic.keys.isdisjoint(present):
        return 0  # most topics for most candidates
    exact = 0
    for v in topic.variants:
        if present.issuperset(v):
            exact += text.count(v[0])
    if exact:
        return exact
    if len(topic.content) >= 2 and present.issuperset(topic.content):
        return 1
    closed = topic.closed_content  # the near fallback over the closed compound's words
    return 1 if len(closed) >= 2 and present.issuperset(closed) else 0
