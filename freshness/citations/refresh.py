"""The nightly citation step: for each anchor due (never fetched, or fetched longer ago than the
refresh interval), ask each service once (plus paging), store the edges, then fetch from arXiv, in
batches, the citing papers the store lacks. A service that fails is not asked again this run; the
anchors it could not answer are reported as stale or missing, never as "no citations"."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from freshness.anchors import AnchorLookup
from freshness.arxiv_ids import parse_arxiv_id
from freshness.citations.base import LABELS, CitationSource, Fetched
from freshness.citations.openalex import OpenAlexSource
from freshness.citations.semantic_scholar import SemanticScholarSource
from freshness.citations.storage import FetchState, citing_ids, fetch_states, save_failure, save_fetched
from freshness.config import Settings
from freshness.errors import CitationsUnavailable, SourceUnavailable, WireFormatError
from freshness.http import PoliteSession
from freshness.models import CitationSettings, Claim
from freshness.pacing import RateLimiter
from freshness.store import Store

log = logging.getLogger(__name__)

RETRY_AFTER_FAILURE = dt.timedelta(hours=20)  # a failed anchor is tried again the next night, not sooner
MAX_MISSING_PAPERS = 990  # citing papers fetched from arXiv per run: 10 requests of 99 ids


@dataclass(frozen=True)
class AnchorCitations:
    """How one anchor's citing papers from one service stand after the step."""

    anchor_id: str
    source: str
    state: str  # refreshed | fresh | incomplete | stale | missing | unknown
    edges: int = 0  # citing papers with an arXiv id, stored
    fetched_at: dt.datetime | None = None
    problem: str | None = None


@dataclass(frozen=True)
class CitationRefresh:
    """What the step did: each (anchor, service)'s state, the requests made per service, and the
    citing papers brought from arXiv."""

    anchors: tuple[AnchorCitations, ...]
    requests: tuple[tuple[str, int], ...]
    papers_fetched: int = 0
    papers_problem: str | None = None

    def notes(self) -> list[str]:
        """The report's lines: what was fetched, and every anchor whose citations are incomplete,
        stale or missing (with why)."""
        out: list[str] = []
        by_source: dict[str, list[AnchorCitations]] = {}
        for a in self.anchors:
            by_source.setdefault(a.source, []).append(a)
        asked = dict(self.requests)
        for source, items in by_source.items():
            label = LABELS.get(source, source)
            refreshed = [a for a in items if a.state in ("refreshed", "incomplete", "unknown")]
            head = (
                f"citations ({label}): {len(refreshed)} anchor(s) refreshed with {asked.get(source, 0)} "
                f"request(s), {sum(a.edges for a in refreshed)} citing arXiv paper(s); "
                f"{sum(a.state == 'fresh' for a in items)} still fresh"
            )
            out.append(head)
            for a in items:
                if a.state == "incomplete":
                    out.append(f"citations incomplete ({label}) for {a.anchor_id}: {a.problem}")
                elif a.state == "stale":
                    when = a.fetched_at.date().isoformat() if a.fetched_at else "?"
                    out.append(
                        f"citations stale ({label}) for {a.anchor_id}: last fetched {when}; "
                        f"could not refresh ({a.problem})"
                    )
                elif a.state == "missing":
                    out.append(f"citations missing ({label}) for {a.anchor_id}: never fetched ({a.problem})")
                elif a.state == "unknown":
                    out.append(f"citations ({label}): {a.anchor_id} is not known to the service")
        if self.papers_fetched:
            out.append(f"citations: {self.papers_fetched} citing paper(s) fetched from arXiv")
        if self.papers_problem:
            out.append(f"citations: citing papers not fetched from arXiv ({self.papers_problem})")
        return out


def anchor_ids(claims: Sequence[Claim]) -> list[str]:
    """The claims' anchors, each once, by id without version."""
    return list(dict.fromkeys(a.arxiv_id.base for c in claims for a in c.anchors if a.arxiv_id))


def is_due(state: FetchState | None, *, now: dt.datetime, refresh_days: int) -> bool:
    """Never fetched, or fetched longer ago than the interval and not tried in the last 20 hours."""
    if state is None:
        return True
    if state.fetched_at is not None and now - state.fetched_at < dt.timedelta(days=refresh_days):
        return False
    return now - state.attempted_at >= RETRY_AFTER_FAILURE


