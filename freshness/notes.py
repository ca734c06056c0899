"""Read a research note (plain text or Markdown): the arXiv ids it cites, with the title and year
written next to them, its dated findings, and its source notes (a question and what it found).

Pure: text in, a Note out. Nothing here guesses which anchor belongs to which finding (extract.py).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from freshness.arxiv_ids import OLD_ARCHIVES, ArxivId, ArxivIdError, parse_arxiv_id
from freshness.untrusted import strip_control

MIN_FINDING_WORDS = 6  # a bullet shorter than this is a heading or a label, not a finding


@dataclass(frozen=True)
class CitedPaper:
    """An arXiv id as the note writes it. `arxiv_id` is None when the text is not a valid id (then
    `error` says why); `title` and `year` are what is written next to it."""

    raw: str
    arxiv_id: ArxivId | None
    line: int
    title: str | None = None
    year: int | None = None
    error: str | None = None
    listed: bool = False  # on a line of its own in a list of papers, not inside a finding


@dataclass(frozen=True)
class Finding:
    """A sentence or bullet stating a result, with the years it names ("(2024\u201325)" -> 2024, 2025)."""

    text: str
    line: int
    written: str  # the line as written in the note, for the draft's comment
    years: tuple[int, ...] = ()
    cited: tuple[CitedPaper, ...] = ()  # ids written inside the finding itself


@dataclass(frozen=True)
class SourceNote:
    """A question on a line of its own and the paragraph under it (the note's "Sources" list)."""

    question: str
    summary: str
    line: int

    @property
    def text(self) -> str:
        return f"{self.question} {self.summary}"


@dataclass(frozen=True)
class Note:
    title: str | None
    findings: tuple[Finding, ...]
    papers: tuple[CitedPaper, ...]  # every id cited, in order, each once
    sources: tuple[SourceNote, ...] = ()
    paragraphs: tuple[str, ...] = ()  # prose paragraphs: source notes cited together belong together


# -- ids --------------------------------------------------------------------------------------------

_OLD_ARCHIVE = "|".join(sorted((re.escape(a) for a in OLD_ARCHIVES), key=len, reverse=True))
# Any common form: an abs/pdf URL, an `arXiv:` prefix (whatever follows, so a wrong id is reported),
# a bare new-style id, a bare old-style id.
_ID = re.compile(
    r"(?P<url>https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(?P<url_id>[A-Za-z.\-]*/?[\w.]+?))"
    r"(?:\.pdf)?(?=[\s)\]>,;\"'*_]|\.(?:\s|$)|$)"
    r"|(?P<prefixed>arXiv:\s?(?P<pre_id>[\w.\-/]+?))(?=[\s)\],;:\"'*_]|\.(?:\s|$)|$)"
    r"|(?<![\w./])(?P<bare>\d{4}\.\d{4,5}(?:v\d+)?)(?![\w/]|\.\d)"
    rf"|(?<![\w./-])(?P<old>(?:{_OLD_ARCHIVE})(?:\.[A-Z]{{2}})?/\d{{7}}(?:v\d+)?)(?![\w/])",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?:\s*[\u2013—-]\s*(\d{2,4}))?(?!\d)")
_DASH_TITLE = re.compile(
    r"^\s*(?:\(\s*(?P<y>(?:19|20)\d\d)\s*\))?\s*[,;]?\s*(?:[—\u2013:]|-{1,2})\s*(?P<t>.+)$"
)
_YEAR_AFTER = re.compile(r"^\s*[(,]\s*(?P<y>(?:19|20)\d\d)\b")
_MD_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]+)\)")
_QUOTED_BEFORE = re.compile(r"[\"“*_](?P<t>[^\"”*_]{8,})[\"”*_]\s*[,(]?\s*$")
_BULLET = re.compile(r"^\s*(?:[•*+\-\u2013]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_PLACEHOLDER_LINK_TEXT = re.compile(r"^(?:arxiv|link|paper|pdf|abs|here|source)\b", re.IGNORECASE)


def _parse(raw: str) -> tuple[ArxivId | None, str | None]:
    try:
        return parse_arxiv_id(raw), None
    except ArxivIdError as exc:
        return None, str(exc)


def _year_from_id(arxiv_id: ArxivId | None) -> int | None:
    if arxiv_id is None:
        return None
    digits = arxiv_id.base.split("/")[-1][:2]
    yy = int(digits)
    return 1900 + yy if yy >= 91 else 2000 + yy


def _clean_title(text: str) -> str | None:
    text = _MD_LINK.sub(lambda m: m["text"], text)
    text = re.sub(r"[*_`]+", "", text).strip().strip("\"'“”\u2018\u2019").strip()
    text = re.sub(r"\s*[.;,]$", "", text)
    # A title runs to the end of its clause: stop at a following "(2024)" or " — by ...".
    text = re.split(r"\s+\((?:19|20)\d\d\)|\s+[—\u2013]\s+", text)[0].strip().strip("\"'“”")
    return text if len(text.split()) >= 2 and not _ID.fullmatch(text) else None


def _cite(line_text: str, m: re.Match[str], line: int, *, listed: bool) -> CitedPaper:
    """One id found at `m` in `line_text`, with the title and year written next to it."""
    raw = m.group()
    text = m["url_id"] or m["pre_id"] or m["bare"] or m["old"]
    if m["url"] and text.endswith(".pdf"):
        text = text[:-4]
    arxiv_id, error = _parse(text)
    before, after = line_text[: m.start()], line_text[m.end() :]
    title: str | None = None
    year: int | None = None
    link = next((lk for lk in _MD_LINK.finditer(line_text) if lk.start() <= m.start() < lk.end()), None)
    if link is not None:  # [Title](https://arxiv.org/abs/ID): the link text is the title
        after = line_text[link.end() :]
        before = line_text[: link.start()]
        if not _PLACEHOLDER_LINK_TEXT.match(link["text"]) and not _ID.fullmatch(link["text"].strip()):
            title = _clean_title(link["text"])
    nxt = _ID.search(after)
    after = re.split(r";|\s+\band\b\s+(?=\S*\d)", after[: nxt.start()] if nxt else after)[0]
    if title is None:
        dash = _DASH_TITLE.match(after)
        if dash:
            title = _clean_title(dash["t"])
            year = int(dash["y"]) if dash["y"] else None
        else:
            quoted = _QUOTED_BEFORE.search(before)
            if quoted:
                title = _clean_title(quoted["t"])
    if year is None:
        near = _YEAR_AFTER.match(after)
        if near:
            year = int(near["y"])
    return CitedPaper(
        raw=raw, arxiv_id=arxiv_id, line=line, title=title, year=year, error=error, listed=listed
    )


def find_ids(text: str, *, line: int = 1, listed: bool = False) -> list[CitedPaper]:
    """Every arXiv id in `text` (one line), in order."""
    return [_cite(text, m, line, listed=listed) for m in _ID.finditer(text)]


# -- findings ---------------------------------------------------------------------------------------


def years_written(text: str) -> tuple[int, ...]:
    """The years a text names: "2025" -> (2025,), "2024-25" -> (2024, 2025), "2023-2026" -> both."""
    years: list[int] = []
    for m in _YEAR.finditer(text):
        first = int(m[1])
        years.append(first)
        if m[2]:
            end = int(m[2]) if len(m[2]) == 4 else first // 100 * 100 + int(m[2])
            if first < end <= first + 20:
                years.append(end)
    return tuple(sorted(set(years)))


def _strip_years(text: str) -> str:
    """The finding without the trailing "(2024\u201325)." it is dated by."""
    return re.sub(r"\s*\((?:19|20)\d\d(?:\s*[\u2013—-]\s*\d{2,4})?\)\s*\.?\s*$", "", text).strip()


@dataclass
class _Block:
    lines: list[tuple[int, str]]

    @property
    def text(self) -> str:
        return " ".join(t.strip() for _, t in self.lines)


def _blocks(lines: list[str]) -> list[_Block]:
    """Bullets (with their continuation lines) and paragraphs, each a block."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, raw in enumerate(lines, start=1):
        text = strip_control(raw).rstrip()
        if not text.strip():
            current = None
            continue
        if _BULLET.match(text) or _HEADING.match(text) or current is None:
            current = _Block([(number, text)])
            blocks.append(current)
        else:
            current.lines.append((number, text))
    return blocks


def _is_paper_line(block: _Block) -> bool:
    """A bullet that is an id (or a link to one) with a title: an item of a list of papers."""
    body = _BULLET.sub("", block.text, count=1).strip()
    body = re.sub(r"^[*_`\[]+", "", body)
    m = _ID.match(body)
    if m:
        return True
    link = _MD_LINK.match(body)
    return bool(link and _ID.search(link["url"]) and len(body) - link.end() < 12)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*_\"“(])", text) if s.strip()]


def read_note(text: str) -> Note:
    """The note's title, findings, cited papers and source notes."""
    blocks = _blocks(text.splitlines())
    bullets = [b for b in blocks if _BULLET.match(b.lines[0][1])]
    findings = tuple(
        Finding(
            text=_strip_years(body),
            line=line,
            written=written,
            years=years_written(body),
            cited=tuple(find_ids(body, line=line)),
        )
        for line, written, body in _finding_candidates(blocks, bullets)
    )
    papers = [
        paper
        for block in blocks
        if _is_listed(block, bullets)
        for paper in find_ids(block.text, line=block.lines[0][0], listed=True)
    ]
    papers += [  # ids in prose outside findings and lists: still the note's papers
        paper
        for block in blocks
        if not _is_listed(block, bullets)
        for paper in find_ids(block.text, line=block.lines[0][0])
    ]
    sources = _source_notes(blocks)
    return Note(
        title=_title(blocks),
        findings=findings,
        papers=_each_once([*papers, *(c for f in findings for c in f.cited)]),
        sources=sources,
        paragraphs=_paragraphs(blocks, sources),
    )


def _title(blocks: list[_Block]) -> str | None:
    """The first heading, or the first block that asks a question."""
    return next(
        (
            _HEADING.sub("", b.text).strip()
            for b in blocks
            if _HEADING.match(b.lines[0][1]) or b.text.rstrip().endswith("?")
        ),
        None,
    )


def _is_listed(block: _Block, bullets: list[_Block]) -> bool:
    """An item of a list of papers (a bullet that is an id with a title)."""
    return _is_paper_line(block) and block in bullets


def _finding_candidates(blocks: list[_Block], bullets: list[_Block]) -> list[tuple[int, str, str]]:
    """Each finding's line, its text as written and its body: the dated bullets (long enough, naming a
    year or citing an id); in a note without them, the sentences that do."""
    dated_bullets = [
        b
        for b in bullets
        if not _is_paper_line(b)
        and len(b.text.split()) >= MIN_FINDING_WORDS
        and (years_written(b.text) or _ID.search(b.text))
    ]
    if dated_bullets:
        return [
            (b.lines[0][0], b.lines[0][1].strip(), _BULLET.sub("", b.text, count=1)) for b in dated_bullets
        ]
    candidates = []
    for b in blocks:
        if _HEADING.match(b.lines[0][1]) or _is_paper_line(b):
            continue
        body = _BULLET.sub("", b.text, count=1)
        for sentence in _sentences(body):
            if len(sentence.split()) >= MIN_FINDING_WORDS and (
                years_written(sentence) or _ID.search(sentence)
            ):
                line = next((n for n, t in b.lines if sentence[:20] in t), b.lines[0][0])
                candidates.append((line, sentence, sentence))
    return candidates


def _each_once(papers: list[CitedPaper]) -> tuple[CitedPaper, ...]:
    """One entry per id (or per malformed text), first seen first, the first one with a title kept."""
    unique: dict[str, CitedPaper] = {}
    for paper in papers:
        key = paper.arxiv_id.base if paper.arxiv_id else paper.raw
        if key not in unique or (unique[key].title is None and paper.title is not None):
            unique[key] = paper
    return tuple(unique.values())


def _paragraphs(blocks: list[_Block], sources: tuple[SourceNote, ...]) -> tuple[str, ...]:
    """The note's long prose paragraphs (not bullets, not a source note's question)."""
    questions = {s.question for s in sources}
    return tuple(
        b.text
        for b in blocks
        if not _BULLET.match(b.lines[0][1]) and b.text not in questions and len(b.text) > 200
    )


def _source_notes(blocks: list[_Block]) -> tuple[SourceNote, ...]:
    """A question alone in its block followed by a paragraph: one of the note's source notes."""
    out: list[SourceNote] = []
    for block, following in itertools.pairwise(blocks):
        q = block.text.strip()
        if (
            len(block.lines) == 1
            and q.endswith("?")
            and len(q.split()) >= 4
            and not following.text.endswith("?")
            and len(following.text.split()) >= MIN_FINDING_WORDS
        ):
            out.append(SourceNote(question=q, summary=following.text.strip(), line=block.lines[0][0]))
    return tuple(out)
