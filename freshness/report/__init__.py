"""Report renderers behind one interface: `render(report, "terminal"|"json"|"markdown"|"html")`.

Each format turns the same frozen `Report` into text; none of them prints, reads the clock or touches
the store. Untrusted text (titles, evidence, claim text) is made inert in every format.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

from freshness.errors import ConfigError
from freshness.models import ClaimStatus, Report
from freshness.report.html import HtmlFormat
from freshness.report.json_format import JsonFormat
from freshness.report.markdown import MarkdownFormat
from freshness.report.terminal import TerminalFormat


class ReportFormat(Protocol):
    """One output format. `width` matters to the terminal only; `color` adds ANSI escapes there; `top`:
    how many papers of each kind a claim shows (None: the format's own number; JSON lists them all)."""

    name: str

    def render(
        self, report: Report, *, width: int = 100, color: bool = False, top: int | None = None
    ) -> str: ...


FORMATS: dict[str, ReportFormat] = {
    f.name: f for f in (TerminalFormat(), JsonFormat(), MarkdownFormat(), HtmlFormat())
}


def render(report: Report, fmt: str, *, width: int = 100, color: bool = False, top: int | None = None) -> str:
    """`report` as text in format `fmt` (a key of FORMATS); ConfigError for an unknown format."""
    try:
        formatter = FORMATS[fmt]
    except KeyError:
        raise ConfigError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return formatter.render(report, width=width, color=color, top=top)


def only_statuses(report: Report, statuses: Sequence[str]) -> Report:
    """`report` with only the claims whose status is one of `statuses` (all of them when empty); a
    note says what was left out, so a short report is not read as the whole."""
    if not statuses:
        return report
    wanted = {ClaimStatus(s) for s in statuses}
    kept = tuple(v for v in report.verdicts if v.status in wanted)
    left = len(report.verdicts) - len(kept)
    shown = ", ".join(ClaimStatus(s).words for s in statuses)
    note = f"only the claims {shown}: {left} other claim{'s' if left != 1 else ''} not shown"
    return dataclasses.replace(report, verdicts=kept, notes=(*report.notes, note))


__all__ = ["FORMATS", "ReportFormat", "only_statuses", "render"]
