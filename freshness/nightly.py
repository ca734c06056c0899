"""The nightly cycle behind `freshness run` and `freshness schedule`: one writer at a time, poll, check
anchors (cached), ask who cites them (when citations are on), judge every claim, write the dated
reports, record the run, write the dashboard, say what changed.

A night where arXiv cannot be reached still judges the claims on what the store has, writes the
reports marked stale and records the run, then ends "could not run" (exit 2): cron and CI branch on
it. Running twice on one day replaces that day's run and files, and reports the same changes: both
runs compare against the last run of an earlier day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from freshness.citations.base import CitationSource
from freshness.claims import load_claims_file
from freshness.config import Settings
from freshness.decisions import load_decisions, triage
from freshness.errors import FreshnessError, SourceUnavailable, StoreError, WireFormatError
from freshness.history import (
    ClaimChange,
    change_text,
    compare,
    previous_run,
    record_run,
    run_claims,
    shown_changes,
)
from freshness.http import PoliteSession, polite_session
from freshness.locking import DEFAULT_LOCK_WAIT, writer_lock
from freshness.models import (
    AnchorResult,
    CitationIndex,
    CitationSettings,
    Claim,
    Dashboard,
    Report,
    local_day,
)
from freshness.store import Store
from freshness.untrusted import strip_control

log = logging.getLogger(__name__)


class RunOutcome(StrEnum):
    """What a run means for the curator, and its exit code."""

    OK = "ok"  # nothing needs attention: exit 0
    ATTENTION = "attention"  # a claim newly possibly superseded or anchor-broken: exit 1
    FAILED = "failed"  # could not poll: the report is stale: exit 2

    @property
    def exit_code(self) -> int:
        return {RunOutcome.OK: 0, RunOutcome.ATTENTION: 1, RunOutcome.FAILED: 2}[self]


@dataclass(frozen=True)
class CycleOptions:
    reports_dir: Path | None = None  # default: reports/ beside the claims file
    html: bool = False
    lock_wait: float = DEFAULT_LOCK_WAIT
    command: str = "run"  # named in the writer lock, so a waiting process can say who holds it
    citations: bool | None = None  # who cites the anchors: None as the claims file says, else on/off


@dataclass(frozen=True)
class CycleResult:
    day: dt.date
    outcome: RunOutcome
    report: Report
    poll: str  # one line: what the poll brought, or why it failed
    poll_lines: tuple[str, ...]  # per source
    tip: str | None  # what to do when the poll failed
    baseline: dt.date | None  # the earlier run the changes are against (None: the first run)
    changes: tuple[ClaimChange, ...]
    attention: tuple[str, ...]  # claim ids that need a person now
    snoozed: tuple[str, ...]  # claim ids that would need attention but are snoozed
    files: tuple[Path, ...]
    anchor_problems: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code


def reports_dir_for(settings: Settings, options: CycleOptions) -> Path:
    return options.reports_dir or settings.claims_path.resolve().parent / "reports"


def run_cycle(
    settings: Settings,
    *,
    now: dt.datetime,
    today: dt.date | None = None,
    options: CycleOptions = CycleOptions(),  # frozen: a shared default is safe
    session: PoliteSession | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    lock_clock: Callable[[], float] = time.monotonic,
    lock_sleep: Callable[[float], None] = time.sleep,
    citation_sources: Sequence[CitationSource] | None = None,
    stop: threading.Event | None = None,
) -> CycleResult:
    """One nightly cycle. `today` (default: `now`'s local date) names the run and its report files;
    `clock` gives the finish time (default: the system clock); `citation_sources` replaces the
    citation services the settings name (tests). `stop`: once set, the cycle ends with Interrupted
    before its next arXiv request (what was stored stays stored).

    Raises ClaimsError (bad claims file), StoreBusyError (another writer kept the store past
    `options.lock_wait` seconds) and StoreError; a failed poll is a FAILED result, not an error.
    """
    today = today or local_day(now)
    clock = clock or (lambda: dt.datetime.now(dt.UTC))
    claims, citing = _claims_to_judge(settings, today, options)  # fail before taking any lock
    with (
        writer_lock(
            settings.db_path,
            command=options.command,
            now=now,
            wait=options.lock_wait,
            clock=lock_clock,
            sleep=lock_sleep,
        ),
        Store.open(settings.db_path, check=True) as store,
    ):
        session = session or polite_session(settings, stop=stop)
        asked = _ask(store, claims, settings, citing, now=now, session=session, sources=citation_sources)
        result = _judge(store, claims, asked, now=now, today=today)
        directory = reports_dir_for(settings, options)
        files = _write_and_record(store, result, directory, html=options.html, now=now, clock=clock)
    return dataclasses.replace(result, files=files)


def _claims_to_judge(
    settings: Settings, today: dt.date, options: CycleOptions
) -> tuple[list[Claim], CitationSettings | None]:
    """The claims file's claims, and how to ask who cites their anchors (None: not at all, as the
    claims file or `options.citations` says). Raises ClaimsError for a file with hard problems."""
    claims_file = load_claims_file(settings.claims_path, today=today)
    citing = claims_file.citations
    if options.citations is not None:
        citing = (citing or CitationSettings()) if options.citations else None
    return list(claims_file.claims), citing


@dataclass(frozen=True)
class _Asked:
    """What tonight's sources said: the poll, the anchors' statuses, who cites the anchors."""

    polled: bool
    poll: str  # one line: what the poll brought, or why it failed
    poll_lines: tuple[str, ...]  # per source
    tip: str | None  # what to do when the poll failed
    anchors: dict[str, tuple[AnchorResult, ...]]
    anchor_problems: tuple[str, ...]
    citations: CitationIndex | None  # None: citations are off
    citation_notes: tuple[str, ...]


def _ask(
    store: Store,
    claims: Sequence[Claim],
    settings: Settings,
    citing: CitationSettings | None,
    *,
    now: dt.datetime,
    session: PoliteSession,
    sources: Sequence[CitationSource] | None,
) -> _Asked:
    """Poll arXiv, then check the anchors and refresh who cites them; when the poll failed, arXiv is
    not asked again (anchors and citing papers come from the store)."""
    polled, poll_line, poll_lines, tip = _poll(store, claims, settings, now=now, session=session)
    arxiv = session if polled else None
    anchors, anchor_problems = _anchors(store, claims, settings, now=now, session=arxiv)
    index, citation_notes = (
        _citations(store, claims, settings, citing, now=now, session=arxiv, sources=sources)
        if citing is not None
        else (None, [])
    )
    return _Asked(polled, poll_line, poll_lines, tip, anchors, anchor_problems, index, tuple(citation_notes))


def _judge(
    store: Store, claims: Sequence[Claim], asked: _Asked, *, now: dt.datetime, today: dt.date
) -> CycleResult:
    """Judge every claim on what the store has now (stale when the poll failed), compare with the last
    run of an earlier day, and say who needs attention; the result, with no files yet."""
    from freshness.assess import build_report

    decisions = load_decisions(store)
    report = build_report(
        store,
        claims,
        now=now,
        today=today,
        anchors=asked.anchors,
        decisions=decisions,
        stale=not asked.polled,
        citations=asked.citations,
    )
    before = previous_run(store, today)
    changes = compare(before[1] if before else {}, {c.claim_id: c for c in run_claims(report)})
    attention, snoozed = triage(changes, report.verdicts, decisions, today)
    outcome = RunOutcome.FAILED if not asked.polled else RunOutcome.ATTENTION if attention else RunOutcome.OK
    baseline = before[0].day if before else None
    notes = _notes(asked.poll, asked.polled, asked.anchor_problems, baseline, changes)
    return CycleResult(
        day=today,
        outcome=outcome,
        report=dataclasses.replace(report, notes=(*report.notes, *notes, *asked.citation_notes)),
        poll=asked.poll,
        poll_lines=asked.poll_lines,
        tip=asked.tip,
        baseline=baseline,
        changes=changes,
        attention=attention,
        snoozed=snoozed,
        files=(),
        anchor_problems=asked.anchor_problems,
    )


def _write_and_record(
    store: Store,
    result: CycleResult,
    directory: Path,
    *,
    html: bool,
    now: dt.datetime,
    clock: Callable[[], dt.datetime],
) -> tuple[Path, ...]:
    """Write the day's reports, record the run (finished at `clock()`), then write the dashboard that
    shows it; the files written."""
    report, day = result.report, result.day
    files = write_reports(report, directory, day, html=html)
    record_run(
        store,
        report,
        day=day,
        started_at=now,
        finished_at=clock(),
        outcome=result.outcome.value,
        poll=result.poll,
    )
    return (*files, write_dashboard(store, directory, now=now))


def _poll(
    store: Store, claims: Sequence[Claim], settings: Settings, *, now: dt.datetime, session: PoliteSession
) -> tuple[bool, str, tuple[str, ...], str | None]:
    """(polled, headline, per-source lines, tip). arXiv trouble is a failed poll, never an error."""
    from freshness.poll import PollOutcome, poll_once
    from freshness.poll_account import describe

    try:
        result = poll_once(store, claims, settings, now=now, session=session)
    except (SourceUnavailable, WireFormatError) as exc:  # poll_once reports these; belt and braces
        return False, f"could not poll: {exc}", (), exc.tip
    summary = describe(result)
    lines = tuple(strip_control(line) for line in summary.lines)
    return result.outcome is not PollOutcome.FAILED, strip_control(summary.headline), lines, summary.tip


def _anchors(
    store: Store,
    claims: Sequence[Claim],
    settings: Settings,
    *,
    now: dt.datetime,
    session: PoliteSession | None,
) -> tuple[dict[str, tuple[AnchorResult, ...]], tuple[str, ...]]:
    """Each claim's anchor results: asked of arXiv where the cache is older than a day, or from the
    store alone when the poll failed (arXiv is not asked again) or arXiv could not answer (the last
    known statuses beat "unchecked")."""
    from freshness.anchors import anchor_results_from_store, check_anchors
    from freshness.sources.arxiv_api import ArxivApiSource

    if session is None:
        return anchor_results_from_store(claims, store, now), ()
    lookup = ArxivApiSource(session, settings.api_url, oai_url=settings.oai_url)
    check = check_anchors(claims, store=store, now=now, lookup=lookup)
    if check.problems:
        return anchor_results_from_store(claims, store, now), tuple(strip_control(p) for p in check.problems)
    out: dict[str, list[AnchorResult]] = {c.id: [] for c in claims}
    for checked in check.anchors:
        out[checked.claim_id].append(checked.result)
    return {k: tuple(v) for k, v in out.items()}, ()


def _citations(
    store: Store,
    claims: Sequence[Claim],
    settings: Settings,
    citing: CitationSettings,
    *,
    now: dt.datetime,
    session: PoliteSession | None,
    sources: Sequence[CitationSource] | None = None,
) -> tuple[CitationIndex, list[str]]:
    """Refresh who cites the anchors (each service on its own polite session; the citing papers the
    store lacks from arXiv when it answered tonight), then read the edges back for the matcher. A
    service's trouble is a note ("citations stale/missing/incomplete"), never an error."""
    from freshness.citations.refresh import anchor_ids, refresh_citations, sources_from_settings
    from freshness.citations.storage import citation_index
    from freshness.sources.arxiv_api import ArxivApiSource

    lookup = None if session is None else ArxivApiSource(session, settings.api_url, oai_url=settings.oai_url)
    refreshed = refresh_citations(
        store,
        claims,
        sources if sources is not None else sources_from_settings(settings, citing),
        now=now,
        settings=citing,
        lookup=lookup,
    )
    notes = [strip_control(n) for n in refreshed.notes()]
    return citation_index(store, anchor_ids(claims)), notes


