"""Pure matching: a claim + the store's full-text index -> scored, explained newer papers.

Candidates come from bounded FTS5/BM25 queries (one per topic, one over all topics, one per anchor
reference), so no claim ever scans the corpus. Each candidate is then scored with rapidfuzz
`partial_ratio` on pre-processed title and abstract: which topics it covers, how well its title
matches, how much of the claim's own wording it shares, and whether it names an anchor. A match is
flagged *superseding* when it is strongly related and carries challenge language near the matched
topic, or names an anchor and argues with it. docs/matching.md explains every step and its figures.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from freshness.models import Anchor, Claim, Match, Paper
from freshness.store import Store

# -- tuning constants (docs/matching.md has the measurements behind each) ----------------------------

TOPIC_QUERY_LIMIT = 80  # candidates per topic (its phrase, or its words near each other)
ALL_TOPICS_QUERY_LIMIT = 200  # candidates from the OR of every topic phrase
ANCHOR_QUERY_LIMIT = 40  # candidates naming an anchor (id, title, short name)
PHRASE_CUTOFF = 88.0  # partial_ratio at which a topic counts as present in a text
MIN_SCORE = 10.0  # below this a candidate is not reported as related at all
RELATED_SCORE = 20.0  # velocity counts papers scoring this much, closeness in time left out
STRONG_SCORE = 20.0  # "strongly related" needs at least this score ...
STRONG_SHARE = 0.64  # ... and at least this share of the claim's best match's score
CUE_WINDOW = 120  # characters either side of a topic mention in which a cue counts as near (~20 words)
SNIPPET_CONTEXT = 50  # characters of context either side of a quoted span in the evidence
WORDS_QUERY_LIMIT = 100  # candidates from the OR of the claim's distinctive words
DISTINCTIVE_SHARE = 0.05  # a claim word in at most this share of papers (or DISTINCTIVE_MIN)
DISTINCTIVE_MIN = 1000  # ... is used for retrieval: in a small store every word is
NEAR_WINDOW = 80  # characters within which a topic's words in another order still count (weaker)
NEAR_SCORE = 75.0  # how a topic found only by its words near each other counts, out of 100
# How the features add up to a score (out of 1; docs/matching.md has the before/after figures).
WEIGHTS = {
    "topics": 0.40,  # rarity-weighted, saturated mentions of the claim's topics
    "words": 0.27,  # the same for the claim's own content words
    "title": 0.0,  # the title names a topic (evidence only: it did not improve the ranking)
    "prior": 0.07,  # discusses prior findings near a topic
    "challenge": 0.0,  # challenge language near a topic (flags superseding; too common to rank by)
    "anchor": 0.06,  # names an anchor by id, title or short name
    "proximity": 0.20,  # early responses: 1 at the claim's date, 1/2 a year later, 1/3 two years later
}

# Words too common to say anything about what a claim is about (function words and the vocabulary
# every ML abstract shares). Used only to pick the claim's content words, never to score challenge.
_STOPWORD_TEXT = """a an and are as at be been being but by can could do does for from has have how
    in into is it
    its more most much not of on or our than that the their then there these they this those to
    under very was we were what when where which while who why will with within without would
    model models language large llm llms paper papers approach method methods results show study
    use used using via new based task tasks performance data work"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Challenge language, by kind (docs/matching.md): open disagreement, doubt, re-examination, "it was
# never real", "the limitation goes away", concession and negated generalisations. Matched on processed
# text (lower case, punctuation as spaces), so "don't" reads "don t". Problem-statement words that
# every method paper uses ("however", "a challenge", "challenging") are deliberately absent.
_CUES = re.compile(
    r"\b(?:"
    r"challeng\w* (?:the|this|these|that|prior|previous|common|conventional|existing|earlier|recent)"
    r"|contrary|contradict\w*|refut\w*|disput\w*|debunk\w*|overturn\w*|counter ?evidence|doubts?"
    r"|fail(?:s|ed)? to|failure to|no evidence|little evidence|not supported|unsupported"
    r"|revisit\w*|re ?examin\w*|rethink\w*|reconsider\w*|reassess\w*|re ?evaluat\w*|replicat\w*"
    r"|myths?|mirage|illusion\w*|artifacts?|artefacts?|misconception\w*|overstat\w*|overestimat\w*"
    r"|misleading|spurious|premature"
    r"|overcom\w*|mitigat\w*|alleviat\w*|eliminat\w*|avoid\w*|prevent\w*|break(?:s|ing)? the|beyond"
    r"|in contrast|rather than|despite|surprising\w*|counter ?intuitive\w*"
    r"|(?:do|does|did|need) not|don t|doesn t|not necessarily|not always|no longer"
    r"|inevitabl\w*|limited to|only holds|only when"
    r")\b"
)

