"""From a read note to draft claims: one claim per finding, its anchors placed by what the finding and
each paper's title (and abstract, when the store has it) say, its date, and suggested topics.

Pure: a Note, the store's papers for the cited ids and today in; DraftClaims out, every guess kept
with the reason for it so that draft_yaml.py can write it as a comment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from freshness import wording
from freshness.models import Paper
from freshness.notes import CitedPaper, Finding, Note, SourceNote

MAX_TOPICS = 6
MAX_ID_WORDS = 4
MIN_NOTE_OVERLAP = 2  # shared distinctive words for a source note to count as a finding's context
MIN_ANCHOR_SCORE = 1.0  # below this an anchor is left unplaced rather than guessed
ABSTRACT_WEIGHT = 0.25  # a word shared with the abstract is weaker evidence than one in the title
MAX_ABSTRACT_WORDS = 8
YEAR_BONUS = 0.5  # the anchor's year is among the years the finding names


@dataclass(frozen=True)
class DraftAnchor:
    cited: CitedPaper
    paper: Paper | None  # what the store knows about it
    placed_by: tuple[str, ...] = ()  # the words that tie it to the finding; () if the finding cites it


@dataclass(frozen=True)
class DraftClaim:
    id: str
    finding: Finding
    date: dt.date
    date_source: str  # why this date, for the comment
    date_guessed: bool
    topics: tuple[str, ...]
    anchors: tuple[DraftAnchor, ...]
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    note: Note
    claims: tuple[DraftClaim, ...]
    unplaced: tuple[DraftAnchor, ...]  # cited papers no finding could be tied to
    rejected: tuple[CitedPaper, ...]  # ids that are not valid arXiv ids, left out of the draft


def draft_claims(note: Note, papers: Mapping[str, Paper], *, today: dt.date) -> Draft:
    """One draft claim per finding of `note`. `papers`: the store's papers for the cited ids."""
    context = _finding_context(note)
    rejected = tuple(p for p in note.papers if p.arxiv_id is None)
    inline = {c.arxiv_id.base for f in note.findings for c in f.cited if c.arxiv_id is not None}
    placed: dict[int, list[DraftAnchor]] = {i: [] for i in range(len(note.findings))}
    unplaced: list[DraftAnchor] = []
    for i, finding in enumerate(note.findings):
        for cited in finding.cited:
            if cited.arxiv_id is not None and all(a.cited.arxiv_id != cited.arxiv_id for a in placed[i]):
                placed[i].append(DraftAnchor(_best_cited(note, cited), papers.get(cited.arxiv_id.base)))
    for cited in note.papers:
        if cited.arxiv_id is None or cited.arxiv_id.base in inline:
            continue
        paper = papers.get(cited.arxiv_id.base)
        where, words = _place(cited, paper, note.findings, context)
        anchor = DraftAnchor(cited, paper, words)
        (placed[where] if where is not None else unplaced).append(anchor)
    ids: set[str] = set()
    claims = []
    for i, finding in enumerate(note.findings):
        anchors = tuple(placed[i])
        date, source, guessed = _date(finding, anchors, today)
        claims.append(
            DraftClaim(
                id=_claim_id(finding, ids),
                finding=finding,
                date=date,
                date_source=source,
                date_guessed=guessed,
                topics=suggest_topics(finding.text, anchors, " . ".join(context[i])),
                anchors=anchors,
                categories=_categories(anchors),
            )
        )
    return Draft(note=note, claims=tuple(claims), unplaced=tuple(unplaced), rejected=rejected)


def _best_cited(note: Note, cited: CitedPaper) -> CitedPaper:
    """The same id as listed elsewhere in the note, when that copy carries a title."""
    if cited.title is not None:
        return cited
    for other in note.papers:
        if other.arxiv_id == cited.arxiv_id and other.title is not None:
            return other
    return cited


# -- which source notes and anchors go with which finding ------------------------------------------------


