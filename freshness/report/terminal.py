"""The terminal report (rich): one block per claim, readable at 80 columns and without colour.

Untrusted text goes in as `rich.text.Text` built from `one_line()` (controls and ANSI stripped), never as
markup, so a title like `[bold red]x[/]` prints as those characters. Only ASCII is used for the frame,
so cron mail and logs show it as it is meant.
"""

from __future__ import annotations

import io

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from freshness.models import AnchorResult, AnchorStatus, ClaimStatus, Match, Report, Verdict
from freshness.report._common import (
    STALE_MESSAGE,
    abs_url,
    age_line,
    anchor_display_id,
    anchor_label,
    anchor_results,
    count_by_status,
    one_line,
    status_label,
    store_line,
    utc_human,
)

TOP_MATCHES = 3

STATUS_STYLE: dict[ClaimStatus, str] = {
    ClaimStatus.ANCHOR_BROKEN: "bold white on red",
    ClaimStatus.POSSIBLY_SUPERSEDED: "bold black on yellow",
    ClaimStatus.PERISHABLE: "bold yellow",
    ClaimStatus.UNCHECKED: "dim",
    ClaimStatus.FRESH: "bold green",
}

ANCHOR_STYLE: dict[AnchorStatus, str] = {
    AnchorStatus.OK: "green",
    AnchorStatus.REVISED: "yellow",
    AnchorStatus.UNCHECKED: "dim",
}
BROKEN_ANCHOR_STYLE = "bold red"


class TerminalFormat:
    """The report as text for a terminal or a log, with ANSI colour only when asked."""

    name = "terminal"

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str:
        buf = io.StringIO()
        console = Console(
            file=buf,
            width=width,
            color_system="standard" if color else None,
            force_terminal=color,
            no_color=not color,  # the caller decided (it looked at NO_COLOR and the TTY), not the env
            emoji=False,
            highlight=False,
            soft_wrap=False,
            legacy_windows=False,
        )
        for part in _report(report, width):
            console.print(part)
        # Grid cells are padded with spaces; trailing blanks only make logs and diffs noisy.
        return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


def _report(report: Report, width: int) -> list[RenderableType]:
    parts: list[RenderableType] = [_header(report)]
    if report.stale:
        parts.append(_stale_banner(report, width))
    if report.notes:
        parts.append(_bullets(report.notes, prefix="Note: "))
    if not report.verdicts:
        parts.append(Text("\nNo claims to report."))
    for verdict in report.verdicts:
        parts.append(Text("-" * width))
        parts.extend(_claim(verdict))
    parts.append(Text("-" * width))
    parts.append(_summary(report, width))
    return parts


def _header(report: Report) -> Text:
    text = Text()
    text.append("Claim freshness report", style="bold")
    text.append(f"  generated {utc_human(report.generated_at)}\n")
    text.append(f"Store: {store_line(report)}", style="dim" if report.store.papers else "bold yellow")
    return text


def _stale_banner(report: Report, width: int) -> Table:
    box = Table.grid(padding=(0, 1))
    box.add_column(no_wrap=True)
    box.add_column(ratio=1, overflow="fold")
    box.add_row(
        Text("STALE", style="bold white on red"),
        Text(STALE_MESSAGE[0].upper() + STALE_MESSAGE[1:], style="bold"),
    )
    frame = Table.grid()
    frame.add_column(width=width)
    frame.add_row(Text("!" * width, style="red"))
    frame.add_row(box)
    frame.add_row(Text("!" * width, style="red"))
    return frame


