"""The Click group and what every command shares: the context (settings and the one `now`, which the
hidden --now fixes for tests), opening the store (`open_store`: a writer under the writer lock, a
reader as it is or empty in memory), the named errors turned into messages and exit codes, and the
options several commands take (--lock-wait).

The command line is a thin adapter: each command parses flags, calls one core function, renders the
result and picks the exit code. Only this package prints errors and exits.

Exit codes: 0 success; 1 something needs attention (a broken anchor, a claim newly superseded);
2 could not do the job (bad input, arXiv unreachable, store locked). The CLI exits EXIT_FAILED on
the errors it turns into messages and EXIT_OK on a closed stdout; 0, 1 or 2 after a check or a run is
the core's verdict (anchors.exit_code, nightly.RunOutcome), passed on as it is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from freshness.errors import ClaimsError, FreshnessError

if TYPE_CHECKING:  # start-up (`freshness --help`) pays only for what it runs; see docs/benchmarks.md
    from freshness.config import Settings
    from freshness.store import Store

EXIT_OK = 0
EXIT_FAILED = 2

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Context:
    settings: Settings
    now: dt.datetime  # the one `now` every command passes down (UTC)

    @property
    def today(self) -> dt.date:
        """The one "today" every command passes down (claim dates, ages, the run's day): `now`'s date
        where the user is, their local date (docs/reliability.md)."""
        from freshness.models import local_day

        return local_day(self.now)


@contextlib.contextmanager
def open_store(ctx: Context, *, writer: str | None = None, lock_wait: float = 0.0) -> Iterator[Store]:
    """The store for one command. A writer (`writer` names the command, for whoever waits) holds the
    writer lock, waiting up to `lock_wait` seconds for another holder, and opens the store checked
    (PRAGMA quick_check) before writing. A reader takes no lock, and on a store that does not exist
    yet reads an empty one in memory: it creates nothing (a fresh clone, a pre-commit hook)."""
    from pathlib import Path

    from freshness.locking import writer_lock
    from freshness.store import Store

    db = ctx.settings.db_path
    if writer is None:
        with Store.open(db if db.exists() else Path(":memory:")) as store:
            yield store
        return
    with writer_lock(db, command=writer, now=ctx.now, wait=lock_wait), Store.open(db, check=True) as store:
        yield store


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
@click.option(
    "--now",
    "fixed_now",
    metavar="ISO",
    hidden=True,  # for tests: a fixed clock instead of the system's
    callback=lambda ctx, param, value: None if value is None else _moment(value),
    help="Run at this moment (ISO 8601; UTC unless it names its offset) instead of the system clock.",
)
@click.version_option(package_name="freshness")
@click.pass_context
def cli(ctx: click.Context, claims: str | None, db: str | None, fixed_now: dt.datetime | None) -> None:
    """Keep a file of dated research claims honest against newer arXiv papers.

    Exit codes: 0 ok, 1 something needs attention, 2 could not do the job.
    """
    from freshness.config import load_settings

    try:
        settings = load_settings(claims=claims, db=db)
    except FreshnessError as exc:
        fail(str(exc), tip=exc.tip)
    ctx.obj = Context(settings=settings, now=fixed_now or dt.datetime.now(dt.UTC))


def _moment(text: str) -> dt.datetime:
    """`--now`: an ISO 8601 moment, in UTC; one without an offset is read as UTC."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 date and time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def main() -> None:
    try:
        cli(prog_name="freshness")
    except BrokenPipeError:
        _quiet_exit()


# Commands are registered below, one section each. Keep each body short: flags -> one core call ->
# render -> exit code.


def lock_wait_option(func: F, *, lead: str = "How long") -> F:
    """--lock-wait / FRESHNESS_LOCK_WAIT, for every command that takes the store's writer lock."""
    return click.option(
        "--lock-wait",
        type=FiniteSeconds(),
        default=10.0,  # locking.DEFAULT_LOCK_WAIT, not imported: `--help` stays light
        show_default=True,
        envvar="FRESHNESS_LOCK_WAIT",
        metavar="SECONDS",
        help=f"{lead} to wait for another command that writes the store (run, schedule, poll, import, "
        "check-anchors, a decision) to finish. [env FRESHNESS_LOCK_WAIT]",
    )(func)


def online_lock_wait_option(func: F) -> F:
    """--lock-wait for a command that writes only when it goes online (check-anchors)."""
    return lock_wait_option(func, lead="Online, how long")


def live_lock_wait_option(func: F) -> F:
    """--lock-wait for a command whose dry run only reads (poll)."""
    return lock_wait_option(func, lead="Without --dry-run, how long")
