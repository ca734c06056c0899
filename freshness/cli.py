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
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from freshness.errors import ClaimsError, ConfigError, FreshnessError

if TYPE_CHECKING:  # start-up (`freshness --help`) pays only for what it runs; see docs/benchmarks.md
    from freshness.config import Settings
    from freshness.models import Claim

EXIT_OK = 0
# The claim statuses, for --status choices without importing the models at start-up.
_STATUSES = ("anchor_broken", "possibly_superseded", "perishable", "unchecked", "fresh")
EXIT_ATTENTION = 1
EXIT_FAILED = 2

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Context:
    settings: Settings
    now: dt.datetime  # the one `now` every command passes down

    @property
    def today(self) -> dt.date:
        """The one "today" for claim dates, in every command: the user's local date."""
        return self.now.astimezone().date()


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
            for problem in () if exc.file_level else exc.problems:  # else the message is the problem
                click.echo(str(problem), err=True)
            fail(str(exc), tip=exc.tip)
        except FreshnessError as exc:
            fail(str(exc), tip=exc.tip)
        except KeyboardInterrupt:
            fail("interrupted; everything committed before now is kept")
        except BrokenPipeError:
            _quiet_exit()
        except OSError as exc:  # what the machine refused, named (not a bug in freshness)
            from freshness.faults import os_fault

            err = os_fault(exc, doing="read or write")
            fail(str(err), tip=err.tip)
        except Exception as exc:
            import sqlite3

            if isinstance(exc, sqlite3.Error):
                from pathlib import Path

                from freshness.faults import store_fault

                obj = click.get_current_context(silent=True)
                db = getattr(getattr(obj, "obj", None), "settings", None)
                err = store_fault(exc, db.db_path if db is not None else Path("(the store)"), doing="use")
                fail(str(err), tip=err.tip)
            if os.environ.get("FRESHNESS_DEBUG"):
                raise
            fail(
                f"internal error: {exc.__class__.__name__}: {exc}",
                tip=("a bug in freshness: rerun with FRESHNESS_DEBUG=1 for the traceback, and report it."),
            )

    return wrapper  # type: ignore[return-value]


