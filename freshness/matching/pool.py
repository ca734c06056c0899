"""A claim's candidates as a whole: how many of them use each stem, which says how rare a word is among
them (the title's focus, in relevance) and whether a name of the claim is specific to it or names its
field (the names stance looks for)."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import Counter
from collections.abc import Sequence

from freshness.matching.sentences import ANCHOR_AIM, FIELD_AIM, GENERIC_SHARE, TOPIC_AIM, Name
from freshness.matching.stance import ClaimSide
from freshness.matching.terms import _Prepared
from freshness.matching.text import _FUNCTION_WORDS, _STEMS, _STOPWORDS, _Text

_FUNCTION_STEMS = frozenset(_STEMS[w] for w in _FUNCTION_WORDS)
SHARE_FROM = 20  # candidates a claim needs before a name they mostly share counts as the field's


class _Pool:
    """A claim's candidates as a whole: in how many of them each stem occurs."""

    def __init__(self, texts: Sequence[tuple[_Text, _Text]]) -> None:
        self._judging: tuple[_Prepared, ClaimSide, list[Name]] | None = None
        self.size = len(texts)
        self.df = Counter(itertools.chain.from_iterable(t.present | a.present for t, a in texts))

    def share(self, stems: Sequence[str]) -> float:
        """At most what share of the candidates has all of `stems` (the rarest one's share); 0 for a
        pool too small to say what is common."""
        if not stems or self.size < SHARE_FROM:
            return 0.0
        return min(self.df[s] for s in stems) / self.size

    def judging(self, prep: _Prepared) -> tuple[ClaimSide, list[Name]]:
        """What stance reads of the claim among these candidates: its side, with only the content
        words few of them use, and its names (remembered: every paper judged asks again)."""
        if self._judging is None or self._judging[0] is not prep:
            words = frozenset(s for s in prep.side.words if self.share((s,)) < GENERIC_SHARE)
            side = dataclasses.replace(prep.side, words=words)
            self._judging = (prep, side, _names(prep, self))
        return self._judging[1], self._judging[2]

    def rarity(self, stem: str) -> float:
        """How rare a stem is among the candidates: a word most of them use says little."""
        return math.log((self.size + 1) / (self.df[stem] + 0.5))

    def focus(self, title: _Text, vocabulary: frozenset[str]) -> tuple[float, int, int]:
        """The rarity-weighted share of the title's content words that are the claim's, and the plain
        counts for the evidence: "LoRA+: Efficient Low Rank Adaptation of Large Models" is about its
        claim's subject; "Malware Detection with LoRA" mostly about something else."""
        words = [
            s for w, s in zip(title.words, title.stems, strict=True) if w not in _STOPWORDS and len(w) > 1
        ]
        if not words:
            return 0.0, 0, 0
        weights = [self.rarity(s) for s in words]
        ours = [w for s, w in zip(words, weights, strict=True) if s in vocabulary]
        total = sum(weights)
        return (sum(ours) / total if total else 0.0), len(ours), len(words)


def _names(prep: _Prepared, pool: _Pool) -> list[Name]:
    """How a paper can name what the claim is about, each with how specifically (sentences.Name): its
    anchors by id or title (specific), by short name and its topics (specific unless most of the
    claim's candidates use them: then they name the field)."""
    names: list[Name] = []
    for ref in prep.refs:
        for seq, how in ref.patterns:
            content = frozenset(s for s in seq if s not in _FUNCTION_STEMS) or frozenset(seq)
            if how == "by title" and len(content) > TITLE_BAG:
                need = math.ceil(TITLE_SHARE * len(content))  # most of a long title, in any order
            else:
                need = len(content)
            strength = ANCHOR_AIM
            if how.startswith("as ") and pool.share(tuple(content)) >= GENERIC_SHARE:
                strength = FIELD_AIM  # a short name most candidates use names the field ("LoRA")
            names.append(Name(f"anchor {ref.label}", content, need, strength))
    for topic in prep.topics:
        content = frozenset(topic.content) or frozenset(topic.variants[0] if topic.variants else ())
        if not content:
            continue
        strength = TOPIC_AIM if pool.share(tuple(content)) < GENERIC_SHARE else FIELD_AIM
        names.append(Name(f"topic '{topic.text}'", content, len(content), strength))
    return names


TITLE_BAG = 3  # an anchor title with more content words than this names it with TITLE_SHARE of them
TITLE_SHARE = 0.8