# Language that discusses what is known about a topic (prior findings, beliefs, phenomena): a paper
# that engages with the state of knowledge bears on a claim more than one that merely uses a method.
_PRIOR = re.compile(
    r"\b(?:prior|previous|earlier|recent|existing) (?:work|works|studies|study|research|findings|literature)"
    r"|\b(?:it has been|has been|have been) (?:shown|argued|observed|claimed|reported|suggested|hypothesi\w*)"
    r"|\bwidely (?:believed|assumed|held|reported|observed)|\bcommon(?:ly)? (?:belief|held|assumed)"
    r"|\bconventional wisdom|\bknown as|\bphenomen\w*|\bhypothes\w*|\bet al\b|\bfindings?\b"
)

_WORD = re.compile(r"[^\W_]+")
_NON_WORD = re.compile(r"[\W_]")


@dataclass(frozen=True)
class Velocity:
    """How busy a claim's topic is: related newer papers in a window ending today."""

    since: dt.date
    until: dt.date
    related: int  # papers scoring at least RELATED_SCORE, first submitted in (since, until]
    challenging: int  # of those, how many are flagged superseding
    by_month: tuple[tuple[str, int], ...] = ()  # ("2026-09", 5), oldest first

    @property
    def days(self) -> int:
        return max(1, (self.until - self.since).days)

    @property
    def per_month(self) -> float:
        return self.related * 30.44 / self.days


# -- public API ----------------------------------------------------------------------------------------


def match_claim(store: Store, claim: Claim, *, limit: int = 50) -> list[Match]:
    """Newer papers (first submitted after claim.date, in claim.categories when given) related to the
    claim, best first, each scored 0-100 with evidence; at most `limit`."""
    return _match(store, claim, after=claim.date, limit=limit)


def match_claims(store: Store, claims: Sequence[Claim], *, limit: int = 50) -> dict[str, list[Match]]:
    """`match_claim` for each claim, keyed by claim id."""
    return {claim.id: match_claim(store, claim, limit=limit) for claim in claims}


def topic_velocity(store: Store, claim: Claim, *, today: dt.date, window_days: int = 90) -> Velocity:
    """Related newer papers first submitted in the last `window_days` (or since the claim, if more
    recent), counted per month, and how many of them challenge the claim."""
    since = max(claim.date, today - dt.timedelta(days=window_days))
    matches = [
        m
        for m in _match(store, claim, after=since, limit=1000, query_scale=2, timeless=True)
        if m.score >= RELATED_SCORE and m.published <= today
    ]
    months: dict[str, int] = {}
    for m in matches:
        key = m.published.strftime("%Y-%m")
        months[key] = months.get(key, 0) + 1
    return Velocity(
        since=since,
        until=today,
        related=len(matches),
        challenging=sum(m.superseding for m in matches),
        by_month=tuple(sorted(months.items())),
    )


# -- queries -------------------------------------------------------------------------------------------


def fts_phrase(text: str) -> str | None:
    """A safe FTS5 phrase for `text`: its words only, quoted; None when it has no words.

    Quotes, `*`, `^`, `:`, parentheses and the operators AND/OR/NOT/NEAR in user text never reach
    FTS5 as syntax: only runs of letters and digits are kept, inside one quoted phrase.
    """
    words = _WORD.findall(text.lower())
    return '"' + " ".join(words) + '"' if words else None


def fts_any(texts: Iterable[str]) -> str | None:
    """An OR of safe phrases, or None when no text has a word."""
    phrases = list(dict.fromkeys(p for t in texts if (p := fts_phrase(t))))
    return " OR ".join(phrases) if phrases else None


