"""An anchor check for people and CI: a table for the terminal, GitHub Actions annotations and the stable
JSON document of docs/ci.md. Untrusted text (cited anchors, arXiv's titles) stays inert in each."""

from __future__ import annotations

import json

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from freshness.anchors import AnchorCheck, exit_code
from freshness.models import AnchorStatus, utc_iso
from freshness.untrusted import escape_raw_in_json, strip_control

JSON_SCHEMA_VERSION = 1

_STYLE = {
    AnchorStatus.OK: "green",
    AnchorStatus.REVISED: "yellow",
    AnchorStatus.TITLE_DIFFERS: "yellow",
    AnchorStatus.UNCHECKED: "yellow",
}


def summary_line(check: AnchorCheck) -> str:
    counts = check.counts()
    parts = [f"{n} {s.words}" for s, n in counts.items() if n]
    if check.offline:
        mode = "offline, from the store"
    elif check.queries == 0:
        mode = "all from the cache: nothing asked of arXiv"
    else:
        mode = f"{check.queries} arXiv quer{'y' if check.queries == 1 else 'ies'}"
    others = sorted({a.result.confirmed_by or "arXiv" for a in check.anchors} - {"arXiv", "the store"})
    for name in others:
        n = sum(1 for a in check.anchors if a.result.confirmed_by == name)
        mode += f"; {n} confirmed by {name} only"
    verified = f"{check.verified} of {len(check.anchors)} verified"
    return f"{len(check.anchors)} anchor(s), {verified}: " + (", ".join(parts) or "none") + f" ({mode})"


DETAIL_MIN_WIDTH = 20  # below this the detail column is unreadable: each anchor becomes a block instead
_MALFORMED_WIDTH = 22  # a malformed anchor's text (not an id) may wrap: it does not widen the table
_TABLE_EXTRA = 9  # padding and dividers of four columns in a SIMPLE box without edges


def render_text(check: AnchorCheck, *, width: int | None = None) -> AnchorTable:
    """A rich renderable (claim, anchor, status, detail), laid out for the width it is printed at
    (or `width`); readable without colour. Untrusted text goes in as Text, never as markup."""
    return AnchorTable(check, width)


class AnchorTable:
    """The text table of an anchor check. Claim ids and arXiv ids are never broken across lines: their
    columns are as wide as their longest entry and only the detail wraps. When that leaves the detail
    fewer than DETAIL_MIN_WIDTH columns (long claim ids, a narrow terminal), each anchor is printed as
    a block instead: the claim id, then the anchor and status, then the detail, indented."""

    def __init__(self, check: AnchorCheck, width: int | None = None) -> None:
        self.check = check
        self.width = width
        self.rows = [
            (
                checked.claim_id,
                strip_control(checked.result.anchor.raw),
                f"(line {checked.result.anchor.line})",
                checked.result.status.words,
                _STYLE.get(checked.result.status, "bold red"),
                strip_control(checked.result.detail),
                checked.result.anchor.arxiv_id is not None,
            )
            for checked in check.anchors
        ]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = self.width or options.max_width
        claim = max([len("Claim"), *(len(r[0]) for r in self.rows)])
        anchor = max(
            [
                len("Anchor"),
                *(len(r[2]) for r in self.rows),
                *(len(r[1]) if r[6] else min(len(r[1]), _MALFORMED_WIDTH) for r in self.rows),
            ]
        )
        status = max([len("Status"), *(len(r[3]) for r in self.rows)])
        if width - claim - anchor - status - _TABLE_EXTRA >= DETAIL_MIN_WIDTH:
            yield self._table(claim, anchor, status)
        else:
            yield self._blocks(console, width)

    def _table(self, claim: int, anchor: int, status: int) -> Table:
        table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, expand=False)
        table.add_column("Claim", width=claim, overflow="fold")
        table.add_column("Anchor", width=anchor, overflow="fold")
        table.add_column("Status", width=status, no_wrap=True)
        table.add_column("Detail", overflow="fold")  # the one column that wraps, to what is left
        for claim_id, raw, line, label, style, detail, _ in self.rows:
            table.add_row(Text(claim_id), Text(f"{raw}\n{line}"), Text(label, style=style), Text(detail))
        return table

    def _blocks(self, console: Console, width: int) -> Group:
        # One word a line where it matters: an id breaks only if it is wider than the whole screen.
        parts: list[RenderableType] = []
        last: str | None = None
        for claim_id, raw, line, label, style, detail, _ in self.rows:
            if claim_id != last:
                parts.extend(_indented(console, Text(claim_id, style="bold"), 0, width))
                last = claim_id
            head = Text(f"{raw} {line}  ")
            head.append(label, style=style)
            parts.extend(_indented(console, head, 2, width))
            parts.extend(_indented(console, Text(detail), 4, width))
        return Group(*parts)


