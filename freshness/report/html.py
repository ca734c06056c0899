"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no external assets).

A summary table links to each claim's card; a card shows the claim's papers per month as a picture,
then the challengers with the sentence that challenges, then supporting and related work, the first
few of each shown and the rest folded. The stale and store warnings are a banner at the top; a print
stylesheet drops the colours and unfolds nothing it cannot.

Every untrusted string goes through `html.escape` (TeX in titles and sentences made readable first);
the only links point at `https://arxiv.org/abs/<validated id>` or at the page's own cards. A
Content-Security-Policy forbids scripts and remote loads, so even a bug in the escaping could not run
anything.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence

from freshness.models import AnchorResult, AnchorStatus, ClaimStatus, Match, Report, Verdict
from freshness.report._common import (
    COMMAND,
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
    stance_head,
    stance_tail,
    status_label,
    store_line,
    top_match,
    utc_human,
    utc_z,
)
from freshness.report.svg import CHART_CSS, month_bars, month_chart
from freshness.report.tex import readable
from freshness.retest import is_flagged, retest_prompt
from freshness.untrusted import one_line

SHOWN = 3  # supporting and related papers shown per card before the rest are folded (--top)

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
.banner { border-radius: 6px; padding: .6rem .9rem; margin: 1rem 0; border: 2px solid var(--yellow); }
.banner.stale { border-color: var(--red); font-weight: 600; }
.banner ul { margin: 0; padding-left: 1.2rem; } .banner strong { color: var(--red); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em;
  background: var(--card); padding: 0 .2em; border-radius: 3px; }