def _notes(
    poll_line: str,
    polled: bool,
    anchor_problems: Sequence[str],
    baseline: dt.date | None,
    changes: Sequence[ClaimChange],
) -> list[str]:
    """What the run adds to the report's notes: the poll, anchor trouble, and what changed."""
    notes = [f"poll: {poll_line}" if polled else f"{poll_line}; judged on the papers already stored"]
    notes += [f"anchors: could not ask arXiv ({p}); last known statuses shown" for p in anchor_problems]
    if baseline is None:
        notes.append("first run: no earlier run to compare with")
    elif not changes:
        notes.append(f"no changes since the run of {baseline}")
    for change in shown_changes(changes, baseline):
        notes.append(
            f"{'since the run of ' + str(baseline) if baseline else 'first run'}: {change_text(change)}"
        )
    return notes


def write_reports(report: Report, directory: Path, day: dt.date, *, html: bool = False) -> tuple[Path, ...]:
    """`DAY.json` and `DAY.md` (and `DAY.html`) in `directory`, each replaced whole (never half-written)."""
    from freshness.report import render

    formats = [("json", "json"), ("md", "markdown")] + ([("html", "html")] if html else [])
    try:
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for suffix, fmt in formats:
            path = directory / f"{day.isoformat()}.{suffix}"
            _write_atomically(path, render(report, fmt, width=100))
            written.append(path)
    except OSError as exc:
        from freshness.faults import os_fault

        raise os_fault(exc, doing="write the reports to", path=directory) from exc
    return tuple(written)


