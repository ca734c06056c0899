"""Pure matching: a claim + the store's full-text index -> scored, explained newer papers.

Candidates come from bounded FTS5 queries (one per topic, one over the claim's rarest words, one per
anchor reference), so no claim ever scans the corpus; a rare term's papers come whole from an
unranked query (remembered per store), and only common terms are ranked by BM25. Each candidate is
then scored on its title and abstract read as words (lower case, crude stems): which topics it
covers (as phrases, with a rapidfuzz `partial_ratio` fallback for typos, or their words near each
other), how much of the claim's own wording it shares, whether it discusses prior findings or names
an anchor, and how soon after the claim it came. A match is flagged *superseding* when it is among
the claim's best and carries challenge language near the matched topic, or names an anchor and
argues with it. docs/matching.md explains every step and its figures.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import heapq
import itertools
import logging
import math
import operator
import os
import pickle
import re
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from rapidfuzz import fuzz

from freshness.errors import FreshnessError, StoreError
from freshness.models import Anchor, Claim, Match, Paper, Velocity
from freshness.store import Store

log = logging.getLogger(__name__)

# -- tuning constants (docs/matching.md has the measurements behind each) ----------------------------

# Retrieval
TOPIC_QUERY_LIMIT = 80  # candidates per topic
TITLES_WHEN_MORE = 5.0  # a topic in more papers than this many times its limit: titles only
NEAR_WHEN_FEWER = 0.25  # a topic in fewer papers than this many times its limit: its words near
# each other (any order, within 10 words) are searched too
WORDS_QUERY_LIMIT = 100  # candidates from the OR of the claim's distinctive words ...
DISTINCTIVE_SHARE = 0.005  # ... words in at most this share of papers (or DISTINCTIVE_MIN: in a
DISTINCTIVE_MIN = 1000  # small store every word is distinctive) ...
DISTINCTIVE_MAX = 5  # ... at most this many of them, the rarest
ANCHOR_QUERY_LIMIT = 40  # candidates naming an anchor (id, title, short name)
PARALLEL_FROM = 64  # match_claims shares claims among one worker process per CPU from this many on
# Scoring
PHRASE_CUTOFF = 88.0  # partial_ratio at which a topic with a typo still counts as its phrase
NEAR_WORDS = 12  # words within which a topic's words in another order still count (weaker)
NEAR_SCORE = 75.0  # how a topic found only by its words near each other counts, out of 100
CUE_WORDS = 20  # words either side of a topic mention within which a cue counts as near
SNIPPET_CONTEXT = 50  # characters of context either side of a quoted span in the evidence
MIN_SCORE = 10.0  # below this a candidate is not reported as related at all
RELATED_SCORE = 20.0  # velocity counts papers scoring this much, closeness in time left out
STRONG_SCORE = 20.0  # "strongly related" needs at least this score ...
STRONG_RANK = 20  # ... and a place among the claim's this many best-scoring papers
# How the features add up to a score (out of 1; docs/matching.md has the before/after figures).
WEIGHTS = {
    "topics": 0.28,  # rarity-weighted, saturated mentions of the claim's topics
    "coverage": 0.15,  # the share of the claim's topics it covers ("covers 3 of 9 topics")
    "words": 0.20,  # the same for the claim's own content words
    "title": 0.0,  # the title names a topic (evidence only: it did not improve the ranking)
    "focus": 0.14,  # the title is about the claim's subject, not about something else too
    "prior": 0.05,  # discusses prior findings near a topic
    "challenge": 0.0,  # challenge language near a topic (flags superseding; too common to rank by)
    "anchor": 0.04,  # names an anchor by id, title or short name
    "proximity": 0.14,  # early responses: 1 at the claim's date, 1/2 a year later, 1/3 two years later
}

# Words too common to say anything about what a claim is about (function words and the vocabulary
# every ML abstract shares). Used only to pick the claim's content words, never to score challenge.
_FUNCTION_WORD_TEXT = """a an and are as at be been being but by can could do does for from has have
    how in into is it its more most much not of on or our than that the their then there these they
    this those to under very was we were what when where which while who why will with within
    without would via vs versus through towards toward over across between among about upon after
    before during against per both each all any such also only"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORD_TEXT.split())
_STOPWORDS = _FUNCTION_WORDS | frozenset(
    [
        "model",
        "models",
        "language",
        "large",
        "llm",
        "llms",
        "paper",
        "papers",
        "approach",
        "method",
        "methods",
        "results",
        "show",
        "study",
        "use",
        "used",
        "using",
        "new",
        "based",
        "task",
        "tasks",
        "performance",
        "data",
        "work",
    ]
)

# Challenge language, by kind (docs/matching.md): open disagreement, doubt, re-examination, "it was
# never real", "the limitation goes away", concession and negated generalisations. Matched on the
# text's words joined by single spaces (lower case, no punctuation), so "don't" reads "don t".
# Problem-statement words that every method paper uses ("however", "a challenge", "challenging")
# are deliberately absent.
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
_ASCII_SPACES = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + bytes(range(128, 256))


# -- public API ----------------------------------------------------------------------------------------


def match_claim(store: Store, claim: Claim, *, limit: int = 50) -> list[Match]:
    """Newer papers (first submitted after claim.date, in claim.categories when given) related to the
    claim, best first, each scored 0-100 with evidence; at most `limit`."""
    return _match(store, claim, after=claim.date, limit=limit)


def match_claims(
    store: Store, claims: Sequence[Claim], *, limit: int = 50, workers: int | None = None
) -> dict[str, list[Match]]:
    """`match_claim` for each claim, keyed by claim id. From PARALLEL_FROM claims on, the claims are
    shared among `workers` worker processes (default: one per CPU), each reading the store file on its
    own connection: the same matches in a fraction of the wall time. Writes this connection has not
    committed are not seen by the workers."""
    done = _run_tasks(store, [_Task(c, limit) for c in claims], workers)
    return {claim.id: done[claim.id][0] for claim in claims}


