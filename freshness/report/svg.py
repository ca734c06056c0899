"""Small inline SVG pictures for the HTML report and the dashboard: listed papers per month with the
challengers marked, claims by status per run, and one claim's status run after run.

No plotting library and no script: each chart is a few `<rect>`, `<circle>` and `<text>` elements,
coloured by CSS classes the page defines (so dark mode and print follow the page). Every label and
tooltip is untrusted text made readable (`readable`) and then escaped for XML (`x`): a title such as
`</title><script>`, `]]>` or `<tspan onclick=...>` is only ever character data.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass

from freshness.models import ClaimStatus, Match, RunStatuses, Verdict
from freshness.report._common import challenges, status_label
from freshness.report.tex import readable
from freshness.untrusted import one_line

WIDTH = 640
PLOT_HEIGHT = 90
LEFT = 30  # room for the y-axis label
BOTTOM = 18  # room for the month labels
MARKER_STEP = 9  # one challenger marker above another


def x(text: str) -> str:
    """Untrusted text as XML character data or an attribute value: one line, TeX made readable."""
    return html.escape(readable(one_line(text)), quote=True)


def _n(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


# -- per claim: listed papers per month --------------------------------------------------------------


@dataclass(frozen=True)
class MonthBar:
    """One month of a claim's chart: the listed newer papers first submitted that month."""

    month: str  # "2025-09"
    papers: tuple[Match, ...]
    challengers: tuple[Match, ...]


def months(first: dt.date, last: dt.date) -> list[str]:
    """Every month from `first`'s to `last`'s, both included, as "YYYY-MM"."""
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_bars(verdict: Verdict, end: dt.date) -> tuple[MonthBar, ...]:
    """The claim's listed matches by month of first submission, from the claim's month to `end`'s (or
    to the newest match, if later); months without a paper are there with none."""
    matches = verdict.matches
    first = min([verdict.claim.date, *(m.published for m in matches)])
    last = max([end, *(m.published for m in matches)])
    by_month: dict[str, list[Match]] = {m: [] for m in months(first, last)}
    for match in matches:
        by_month[match.published.strftime("%Y-%m")].append(match)
    return tuple(
        MonthBar(month, tuple(found), tuple(m for m in found if challenges(m)))
        for month, found in by_month.items()
    )


def month_chart(bars: Sequence[MonthBar], *, label: str) -> str:
    """Bars of papers per month (a thin tick for a month with none) and a red dot per challenger above
    its month's bar, each with a tooltip; `label` says what is counted (the chart's accessible name)."""
    most = max((len(b.papers) for b in bars), default=0) or 1
    stacked = max((len(b.challengers) for b in bars), default=0)
    top = 8 + MARKER_STEP * stacked
    height = top + PLOT_HEIGHT + BOTTOM
    step = (WIDTH - LEFT - 4) / max(len(bars), 1)
    bar_width = max(step * 0.72, 1.0)
    base = top + PLOT_HEIGHT
    out = [
        f'<svg class="chart months" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="{html.escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - 2}" y2="{base}"/>',
        f'<text class="tick" x="{LEFT - 4}" y="{top + 8}" text-anchor="end">{most}</text>',
        f'<text class="tick" x="{LEFT - 4}" y="{base}" text-anchor="end">0</text>',
    ]
    for i, bar in enumerate(bars):
        left = LEFT + 2 + i * step + (step - bar_width) / 2
        centre = left + bar_width / 2
        count = len(bar.papers)
        bar_height = PLOT_HEIGHT * count / most if count else 1.5
        kind = "bar" if count else "bar zero"
        papers = f"{count} listed paper{'s' if count != 1 else ''}"
        if bar.challengers:
            papers += f", {len(bar.challengers)} challenging"
        out.append(
            f'<rect class="{kind}" data-month="{bar.month}" data-count="{count}" x="{_n(left)}" '
            f'y="{_n(base - bar_height)}" width="{_n(bar_width)}" height="{_n(bar_height)}">'
            f"<title>{bar.month}: {papers}</title></rect>"
        )
        for j, match in enumerate(bar.challengers):
            cy = base - bar_height - 5 - MARKER_STEP * j
            out.append(
                f'<circle class="challenger" data-month="{bar.month}" cx="{_n(centre)}" cy="{_n(cy)}" '
                f'r="3.6"><title>challenges it: {x(match.arxiv_id)} {x(match.title)} '
                f"({match.published})</title></circle>"
            )
    for i, text in _month_labels([b.month for b in bars]):
        anchor = "start" if i == 0 else "end" if i == len(bars) - 1 else "middle"
        cx = LEFT + 2 + i * step + (step / 2 if anchor == "middle" else 0 if anchor == "start" else step)
        out.append(f'<text class="tick" x="{_n(cx)}" y="{height - 4}" text-anchor="{anchor}">{text}</text>')
    out.append("</svg>")
    return "".join(out)


