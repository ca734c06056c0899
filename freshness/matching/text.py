"""Papers and claims read as words: lower-cased words, crude stems, closed compounds, stop words.

A `_Text` is a title or abstract as words in order with their stems; matching works on word positions,
so a phrase is found whatever punctuation, case or inflection it is written with.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass

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


_WORD = re.compile(r"[^\W_]+")
_ASCII_SPACES = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + bytes(range(128, 256))


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


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _content_words(text: str) -> list[str]:
    words = [w for w in _words(text) if len(w) > 2 and w not in _STOPWORDS]
    return list(dict.fromkeys(words))


class _Text:
    """A title or abstract as words: lower-cased words in order and their stems. Matching works on
    word positions, so a phrase is found whatever punctuation, case or inflection it is written
    with; character offsets are worked out only to quote evidence."""

    __slots__ = ("_joined", "_starts", "_where", "lowered", "present", "raw", "stems", "words")

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

    def cues(self, pattern: re.Pattern[str], spans: Sequence[_Hit], near: int) -> list[tuple[int, int]]:
        """Word spans (first, last) where `pattern` matches; only within `near` words of `spans`
        when given (what "near a topic" asks, at a fraction of the cost of reading everything)."""
        starts = self._word_starts()
        joined = self.joined
        n = len(self.words)
        if not spans:
            windows = [(0, len(joined))]
        else:
            windows = []
            for h in spans:
                a, b = max(0, h.first - near), min(n - 1, h.last + near)
                windows.append((starts[a] - 1, starts[b] + len(self.words[b]) + 1))
        found: dict[tuple[int, int], None] = {}
        for lo, hi in windows:
            for m in pattern.finditer(joined, lo, hi):
                first = bisect.bisect_right(starts, m.start()) - 1
                last = bisect.bisect_right(starts, m.end() - 1) - 1
                found.setdefault((max(0, first), max(0, last)), None)
        return list(found)

    def quote(self, first: int, last: int, context: int) -> str:
        """The original text from word `first` to word `last`, with `context` characters either side,
        for evidence. Only the words up to `last` are located (islice skips the rest in C)."""
        words = _WORD.finditer(self.lowered)
        start = next(itertools.islice(words, first, None))
        end = start if last == first else next(itertools.islice(words, last - first - 1, None))
        return _snippet(self.raw, start.start(), end.end(), context)


def _stems_of(text: str) -> tuple[str, ...]:
    return tuple(_STEMS[w] for w in _words(text))


@dataclass
class _Hit:
    score: float
    first: int  # word index of the first word
    last: int  # word index of the last word


def _snippet(text: str, start: int, end: int, context: int) -> str:
    """The original text around [start, end), whitespace collapsed, with ellipses where cut."""
    lo = max(0, start - context)
    hi = min(len(text), end + context)
    body = " ".join(text[lo:hi].split())
    return ("..." if lo > 0 else "") + body + ("..." if hi < len(text) else "")


def content_stems(text: str) -> list[str]:
    """The stems of `text`'s content words (longer than two letters, not stopwords), repeats kept: the
    words a bag-of-words model of a paper counts."""
    return [_STEMS[w] for w in _words(text) if len(w) > 2 and w not in _STOPWORDS]