def match_with_velocity(
    store: Store, jobs: Sequence[tuple[Claim, int, dt.date]], *, workers: int | None = None
) -> dict[str, tuple[list[Match], Velocity]]:
    """For each (claim, limit, today): `match_claim(claim, limit=limit)` and `topic_velocity(claim,
    today=today)`, keyed by claim id, shared among worker processes as `match_claims` does (what a
    report needs for the claims its match cache does not have)."""
    done = _run_tasks(store, [_Task(c, limit, today) for c, limit, today in jobs], workers)
    out: dict[str, tuple[list[Match], Velocity]] = {}
    for claim, _, _ in jobs:
        matches, velocity = done[claim.id]
        if velocity is not None:
            out[claim.id] = (matches, velocity)
    return out


@dataclass(frozen=True)
class _Task:
    """One claim to match (at most `limit` matches) and, when `today` is given, its velocity."""

    claim: Claim
    limit: int
    today: dt.date | None = None

    def run(self, store: Store) -> tuple[list[Match], Velocity | None]:
        matches = match_claim(store, self.claim, limit=self.limit)
        velocity = None if self.today is None else topic_velocity(store, self.claim, today=self.today)
        return matches, velocity


_Done = dict[str, tuple[list[Match], "Velocity | None"]]


def _run_tasks(store: Store, tasks: Sequence[_Task], workers: int | None) -> _Done:
    """Each task's answer by claim id: in worker processes from PARALLEL_FROM tasks on (or when
    `workers` says so), else (or when a worker fails) in this process."""
    if workers is None:
        workers = (os.cpu_count() or 1) if len(tasks) >= PARALLEL_FROM else 1
    workers = min(workers, len(tasks))
    if workers > 1:
        try:
            return _match_in_workers(store.path, tasks, workers)
        except FreshnessError as exc:
            if isinstance(exc, StoreError):
                raise
            log.warning("matching in this process instead: %s", exc)
    return {t.claim.id: t.run(store) for t in tasks}


# A worker is a fresh interpreter (not a fork: a forked child would inherit this process's open
# SQLite connection, which SQLite forbids; and not multiprocessing's "spawn", which re-runs the
# caller's main module). It takes its import path, then the store path, then lists of tasks, each
# answered in turn, on stdin until it closes.
_WORKER = (
    "import pickle, sys; sys.path[:0] = pickle.load(sys.stdin.buffer); "
    "from freshness.matching import _serve; _serve(sys.stdin.buffer, sys.stdout.buffer)"
)
# Tasks handed to a worker at a time. A worker takes the next batch when it has answered one, so a
# worker slowed by another job on its core takes fewer: dealing the claims out up front left the
# whole call waiting for the slower worker on this shared machine (docs/benchmarks.md).
WORKER_BATCH = 4


