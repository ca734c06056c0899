"""The match cache: each claim's matches and velocity kept in the store between reports, and reused
while nothing they depend on has changed (the claim, the papers, the matcher's code and settings)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from freshness import matching
from freshness.matching import DEFAULT_SETTINGS, MatchSettings
from freshness.models import CitationIndex, Claim, Match, Velocity
from freshness.store import Store
from freshness.store.stored_json import (
    matches_from_text,
    matches_to_text,
    velocity_from_text,
    velocity_to_text,
)


class MatchCache:
    """Each claim's matches and velocity, reused while nothing they depend on has changed: the claim
    as judged, the match limit, the velocity window, the papers (`Store.papers_stamp`) and the
    matcher's own code and settings. Saving is best effort and never waits for another writer."""

    def __init__(
        self,
        store: Store,
        claim_ids: Sequence[str],
        settings: MatchSettings = DEFAULT_SETTINGS,
        citations: CitationIndex | None = None,
    ) -> None:
        self.store = store
        self.citations = citations
        self.matcher = _matcher_fingerprint(settings)
        self.stamp = store.papers_stamp()
        self.rows = store.get_match_cache(claim_ids)
        self.new: list[tuple[str, str, str, str]] = []
        self.fresh: dict[str, tuple[str, list[Match], Velocity]] = {}  # computed in this run
        self.keys: dict[tuple[Claim, int, dt.date], str] = {}  # `has`, then `get` or `put`: one hash

    def key(self, claim: Claim, limit: int, window_end: dt.date) -> str:
        memo = (claim, limit, window_end)
        if (known := self.keys.get(memo)) is not None:
            return known
        inputs = {
            "claim": [
                claim.id,
                claim.text,
                claim.date.isoformat(),
                list(claim.topics),
                list(claim.categories),
            ],
            "anchors": [[str(a.arxiv_id) if a.arxiv_id else a.raw, a.title] for a in claim.anchors],
            "limit": limit,
            "window_end": window_end.isoformat(),
            "papers": self.stamp,
            "matcher": self.matcher,
        }
        if self.citations:  # only with citation data: without it the key is what it always was
            bases = [a.arxiv_id.base for a in claim.anchors if a.arxiv_id]
            inputs["citations"] = sorted(
                [e.anchor_id, cid, list(e.sources), [[c.text, c.source, list(c.intents)] for c in e.contexts]]
                for cid, edges in self.citations.citing(bases).items()
                for e in edges
            )
        key = self.keys[memo] = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
        return key

    def has(self, claim: Claim, limit: int, window_end: dt.date) -> bool:
        """Whether `get` would answer, without reading the answer."""
        key = self.key(claim, limit, window_end)
        fresh, row = self.fresh.get(claim.id), self.rows.get(claim.id)
        return (fresh is not None and fresh[0] == key) or (row is not None and row[0] == key)

    def get(self, claim: Claim, limit: int, window_end: dt.date) -> tuple[list[Match], Velocity] | None:
        key = self.key(claim, limit, window_end)
        fresh = self.fresh.get(claim.id)
        if fresh is not None and fresh[0] == key:
            return list(fresh[1]), fresh[2]
        row = self.rows.get(claim.id)
        if row is None or row[0] != key:
            return None
        try:
            return list(matches_from_text(row[1])), velocity_from_text(row[2])
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # a damaged row is a miss: the claim is matched again and the row replaced

    def put(
        self, claim: Claim, limit: int, window_end: dt.date, matches: Sequence[Match], velocity: Velocity
    ) -> None:
        key = self.key(claim, limit, window_end)
        self.fresh[claim.id] = (key, list(matches), velocity)
        self.new.append((claim.id, key, matches_to_text(matches), velocity_to_text(velocity)))

    def save(self, *, now: dt.datetime) -> bool:
        saved = self.store.save_match_cache(self.new, now=now)
        self.new = []
        return saved


@functools.cache
def _matcher_fingerprint(settings: MatchSettings) -> str:
    """A hash of the matcher's source (every module of the package) and of its settings: a new
    version of the scoring, or other tunables, never serves old matches."""
    digest = hashlib.sha256()
    for path in sorted(Path(matching.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(repr(settings).encode())
    return digest.hexdigest()[:16]