def _finding_context(note: Note) -> list[list[str]]:
    """For each finding, the texts of the source notes that state it. A note goes to the finding it
    shares most distinctive words with (at least MIN_NOTE_OVERLAP); a note that shares too few goes
    with the notes the prose cites it beside (the note groups them in one paragraph)."""
    finding_stems = [wording.stems(f.text) for f in note.findings]
    sources = [s for s in note.sources if s.question != note.title]
    owner: dict[int, int] = {}
    for j, source in enumerate(sources):
        stems = wording.stems(source.text)
        scores = [len(stems & fs) for fs in finding_stems]
        # a tie is no evidence either way: the prose decides (below)
        if scores and max(scores) >= MIN_NOTE_OVERLAP and scores.count(max(scores)) == 1:
            owner[j] = scores.index(max(scores))
    for j, source in enumerate(sources):
        if j in owner:
            continue
        votes: Counter[int] = Counter()
        for paragraph in note.paragraphs:
            if source.question in paragraph:
                votes.update(
                    owner[k] for k, other in enumerate(sources) if k in owner and other.question in paragraph
                )
        if votes:
            owner[j] = votes.most_common(1)[0][0]
    context: list[list[str]] = [[] for _ in note.findings]
    for j, i in owner.items():
        context[i].append(_text(sources[j]))
    return context


def _text(source: SourceNote) -> str:
    return source.text


def _place(
    cited: CitedPaper, paper: Paper | None, findings: tuple[Finding, ...], context: list[list[str]]
) -> tuple[int | None, tuple[str, ...]]:
    """The finding an anchor belongs to and the words that say so: those its title (cited or arXiv's)
    shares with the finding and its source notes, then (weaker) those its abstract shares."""
    title_words = wording.distinctive(" ".join(t for t in (cited.title, paper.title if paper else None) if t))
    abstract = wording.stems(paper.abstract) if paper is not None and paper.abstract else frozenset()
    year = paper.published.year if paper is not None else cited.year
    best: tuple[float, int | None, tuple[str, ...]] = (0.0, None, ())
    for i, finding in enumerate(findings):
        stems = wording.stems(" ".join([finding.text, *context[i]]))
        shared = tuple(dict.fromkeys(w for w in title_words if wording.stem(w) in stems))
        from_abstract = len(abstract & stems)
        score = len(shared) + ABSTRACT_WEIGHT * min(from_abstract, MAX_ABSTRACT_WORDS)
        if year is not None and finding.years and min(finding.years) <= year <= max(finding.years):
            score += YEAR_BONUS
        if score > best[0]:
            best = (score, i, shared)
    if best[0] < MIN_ANCHOR_SCORE:
        return None, ()
    return best[1], best[2]


# -- dates, ids, categories ---------------------------------------------------------------------------


def _date(finding: Finding, anchors: tuple[DraftAnchor, ...], today: dt.date) -> tuple[dt.date, str, bool]:
    """The latest first-version date among the anchors the store knows (a claim is as new as the
    newest work it rests on); else the first day of the latest year written; else of the first
    anchor's month; else today. Returns the date, why, and whether it is a guess."""
    known = [(a.paper.published, a.cited.arxiv_id) for a in anchors if a.paper is not None]
    if known:
        day, arxiv_id = max(known, key=lambda k: k[0])
        return day, f"v1 of arXiv:{arxiv_id.base if arxiv_id else '?'} ({day}), from the store", False
    if finding.years:
        year = max(finding.years)
        written = ", ".join(str(y) for y in finding.years)
        return (
            min(dt.date(year, 1, 1), today),
            f"GUESSED from the year(s) written ({written}): check it",
            True,
        )
    for anchor in anchors:
        arxiv_id = anchor.cited.arxiv_id
        if arxiv_id is not None and "/" not in arxiv_id.base:
            yy, mm = int(arxiv_id.base[:2]), int(arxiv_id.base[2:4])
            day = min(dt.date(2000 + yy, mm, 1), today)
            return day, f"GUESSED from the month of arXiv:{arxiv_id.base}: check it", True
    return today, "GUESSED: the note gives no date; set the day of the evidence", True


_SLUG = re.compile(r"[^a-z0-9]+")


