"""Sentences: an abstract (or a title) cut into sentences as word ranges, each with the names of the
claim it has (`Name`: an anchor or a topic) and how specifically they name it (`Aim`). Stance reads
these; the ends follow the original case, and "e.g.", "et al." and decimals do not end a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from freshness.matching.text import _ASCII_SPACES, _WORD, _Text

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"\u201c'(\[]?[A-Z0-9$\\])")
_ABBREVIATION = re.compile(
    r"\b(?:e\.g|i\.e|et al|vs|cf|etc|fig|figs|eq|eqs|sec|approx|resp|no|al)\.\s*$", re.I
)


ABBREVIATION_TAIL = 8  # characters before a full stop that can hold an abbreviation ("et al.")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text`; "e.g.", "et al." and decimals do not end one."""
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text, max(start, m.start() - ABBREVIATION_TAIL), m.start() + 1):
            continue
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


# How specifically a name aims a sentence at the claim (its `strength`): 1 for an anchor, 0.8 for a topic
# few of the claim's candidates mention, 0.5 for one most of them mention (the field, not the claim) or
# the claim's own words.
GENERIC_SHARE = 0.25  # a name in at least this share of the claim's candidates names the field, not the claim
ANCHOR_AIM = 1.0  # an anchor named by id, title or a short name few candidates use
TOPIC_AIM = 0.8  # a topic few of the claim's candidates mention
FIELD_AIM = 0.5  # a topic (or short name) most of them mention, or several of the claim's own words
CLAIM_WORDS_AIM = 4  # this many of the claim's own content words in one sentence aim it at the claim


@dataclass(frozen=True)
class Name:
    """One way a text can name what the claim is about: an anchor (by id, title or short name) or a
    topic. It names the claim in a sentence that has at least `need` of its `stems` (all of them, or
    most of a long title's), in any order and form ("interpretable features" names "feature
    interpretability"); `strength` is how specifically it names the claim."""

    label: str  # "anchor 2309.12288", "topic 'reversal curse'"
    stems: frozenset[str]
    need: int
    strength: float


@dataclass(frozen=True)
class Aim:
    """Where a sentence names what the claim is about, and how specifically."""

    label: str
    first: int  # the sentence's word range
    last: int
    strength: float


@dataclass
class _Sentence:
    start: int  # character offsets in the text
    end: int
    first: int  # word index of its first word
    last: int  # word index of its last word (inclusive)
    joined: str  # its words joined by single spaces
    aim: Aim | None  # the most specific of `aims`, or the claim's words
    masked: str  # `joined` with the claim's own names blanked out (cues and polarity read this)
    aims: tuple[Aim, ...] = ()  # every name of the claim in it
    claim_words: int = 0  # how many of the claim's own content words it uses


def _sentences(
    claim_words: frozenset[str], text: _Text, names: Sequence[Name], *, whole: bool = False
) -> list[_Sentence]:
    """`text` cut into sentences as word ranges, each with the claim's names it has and how many of
    the claim's own content words (`claim_words`, stems)."""
    words = text.words
    if not words:
        return []
    # Sentence ends need the original case ("... shift. We show ..."); offsets are the same in both
    # (where lower-casing changes a length, _Text keeps the original text as `lowered`).
    spans = [(0, len(text.raw))] if whole else sentence_spans(text.raw)
    present = text.present
    names = [n for n in names if len(n.stems & present) >= n.need]  # most names are nowhere in it
    out = []
    first = 0
    lowered = text.lowered
    for lo, hi in spans:
        # A sentence ends after punctuation and white space, never inside a word: its words are the
        # next ones in order, as many as it has.
        last = first + _word_count(lowered[lo:hi]) - 1
        if last < first:
            continue
        stems = text.stems[first : last + 1]
        here = set(stems)
        named = [n for n in names if len(n.stems & here) >= n.need]
        inside = tuple(Aim(n.label, first, last, n.strength) for n in named)
        aim = max(inside, key=lambda a: a.strength, default=None)
        used = len(claim_words & here)
        if aim is None and used >= CLAIM_WORDS_AIM:
            aim = Aim("the claim's words", first, last, FIELD_AIM)
        joined = " ".join(words[first : last + 1])
        if named:
            blank = frozenset().union(*(n.stems for n in named))
            masked = " ".join(
                "_" if st in blank else w for w, st in zip(words[first : last + 1], stems, strict=True)
            )
        else:
            masked = joined
        out.append(_Sentence(lo, hi, first, last, joined, aim, masked, inside, used))
        first = last + 1
    return out


def _word_count(text: str) -> int:
    """How many words `_Text` reads in `text` (the same split, for one sentence)."""
    if text.isascii():
        return len(text.encode("ascii").translate(_ASCII_SPACES).split())
    return len(_WORD.findall(text))


def _quote(text: _Text, s: _Sentence) -> str:
    """The sentence as the paper wrote it, whitespace folded."""
    return " ".join(text.raw[s.start : s.end].split())
