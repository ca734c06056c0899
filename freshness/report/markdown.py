"""The Markdown report, ready to paste into a GitHub issue or job summary.

Every untrusted string goes through `md()`: one line, HTML-significant characters as entities, Markdown
punctuation backslash-escaped, and the URL shapes GitHub would auto-link broken up, so a title like
`[click](javascript:alert(1))`, `<script>` or `|` renders as the characters it is and links nothing.
The only links are the ones built here, to `https://arxiv.org/abs/<validated id>` and from the summary
table to the claim's section (GitHub's heading anchor). The tool's own sentences keep their
`commands` as code spans (`prose()`), whose content GitHub shows as it is.
"""

from __future__ import annotations

import re

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
    count_by_status,
    group_matches,
    stance_head,
    stance_tail,
    status_label,
    store_line,
    top_match,
    utc_human,
)
from freshness.retest import is_flagged, retest_prompt
from freshness.untrusted import one_line

TOP_MATCHES = 5  # per claim section; GitHub issue bodies stop at 65,536 characters

STATUS_ICON: dict[ClaimStatus, str] = {
    ClaimStatus.ANCHOR_BROKEN: "\N{LARGE RED CIRCLE}",
    ClaimStatus.POSSIBLY_SUPERSEDED: "\N{LARGE ORANGE CIRCLE}",
    ClaimStatus.PERISHABLE: "\N{LARGE YELLOW CIRCLE}",
    ClaimStatus.UNCHECKED: "\N{MEDIUM WHITE CIRCLE}",
    ClaimStatus.FRESH: "\N{LARGE GREEN CIRCLE}",
}
WARNING = "\N{WARNING SIGN}\N{VARIATION SELECTOR-16}"


def _anchor_icon(status: AnchorStatus) -> str:
    if status.broken:
        return "\N{CROSS MARK}"
    if status is AnchorStatus.OK:
        return "\N{WHITE HEAVY CHECK MARK}"
    if status in (AnchorStatus.REVISED, AnchorStatus.TITLE_DIFFERS):
        return WARNING
    return "\N{WHITE QUESTION MARK ORNAMENT}"


_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that start emphasis,
# links, images, code, headings, tables, strikethrough, GitHub math ($) and email autolinks (@).
_BACKSLASHED = frozenset("\\`*_[]()#|!~$@")
_URL_SCHEME = re.compile(r":(?=//)")  # https://x -> https\://x: GitHub's autolinker no longer sees a URL
_WWW = re.compile(r"(?i)\b(www)\.")  # www.x -> www\.x, likewise
# A list marker at the start of a line nests a list inside a list item ("- - x", "- 1. x").
_LEADING = re.compile(r"^(?:(?P<mark>[-+])|(?P<num>\d{1,9})\.)(?=\s|$)")


def md(text: str) -> str:
    """Untrusted text as inert inline Markdown on one line."""
    return _inline(one_line(text))


def _inline(line: str) -> str:
    out = "".join(_ENTITIES.get(ch) or ("\\" + ch if ch in _BACKSLASHED else ch) for ch in line)
    out = _WWW.sub(r"\1\\.", _URL_SCHEME.sub(r"\\:", out))
    return _LEADING.sub(lambda m: "\\" + m["mark"] if m["mark"] else m["num"] + "\\.", out)