def fts_near(text: str, distance: int = 10) -> str | None:
    """A safe FTS5 NEAR group of the content words of `text` (any order), or None when it has
    fewer than two content words."""
    words = [w for w in dict.fromkeys(_WORD.findall(text.lower())) if w not in _STOPWORDS]
    if len(words) < 2:
        return None
    return "NEAR(" + " ".join(f'"{w}"' for w in words) + f", {distance})"


def short_name(title: str) -> str | None:
    """A distinctive short name for a cited paper, from its title: the part before a colon when it
    is 1-4 words ("LoRA", "Lost in the Middle"), else None."""
    head, sep, _ = title.partition(":")
    if sep and 1 <= len(_WORD.findall(head)) <= 4:
        return head.strip()
    return None


# -- text preparation ----------------------------------------------------------------------------------


def _process(text: str) -> str:
    """Lower case, every non-alphanumeric character a space, padded with one space each side.

    Like `rapidfuzz.utils.default_process`, but it keeps offsets (no trimming), so a span found here
    quotes the original text. Falls back per character when lower-casing changes the length.
    """
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return " " + _NON_WORD.sub(" ", low) + " "


def _stem(word: str) -> str:
    """A crude stem that forgives inflection: drop a plural s, keep 5 letters (correct/correcting)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:5]


def _closed(text: str) -> str:
    """Hyphenated compounds written closed ("fine-tuning" -> "finetuning"), as papers often do."""
    return _HYPHENATED.sub("", text)


_HYPHENATED = re.compile(r"(?<=[^\W_])-(?=[^\W_])")


def _idf(df: int, n: int) -> float:
    """BM25's inverse document frequency: rare terms weigh more, a term in every paper ~0."""
    return math.log((n - df + 0.5) / (df + 0.5) + 1.0)


def _saturate(tf: float) -> float:
    """Term-frequency saturation as in BM25 (k1 = 1): one mention 0.5, three 0.75, never 1."""
    return tf / (tf + 1.0)


def _content_words(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOPWORDS]
    return list(dict.fromkeys(words))


@dataclass(frozen=True)
class _Topic:
    text: str
    phrases: tuple[str, ...]  # " lost in the middle", " finetuning" (leading space: a word start)
    stems: tuple[str, ...]  # content-word stems, for the "words near each other" fallback
    weight: float = 1.0


@dataclass(frozen=True)
class _Word:
    text: str
    stems: tuple[str, ...]  # its own stem, and the closed compound's when written hyphenated
    weight: float = 1.0


@dataclass(frozen=True)
class _AnchorRef:
    label: str  # the id, for evidence
    patterns: tuple[tuple[str, str], ...]  # (processed pattern, how it is named)


@dataclass(frozen=True)
class _Prepared:
    """A claim turned into weighted terms, ready to score any number of papers."""

    claim: Claim
    topics: tuple[_Topic, ...]
    words: tuple[_Word, ...]
    refs: tuple[_AnchorRef, ...]
    distinctive: tuple[str, ...]  # claim words rare enough to retrieve candidates with
    timeless: bool = False  # leave closeness in time out of the score


def _words_of(text: str) -> str:
    return " " + " ".join(_WORD.findall(text.lower()))


def _make_topic(text: str, weight: float) -> _Topic | None:
    words = _WORD.findall(text.lower())
    if not words:
        return None
    phrases = [" " + " ".join(words)]
    closed = _words_of(_closed(text))
    if closed != phrases[0]:
        phrases.append(closed)
    stems = tuple(_stem(w) for w in words if w not in _STOPWORDS) or tuple(_stem(w) for w in words)
    return _Topic(text, tuple(phrases), stems, weight)


def _anchor_refs(anchors: Sequence[Anchor]) -> tuple[_AnchorRef, ...]:
    refs = []
    for a in anchors:
        if a.arxiv_id is None:
            continue
        pats = [(_words_of(a.arxiv_id.base) + " ", "by id")]
        if a.title:
            pats.append((_words_of(a.title) + " ", "by title"))
            name = short_name(a.title)
            if name:
                pats.append((_words_of(name) + " ", f"as '{name}'"))
        refs.append(_AnchorRef(a.arxiv_id.base, tuple(pats)))
    return tuple(refs)


# Document frequencies barely move between claims or runs: remember them per store file and size.
_DF_CACHE: dict[tuple[str, int], dict[str, int]] = {}
_DF_CACHE_MAX = 200_000  # terms, over all stores; past it the memo starts again


