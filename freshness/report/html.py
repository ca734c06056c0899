"""The HTML report: one self-contained file (inline CSS, no scripts, no external assets).

Every untrusted string goes through `html.escape`; the only links point at
`https://arxiv.org/abs/<validated id>`. A Content-Security-Policy forbids scripts and remote loads, so
even a bug in the escaping could not run anything.
"""

from __future__ import annotations

import html

from freshness.models import AnchorResult, AnchorStatus, ClaimStatus, Match, Report, Verdict
from freshness.report._common import (
    CONFIDENCE_NOTE,
    STALE_MESSAGE,
    abs_url,
    age_line,
    anchor_display_id,
    anchor_label,
    anchor_results,
    challenges,
    count_by_status,
    group_matches,
    needs_attention,
    one_line,
    stance_head,
    stance_tail,
    status_label,
    store_line,
    top_match,
    utc_human,
    utc_z,
)
from freshness.retest import is_flagged, retest_prompt

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #656d76; --bg: #ffffff; --line: #d0d7de;
  --card: #f6f8fa; --red: #cf222e; --orange: #bc4c00; --yellow: #9a6700; --green: #1a7f37;
  --grey: #6e7781; --link: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #8d96a0; --bg: #0d1117;
  --line: #30363d; --card: #161b22; --red: #ff7b72; --orange: #ffa657; --yellow: #d29922;
  --green: #3fb950; --grey: #8b949e; --link: #58a6ff; } }
* { box-sizing: border-box; }
body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg);
  background: var(--bg); max-width: 64rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 0; display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
h3 { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted);
  margin: 1rem 0 .3rem; }
a { color: var(--link); }
.meta, .muted { color: var(--muted); }
.stale { border: 2px solid var(--red); border-radius: 6px; padding: .6rem .9rem; margin: 1rem 0;
  font-weight: 600; }
.counts { display: flex; gap: .5rem; flex-wrap: wrap; margin: 1rem 0; padding: 0; list-style: none; }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 999px;
  padding: 0 .55rem; font-size: .8rem; font-weight: 600; white-space: nowrap; }
.s-anchor_broken { color: var(--red); } .s-possibly_superseded { color: var(--orange); }
.s-perishable { color: var(--yellow); } .s-unchecked { color: var(--grey); }
.s-fresh { color: var(--green); }
.a-ok { color: var(--green); } .a-revised, .a-title_differs { color: var(--yellow); }
.a-unchecked { color: var(--grey); }
.a-broken { color: var(--red); }
pre.prompt { white-space: pre-wrap; font-size: .85rem; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { font-size: .8rem; color: var(--muted); }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.cid { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em;
  overflow-wrap: anywhere; }
.id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; white-space: nowrap; }
.claim { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 1rem 1.2rem; margin: 1.2rem 0; }
.claim blockquote { margin: .5rem 0; padding-left: .8rem; border-left: 3px solid var(--line);
  font-style: italic; }
