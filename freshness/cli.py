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
