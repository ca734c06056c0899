"""The dashboard `freshness run` writes as reports/index.html: every dated report, newest first, with
pictures of the runs (claims by status per run, and each claim's status run after run).

Self-contained like the HTML report (inline CSS and SVG, no script, the same Content-Security-Policy).
Links point only at the report files found in the folder, by their plain `YYYY-MM-DD.ext` names.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from freshness.models import ClaimStatus, Dashboard, RunStatuses
from freshness.report._common import status_label, utc_human, utc_z
from freshness.report.html import CSS, e, page_head
from freshness.report.svg import timeline_strip, trend_chart

_REPORT_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.(?:html|md|json)")
_KIND = {"html": "HTML", "md": "Markdown", "json": "JSON"}


# The status legend under the trend chart: the badges in a row.
_LEGEND_CSS = (
    ".legend { display: flex; gap: .8rem; flex-wrap: wrap; padding: 0; list-style: none; font-size: .85rem; }"
)


def render_dashboard(dashboard: Dashboard) -> str:
    """The dashboard page for `dashboard`."""
    runs = dashboard.runs
    parts = [
        *page_head("Claim freshness: all reports", f"{CSS}\n{_LEGEND_CSS}"),
        "<body>",
        "<header>",
        "<h1>Claim freshness: all reports</h1>",
        f'<p class="meta">Updated <time datetime="{utc_z(dashboard.generated_at)}">'
        f"{utc_human(dashboard.generated_at)}</time>; {len(runs)} run"
        f"{'s' if len(runs) != 1 else ''} recorded.</p>",
        "</header>",
    ]
    if runs:
        parts += _trend(runs) + _timelines(runs)
    else:
        parts.append("<p>No run recorded yet: <code>freshness run</code> records one a night.</p>")
    parts += ["<h2>Reports, newest first</h2>", '<ul class="reports">']
    parts += [f"<li><strong>{day}</strong> {_links(names)}</li>" for day, names in dashboard.reports]
    parts += ["</ul>", "<footer>Made by freshness.</footer>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _trend(runs: Sequence[RunStatuses]) -> list[str]:
    """The chart of claims by status, one bar a run, and its legend."""
    legend = "".join(
        f'<li><span class="badge s-{s.value}">{status_label(s)}</span></li>' for s in ClaimStatus
    )
    return [
        "<h2>Claims by status, run by run</h2>",
        '<figure class="trend">',
        trend_chart(runs),
        f"<figcaption>One bar per nightly run, {runs[0].day} to {runs[-1].day}: how many claims had each "
        "status that night (most severe at the bottom; dashed: the poll failed that night).</figcaption>",
        "</figure>",
        f'<ul class="legend">{legend}</ul>',
    ]


def _timelines(runs: Sequence[RunStatuses]) -> list[str]:
    """One row a claim: its status at each run, and its latest."""
    parts = [
        "<h2>Each claim, run by run</h2>",
        '<table class="timeline">',
        f"<thead><tr><th>Claim</th><th>Status at each run, {runs[0].day} to {runs[-1].day}</th>"
        "<th>Latest</th></tr></thead>",
        "<tbody>",
    ]
    latest = dict(runs[-1].statuses)
    for cid in sorted({cid for run in runs for cid, _ in run.statuses}):
        now = latest.get(cid)
        said = (
            f'<span class="badge s-{now.value}">{status_label(now)}</span>'
            if now is not None
            else '<span class="muted">not in the latest run</span>'
        )
        parts.append(
            f'<tr><td class="cid">{e(cid)}</td><td>{timeline_strip(cid, runs)}</td><td>{said}</td></tr>'
        )
    return [*parts, "</tbody>", "</table>"]


def _links(names: Sequence[str]) -> str:
    """Links to one day's report files, by their plain names only."""
    return " · ".join(
        f'<a href="{html.escape(name)}">{_KIND[name.rsplit(".", 1)[1]]}</a>'
        for name in names
        if _REPORT_FILE.fullmatch(name)
    )