.claim ul { margin: .2rem 0; padding-left: 1.2rem; }
.c-anchor_broken { border-left: 5px solid var(--red); }
.c-possibly_superseded { border-left: 5px solid var(--orange); }
.c-perishable { border-left: 5px solid var(--yellow); }
.c-unchecked { border-left: 5px solid var(--grey); } .c-fresh { border-left: 5px solid var(--green); }
summary { cursor: pointer; } summary h3 { display: inline; }
.evidence { color: var(--muted); font-size: .9em; margin: .15rem 0 0; padding-left: 1rem; }
.sup { color: var(--red); font-weight: 700; white-space: nowrap; }
.stance { margin: .15rem 0 0; } .st-challenges { color: var(--red); font-weight: 600; }
.st-supports { color: var(--green); font-weight: 600; }
footer { color: var(--muted); font-size: .8rem; margin: 2rem 0; }
""".strip()


def e(text: str) -> str:
    """Untrusted text, escaped for HTML text and attribute values."""
    return html.escape(one_line(text), quote=True)


def _id_link(arxiv_id: str) -> str:
    url = abs_url(arxiv_id)
    if url is None:
        return f'<span class="id">{e(arxiv_id)}</span>'
    return f'<a class="id" href="{html.escape(url)}">{e(arxiv_id)}</a>'


def _badge(status: ClaimStatus) -> str:
    return f'<span class="badge s-{status.value}">{status_label(status)}</span>'


def _anchor_class(status: AnchorStatus) -> str:
    return "a-broken" if status.broken else f"a-{status.value}"


class HtmlFormat:
    """The report as one self-contained HTML page."""

    name = "html"

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str:
        del width, color  # the browser lays it out; colour is always on
        title = f"Claim freshness report {utc_human(report.generated_at)}"
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)}</title>",
            f"<style>\n{CSS}\n</style>",
            "</head>",
            "<body>",
            *_header(report),
        ]
        if report.verdicts:
            parts += _summary_table(report)
            parts += [p for v in report.verdicts for p in _claim(v)]
        else:
            parts.append("<p>No claims to report.</p>")
        parts += [
            "<footer>Scores are 0-100 relatedness to the claim's topics; "
            '<span class="sup">superseding?</span> marks a paper that challenges the claim surely enough '
            f"to flag it; {e(CONFIDENCE_NOTE)}. Made by freshness.</footer>",
            "</body>",
            "</html>",
        ]
        return "\n".join(parts) + "\n"


def _header(report: Report) -> list[str]:
    generated = f'<time datetime="{utc_z(report.generated_at)}">{utc_human(report.generated_at)}</time>'
    parts = [
        "<header>",
        "<h1>Claim freshness report</h1>",
        f'<p class="meta">Generated {generated}. Store: {e(store_line(report))}.</p>',
    ]
    if report.stale:
        parts.append(f'<p class="stale">Stale report: {e(STALE_MESSAGE)}</p>')
    if report.notes:
        parts.append('<ul class="meta">' + "".join(f"<li>{e(n)}</li>" for n in report.notes) + "</ul>")
    counts = count_by_status(report)
    total = len(report.verdicts)
    items = "".join(
        f'<li><span class="badge s-{s.value}">{n} {status_label(s)}</span></li>' for s, n in counts.items()
    )
    parts += [
        f'<ul class="counts" aria-label="{total} claims by status">'
        f"<li><strong>{total} claim{'s' if total != 1 else ''}</strong></li>{items}</ul>",
        "</header>",
    ]
    return parts


def _summary_table(report: Report) -> list[str]:
    rows = [
        "<table>",
        "<thead><tr><th>Claim</th><th>Status</th><th>Age / shelf life (days)</th>"
        "<th>Top match</th></tr></thead>",
        "<tbody>",
    ]
    for v in report.verdicts:
        top = '<span class="muted">none</span>'
        if v.matches:
            m = top_match(v.matches)
            top = f"{_id_link(m.arxiv_id)} {m.score:.1f}" + (
                ' <span class="sup">superseding?</span>' if m.superseding else ""
            )
        rows.append(
            f'<tr><td class="cid">{e(v.claim.id)}</td><td>{_badge(v.status)}</td>'
            f'<td class="num">{v.age_days} / {v.claim.shelf_life_days}</td><td>{top}</td></tr>'
        )
    rows += ["</tbody>", "</table>"]
    return rows


def _claim(verdict: Verdict) -> list[str]:
    claim = verdict.claim
    parts = [
        f'<section class="claim c-{verdict.status.value}">',
        f'<h2>{_badge(verdict.status)} <span class="cid">{e(claim.id)}</span></h2>',
        f'<p class="meta">Dated {claim.date}, {e(age_line(verdict))}.</p>',
    ]
    if claim.text:
        parts.append(f"<blockquote>{e(claim.text)}</blockquote>")
    if verdict.reasons:
        parts += ["<h3>Why</h3>", "<ul>" + "".join(f"<li>{e(r)}</li>" for r in verdict.reasons) + "</ul>"]
    results = anchor_results(verdict)
    if results:
        parts += ["<h3>Anchors</h3>", "<table>", "<tbody>", *(_anchor_row(r) for r in results)]
        parts += ["</tbody>", "</table>"]
    groups = group_matches(verdict.matches)
    for title, matches in (
        ("Newer papers that challenge it", groups.challenging),
        ("Newer papers that support it", groups.supporting),
    ):
        if matches:
            parts += [f"<h3>{title} ({len(matches)}, best first)</h3>", *_match_table(matches)]
    if groups.related:
        # Everything given, best first; the claims that need attention show it unfolded.
        opened = " open" if needs_attention(verdict) else ""
        parts += [
            f"<details{opened}>",
            "<summary><h3>Newer related papers, for information "
            f"({len(groups.related)}, best first)</h3></summary>",
            *_match_table(groups.related),
            "</details>",
        ]
    if is_flagged(verdict):
        parts += [
            "<details>",
            "<summary><h3>Re-test prompt (paste into any LLM)</h3></summary>",
            f'<pre class="prompt">{html.escape(retest_prompt(verdict), quote=True)}</pre>',
            "</details>",
        ]
    parts.append("</section>")
    return parts


def _match_table(matches: tuple[Match, ...]) -> list[str]:
    return [
        "<table>",
        "<thead><tr><th>Score</th><th>Paper</th><th>Published</th></tr></thead>",
        "<tbody>",
        *(_match_row(m) for m in matches),
        "</tbody>",
        "</table>",
    ]


def _anchor_row(result: AnchorResult) -> str:
    ident = anchor_display_id(result)
    shown = _id_link(ident) if result.anchor.arxiv_id is not None else f'<span class="id">{e(ident)}</span>'
    body = []
    if result.title:
        version = (
            f' <span class="muted">(v{result.latest_version})</span>'
            if result.latest_version is not None
            else ""
        )
        body.append(f"{e(result.title)}{version}")
    if result.detail:
        body.append(f'<span class="muted">{e(result.detail)}</span>')
    if result.anchor.title and result.status in (AnchorStatus.TITLE_MISMATCH, AnchorStatus.TITLE_DIFFERS):
        body.append(f'<span class="muted">cited as:</span> {e(result.anchor.title)}')
    return (
        f'<tr><td class="{_anchor_class(result.status)}"><strong>{anchor_label(result.status)}</strong>'
        f"</td><td>{shown}</td><td>{'<br>'.join(body)}</td></tr>"
    )


def _match_row(match: Match) -> str:
    sup = ' <span class="sup">superseding?</span>' if match.superseding else ""
    evidence = ""
    head = stance_head(match)
    if head is not None:
        kind = "challenges" if challenges(match) else "supports"
        evidence += f'<p class="stance"><span class="st-{kind}">{head}</span>{stance_tail(match, e)}</p>'
    if match.evidence:
        evidence += '<ul class="evidence">' + "".join(f"<li>{e(x)}</li>" for x in match.evidence) + "</ul>"
    return (
        f'<tr><td class="num"><strong>{match.score:.1f}</strong>{sup}</td>'
        f"<td>{_id_link(match.arxiv_id)} {e(match.title)}{evidence}</td>"
        f'<td class="num">{match.published}</td></tr>'
    )
