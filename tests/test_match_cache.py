"""match_cache.MatchCache: its key covers what a claim's matches depend on (build_report's reuse of
cached matches is tested through the report in test_assess.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from freshness.match_cache import MatchCache
from freshness.matching import DEFAULT_SETTINGS
from freshness.models import Claim
from freshness.store import Store

CLAIM = Claim(
    id="sparse",
    text="Sparse attention for long context matches dense attention.",
    date=dt.date(2025, 1, 10),
    topics=("sparse attention for long context",),
    categories=("cs.CL",),
)
DAY = dt.date(2026, 1, 1)


def test_the_match_cache_key_changes_with_the_matchers_settings(store: Store) -> None:
    default = MatchCache(store, [CLAIM.id]).key(CLAIM, 30, DAY)
    other = dataclasses.replace(DEFAULT_SETTINGS, stance_depth=10)

    assert MatchCache(store, [CLAIM.id], DEFAULT_SETTINGS).key(CLAIM, 30, DAY) == default
    assert MatchCache(store, [CLAIM.id], other).key(CLAIM, 30, DAY) != default


def test_the_key_changes_with_the_claim_the_limit_and_the_window(store: Store) -> None:
    cache = MatchCache(store, [CLAIM.id])
    key = cache.key(CLAIM, 30, DAY)

    assert cache.key(dataclasses.replace(CLAIM, date=dt.date(2025, 2, 1)), 30, DAY) != key
    assert cache.key(dataclasses.replace(CLAIM, text="Another finding."), 30, DAY) != key
    assert cache.key(CLAIM, 31, DAY) != key
    assert cache.key(CLAIM, 30, DAY + dt.timedelta(days=1)) != key
    assert cache.key(CLAIM, 30, DAY) == key
