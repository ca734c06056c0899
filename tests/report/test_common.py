"""The helpers every format shares: their fast paths give what the careful paths give."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.models import Match, Stance, confidence_word
from freshness.report._common import (
    abs_url,
    group_matches,
    stance_head,
    stance_tail,
    top_match,
)
from freshness.untrusted import one_line, strip_control

BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def careful_abs_url(arxiv_id: str) -> str | None:
    try:
        return parse_arxiv_id(arxiv_id).abs_url
    except ArxivIdError:
        return None


@pytest.mark.parametrize(
    "arxiv_id",
    [
        "2509.01236",
        "1501.00001",
        "9912.99999",
        "1412.12345",  # 2014 ids have four digits
        "1412.1234",
        "0704.0001",
        "2513.00001",  # month 13
        "2500.00001",
        "2509.00000",
        "2509.012345",
        "2509.01236v2",
        "arXiv:2509.01236",
        " 2509.01236",
        "2509.01236\n",
        "hep-th/9901001",
        "javascript:alert(1)",
        "\uff12\uff15\uff10\uff19.\uff10\uff11\uff12\uff13\uff16",  # fullwidth digits
        "",
    ],
)
def test_abs_url_fast_path_agrees_with_parsing(arxiv_id: str) -> None:
    assert abs_url(arxiv_id) == careful_abs_url(arxiv_id)


def test_abs_url_agrees_with_parsing_for_every_month_and_edge_number() -> None:
    for yy in range(0, 100):
        for mm in range(0, 14):
            for num in ("00000", "00001", "99999", "0001"):
                arxiv_id = f"{yy:02d}{mm:02d}.{num}"
                assert abs_url(arxiv_id) == careful_abs_url(arxiv_id), arxiv_id


@pytest.mark.parametrize(
    "text",
    [
        "Plain title",
        "  spaced   out  ",
        "Deep\n   Learning\tat scale",
        "\x1b[31mred\x1b[0m and \x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\",
        "bell\x07 cr\r del\x7f csi\x9b31m",
        "\u202egnirts desrever\u202c and \u2066isolate\u2069 \u200emark",
        "nbsp\u00a0here and\u2028line sep",
        "Über résumé 日本語 😀",
        "zero\u200bwidth and soft\u00adhyphen",
        "",
    ],
)
def test_one_line_fast_path_agrees_with_the_careful_path(text: str) -> None:
    assert one_line(text) == " ".join(BIDI.sub("", strip_control(text)).split())


# -- stances -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("confidence", "word"),
    [(1.0, "high"), (0.75, "high"), (0.7499, "medium"), (0.5, "medium"), (0.4999, "low"), (0.0, "low")],
)
def test_confidence_in_words(confidence: float, word: str) -> None:
    assert confidence_word(confidence) == word


def _stanced(stance: Stance, *, superseding: bool = False, score: float = 50.0, conf: float = 0.6) -> Match:
    return Match("2509.00001", "t", dt.date(2025, 9, 1), score, superseding, (), stance, conf)


def test_matches_are_grouped_challengers_supporters_related_each_by_score() -> None:
    weak = _stanced(Stance.CHALLENGES, score=30)
    flag = _stanced(Stance.CHALLENGES, superseding=True, score=20)
    old_flag = _stanced(Stance.RELATED, superseding=True, score=10, conf=0.0)  # recorded before stances
    support = _stanced(Stance.SUPPORTS, score=90)
    related = _stanced(Stance.RELATED, score=99)
    groups = group_matches([flag, related, support, old_flag, weak])
    assert groups.challenging == (weak, flag, old_flag)
    assert groups.supporting == (support,)
    assert groups.related == (related,)
    assert top_match([related, support, weak]) is weak  # a challenge before better-scored related work
    assert top_match([support, related]) is related


def test_stance_words_escape_only_the_untrusted_parts() -> None:
    m = dataclasses.replace(
        _stanced(Stance.CHALLENGES, conf=0.82), stance_sentence="we\n challenge <b>", stance_target="anchor x"
    )
    assert stance_head(m) == "challenges it (confidence 0.82, high)"
    assert stance_tail(m, str.upper) == ": \u201cWE CHALLENGE <B>\u201d \u2014 argues with ANCHOR X"
    assert stance_tail(m, str, ascii_only=True) == ': "we challenge <b>" -- argues with anchor x'
    assert stance_head(_stanced(Stance.RELATED)) is None
    assert (
        stance_head(_stanced(Stance.RELATED, superseding=True)) == "challenges it (confidence not recorded)"
    )
    assert stance_tail(_stanced(Stance.SUPPORTS), str) == ""