def write_dashboard(store: Store, directory: Path, *, now: dt.datetime) -> Path:
    """`index.html` in `directory`: every recorded run's statuses and the dated reports there."""
    from freshness.history import run_statuses
    from freshness.report.dashboard import render_dashboard

    dashboard = Dashboard(now, run_statuses(store), dated_reports(directory))
    path = directory / "index.html"
    try:
        _write_atomically(path, render_dashboard(dashboard))
    except OSError as exc:
        raise StoreError(
            f"cannot write {path}: {exc}", tip="Check --reports-dir and its permissions."
        ) from exc
    return path


_ORDER = {"html": 0, "md": 1, "json": 2}


def dated_reports(directory: Path) -> tuple[tuple[dt.date, tuple[str, ...]], ...]:
    """The `YYYY-MM-DD.{html,md,json}` files in `directory` by day, newest first."""
    by_day: dict[dt.date, list[str]] = {}
    for path in directory.glob("*-*-*.*"):
        stem, _, ext = path.name.partition(".")
        if ext not in _ORDER:
            continue
        try:
            day = dt.date.fromisoformat(stem)
        except ValueError:
            continue
        by_day.setdefault(day, []).append(path.name)
    return tuple(
        (day, tuple(sorted(names, key=lambda n: _ORDER[n.partition(".")[2]])))
        for day, names in sorted(by_day.items(), reverse=True)
    )