def _quiet_exit() -> NoReturn:
    """stdout was closed by its reader (`freshness report | head`): stop quietly, as `cat` does;
    stdout is pointed at /dev/null so the interpreter's last flush cannot complain either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (a test runner's buffer)
        pass
    sys.exit(EXIT_OK)


class FiniteSeconds(click.ParamType):  # type: ignore[type-arg]
    """A finite number of seconds in [0, high]: nan and inf are refused (nan compares false with
    every bound, so `--lock-wait nan` would wait forever)."""

    name = "seconds"

    def __init__(self, high: float = 86400.0) -> None:
        self.high = high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not (0 <= number <= self.high):  # also false for nan
            self.fail(f"{value!r} must be a finite number of seconds from 0 to {self.high:g}", param, ctx)
        return number


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
    from freshness.config import load_settings

    try:
        settings = load_settings(claims=claims, db=db)
    except FreshnessError as exc:
        fail(str(exc), tip=exc.tip)
    ctx.obj = Context(settings=settings, now=dt.datetime.now(dt.UTC))


def main() -> None:
    try:
        cli(prog_name="freshness")
    except BrokenPipeError:
        _quiet_exit()


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

    claims = load_claims(ctx.settings.claims_path, today=ctx.today)
    day = since.date() if since else None
    with contextlib.ExitStack() as stack:
        if not dry_run:
            stack.enter_context(writer_lock(ctx.settings.db_path, command="poll", now=ctx.now))
        store = stack.enter_context(open_poll_store(ctx.settings, dry_run=dry_run))  # checked if written
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
    result = read_claims(path, today=ctx.today)
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
        Store.open(ctx.settings.db_path, check=True) as store,
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


# -- eval -----------------------------------------------------------------------------------------


@cli.command("eval")
@click.argument("labels", metavar="LABELS.yaml...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "text", "json"]),
    default="terminal",
    show_default=True,
    help="terminal (or text): tables per claim, the headline per file, the goals; json: the stable shape "
    "documented in docs/eval.md.",
)
@click.option(
    "--k",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Recall counts a labeled paper found when it is in the claim's top k matches.",
)
@click.option(
    "--db", "db", metavar="FILE", help="The store to measure on (the same as freshness --db FILE eval)."
)
@click.option(
    "--citations",
    "citations_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="A recorded-citations file (YAML or JSON: anchor id -> citing arXiv ids, with optional citing "
    "sentences and intents; docs/eval.md) handed to the matcher as who cites the anchors.",
)
@handle_errors
@pass_ctx
def eval_command(
    ctx: Context, labels: tuple[str, ...], fmt: str, k: int, db: str | None, citations_file: str | None
) -> None:
    """Measure the matcher's judgement on labeled claims (LABELS.yaml, one or more files; the format is
    in docs/matching.md, the figures in docs/eval.md).

    Matches each claim once, then scores its superseding flags as shipped and with the flag rule fitted
    leave-one-claim-out on all the other claims: challengers flagged, flag precision, unknown and wrong
    flags, on-topic@10, false alarms, recall@k; per claim, per file and overall, against the goals.
    Does not read the claims file.

    Exit codes: 0 measured; 2 a labels file or the --citations file is invalid, two files share a claim
    key, or the store is missing or empty.
    """
    import json
    from pathlib import Path

    from freshness.evaluation import evaluate_files
    from freshness.output import make_console
    from freshness.views.evaluation import render_terminal

    db_path = Path(db) if db else ctx.settings.db_path
    citations_path = Path(citations_file) if citations_file else None
    result = evaluate_files([Path(p) for p in labels], db_path, k=k, citations_path=citations_path)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        render_terminal(result, make_console())


# -- report ---------------------------------------------------------------------------------------


@cli.command("report")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "json", "markdown", "html"]),
    default="terminal",
    show_default=True,
    help="terminal: for people; json: stable, documented in docs/report-json.md; markdown: paste into "
    "an issue; html: one self-contained file.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write to FILE instead of stdout: replaced whole (a temporary file beside it, renamed), never "
    "half-written.",
)
@click.option(
    "--follow-symlinks", is_flag=True, help="With --output: if FILE is a symlink, replace what it points to."
)
@click.option("--claim", "claim_ids", multiple=True, metavar="ID", help="Only this claim (repeatable).")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Only the claims whose status or evidence changed since the run of that day (freshness run).",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([s.replace("_", "-") for s in _STATUSES]),
    help="Only the claims with this status (repeatable).",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    metavar="N",
    help="Papers of each kind shown per claim. [default: terminal 3, markdown 5, html 3 then folded]",
)
@click.option(
    "--color",
    "color_choice",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in the terminal format; auto: on a terminal, NO_COLOR off, FORCE_COLOR on.",
)
@click.option(
    "--pager/--no-pager",
    default=None,
    help="Page long terminal output with $PAGER (less) [default: when taller than the terminal].",
)
@click.option(
    "--citations/--no-citations",
    default=None,
    help="Use the stored citation edges (who cites the anchors) as evidence [default: as the claims "
    "file's `citations:` says; see docs/polling.md]. Never asks a service.",
)
@handle_errors
@pass_ctx
def report_command(
    ctx: Context,
    fmt: str,
    output: str | None,
    follow_symlinks: bool,
    claim_ids: tuple[str, ...],
    since: dt.datetime | None,
    statuses: tuple[str, ...],
    top: int | None,
    color_choice: str,
    pager: bool | None,
    citations: bool | None,
) -> None:
    """Show each claim's status with its evidence: which newer papers, and why.

    Reads the store only (no network): run `freshness poll` or `freshness run` to bring in new papers
    and `freshness check-anchors` to refresh anchor statuses.

    Exit codes: 0 shown; 2 bad claims file, unknown --claim, or unreadable store.
    """
    import shutil
    from pathlib import Path

    from freshness.assess import build_report
    from freshness.citations.storage import stored_citations
    from freshness.claims import load_claims_file
    from freshness.output import make_console, should_page, stdout_is_terminal, want_color
    from freshness.report import only_statuses, render
    from freshness.store import Store

    claims_file = load_claims_file(ctx.settings.claims_path, today=ctx.today)
    claims = select_claims(list(claims_file.claims), claim_ids)
    use_citations = claims_file.citations is not None if citations is None else citations
    # A report reads: on a store that does not exist yet it reports an empty one and creates nothing.
    db = ctx.settings.db_path if ctx.settings.db_path.exists() else Path(":memory:")
    with Store.open(db) as store:
        index = stored_citations(store, claims) if use_citations else None
        report = build_report(store, claims, now=ctx.now, today=ctx.today, citations=index)
        if since is not None:
            from freshness.history import changes_since, report_since

            report = report_since(report, changes_since(store, since.date(), current=report), since.date())
    report = only_statuses(report, [s.replace("-", "_") for s in statuses])
    if output is not None:
        from freshness.outfile import write_replacing

        color = fmt == "terminal" and color_choice == "always"
        written = write_replacing(
            Path(output),
            render(report, fmt, width=100, color=color, top=top),
            follow_symlinks=follow_symlinks,
        )
        click.echo(f"wrote {written}", err=True)
        return
    tty = stdout_is_terminal()
    color = fmt == "terminal" and want_color(color_choice, is_terminal=tty)
    text = render(report, fmt, width=make_console().width, color=color, top=top)
    if should_page(text, is_terminal=tty, height=shutil.get_terminal_size().lines, choice=pager):
        click.echo_via_pager(text)  # less gets LESS=-R (colours) unless the user set LESS
    else:
        click.echo(text, nl=False, color=color)  # click would strip the colour asked for off a terminal


def select_claims(claims: list[Claim], wanted: tuple[str, ...]) -> list[Claim]:
    """The claims named by --claim (all when none), or an error naming the unknown ids."""
    if not wanted:
        return claims
    known = {c.id for c in claims}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ConfigError(
            f"no claim {', '.join(map(repr, unknown))} in the claims file",
            tip="Known claim ids: " + ", ".join(sorted(known)),
        )
    return [c for c in claims if c.id in wanted]


# -- check-anchors --------------------------------------------------------------------------------


def _lock_wait_option(func: F, *, lead: str = "How long") -> F:
    """--lock-wait / FRESHNESS_LOCK_WAIT, for every command that takes the store's writer lock."""
    return click.option(
        "--lock-wait",
        type=FiniteSeconds(),
        default=10.0,
        show_default=True,
        envvar="FRESHNESS_LOCK_WAIT",
        metavar="SECONDS",
        help=f"{lead} to wait for another writer (run, schedule, poll, import) to finish. "
        "[env FRESHNESS_LOCK_WAIT]",
    )(func)


