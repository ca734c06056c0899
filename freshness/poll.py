"""poll_once: bring arXiv's new papers for the watched categories into the store; cron, `freshness
poll`, `freshness run` and the scheduler all call it.

`auto` picks the fewest requests that leave no gap:
- a normal night is ONE rss.arxiv.org request for the union of the claims' categories;
- when an announcement day was missed (or on the first poll), OAI-PMH first harvests the days since
  the last covered day (one request per archive and per 2,500 records), then RSS takes today;
- anchors the store does not know yet are looked up by id through the API (100 ids per request).
None of these grow with the number of claims. Every response's papers are stored together with the
watermark they justify, in one transaction, so a poll killed at any point resumes without gaps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlencode

from freshness.config import ARXIV_MIN_DELAY, Settings
from freshness.coverage import claim_gaps, uncovered_note
from freshness.errors import ConfigError, SourceUnavailable, WireFormatError
from freshness.http import PoliteSession, polite_session
from freshness.models import AnchorStatus, Claim, SourceState
from freshness.sources.base import Batch, PaperSource, PlannedRequest, SourceKind, later_day
from freshness.sources.oai_pmh import OaiPmhSource, sets_for
from freshness.sources.rss import RssSource
from freshness.sources.wire import ARXIV_TZ
from freshness.store import Store, StoredAnchorCheck, UpsertCounts

# OAI-PMH `from` filters on a record's last metadata change, which can precede its announcement by a
# weekend (a Friday submission is announced on Monday evening's mailing): a catch-up window starts
# this many days before the last covered day. Re-fetched papers are stored as "unchanged".
OVERLAP_DAYS = 4
# A first poll backfills at most this far back; older papers come from `freshness import` (the bulk
# snapshot) or an explicit `--since`.
BACKFILL_MAX_DAYS = 90
# arXiv announces at 20:00 US Eastern; the feed published then is dated the next day.
ANNOUNCE_HOUR = 20
# An anchor arXiv recently said does not exist (checked by `check-anchors` or by a poll) is not asked
# about again by the nightly poll until this much time has passed.
ANCHOR_RECHECK = dt.timedelta(days=7)
SOURCES = ("auto", "rss", "oai", "api")

log = logging.getLogger(__name__)


class PollOutcome(StrEnum):
    GOT_PAPERS = "got_papers"
    NOTHING_NEW = "nothing_new"  # arXiv answered, correctly, that it has nothing new
    FAILED = "failed"  # arXiv could not be reached or answered wrongly: exit 2
    PLANNED = "planned"  # --dry-run: nothing was requested or changed


@dataclass(frozen=True)
class SourceReport:
    """What one source did in one poll."""

    source: str  # the source_state key, e.g. rss:cs.AI+cs.CL
    kind: SourceKind
    outcome: PollOutcome
    papers: int = 0  # papers handed to the store
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # records the parser refused
    skipped: int = 0  # records outside the watched categories, or deleted
    requests: int = 0  # HTTP requests made, retries included
    watermark_before: dt.date | None = None
    watermark_after: dt.date | None = None
    resume_token: str | None = None  # an unfinished OAI harvest continues here next time
    detail: str = ""
    error: str | None = None
    tip: str | None = None


@dataclass(frozen=True)
class PollResult:
    outcome: PollOutcome
    sources: tuple[SourceReport, ...] = ()
    planned: tuple[PlannedRequest, ...] = ()
    not_attempted: tuple[str, ...] = ()  # sources left out because an earlier one failed
    reason: str = ""  # why these sources
    notes: tuple[str, ...] = ()
    requests: int = 0
    estimated_seconds: float = 0.0  # --dry-run: the planned requests at >= 3 s each
    seconds_per_request: float = ARXIV_MIN_DELAY
    dry_run: bool = False
    # Which claims the store's coverage leaves a gap in after this poll, and the command that fills it
    # (coverage.uncovered_note); None when every claim's period is covered. Said on every poll.
    uncovered: str | None = None

    @property
    def papers(self) -> int:
        return sum(s.papers for s in self.sources)

    @property
    def added(self) -> int:
        return sum(s.added for s in self.sources)

    @property
    def updated(self) -> int:
        return sum(s.updated for s in self.sources)

    @property
    def unchanged(self) -> int:
        return sum(s.unchanged for s in self.sources)

    @property
    def failure(self) -> SourceReport | None:
        return next((s for s in self.sources if s.outcome is PollOutcome.FAILED), None)


@dataclass(frozen=True)
class PollPlan:
    sources: tuple[PaperSource, ...]
    reason: str
    notes: tuple[str, ...] = field(default=())


# -- planning -------------------------------------------------------------------------------------


def watched_categories(claims: Sequence[Claim]) -> tuple[str, ...]:
    """The union of the claims' categories, sorted: what RSS and OAI-PMH fetch."""
    return tuple(sorted({c for claim in claims for c in claim.categories}))


