"""Judge every claim against the store: anchors, matches, velocity and triage decisions -> a Report.

The one function `freshness report`, `freshness run` and the benchmarks call; it reads the store and
never touches the network (anchor statuses come from the cache `check-anchors` fills, or are given).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from freshness import matching
from freshness.anchors import anchor_results_from_store
from freshness.coverage import Span, claim_gaps, covered_for, uncovered_note
from freshness.decisions import (
    ClaimDecisions,
    Decisions,
    apply_decisions,
    effective_claim,
    load_decisions,
    shape_matches,
)
from freshness.learning import Lesson, learn
from freshness.matching import DEFAULT_SETTINGS, MatchSettings, match_claim, topic_velocity
from freshness.models import AnchorResult, CitationIndex, Claim, Match, Report, Velocity, Verdict
from freshness.store import Store
from freshness.store.stored_json import match_from_json, match_to_json
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
        assess_claim(
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
    all_notes = list(notes)
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
    return Report(generated_at=now, store=summary, verdicts=verdicts, stale=stale, notes=tuple(all_notes))


def assess_claim(
    store: Store,
    claim: Claim,
    *,
    today: dt.date,
    newest_paper: dt.date | None,
    anchors: Sequence[AnchorResult],
    decisions: Decisions,
    cache: MatchCache | None = None,
    settings: MatchSettings = DEFAULT_SETTINGS,
    citations: CitationIndex | None = None,
    covered: Mapping[str, Sequence[Span]] | None = None,
) -> Verdict:
    """One claim's verdict: triage decisions applied (a review moves its clock; the claim learns from
    its paper decisions; dismissed and off-topic papers are gone; confirmed ones lead and count as
    superseding). `covered`: the store's coverage
    (`Store.coverage`), read from the store when not given."""
    mine = decisions.for_claim(claim.id)
    judged, limit, window_end = _match_inputs(claim, decisions, today=today, newest_paper=newest_paper)
    cached = cache.get(judged, limit, window_end) if cache is not None else None
    if cached is None:
        matches = match_claim(store, judged, limit=limit, settings=settings, citations=citations)
        velocity = topic_velocity(
            store, judged, today=window_end, settings=settings, citations=citations, matches=matches
        )
        if cache is not None:
            cache.put(judged, limit, window_end, matches, velocity)
    else:
        matches, velocity = cached
    lesson = _learn(store, judged, matches, mine, settings)
    confirmed = store.get_papers(list(mine.confirmed)) if mine.confirmed else {}
    every = shape_matches(lesson.matches, mine, confirmed)
    # The matcher counted the claim's flagged matches in the window before decisions applied: a
    # dismissed paper must not "challenge it", a confirmed one does.
    velocity = dataclasses.replace(
        velocity,
        challenging=sum(m.superseding and velocity.since < m.published <= velocity.until for m in every),
    )
    shaped = every[: max(MATCH_LIMIT, len(mine.confirmed))]
    if covered is None:
        covered = store.coverage()
    gaps = claim_gaps(covered, judged.categories, judged.date, today)
    verdict = judge(
        judged,
        shaped,
        anchors,
        today=today,
        newest_paper=newest_paper,
        velocity=velocity,
        gaps=gaps,
        covers_nothing=not covered,
    )
    return apply_decisions(verdict, claim, mine, today, learned=lesson.notes)


def _learn(
    store: Store, claim: Claim, matches: Sequence[Match], mine: ClaimDecisions, settings: MatchSettings
) -> Lesson:
    """The claim's matches re-ranked and re-flagged by its own paper decisions (none: unchanged)."""
    if not mine.examples:
        return learn(claim, matches, {}, (), rule=settings.flag_rule)
    ids = sorted({m.arxiv_id for m in matches} | {e.arxiv_id for e in mine.examples})
    texts = {pid: f"{p.title}\n{p.abstract}" for pid, p in store.get_papers(ids).items()}
    return learn(claim, matches, texts, mine.examples, rule=settings.flag_rule)


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
        return  # assess_claim matches them one by one: starting workers would cost more
    done = matching.match_with_velocity(store, jobs, settings=settings, citations=citations)
    for judged, limit, window_end in jobs:
        matches, velocity = done[judged.id]
        cache.put(judged, limit, window_end, matches, velocity)


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
            return [match_from_json(m) for m in json.loads(row[1])], _velocity_from(json.loads(row[2]))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # a damaged row is a miss: the claim is matched again and the row replaced

    def put(
        self, claim: Claim, limit: int, window_end: dt.date, matches: Sequence[Match], velocity: Velocity
    ) -> None:
        key = self.key(claim, limit, window_end)
        self.fresh[claim.id] = (key, list(matches), velocity)
        self.new.append(
            (
                claim.id,
                key,
                json.dumps([match_to_json(m) for m in matches]),
                json.dumps(_velocity_to(velocity)),
            )
        )

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


def _velocity_to(v: Velocity) -> dict[str, object]:
    return {
        "since": v.since.isoformat(),
        "until": v.until.isoformat(),
        "related": v.related,
        "challenging": v.challenging,
        "by_month": [list(pair) for pair in v.by_month],
    }


def _velocity_from(d: dict[str, object]) -> Velocity:
    months = d["by_month"] if isinstance(d["by_month"], list) else []
    return Velocity(
        since=dt.date.fromisoformat(str(d["since"])),
        until=dt.date.fromisoformat(str(d["until"])),
        related=int(str(d["related"])),
        challenging=int(str(d["challenging"])),
        by_month=tuple((str(k), int(n)) for k, n in months),
    )