def _claim(verdict: Verdict) -> list[RenderableType]:
    parts: list[RenderableType] = []
    title = Text()
    title.append(status_label(verdict.status).upper(), style=STATUS_STYLE[verdict.status])
    title.append("  ")
    title.append(one_line(verdict.claim.id), style="bold")
    parts.append(title)
    parts.append(Text(f"dated {verdict.claim.date}, {age_line(verdict)}", style="dim"))
    if verdict.claim.text:
        parts.append(Padding(Text(one_line(verdict.claim.text), style="italic"), (0, 0, 0, 2)))
    if verdict.reasons:
        parts.append(Text("Why", style="bold"))
        parts.append(_bullets(verdict.reasons))
    if verdict.claim.anchors or verdict.anchors:
        parts.append(Text("Anchors", style="bold"))
        parts.append(_anchors(verdict))
    if verdict.matches:
        total = len(verdict.matches)
        heading = Text("Newer related papers", style="bold")
        if total > TOP_MATCHES:
            heading.append(f" (top {TOP_MATCHES} of {total}, best first)", style="dim")
        elif total > 1:
            heading.append(" (best first)", style="dim")
        parts.append(heading)
        parts.append(_matches(verdict.matches[:TOP_MATCHES]))
    return parts


def _bullets(lines: tuple[str, ...], *, prefix: str = "  - ") -> Table:
    """One item per line after `prefix`, continuation lines indented under the text."""
    grid = Table.grid(padding=(0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for line in lines:
        grid.add_row(Text(prefix), Text(one_line(line)))
    return grid


def _anchors(verdict: Verdict) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)  # indent
    grid.add_column(no_wrap=True)  # status word
    # Well-formed ids fit in 20 columns ("hep-th/9901001v12"); a long malformed one is folded, never cut.
    grid.add_column(overflow="fold", max_width=20)
    grid.add_column(ratio=1, overflow="fold")
    for result in anchor_results(verdict):
        grid.add_row(
            "",
            Text(anchor_label(result.status), style=_anchor_style(result.status)),
            Text(one_line(anchor_display_id(result))),
            _anchor_body(result),
        )
    return grid


def _anchor_style(status: AnchorStatus) -> str:
    return BROKEN_ANCHOR_STYLE if status.broken else ANCHOR_STYLE.get(status, "")


def _anchor_body(result: AnchorResult) -> Text:
    body = Text()
    if result.title:
        body.append(one_line(result.title))
        if result.latest_version is not None:
            body.append(f" (v{result.latest_version})", style="dim")
    elif result.latest_version is not None:
        body.append(f"v{result.latest_version}", style="dim")
    detail = one_line(result.detail)
    if detail:
        if body:
            body.append("\n")
        body.append(detail, style="dim" if result.status is AnchorStatus.OK else "")
    if result.anchor.title and result.status is AnchorStatus.TITLE_MISMATCH:
        body.append("\ncited as: ", style="dim")
        body.append(one_line(result.anchor.title))
    return body


def _matches(matches: tuple[Match, ...]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, justify="right", min_width=6)
    grid.add_column(ratio=1, overflow="fold")
    for match in matches:
        grid.add_row(Text(f"{match.score:.1f}", style="bold"), _match_body(match))
    return grid


def _match_body(match: Match) -> Text:
    body = Text()
    url = abs_url(match.arxiv_id)
    body.append(url or one_line(match.arxiv_id), style="cyan" if url else "")
    body.append(f"  {match.published}", style="dim")
    if match.superseding:
        body.append("  ")
        body.append("SUPERSEDING?", style="bold red")
    body.append("\n")
    body.append(one_line(match.title) or "(no title)")
    if match.evidence:
        body.append("\n")
        body.append(one_line(match.evidence[0]), style="dim")
    return body


def _summary(report: Report, width: int) -> Text:
    """`5 claims: 1 anchor broken, ...`, wrapped by hand so a count never parts from its status."""
    total = len(report.verdicts)
    pieces: list[tuple[str, str]] = [(f"{total} claim{'s' if total != 1 else ''}:", "bold")]
    counts = list(count_by_status(report).items())
    for i, (status, n) in enumerate(counts):
        sep = "," if i < len(counts) - 1 else ""
        pieces.append((f"{n} {status_label(status)}{sep}", STATUS_STYLE[status] if n else "dim"))
    if report.stale:
        pieces.append(("(STALE)", "bold red"))
    text = Text()
    column = 0
    for i, (piece, style) in enumerate(pieces):
        if i:
            if column + 1 + len(piece) > width:
                text.append("\n")
                column = 0
            else:
                text.append(" ")
                column += 1
        text.append(piece, style=style)
        column += len(piece)
    return text