def _online_lock_wait_option(func: F) -> F:
    return _lock_wait_option(func, lead="Online, how long")


def _max_age_option(ctx: click.Context, param: click.Parameter, value: str) -> dt.timedelta:
    """--max-age: 0, 30min, 12h, 1d or 1w."""
    from freshness.anchors import parse_max_age

    try:
        return parse_max_age(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


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
    type=click.Choice(["text", "github", "json"]),
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
@_online_lock_wait_option
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
    import contextlib
    from pathlib import Path

    from freshness.anchors import check_anchors, exit_code
    from freshness.citations.identity import identity_from_settings
    from freshness.claims import load_claims_file
    from freshness.locking import writer_lock
    from freshness.output import make_console, strip_control
    from freshness.sources.arxiv_api import ArxivApiSource
    from freshness.store import Store
    from freshness.views.anchors import render_github, render_json, render_text, summary_line

    claims_file = load_claims_file(ctx.settings.claims_path, today=ctx.today)
    claims = claims_file.claims
    source = None if offline else ArxivApiSource.from_settings(ctx.settings)
    identity = None if offline else identity_from_settings(ctx.settings, claims_file.citations, identity_via)
    # Offline without a store (a fresh clone, a pre-commit hook): read an empty one, create nothing.
    db = ctx.settings.db_path if source is not None or ctx.settings.db_path.exists() else Path(":memory:")
    with contextlib.ExitStack() as stack:
        if source is not None:  # online it saves arXiv's answers; offline it only reads
            stack.enter_context(writer_lock(db, command="check-anchors", now=ctx.now, wait=lock_wait))
        store = stack.enter_context(Store.open(db, check=source is not None))
        check = check_anchors(
            claims, store=store, now=ctx.now, lookup=source, max_age=max_age, identity=identity
        )
    if fmt == "json":
        click.echo(render_json(check), nl=False)
    elif fmt == "github":
        click.echo(render_github(check, str(ctx.settings.claims_path)), nl=False)
    else:
        console = make_console()
        console.print(render_text(check))
        console.print(summary_line(check), markup=False)
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
    sys.exit(exit_code(check, strict=strict))


# -- extract, prompt -------------------------------------------------------------------------------


@cli.command("extract")
@click.argument("note", metavar="NOTE", type=click.Path(dir_okay=False))
@click.option(
    "--output",
    "-o",
    default="claims.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write the draft (never over an existing file without --force).",
)
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@handle_errors
@pass_ctx
def extract_command(ctx: Context, note: str, output: str, force: bool) -> None:
    """Draft a claims file from a research note (plain text or Markdown).

    One claim per dated finding, with the arXiv ids the note cites placed by what they say; dates and
    titles from the store when it knows the papers. Every guess is marked in a comment: check them,
    then run `freshness validate` and `freshness check-anchors`.

    Exit codes: 0 written; 2 unreadable note, no finding in it, or the output file exists.
    """
    from pathlib import Path

    from freshness.draft_yaml import check_draft, read_note_file, render_draft, write_draft
    from freshness.errors import NoteError
    from freshness.extract import draft_claims
    from freshness.notes import read_note
    from freshness.store import Store

    path, today = Path(note), ctx.now.date()
    parsed = read_note(read_note_file(path))
    if not parsed.findings:
        raise NoteError(f"{note}: no dated finding (a sentence or bullet naming a year or an arXiv id)")
    ids = [p.arxiv_id.base for p in parsed.papers if p.arxiv_id is not None]
    db = ctx.settings.db_path if ctx.settings.db_path.exists() else Path(":memory:")  # a read: create nothing
    with Store.open(db) as store:
        draft = draft_claims(parsed, store.get_papers(ids), today=today)
    text = render_draft(draft, note_name=path.name, today=today)
    check_draft(text, today=today)
    write_draft(text, Path(output), force=force)
    anchors = sum(len(c.anchors) for c in draft.claims)
    click.echo(f"wrote {output}: {len(draft.claims)} draft claim(s), {anchors} anchor(s); check the comments")
    for unplaced in draft.unplaced:
        click.echo(
            f"note: arXiv:{unplaced.cited.arxiv_id} is tied to no finding (listed at the end)", err=True
        )
    for cited in draft.rejected:
        click.echo(f"note: {cited.raw!r} (line {cited.line}) is not an arXiv id: {cited.error}", err=True)


@cli.command("prompt")
@click.argument("claim_id", metavar="CLAIM")
@handle_errors
@pass_ctx
def prompt_command(ctx: Context, claim_id: str) -> None:
    """Print a re-test prompt for CLAIM: the claim as dated, its anchors' arXiv status, the newer papers
    that challenge or support it, and the task. Plain text: `freshness prompt CLAIM | llm`.

    Reads the store only (no network, no LLM). Exit codes: 0 printed; 2 unknown claim or bad claims file.
    """
    from pathlib import Path

    from freshness.assess import build_report
    from freshness.claims import load_claims
    from freshness.retest import retest_prompt
    from freshness.store import Store

    claims = select_claims(load_claims(ctx.settings.claims_path, today=ctx.now.date()), (claim_id,))
    db = ctx.settings.db_path if ctx.settings.db_path.exists() else Path(":memory:")  # a read: create nothing
    with Store.open(db) as store:
        report = build_report(store, claims, now=ctx.now)
    click.echo(retest_prompt(report.verdicts[0]), nl=False)


# -- nightly: run, schedule, history, triage ------------------------------------------------------


def _cycle_options(func: F) -> F:
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
    return _lock_wait_option(func)


@cli.command("run")
@_cycle_options
@handle_errors
@pass_ctx
def run_command(
    ctx: Context, reports_dir: str | None, html: bool, citations: bool | None, lock_wait: float
) -> None:
    """One nightly cycle: poll arXiv, check anchors, judge every claim, write reports/DAY.json and
    reports/DAY.md, record the run, and print what changed since the last run.

    Running it twice on one day replaces that day's run and files.

    Exit codes: 0 nothing needs attention; 1 a claim is newly possibly superseded or anchor-broken
    (and not snoozed); 2 could not run: arXiv unreachable (the report is still written from the
    store, marked stale), another writer holds the store, or the claims file is invalid.
    """
    from pathlib import Path

    from freshness.nightly import CycleOptions, RunOutcome, run_cycle, summary_lines

    options = CycleOptions(Path(reports_dir) if reports_dir else None, html, lock_wait, "run", citations)
    result = run_cycle(ctx.settings, now=ctx.now, options=options)
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
@_cycle_options
@handle_errors
@pass_ctx
def schedule_command(
    ctx: Context,
    cron: str | None,
    timezone: str | None,
    misfire_grace: int | None,
    show_next: int | None,
    reports_dir: str | None,
    html: bool,
    citations: bool | None,
    lock_wait: float,
) -> None:
    """Run the nightly cycle on a schedule, in the foreground, until SIGTERM or Ctrl-C.

    Runs at once when a scheduled run was missed while it was not running (or there was none yet).
    A signal lets a running cycle finish before exiting; a second one interrupts it before its next
    arXiv request (what it stored is kept). Logs go to stderr with timestamps.

    Exit codes: 0 stopped by a signal; 2 could not start (bad --cron/--timezone, bad claims file).
    """
    import threading
    from pathlib import Path

    from freshness.claims import load_claims
    from freshness.nightly import CycleOptions, last_success, scheduled_cycle
    from freshness.output import setup_logging
    from freshness.scheduler import (
        DEFAULT_CRON,
        DEFAULT_MISFIRE_GRACE,
        DEFAULT_TIMEZONE,
        build_scheduler,
        is_overdue,
        make_trigger,
        next_fire_times,
        serve,
    )

    trigger = make_trigger(cron or DEFAULT_CRON, timezone or DEFAULT_TIMEZONE)
    if show_next:
        for at in next_fire_times(trigger, ctx.now, show_next):
            click.echo(f"{at.isoformat()}  ({at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC, {at:%a})")
        return
    load_claims(ctx.settings.claims_path, today=ctx.today)  # fail now, not at 01:30
    setup_logging(service=True)
    options = CycleOptions(Path(reports_dir) if reports_dir else None, html, lock_wait, "schedule", citations)
    run_now = ctx.now if is_overdue(trigger, last_success(ctx.settings), ctx.now) else None
    stop = threading.Event()  # set by a second signal: the running cycle stops between requests
    job = scheduled_cycle(ctx.settings, options, stop=stop)
    serve(
        build_scheduler(
            job, trigger=trigger, run_now=run_now, misfire_grace_time=misfire_grace or DEFAULT_MISFIRE_GRACE
        ),
        stop,
    )


@cli.command("history")
@click.argument("claim_id", metavar="CLAIM")
@click.option(
    "--all", "show_all", is_flag=True, help="Show every run, not only those where something changed."
)
@handle_errors
@pass_ctx
def history_command(ctx: Context, claim_id: str, show_all: bool) -> None:
    """How CLAIM's status and evidence changed from run to run, and the decisions taken on it.

    Exit codes: 0 shown; 2 unknown claim, or bad claims file.
    """
    from freshness.claims import load_claims
    from freshness.history import TriageError, claim_history, history_lines
    from freshness.store import Store

    known = {c.id for c in load_claims(ctx.settings.claims_path, today=ctx.today)}
    history = None
    if ctx.settings.db_path.exists():  # a read: never create the store
        with Store.open(ctx.settings.db_path) as store:
            history = claim_history(store, claim_id)
    if claim_id not in known and (history is None or not history.entries):
        raise TriageError(f"no claim {claim_id!r} in the claims file, and no run has judged one")
    for line in history_lines(history, claim_id, show_all=show_all):
        click.echo(line)


def _decide(ctx: Context, claim_id: str, kind: str, lock_wait: float, **fields: Any) -> None:
    """Record one triage decision and say what it does; under the writer lock, so it never lands in
    the middle of a nightly run."""
    from freshness.claims import load_claims
    from freshness.history import DecisionKind, decide, describe_decision
    from freshness.locking import writer_lock
    from freshness.store import Store

    today = ctx.today
    claims = load_claims(ctx.settings.claims_path, today=today)
    with (
        writer_lock(ctx.settings.db_path, command=kind, now=ctx.now, wait=lock_wait),
        Store.open(ctx.settings.db_path, check=True) as store,
    ):
        decision = decide(store, claims, claim_id, DecisionKind(kind), now=ctx.now, today=today, **fields)
    click.echo(describe_decision(decision))


_REASON = click.option("--reason", metavar="TEXT", help="Why; shown in `freshness history`.")
_DATE = click.DateTime(formats=["%Y-%m-%d"])


@cli.command("dismiss")
@click.argument("claim_id", metavar="CLAIM")
@click.argument("arxiv_id", metavar="ARXIV_ID")
@_REASON
@_lock_wait_option
@handle_errors
@pass_ctx
def dismiss_command(ctx: Context, claim_id: str, arxiv_id: str, reason: str | None, lock_wait: float) -> None:
    """ARXIV_ID does not bear on CLAIM: never flag it for this claim again (any version).

    Exit codes: 0 recorded; 2 unknown claim, malformed arXiv id, bad claims file, or another writer
    (run, schedule, poll, import) holds the store.
    """
    _decide(ctx, claim_id, "dismiss", lock_wait, arxiv_id=arxiv_id, reason=reason)


@cli.command("confirm")
@click.argument("claim_id", metavar="CLAIM")
@click.argument("arxiv_id", metavar="ARXIV_ID")
@_REASON
@_lock_wait_option
@handle_errors
@pass_ctx
def confirm_command(ctx: Context, claim_id: str, arxiv_id: str, reason: str | None, lock_wait: float) -> None:
    """ARXIV_ID supersedes CLAIM: keep it at the top of the claim's matches, counted as superseding.

    Exit codes: 0 recorded; 2 unknown claim, malformed arXiv id, bad claims file, or another writer
    (run, schedule, poll, import) holds the store.
    """
    _decide(ctx, claim_id, "confirm", lock_wait, arxiv_id=arxiv_id, reason=reason)


@cli.command("snooze")
@click.argument("claim_id", metavar="CLAIM")
@click.option(
    "--until", "until", type=_DATE, required=True, metavar="YYYY-MM-DD", help="Quiet until this day."
)
@_REASON
@_lock_wait_option
@handle_errors
@pass_ctx
def snooze_command(
    ctx: Context, claim_id: str, until: dt.datetime, reason: str | None, lock_wait: float
) -> None:
    """CLAIM keeps showing its status but needs no attention (exit code 1 of `run`) until a date.

    Exit codes: 0 recorded; 2 unknown claim, a date in the past, bad claims file, or another writer
    (run, schedule, poll, import) holds the store.
    """
    _decide(ctx, claim_id, "snooze", lock_wait, until=until.date(), reason=reason)


@cli.command("reviewed")
@click.argument("claim_id", metavar="CLAIM")
@click.option(
    "--date", "on", type=_DATE, metavar="YYYY-MM-DD", help="When it was re-checked. [default: today]"
)
@_REASON
@_lock_wait_option
@handle_errors
@pass_ctx
def reviewed_command(
    ctx: Context, claim_id: str, on: dt.datetime | None, reason: str | None, lock_wait: float
) -> None:
    """A person re-checked CLAIM: its age and "newer papers" count from the review date.

    Earlier confirmations are settled by the review; dismissals stay.

    Exit codes: 0 recorded; 2 unknown claim, a date in the future, bad claims file, or another writer
    (run, schedule, poll, import) holds the store.
    """
    _decide(ctx, claim_id, "reviewed", lock_wait, until=on.date() if on else None, reason=reason)
