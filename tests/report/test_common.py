"""The helpers every format shares: their fast paths give what the careful paths give."""

from __future__ import annotations

import re

import pytest

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.output import strip_control
from freshness.report._common import abs_url, one_line

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