figure { margin: .6rem 0; } figcaption { color: var(--muted); font-size: .8rem; }
.more > summary { color: var(--link); font-size: .9rem; margin: .2rem 0; }
.claim:target { outline: 3px solid var(--link); }
.top { font-size: .8rem; } .summary td.cid { white-space: nowrap; }
@media print {
  :root { --fg: #000; --muted: #444; --bg: #fff; --card: #fff; --line: #999; --link: #000; }
  body { max-width: none; margin: 0; font-size: 11pt; }
  .claim { break-inside: avoid-page; border-radius: 0; }
  .claim:target { outline: none; } .top { display: none; }
  a { text-decoration: none; } a.id::after { content: " <" attr(href) ">"; font-size: .8em; }
  details > summary { list-style: none; }
  details.more:not([open]) { display: none; }
}
""".strip()
CSS = CSS + "\n" + CHART_CSS


def e(text: str) -> str:
    """Untrusted text, escaped for HTML text and attribute values."""
    return html.escape(one_line(text), quote=True)


def t(text: str) -> str:
    """Untrusted prose (a title, a sentence, a reason): TeX made readable, then escaped."""
    return html.escape(readable(one_line(text)), quote=True)


def prose(text: str) -> str:
    """A note or reason: the commands the tool suggests as code, TeX readable, everything escaped."""
    pieces = COMMAND.split(one_line(text))
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else _spaced(p) for i, p in enumerate(pieces))


def _spaced(text: str) -> str:
    """`t(text)` keeping the spaces at its ends (it sits between code spans)."""
    if not text.strip():
        return text
    lead = " " if text[0] == " " else ""
    trail = " " if text[-1] == " " else ""
    return f"{lead}{t(text)}{trail}"


def _id_link(arxiv_id: str) -> str:
    url = abs_url(arxiv_id)
    if url is None:
        return f'<span class="id">{e(arxiv_id)}</span>'
    return f'<a class="id" href="{html.escape(url)}">{e(arxiv_id)}</a>'


def _badge(status: ClaimStatus) -> str:
    return f'<span class="badge s-{status.value}">{status_label(status)}</span>'


def _anchor_class(status: AnchorStatus) -> str:
    return "a-broken" if status.broken else f"a-{status.value}"


_NOT_IN_ID = re.compile(r"[^a-z0-9-]+")


def card_ids(verdicts: Sequence[Verdict]) -> list[str]:
    """Each claim's card id (`claim-<id>`), unique and safe in a URL fragment whatever the claim id."""
    seen: set[str] = set()
    out = []
    for verdict in verdicts:
        base = "claim-" + (_NOT_IN_ID.sub("-", verdict.claim.id.lower()).strip("-") or "x")
        ident, n = base, 1
        while ident in seen:
            n += 1
            ident = f"{base}-{n}"
        seen.add(ident)
        out.append(ident)
    return out


class HtmlFormat:
    """The report as one self-contained HTML page."""

    name = "html"

    def render(self, report: Report, *, width: int = 100, color: bool = False, top: int | None = None) -> str:
        del width, color  # the browser lays it out; colour is always on
        shown = SHOWN if top is None else max(top, 0)
        title = f"Claim freshness report {utc_human(report.generated_at)}"
        parts = [*page_head(title), '<body id="top">', *_header(report)]
        if report.verdicts:
            ids = card_ids(report.verdicts)
            end = report.store.newest_paper or report.generated_at.date()
            parts += _summary_table(report, ids)
            parts += [p for v, i in zip(report.verdicts, ids, strict=True) for p in _claim(v, i, end, shown)]
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


def page_head(title: str, css: str = CSS) -> list[str]:
    """A page's start to the end of its head: the Content-Security-Policy (no script, no remote load),
    no referrer, and its styles inline, so the file stands alone."""
    return [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>\n{css}\n</style>",
        "</head>",
    ]


def _header(report: Report) -> list[str]:
    generated = f'<time datetime="{utc_z(report.generated_at)}">{utc_human(report.generated_at)}</time>'
    parts = [
        "<header>",
        "<h1>Claim freshness report</h1>",
        f'<p class="meta">Generated {generated}. Store: {e(store_line(report))}.</p>',
    ]
    if report.stale:
        parts.append(f'<p class="banner stale" role="alert">Stale report: {e(STALE_MESSAGE)}</p>')
    if report.notes:
        # Notes say what the numbers rest on (an old store, what the poll brought, what changed): read
        # them before the claims.
        items = "".join(f"<li>{prose(n)}</li>" for n in report.notes)
        parts.append(f'<div class="banner notes" role="note"><ul>{items}</ul></div>')
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


def _summary_table(report: Report, ids: Sequence[str]) -> list[str]:
    rows = [
        '<table class="summary">',
        "<thead><tr><th>Claim</th><th>Status</th><th>Age / shelf life (days)</th>"
        "<th>Challengers</th><th>Why it is flagged, or its best match</th></tr></thead>",
        "<tbody>",
    ]
    for v, ident in zip(report.verdicts, ids, strict=True):
        top = '<span class="muted">none</span>'
        challengers = 0
        if v.matches:
            challengers = len(group_matches(v.matches).challenging)
            m = top_match(v.matches)
            top = f"{_id_link(m.arxiv_id)} {t(m.title)}" + (
                ' <span class="sup">superseding?</span>' if m.superseding else ""
            )
        rows.append(
            f'<tr><td class="cid"><a href="#{ident}">{e(v.claim.id)}</a></td><td>{_badge(v.status)}</td>'
            f'<td class="num">{v.age_days} / {v.claim.shelf_life_days}</td>'
            f'<td class="num">{challengers}</td><td>{top}</td></tr>'
        )
    rows += ["</tbody>", "</table>"]
    return rows


def _claim(verdict: Verdict, ident: str, end: dt.date, shown: int) -> list[str]:
    claim = verdict.claim
    parts = [
        f'<section class="claim c-{verdict.status.value}" id="{ident}">',
        f'<h2>{_badge(verdict.status)} <span class="cid">{e(claim.id)}</span>'
        '<a class="top" href="#top">back to the summary</a></h2>',
        f'<p class="meta">Dated {claim.date}, {e(age_line(verdict))}.</p>',
    ]
    if claim.text:
        parts.append(f"<blockquote>{t(claim.text)}</blockquote>")
    parts += _chart(verdict, end)
    if verdict.reasons:
        parts += ["<h3>Why</h3>", "<ul>" + "".join(f"<li>{prose(r)}</li>" for r in verdict.reasons) + "</ul>"]
    results = anchor_results(verdict)
    if results:
        parts += ["<h3>Anchors</h3>", "<table>", "<tbody>", *(_anchor_row(r) for r in results)]
        parts += ["</tbody>", "</table>"]
    groups = group_matches(verdict.matches)
    if groups.challenging:  # every challenger, each with its sentence: they are why a claim is flagged
        parts += [
            f"<h3>Newer papers that challenge it ({len(groups.challenging)}, best first)</h3>",
            *_match_table(groups.challenging),
        ]
    for title, matches in (
        ("Newer papers that support it", groups.supporting),
        ("Newer related papers, for information", groups.related),
    ):
        if matches:
            parts += [f"<h3>{title} ({len(matches)}, best first)</h3>", *_folded(matches, shown)]
    if is_flagged(verdict):
        parts += [
            "<details>",
            "<summary><h3>Re-test prompt (paste into any LLM)</h3></summary>",
            # Shown to read (TeX made readable, line by line); `freshness prompt` prints it raw.
            '<pre class="prompt">'
            + "\n".join(
                html.escape(readable(line), quote=True) for line in retest_prompt(verdict).split("\n")
            )
            + "</pre>",
            "</details>",
        ]
    parts.append("</section>")
    return parts


def _chart(verdict: Verdict, end: dt.date) -> list[str]:
    """The claim's listed papers per month since its date, with a caption saying what is counted."""
    bars = month_bars(verdict, end)
    if not bars:
        return []
    listed = sum(len(b.papers) for b in bars)
    challengers = sum(len(b.challengers) for b in bars)
    first, last = bars[0].month, bars[-1].month
    what = (
        f"The {listed} newer paper{'s' if listed != 1 else ''} this report lists for the claim (its "
        f"best matches, not every related paper in the store) by month first submitted, {first} to "
        f"{last}; a red dot for each of the {challengers} that challenge it."
    )
    label = f"newer papers listed per month, {first} to {last}, {challengers} challenging"
    return [
        '<figure class="months">',
        month_chart(bars, label=label),
        f"<figcaption>{e(what)}</figcaption>",
        "</figure>",
    ]


def _folded(matches: tuple[Match, ...], shown: int) -> list[str]:
    """The first `shown` matches in a table, the rest in a folded one."""
    parts = _match_table(matches[:shown]) if shown else []
    rest = matches[shown:]
    if rest:
        parts += [
            '<details class="more">',
            f"<summary>{len(rest)} more</summary>",
            *_match_table(rest),
            "</details>",
        ]
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
        body.append(f"{t(result.title)}{version}")
    if result.detail:
        body.append(f'<span class="muted">{e(result.detail)}</span>')
    if result.anchor.title and result.status in (AnchorStatus.TITLE_MISMATCH, AnchorStatus.TITLE_DIFFERS):
        body.append(f'<span class="muted">cited as:</span> {t(result.anchor.title)}')
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
        evidence += f'<p class="stance"><span class="st-{kind}">{head}</span>{stance_tail(match, t)}</p>'
    if match.evidence:
        evidence += '<ul class="evidence">' + "".join(f"<li>{t(x)}</li>" for x in match.evidence) + "</ul>"
    return (
        f'<tr><td class="num"><strong>{match.score:.1f}</strong>{sup}</td>'
        f"<td>{_id_link(match.arxiv_id)} {t(match.title)}{evidence}</td>"
        f'<td class="num">{match.published}</td></tr>'
    )