def refresh_citations(
    store: Store,
    claims: Sequence[Claim],
    sources: Sequence[CitationSource],
    *,
    now: dt.datetime,
    settings: CitationSettings,
    lookup: AnchorLookup | None = None,
) -> CitationRefresh:
    """Refresh the due anchors from each service; with `lookup` (arXiv), fetch the citing papers the
    store lacks. Never raises for a service's trouble: it is in the result."""
    ids = anchor_ids(claims)
    states = fetch_states(store, ids)
    results: list[AnchorCitations] = []
    requests: list[tuple[str, int]] = []
    for source in sources:
        down: str | None = None
        made = 0
        due = [
            a
            for a in ids
            if is_due(states.get((a, source.name)), now=now, refresh_days=settings.refresh_days)
        ]
        settled: dict[str, Fetched] = {}
        if isinstance(source, SemanticScholarSource) and len(due) >= 2:
            try:
                settled, made = _screen(source, due)
            except CitationsUnavailable as exc:
                down, made = str(exc), 1
                log.warning("citations from %s: %s", source.label, exc)
        for anchor in ids:
            state = states.get((anchor, source.name))
            if not is_due(state, now=now, refresh_days=settings.refresh_days):
                results.append(_unchanged(anchor, source.name, state, down=None))
                continue
            if down is not None:
                results.append(_unchanged(anchor, source.name, state, down=down))
                continue
            try:
                fetched = settled.get(anchor) or source.citations(
                    anchor, service_id=state.service_id if state else None
                )
            except CitationsUnavailable as exc:
                down = str(exc)
                made += 1
                log.warning("citations from %s: %s", source.label, exc)
                save_failure(store, anchor, source.name, down, now=now)
                results.append(_unchanged(anchor, source.name, state, down=down))
                continue
            made += fetched.requests
            edges = save_fetched(store, fetched, now=now)
            kind = "unknown" if not fetched.known else "refreshed" if fetched.complete else "incomplete"
            results.append(AnchorCitations(anchor, source.name, kind, edges, now, fetched.problem))
        requests.append((source.name, made))
    fetched_papers, problem = (0, None) if lookup is None else _fetch_missing(store, ids, lookup, now=now)
    return CitationRefresh(tuple(results), tuple(requests), fetched_papers, problem)


def _screen(source: SemanticScholarSource, due: Sequence[str]) -> tuple[dict[str, Fetched], int]:
    """One `/paper/batch` request for every due anchor instead of one `/citations` request each where
    the batch already settles it: an anchor Semantic Scholar does not know (a `null` slot: unknown,
    never "no citations", so its stored edges are kept) or one it counts no citations for. The rest
    are paged as usual. Returns the settled anchors and the requests made."""
    found, requests = source.papers(due, fields="externalIds,citationCount")
    settled: dict[str, Fetched] = {}
    for anchor, paper in found.items():
        if paper is None:
            settled[anchor] = Fetched(
                anchor,
                source.name,
                (),
                complete=False,  # keeps what was stored: unknown today is not "cited by nobody"
                known=False,
                problem="not known to Semantic Scholar (a null slot in its batch answer)",
            )
        elif paper.citation_count == 0:
            settled[anchor] = Fetched(anchor, source.name, (), complete=True)
    return settled, requests


def _unchanged(anchor: str, source: str, state: FetchState | None, *, down: str | None) -> AnchorCitations:
    if down is None and state is not None and state.fetched_at is not None:
        return AnchorCitations(anchor, source, "fresh", 0, state.fetched_at, None)
    problem = down or (state.problem if state else None) or "not yet asked"
    if state is None or state.fetched_at is None:
        return AnchorCitations(anchor, source, "missing", 0, None, problem)
    return AnchorCitations(anchor, source, "stale", 0, state.fetched_at, problem)


def _fetch_missing(
    store: Store, anchors: Sequence[str], lookup: AnchorLookup, *, now: dt.datetime
) -> tuple[int, str | None]:
    """The citing papers the store lacks, from arXiv in batches (at most MAX_MISSING_PAPERS a run)."""
    if not anchors:
        return 0, None
    cited = citing_ids(store, anchors)
    have = store.get_papers(cited)
    missing = [c for c in cited if c not in have][:MAX_MISSING_PAPERS]
    if not missing:
        return 0, None
    try:
        found = lookup.lookup([parse_arxiv_id(c) for c in missing])
    except (SourceUnavailable, WireFormatError) as exc:
        return 0, str(exc)
    if found:
        store.upsert_papers(found.values(), source="api", now=now)
    return len(found), None


def sources_from_settings(
    settings: Settings,
    citations: CitationSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> list[CitationSource]:
    """The services the claims file asks for, each on its own polite session: its own pacing (a lock
    file beside the store, shared by every freshness process), budget, User-Agent and timeouts."""
    out: list[CitationSource] = []
    for name in citations.services:
        session = session_for(settings, name, sleep=sleep)
        if name == "semantic_scholar":
            out.append(
                SemanticScholarSource(
                    session, settings.s2_url, api_key=settings.s2_api_key, max_pages=citations.max_pages
                )
            )
        elif name == "openalex":
            out.append(
                OpenAlexSource(
                    session, settings.openalex_url, mailto=settings.mailto, max_pages=citations.max_pages
                )
            )
    return out


def session_for(
    settings: Settings, name: str, *, sleep: Callable[[float], None] = time.sleep
) -> PoliteSession:
    """One citation service's polite session (see sources_from_settings)."""
    limiter = RateLimiter(
        settings.citation_delay,
        settings.db_path.parent / f"{settings.db_path.name}.{name}-lock",
        sleep=sleep,
    )
    return PoliteSession(
        user_agent=settings.user_agent,
        limiter=limiter,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_retries=3,
        backoff=5.0,
        max_backoff=120.0,
        max_total=settings.max_citation_seconds,
    )