def _month_labels(names: Sequence[str]) -> list[tuple[int, str]]:
    """Which months get a label: the first and last, and each January far enough from both."""
    if not names:
        return []
    labels = [(0, names[0])]
    for i, name in enumerate(names[1:-1], start=1):
        if name.endswith("-01") and i >= 4 and len(names) - 1 - i >= 4:
            labels.append((i, name[:4]))
    if len(names) > 1:
        labels.append((len(names) - 1, names[-1]))
    return labels


# -- across runs: claims by status, and each claim's status ------------------------------------------


def trend_chart(runs: Sequence[RunStatuses]) -> str:
    """One stacked bar per run: how many claims had each status that night, most severe at the bottom;
    a stale night's bar is hatched by a dashed outline."""
    height = 110
    base = height - BOTTOM
    most = max((len(r.statuses) for r in runs), default=0) or 1
    step = (WIDTH - LEFT - 4) / max(len(runs), 1)
    bar_width = min(max(step * 0.7, 1.0), 48.0)
    out = [
        f'<svg class="chart trend" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="claims by status, one bar per run, oldest first" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - 2}" y2="{base}"/>',
        f'<text class="tick" x="{LEFT - 4}" y="14" text-anchor="end">{most}</text>',
    ]
    for i, run in enumerate(runs):
        left = LEFT + 2 + i * step + (step - bar_width) / 2
        counts = {s: 0 for s in ClaimStatus}
        for _, status in run.statuses:
            counts[status] += 1
        stale = " stale" if run.stale else ""
        out.append(f'<g class="run{stale}" data-day="{run.day}">')
        y = float(base)
        for status, n in counts.items():
            if not n:
                continue
            h = (base - 10) * n / most
            y -= h
            out.append(
                f'<rect class="seg f-{status.value}" x="{_n(left)}" y="{_n(y)}" width="{_n(bar_width)}" '
                f'height="{_n(h)}"><title>{run.day}: {n} {status_label(status)}'
                f"{' (stale: the poll failed)' if run.stale else ''}</title></rect>"
            )
        out.append("</g>")
    for i, text in _day_labels([r.day for r in runs]):
        cx = LEFT + 2 + i * step + step / 2
        out.append(f'<text class="tick" x="{_n(cx)}" y="{height - 4}" text-anchor="middle">{text}</text>')
    out.append("</svg>")
    return "".join(out)


def _day_labels(days: Sequence[dt.date]) -> list[tuple[int, str]]:
    """At most about eight day labels, evenly spread, the last always included."""
    if not days:
        return []
    every = max(1, -(-len(days) // 8))
    picked = [i for i in range(len(days)) if (len(days) - 1 - i) % every == 0]
    return [(i, days[i].strftime("%m-%d")) for i in picked]


def timeline_strip(claim_id: str, runs: Sequence[RunStatuses]) -> str:
    """One claim's status at each run, a cell per run (hollow where that run did not judge it)."""
    cell, gap, height = 14, 2, 16
    width = max(len(runs) * (cell + gap), cell)
    out = [
        f'<svg class="chart strip" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="status of {x(claim_id)} at each run" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, run in enumerate(runs):
        status = dict(run.statuses).get(claim_id)
        kind = f"cell f-{status.value}" if status is not None else "cell none"
        said = status_label(status) if status is not None else "not judged"
        out.append(
            f'<rect class="{kind}" data-day="{run.day}" x="{i * (cell + gap)}" y="1" width="{cell}" '
            f'height="{height - 2}" rx="2"><title>{run.day}: {said}</title></rect>'
        )
    out.append("</svg>")
    return "".join(out)


CHART_CSS = """
.chart { max-width: 100%; height: auto; display: block; margin: .3rem 0; overflow: visible; }
.chart .axis { stroke: var(--line); stroke-width: 1; }
.chart .tick { fill: var(--muted); font-size: 10px; }
.chart .bar { fill: var(--link); opacity: .75; } .chart .bar.zero { fill: var(--line); opacity: 1; }
.chart .challenger { fill: var(--red); stroke: var(--bg); stroke-width: 1; }
.chart .f-anchor_broken { fill: var(--red); } .chart .f-possibly_superseded { fill: var(--orange); }
.chart .f-perishable { fill: var(--yellow); } .chart .f-unchecked { fill: var(--grey); }
.chart .f-fresh { fill: var(--green); } .chart .cell.none { fill: none; stroke: var(--line); }
.chart .run.stale .seg { stroke: var(--fg); stroke-dasharray: 2 2; }
.chart.strip { display: inline-block; margin: 0; vertical-align: middle; }
""".strip()