def announcement_day(now: dt.datetime) -> dt.date:
    """The day of the newest announcement arXiv may have published by `now` (its feed's date)."""
    local = now.astimezone(ARXIV_TZ)
    return local.date() + dt.timedelta(days=1 if local.hour >= ANNOUNCE_HOUR else 0)


def last_complete_day(now: dt.datetime) -> dt.date:
    """The last US Eastern day that is over: the `until` of an OAI-PMH window (datestamps are days)."""
    return now.astimezone(ARXIV_TZ).date() - dt.timedelta(days=1)


def latest_plausible_day(now: dt.datetime) -> dt.date:
    """No watermark may pass this day: today at arXiv (US Eastern) plus a day of slack (the evening
    feed is dated tomorrow). A response dated later is wrong, whatever it holds."""
    return now.astimezone(ARXIV_TZ).date() + dt.timedelta(days=1)


def trusted_state(state: SourceState, now: dt.datetime) -> SourceState:
    """`state` without a watermark past `latest_plausible_day` (one stored by a wrongly dated
    response, or before the clock was set back): an untrustworthy watermark counts as none, so the
    days it claims are fetched again instead of being skipped for good."""
    if state.watermark is None or state.watermark <= latest_plausible_day(now):
        return state
    log.warning(
        "%s: the stored watermark %s is after today at arXiv; ignoring it (the days since the last "
        "trustworthy coverage will be fetched again)",
        state.source,
        state.watermark,
    )
    return dataclasses.replace(state, watermark=None)


