"""The command line: a thin adapter. Each command parses flags, calls one core function, renders the
result and picks the exit code. Only this module prints errors and exits.

Exit codes: 0 success; 1 something needs attention (a broken anchor, a claim newly superseded);
2 could not do the job (bad input, arXiv unreachable, store locked).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import click

from freshness.config import Settings, load_settings
from freshness.errors import ClaimsError, FreshnessError

EXIT_OK = 0
EXIT_ATTENTION = 1
EXIT_FAILED = 2

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Context:
    settings: Settings
    now: dt.datetime  # the one `now` every command passes down


def fail(message: str, *, tip: str | None = None, code: int = EXIT_FAILED) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    if tip:
        click.echo(f"Tip: {tip}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn the core's named errors into a message, a Tip and exit code 2; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ClaimsError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            fail(str(exc), tip=exc.tip)
        except FreshnessError as exc:
            fail(str(exc), tip=exc.tip)
        except KeyboardInterrupt:
            fail("interrupted; everything committed before now is kept")
        except Exception as exc:
            if os.environ.get("FRESHNESS_DEBUG"):
                raise
            fail(
                f"internal error: {exc.__class__.__name__}: {exc}",
                tip=("a bug in freshness: rerun with FRESHNESS_DEBUG=1 for the traceback, and report it."),
            )

    return wrapper  # type: ignore[return-value]


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--claims",
    "claims",
    metavar="FILE",
    help="The claims file. [env FRESHNESS_CLAIMS; default ./claims.yaml]",
)
@click.option(
    "--db",
    "db",
    metavar="FILE",
    help="The SQLite store. [env FRESHNESS_DB; default .freshness/store.sqlite beside the claims file]",
)
@click.version_option(package_name="freshness")
@click.pass_context
def cli(ctx: click.Context, claims: str | None, db: str | None) -> None:
    """Keep a file of dated research claims honest against newer arXiv papers.

    Exit codes: 0 ok, 1 something needs attention, 2 could not do the job.
    """
    try:
        settings = load_settings(claims=claims, db=db)
    except FreshnessError as exc:
        fail(str(exc), tip=exc.tip)
    ctx.obj = Context(settings=settings, now=dt.datetime.now(dt.UTC))


def main() -> None:
    cli(prog_name="freshness")


# Commands are registered below, one section each. Keep each body short: flags -> one core call ->
# render -> exit code.


# -- poll -----------------------------------------------------------------------------------------


@cli.command("poll")
@click.option(
    "--source",
    type=click.Choice(["auto", "rss", "oai", "api"]),
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
@handle_errors
@pass_ctx
def poll_command(ctx: Context, source: str, since: dt.datetime | None, dry_run: bool) -> None:
    """Bring arXiv's new papers for the claims' categories into the store.

    Exit codes: 0 got papers, or arXiv had nothing new (weekend, holiday); 2 could not poll (arXiv
    unreachable or answering wrongly: what was stored is kept, the watermark is not advanced).
    """
    import contextlib

    from freshness.claims import load_claims
    from freshness.locking import writer_lock
    from freshness.output import strip_control
    from freshness.poll import PollOutcome, describe, open_poll_store, poll_once

    claims = load_claims(ctx.settings.claims_path, today=ctx.now.date())
    day = since.date() if since else None
    with contextlib.ExitStack() as stack:
        if not dry_run:
            stack.enter_context(writer_lock(ctx.settings.db_path, command="poll", now=ctx.now))
        store = stack.enter_context(open_poll_store(ctx.settings, dry_run=dry_run))
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


# -- validate -------------------------------------------------------------------------------------


@cli.command("validate")
@handle_errors
@pass_ctx
def validate_command(ctx: Context) -> None:
    """Check the claims file; print every problem as FILE:LINE:COL: message.

    Exit codes: 0 the file is valid; 2 it has problems (all of them are listed, on stderr).
    """
    from freshness.claims import read_claims

    path = ctx.settings.claims_path
    result = read_claims(path, today=ctx.now.date())
    if result.problems:
        raise ClaimsError(list(result.problems))
    claims, anchors = len(result.claims), result.anchor_count
    click.echo(f"{path}: {claims} claim{'s' * (claims != 1)}, {anchors} anchor{'s' * (anchors != 1)}, OK")


# -- import ---------------------------------------------------------------------------------------


@cli.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...", type=click.Path())
@handle_errors
@pass_ctx
def import_command(ctx: Context, files: tuple[str, ...]) -> None:
    """Load arXiv metadata FILEs into the store.

    Formats, plain or gzipped, detected from the content: arXiv's bulk snapshot (JSON lines), arXiv
    API Atom responses, OAI-PMH ListRecords (arXiv or arXivRaw) and rss.arxiv.org RSS/Atom feeds.
    Re-importing changes nothing; a newer version replaces an older one, never the reverse. The
    claims file is not needed.

    Exit codes: 0 every file was read (even with rejected records); 2 a file is missing, unreadable
    or corrupt (what was read before the fault stays stored).
    """
    from pathlib import Path

    from freshness.locking import writer_lock
    from freshness.output import make_console, strip_control
    from freshness.sources.files import describe_import, import_files
    from freshness.store import Store

    with (
        writer_lock(ctx.settings.db_path, command="import", now=ctx.now),
        Store.open(ctx.settings.db_path) as store,
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

        from freshness.output import safe

        self.safe = safe
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[records]:,} records"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.bar.start()
        return self.update

    def update(self, event: Any) -> None:  # event: freshness.sources.files.ImportProgress
        task = self.tasks.get(event.path)
        if task is None:
            name = self.safe(event.path.name)
            task = self.tasks[event.path] = self.bar.add_task(name, total=event.total_bytes, records=0)
        self.bar.update(task, completed=event.done_bytes, records=event.records)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


# -- eval -----------------------------------------------------------------------------------------


@cli.command("eval")
@click.argument("labels", metavar="LABELS.yaml", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "json"]),
    default="terminal",
    show_default=True,
    help="terminal: a table per claim; json: the stable shape documented in docs/matching.md.",
)
@click.option(
    "--k",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Recall counts a labeled paper found when it is in the claim's top k matches.",
)
@handle_errors
@pass_ctx
def eval_command(ctx: Context, labels: str, fmt: str, k: int) -> None:
    """Measure the matcher on labeled claims (LABELS.yaml; the format is in docs/matching.md).

    Prints recall@k by label, supersession recall, negatives in any top k and superseding flags per
    claim, for the papers in the store (--db). Does not read the claims file.

    Exit codes: 0 measured; 2 the labels file is invalid or the store is missing or empty.
    """
    import json
    from pathlib import Path

    from freshness.evaluation import evaluate_file, render_terminal
    from freshness.output import make_console

    result = evaluate_file(Path(labels), ctx.settings.db_path, k=k)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        render_terminal(result, make_console())
