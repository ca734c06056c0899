"""The nightly cycle's commands: `run` (one cycle) and `schedule` (cycles on a schedule)."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from freshness.cli.app import Context, cli, handle_errors, lock_wait_option, pass_ctx

if TYPE_CHECKING:  # start-up (`freshness --help`) pays only for what it runs
    from apscheduler.triggers.cron import CronTrigger

    from freshness.nightly import CycleOptions


def _cycle_options(command: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--reports-dir, --html, --citations and --lock-wait, handed to the command as one CycleOptions
    (`options`) that names `command` in the writer lock."""

    def add(body: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(body)
        def with_options(
            *args: Any,
            reports_dir: str | None,
            html: bool,
            citations: bool | None,
            lock_wait: float,
            **kw: Any,
        ) -> Any:
            from pathlib import Path

            from freshness.nightly import CycleOptions

            directory = Path(reports_dir) if reports_dir else None
            options = CycleOptions(directory, html, lock_wait, command, citations)
            return body(*args, options=options, **kw)

        return _cycle_flags(with_options)

    return add


def _cycle_flags(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--html", is_flag=True, help="Also write reports/DAY.html.")(func)
    func = click.option(
        "--citations/--no-citations",
        default=None,
        help="Ask Semantic Scholar and OpenAlex who cites the anchors (default: as the claims file's "
        "`citations:` says; see docs/polling.md).",
    )(func)
    func = click.option(
        "--reports-dir",
        type=click.Path(file_okay=False),
        metavar="DIR",
        help="Where the dated reports go. [default: reports/ beside the claims file]",
    )(func)
    return lock_wait_option(func)


@cli.command("run")
@_cycle_options("run")
@handle_errors
@pass_ctx
def run_command(ctx: Context, options: CycleOptions) -> None:
    """One nightly cycle: poll arXiv, check anchors, judge every claim, write reports/DAY.json and
    reports/DAY.md, record the run, and print what changed since the last run.

    Running it twice on one day replaces that day's run and files.

    Exit codes: 0 nothing needs attention; 1 a claim is newly possibly superseded or anchor-broken
    (and not snoozed); 2 could not run: arXiv unreachable (the report is still written from the
    store, marked stale), another writer holds the store, or the claims file is invalid.
    """
    from freshness.nightly import RunOutcome, run_cycle
    from freshness.views.run import summary_lines

    result = run_cycle(ctx.settings, now=ctx.now, today=ctx.today, options=options)
    for line in summary_lines(result):
        click.echo(line)
    if result.outcome is RunOutcome.FAILED:
        click.echo(
            "error: could not poll arXiv; the report was written from the store, marked stale", err=True
        )
        click.echo(f"Tip: {result.tip or 'try again later'}", err=True)
    sys.exit(result.exit_code)


@cli.command("schedule")
@click.option(
    "--cron",
    metavar="EXPR",
    help='When to run, as a crontab line (0 or 7 = Sunday). [default: "30 1 * * 1-5": 01:30 Monday '
    "to Friday, after arXiv's 20:00 Eastern announcements (Sunday-Thursday) and clear of DST changes]",
)
@click.option(
    "--timezone",
    metavar="ZONE",
    help="The time zone of --cron (IANA name). [default: America/New_York, arXiv's]",
)
@click.option(
    "--misfire-grace",
    type=click.IntRange(min=1),
    metavar="SECONDS",
    help="A run missed (machine asleep) by up to this long still runs, once. [default: 43200, 12 h]",
)
@click.option(
    "--next",
    "show_next",
    type=click.IntRange(1, 100),
    metavar="N",
    help="Print the next N run times and exit.",
)
@_cycle_options("schedule")
@handle_errors
@pass_ctx
def schedule_command(
    ctx: Context,
    cron: str | None,
    timezone: str | None,
    misfire_grace: int | None,
    show_next: int | None,
    options: CycleOptions,
) -> None:
    """Run the nightly cycle on a schedule, in the foreground, until SIGTERM or Ctrl-C.

    Runs at once when a scheduled run was missed while it was not running (or there was none yet).
    A signal lets a running cycle finish before exiting; a second one interrupts it before its next
    arXiv request (what it stored is kept). Logs go to stderr with timestamps.

    Exit codes: 0 stopped by a signal; 2 could not start (bad --cron/--timezone, bad claims file).
    """
    from freshness.claims import load_claims
    from freshness.scheduler import DEFAULT_CRON, DEFAULT_TIMEZONE, make_trigger, next_fire_times

    trigger = make_trigger(cron or DEFAULT_CRON, timezone or DEFAULT_TIMEZONE)
    if show_next:
        for at in next_fire_times(trigger, ctx.now, show_next):
            click.echo(f"{at.isoformat()}  ({at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC, {at:%a})")
        return
    load_claims(ctx.settings.claims_path, today=ctx.today)  # fail now, not at 01:30
    _serve(ctx, trigger, options, misfire_grace)


def _serve(ctx: Context, trigger: CronTrigger, options: CycleOptions, misfire_grace: int | None) -> None:
    """Log with timestamps, run at once when a scheduled run was missed, then run at the trigger's
    times until a signal."""
    import threading

    from freshness.nightly import last_success, scheduled_cycle
    from freshness.output import setup_logging
    from freshness.scheduler import DEFAULT_MISFIRE_GRACE, build_scheduler, is_overdue, serve
    from freshness.views.run import summary_lines

    setup_logging(service=True)
    run_now = ctx.now if is_overdue(trigger, last_success(ctx.settings), ctx.now) else None
    stop = threading.Event()  # set by a second signal: the running cycle stops between requests
    job = scheduled_cycle(ctx.settings, options, summarise=summary_lines, stop=stop)
    grace = misfire_grace or DEFAULT_MISFIRE_GRACE
    serve(build_scheduler(job, trigger=trigger, run_now=run_now, misfire_grace_time=grace), stop)
