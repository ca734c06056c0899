"""The terminal report: one block per claim, readable at 80 columns and without colour.

The layout is composed here line by line (word wrap to the width, hanging indents, a few columns) and
coloured with plain SGR escapes, instead of a rich Table per claim: rich's grid layout took about 4 ms a
claim, 4 s of a 1,000-claim report (docs/dev/benchmarks-log.md). Untrusted text goes in only through
`one_line()` (controls, ANSI and bidi characters stripped) and is only ever written as text: there is no
markup language here, so a title like `[bold red]x[/]` prints as those characters. Only ASCII is used for
the frame, so cron mail and logs show it as it is meant.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from rich.cells import cell_len, chop_cells

from freshness.models import AnchorResult, AnchorStatus, ClaimStatus, Match, Report, Verdict
from freshness.report._common import (
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
    utc_human,
)
from freshness.untrusted import one_line

TOP_MATCHES = 3
MIN_WIDTH = 20  # narrower than this, nothing useful fits; lines are laid out for 20 columns
ID_COLUMN_MAX = 20  # well-formed ids fit ("hep-th/9901001v12"); a long malformed one is folded, never cut
MIN_BODY = 20  # an anchor's text narrower than this goes under its id instead of beside it
SCORE_COLUMN = 6

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
    AnchorStatus.TITLE_DIFFERS: "yellow",
    AnchorStatus.UNCHECKED: "dim",
}
BROKEN_ANCHOR_STYLE = "bold red"
STANCE_STYLE = {"challenges": "red", "supports": "green"}

# A run of text and its style ("" for none); a paragraph is a list of them, wrapped as one.
Segment = tuple[str, str]
Paragraph = list[Segment]

_ATTRIBUTES = {"bold": "1", "dim": "2", "italic": "3"}
_COLOURS = {"black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7}
_WORD = re.compile(r"\s*\S+\s*")
_RESET = "\x1b[0m"


class TerminalFormat:
    """The report as text for a terminal or a log, with ANSI colour only when asked."""

    name = "terminal"

    def render(self, report: Report, *, width: int = 100, color: bool = False, top: int | None = None) -> str:
        # The caller decided about colour (it looked at NO_COLOR and the TTY), not the environment.
        layout = _Layout(max(width, MIN_WIDTH), color, TOP_MATCHES if top is None else max(top, 0))
        layout.report(report)
        return "\n".join(layout.lines) + "\n"


@lru_cache(maxsize=32)
def sgr(style: str) -> str:
    """`bold white on red` -> the escape that starts it (`ESC[1;37;41m`), in the 8 standard colours."""
    codes: list[str] = []
    colour: list[str] = []
    words = style.split()
    for i, word in enumerate(words):
        if word in _ATTRIBUTES:
            codes.append(_ATTRIBUTES[word])
        elif word in _COLOURS:
            background = i > 0 and words[i - 1] == "on"
            colour.append(str((40 if background else 30) + _COLOURS[word]))
        elif word != "on":
            raise ValueError(f"unknown terminal style word {word!r} in {style!r}")
    return f"\x1b[{';'.join(codes + colour)}m" if codes or colour else ""


def cells(text: str) -> int:
    """Columns `text` takes on a terminal (wide CJK characters take two)."""
    return len(text) if text.isascii() else cell_len(text)


def break_offsets(text: str, width: int) -> list[int]:
    """Where to break `text` so that every line fits `width` columns: between words, and inside a word
    only when the word alone is wider than a line (it is folded, never cut). The same breaks as rich."""
    measure = len if text.isascii() else cell_len
    breaks: list[int] = []
    column = 0
    for word_match in _WORD.finditer(text):
        start, word = word_match.start(), word_match.group()
        length = measure(word.rstrip())
        if width - column >= length:
            column += measure(word)
        elif length > width:
            pieces = chop_cells(word, width)
            for piece in pieces[:-1]:
                if start:
                    breaks.append(start)
                start += len(piece)
            if start:
                breaks.append(start)
            column = measure(pieces[-1])
        elif column and start:
            breaks.append(start)
            column = measure(word)
    return breaks


def wrap(paragraph: Paragraph, width: int) -> list[Paragraph]:
    """`paragraph` as lines of at most `width` columns, each a list of styled segments (trailing
    spaces dropped)."""
    plain = "".join(text for text, _ in paragraph)
    if cells(plain) <= width:
        return [paragraph]
    bounds = [0, *break_offsets(plain, width), len(plain)]
    lines: list[Paragraph] = []
    for begin, end in pairwise(bounds):
        line: Paragraph = []
        offset = 0
        for text, style in paragraph:
            lo, hi = max(begin - offset, 0), min(end - offset, len(text))
            if lo < hi:
                line.append((text[lo:hi], style))
            offset += len(text)
        while line and not line[-1][0].rstrip():
            line.pop()
        if line:
            line[-1] = (line[-1][0].rstrip(), line[-1][1])
        lines.append(line)
    return lines


class _Layout:
    """Accumulates the report's lines at one width, painted or plain."""

    def __init__(self, width: int, color: bool, top: int = TOP_MATCHES) -> None:
        self.width = width
        self.color = color
        self.top = top
        self.lines: list[str] = []

    # -- writing ---------------------------------------------------------------------------------

    def emit(self, line: Paragraph) -> None:
        if self.color:
            text = "".join(f"{sgr(style)}{t}{_RESET}" if style and t else t for t, style in line)
        else:
            text = "".join(t for t, _ in line)
        self.lines.append(text.rstrip())

    def block(
        self, paragraphs: Sequence[Paragraph], *, first: Paragraph | None = None, hang: int = 0
    ) -> None:
        """`paragraphs` wrapped `hang` columns in from the left: the first line after `first` (which is
        `hang` columns wide), the others under it."""
        pad: Paragraph = [(" " * hang, "")] if hang else []
        lines = [line for p in paragraphs for line in wrap(p, self.width - hang)]
        for i, line in enumerate(lines):
            self.emit([*(first if i == 0 and first is not None else pad), *line])

    def rule(self, char: str = "-", style: str = "") -> None:
        self.emit([(char * self.width, style)])

    # -- the report ------------------------------------------------------------------------------

    def report(self, report: Report) -> None:
        generated = f"  generated {utc_human(report.generated_at)}"
        self.block([[("Claim freshness report", "bold"), (generated, "")]])
        self.block([[(f"Store: {store_line(report)}", "dim" if report.store.papers else "bold yellow")]])
        if report.stale:
            self.rule("!", "red")
            message = STALE_MESSAGE[0].upper() + STALE_MESSAGE[1:]
            self.block([[(message, "bold")]], first=[("STALE", "bold white on red"), (" ", "")], hang=6)
            self.rule("!", "red")
        for note in report.notes:
            self.block([[(one_line(note), "")]], first=[("Note: ", "")], hang=6)
        if not report.verdicts:
            self.lines.append("")
            self.block([[("No claims to report.", "")]])
        for verdict in report.verdicts:
            self.rule()
            self.claim(verdict)
        self.rule()
        self.summary(report)

    def claim(self, verdict: Verdict) -> None:
        claim = verdict.claim
        status = (status_label(verdict.status).upper(), STATUS_STYLE[verdict.status])
        self.block([[status, ("  ", ""), (one_line(claim.id), "bold")]])
        self.block([[(f"dated {claim.date}, {age_line(verdict)}", "dim")]])
        if claim.text:
            self.block([[(one_line(claim.text), "italic")]], hang=2)
        if verdict.reasons:
            self.block([[("Why", "bold")]])
            for reason in verdict.reasons:
                self.block([[(one_line(reason), "")]], first=[("  - ", "")], hang=4)
        if claim.anchors or verdict.anchors:
            self.block([[("Anchors", "bold")]])
            self.anchors(anchor_results(verdict))
        if verdict.matches:
            # Challengers first, then supporters, then related work: each its own list, best first.
            groups = group_matches(verdict.matches)
            self.matches("Newer papers that challenge it", groups.challenging)
            self.matches("Newer papers that support it", groups.supporting)
            self.matches("Newer related papers, for information", groups.related)

    def matches(self, title: str, matches: Sequence[Match]) -> None:
        """A heading and the best `self.top` of `matches` (only the count when that is 0); nothing when
        there are none."""
        if not matches:
            return
        total = len(matches)
        heading: Paragraph = [(title, "bold")]
        if self.top == 0:
            heading.append((f" ({total}; --top shows them)", "bold dim"))
        elif total > self.top:
            heading.append((f" (top {self.top} of {total}, best first)", "bold dim"))
        elif total > 1:
            heading.append((" (best first)", "bold dim"))
        self.block([heading])
        for match in matches[: self.top]:
            self.match(match)

    def anchors(self, results: Sequence[AnchorResult]) -> None:
        """Three columns two spaces apart: status word, id, and what is known (title, detail)."""
        rows = [(r, anchor_label(r.status), one_line(anchor_display_id(r))) for r in results]
        status_width = max(len(label) for _, label, _ in rows)
        id_width = min(max(cells(shown) for _, _, shown in rows), ID_COLUMN_MAX)
        hang = 2 + status_width + 2 + id_width + 2
        beside = self.width - hang >= MIN_BODY
        for result, label, shown in rows:
            status: Paragraph = [
                ("  ", ""),
                (label, _anchor_style(result.status)),
                (" " * (status_width - len(label) + 2), ""),
            ]
            body = _anchor_body(result)
            if not beside:  # too narrow for three columns: the text goes under the status and id
                if 2 + status_width + 2 + cells(shown) <= self.width:
                    self.emit([*status, (shown, "")])
                else:
                    self.emit(status)
                    self.block([[(shown, "")]], hang=4)
                self.block(body, hang=4)
                continue
            id_lines = ["".join(t for t, _ in line) for line in wrap([(shown, "")], id_width)]
            lines = [line for p in body for line in wrap(p, self.width - hang)]
            blank: Paragraph = [(" " * (2 + status_width + 2), "")]
            for i in range(max(len(id_lines), len(lines))):
                ident = id_lines[i] if i < len(id_lines) else ""
                column = " " * (id_width - cells(ident) + 2)
                self.emit([*(status if i == 0 else blank), (ident + column, ""), *_at(lines, i)])

    def match(self, match: Match) -> None:
        """The score right-aligned in its column, then link and date, title, the stance with the sentence
        that states it, the first evidence line."""
        url = abs_url(match.arxiv_id)
        head: Paragraph = [
            (url or one_line(match.arxiv_id), "cyan" if url else ""),
            (f"  {match.published}", "dim"),
        ]
        if match.superseding:
            head += [("  ", ""), ("SUPERSEDING?", "bold red")]
        paragraphs = [head, [(one_line(match.title) or "(no title)", "")]]
        stance = stance_head(match)
        if stance is not None:
            style = STANCE_STYLE["challenges" if challenges(match) else "supports"]
            paragraphs.append([(stance, style), (stance_tail(match, str, ascii_only=True), "")])
        if match.evidence:
            paragraphs.append([(one_line(match.evidence[0]), "dim")])
        score: Paragraph = [(f"{match.score:.1f}".rjust(SCORE_COLUMN), "bold"), (" ", "")]
        self.block(paragraphs, first=score, hang=SCORE_COLUMN + 1)

    def summary(self, report: Report) -> None:
        """`5 claims: 1 anchor broken, ...`, wrapped by hand so a count never parts from its status."""
        total = len(report.verdicts)
        pieces: list[Segment] = [(f"{total} claim{'s' if total != 1 else ''}:", "bold")]
        counts = list(count_by_status(report).items())
        for i, (status, n) in enumerate(counts):
            sep = "," if i < len(counts) - 1 else ""
            pieces.append((f"{n} {status_label(status)}{sep}", STATUS_STYLE[status] if n else "dim"))
        if report.stale:
            pieces.append(("(STALE)", "bold red"))
        line: Paragraph = []
        column = 0
        for piece in pieces:
            if line and column + 1 + len(piece[0]) > self.width:
                self.block([line])  # a piece wider than the terminal still breaks at its spaces
                line, column = [], 0
            elif line:
                line.append((" ", ""))
                column += 1
            line.append(piece)
            column += len(piece[0])
        self.block([line])  # a piece wider than the terminal still breaks at its spaces


def _anchor_style(status: AnchorStatus) -> str:
    return BROKEN_ANCHOR_STYLE if status.broken else ANCHOR_STYLE.get(status, "")


def _anchor_body(result: AnchorResult) -> list[Paragraph]:
    """What is known about an anchor: arXiv's title and latest version, the detail, the cited title."""
    paragraphs: list[Paragraph] = []
    if result.title:
        title: Paragraph = [(one_line(result.title), "")]
        if result.latest_version is not None:
            title.append((f" (v{result.latest_version})", "dim"))
        paragraphs.append(title)
    elif result.latest_version is not None:
        paragraphs.append([(f"v{result.latest_version}", "dim")])
    detail = one_line(result.detail)
    if detail:
        paragraphs.append([(detail, "dim" if result.status is AnchorStatus.OK else "")])
    if result.anchor.title and result.status in (AnchorStatus.TITLE_MISMATCH, AnchorStatus.TITLE_DIFFERS):
        paragraphs.append([("cited as: ", "dim"), (one_line(result.anchor.title), "")])
    return paragraphs


def _at(lines: list[Paragraph], i: int) -> Paragraph:
    return lines[i] if i < len(lines) else []
