"""Write a Draft as claims.yaml text: valid for `freshness validate`, every guess in a comment.

Strings from the note are untrusted: control characters are stripped, values are written as YAML
double-quoted scalars (JSON's escaping is valid YAML), and comments are kept to one line.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import textwrap
from pathlib import Path

from freshness.claims import read_claims
from freshness.errors import NoteError
from freshness.extract import Draft, DraftAnchor, DraftClaim
from freshness.untrusted import strip_control

WIDTH = 100
COMMENT_CHARS = 160


def _q(text: str) -> str:
    return json.dumps(" ".join(strip_control(text).split()), ensure_ascii=False)


def _comment(text: str, indent: int = 0) -> list[str]:
    """A comment on as many lines as it needs; untrusted text never ends the comment early."""
    flat = " ".join(strip_control(text).split())
    return [" " * indent + "# " + line for line in textwrap.wrap(flat, WIDTH - indent - 2) or [""]]


def _short(text: str) -> str:
    flat = " ".join(strip_control(text).split())
    return flat if len(flat) <= COMMENT_CHARS else flat[: COMMENT_CHARS - 1] + "…"


def render_draft(draft: Draft, *, note_name: str, today: dt.date) -> str:
    """The draft as the text of a claims.yaml file."""
    out = _comment(f"DRAFT claims extracted from the research note {note_name} on {today}.")
    if draft.note.title:
        out += _comment(f"The note asks: {draft.note.title}")
    out += [
        "# Everything here is a guess to check before use: claim wording, which anchors belong to which",
        "# claim, dates and topics (each guess says why in a comment). Anchor titles are kept as the note",
        "# cites them: `freshness check-anchors` compares them with arXiv's. Schema: docs/claims.md.",
        "",
        "version: 1",
        "",
        "claims:",
    ]
    for claim in draft.claims:
        out += _claim(claim, note_name)
    if draft.unplaced:
        out += ["", "# Cited in the note but tied to no finding (add them where they belong):"]
        for anchor in draft.unplaced:
            title = f" — {anchor.cited.title}" if anchor.cited.title else ""
            out += _comment(f"{anchor.cited.arxiv_id} (line {anchor.cited.line}){title}")
    if draft.rejected:
        out += ["", "# Not arXiv ids as written, left out:"]
        for cited in draft.rejected:
            out += _comment(f"{cited.raw!r} (line {cited.line}): {cited.error}")
    return "\n".join(out) + "\n"


def _claim(claim: DraftClaim, note_name: str) -> list[str]:
    f = claim.finding
    lines = [""]
    lines += _comment(f"source: {note_name}:{f.line}: {_short(f.written)}", 2)
    lines.append(f"  - id: {claim.id}")
    lines.append("    claim: " + _q(f.text))
    lines += _comment(f"date: {claim.date_source}", 4)
    lines.append(f"    date: {claim.date.isoformat()}")
    lines += _comment("topics: suggested from the finding and its anchors' titles and abstracts", 4)
    lines.append("    topics:")
    lines += [f"      - {_q(t)}" for t in claim.topics]
    if claim.categories:
        lines += _comment("categories: those of the anchors' papers in the store", 4)
        lines.append("    categories: [" + ", ".join(claim.categories) + "]")
    if claim.anchors:
        lines.append("    anchors:")
        for anchor in claim.anchors:
            lines += _anchor(anchor)
    return lines


def _anchor(anchor: DraftAnchor) -> list[str]:
    cited = anchor.cited
    assert cited.arxiv_id is not None
    notes = []
    if anchor.placed_by:
        notes.append("placed here by the words " + ", ".join(anchor.placed_by))
    elif not cited.listed:
        notes.append("cited in the finding itself")
    else:
        notes.append("placed here by its abstract and year (GUESS)")
    if anchor.paper is not None:
        notes.append(
            f"store: v1 {anchor.paper.published}, latest v{anchor.paper.version} ({anchor.paper.updated})"
        )
    else:
        notes.append("not in the store: check-anchors (online) will verify it")
    if cited.year is not None:
        notes.append(f"the note says {cited.year}")
    lines = _comment("; ".join(notes), 6)
    lines.append(f"      - id: arXiv:{cited.arxiv_id}")
    if cited.title:
        lines.append("        title: " + _q(cited.title))
    return lines


MAX_NOTE_BYTES = 2_000_000  # a research note is a few pages; anything far larger is not one


def read_note_file(path: Path) -> str:
    """The note's text; NoteError if it is missing, too large, binary or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTE_BYTES:
            raise NoteError(f"{path}: {size} bytes is not a research note (at most {MAX_NOTE_BYTES})")
        data = path.read_bytes()
    except OSError as exc:
        raise NoteError(f"cannot read {path}: {exc.strerror or exc}") from None
    if b"\x00" in data:
        raise NoteError(f"{path} is a binary file, not a plain-text or Markdown note")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NoteError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def check_draft(text: str, *, today: dt.date) -> None:
    """Validate the draft as `freshness validate` would; a problem here is a bug in the extractor."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "claims.yaml"
        path.write_text(text, encoding="utf-8")
        problems = read_claims(path, today=today).problems
    if problems:
        raise NoteError(
            "the draft does not validate: " + "; ".join(p.message for p in problems),
            tip="a bug in freshness extract: please report it with the note",
        )


def write_draft(text: str, output: Path, *, force: bool) -> None:
    """Write the draft, never over an existing file unless `force`."""
    if output.exists() and not force:
        raise NoteError(f"{output} exists; not overwriting it", tip="pass --force, or --output another file")
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise NoteError(f"cannot write {output}: {exc.strerror or exc}") from None
