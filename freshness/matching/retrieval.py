"""Retrieval: a prepared claim's candidates from bounded FTS5 queries (one per topic, one over the
claim's rarest words, one per anchor name), so that no claim ever scans the corpus."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from freshness.matching.index import _DocFreq, fts_near, fts_phrase, fts_topic, short_name
from freshness.matching.settings import MatchSettings
from freshness.matching.terms import _Prepared
from freshness.models import Paper
from freshness.store import Store


@dataclass(frozen=True)
class _Query:
    """Bounded FTS5 query: its parts OR-ed together, at most `limit` papers, best BM25 first."""

    parts: tuple[str, ...]  # each a quoted phrase or NEAR group the memo can answer on its own
    limit: int
    ranked_only: bool = False  # never answered from the memo (a column filter)

    @property
    def text(self) -> str:
        return " OR ".join(self.parts)


def _queries(prep: _Prepared, scale: int, settings: MatchSettings) -> list[_Query]:
    """Bounded FTS5 queries whose union is the candidate set."""
    queries: list[_Query] = []
    for t in prep.topics:
        if t.query is None:
            continue
        limit = settings.topic_query_limit * scale
        if t.df > limit * settings.titles_when_more:
            # A common topic: its best papers name it in the title, and ranking only those spares
            # BM25 scoring thousands of abstracts that merely mention it.
            queries.append(_Query(("{title} : (" + t.query + ")",), limit, ranked_only=True))
        elif t.df < limit * settings.near_when_fewer and (near := fts_near(t.text)):
            # The phrase is (almost) unused: its words near each other, in any order, too.
            queries.append(_Query((t.query, near), limit))
        else:
            queries.append(_Query((t.query,), limit))
    words = tuple(q for w in prep.distinctive if (q := fts_phrase(w)))
    if words:
        queries.append(_Query(words, settings.words_query_limit * scale))
    for a in prep.claim.anchors:
        names = [a.arxiv_id.base] if a.arxiv_id else []
        if a.title:
            names.append(a.title)
            if (name := short_name(a.title)) is not None:
                names.append(name)
        for name in names:
            if (q := fts_topic(name)) is not None:
                queries.append(_Query((q,), settings.anchor_query_limit * scale))
    return queries


def _retrieve(
    store: Store,
    df: _DocFreq,
    query: _Query,
    after: dt.date,
    categories: Sequence[str],
    after_rowid: int = 0,
) -> list[int]:
    """A query's papers: every match, from the memo, when its parts are rare and together have at
    most `limit` papers (no ranking needed: the date and categories are checked on the papers),
    else the best `limit` by BM25. `after_rowid`: only papers stored after it."""
    if not query.ranked_only:
        found: list[int] = []
        for part in query.parts:
            rows = df.rows(part)
            if rows is None:
                break
            found.extend(rows)
        else:
            if len(set(found)) <= query.limit:
                return [r for r in found if r > after_rowid]
    return [
        r
        for r, _ in store.search(
            query.text, after=after, categories=categories, limit=query.limit, after_rowid=after_rowid
        )
    ]


def _candidates(
    store: Store,
    df: _DocFreq,
    prep: _Prepared,
    after: dt.date,
    scale: int,
    settings: MatchSettings,
    after_rowid: int = 0,
    citing: Collection[str] = (),
) -> list[Paper]:
    """The union of the bounded queries' papers and the stored papers `citing` an anchor, first
    submitted after `after` (and in the claim's categories when it has any; stored after
    `after_rowid`)."""
    rowids: dict[int, None] = {}
    categories = prep.claim.categories
    for query in _queries(prep, scale, settings):
        rowids.update(dict.fromkeys(_retrieve(store, df, query, after, categories, after_rowid)))
    if citing:
        rowids.update(dict.fromkeys(r for r in store.rowids_of(sorted(citing)) if r > after_rowid))
    wanted = set(categories)
    # A claim's own anchors (any version: the store keys papers by their id without version) are
    # what it rests on, never newer work about it, whatever date arXiv gives them.
    anchors = {a.arxiv_id.base for a in prep.claim.anchors if a.arxiv_id is not None}
    return [
        p
        for p in store.papers_by_rowid(list(rowids)).values()
        if p.published > after
        and (not wanted or wanted.intersection(p.categories))
        and p.arxiv_id not in anchors
    ]