class _DocFreq:
    """Document frequencies from the FTS index (any date), memoised per store file and size."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.n = max(1, store.summary().papers)
        if sum(len(c) for c in _DF_CACHE.values()) > _DF_CACHE_MAX:
            _DF_CACHE.clear()
        self.cache = _DF_CACHE.setdefault((str(store.path), self.n), {})

    def __call__(self, text: str) -> int:
        q = fts_phrase(text)
        if q is None:
            return self.n
        if q not in self.cache:
            self.cache[q] = self.store.count_matches(q)
        return self.cache[q]


def _prepare(claim: Claim, df: _DocFreq, *, timeless: bool = False) -> _Prepared:
    topics = [t for text in claim.topics if (t := _make_topic(text, _idf(df(text), df.n)))]
    # A hyphenated compound in the claim ("fine-tuning") also counts when written closed.
    compounds: dict[str, str] = {}
    for m in re.finditer(r"[^\W_]+(?:-[^\W_]+)+", claim.text.lower()):
        closed = _stem(_closed(m.group()))
        for part in m.group().split("-"):
            compounds[part] = closed
    words = []
    distinctive = []
    for w in _content_words(claim.text):
        d = df(w)
        stems = (_stem(w), compounds[w]) if w in compounds else (_stem(w),)
        words.append(_Word(w, stems, _idf(d, df.n)))
        if d <= max(DISTINCTIVE_SHARE * df.n, DISTINCTIVE_MIN):
            distinctive.append(w)
    return _Prepared(
        claim, tuple(topics), tuple(words), _anchor_refs(claim.anchors), tuple(distinctive), timeless
    )


# -- scoring -------------------------------------------------------------------------------------------


@dataclass
class _Hit:
    score: float
    start: int
    end: int


def _find(topic: _Topic, processed: str) -> list[_Hit]:
    """Where a topic occurs in a processed text: every exact occurrence (open or closed compound);
    else the best fuzzy one (partial_ratio); else its words near each other, weaker."""
    if not all(" " + s in processed for s in topic.stems):
        return []
    hits = []
    for phrase in topic.phrases:
        start = processed.find(phrase)
        while start != -1:
            hits.append(_Hit(100.0, start + 1, start + len(phrase)))
            start = processed.find(phrase, start + 1)
    if hits:
        return hits
    if len(topic.stems) == 1 and len(topic.phrases[0].split()) == 1:
        # One word: its stem at a word start ("forgetting" finds "forgets").
        stem = " " + topic.stems[0]
        start = processed.find(stem)
        while start != -1:
            hits.append(_Hit(100.0, start + 1, start + len(stem)))
            start = processed.find(stem, start + 1)
        return hits
    al = fuzz.partial_ratio_alignment(topic.phrases[0], processed, score_cutoff=PHRASE_CUTOFF)
    if al is not None:
        return [_Hit(al.score, al.dest_start, al.dest_end)]
    return _near(topic, processed)


def _near(topic: _Topic, processed: str) -> list[_Hit]:
    """The topic's content words all within NEAR_WINDOW characters, in any order."""
    first = topic.stems[0]
    start = processed.find(" " + first)
    while start != -1:
        lo, hi = max(0, start - NEAR_WINDOW), start + NEAR_WINDOW
        window = processed[lo:hi]
        if all(" " + s in window for s in topic.stems[1:]):
            ends = [lo + window.find(" " + s) for s in topic.stems]
            return [_Hit(NEAR_SCORE, min(ends) + 1, max(ends) + 1 + len(topic.stems[0]))]
        start = processed.find(" " + first, start + 1)
    return []


def _snippet(text: str, start: int, end: int) -> str:
    """The original text around [start, end), whitespace collapsed, with ellipses where cut."""
    lo = max(0, start - SNIPPET_CONTEXT)
    hi = min(len(text), end + SNIPPET_CONTEXT)
    body = " ".join(text[lo:hi].split())
    return ("..." if lo > 0 else "") + body + ("..." if hi < len(text) else "")


