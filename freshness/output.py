"""The rich Consoles (stdout/stderr), logging setup, and escaping of untrusted text for the terminal.

Paper titles and abstracts come from arXiv and feeds: they are data. `safe()` makes them inert in rich
markup (no `[bold red]` interpretation) and strips control characters (ANSI escapes, bells).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import TextIO

from rich.console import Console
from rich.markup import escape

# C0/C1 control characters except tab and newline: ESC starts ANSI sequences, BEL rings, CR overwrites.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def strip_control(text: str) -> str:
    """Remove ANSI escape sequences and other control characters from untrusted text."""
    return _CONTROL.sub("", _ANSI.sub("", text))


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


def setup_logging(verbose: bool = False, *, service: bool = False) -> None:
    """Warnings (or debug with -v) to stderr. `service`: timestamps and no colour, for schedulers."""
    level = logging.DEBUG if verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s" if service else "%(levelname)s: %(message)s"
    handler.setFormatter(logging.Formatter(fmt, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if service and not verbose else level)
