"""Stance: does a related paper challenge the claim, support it, or only share its subject?

Read sentence by sentence, in the authors' own voice. A challenge must be *directed*: the sentence
that disagrees names what the claim is about (an anchor by id, title or short name; one of its
topics; enough of the claim's own words), or answers the sentence before it that does ("Prior work
suggests this failure is inherent. We challenge this view."). Disagreement is language aimed at a
belief or a finding ("we challenge this view", "is not an inherent failure", "conditional rather than
universal", "contrary to prior findings", "not consistently replicated"), or a finding whose
polarity is the opposite of the claim's ("X underperforms" against "X matches"); never the words
every method paper uses for its own contribution (mitigate, overcome, improve). Each kind of evidence
has a confidence (docs/matching.md section 2); independent sentences add up (noisy-or). This module
weighs the evidence; what the sentences sound like is `cues`, where they name the claim `sentences`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from freshness.matching.cues import (
    _AGREE,
    _AGREE_NEGATED,
    _AUTHORS,
    _BACK_REFERENCE,
    _BELIEF,
    _CLAIM_NEGATIVE,
    _EXPLICIT,
    _FINDING,
    _NOT_REMOVED,
    _OWN_METHOD,
    _OWN_RESULTS,
    _QUALIFY,
    _REMOVED,
    _TURN,
    _polarity,
)
from freshness.matching.sentences import Aim, Name, _quote, _Sentence, _sentences
from freshness.matching.text import _Text
from freshness.models import Stance

# -- how sure each kind of evidence makes the tool (0-1) ---------------------------------------------------
# `aim` is how specifically the sentence names the claim (sentences.py: 1 for an anchor, 0.8 for a topic
# few of the claim's candidates mention, 0.5 for one most of them mention or the claim's own words);
# 0.6 of that when the sentence names only one aspect of the claim.

EXPLICIT_BASE = 0.5  # explicit disagreement, aimed at the claim ...
EXPLICIT_AIM = 0.3  # ... plus this much times its aim ...
ANSWERS_BELIEF = 0.15  # ... plus this when it answers a stated belief (this sentence or the one before)
OWN_METHOD_PENALTY = 0.2  # ... less this when the sentence describes the paper's own method
QUALIFY_BASE, QUALIFY_AIM = 0.35, 0.3  # a qualification that answers a stated belief
QUALIFY_ALONE_BASE, QUALIFY_ALONE_AIM = 0.15, 0.25  # a qualification with no belief near
OPPOSITE_BASE, OPPOSITE_AIM = 0.25, 0.25  # a finding of the opposite polarity to the claim's ...
OPPOSITE_TURN = 0.15  # ... that turns against a belief ("However, we find ...")
REMOVED_BASE, REMOVED_AIM = 0.2, 0.2  # the claim's limitation goes away (weak: most such papers fix it)
TITLE_EXPLICIT = (0.45, 0.3)  # a title that disagrees with what it names (base, aim)
TITLE_QUALIFY = (0.2, 0.3)  # "Revisiting X", "Rethinking X"
TITLE_REMOVED = (0.2, 0.2)  # "Breaking the curse of X", "Never Lost in the Middle"
TITLE_QUESTION = (0.15, 0.3)  # "Is X inevitable?"
TITLE_OPPOSITE = (0.25, 0.3)  # "LLMs have intrinsic self-correction ability" against "they do not"
AGREE_BASE, AGREE_ANCHORED = 0.55, 0.1  # agreement aimed at the claim (+ when at an anchor or belief)
SAME_POLARITY = 0.4  # a finding of the claim's own polarity
REACH = 3  # a sentence answers at most this many sentences back (itself included)
TITLE_ANSWER = 0.8  # a sentence that answers a belief about what the title names: its aim, this much
MAX_CONFIDENCE = 0.97
MIN_STANCE = 0.35  # weaker evidence either way (a title that only asks) is no stance: the paper is related
CLAIM_WORDS_ASPECT = 2  # this many of the claim's own content words count as one more aspect named
ONE_ASPECT = 0.6  # the aim of a sentence that names only one aspect of the claim counts this much


@dataclass(frozen=True)
class StanceFinding:
    """A paper's stance on a claim: the deciding sentence (as written), what it aims at, the cue."""

    stance: Stance
    confidence: float
    sentence: str | None = None
    target: str | None = None
    cue: str | None = None


RELATED = StanceFinding(Stance.RELATED, 0.0)


@dataclass(frozen=True)
class ClaimSide:
    """What stance needs to know of the claim: whether it states a limitation ("cannot plan",
    "degrades"), so that a finding's polarity says which side it is on, and its own content stems."""

    negative: bool
    words: frozenset[str]


