"""Short texts as distinctive words: what a cited title, a finding or an abstract is about.

Shared by the graded title check (titles.py) and the note reader (notes.py, extract.py). Words are
compared by a crude stem, so "shortcuts" agrees with "shortcut" and "reasoning" with "reason".
"""

from __future__ import annotations

import re
import unicodedata

# Function words, and the vocabulary every ML title shares: a cited title agreeing with arXiv's on
# "large language models" says nothing about being the same paper.
_STOP_TEXT = """a an and are as at be been being but by can could do does did for from has have how
    i if in into is it its more most much not no of on or our than that the their them then there these
    they this those to under very was we were what when where which while who whom why will with within
    without would via vs versus through towards toward over across between among about upon after
    before during against per both each all any such also only so one two new use used using based
    model models language languages large llm llms lm lms paper papers approach method methods result
    results show shows study studies work works toward task tasks performance analysis learning deep
    neural network networks system systems framework frameworks towards better make makes making rather
    than just even still often many some may might less same other others own way ways here itself
    versus like yet now get gets"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


def words(text: str) -> list[str]:
    """Lower-cased words in order; accents dropped; hyphenated compounds split into their parts."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    out: list[str] = []
    for m in _WORD.finditer(plain.lower()):
        out.extend(p for p in re.split(r"[-']", m.group()) if p)
    return out


def stem(word: str) -> str:
    """A crude stem forgiving inflection: a plural s, -ing, -ed, -al, a final e; at most 6 letters."""
    w = word.lower()
    if len(w) > 3 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    for suffix in ("ing", "ed", "al", "e"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            break
    return w[:6]


def distinctive(text: str) -> list[str]:
    """The words of `text` that say what it is about (no stop words, no bare numbers of one digit,
    at least two letters), each once, in order of first appearance, as written (lower case)."""
    seen: set[str] = set()
    out: list[str] = []
    for w in words(text):
        if w in STOP_WORDS or len(w) < 2 or (w.isdigit() and len(w) < 2):
            continue
        s = stem(w)
        if s not in seen:
            seen.add(s)
            out.append(w)
    return out


def stems(text: str) -> frozenset[str]:
    """The stems of the distinctive words of `text`."""
    return frozenset(stem(w) for w in distinctive(text))
