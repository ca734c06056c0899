"""The matcher of one store: a claim -> its candidates -> ranked, explained matches, and its velocity.

What a store's matching remembers from one claim to the next (document frequencies, rare terms'
papers, papers read as words, pruning's off switch) lives in a `MatchMemo`, one per store and
settings, never in module globals.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import weakref
from collections.abc import Sequence

from freshness.flagging import flags
from freshness.matching.citing import citation_evidence, citation_stance
from freshness.matching.index import _DocFreq, _DocFreqMemo
from freshness.matching.pool import _Pool
from freshness.matching.relevance import _features, _PruneSwitch, _rank
from freshness.matching.retrieval import _candidates
from freshness.matching.settings import DEFAULT_SETTINGS, MatchSettings
from freshness.matching.terms import _prepare, _Prepared
from freshness.matching.text import _Text
from freshness.models import CitationIndex, Citing, Claim, Match, Paper, Velocity
from freshness.store import Store

_TEXTS_MAX = 3000  # papers (~30 kB each) a memo reads as words; the oldest are forgotten first


class MatchMemo:
    """What matching one store remembers between claims: its document frequencies (and rare terms'
    papers) by store size, and papers read as words, remembered by their text: a claim's velocity
    scores mostly the papers its match just scored (`freshness report` asks for both), and
    neighbouring claims share papers."""

    def __init__(self) -> None:
        self.doc_freq = _DocFreqMemo()
        self.texts: dict[tuple[str, str], tuple[_Text, _Text]] = {}
        self.pruning = _PruneSwitch()

    def texts_of(self, paper: Paper) -> tuple[_Text, _Text]:
        """The paper's title and abstract as `_Text`s."""
        texts = self.texts
        key = (paper.title, paper.abstract)
        found = texts.get(key)
        if found is None:
            if len(texts) >= _TEXTS_MAX:
                del texts[next(iter(texts))]
            found = texts[key] = (_Text(paper.title), _Text(paper.abstract))
        return found


