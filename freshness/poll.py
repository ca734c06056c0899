"""poll_once: bring arXiv's new papers for the watched categories into the store; cron, `freshness
poll`, `freshness run` and the scheduler all call it.

poll_plan.py chooses the sources (RSS on a normal night, an OAI-PMH catch-up first when days were
missed, the API for unknown anchors); this module runs them in order and says what each did. Every
response's papers are stored together with the watermark they justify, in one transaction, so a poll
killed at any point resumes without gaps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from freshness.config import ARXIV_MIN_DELAY, Settings
from freshness.coverage import claim_gaps, uncovered_note
from freshness.errors import SourceUnavailable, WireFormatError
from freshness.http import PoliteSession, polite_session
from freshness.models import AnchorStatus, Claim, SourceState, local_day
from freshness.poll_plan import latest_plausible_day, plan_poll
from freshness.sources.base import Batch, PaperSource, PlannedRequest, SourceKind
from freshness.store import Store, StoredAnchorCheck, UpsertCounts
from freshness.totals import Total


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

    # Over the sources:
    papers = Total("sources")
    added = Total("sources")
    updated = Total("sources")
    unchanged = Total("sources")

    @property
    def failure(self) -> SourceReport | None:
        return next((s for s in self.sources if s.outcome is PollOutcome.FAILED), None)


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
        planned = tuple(req for src in plan.sources for req in src.plan(plan.states[src.key]))
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
        report = _run_source(store, src, plan.states[src.key], now=now, session=session)
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
    today = local_day(now)
    covered = store.coverage()
    gaps = {c.id: claim_gaps(covered, c.categories, c.date, today) for c in claims}
    return uncovered_note(gaps)


_NOT_FOUND = "arXiv has no paper with this id"
_DEFAULT_TIP = "arXiv may be down or rate-limiting; try again later (what was stored is kept)."
_WIRE_TIP = (
    "arXiv answered with something that is not its feed format (a maintenance page, a cut-off "
    "response); try again later."
)


def _run_source(
    store: Store, src: PaperSource, start: SourceState, *, now: dt.datetime, session: PoliteSession
) -> SourceReport:
    """Run one source from `start` (its trusted stored state), storing each batch as it comes."""
    stored = store.get_source_state(src.key)  # the watermark as stored, for the report's "before"
    progress = _Progress(start)
    first_request = len(session.limiter.request_times)
    error: str | None = None
    tip: str | None = None
    try:
        for batch in src.fetch(progress.state, now=now):
            _store_batch(store, src, batch, progress, now=now)
    except SourceUnavailable as exc:
        error, tip = str(exc), exc.tip or _DEFAULT_TIP
    except WireFormatError as exc:
        error, tip = f"arXiv answered wrongly: {exc}", exc.tip or _WIRE_TIP
    requests = len(session.limiter.request_times) - first_request
    return _source_report(src, progress, before=stored.watermark, requests=requests, error=error, tip=tip)


@dataclass
class _Progress:
    """What one source has stored so far in this poll."""

    state: SourceState  # the state last stored (before the first batch: the trusted stored one)
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    papers: int = 0
    rejected: int = 0
    skipped: int = 0
    nothing_new: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, batch: Batch, counts: UpsertCounts) -> None:
        self.state = batch.state
        self.counts += counts
        self.papers += len(batch.papers)
        self.rejected += batch.rejected
        self.skipped += batch.skipped
        if batch.nothing_new:
            self.nothing_new.append(batch.nothing_new)
        if batch.note:
            self.notes.append(batch.note)


def _store_batch(
    store: Store, src: PaperSource, batch: Batch, progress: _Progress, *, now: dt.datetime
) -> None:
    _check_watermark(src.key, progress.state, batch.state, now)
    # The papers and the watermark/resumption point they justify: all of it, or none of it.
    counts = store.store_batch(
        batch.papers,
        batch.state,
        now=now,
        source=src.kind.value,
        covers=batch.covers,
        covered_categories=batch.covered_categories,
    )
    if batch.not_found:  # a cache of what arXiv said, shared with check-anchors
        store.save_anchor_checks(
            StoredAnchorCheck(i, AnchorStatus.NOT_FOUND, None, None, _NOT_FOUND, now) for i in batch.not_found
        )
    progress.add(batch, counts)


def _source_report(
    src: PaperSource,
    progress: _Progress,
    *,
    before: dt.date | None,
    requests: int,
    error: str | None,
    tip: str | None,
) -> SourceReport:
    if error is not None:
        outcome = PollOutcome.FAILED
    elif progress.papers:
        outcome = PollOutcome.GOT_PAPERS
    else:
        outcome = PollOutcome.NOTHING_NEW
    nothing_new = [] if progress.papers else progress.nothing_new
    return SourceReport(
        source=src.key,
        kind=src.kind,
        outcome=outcome,
        papers=progress.papers,
        added=progress.counts.added,
        updated=progress.counts.updated,
        unchanged=progress.counts.unchanged,
        rejected=progress.rejected,
        skipped=progress.skipped,
        requests=requests,
        watermark_before=before,
        watermark_after=progress.state.watermark,
        resume_token=progress.state.resume_token,
        detail="; ".join(dict.fromkeys([*progress.notes, *nothing_new])),
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
