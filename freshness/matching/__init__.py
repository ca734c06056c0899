"""Pure matching: a claim + the store's full-text index -> scored, explained newer papers.

Candidates come from bounded FTS5 queries (one per topic, one over the claim's rarest words, one per
anchor reference), so no claim ever scans the corpus; a rare term's papers come whole from an
unranked query (remembered per store), and only common terms are ranked by BM25. Each candidate is
then scored on its title and abstract read as words (lower case, crude stems): which topics it
covers (as phrases, with a rapidfuzz `partial_ratio` fallback for typos, or their words near each
other), how much of the claim's own wording it shares, whether it discusses prior findings or names
an anchor, and how soon after the claim it came. The stance of the best matches is read sentence by
sentence (`stance`): a match is flagged *superseding* when it is among the claim's best and a
directed challenge of the claim with enough confidence (`flagging.FlagRule`). docs/matching.md
explains every step and gives the figures.

The package, one layer a module: `text` (words, stems), `index` (FTS5 queries, document
frequencies), `terms` (a claim as weighted aspects), `retrieval` (candidates), `relevance`
(features, score, pruning), `pool` (the claim's candidates as a whole), `sentences` (an abstract as
sentences naming the claim), `cues` (what each kind of sentence sounds like), `stance` (does it
challenge or support the claim: weighing the evidence), `citing` (what citing sentences say),
`matcher` (one store's `Matcher` and its memo), `workers` (worker processes), `settings` (the
tunables). This module is the public API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from freshness.matching.index import fts_near, fts_phrase, fts_topic, short_name
from freshness.matching.matcher import Matcher, MatchMemo, matcher_for
from freshness.matching.settings import DEFAULT_SETTINGS, MatchSettings
from freshness.matching.workers import _run_tasks, _Task
from freshness.models import CitationIndex, Claim, Match, Velocity
from freshness.store import Store

__all__ = [
    "DEFAULT_SETTINGS",
    "MatchMemo",
    "MatchSettings",
    "Matcher",
    "fts_near",
    "fts_phrase",
    "fts_topic",
    "match_claim",
    "match_claims",
    "match_with_velocity",
    "matcher_for",
    "short_name",
    "topic_velocity",
]


def match_claim(
    store: Store,
    claim: Claim,
    *,
    limit: int = 50,
    settings: MatchSettings = DEFAULT_SETTINGS,
    citations: CitationIndex | None = None,
) -> list[Match]:
    """Newer papers (first submitted after claim.date, in claim.categories when given) related to the
    claim, best first, each scored 0-100 with evidence; at most `limit`. `citations`: who cites the
    anchors (from the store), evidence of relevance and, in a citing sentence, of challenge."""
    return matcher_for(store, settings, citations).match(claim, limit=limit)


def topic_velocity(
    store: Store,
    claim: Claim,
    *,
    today: dt.date,
    window_days: int = 90,
    settings: MatchSettings = DEFAULT_SETTINGS,
    citations: CitationIndex | None = None,
    matches: Sequence[Match] | None = None,
) -> Velocity:
    """Related newer papers first submitted in the last `window_days` (or since the claim, if more
    recent), counted per month, and how many of them challenge the claim (among `matches`, the
    claim's match when the caller has it; else the claim is matched again)."""
    return matcher_for(store, settings, citations).velocity(
        claim, today=today, window_days=window_days, matches=matches
    )


def match_claims(
    store: Store,
    claims: Sequence[Claim],
    *,
    limit: int = 50,
    workers: int | None = None,
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> dict[str, list[Match]]:
    """`match_claim` for each claim, keyed by claim id. From `settings.parallel_from` claims on, the
    claims are shared among `workers` worker processes (default: one per CPU), each reading the store
    file on its own connection: the same matches in a fraction of the wall time. Writes this
    connection has not committed are not seen by the workers. Only bench/ calls it (bench_match.py
    times the matcher with it); the tool itself matches through `match_with_velocity`."""
    done = _run_tasks(store, [_Task(c, limit, settings=settings) for c in claims], workers, settings)
    return {claim.id: done[claim.id][0] for claim in claims}


def match_with_velocity(
    store: Store,
    jobs: Sequence[tuple[Claim, int, dt.date]],
    *,
    workers: int | None = None,
    settings: MatchSettings = DEFAULT_SETTINGS,
    citations: CitationIndex | None = None,
) -> dict[str, tuple[list[Match], Velocity]]:
    """For each (claim, limit, today): `match_claim(claim, limit=limit)` and `topic_velocity(claim,
    today=today)`, keyed by claim id, shared among worker processes as `match_claims` does (what a
    report needs for the claims its match cache does not have)."""
    tasks = [_Task(c, limit, today, settings, citations) for c, limit, today in jobs]
    done = _run_tasks(store, tasks, workers, settings)
    out: dict[str, tuple[list[Match], Velocity]] = {}
    for claim, _, _ in jobs:
        matches, velocity = done[claim.id]
        if velocity is not None:
            out[claim.id] = (matches, velocity)
    return out
