"""Stance: whether a related paper argues with the claim (challenge cues near a topic or an anchor, a
title that questions a topic) or discusses prior findings; what flags a match as superseding."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from freshness.matching.settings import MatchSettings
from freshness.matching.text import _Hit, _Text
from freshness.models import Paper

if TYPE_CHECKING:  # relevance.py calls into this module: the type alone, to avoid an import cycle
    from freshness.matching.relevance import _Features

# Challenge language, by kind (docs/matching.md): open disagreement, doubt, re-examination, "it was
# never real", "the limitation goes away", concession and negated generalisations. Matched on the
# text's words joined by single spaces (lower case, no punctuation), so "don't" reads "don t".
# Problem-statement words that every method paper uses ("however", "a challenge", "challenging")
# are deliberately absent.
_CUES = re.compile(
    r"\b(?:"
    r"challeng\w* (?:the|this|these|that|prior|previous|common|conventional|existing|earlier|recent)"
    r"|contrary|contradict\w*|refut\w*|disput\w*|debunk\w*|overturn\w*|counter ?evidence|doubts?"
    r"|fail(?:s|ed)? to|failure to|no evidence|little evidence|not supported|unsupported"
    r"|revisit\w*|re ?examin\w*|rethink\w*|reconsider\w*|reassess\w*|re ?evaluat\w*|replicat\w*"
    r"|myths?|mirage|illusion\w*|artifacts?|artefacts?|misconception\w*|overstat\w*|overestimat\w*"
    r"|misleading|spurious|premature"
    r"|overcom\w*|mitigat\w*|alleviat\w*|eliminat\w*|avoid\w*|prevent\w*|break(?:s|ing)? the|beyond"
    r"|in contrast|rather than|despite|surprising\w*|counter ?intuitive\w*"
    r"|(?:do|does|did|need) not|don t|doesn t|not necessarily|not always|no longer"
    r"|inevitabl\w*|limited to|only holds|only when"
    r")\b"
)

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


def _challenge(
    f: _Features,
    paper: Paper,
    title: _Text,
    abstract: _Text,
    spans: Sequence[_Hit],
    anchor_spans: Sequence[tuple[str, _Hit]],
    settings: MatchSettings,
) -> None:
    """Challenge evidence, first found wins: a title that names a topic and argues with or questions
    it; a cue near a topic in the abstract; a cue near where the abstract names an anchor."""
    if f.title and _CUES.search(title.joined):
        # A title that names a topic and argues with it ("LoRA vs Full Fine-tuning: An Illusion ...").
        f.challenge_evidence = f"challenge in title: '{paper.title}'"
    elif f.title and paper.title.rstrip().endswith("?"):
        # A title that names a topic and questions it ("Is Model Collapse Inevitable?").
        f.challenge_evidence = f"title questions the topic: '{paper.title}'"
    elif spans or anchor_spans:
        near_words, context = settings.cue_words, settings.snippet_context
        cues = abstract.cues(_CUES, [*spans, *(h for _, h in anchor_spans)], near_words)
        if near := _cue_near(cues, spans, near_words):
            c, h = near
            quoted = abstract.quote(min(h.first, c[0]), max(h.last, c[1]), context)
            f.challenge_evidence = f"contrast near topic: '{quoted}'"
        else:
            # It names what the claim cites and argues with it, whatever words it uses for the topic.
            for label, h in anchor_spans:
                if near := _cue_near(cues, [h], near_words):
                    c = near[0]
                    quoted = abstract.quote(min(h.first, c[0]), max(h.last, c[1]), context)
                    f.challenge_evidence = f"argues with anchor {label}: '{quoted}'"
                    break
    f.challenge = 1.0 if f.challenge_evidence else 0.0


def _is_superseding(f: _Features, score: float, bar: float) -> bool:
    """Strongly related (among the claim's `strong_rank` best, at least `strong_score`) and challenging."""
    return f.challenge_evidence is not None and score >= bar