def missed_days(covered: dt.date, now: dt.datetime) -> list[dt.date]:
    """Weekdays after `covered` and before today's announcement: announcements RSS can no longer give.
    Weekends have none; a holiday looks missed and costs one small OAI-PMH catch-up."""
    day, last = covered + dt.timedelta(days=1), announcement_day(now)
    out = []
    while day < last:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def plan_poll(
    store: Store,
    claims: Sequence[Claim],
    settings: Settings,
    *,
    now: dt.datetime,
    source: str = "auto",
    since: dt.date | None = None,
    session: PoliteSession,
) -> PollPlan:
    """Choose the sources (and their windows) for one poll from the stored watermarks."""
    if source not in SOURCES:
        raise ConfigError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    until = last_complete_day(now)
    if since is not None:
        if source in ("rss", "api"):
            raise ConfigError(
                f"--since does not apply to --source {source}",
                tip="RSS holds only the latest announcement day; backfill with --source oai (or auto).",
            )
        if since > until:
            raise ConfigError(f"--since {since} is after {until}, the last complete day at arXiv")
    if source == "api":
        anchors = _anchor_source(store, claims, settings, session, only_missing=False, now=now)
        if anchors is None:
            return PollPlan((), "no anchors in the claims file")
        return PollPlan((anchors,), "look up every anchor through the arXiv API")

    categories = watched_categories(claims)
    if not categories:
        raise ConfigError(
            "the claims file names no arXiv categories, so there is nothing to poll",
            tip="Add `categories: [cs.CL, ...]` under `defaults:` (or to each claim) in the claims file.",
        )
    rss = RssSource(session, settings.rss_url, categories)
    sets = sets_for(categories)
    rss_mark = trusted_state(store.get_source_state(rss.key), now).watermark
    set_states = {
        spec: trusted_state(store.get_source_state(_oai_key(spec, cats)), now) for spec, cats in sets.items()
    }
    set_marks = {spec: state.watermark for spec, state in set_states.items()}
    unfinished = [spec for spec, state in set_states.items() if state.resume_token]
    oai_marks = list(set_marks.values())
    oai_covered = None if any(m is None for m in oai_marks) else min(m for m in oai_marks if m)
    covered = later_day(rss_mark, oai_covered)
    notes: list[str] = []

    if source == "rss":
        return PollPlan((rss,), f"RSS: the latest announcement for {len(categories)} categories")

    catch_up = source == "oai" or since is not None or covered is None
    reason = ""
    if source == "auto":
        if since is not None:
            reason = f"backfill with OAI-PMH from {since} (--since), then today's RSS"
        elif covered is None:
            reason = "first poll: backfill with OAI-PMH, then today's RSS"
        else:
            missed = missed_days(covered, now)
            if unfinished:
                # A harvest killed or failed mid-way: finish it first, from its stored token.
                catch_up = True
                reason = f"resume the unfinished OAI-PMH harvest of {', '.join(unfinished)}, then today's RSS"
            elif missed:
                catch_up = True
                shown = ", ".join(d.isoformat() for d in missed[:5]) + (" ..." if len(missed) > 5 else "")
                reason = (
                    f"catch-up: the last covered announcement day is {covered} and RSS no longer has "
                    f"{shown}; OAI-PMH first, then today's RSS"
                )
            else:
                reason = f"a normal night: RSS only (last covered announcement day {covered})"
    else:
        reason = "OAI-PMH harvest" + (f" from {since}" if since else "")

    chosen: list[PaperSource] = []
    if catch_up:
        for spec, cats in sets.items():
            start = _window_start(
                since=since,
                covered=later_day(rss_mark, set_marks[spec]),
                own=set_marks[spec],
                until=until,
                claims=claims,
                notes=notes,
            )
            chosen.append(OaiPmhSource(session, settings.oai_url, spec, cats, start=start, until=until))
    if source == "auto":
        chosen.append(rss)
        anchors = _anchor_source(store, claims, settings, session, only_missing=True, now=now)
        if anchors is not None:
            chosen.append(anchors)
    return PollPlan(tuple(chosen), reason, tuple(dict.fromkeys(notes)))


def _oai_key(spec: str, categories: Sequence[str]) -> str:
    return f"oai:{spec}:{'+'.join(categories)}"


def _window_start(
    *,
    since: dt.date | None,
    covered: dt.date | None,
    own: dt.date | None,
    until: dt.date,
    claims: Sequence[Claim],
    notes: list[str],
) -> dt.date:
    if since is not None:
        return since
    if own is not None and own >= until:
        return until + dt.timedelta(days=1)  # this set is harvested through `until` already
    if covered is not None:
        return covered - dt.timedelta(days=OVERLAP_DAYS)
    oldest = min((c.date for c in claims), default=until)
    floor = until - dt.timedelta(days=BACKFILL_MAX_DAYS)
    if oldest < floor:
        notes.append(
            f"first backfill limited to the last {BACKFILL_MAX_DAYS} days (from {floor}; the oldest "
            f"claim is from {oldest}): import the bulk snapshot with `freshness import`, or run "
            f"`freshness poll --source oai --since {oldest}` for the rest"
        )
        return floor
    return min(oldest, until)


# -- the API source for anchors -------------------------------------------------------------------