def code(text: str) -> str:
    """`text` as an inline code span, shown as it is (no entity, emphasis or link inside)."""
    line = one_line(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", line)), default=0) + 1)
    pad = " " if line.startswith("`") or line.endswith("`") else ""
    return f"{fence}{pad}{line}{pad}{fence}"


def prose(text: str) -> str:
    """A note or reason: the commands the tool suggests (`` `freshness poll` ``) as code spans, all
    the rest through `md()` (backticks in a title stay characters)."""
    pieces = COMMAND.split(one_line(text))
    return "".join(code(p) if i % 2 else _inline(p) for i, p in enumerate(pieces))


_CLAIM_ID = re.compile(r"[a-z0-9-]+")


def section_anchor(verdict: Verdict) -> str | None:
    """The fragment GitHub gives the claim's `## ` heading: lower case, punctuation and emoji dropped,
    spaces to hyphens; None for an id that is not the claims file's [a-z0-9-]+ (no link then)."""
    if not _CLAIM_ID.fullmatch(verdict.claim.id):
        return None
    return f"#-{verdict.claim.id}-{status_label(verdict.status).replace(' ', '-')}"


def _link(arxiv_id: str) -> str:
    """A link to arXiv for a valid id, or the escaped text when it is not one."""
    url = abs_url(arxiv_id)
    return f"[{md(arxiv_id)}]({url})" if url else md(arxiv_id)


class MarkdownFormat:
    """The report as GitHub-flavoured Markdown."""

    name = "markdown"

    def render(self, report: Report, *, width: int = 100, color: bool = False, top: int | None = None) -> str:
        del width, color  # Markdown is reflowed by whatever displays it
        shown = TOP_MATCHES if top is None else max(top, 0)
        lines = _header(report)
        if report.verdicts:
            lines += _summary_table(report)
            for verdict in report.verdicts:
                if verdict.status.asks_for_a_look:
                    lines += _section(verdict, shown)
        else:
            lines += ["No claims to report.", ""]
        lines += [
            "---",
            "",
            f"<sub>Scores are 0-100 relatedness to the claim's topics; {WARNING} marks a paper that "
            f"challenges the claim surely enough to flag it; {md(CONFIDENCE_NOTE)}. Made by freshness.</sub>",
        ]
        return "\n".join(lines) + "\n"


def _header(report: Report) -> list[str]:
    lines = [
        "# Claim freshness report",
        "",
        f"Generated {utc_human(report.generated_at)}. Store: {md(store_line(report))}.",
        "",
    ]
    if report.stale:
        lines += ["> [!WARNING]", f"> **Stale report:** {prose(STALE_MESSAGE)}", ""]
    if report.notes:
        lines += [f"- _Note:_ {prose(note)}" for note in report.notes] + [""]
    counts = count_by_status(report)
    total = len(report.verdicts)
    parts = [f"{STATUS_ICON[s]} {n} {status_label(s)}" for s, n in counts.items()]
    lines += [f"**{total} claim{'s' if total != 1 else ''}:** " + " · ".join(parts), ""]
    return lines


def _summary_table(report: Report) -> list[str]:
    lines = ["| Claim | Status | Age / shelf life (days) | Top match |", "| --- | --- | --- | --- |"]
    for v in report.verdicts:
        top = "—"
        if v.matches:
            m = top_match(v.matches)
            top = f"{_link(m.arxiv_id)} {m.score:.1f}" + (f" {WARNING}" if m.superseding else "")
        status = f"{STATUS_ICON[v.status]} {status_label(v.status)}"
        anchor = section_anchor(v) if v.status.asks_for_a_look else None
        claim = f"[{md(v.claim.id)}]({anchor})" if anchor else md(v.claim.id)
        lines.append(f"| {claim} | {status} | {v.age_days} / {v.claim.shelf_life_days} | {top} |")
    return [*lines, ""]


def _section(verdict: Verdict, shown: int) -> list[str]:
    claim = verdict.claim
    lines = [
        f"## {STATUS_ICON[verdict.status]} {md(claim.id)}: {status_label(verdict.status)}",
        "",
    ]
    if claim.text:
        lines += [f"> {md(claim.text)}", ""]
    lines += [f"Dated {claim.date}, {age_line(verdict)}.", ""]
    if verdict.reasons:
        lines += ["**Why**", ""] + [f"- {prose(r)}" for r in verdict.reasons] + [""]
    results = anchor_results(verdict)
    if results:
        lines += ["**Anchors**", ""] + [_anchor_item(r) for r in results] + [""]
    groups = group_matches(verdict.matches)
    for title, matches in (
        ("Newer papers that challenge it", groups.challenging),
        ("Newer papers that support it", groups.supporting),
    ):
        if matches:
            lines += [f"**{title}**{_more(matches, shown)}", ""] + [_stance_item(m) for m in matches[:shown]]
            lines.append("")
    if groups.related:
        lines += [
            f"**Newer related papers, for information**{_more(groups.related, shown)}",
            "",
            "| Score | Paper | Published | Evidence |",
            "| ---: | --- | --- | --- |",
        ]
        lines += [_match_row(m) for m in groups.related[:shown]]
        lines.append("")
    if is_flagged(verdict):
        lines += _prompt_block(retest_prompt(verdict))
    return lines


def _prompt_block(prompt: str) -> list[str]:
    """The re-test prompt as a quote, every line inert Markdown (what GitHub renders is the prompt's
    text, ready to copy); `freshness prompt CLAIM` prints the same text raw."""
    # One quoted paragraph a line: consecutive quote lines would run together into one paragraph.
    lines = [line for line in prompt.rstrip("\n").split("\n") if line.strip()]
    quoted = [row for line in lines for row in (f"> {md(line)}", ">")][:-1]
    return [
        "**Re-test prompt** (paste into any LLM; or pipe freshness prompt CLAIM into one)",
        "",
        *quoted,
        "",
    ]


def _more(matches: tuple[Match, ...], shown: int) -> str:
    total = len(matches)
    return f" (top {shown} of {total}, best first)" if total > shown else ""


def _anchor_item(result: AnchorResult) -> str:
    ident = anchor_display_id(result)
    shown = _link(ident) if result.anchor.arxiv_id is not None else md(ident)
    item = f"- {_anchor_icon(result.status)} {shown} **{anchor_label(result.status)}**"
    if result.title:
        version = f" (v{result.latest_version})" if result.latest_version is not None else ""
        item += f": {md(result.title)}{version}"
    if result.detail:
        item += f" — {md(result.detail)}"
    if result.anchor.title and result.status in (AnchorStatus.TITLE_MISMATCH, AnchorStatus.TITLE_DIFFERS):
        item += f"; cited as {md(result.anchor.title)}"
    return item


def _stance_item(match: Match) -> str:
    """A challenging or supporting paper: score, link, title and date, then its stance in the words of
    its abstract, then why it matched."""
    flag = f"{WARNING} " if match.superseding else ""
    item = f"- {flag}**{match.score:.1f}** {_link(match.arxiv_id)} {md(match.title)} ({match.published})"
    item += f"\n  - **{stance_head(match)}**{stance_tail(match, md)}"
    if match.evidence:
        item += "\n  - " + "; ".join(md(e) for e in match.evidence)
    return item


def _match_row(match: Match) -> str:
    score = f"{match.score:.1f}" + (f" {WARNING}" if match.superseding else "")
    paper = f"{_link(match.arxiv_id)} {md(match.title)}"
    evidence = "; ".join(md(e) for e in match.evidence)
    return f"| {score} | {paper} | {match.published} | {evidence} |"
