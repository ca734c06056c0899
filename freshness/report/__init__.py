"""Report renderers behind one interface: `render(report, "terminal"|"json"|"markdown"|"html")`.

Each format turns the same frozen `Report` into text; none of them prints, reads the clock or touches
the store. Untrusted text (titles, evidence, claim text) is made inert in every format.
"""

from __future__ import annotations

from typing import Protocol

from freshness.errors import ConfigError
from freshness.models import Report
from freshness.report.html import HtmlFormat
from freshness.report.json_format import JsonFormat
from freshness.report.markdown import MarkdownFormat
from freshness.report.terminal import TerminalFormat


class ReportFormat(Protocol):
    """One output format. `width` matters to the terminal only; `color` adds ANSI escapes there."""

    name: str

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str: ...


FORMATS: dict[str, ReportFormat] = {
    f.name: f for f in (TerminalFormat(), JsonFormat(), MarkdownFormat(), HtmlFormat())
}


def render(report: Report, fmt: str, *, width: int = 100, color: bool = False) -> str:
    """`report` as text in format `fmt` (a key of FORMATS); ConfigError for an unknown format."""
    try:
        formatter = FORMATS[fmt]
    except KeyError:
        raise ConfigError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return formatter.render(report, width=width, color=color)


__all__ = ["FORMATS", "ReportFormat", "render"]