class AnchorLookupSource:
    """The claims' anchor ids, looked up by id through the arXiv API (batched, canary-checked)."""

    def __init__(self, session: PoliteSession, settings: Settings, ids: Sequence[str]) -> None:
        from freshness.sources.arxiv_api import ArxivApiSource

        self.api = ArxivApiSource(session, settings.api_url, oai_url=settings.oai_url)
        self.api_url = settings.api_url
        self.ids = tuple(ids)

    @property
    def kind(self) -> SourceKind:
        return SourceKind.API

    @property
    def key(self) -> str:
        return "api:anchors"

    def plan(self, state: SourceState) -> tuple[PlannedRequest, ...]:
        from freshness.sources.arxiv_api import CANARY_ID

        size = self.api.ids_per_batch
        planned = []
        for start in range(0, len(self.ids), size):
            batch = [*self.ids[start : start + size], CANARY_ID]
            # The URL the `arxiv` package builds for this batch (arxiv.Client._format_url).
            query = urlencode(
                {
                    "search_query": "",
                    "id_list": ",".join(batch),
                    "sortBy": "relevance",
                    "sortOrder": "descending",
                    "start": "0",
                    "max_results": str(len(batch)),
                }
            )
            note = f"{len(batch) - 1} anchor id(s) plus the canary {CANARY_ID}"
            planned.append(PlannedRequest(self.key, f"{self.api_url}?{query}", note))
        return tuple(planned)

    def fetch(self, state: SourceState, *, now: dt.datetime) -> Iterator[Batch]:
        from freshness.arxiv_ids import parse_arxiv_id

        found = self.api.lookup([parse_arxiv_id(i) for i in self.ids])
        missing = [i for i in self.ids if i not in found]
        note = f"{len(found)} of {len(self.ids)} anchor(s) found"
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            note += f"; arXiv has no paper {shown} (see `freshness check-anchors`)"
        state = SourceState(self.key, last_success=now)
        yield Batch(
            tuple(found.values()),
            state,
            received=len(found),
            nothing_new=None if found else note,
            note=note if found else None,
            not_found=tuple(missing),
        )


def _anchor_source(
    store: Store,
    claims: Sequence[Claim],
    settings: Settings,
    session: PoliteSession,
    *,
    only_missing: bool,
    now: dt.datetime,
) -> AnchorLookupSource | None:
    ids = list(dict.fromkeys(a.arxiv_id.base for c in claims for a in c.anchors if a.arxiv_id is not None))
    if only_missing:
        known = store.get_papers(ids)
        checks = store.get_anchor_checks(ids)

        def asked_lately(i: str) -> bool:
            check = checks.get(i)
            return (
                check is not None
                and check.status is AnchorStatus.NOT_FOUND
                and now - check.checked_at < ANCHOR_RECHECK
            )

        ids = [i for i in ids if i not in known and not asked_lately(i)]
    return AnchorLookupSource(session, settings, ids) if ids else None


# -- running --------------------------------------------------------------------------------------


def poll_once(
    store: Store,
    claims: Sequence[Claim],
    settings: Settings,
    *,
    now: dt.datetime,
    source: str = "auto",
    since: dt.date | None = None,
    dry_run: bool = False,
    session: PoliteSession | None = None,
) -> PollResult:
    """Poll arXiv once. Never raises for network trouble: a source that could not poll is reported
    as FAILED (its part of the store unchanged, its watermark not advanced) and the sources after it
    are not attempted, so a later watermark cannot hide a gap. Raises ConfigError for bad arguments."""
    session = session or polite_session(settings)  # making one sends nothing
    plan = plan_poll(store, claims, settings, now=now, source=source, since=since, session=session)
    if dry_run:
        planned = tuple(req for src in plan.sources for req in src.plan(store.get_source_state(src.key)))
        # The configured delay: config.py allows less than arXiv's 3 s only for loopback endpoints.
        per_request = settings.request_delay
        return PollResult(
            PollOutcome.PLANNED,
            planned=planned,
            reason=plan.reason,
            notes=plan.notes,
            estimated_seconds=len(planned) * per_request,
            seconds_per_request=per_request,
            dry_run=True,
            uncovered=uncovered_claims(store, claims, now=now),
        )
    reports: list[SourceReport] = []
    start_requests = len(session.limiter.request_times)
    for index, src in enumerate(plan.sources):
        report = _run_source(store, src, now=now, session=session)
        reports.append(report)
        if report.outcome is PollOutcome.FAILED:
            rest = tuple(s.key for s in plan.sources[index + 1 :])
            return PollResult(
                PollOutcome.FAILED,
                sources=tuple(reports),
                not_attempted=rest,
                reason=plan.reason,
                notes=plan.notes,
                requests=len(session.limiter.request_times) - start_requests,
                uncovered=uncovered_claims(store, claims, now=now),
            )
    got = any(r.outcome is PollOutcome.GOT_PAPERS for r in reports)
    return PollResult(
        PollOutcome.GOT_PAPERS if got else PollOutcome.NOTHING_NEW,
        sources=tuple(reports),
        reason=plan.reason,
        notes=plan.notes,
        requests=len(session.limiter.request_times) - start_requests,
        uncovered=uncovered_claims(store, claims, now=now),
    )


