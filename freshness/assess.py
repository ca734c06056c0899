"""Judge every claim against the store: anchors, matches, velocity and triage decisions -> a Report.

The one function `freshness report`, `freshness run` and the benchmarks call; it reads the store and
never touches the network (anchor statuses come from the cache `check-anchors` fills, or are given).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from freshness import matching
from freshness.anchors import anchor_results_from_store
from freshness.coverage import Span, claim_gaps, covered_for, uncovered_note
from freshness.decisions import Decisions, effective_claim, load_decisions, settle
from freshness.match_cache import MatchCache
from freshness.matching import DEFAULT_SETTINGS, MatchSettings, match_claim, topic_velocity
from freshness.models import (
    AnchorResult,
    CitationIndex,
    Claim,
    Report,
    StoreSummary,
    Verdict,
)
from freshness.store import Store
from freshness.verdicts import judge

# The report lists at least the top 20 related papers of each claim; a few more survive dismissals.
MATCH_LIMIT = 30
# arXiv announces every weekday: a newest paper older than this means the store is not being polled.
STALE_STORE_DAYS = 7


def build_report(
    store: Store,
    claims: Sequence[Claim],
    *,
    now: dt.datetime,
    today: dt.date | None = None,
    anchors: Mapping[str, tuple[AnchorResult, ...]] | None = None,
    decisions: Decisions | None = None,
    stale: bool = False,
    notes: Sequence[str] = (),
    settings: MatchSettings = DEFAULT_SETTINGS,
    citations: CitationIndex | None = None,
) -> Report:
    """A verdict for each claim, in the order given. `anchors` defaults to what the store knows.
    `today` (default: `now`'s date) is the day claims are aged at: a nightly run passes the day it
    names its files by, so the run's log, its report files and the ages in them agree. `settings`:
    the matcher's. `citations`: who cites the anchors, from the store (None: not used)."""
    today = today or now.date()
    summary = store.summary()
    covered = store.coverage()
    watched = tuple(sorted({c for claim in claims for c in claim.categories}))
    summary = dataclasses.replace(
        summary, covered=tuple(covered_for(covered, watched)), covered_categories=watched
    )
    if anchors is None:
        anchors = anchor_results_from_store(claims, store, now)
    if decisions is None:
        decisions = load_decisions(store)
    cache = MatchCache(store, [c.id for c in claims], settings, citations)
    _match_misses(
        store,
        claims,
        decisions,
        cache,
        today=today,
        newest_paper=summary.newest_paper,
        settings=settings,
        citations=citations,
    )
    verdicts = tuple(
        _assess_claim(
            store,
            claim,
            today=today,
            newest_paper=summary.newest_paper,
            anchors=anchors.get(claim.id, ()),
            decisions=decisions,
            cache=cache,
            settings=settings,
            citations=citations,
            covered=covered,
        )
        for claim in claims
    )
    cache.save(now=now)
    all_notes = (*notes, *_store_notes(summary, covered, claims, verdicts, today))
    return Report(generated_at=now, store=summary, verdicts=verdicts, stale=stale, notes=all_notes)


def _store_notes(
    summary: StoreSummary,
    covered: Mapping[str, Sequence[Span]],
    claims: Sequence[Claim],
    verdicts: Sequence[Verdict],
    today: dt.date,
) -> list[str]:
    """What the report says about the store itself: coverage never recorded, days no listing covered,
    coverage that ended too long ago."""
    all_notes: list[str] = []
    if summary.papers and not covered:
        all_notes.append(
            f"the store holds {summary.papers:,} papers but no record of which days they cover (stored "
            "before coverage was kept, or looked up by id): import the metadata snapshot again or run "
            f"`freshness poll --source oai --since {min(c.date for c in claims)}`"
            if claims
            else f"the store holds {summary.papers:,} papers but no record of which days they cover"
        )
    gaps = {v.claim.id: v.coverage_gaps for v in verdicts}
    if covered and (note := uncovered_note(gaps)) is not None:
        all_notes.append(note)
    last_covered = summary.covered[-1][1] if summary.covered else None
    if last_covered is not None and (today - last_covered).days > STALE_STORE_DAYS:
        all_notes.append(
            f"the store's coverage ends on {last_covered.isoformat()}, "
            f"{(today - last_covered).days} days ago: run `freshness poll` (or `freshness run`) "
            "to bring in what arXiv announced since"
        )
    return all_notes


def _assess_claim(
    store: Store,
    claim: Claim,
    *,
    today: dt.date,
    newest_paper: dt.date | None,
    anchors: Sequence[AnchorResult],
    decisions: Decisions,
    cache: MatchCache,
    settings: MatchSettings,
    citations: CitationIndex | None,
    covered: Mapping[str, Sequence[Span]],
) -> Verdict:
    """One claim's verdict: triage decisions applied (a review moves its clock; the claim learns from
    its paper decisions; dismissed and off-topic papers are gone; confirmed ones lead and count as
    superseding). `covered`: the store's coverage (`Store.coverage`)."""
    mine = decisions.for_claim(claim.id)
    judged, limit, window_end = _match_inputs(claim, decisions, today=today, newest_paper=newest_paper)
    cached = cache.get(judged, limit, window_end)
    if cached is None:
        matches = match_claim(store, judged, limit=limit, settings=settings, citations=citations)
        velocity = topic_velocity(
            store, judged, today=window_end, settings=settings, citations=citations, matches=matches
        )
        cache.put(judged, limit, window_end, matches, velocity)
    else:
        matches, velocity = cached
    decided = settle(
        store,
        claim,
        judged,
        matches,
        velocity,
        mine,
        today=today,
        rule=settings.flag_rule,
        keep=MATCH_LIMIT,
    )
    gaps = claim_gaps(covered, judged.categories, judged.date, today)
    verdict = judge(
        judged,
        decided.matches,
        anchors,
        today=today,
        newest_paper=newest_paper,
        velocity=decided.velocity,
        gaps=gaps,
        covers_nothing=not covered,
    )
    return decided.applied_to(verdict)


def _match_inputs(
    claim: Claim, decisions: Decisions, *, today: dt.date, newest_paper: dt.date | None
) -> tuple[Claim, int, dt.date]:
    """What a claim's matches and velocity are computed from: the claim as judged (a review moves its
    date), the match limit (a few more past dismissed and off-topic papers) and the velocity window's end."""
    mine = decisions.for_claim(claim.id)
    # The window ends at the store's newest paper: a store last polled months ago must not read as
    # "no related papers lately".
    window_end = min(today, newest_paper) if newest_paper is not None else today
    return effective_claim(claim, mine), MATCH_LIMIT + len(mine.hidden), window_end


def _match_misses(
    store: Store,
    claims: Sequence[Claim],
    decisions: Decisions,
    cache: MatchCache,
    *,
    today: dt.date,
    newest_paper: dt.date | None,
    settings: MatchSettings,
    citations: CitationIndex | None = None,
) -> None:
    """Compute the matches and velocity of every claim the cache does not have, in worker processes
    when there are many (`matching.match_with_velocity`), and put them in the cache."""
    jobs = []
    for claim in claims:
        judged, limit, window_end = _match_inputs(claim, decisions, today=today, newest_paper=newest_paper)
        if not cache.has(judged, limit, window_end):
            jobs.append((judged, limit, window_end))
    if len(jobs) < settings.parallel_from:
        return  # _assess_claim matches them one by one: starting workers would cost more
    done = matching.match_with_velocity(store, jobs, settings=settings, citations=citations)
    for judged, limit, window_end in jobs:
        matches, velocity = done[judged.id]
        cache.put(judged, limit, window_end, matches, velocity)
