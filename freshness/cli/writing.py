"""The commands that write the store under its writer lock: `poll`, `import` and `check-anchors`
(online: it caches arXiv's answers; offline it only reads)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from freshness.cli.app import (
    EXIT_FAILED,
    Context,
    cli,
    handle_errors,
    live_lock_wait_option,
    lock_wait_option,
    online_lock_wait_option,
    open_store,
    pass_ctx,
)

if TYPE_CHECKING:  # start-up (`freshness --help`) pays only for what it runs
    from freshness.anchors import AnchorCheck


@cli.command("poll")
@click.option(
    "--source",
    type=click.Choice(["auto", "rss", "oai", "api"]),  # poll_plan.SOURCES (test_cli)
    default="auto",
    show_default=True,
    help="auto: RSS on a normal night, OAI-PMH to catch up missed days, the API for unknown anchors.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Backfill with OAI-PMH from this day (records changed since; auto and oai only).",
)
@click.option("--dry-run", is_flag=True, help="Print the planned requests and their time; change nothing.")
@live_lock_wait_option
@handle_errors
@pass_ctx
def poll_command(
    ctx: Context, source: str, since: dt.datetime | None, dry_run: bool, lock_wait: float
) -> None:
    """Bring arXiv's new papers for the claims' categories into the store.

    Exit codes: 0 got papers, or arXiv had nothing new (weekend, holiday); 2 could not poll (arXiv
    unreachable or answering wrongly: what was stored is kept, the watermark is not advanced), or
    another writer (run, schedule, import) held the store past --lock-wait.
    """
    from freshness.claims import load_claims
    from freshness.poll import PollOutcome, poll_once
    from freshness.poll_account import describe
    from freshness.untrusted import strip_control

    claims = load_claims(ctx.settings.claims_path, today=ctx.today)
    day = since.date() if since else None
    with open_store(
        ctx, writer=None if dry_run else "poll", lock_wait=lock_wait
    ) as store:  # a dry run only reads
        result = poll_once(
            store, claims, ctx.settings, now=ctx.now, source=source, since=day, dry_run=dry_run
        )
    summary = describe(result)  # arXiv's own words may be in it: control characters are stripped
    failed = result.outcome is PollOutcome.FAILED
    click.echo(strip_control(summary.headline), err=failed)
    for line in summary.lines:
        click.echo(strip_control(line))
    if failed:
        if summary.tip:
            click.echo(f"Tip: {strip_control(summary.tip)}", err=True)
        sys.exit(EXIT_FAILED)


@cli.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...", type=click.Path())
@lock_wait_option
@handle_errors
@pass_ctx
def import_command(ctx: Context, files: tuple[str, ...], lock_wait: float) -> None:
    """Load arXiv metadata FILEs into the store.

    Formats, plain or gzipped, detected from the content: arXiv's bulk snapshot (JSON lines), arXiv
    API Atom responses, OAI-PMH ListRecords (arXiv or arXivRaw) and rss.arxiv.org RSS/Atom feeds.
    Re-importing changes nothing; a newer version replaces an older one, never the reverse. The
    claims file is not needed.

    Exit codes: 0 every file was read (even with rejected records); 2 a file is missing, unreadable
    or corrupt (what was read before the fault stays stored), or another writer (run, schedule,
    poll) held the store past --lock-wait.
    """
    from pathlib import Path

    from freshness.output import make_console
    from freshness.sources.files import describe_import, import_files
    from freshness.untrusted import strip_control

    with (
        open_store(ctx, writer="import", lock_wait=lock_wait) as store,
        _ImportProgressBar(make_console(stderr=True)) as progress,
    ):
        result = import_files(store, [Path(f) for f in files], now=ctx.now, progress=progress)
    for line in describe_import(result):  # file names and rejection reasons come from the files
        click.echo(strip_control(line))
    for failed in result.failed:
        click.echo(f"error: {strip_control(failed.error or '')}", err=True)
    if result.failed and result.failed[-1].tip:
        click.echo(f"Tip: {result.failed[-1].tip}", err=True)
    if result.failed:
        sys.exit(EXIT_FAILED)


class _ImportProgressBar:
    """A rich progress bar per file on a TTY (stderr); no callback at all elsewhere (cron, pipes)."""

    def __init__(self, console: Any) -> None:
        self.console = console
        self.bar: Any = None
        self.tasks: dict[object, Any] = {}

    def __enter__(self) -> Callable[[Any], None] | None:
        if not self.console.is_terminal:
            return None
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
        from rich.table import Column

        from freshness.output import safe

        self.safe = safe
        # One line at 80 columns: a long file name is cut with an ellipsis (never wrapped) and the bar
        # takes what is left, down to a few cells.
        self.bar = Progress(
            TextColumn(
                "{task.description}",
                table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1, min_width=27),
            ),
            BarColumn(bar_width=None, table_column=Column(ratio=1, min_width=5)),
            DownloadColumn(table_column=Column(no_wrap=True)),
            TextColumn("{task.fields[records]:,} records", table_column=Column(no_wrap=True)),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
            expand=True,
        )
        self.bar.start()
        return self.update

    def update(self, event: Any) -> None:  # event: freshness.sources.files.ImportProgress
        if event.stage is not None:  # the files are read; a long step follows (the index merge)
            for task in self.tasks.values():
                self.bar.update(task, visible=False)
            self.bar.add_task(
                event.stage, total=None, records=sum(t.fields["records"] for t in self.bar.tasks)
            )
            return
        task = self.tasks.get(event.path)
        if task is None:
            name = self.safe(event.path.name)
            task = self.tasks[event.path] = self.bar.add_task(name, total=event.total_bytes, records=0)
        self.bar.update(task, completed=event.done_bytes, records=event.records)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _max_age_option(ctx: click.Context, param: click.Parameter, value: str) -> dt.timedelta:
    """--max-age: 0, 30min, 12h, 1d or 1w."""
    from freshness.anchors import parse_max_age

    try:
        return parse_max_age(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _anchors_as_text(ctx: Context, check: AnchorCheck) -> None:
    from freshness.output import make_console
    from freshness.views.anchors import render_text, summary_line

    console = make_console()
    console.print(render_text(check))
    console.print(summary_line(check), markup=False)


def _anchors_as_github(ctx: Context, check: AnchorCheck) -> None:
    from freshness.views.anchors import render_github

    click.echo(render_github(check, str(ctx.settings.claims_path)), nl=False)


def _anchors_as_json(ctx: Context, check: AnchorCheck) -> None:
    from freshness.views.anchors import render_json

    click.echo(render_json(check), nl=False)


# check-anchors --format: the views of freshness/views/anchors.py, by name.
ANCHOR_FORMATS: dict[str, Callable[[Context, AnchorCheck], None]] = {
    "text": _anchors_as_text,
    "github": _anchors_as_github,
    "json": _anchors_as_json,
}


@cli.command("check-anchors")
@click.option("--offline", is_flag=True, help="Use only the store (cached checks, imported papers).")
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 2) when not one anchor could be verified: a CI gate without its store checks nothing.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(ANCHOR_FORMATS)),
    default="text",
    show_default=True,
    help="text: a table; github: Actions annotations at each anchor's line; json: docs/ci.md.",
)
@click.option(
    "--max-age",
    default="1d",
    metavar="DURATION",
    callback=_max_age_option,
    show_default=True,
    envvar="FRESHNESS_ANCHOR_MAX_AGE",
    help="Ask arXiv again only about anchors checked longer ago than this (0: always). "
    "[env FRESHNESS_ANCHOR_MAX_AGE]",
)
@click.option(
    "--identity-via",
    type=click.Choice(["semantic-scholar", "none"]),
    default=None,
    help="Online, when arXiv's API is down or answers wrongly, confirm the unanswered anchors' identity "
    "(title, first authors, DOI) through Semantic Scholar's batch endpoint. Default: semantic-scholar "
    "when the claims file's `citations:` asks Semantic Scholar, else none. Such an anchor counts as "
    "verified, but arXiv's failure still exits 2 (see docs/ci.md).",
)
@online_lock_wait_option
@handle_errors
@pass_ctx
def check_anchors_command(
    ctx: Context,
    offline: bool,
    strict: bool,
    fmt: str,
    max_age: dt.timedelta,
    identity_via: str | None,
    lock_wait: float,
) -> None:
    """Check that every anchor id in the claims file resolves to the paper it claims.

    Exit codes: 0 every anchor resolves (revised, and unchecked with --offline, are warnings);
    1 at least one anchor is broken (malformed, not found, withdrawn, title mismatch);
    2 could not check (arXiv unreachable or answering wrongly, bad claims file, or online while another
    writer holds the store), or --strict and no anchor was verified. An anchor confirmed through
    Semantic Scholar (--identity-via) counts as verified; arXiv's failure still makes it 2.
    """
    from freshness.anchors import check_anchors, exit_code
    from freshness.citations.identity import identity_from_settings
    from freshness.claims import load_claims_file
    from freshness.sources.arxiv_api import ArxivApiSource

    claims_file = load_claims_file(ctx.settings.claims_path, today=ctx.today)
    claims = claims_file.claims
    source = None if offline else ArxivApiSource.from_settings(ctx.settings)
    identity = None if offline else identity_from_settings(ctx.settings, claims_file.citations, identity_via)
    # Online it saves arXiv's answers; offline it only reads (without a store: an empty one).
    with open_store(ctx, writer=None if offline else "check-anchors", lock_wait=lock_wait) as store:
        check = check_anchors(
            claims, store=store, now=ctx.now, lookup=source, max_age=max_age, identity=identity
        )
    ANCHOR_FORMATS[fmt](ctx, check)
    _say_what_went_wrong(check, strict=strict)
    sys.exit(exit_code(check, strict=strict))


def _say_what_went_wrong(check: AnchorCheck, *, strict: bool) -> None:
    """On stderr: what arXiv could not answer, and a check that verified nothing, each with its tip."""
    from freshness.untrusted import strip_control

    for problem in check.problems:
        click.echo(f"error: could not check: {strip_control(problem)}", err=True)
    if check.problems:
        click.echo(
            "Tip: arXiv may be down or rate-limiting; try again later (answers already received are "
            "cached, so the next run asks only about the rest). If it cannot be reached at all, check "
            "the network and FRESHNESS_ARXIV_API_URL (where anchors are looked up).",
            err=True,
        )
    if check.anchors and check.verified == 0:
        click.echo(
            f"{'error' if strict else 'warning'}: no anchor was verified: the store has no check or "
            "paper for any of them",
            err=True,
        )
        click.echo(
            "Tip: run `freshness check-anchors` online once (or restore the CI cache of the store); "
            "--strict makes this an error in CI.",
            err=True,
        )
