"""The terminal for the CLI and views: the rich Consoles (stdout/stderr), whether to colour (--color,
NO_COLOR, FORCE_COLOR) and to page, logging setup, and escaping of untrusted text for rich.

Paper titles and abstracts come from arXiv and feeds: they are data. `safe()` makes them inert in rich
markup (no `[bold red]` interpretation) and strips control characters (freshness.untrusted).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from freshness.untrusted import strip_control

__all__ = [
    "make_console",
    "safe",
    "setup_logging",
    "should_page",
    "stdout_is_terminal",
    "want_color",
]


def safe(text: str) -> str:
    """Untrusted text, ready to embed in rich markup: controls stripped, markup escaped."""
    return escape(strip_control(text))


def make_console(file: TextIO | None = None, *, stderr: bool = False, width: int | None = None) -> Console:
    """A Console that honours NO_COLOR and falls back to plain text when not on a terminal."""
    return Console(
        file=file,
        stderr=stderr,
        width=width,
        no_color=bool(os.environ.get("NO_COLOR")) or None,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )


def want_color(choice: str, *, is_terminal: bool, environ: Mapping[str, str] | None = None) -> bool:
    """`--color always|never|auto`: auto is colour on a terminal, except that NO_COLOR (any value)
    turns it off and FORCE_COLOR (any value but "0") turns it on, also into a pipe or file; when both
    are set, NO_COLOR wins (https://no-color.org, https://force-color.org)."""
    if choice in ("always", "never"):
        return choice == "always"
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return is_terminal


def stdout_is_terminal() -> bool:
    """Is standard output a terminal? (Not rich's `is_terminal`, which FORCE_COLOR turns on.)"""
    return sys.stdout.isatty()


def should_page(text: str, *, is_terminal: bool, height: int, choice: bool | None) -> bool:
    """Page, as git does, only output to a terminal that is taller than it; `--pager`/`--no-pager`
    (True/False) decide outright, except that nothing is paged off a terminal."""
    if not is_terminal or choice is False:
        return False
    return choice is True or text.count("\n") > height - 1


def setup_logging(verbose: bool = False, *, service: bool = False) -> None:
    """Warnings (or debug with -v) to stderr. `service`: timestamps and no colour, for schedulers."""
    level = logging.DEBUG if verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s" if service else "%(levelname)s: %(message)s"
    handler.setFormatter(logging.Formatter(fmt, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if service and not verbose else level)