def uncovered_claims(store: Store, claims: Sequence[Claim], *, now: dt.datetime) -> str | None:
    """The claims whose period since their date the store has not covered for their categories, and
    the one command that fills the gap (None: all covered). Today is the local date, as the CLI's."""
    today = now.astimezone().date()
    covered = store.coverage()
    gaps = {c.id: claim_gaps(covered, c.categories, c.date, today) for c in claims}
    return uncovered_note(gaps)


_NOT_FOUND = "arXiv has no paper with this id"
_DEFAULT_TIP = "arXiv may be down or rate-limiting; try again later (what was stored is kept)."
_WIRE_TIP = (
    "arXiv answered with something that is not its feed format (a maintenance page, a cut-off "
    "response); try again later."
)


def _run_source(store: Store, src: PaperSource, *, now: dt.datetime, session: PoliteSession) -> SourceReport:
    stored = store.get_source_state(src.key)
    before = stored.watermark
    state = trusted_state(stored, now)
    first_request = len(session.limiter.request_times)
    counts = UpsertCounts()
    papers = rejected = skipped = 0
    nothing_new: list[str] = []
    notes: list[str] = []
    error: str | None = None
    tip: str | None = None
    try:
        for batch in src.fetch(state, now=now):
            _check_watermark(src.key, state, batch.state, now)
            # The papers and the watermark/resumption point they justify: all of it, or none of it.
            counts += store.store_batch(
                batch.papers,
                batch.state,
                now=now,
                source=src.kind.value,
                covers=batch.covers,
                covered_categories=batch.covered_categories,
            )
            state = batch.state
            if batch.not_found:  # a cache of what arXiv said, shared with check-anchors
                store.save_anchor_checks(
                    StoredAnchorCheck(i, AnchorStatus.NOT_FOUND, None, None, _NOT_FOUND, now)
                    for i in batch.not_found
                )
            papers += len(batch.papers)
            rejected += batch.rejected
            skipped += batch.skipped
            if batch.nothing_new:
                nothing_new.append(batch.nothing_new)
            if batch.note:
                notes.append(batch.note)
    except SourceUnavailable as exc:
        error, tip = str(exc), exc.tip or _DEFAULT_TIP
    except WireFormatError as exc:
        error, tip = f"arXiv answered wrongly: {exc}", exc.tip or _WIRE_TIP
    if error is not None:
        outcome = PollOutcome.FAILED
    elif papers:
        outcome = PollOutcome.GOT_PAPERS
    else:
        outcome = PollOutcome.NOTHING_NEW
    detail = "; ".join(dict.fromkeys([*notes, *([] if papers else nothing_new)]))
    return SourceReport(
        source=src.key,
        kind=src.kind,
        outcome=outcome,
        papers=papers,
        added=counts.added,
        updated=counts.updated,
        unchanged=counts.unchanged,
        rejected=rejected,
        skipped=skipped,
        requests=len(session.limiter.request_times) - first_request,
        watermark_before=before,
        watermark_after=state.watermark,
        resume_token=state.resume_token,
        detail=detail,
        error=error,
        tip=tip,
    )


def _check_watermark(key: str, before: SourceState, after: SourceState, now: dt.datetime) -> None:
    """A batch may not move a watermark past `latest_plausible_day`: such a response is refused
    whole (nothing of it stored), so a later night still fetches the days it claimed to cover."""
    mark = after.watermark
    if mark is None or mark == before.watermark:
        return
    limit = latest_plausible_day(now)
    if mark > limit:
        raise WireFormatError(
            f"{key}: the response is dated {mark}, after today at arXiv ({limit - dt.timedelta(days=1)}); "
            "nothing of it was stored and the watermark did not move"
        )


def open_poll_store(settings: Settings, *, dry_run: bool) -> Store:
    """The store to poll into. A dry run on a store that does not exist yet plans against an empty
    in-memory one, so it creates nothing."""
    if dry_run and not settings.db_path.exists():
        return Store.open(Path(":memory:"))
    return Store.open(settings.db_path, check=not dry_run)