@dataclass
class _Features:
    """What one paper has in common with one claim, each part in [0, 1], with the evidence."""

    topics: float = 0.0  # rarity-weighted, saturated topic mentions (a title mention counts 3)
    words: float = 0.0  # the same for the claim's own content words
    title: float = 0.0  # the title names a topic
    prior: float = 0.0  # discusses prior findings near a topic
    challenge: float = 0.0  # challenge language near a topic (or in a title that names one)
    anchor: float = 0.0  # names an anchor by id, title or short name
    proximity: float = 0.0  # 1 / (1 + years between the claim and the paper)
    challenge_evidence: str | None = None
    evidence: list[str] = field(default_factory=list)

    def score(self) -> float:
        total = sum(weight * float(getattr(self, name)) for name, weight in WEIGHTS.items())
        return max(0.0, min(100.0, 100.0 * total))


def _cue_near(cues: Sequence[re.Match[str]], spans: Sequence[_Hit]) -> tuple[re.Match[str], _Hit] | None:
    """The first cue (found once per text) within CUE_WINDOW characters of a topic span."""
    for h in spans:
        for m in cues:
            if m.end() >= h.start - CUE_WINDOW and m.start() <= h.end + CUE_WINDOW:
                return m, h
    return None


def _features(paper: Paper, prep: _Prepared, *, explain: bool = True) -> _Features:
    """Score one paper against a prepared claim. `explain=False` skips what only the evidence and the
    superseding flag need (challenge cues, quoted snippets): ranking hundreds of candidates needs
    only the numbers, and the few that are returned are explained afterwards."""
    title = _process(paper.title)
    abstract = _process(paper.abstract)
    f = _Features()

    covered = 0
    topic_sum = 0.0
    title_topic = ""
    spans: list[_Hit] = []
    for topic in prep.topics:
        t_hits = _find(topic, title)
        a_hits = _find(topic, abstract)
        if not (t_hits or a_hits):
            continue
        covered += 1
        tf = (3 * sum(h.score for h in t_hits) + sum(h.score for h in a_hits)) / 100
        topic_sum += topic.weight * _saturate(tf)
        if t_hits and t_hits[0].score / 100 > f.title:
            f.title, title_topic = t_hits[0].score / 100, topic.text
        spans.extend(a_hits)
    f.topics = topic_sum / (sum(t.weight for t in prep.topics) or 1.0)
    spans.sort(key=lambda h: (-h.score, h.start))

    # The claim's own content words, counted at word starts by crude stem (forgives inflection).
    word_sum = 0.0
    shared = []
    for w in prep.words:
        tf = sum(3 * title.count(" " + s) + abstract.count(" " + s) for s in w.stems)
        if tf:
            shared.append(w.text)
            word_sum += w.weight * _saturate(tf)
    f.words = word_sum / (sum(w.weight for w in prep.words) or 1.0)

    named = []
    anchor_spans: list[tuple[str, _Hit]] = []  # where the abstract names an anchor
    for ref in prep.refs:
        for pattern, how in ref.patterns:
            if pattern in title or pattern in abstract:
                named.append(f"names anchor {ref.label} {how}")
                if (at := abstract.find(pattern)) != -1:
                    anchor_spans.append((ref.label, _Hit(100.0, at + 1, at + len(pattern) - 1)))
                break
    f.anchor = 1.0 if named else 0.0

    if not explain and not WEIGHTS.get("challenge"):
        pass
    elif f.title and _CUES.search(title):
        # A title that names a topic and argues with it ("LoRA vs Full Fine-tuning: An Illusion ...").
        f.challenge_evidence = f"challenge in title: '{paper.title}'"
    elif f.title and paper.title.rstrip().endswith("?"):
        # A title that names a topic and questions it ("Is Model Collapse Inevitable?").
        f.challenge_evidence = f"title questions the topic: '{paper.title}'"
    if (
        (explain or WEIGHTS.get("challenge"))
        and f.challenge_evidence is None
        and (near := _cue_near(list(_CUES.finditer(abstract)), spans))
    ):
        m, h = near
        s, e = min(h.start, m.start()), max(h.end, m.end())
        f.challenge_evidence = f"contrast near topic: '{_snippet(paper.abstract, s - 1, e - 1)}'"
    if (explain or WEIGHTS.get("challenge")) and f.challenge_evidence is None and anchor_spans:
        # It names what the claim cites and argues with it, whatever words it uses for the topic.
        cues = list(_CUES.finditer(abstract))
        for label, h in anchor_spans:
            if near := _cue_near(cues, [h]):
                m = near[0]
                s, e = min(h.start, m.start()), max(h.end, m.end())
                snippet = _snippet(paper.abstract, s - 1, e - 1)
                f.challenge_evidence = f"argues with anchor {label}: '{snippet}'"
                break
    f.challenge = 1.0 if f.challenge_evidence else 0.0
    f.prior = 1.0 if spans and _cue_near(list(_PRIOR.finditer(abstract)), spans) else 0.0
    years = max(0, (paper.published - prep.claim.date).days) / 365.25
    f.proximity = 0.0 if prep.timeless else 1.0 / (1.0 + years)
    if not explain:
        return f

    if f.title:
        f.evidence.append(f"title matches topic '{title_topic}' (score {100 * f.title:.0f})")
    if spans:
        h = spans[0]
        f.evidence.append(f"abstract: '{_snippet(paper.abstract, h.start - 1, h.end - 1)}'")
    if prep.topics:
        f.evidence.append(f"covers {covered} of {len(prep.topics)} topics")
    if shared:
        f.evidence.append(f"shares the claim's words: {', '.join(shared)}")
    f.evidence.extend(named)
    if f.challenge_evidence is not None:
        f.evidence.append(f.challenge_evidence)
    return f