def _claim_id(finding: Finding, taken: set[str]) -> str:
    words = [_SLUG.sub("", w.lower()) for w in wording.distinctive(finding.text) if not w.isdigit()]
    base = "-".join([w for w in words if w][:MAX_ID_WORDS]) or "claim"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _categories(anchors: tuple[DraftAnchor, ...]) -> tuple[str, ...]:
    """The categories the anchors' papers are listed in, primary ones first, at most three."""
    counts: Counter[str] = Counter()
    for anchor in anchors:
        if anchor.paper is not None:
            for k, category in enumerate(anchor.paper.categories):
                counts[category] += 2 if k == 0 else 1
    return tuple(c for c, _ in counts.most_common(3))


# -- topics -------------------------------------------------------------------------------------------

_CHUNK_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”—\u2013/]|\s-\s|\s+(?:vs|versus)\s+")
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def _phrases(text: str) -> list[str]:
    """Runs of 1-3 distinctive words, as written (lower case): the terms a paper would use."""
    out: list[str] = []
    for chunk in _CHUNK_BREAK.split(text):
        run: list[str] = []
        for token in [*_TOKEN.findall(chunk), ""]:
            low = token.lower()
            if low and low not in wording.STOP_WORDS and not low.isdigit() and len(low) > 1:
                run.append(low)
                continue
            for n in (2, 3, 1):
                out.extend(" ".join(run[k : k + n]) for k in range(len(run) - n + 1))
            run = []
    return out


def _stem_seq(text: str) -> list[str]:
    return [wording.stem(w) for w in wording.words(text) if w not in wording.STOP_WORDS]


def _contiguous(needle: list[str], hay: list[str]) -> bool:
    n = len(needle)
    return any(hay[k : k + n] == needle for k in range(len(hay) - n + 1))


def suggest_topics(finding: str, anchors: tuple[DraftAnchor, ...], context: str = "") -> tuple[str, ...]:
    """Up to MAX_TOPICS short terms both sides use: a phrase of the finding (or of its source notes)
    that an anchor's title or abstract also says, best when both say it word for word. Without
    anchors, the finding and its source notes are the two sides; with neither, the finding's own
    two-word phrases."""
    titles = " . ".join(t for a in anchors for t in (a.cited.title, a.paper.title if a.paper else None) if t)
    abstracts = " . ".join(a.paper.abstract for a in anchors if a.paper is not None and a.paper.abstract)
    if anchors:
        mine, other, candidates = (
            f"{finding} . {context}",
            f"{titles} . {abstracts}",
            [finding, context, titles],
        )
    else:
        mine, other, candidates = finding, context, [finding]
    mine_seq, other_seq = _stem_seq(mine), _stem_seq(other)
    mine_set, other_set = set(mine_seq), set(other_seq)
    scored: dict[tuple[str, ...], tuple[float, str]] = {}
    for text in candidates:
        for phrase in _phrases(text):
            seq = _stem_seq(phrase)
            if not seq:
                continue
            key = tuple(sorted(set(seq)))
            if len(seq) >= 2 and _contiguous(seq, mine_seq) and _contiguous(seq, other_seq):
                score = 4.0 + len(seq)
            elif len(seq) >= 2 and set(seq) <= mine_set and set(seq) <= other_set:
                score = 2.5
            elif len(seq) == 1 and seq[0] in mine_set and seq[0] in other_set and len(phrase) >= 5:
                score = 1.5
            elif len(seq) >= 2 and (not other_seq or text == titles):
                score = 1.0
            else:
                continue
            if key not in scored or scored[key][0] < score:
                scored[key] = (score, phrase)
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
    topics: list[str] = []
    covered: list[set[str]] = []
    for key, (_, phrase) in ranked:
        if any(set(key) <= c or c <= set(key) for c in covered):
            continue  # "entropy" when "output entropy" is in already
        covered.append(set(key))
        topics.append(phrase)
        if len(topics) == MAX_TOPICS:
            break
    if anchors:  # the finding's own terms too, not only those its papers share
        topics = topics[: MAX_TOPICS - 2]
        for phrase in suggest_topics(finding, (), context):
            stems = set(_stem_seq(phrase))
            if len(topics) < MAX_TOPICS and not any(stems <= c or c <= stems for c in covered):
                covered.append(stems)
                topics.append(phrase)
    if not topics:
        topics = [w for w in wording.distinctive(finding) if not w.isdigit()][:3] or ["research"]
    return tuple(topics)
