"""Cited titles against arXiv's: how similar (0-100, TITLE_THRESHOLD), and word by word how a title
below the threshold still agrees (`title_differs`: the same paper cited loosely) or not
(`title_mismatch`: the id may point at another paper). Pure.

Used by the anchor check (anchors.py) to judge an anchor's cited title.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from freshness import wording
from freshness.models import AnchorStatus

# Tuned on the 139k-paper corpus (title_similarity, normalised titles). Same paper, cited differently:
# of 13,000 variants of 2,000 random titles (lower case, punctuation or hyphens dropped, a trailing
# period, a lost space, one word dropped, the main title without its subtitle) 9 scored below 85, all
# "one word dropped" from a short name. Different papers: a random paper's *nearest* other title scored
# 85 or more for 2 of 300 papers (a typo'd id lands on a random paper, which scores far lower).
TITLE_THRESHOLD = 85.0

_TEX_FORMAT = re.compile(
    r"\\(?:emph|textit|textbf|textsc|texttt|textrm|textsf|mathrm|mathbf|mathcal|mathit|mathsf|mathbb|"
    r"mathtt|text|mbox|operatorname)\b"
)
_TEX_WORD = re.compile(r"\\([A-Za-z]+)")


def normalise_title(title: str) -> str:
    """Lower case, accents and TeX markup dropped, Greek letters spelled out (U+03B1 and $\\alpha$ agree),
    every non-alphanumeric character a space: what rapidfuzz's default_process then compares."""
    chars: list[str] = []
    for ch in unicodedata.normalize("NFKD", title):
        if unicodedata.combining(ch):
            continue
        if "\u0370" <= ch <= "\u03ff":
            name = unicodedata.name(ch, "")
            ch = f" {name.split()[-1].lower()} " if name.startswith("GREEK") else ch
        chars.append(ch)
    text = _TEX_WORD.sub(r" \1 ", _TEX_FORMAT.sub(" ", "".join(chars)))
    return " ".join(utils.default_process(text).split())


def title_similarity(cited: str, actual: str) -> float:
    """0-100: how well a cited title matches arXiv's. Word order and markup do not matter; a title
    cited without its subtitle matches ("ProRL" for "ProRL: Prolonged ..."); two titles whose short
    names before the colon differ ("MMAU: ..." vs "MMTU: ...") or whose numbers differ ("Keye-VL 2.0"
    vs "Keye-VL 1.5") do not."""
    a, b = normalise_title(cited), normalise_title(actual)
    if not a or not b:
        return 0.0
    # ratio too: a lost space ("viaReinforced") merges two words, which token sorting scatters.
    score = max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a, b))
    main_a, main_b = _main_title(cited), _main_title(actual)
    # The claim may cite only the part before the colon (or arXiv's title may lack the subtitle).
    if main_b and not main_a:
        score = max(score, fuzz.token_sort_ratio(a, main_b))
    elif main_a and not main_b:
        score = max(score, fuzz.token_sort_ratio(main_a, b))
    elif main_a and main_b and len(main_a.split()) <= 3 and len(main_b.split()) <= 3:
        score = min(score, fuzz.ratio(main_a, main_b))  # short names are the papers' identities
    numbers_a, numbers_b = _numbers(a), _numbers(b)
    if numbers_a and numbers_b and numbers_a != numbers_b:
        score = min(score, 70.0)
    return float(score)


# A cited title below TITLE_THRESHOLD is still the same paper, cited loosely, when at least half of its
# distinctive words (and two or more) are in arXiv's title, or when with the abstract's help they make
# up 80% of them (three or more, one at least in the title). Measured in docs/ci.md.
DIFFERS_TITLE_SHARE = 0.5
DIFFERS_WITH_ABSTRACT_SHARE = 0.8


@dataclass(frozen=True)
class TitleAgreement:
    """How a cited title agrees with arXiv's: the similarity, and which of the cited title's
    distinctive words arXiv's title has, which only its abstract has, and which neither has."""

    similarity: float
    in_title: tuple[str, ...]
    in_abstract: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def agreeing(self) -> tuple[str, ...]:
        return self.in_title + self.in_abstract

    @property
    def status(self) -> AnchorStatus:
        """`ok`, `title_differs` (the same paper, cited loosely) or `title_mismatch` (another paper)."""
        if self.similarity >= TITLE_THRESHOLD:
            return AnchorStatus.OK
        total = len(self.in_title) + len(self.in_abstract) + len(self.missing)
        title, both = len(self.in_title), len(self.in_title) + len(self.in_abstract)
        if title >= 2 and title >= DIFFERS_TITLE_SHARE * total:
            return AnchorStatus.TITLE_DIFFERS
        if title >= 1 and both >= 3 and both >= DIFFERS_WITH_ABSTRACT_SHARE * total:
            return AnchorStatus.TITLE_DIFFERS
        return AnchorStatus.TITLE_MISMATCH

    def describe(self, cited: str, actual: str) -> str:
        """The detail text: both titles, the similarity and the words that agree (or that none do)."""
        head = (
            f"arXiv's title is {_quote(actual)}; the claim cites {_quote(cited)} "
            f"(similarity {_score(self.similarity)}, below {TITLE_THRESHOLD:.0f})"
        )
        agree = []
        if self.in_title:
            agree.append("in arXiv's title: " + ", ".join(self.in_title))
        if self.in_abstract:
            agree.append("in its abstract: " + ", ".join(self.in_abstract))
        if self.status is AnchorStatus.TITLE_DIFFERS:
            tail = "; not in arXiv's title or abstract: " + ", ".join(self.missing) if self.missing else ""
            return (
                f"{head}: the same paper, cited with a loose or partly wrong title; words that agree "
                f"({'; '.join(agree)}){tail}; cite arXiv's title"
            )
        words = f"only {'; '.join(agree)}" if agree else "no distinctive word agrees"
        return f"{head}, {words}: the id may point at another paper"


def _score(similarity: float) -> str:
    """The similarity as a whole number, unless rounding would lift it to the threshold (84.6)."""
    return f"{similarity:.1f}" if round(similarity) >= TITLE_THRESHOLD else f"{similarity:.0f}"


def grade_title(cited: str, actual: str, abstract: str | None = None) -> TitleAgreement:
    """Compare a cited title with arXiv's (and its abstract, when known), word by word."""
    title_stems = wording.stems(actual)
    abstract_stems = wording.stems(abstract) if abstract else frozenset()
    in_title: list[str] = []
    in_abstract: list[str] = []
    missing: list[str] = []
    for word in wording.distinctive(cited):
        s = wording.stem(word)
        if s in title_stems:
            in_title.append(word)
        elif s in abstract_stems:
            in_abstract.append(word)
        else:
            missing.append(word)
    return TitleAgreement(
        title_similarity(cited, actual), tuple(in_title), tuple(in_abstract), tuple(missing)
    )


def _main_title(title: str) -> str | None:
    """The normalised part before the first colon, when there is a subtitle after it."""
    head, sep, tail = title.partition(":")
    if not sep or not tail.strip() or not head.strip():
        return None
    return normalise_title(head) or None


def _numbers(normalised: str) -> frozenset[str]:
    return frozenset(w for w in normalised.split() if w.isdigit())


def _quote(text: str) -> str:
    return "'" + " ".join(text.split()) + "'"
