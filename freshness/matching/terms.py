"""A claim as weighted aspects: its topics, its own content words and its anchors, each with what
finds it in a text (stem sequences) and how much it weighs (its rarity in the store)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from freshness.matching.index import _DocFreq, fts_topic, short_name
from freshness.matching.settings import MatchSettings
from freshness.matching.stance import NEUTRAL_SIDE, ClaimSide, claim_side
from freshness.matching.text import (
    _STEMS,
    _STOPWORDS,
    _closed,
    _closed_content,
    _content_words,
    _stem,
    _stems_of,
    _words,
)
from freshness.models import Anchor, Claim


def _idf(df: int, n: int) -> float:
    """BM25's inverse document frequency: rare terms weigh more, a term in every paper ~0."""
    return math.log((n - df + 0.5) / (df + 0.5) + 1.0)


@dataclass(frozen=True)
class _Topic:
    text: str
    variants: tuple[tuple[str, ...], ...]  # stem sequences: the phrase, and its closed compound
    content: tuple[str, ...]  # content-word stems, for the "words near each other" fallback
    closed_content: tuple[str, ...] = ()  # the same for the closed compound, when it differs
    weight: float = 1.0
    df: int = 0  # papers (any date) that have it
    phrase: str = ""  # " lost in the middle": its words, for the fuzzy match
    keys: frozenset[str] = frozenset()  # a text without any of these stems cannot match it
    query: str | None = None  # its FTS5 query (fts_topic, also the closed compound)


@dataclass(frozen=True)
class _Word:
    text: str
    stems: tuple[str, ...]  # its own stem, and the closed compound's when written hyphenated
    weight: float = 1.0


@dataclass(frozen=True)
class _AnchorRef:
    label: str  # the id, for evidence
    patterns: tuple[tuple[tuple[str, ...], str], ...]  # (stem sequence, how it is named)


@dataclass(frozen=True)
class _Prepared:
    """A claim turned into weighted terms, ready to score any number of papers."""

    claim: Claim
    topics: tuple[_Topic, ...]
    words: tuple[_Word, ...]
    refs: tuple[_AnchorRef, ...]
    distinctive: tuple[str, ...]  # claim words rare enough to retrieve candidates with
    timeless: bool = False  # leave closeness in time out of the score
    vocabulary: frozenset[str] = frozenset()  # stems of the words of its topics, text and anchor names
    side: ClaimSide = NEUTRAL_SIDE  # what stance reads of the claim


def _make_topic(text: str, df: _DocFreq) -> _Topic | None:
    words = _words(text)
    if not words:
        return None
    variants = [tuple(_STEMS[w] for w in words)]
    closed = _stems_of(_closed(text))
    if closed != variants[0]:
        variants.append(closed)
    content = tuple(_STEMS[w] for w in words if w not in _STOPWORDS) or variants[0]
    closed_content = _closed_content(text)
    query = " OR ".join(dict.fromkeys(q for t in (text, _closed(text)) if (q := fts_topic(t)))) or None
    n = df.query(query) if query else df.n
    return _Topic(
        text,
        tuple(variants),
        tuple(dict.fromkeys(content)),
        closed_content=closed_content if closed_content != tuple(dict.fromkeys(content)) else (),
        weight=_idf(n, df.n),
        df=n,
        phrase=" " + " ".join(words),
        query=query,
        keys=frozenset(content) | frozenset(closed_content) | {v[0] for v in variants},
    )


def _anchor_refs(anchors: Sequence[Anchor]) -> tuple[_AnchorRef, ...]:
    refs = []
    for a in anchors:
        if a.arxiv_id is None:
            continue
        pats = [(_stems_of(a.arxiv_id.base), "by id")]
        if a.title and _words(a.title):
            pats.append((_stems_of(a.title), "by title"))
            name = short_name(a.title)
            if name:
                pats.append((_stems_of(name), f"as '{name}'"))
        refs.append(_AnchorRef(a.arxiv_id.base, tuple(pats)))
    return tuple(refs)


def _prepare(claim: Claim, df: _DocFreq, settings: MatchSettings, *, timeless: bool = False) -> _Prepared:
    """The claim's topics, content words, anchor references and distinctive words, weighted by rarity."""
    topics = [t for text in claim.topics if (t := _make_topic(text, df))]
    # A hyphenated compound in the claim ("fine-tuning") also counts when written closed.
    compounds: dict[str, str] = {}
    for m in re.finditer(r"[^\W_]+(?:-[^\W_]+)+", claim.text.lower()):
        closed = _stem(_closed(m.group()))
        for part in m.group().split("-"):
            compounds[part] = closed
    words = []
    rare: list[tuple[int, str]] = []
    for w in _content_words(claim.text):
        d = df(w)
        stems = (_stem(w), compounds[w]) if w in compounds else (_stem(w),)
        words.append(_Word(w, stems, _idf(d, df.n)))
        if d <= max(settings.distinctive_share * df.n, settings.distinctive_min):
            rare.append((d, w))
    distinctive = tuple(w for _, w in sorted(rare)[: settings.distinctive_max])
    names = [n for a in claim.anchors if a.title and (n := short_name(a.title))]
    vocabulary = frozenset(
        _STEMS[w]
        for text in (*claim.topics, *map(_closed, claim.topics), claim.text, _closed(claim.text), *names)
        for w in _words(text)
        if w not in _STOPWORDS
    )
    side = claim_side(claim.text, frozenset(s for w in words for s in w.stems))
    return _Prepared(
        claim,
        tuple(topics),
        tuple(words),
        _anchor_refs(claim.anchors),
        distinctive,
        timeless,
        vocabulary,
        side,
    )