NEUTRAL_SIDE = ClaimSide(negative=False, words=frozenset())


def claim_side(text: str, word_stems: frozenset[str]) -> ClaimSide:
    """What stance reads of a claim's text: whether it states a limitation, and its content stems."""
    return ClaimSide(bool(_CLAIM_NEGATIVE.search(" ".join(_Text(text).words))), word_stems)


def judge_stance(
    side: ClaimSide,
    title: _Text,
    abstract: _Text,
    names: Sequence[Name],
    trace: list[tuple[str, float, str, str]] | None = None,
) -> StanceFinding:
    """The paper's stance on the claim, from its abstract's sentences and its title. `trace` collects
    every piece of evidence read, (kind, confidence, target, cue), for experiments."""
    sentences = _sentences(side.words, abstract, names)
    title_sentence = _sentences(side.words, title, names, whole=True)
    title_aim = title_sentence[0].aim if title_sentence else None
    evidence = _Evidence(trace)
    for i, s, aim, belief in _aimed(sentences, title_aim):
        _read_sentence(evidence, side, i, s, aim, belief)
    if title_aim is not None:
        kind = _title_kind(side, title_sentence[0], title.raw.rstrip().endswith("?"))
        if kind is not None:
            (base, per_aim), cue = kind
            evidence.challenge(-1, base + per_aim * title_aim.strength, title_aim.label, cue)
    return _decide(evidence.challenges, evidence.agrees, title, abstract, sentences)


class _Evidence:
    """What the sentences say: each one's surest challenge, and every agreement."""

    def __init__(self, trace: list[tuple[str, float, str, str]] | None) -> None:
        self.challenges: dict[int, tuple[float, str, str]] = {}  # sentence -> (confidence, target, cue)
        self.agrees: list[tuple[float, int, str, str]] = []  # (confidence, sentence, target, cue)
        self.trace = trace

    def challenge(self, i: int, confidence: float, target: str, cue: str) -> None:
        if self.trace is not None:
            self.trace.append((f"challenge@{i}", round(confidence, 3), target, cue))
        if confidence > self.challenges.get(i, (0.0, "", ""))[0]:
            self.challenges[i] = (confidence, target, cue)

    def agree(self, i: int, confidence: float, target: str, cue: str) -> None:
        self.agrees.append((confidence, i, target, cue))


def _aimed(
    sentences: Sequence[_Sentence], title_aim: Aim | None
) -> Iterator[tuple[int, _Sentence, Aim, bool]]:
    """(index, sentence, what it is aimed at, whether it answers a stated belief) for each sentence
    aimed at what the claim is about: what it names itself or, when it answers the sentence before
    ("Prior work suggests this failure is inherent. We challenge this view."), what that one names or
    refers back to; or what the title names, when it answers a belief."""
    previous_belief = False
    reach: list[list[_Sentence]] = []  # per sentence: it, and what it refers back to
    for i, s in enumerate(sentences):
        text = s.joined
        belief_here = bool(_BELIEF.search(text))
        belief_before = previous_belief
        previous_belief = belief_here
        belief = belief_before or belief_here
        back = bool(_BACK_REFERENCE.search(text))
        context = [s, *reach[-1]][:REACH] if reach and (belief_before or back) else [s]
        reach.append(context if (back or belief_here) else [s])
        aims = [c.aim for c in context]
        if title_aim is not None and (belief or back):
            aims.append(Aim(title_aim.label, -1, -1, TITLE_ANSWER * title_aim.strength))
        aim = max((a for a in aims if a is not None), key=lambda a: a.strength, default=None)
        if aim is None:
            continue
        # A sentence that names one aspect of the claim may be about something else in the field; one
        # that names two (two topics, a topic and the anchor, a topic and the claim's words) is about it.
        named = {a.label for c in context for a in c.aims}
        aspects = len(named) + (max(c.claim_words for c in context) >= CLAIM_WORDS_ASPECT)
        if aspects < 2:
            aim = Aim(aim.label, aim.first, aim.last, ONE_ASPECT * aim.strength)
        yield i, s, aim, belief