def _is_superseding(f: _Features, score: float, best: float) -> bool:
    """Strongly related (absolutely, and relative to the claim's best match) and challenging."""
    return f.challenge_evidence is not None and score >= max(STRONG_SCORE, STRONG_SHARE * best)


# -- retrieval -----------------------------------------------------------------------------------------


def _queries(prep: _Prepared, scale: int) -> list[tuple[str, int]]:
    """Bounded FTS5 queries whose union is the candidate set."""
    queries: list[tuple[str, int]] = []
    for t in prep.topics:
        # The phrase (open or closed compound) or its words near each other, in one ranked query.
        q = fts_any([t.text, _closed(t.text)])
        near = fts_near(t.text)
        if q and near:
            q = f"{q} OR {near}"
        if q:
            queries.append((q, TOPIC_QUERY_LIMIT * scale))
    every = fts_any(t.text for t in prep.topics)
    if every:
        queries.append((every, ALL_TOPICS_QUERY_LIMIT * scale))
    words = fts_any(prep.distinctive)
    if words:
        queries.append((words, WORDS_QUERY_LIMIT * scale))
    for a in prep.claim.anchors:
        names = [a.arxiv_id.base] if a.arxiv_id else []
        if a.title:
            names.append(a.title)
            if (name := short_name(a.title)) is not None:
                names.append(name)
        for name in names:
            if (q := fts_phrase(name)) is not None:
                queries.append((q, ANCHOR_QUERY_LIMIT * scale))
    return queries


def _candidates(store: Store, prep: _Prepared, after: dt.date, scale: int) -> list[Paper]:
    rowids: dict[int, None] = {}
    for q, n in _queries(prep, scale):
        for rowid, _rank in store.search(q, after=after, categories=prep.claim.categories, limit=n):
            rowids.setdefault(rowid, None)
    return list(store.papers_by_rowid(list(rowids)).values())


def _match(
    store: Store,
    claim: Claim,
    *,
    after: dt.date,
    limit: int,
    query_scale: int = 1,
    timeless: bool = False,
) -> list[Match]:
    """Candidates, ranked on numbers only, then the top `limit` explained. `timeless` leaves closeness
    to the claim's date out of the score (velocity asks "how related", not "how early")."""
    prep = _prepare(claim, _DocFreq(store), timeless=timeless)
    ranked = [
        (f.score(), p)
        for p in _candidates(store, prep, after, query_scale)
        for f in [_features(p, prep, explain=False)]
    ]
    ranked = [s for s in ranked if s[0] >= MIN_SCORE]
    ranked.sort(key=lambda s: (-s[0], -s[1].published.toordinal(), s[1].arxiv_id))
    best = ranked[0][0] if ranked else 0.0
    matches = []
    for score, p in ranked[:limit]:
        f = _features(p, prep, explain=True)
        matches.append(
            Match(
                arxiv_id=p.arxiv_id,
                title=p.title,
                published=p.published,
                score=round(score, 1),
                superseding=_is_superseding(f, score, best),
                evidence=tuple(f.evidence),
            )
        )
    return matches