def _indented(console: Console, text: Text, indent: int, width: int) -> list[Text]:
    """`text` wrapped to the width left after `indent` spaces, each line indented, without the trailing
    spaces a padded renderable would add (they end up in logs and in what people copy)."""
    lines = []
    for line in text.wrap(console, max(1, width - indent), overflow="fold"):
        line.rstrip()
        lines.append(Text(" " * indent) + line)
    return lines


def render_github(check: AnchorCheck, claims_path: str) -> str:
    """GitHub Actions workflow commands: `::error` for broken anchors, `::warning` for title_differs,
    revised and unchecked ones, each at the anchor's line and column in the claims file; then a
    summary line."""
    lines: list[str] = []
    for checked in check.anchors:
        r = checked.result
        if r.status is AnchorStatus.OK:
            continue
        kind = "error" if r.status.broken else "warning"
        props = ",".join(
            f"{k}={_gh_property(v)}"
            for k, v in (
                ("file", claims_path),
                ("line", str(r.anchor.line)),
                ("col", str(r.anchor.col)),
                ("title", f"freshness anchor {r.status.value}"),
            )
        )
        message = f"{r.anchor.raw} ({checked.claim_id}): {r.detail}"
        lines.append(f"::{kind} {props}::{_gh_data(message)}")
    lines.append(_gh_data(summary_line(check)))
    lines.extend(
        f"::error title=freshness anchor::{_gh_data('could not check: ' + p)}" for p in check.problems
    )
    return "\n".join(lines) + "\n"


def _gh_data(text: str) -> str:
    # Untrusted text (titles) loses ANSI escapes and other controls (the Actions log renders them), then
    # GitHub's workflow-command escaping (toolkit/core command.ts): % first, then CR and LF.
    text = strip_control(text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def render_json(check: AnchorCheck) -> str:
    """The stable JSON document described in docs/ci.md (schema_version 1)."""
    counts = check.counts()
    doc = {
        "schema_version": JSON_SCHEMA_VERSION,
        "checked_at": utc_iso(check.checked_at),
        "offline": check.offline,
        "exit_code": exit_code(check),
        "summary": {s.value: counts[s] for s in AnchorStatus},
        "problems": list(check.problems),
        "anchors": [
            {
                "claim": c.claim_id,
                "anchor": c.result.anchor.raw,
                "id": None if c.result.anchor.arxiv_id is None else str(c.result.anchor.arxiv_id),
                "status": c.result.status.value,
                "broken": c.result.status.broken,
                "detail": c.result.detail,
                "title": c.result.title,
                "cited_title": c.result.anchor.title,
                "agreeing_words": list(c.result.agreeing_words),
                "latest_version": c.result.latest_version,
                "line": c.result.anchor.line,
                "col": c.result.anchor.col,
                "checked_at": utc_iso(c.result.checked_at) if c.result.checked_at else None,
                "confirmed_by": c.result.confirmed_by,
            }
            for c in check.anchors
        ],
    }
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    # JSON escapes C0 controls itself; C1 controls (a terminal reads 0x9b as CSI) and bidi overrides in
    # arXiv's titles are escaped too, so `cat anchors.json` is inert.
    return escape_raw_in_json(text) + "\n"