class Matcher:
    """Matches claims against one store's full-text index with one set of settings. Give it the
    store's `memo` to reuse what earlier claims looked up (`matcher_for` does). `citations`: who
    cites the anchors, as the store has it (never fetched here); None or empty changes nothing."""

    def __init__(
        self,
        store: Store,
        settings: MatchSettings = DEFAULT_SETTINGS,
        memo: MatchMemo | None = None,
        citations: CitationIndex | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.memo = memo if memo is not None else MatchMemo()
        self.citations = citations

    def match(self, claim: Claim, *, limit: int = 50, after_rowid: int = 0) -> list[Match]:
        """Newer papers (first submitted after claim.date, in claim.categories when given) related to
        the claim, best first, each scored 0-100 with evidence; at most `limit`. `after_rowid`: only
        papers stored after it (what an incremental match would retrieve)."""
        return self._match(claim, after=claim.date, limit=limit, after_rowid=after_rowid)

    def velocity(
        self, claim: Claim, *, today: dt.date, window_days: int = 90, matches: Sequence[Match] | None = None
    ) -> Velocity:
        """Related newer papers first submitted in the last `window_days` (or since the claim, if more
        recent), counted per month, and how many of them challenge the claim: the claim's flagged
        `matches` in that window (its match, when not given), so the two never disagree."""
        since = max(claim.date, today - dt.timedelta(days=window_days))
        related = [
            m
            for m in self._match(
                claim,
                after=since,
                limit=1000,
                query_scale=2,
                timeless=True,
                min_score=self.settings.related_score,
                judge=False,
            )
            if m.published <= today
        ]
        months: dict[str, int] = {}
        for m in related:
            key = m.published.strftime("%Y-%m")
            months[key] = months.get(key, 0) + 1
        if matches is None:
            matches = self.match(claim)
        return Velocity(
            since=since,
            until=today,
            related=len(related),
            challenging=sum(m.superseding and since < m.published <= today for m in matches),
            by_month=tuple(sorted(months.items())),
        )

    def _match(
        self,
        claim: Claim,
        *,
        after: dt.date,
        limit: int,
        query_scale: int = 1,
        timeless: bool = False,
        min_score: float | None = None,
        after_rowid: int = 0,
        judge: bool = True,
    ) -> list[Match]:
        """Candidates scoring at least `min_score` (default: the settings' `min_score`), ranked on
        numbers only, then the top `limit` explained; with `judge`, the stance of the best
        `stance_depth` is read and the flag rule applied. `timeless` leaves closeness to the claim's
        date out of the score (velocity asks "how related", not "how early")."""
        store, settings, memo = self.store, self.settings, self.memo
        if min_score is None:
            min_score = settings.min_score
        df = _DocFreq(store, memo.doc_freq, settings)
        prep = _prepare(claim, df, settings, timeless=timeless)
        cites = self._citing(claim)
        papers = _candidates(store, df, prep, after, query_scale, settings, after_rowid, citing=cites)
        texts = {p.arxiv_id: memo.texts_of(p) for p in papers}
        pool = _Pool(list(texts.values()))
        ranked = _rank(
            papers,
            prep,
            texts,
            pool,
            settings,
            memo.pruning,
            keep=max(limit, settings.flag_rule.max_rank),
            min_score=min_score,
            bonus={p.arxiv_id: settings.cites_bonus for p in papers if p.arxiv_id in cites},
        )
        ranked.sort(key=lambda s: (-s[0], -s[1].published.toordinal(), s[1].arxiv_id))
        depth = settings.stance_depth if judge else 0
        return [
            self._explained(
                score, p, prep, texts[p.arxiv_id], pool, cites.get(p.arxiv_id), rank, judge=rank <= depth
            )
            for rank, (score, p) in enumerate(ranked[:limit], start=1)
        ]

    def _citing(self, claim: Claim) -> dict[str, list[Citing]]:
        """Citing arXiv id -> its edges to the claim's anchors (none without citation data)."""
        if not self.citations:
            return {}
        return self.citations.citing(a.arxiv_id.base for a in claim.anchors if a.arxiv_id)

    def _explained(
        self,
        score: float,
        paper: Paper,
        prep: _Prepared,
        texts: tuple[_Text, _Text],
        pool: _Pool,
        edges: list[Citing] | None,
        rank: int,
        *,
        judge: bool,
    ) -> Match:
        """The match at `rank`, with its evidence (and the citing edges'); with `judge`, its stance
        (the citing sentences' when they disagree with the paper's, or are surer) and the flag rule."""
        settings = self.settings
        f = _features(paper, prep, settings, explain=True, judge=judge, texts=texts, pool=pool)
        st = f.stance
        evidence = tuple(f.evidence)
        if edges is not None:
            evidence += (citation_evidence(edges),)
            cited = citation_stance(edges, settings) if judge else None
            if cited is not None and (st.stance is not cited.stance or cited.confidence > st.confidence):
                st = cited
        match = Match(
            arxiv_id=paper.arxiv_id,
            title=paper.title,
            published=paper.published,
            score=round(score, 1),
            superseding=False,
            evidence=evidence,
            stance=st.stance,
            confidence=st.confidence,
            stance_sentence=st.sentence,
            stance_target=st.target,
        )
        if flags(match, rank, settings.flag_rule):
            match = dataclasses.replace(match, superseding=True)
        return match


# Each open store's memos, one per settings, dropped with the store: `match_claim` and friends, called
# claim by claim, reuse what the store's earlier claims looked up.
_MEMOS: weakref.WeakKeyDictionary[Store, dict[MatchSettings, MatchMemo]] = weakref.WeakKeyDictionary()


def matcher_for(
    store: Store, settings: MatchSettings = DEFAULT_SETTINGS, citations: CitationIndex | None = None
) -> Matcher:
    """A matcher for `store` that shares the store's memo with every other one made for it with the
    same settings."""
    memos = _MEMOS.setdefault(store, {})
    memo = memos.get(settings)
    if memo is None:
        memo = memos[settings] = MatchMemo()
    return Matcher(store, settings, memo, citations)
