"""The dashboard `freshness run` writes as reports/index.html: every dated report, newest first, with
pictures of the runs (claims by status per run, and each claim's status run after run).

Self-contained like the HTML report (inline CSS and SVG, no script, the same Content-Security-Policy).
Links point only at the report files found in the folder, by their plain `YYYY-MM-DD.ext` names.
"""

from __future__ import annotations

import html
import re

from freshness.models import ClaimStatus, Dashboard
from freshness.report._common import status_label, utc_human, utc_z
from freshness.report.html import CSP, CSS, e
from freshness.report.svg import timeline_strip, trend_chart

_REPORT_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.(?:html|md|json)")
_KIND = {"html": "HTML", "md": "Markdown", "json": "JSON"}


def render_dashboard(dashboard: Dashboard) -> str:
    """The dashboard page for `dashboard`."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Claim freshness: all reports</title>",
        f"<style>\n{CSS}\n.legend {{ display: flex; gap: .8rem; flex-wrap: wrap; padding: 0; "
        "list-style: none; font-size: .85rem; }\n</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>Claim freshness: all reports</h1>",
        f'<p class="meta">Updated <time datetime="{utc_z(dashboard.generated_at)}">'
        f"{utc_human(dashboard.generated_at)}</time>; {len(dashboard.runs)} run"
        f"{'s' if len(dashboard.runs) != 1 else ''} recorded.</p>",
        "</header>",
    ]
    runs = dashboard.runs
    if runs:
        first, last = runs[0].day, runs[-1].day
        legend = "".join(
            f'<li><span class="badge s-{s.value}">{status_label(s)}</span></li>' for s in ClaimStatus
        )
        parts += [
            "<h2>Claims by status, run by run</h2>",
            '<figure class="trend">',
            trend_chart(runs),
            f"<figcaption>One bar per nightly run, {first} to {last}: how many claims had each status "
            "that night (most severe at the bottom; dashed: the poll failed that night).</figcaption>",
            "</figure>",
            f'<ul class="legend">{legend}</ul>',
            "<h2>Each claim, run by run</h2>",
            '<table class="timeline">',
            f"<thead><tr><th>Claim</th><th>Status at each run, {first} to {last}</th>"
            "<th>Latest</th></tr></thead>",
            "<tbody>",
        ]
        claim_ids = sorted({cid for run in runs for cid, _ in run.statuses})
        latest = dict(runs[-1].statuses)
        for cid in claim_ids:
            now = latest.get(cid)
            said = (
                f'<span class="badge s-{now.value}">{status_label(now)}</span>'
                if now is not None
                else '<span class="muted">not in the latest run</span>'
            )
            parts.append(
                f'<tr><td class="cid">{e(cid)}</td><td>{timeline_strip(cid, runs)}</td><td>{said}</td></tr>'
            )
        parts += ["</tbody>", "</table>"]
    else:
        parts.append("<p>No run recorded yet: <code>freshness run</code> records one a night.</p>")
    parts += ["<h2>Reports, newest first</h2>", '<ul class="reports">']
    for day, names in dashboard.reports:
        links = " · ".join(
            f'<a href="{html.escape(name)}">{_KIND[name.rsplit(".", 1)[1]]}</a>'
            for name in names
            if _REPORT_FILE.fullmatch(name)
        )
        parts.append(f"<li><strong>{day}</strong> {links}</li>")
    parts += ["</ul>", "<footer>Made by freshness.</footer>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"