def _write_atomically(path: Path, text: str) -> None:
    from freshness.outfile import write_replacing

    write_replacing(path, text, follow_symlinks=True)


# -- the scheduled job -------------------------------------------------------------------------------


def last_success(settings: Settings) -> dt.datetime | None:
    """When the last run whose poll worked finished (None: never), for the scheduler's catch-up."""
    if not settings.db_path.exists():
        return None
    with Store.open(settings.db_path) as store:
        runs = store.get_runs(succeeded=True)
    return runs[-1].finished_at if runs else None


def scheduled_cycle(
    settings: Settings,
    options: CycleOptions,
    *,
    summarise: Callable[[CycleResult], Sequence[str]],
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    stop: threading.Event | None = None,
) -> Callable[[], CycleResult | None]:
    """The job `freshness schedule` runs: a cycle at the time it fires, its summary (`summarise`, the
    caller's view of a result) logged; errors are logged (with their tip), never raised into the
    scheduler, which keeps running."""

    def job() -> CycleResult | None:
        try:
            result = run_cycle(settings, now=clock(), options=options, clock=clock, stop=stop)
        except FreshnessError as exc:
            log.error("could not run the cycle: %s%s", exc, f" (Tip: {exc.tip})" if exc.tip else "")
            return None

        level = logging.WARNING if result.outcome is RunOutcome.FAILED else logging.INFO
        for line in summarise(result):
            log.log(level, "%s", line)
        if result.tip and result.outcome is RunOutcome.FAILED:
            log.warning("Tip: %s", strip_control(result.tip))
        return result

    return job