def _read_sentence(
    evidence: _Evidence, side: ClaimSide, i: int, s: _Sentence, aim: Aim, belief: bool
) -> None:
    """What one aimed sentence, in the authors' voice or reporting a finding, says of the claim:
    disagreement (explicit, a qualification, the limitation removed), a finding of either polarity,
    or agreement."""
    text = s.joined
    authors = bool(_AUTHORS.search(text))
    finding = s.aim is not None and bool(_FINDING.search(text))
    if not (authors or finding):
        return  # background in no one's voice, reporting nothing: most sentences
    own = bool(_OWN_METHOD.search(text))
    agree = None
    if authors:
        agree = None if _AGREE_NEGATED.search(text) or _OWN_RESULTS.search(text) else _AGREE.search(text)
    if authors and not agree:
        _disagreement(evidence, side, i, s, aim, belief, own)
    if finding and authors and s.aim is not None and not own:
        polarity = _polarity(s.masked)
        if polarity is not None and polarity != side.negative:
            turn = belief or bool(_TURN.match(text))
            confidence = OPPOSITE_BASE + OPPOSITE_AIM * s.aim.strength + OPPOSITE_TURN * turn
            evidence.challenge(i, confidence, s.aim.label, "a finding opposite to the claim")
        elif polarity is not None:
            evidence.agree(i, SAME_POLARITY, s.aim.label, "a finding in line with the claim")
    if agree:
        anchored = belief or aim.strength >= 1.0
        evidence.agree(i, AGREE_BASE + AGREE_ANCHORED * anchored, aim.label, f"'{agree.group(0)}'")


def _disagreement(
    evidence: _Evidence, side: ClaimSide, i: int, s: _Sentence, aim: Aim, belief: bool, own: bool
) -> None:
    """The authors disagreeing: explicitly, or with a qualification (that counts for much only as the
    answer to a stated belief), or saying the claim's limitation goes away."""
    if m := _EXPLICIT.search(s.masked):
        confidence = EXPLICIT_BASE + ANSWERS_BELIEF * belief + EXPLICIT_AIM * aim.strength
        evidence.challenge(i, confidence - OWN_METHOD_PENALTY * own, aim.label, f"'{m.group(0)}'")
    elif not own and (m := _QUALIFY.search(s.masked)):
        if belief:
            evidence.challenge(i, QUALIFY_BASE + QUALIFY_AIM * aim.strength, aim.label, f"'{m.group(0)}'")
        elif s.aim is not None:
            confidence = QUALIFY_ALONE_BASE + QUALIFY_ALONE_AIM * aim.strength
            evidence.challenge(i, confidence, aim.label, f"'{m.group(0)}'")
    removed = (
        _REMOVED.search(s.masked)
        if s.aim is not None and side.negative and not _NOT_REMOVED.search(s.masked)
        else None
    )
    if s.aim is not None and removed and not own:
        confidence = REMOVED_BASE + REMOVED_AIM * s.aim.strength
        evidence.challenge(i, confidence, s.aim.label, f"'{removed.group(0)}'")


def _decide(
    challenges: Mapping[int, tuple[float, str, str]],
    agrees: Sequence[tuple[float, int, str, str]],
    title: _Text,
    abstract: _Text,
    sentences: Sequence[_Sentence],
) -> StanceFinding:
    """Weigh the evidence: challenges from independent sentences (index -1: the title) combine by
    noisy-or, quoted by the surest one; agreement wins only when surer; below MIN_STANCE, no stance."""
    best_agree = max(agrees, default=None)
    if challenges:
        missing = 1.0
        for confidence, _, _ in challenges.values():
            missing *= 1.0 - max(0.0, confidence)
        confidence = min(MAX_CONFIDENCE, 1.0 - missing)
        at, (_, target, cue) = max(challenges.items(), key=lambda kv: (kv[1][0], -kv[0]))
        if confidence >= MIN_STANCE and (best_agree is None or confidence >= best_agree[0]):
            sentence = " ".join(title.raw.split()) if at == -1 else _quote(abstract, sentences[at])
            return StanceFinding(Stance.CHALLENGES, round(confidence, 2), sentence, target, cue)
    if best_agree is not None and best_agree[0] >= MIN_STANCE:
        confidence, at, target, cue = best_agree
        return StanceFinding(
            Stance.SUPPORTS, round(confidence, 2), _quote(abstract, sentences[at]), target, cue
        )
    return RELATED


def _title_kind(side: ClaimSide, t: _Sentence, question: bool) -> tuple[tuple[float, float], str] | None:
    """What the title says of what it names: disagrees, re-examines, removes the limitation, asks,
    or says the opposite."""
    text = t.masked  # the claim's own names are no cue ("The Reasoning Mirage" is not "a mirage")
    if m := _EXPLICIT.search(text):
        return TITLE_EXPLICIT, f"title: '{m.group(0)}'"
    if m := _QUALIFY.search(text):
        return TITLE_QUALIFY, f"title: '{m.group(0)}'"
    if side.negative and not _NOT_REMOVED.search(text) and (m := _REMOVED.search(text)):
        return TITLE_REMOVED, f"title: '{m.group(0)}'"
    if question:
        return TITLE_QUESTION, "title asks"
    polarity = _polarity(t.masked)
    if polarity is not None and polarity != side.negative:
        return TITLE_OPPOSITE, "title opposite to the claim"
    return None