def _match_in_workers(path: Path, tasks: Sequence[_Task], workers: int) -> _Done:
    """Run `tasks` in `workers` processes, each taking WORKER_BATCH tasks at a time."""
    batches = iter([list(tasks[i : i + WORKER_BATCH]) for i in range(0, len(tasks), WORKER_BATCH)])
    lock = threading.Lock()
    failed = threading.Event()

    def next_batch() -> list[_Task] | None:
        with lock:
            return None if failed.is_set() else next(batches, None)

    procs: list[tuple[subprocess.Popen[bytes], BinaryIO]] = []
    try:
        for _ in range(workers):
            errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed below, after the worker ends
            proc = subprocess.Popen(  # noqa: S603 - this interpreter, running this module's _WORKER
                [sys.executable, "-c", _WORKER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
            procs.append((proc, errors))
    except OSError as exc:
        _end_workers(procs, kill=True)
        raise FreshnessError(f"cannot start a matching worker: {exc}") from exc
    header = pickle.dumps(list(sys.path)) + pickle.dumps(str(path))

    def drive(proc: subprocess.Popen[bytes], errors: BinaryIO) -> _Done:
        """Feed one worker batches until none are left; its answers, or a FreshnessError."""
        stdin, stdout = proc.stdin, proc.stdout
        if stdin is None or stdout is None:  # never: both are pipes
            raise FreshnessError("a matching worker has no pipes")
        out: _Done = {}
        try:
            stdin.write(header)
            while (batch := next_batch()) is not None:
                pickle.dump(batch, stdin)
                stdin.flush()
                kind, value = pickle.load(stdout)  # noqa: S301 - our own worker, over its pipe
                if kind == "error":
                    message, tip = value
                    raise StoreError(message, tip=tip)
                out.update(value)
            stdin.close()
            proc.wait()
        except StoreError:
            failed.set()
            raise
        except Exception:  # whatever a dead worker left (a broken pipe, a cut answer): its stderr
            failed.set()
            proc.kill()
            proc.wait()
            errors.seek(0)
            last = errors.read().decode(errors="replace").strip().splitlines()[-1:] or [
                f"exit code {proc.returncode}"
            ]
            raise FreshnessError(f"a matching worker failed: {last[0]}") from None
        return out

    pool = ThreadPoolExecutor(workers)
    try:
        answers = list(pool.map(lambda pe: drive(*pe), procs))
    except BaseException:  # Ctrl-C, a failed worker: no worker outlives the call
        failed.set()
        _end_workers(procs, kill=True)
        raise
    finally:
        pool.shutdown(wait=True)
        _end_workers(procs, kill=False)
    out: _Done = {}
    for answer in answers:
        out.update(answer)
    return out


def _end_workers(procs: Sequence[tuple[subprocess.Popen[bytes], BinaryIO]], *, kill: bool) -> None:
    for proc, errors in procs:
        if kill:
            proc.kill()
        proc.wait()
        errors.close()


def _serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """A worker's side of `_run_tasks`: read the store path, then run each batch of tasks on its own
    connection and answer it, until stdin closes."""
    path = pickle.load(stdin)  # noqa: S301 - our parent's job, over our stdin
    store: Store | None = None
    try:
        while True:
            try:
                tasks: list[_Task] = pickle.load(stdin)  # noqa: S301 - our parent's job, over our stdin
            except EOFError:
                return
            try:
                if store is None:
                    store = Store.open(Path(path))
                answer: tuple[str, object] = ("ok", {t.claim.id: t.run(store) for t in tasks})
            except FreshnessError as exc:
                answer = ("error", (str(exc), exc.tip))
            pickle.dump(answer, stdout)
            stdout.flush()
    finally:
        if store is not None:
            store.close()


def topic_velocity(store: Store, claim: Claim, *, today: dt.date, window_days: int = 90) -> Velocity:
    """Related newer papers first submitted in the last `window_days` (or since the claim, if more
    recent), counted per month, and how many of them challenge the claim."""
    since = max(claim.date, today - dt.timedelta(days=window_days))
    matches = [
        m
        for m in _match(
            store, claim, after=since, limit=1000, query_scale=2, timeless=True, min_score=RELATED_SCORE
        )
        if m.published <= today
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


def fts_topic(text: str) -> str | None:
    """A safe FTS5 query for a topic that FTS5 answers without reading the positions of function
    words (on a large store, "the" or "of" inside a phrase costs more than the rest of the query):
    the phrase when it has no function word inside, else NEAR of its runs of other words, as many
    words apart as the function words took ("lost in the middle" -> NEAR("lost" "middle", 2))."""
    words = _WORD.findall(text.lower())
    # Leading and trailing stop words narrow nothing down ("... of language models"): left out while
    # at least two other words remain ("model collapse" keeps its "model").
    while len(words) > 2 and words[0] in _STOPWORDS and sum(w not in _STOPWORDS for w in words) >= 2:
        words.pop(0)
    while len(words) > 2 and words[-1] in _STOPWORDS and sum(w not in _STOPWORDS for w in words) >= 2:
        words.pop()
    while words and words[0] in _FUNCTION_WORDS:
        words.pop(0)
    while words and words[-1] in _FUNCTION_WORDS:
        words.pop()
    if not words:
        return fts_phrase(text)
    runs: list[list[str]] = [[]]
    gap = 0
    for w in words:
        if w in _FUNCTION_WORDS:
            gap += 1
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(w)
    if len(runs) == 1:
        return '"' + " ".join(runs[0]) + '"'
    return "NEAR(" + " ".join('"' + " ".join(r) + '"' for r in runs) + f", {gap})"


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


def _stem(word: str) -> str:
    """A crude stem that forgives inflection: drop a plural s, an -ing or -ed and a final e while
    three letters remain, keep 5 letters (correct/correcting/correction, scale/scaling/scaled)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in ("ing", "ed", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:5]


class _StemMemo(dict[str, str]):
    """word -> stem, computed once per word (a corpus has far fewer distinct words than tokens)."""

    def __missing__(self, word: str) -> str:
        if len(self) > _STEM_MEMO_MAX:
            self.clear()
        stem = self[word] = _stem(word)
        return stem


_STEM_MEMO_MAX = 500_000
_STEMS = _StemMemo()


def _closed(text: str) -> str:
    """Hyphenated compounds written closed ("fine-tuning" -> "finetuning"), as papers often do."""
    return _HYPHENATED.sub("", text)


_HYPHENATED = re.compile(r"(?<=[^\W_])-(?=[^\W_])")
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def _closed_content(text: str) -> tuple[str, ...]:
    """The content-word stems of `text` with its hyphenated compounds closed ("full fine-tuning
    comparison" -> full, finet, compa). A compound whose closed stem is its first part's ("multi-turn"
    -> "multi", as "multiple") stays open: closed, the stem would have dropped the other parts."""
    stems: list[str] = []
    for m in _COMPOUND.finditer(text.lower()):
        parts = m.group().split("-")
        closed = "".join(parts)
        if len(parts) > 1 and _STEMS[closed] != _STEMS[parts[0]]:
            if closed not in _STOPWORDS:
                stems.append(_STEMS[closed])
        else:
            stems.extend(_STEMS[w] for w in parts if w not in _STOPWORDS)
    return tuple(dict.fromkeys(stems))


def _idf(df: int, n: int) -> float:
    """BM25's inverse document frequency: rare terms weigh more, a term in every paper ~0."""
    return math.log((n - df + 0.5) / (df + 0.5) + 1.0)


def _saturate(tf: float) -> float:
    """Term-frequency saturation as in BM25 (k1 = 1): one mention 0.5, three 0.75, never 1."""
    return tf / (tf + 1.0)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _content_words(text: str) -> list[str]:
    words = [w for w in _words(text) if len(w) > 2 and w not in _STOPWORDS]
    return list(dict.fromkeys(words))


class _Text:
    """A title or abstract as words: lower-cased words in order and their stems. Matching works on
    word positions, so a phrase is found whatever punctuation, case or inflection it is written
    with; character offsets are worked out only to quote evidence."""

    __slots__ = ("_joined", "_spans", "_starts", "_where", "lowered", "present", "raw", "stems", "words")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        low = raw.lower()
        if low.isascii():
            # The common case, 5x faster than the regular expression: bytes.translate turns every
            # ASCII character that is not a letter or digit into a space (what _WORD splits on).
            self.lowered = low
            self.words = low.encode("ascii").translate(_ASCII_SPACES).decode("ascii").split()
        elif len(low) == len(raw):
            self.lowered = low
            self.words = _WORD.findall(low)
        else:
            # Lower-casing changed the length of a character (U+0130): offsets come from the
            # original text, and each word is lower-cased on its own.
            self.lowered = raw
            self.words = [w.lower() for w in _WORD.findall(raw)]
        self.stems = list(map(_STEMS.__getitem__, self.words))
        self.present = frozenset(self.stems)
        self._where: dict[str, list[int]] = {}
        self._joined: str | None = None
        self._starts: list[int] | None = None
        self._spans: list[tuple[int, int]] | None = None

    def where(self, stem: str) -> list[int]:
        """The word indices where `stem` occurs (memoised per stem)."""
        if stem not in self.present:
            return []
        found = self._where.get(stem)
        if found is None:
            # list.index scans in C; a stem occurs a handful of times in an abstract of ~200 words.
            index, at, found = self.stems.index, -1, []
            for _ in range(self.stems.count(stem)):
                at = index(stem, at + 1)
                found.append(at)
            self._where[stem] = found
        return found

    def count(self, stem: str) -> int:
        return self.stems.count(stem) if stem in self.present else 0

    @property
    def joined(self) -> str:
        """The words joined by single spaces, padded: what the cue patterns read."""
        if self._joined is None:
            self._joined = " " + " ".join(self.words) + " "
        return self._joined

    def _word_starts(self) -> list[int]:
        if self._starts is None:
            # Word i starts after the padding space, the i words before it and one space after each.
            lengths = itertools.accumulate(map(len, self.words), initial=1)
            self._starts = list(map(operator.add, lengths, itertools.count()))
        return self._starts

    def word_at(self, offset: int) -> int:
        """The index of the word at (or just before) a character offset of `joined`."""
        return max(0, bisect.bisect_right(self._word_starts(), offset) - 1)

    def cues(self, pattern: re.Pattern[str], spans: Sequence[_Hit] = ()) -> list[tuple[int, int]]:
        """Word spans (first, last) where `pattern` matches; only within CUE_WORDS words of `spans`
        when given (what "near a topic" asks, at a fraction of the cost of reading everything)."""
        starts = self._word_starts()
        joined = self.joined
        n = len(self.words)
        if not spans:
            windows = [(0, len(joined))]
        else:
            windows = []
            for h in spans:
                a, b = max(0, h.first - CUE_WORDS), min(n - 1, h.last + CUE_WORDS)
                windows.append((starts[a] - 1, starts[b] + len(self.words[b]) + 1))
        found: dict[tuple[int, int], None] = {}
        for lo, hi in windows:
            for m in pattern.finditer(joined, lo, hi):
                first = bisect.bisect_right(starts, m.start()) - 1
                last = bisect.bisect_right(starts, m.end() - 1) - 1
                found.setdefault((max(0, first), max(0, last)), None)
        return list(found)

    def quote(self, first: int, last: int) -> str:
        """The original text from word `first` to word `last`, with context, for evidence."""
        if self._spans is None:
            self._spans = [m.span() for m in _WORD.finditer(self.lowered)]
        return _snippet(self.raw, self._spans[first][0], self._spans[last][1])


@dataclass(frozen=True)
class _Topic:
    text: str
    variants: tuple[tuple[str, ...], ...]  # stem sequences: the phrase, and its closed compound
    content: tuple[str, ...]  # content-word stems, for the "words near each other" fallback
    closed_content: tuple[str, ...] = ()  # the same for the closed compound, when it differs
    weight: float = 1.0
    df: int = 0  # papers (any date) that have it
    phrase: str = ""  # " lost in the middle": its words, for the fuzzy match
    keys: frozenset[str] = frozenset()  # a text without any of these stems cannot match it
    query: str | None = None  # its FTS5 query (fts_topic, also the closed compound)


@dataclass(frozen=True)
class _Word:
    text: str
    stems: tuple[str, ...]  # its own stem, and the closed compound's when written hyphenated
    weight: float = 1.0


@dataclass(frozen=True)
class _AnchorRef:
    label: str  # the id, for evidence
    patterns: tuple[tuple[tuple[str, ...], str], ...]  # (stem sequence, how it is named)


@dataclass(frozen=True)
class _Prepared:
    """A claim turned into weighted terms, ready to score any number of papers."""

    claim: Claim
    topics: tuple[_Topic, ...]
    words: tuple[_Word, ...]
    refs: tuple[_AnchorRef, ...]
    distinctive: tuple[str, ...]  # claim words rare enough to retrieve candidates with
    timeless: bool = False  # leave closeness in time out of the score
    vocabulary: frozenset[str] = frozenset()  # stems of the words of its topics, text and anchor names


def _stems_of(text: str) -> tuple[str, ...]:
    return tuple(_STEMS[w] for w in _words(text))


def _make_topic(text: str, df: _DocFreq) -> _Topic | None:
    words = _words(text)
    if not words:
        return None
    variants = [tuple(_STEMS[w] for w in words)]
    closed = _stems_of(_closed(text))
    if closed != variants[0]:
        variants.append(closed)
    content = tuple(_STEMS[w] for w in words if w not in _STOPWORDS) or variants[0]
    closed_content = _closed_content(text)
    query = " OR ".join(dict.fromkeys(q for t in (text, _closed(text)) if (q := fts_topic(t)))) or None
    n = df.query(query) if query else df.n
    return _Topic(
        text,
        tuple(variants),
        tuple(dict.fromkeys(content)),
        closed_content=closed_content if closed_content != tuple(dict.fromkeys(content)) else (),
        weight=_idf(n, df.n),
        df=n,
        phrase=" " + " ".join(words),
        query=query,
        keys=frozenset(content) | frozenset(closed_content) | {v[0] for v in variants},
    )


def _anchor_refs(anchors: Sequence[Anchor]) -> tuple[_AnchorRef, ...]:
    refs = []
    for a in anchors:
        if a.arxiv_id is None:
            continue
        pats = [(_stems_of(a.arxiv_id.base), "by id")]
        if a.title and _words(a.title):
            pats.append((_stems_of(a.title), "by title"))
            name = short_name(a.title)
            if name:
                pats.append((_stems_of(name), f"as '{name}'"))
        refs.append(_AnchorRef(a.arxiv_id.base, tuple(pats)))
    return tuple(refs)


# Document frequencies barely move between claims or runs: remember them per store file and size,
# and for a rare term (at most FEW_ROWS papers) also which papers: the term's retrieval then needs no
# ranked query at all, and the same claim's velocity or another claim with that term reuses it. A
# paper revised in place (same store size) is seen by these memos once the store grows again.
_DF_CACHE: dict[tuple[str, int], dict[str, int]] = {}
_ROWS_CACHE: dict[tuple[str, int], dict[str, tuple[int, ...]]] = {}
_DF_CACHE_MAX = 200_000  # terms, over all stores; past it the memo starts again
_ROWS_CACHE_MAX = 20_000  # rare terms' paper lists, over all stores
FEW_ROWS = 2 * TOPIC_QUERY_LIMIT  # a term in at most this many papers is retrieved whole, unranked
EXACT_BELOW = 20_000  # a term in fewer papers (by a sampled estimate) is counted exactly
PAGE_CACHE_MIB = 64  # SQLite page cache of a connection the matcher reads (SQLite's default: 2 MiB)


class _DocFreq:
    """Document frequencies from the FTS index (any date), memoised per store file and size; for rare
    terms also the papers that have them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Every claim's queries walk the same upper levels of the FTS index: kept in the page cache
        # they cost ~10 % less CPU at 1M papers (docs/matching.md 4.3).
        store.widen_page_cache(PAGE_CACHE_MIB)
        self.n = max(1, store.summary().papers)
        if sum(len(c) for c in _DF_CACHE.values()) > _DF_CACHE_MAX:
            _DF_CACHE.clear()
        if sum(len(c) for c in _ROWS_CACHE.values()) > _ROWS_CACHE_MAX:
            _ROWS_CACHE.clear()
        key = (str(store.path), self.n)
        self.cache = _DF_CACHE.setdefault(key, {})
        self.few = _ROWS_CACHE.setdefault(key, {})

    def __call__(self, text: str) -> int:
        q = fts_phrase(text)
        return self.n if q is None else self.query(q)

    def query(self, q: str) -> int:
        """Papers matching an FTS5 query. One unranked query that stops after FEW_ROWS + 1 papers
        answers a rare term whole (and remembers its papers); only a common term is counted."""
        if q not in self.cache:
            found = self.store.match_rowids(q, limit=FEW_ROWS + 1)
            if len(found) <= FEW_ROWS:
                self.cache[q] = len(found)
                self.few[q] = tuple(found)
            else:
                # Counting a term in half the store reads half the index: above EXACT_BELOW papers
                # its count is sampled (its weight is small and barely moves with the count).
                self.cache[q] = self.store.estimate_matches(q, exact_below=EXACT_BELOW)
        return self.cache[q]

    def rows(self, q: str) -> tuple[int, ...] | None:
        """Every paper matching `q` (any date) when it is a rare term, else None."""
        if q not in self.few and q not in self.cache:
            self.query(q)
        return self.few.get(q)


def _prepare(claim: Claim, df: _DocFreq, *, timeless: bool = False) -> _Prepared:
    topics = [t for text in claim.topics if (t := _make_topic(text, df))]
    # A hyphenated compound in the claim ("fine-tuning") also counts when written closed.
    compounds: dict[str, str] = {}
    for m in re.finditer(r"[^\W_]+(?:-[^\W_]+)+", claim.text.lower()):
        closed = _stem(_closed(m.group()))
        for part in m.group().split("-"):
            compounds[part] = closed
    words = []
    rare: list[tuple[int, str]] = []
    for w in _content_words(claim.text):
        d = df(w)
        stems = (_stem(w), compounds[w]) if w in compounds else (_stem(w),)
        words.append(_Word(w, stems, _idf(d, df.n)))
        if d <= max(DISTINCTIVE_SHARE * df.n, DISTINCTIVE_MIN):
            rare.append((d, w))
    distinctive = tuple(w for _, w in sorted(rare)[:DISTINCTIVE_MAX])
    names = [n for a in claim.anchors if a.title and (n := short_name(a.title))]
    vocabulary = frozenset(
        _STEMS[w]
        for text in (*claim.topics, *map(_closed, claim.topics), claim.text, _closed(claim.text), *names)
        for w in _words(text)
        if w not in _STOPWORDS
    )
    return _Prepared(
        claim, tuple(topics), tuple(words), _anchor_refs(claim.anchors), distinctive, timeless, vocabulary
    )


# -- scoring -------------------------------------------------------------------------------------------


@dataclass
class _Hit:
    score: float
    first: int  # word index of the first word
    last: int  # word index of the last word


def _occurrences(seq: tuple[str, ...], text: _Text) -> list[_Hit]:
    """Every place where the stem sequence `seq` occurs as consecutive words."""
    starts = text.where(seq[0])
    if not starts:
        return []
    k = len(seq)
    if k == 1:
        return [_Hit(100.0, i, i) for i in starts]
    stems = text.stems
    rest = list(seq[1:])
    return [_Hit(100.0, i, i + k - 1) for i in starts if stems[i + 1 : i + k] == rest]


def _find(topic: _Topic, text: _Text) -> list[_Hit]:
    """Where a topic occurs: every exact occurrence of its words (open or closed compound, any
    inflection the crude stem forgives); else, when all its words are there, the best fuzzy match of
    the phrase (a typo: "low-rank adapation"); else its words near each other, weaker, written open
    or closed ("full fine-tuning comparison": "we compare LoRA and full finetuning")."""
    present = text.present
    hits: list[_Hit] = []
    for seq in topic.variants:
        if seq[0] in present:
            hits.extend(_occurrences(seq, text))
    if hits:
        return hits
    if len(topic.content) >= 2 and all(s in present for s in topic.content):
        # The leading space keeps a short topic from matching inside a word ("lora" in "exploration").
        al = fuzz.partial_ratio_alignment(topic.phrase, text.joined, score_cutoff=PHRASE_CUTOFF)
        if al is not None:
            return [_Hit(al.score, text.word_at(al.dest_start + 1), text.word_at(al.dest_end - 1))]
        if hits := _near(topic.content, text):
            return hits
    closed = topic.closed_content
    if len(closed) >= 2 and all(s in present for s in closed):
        return _near(closed, text)
    return []


def _near(content: Sequence[str], text: _Text) -> list[_Hit]:
    """The content words (stems) all within NEAR_WORDS words of the first one, in any order."""
    for p in text.where(content[0]):
        found = [p]
        for s in content[1:]:
            q = next((q for q in text.where(s) if abs(q - p) <= NEAR_WORDS), None)
            if q is None:
                break
            found.append(q)
        else:
            return [_Hit(NEAR_SCORE, min(found), max(found))]
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
    coverage: float = 0.0  # the share of the claim's topics it mentions at all
    words: float = 0.0  # the same for the claim's own content words
    title: float = 0.0  # the title names a topic
    prior: float = 0.0  # discusses prior findings near a topic
    challenge: float = 0.0  # challenge language near a topic (or in a title that names one)
    anchor: float = 0.0  # names an anchor by id, title or short name
    proximity: float = 0.0  # 1 / (1 + years between the claim and the paper)
    focus: float = 0.0  # the rarity-weighted share of the title's words that are the claim's
    challenge_evidence: str | None = None
    evidence: list[str] = field(default_factory=list)

    def score(self) -> float:
        total = sum(weight * float(getattr(self, name)) for name, weight in WEIGHTS.items())
        return max(0.0, min(100.0, 100.0 * total))


_FEATURE_NAMES = frozenset(f.name for f in dataclasses.fields(_Features) if f.type in ("float", float))


def _cue_near(cues: Sequence[tuple[int, int]], spans: Sequence[_Hit]) -> tuple[tuple[int, int], _Hit] | None:
    """The first cue (word span) within CUE_WORDS words of a topic span."""
    for h in spans:
        for c in cues:
            if c[1] >= h.first - CUE_WORDS and c[0] <= h.last + CUE_WORDS:
                return c, h
    return None


class _Pool:
    """A claim's candidates as a whole: in how many of them each stem occurs."""

    def __init__(self, texts: Sequence[tuple[_Text, _Text]]) -> None:
        self.size = len(texts)
        self.df = Counter(itertools.chain.from_iterable(t.present | a.present for t, a in texts))

    def rarity(self, stem: str) -> float:
        """How rare a stem is among the candidates: a word most of them use says little."""
        return math.log((self.size + 1) / (self.df[stem] + 0.5))

    def focus(self, title: _Text, vocabulary: frozenset[str]) -> tuple[float, int, int]:
        """The rarity-weighted share of the title's content words that are the claim's, and the plain
        counts for the evidence: "LoRA+: Efficient Low Rank Adaptation of Large Models" is about its
        claim's subject; "Malware Detection with LoRA" mostly about something else."""
        words = [
            s for w, s in zip(title.words, title.stems, strict=True) if w not in _STOPWORDS and len(w) > 1
        ]
        if not words:
            return 0.0, 0, 0
        weights = [self.rarity(s) for s in words]
        ours = [w for s, w in zip(words, weights, strict=True) if s in vocabulary]
        total = sum(weights)
        return (sum(ours) / total if total else 0.0), len(ours), len(words)


def _features(
    paper: Paper,
    prep: _Prepared,
    *,
    explain: bool = True,
    texts: tuple[_Text, _Text] | None = None,
    pool: _Pool | None = None,
) -> _Features:
    """Score one paper against a prepared claim. `explain=False` skips what only the evidence and the
    superseding flag need (challenge cues, quoted snippets): ranking hundreds of candidates needs
    only the numbers, and the few that are returned are explained afterwards. `pool`: the claim's
    candidates, which say how rare a word is among them (for the title's focus)."""
    title, abstract = texts or (_Text(paper.title), _Text(paper.abstract))
    f = _Features()
    f.focus, title_shared, title_words = (pool or _Pool([(title, abstract)])).focus(title, prep.vocabulary)

    covered = 0
    topic_sum = 0.0
    title_topic = ""
    spans: list[_Hit] = []
    for topic in prep.topics:
        if topic.keys.isdisjoint(abstract.present) and topic.keys.isdisjoint(title.present):
            continue  # none of its words: most topics for most candidates
        t_hits = _find(topic, title)
        a_hits = _find(topic, abstract)
        if not (t_hits or a_hits):
            continue
        covered += 1
        tf = (3 * sum(h.score for h in t_hits) + sum(h.score for h in a_hits)) / 100
        topic_sum += topic.weight * _saturate(tf)
        if t_hits and t_hits[0].score >= NEAR_SCORE and t_hits[0].score / 100 > f.title:
            f.title, title_topic = t_hits[0].score / 100, topic.text
        spans.extend(a_hits)
    f.topics = topic_sum / (sum(t.weight for t in prep.topics) or 1.0)
    f.coverage = covered / (len(prep.topics) or 1)
    spans.sort(key=lambda h: (-h.score, h.first))

    # The claim's own content words, counted by crude stem (forgives inflection); title counts 3.
    word_sum = 0.0
    shared = []
    for w in prep.words:
        tf = 0
        for s in w.stems:
            tf += 3 * title.count(s) + abstract.count(s)
        if tf:
            shared.append(w.text)
            word_sum += w.weight * _saturate(tf)
    f.words = word_sum / (sum(w.weight for w in prep.words) or 1.0)

    named = []
    anchor_spans: list[tuple[str, _Hit]] = []  # where the abstract names an anchor
    for ref in prep.refs:
        for seq, how in ref.patterns:
            in_abstract = _occurrences(seq, abstract)
            if in_abstract or _occurrences(seq, title):
                named.append(f"names anchor {ref.label} {how}")
                if in_abstract:
                    anchor_spans.append((ref.label, in_abstract[0]))
                break
    f.anchor = 1.0 if named else 0.0

    if explain or WEIGHTS.get("challenge"):
        _challenge(f, paper, title, abstract, spans, anchor_spans)
    f.prior = 1.0 if spans and _cue_near(abstract.cues(_PRIOR, spans), spans) else 0.0
    years = max(0, (paper.published - prep.claim.date).days) / 365.25
    f.proximity = 0.0 if prep.timeless else 1.0 / (1.0 + years)
    if not explain:
        return f

    if f.title:
        f.evidence.append(f"title matches topic '{title_topic}' (score {100 * f.title:.0f})")
    if spans:
        h = spans[0]
        f.evidence.append(f"abstract: '{abstract.quote(h.first, h.last)}'")
    if prep.topics:
        f.evidence.append(f"covers {covered} of {len(prep.topics)} topics")
    if shared:
        f.evidence.append(f"shares the claim's words: {', '.join(shared)}")
    if title_shared:
        f.evidence.append(f"title: {title_shared} of its {title_words} words are the claim's")
    f.evidence.extend(named)
    if f.challenge_evidence is not None:
        f.evidence.append(f.challenge_evidence)
    return f


def _challenge(
    f: _Features,
    paper: Paper,
    title: _Text,
    abstract: _Text,
    spans: Sequence[_Hit],
    anchor_spans: Sequence[tuple[str, _Hit]],
) -> None:
    """Challenge evidence, first found wins: a title that names a topic and argues with or questions
    it; a cue near a topic in the abstract; a cue near where the abstract names an anchor."""
    if f.title and _CUES.search(title.joined):
        # A title that names a topic and argues with it ("LoRA vs Full Fine-tuning: An Illusion ...").
        f.challenge_evidence = f"challenge in title: '{paper.title}'"
    elif f.title and paper.title.rstrip().endswith("?"):
        # A title that names a topic and questions it ("Is Model Collapse Inevitable?").
        f.challenge_evidence = f"title questions the topic: '{paper.title}'"
    elif spans or anchor_spans:
        cues = abstract.cues(_CUES, [*spans, *(h for _, h in anchor_spans)])
        if near := _cue_near(cues, spans):
            c, h = near
            quoted = abstract.quote(min(h.first, c[0]), max(h.last, c[1]))
            f.challenge_evidence = f"contrast near topic: '{quoted}'"
        else:
            # It names what the claim cites and argues with it, whatever words it uses for the topic.
            for label, h in anchor_spans:
                if near := _cue_near(cues, [h]):
                    c = near[0]
                    quoted = abstract.quote(min(h.first, c[0]), max(h.last, c[1]))
                    f.challenge_evidence = f"argues with anchor {label}: '{quoted}'"
                    break
    f.challenge = 1.0 if f.challenge_evidence else 0.0


def _is_superseding(f: _Features, score: float, bar: float) -> bool:
    """Strongly related (among the claim's STRONG_RANK best, at least STRONG_SCORE) and challenging."""
    return f.challenge_evidence is not None and score >= bar


# -- retrieval -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    """Bounded FTS5 query: its parts OR-ed together, at most `limit` papers, best BM25 first."""

    parts: tuple[str, ...]  # each a quoted phrase or NEAR group the memo can answer on its own
    limit: int
    ranked_only: bool = False  # never answered from the memo (a column filter)

    @property
    def text(self) -> str:
        return " OR ".join(self.parts)


def _queries(prep: _Prepared, scale: int) -> list[_Query]:
    """Bounded FTS5 queries whose union is the candidate set."""
    queries: list[_Query] = []
    for t in prep.topics:
        if t.query is None:
            continue
        limit = TOPIC_QUERY_LIMIT * scale
        if t.df > limit * TITLES_WHEN_MORE:
            # A common topic: its best papers name it in the title, and ranking only those spares
            # BM25 scoring thousands of abstracts that merely mention it.
            queries.append(_Query(("{title} : (" + t.query + ")",), limit, ranked_only=True))
        elif t.df < limit * NEAR_WHEN_FEWER and (near := fts_near(t.text)):
            # The phrase is (almost) unused: its words near each other, in any order, too.
            queries.append(_Query((t.query, near), limit))
        else:
            queries.append(_Query((t.query,), limit))
    words = tuple(q for w in prep.distinctive if (q := fts_phrase(w)))
    if words:
        queries.append(_Query(words, WORDS_QUERY_LIMIT * scale))
    for a in prep.claim.anchors:
        names = [a.arxiv_id.base] if a.arxiv_id else []
        if a.title:
            names.append(a.title)
            if (name := short_name(a.title)) is not None:
                names.append(name)
        for name in names:
            if (q := fts_topic(name)) is not None:
                queries.append(_Query((q,), ANCHOR_QUERY_LIMIT * scale))
    return queries


def _retrieve(
    store: Store,
    df: _DocFreq,
    query: _Query,
    after: dt.date,
    categories: Sequence[str],
    after_rowid: int = 0,
) -> list[int]:
    """A query's papers: every match, from the memo, when its parts are rare and together have at
    most `limit` papers (no ranking needed: the date and categories are checked on the papers),
    else the best `limit` by BM25. `after_rowid`: only papers stored after it."""
    if not query.ranked_only:
        found: list[int] = []
        for part in query.parts:
            rows = df.rows(part)
            if rows is None:
                break
            found.extend(rows)
        else:
            if len(set(found)) <= query.limit:
                return [r for r in found if r > after_rowid]
    return [
        r
        for r, _ in store.search(
            query.text, after=after, categories=categories, limit=query.limit, after_rowid=after_rowid
        )
    ]


def _candidates(
    store: Store, df: _DocFreq, prep: _Prepared, after: dt.date, scale: int, after_rowid: int = 0
) -> list[Paper]:
    """The union of the bounded queries' papers, first submitted after `after` (and in the claim's
    categories when it has any; stored after `after_rowid`)."""
    rowids: dict[int, None] = {}
    categories = prep.claim.categories
    for query in _queries(prep, scale):
        rowids.update(dict.fromkeys(_retrieve(store, df, query, after, categories, after_rowid)))
    wanted = set(categories)
    return [
        p
        for p in store.papers_by_rowid(list(rowids)).values()
        if p.published > after and (not wanted or wanted.intersection(p.categories))
    ]


# Papers read as words, remembered by their text: a claim's velocity scores mostly the papers its
# match just scored (`freshness report` asks for both), and neighbouring claims share papers.
_TEXTS: dict[tuple[str, str], tuple[_Text, _Text]] = {}
_TEXTS_MAX = 3000  # papers (~30 kB each); the oldest are forgotten first


def _texts_of(paper: Paper) -> tuple[_Text, _Text]:
    """The paper's title and abstract as `_Text`s."""
    key = (paper.title, paper.abstract)
    found = _TEXTS.get(key)
    if found is None:
        if len(_TEXTS) >= _TEXTS_MAX:
            del _TEXTS[next(iter(_TEXTS))]
        found = _TEXTS[key] = (_Text(paper.title), _Text(paper.abstract))
    return found


# A candidate is scored in full only when an upper bound of its score (_score_bound, about half the
# cost of scoring it) can still reach the claim's best: where few of the candidates can, as in
# velocity (a floor of RELATED_SCORE: at 1M papers ~6 of ~100 candidates are scored) and when the
# claim has PRUNE_RATIO times more candidates than places. Below that, scoring them all is cheaper
# (docs/matching.md 4.3). PRUNE = False scores every candidate (the tests compare both).
PRUNE = True
PRUNE_RATIO = 10
_SLACK = 1e-9  # scores are 0-100: far above any rounding difference between a bound and its score
_bound_broken = False  # set once a scored candidate beat its bound: pruning is then off (logged)


def _rank(
    papers: Sequence[Paper],
    prep: _Prepared,
    texts: dict[str, tuple[_Text, _Text]],
    pool: _Pool,
    *,
    keep: int,
    min_score: float,
) -> list[tuple[float, Paper]]:
    """(score, paper) of the candidates scoring at least `min_score`, unordered: every one that can be
    among the `keep` best, exactly as scoring them all would give them. Candidates are scored best
    bound first; once `keep` scores are in, a candidate whose bound is below the `keep`-th best score
    (or below `min_score`) cannot enter, and neither can any after it."""
    global _bound_broken  # one process-wide switch, set at most once
    worth_it = min_score > MIN_SCORE or len(papers) >= PRUNE_RATIO * keep
    if not (PRUNE and worth_it) or _bound_broken:
        scored = [
            (_features(p, prep, explain=False, texts=texts[p.arxiv_id], pool=pool).score(), p) for p in papers
        ]
        return [s for s in scored if s[0] >= min_score]
    bounded = sorted(
        ((_score_bound(p, prep, texts[p.arxiv_id], pool), i) for i, p in enumerate(papers)), reverse=True
    )
    best: list[float] = []  # min-heap of the `keep` best scores so far
    ranked: list[tuple[float, Paper]] = []
    for bound, i in bounded:
        if bound + _SLACK < min_score or (len(best) >= keep and bound + _SLACK < best[0]):
            break
        p = papers[i]
        score = _features(p, prep, explain=False, texts=texts[p.arxiv_id], pool=pool).score()
        if score > bound + _SLACK:
            # The scoring no longer keeps to what _score_bound assumes: score everything, from now on.
            _bound_broken = True
            log.warning(
                "a candidate scored %.3f above its bound %.3f: matching without pruning", score, bound
            )
            return _rank(papers, prep, texts, pool, keep=keep, min_score=min_score)
        if score >= min_score:
            ranked.append((score, p))
            if len(best) < keep:
                heapq.heappush(best, score)
            elif score > best[0]:
                heapq.heapreplace(best, score)
    return ranked


def _score_bound(paper: Paper, prep: _Prepared, texts: tuple[_Text, _Text], pool: _Pool) -> float:
    """An upper bound of `_features(paper, ...).score()` at a fraction of its cost: the claim's words,
    the title's focus and closeness in time exactly; a topic only if its stems are all in the text
    (what `_find` needs), counted as if every place its first word occurs were a full hit; whatever
    else at its most (1, or 0 for a negative weight). Added up in `_Features.score`'s order, so the
    bound is never below the score beyond rounding (`_rank` allows _SLACK for that)."""
    title, abstract = texts
    b = _Features()
    for name in _FEATURE_NAMES.intersection(WEIGHTS):
        setattr(b, name, 1.0)
    topic_sum = 0.0
    in_title = in_abstract = False
    covered = 0
    for t in prep.topics:
        hits_t = _hits_at_most(t, title)
        hits_a = _hits_at_most(t, abstract)
        if hits_t or hits_a:
            covered += 1
            topic_sum += t.weight * _saturate(3 * hits_t + hits_a)
            in_title = in_title or hits_t > 0
            in_abstract = in_abstract or hits_a > 0
    b.topics = topic_sum / (sum(t.weight for t in prep.topics) or 1.0)
    b.coverage = covered / (len(prep.topics) or 1)  # a topic can only be covered where it can hit
    word_sum = 0.0  # exactly as _features counts them
    for w in prep.words:
        tf = 0
        for s in w.stems:
            tf += 3 * title.count(s) + abstract.count(s)
        if tf:
            word_sum += w.weight * _saturate(tf)
    b.words = word_sum / (sum(w.weight for w in prep.words) or 1.0)
    b.title = 1.0 if in_title else 0.0  # a title hit
    b.prior = 1.0 if in_abstract else 0.0  # needs a topic in the abstract
    b.anchor = 1.0 if prep.refs else 0.0
    b.focus = pool.focus(title, prep.vocabulary)[0]
    years = max(0, (paper.published - prep.claim.date).days) / 365.25
    b.proximity = 0.0 if prep.timeless else 1.0 / (1.0 + years)
    for name, weight in WEIGHTS.items():
        if weight < 0 and name in _FEATURE_NAMES:  # a feature that lowers the score: at its least
            setattr(b, name, 0.0)
    return b.score()


def _hits_at_most(topic: _Topic, text: _Text) -> int:
    """At most how many hits `_find` can give a topic in `text` (each scores at most 100): one per
    place a variant's first word occurs when all its words are there; one fuzzy or near hit when all
    the topic's content words (open or closed compound) are there; else none."""
    present = text.present
    if topic.keys.isdisjoint(present):
        return 0  # most topics for most candidates
    exact = 0
    for v in topic.variants:
        if present.issuperset(v):
            exact += text.count(v[0])
    if exact:
        return exact
    if len(topic.content) >= 2 and present.issuperset(topic.content):
        return 1
    closed = topic.closed_content  # the near fallback over the closed compound's words
    return 1 if len(closed) >= 2 and present.issuperset(closed) else 0


def _match(
    store: Store,
    claim: Claim,
    *,
    after: dt.date,
    limit: int,
    query_scale: int = 1,
    timeless: bool = False,
    min_score: float = MIN_SCORE,
    after_rowid: int = 0,
) -> list[Match]:
    """Candidates scoring at least `min_score`, ranked on numbers only, then the top `limit` explained.
    `timeless` leaves closeness to the claim's date out of the score (velocity asks "how related", not
    "how early")."""
    df = _DocFreq(store)
    prep = _prepare(claim, df, timeless=timeless)
    papers = _candidates(store, df, prep, after, query_scale, after_rowid)
    texts = {p.arxiv_id: _texts_of(p) for p in papers}
    pool = _Pool(list(texts.values()))
    ranked = _rank(papers, prep, texts, pool, keep=max(limit, STRONG_RANK), min_score=min_score)
    ranked.sort(key=lambda s: (-s[0], -s[1].published.toordinal(), s[1].arxiv_id))
    # The bar for "strongly related": the STRONG_RANK-th best score (or STRONG_SCORE).
    bar = max(STRONG_SCORE, ranked[min(len(ranked), STRONG_RANK) - 1][0]) if ranked else STRONG_SCORE
    matches = []
    for score, p in ranked[:limit]:
        f = _features(p, prep, explain=True, texts=texts[p.arxiv_id], pool=pool)
        matches.append(
            Match(
                arxiv_id=p.arxiv_id,
                title=p.title,
                published=p.published,
                score=round(score, 1),
                superseding=_is_superseding(f, score, bar),
                evidence=tuple(f.evidence),
            )
        )
    return matches
