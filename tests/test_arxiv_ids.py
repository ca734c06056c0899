"""parse_arxiv_id (freshness/arxiv_ids.py): new and old style, versions, prefixes and URLs, and the
errors that name what is wrong."""

from __future__ import annotations

import pytest

from freshness.arxiv_ids import ArxivId, ArxivIdError, parse_arxiv_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # New style: four digits after the dot from 0704 to 1412, five from 1501 on.
        ("0704.0001", ArxivId("0704.0001")),
        ("1412.9999", ArxivId("1412.9999")),
        ("1501.00001", ArxivId("1501.00001")),
        ("2508.01191", ArxivId("2508.01191")),
        # Versions.
        ("2508.01191v2", ArxivId("2508.01191", 2)),
        ("2508.01191v12", ArxivId("2508.01191", 12)),
        # Old style: archive(.SUBJECT)/YYMMNNN from 9107 to 0703; the subject class is not part of the id.
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("math.GT/0309136", ArxivId("math/0309136")),
        ("cond-mat/0703999v3", ArxivId("cond-mat/0703999", 3)),
        ("hep-ph/9107001", ArxivId("hep-ph/9107001")),
        # Prefixes and URLs, any case; surrounding whitespace.
        ("arXiv:2508.01191", ArxivId("2508.01191")),
        ("ARXIV:2508.01191v1", ArxivId("2508.01191", 1)),
        ("https://arxiv.org/abs/2508.01191", ArxivId("2508.01191")),
        ("http://www.arxiv.org/abs/2508.01191v2", ArxivId("2508.01191", 2)),
        ("https://export.arxiv.org/abs/hep-th/9901001", ArxivId("hep-th/9901001")),
        ("https://arxiv.org/pdf/2508.01191v2.pdf", ArxivId("2508.01191", 2)),
        ("https://arxiv.org/pdf/2508.01191", ArxivId("2508.01191")),
        ("  2508.01191\n", ArxivId("2508.01191")),
    ],
)
def test_well_formed_ids(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


def test_str_and_abs_url_keep_the_version() -> None:
    assert str(ArxivId("2508.01191")) == "2508.01191"
    assert str(ArxivId("2508.01191", 2)) == "2508.01191v2"
    assert ArxivId("hep-th/9901001", 1).abs_url == "https://arxiv.org/abs/hep-th/9901001v1"


def test_ids_order_by_base_then_version() -> None:
    assert sorted([ArxivId("2508.01191", 2), ArxivId("2401.00001"), ArxivId("2508.01191", 1)]) == [
        ArxivId("2401.00001"),
        ArxivId("2508.01191", 1),
        ArxivId("2508.01191", 2),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2513.01191", "'2513.01191': month 13 is not 01-12"),
        ("2500.01191", "'2500.01191': month 00 is not 01-12"),
        ("0703.0001", "'0703.0001': new-style ids start at 0704 (April 2007)"),
        ("0808.05394", "'0808.05394': ids from 0808 have 4 digits after the dot"),
        ("2508.1191", "'2508.1191': ids from 2508 have 5 digits after the dot"),
        ("2508.00000", "'2508.00000': sequence number 0 does not exist"),
        ("2508.01191v0", "'2508.01191v0': versions start at v1"),
        ("foo-th/9901001", "'foo-th/9901001': 'foo-th' is not an arXiv archive"),
        ("hep-th/9913001", "'hep-th/9913001': month 13 is not 01-12"),
        ("hep-th/9106001", "'hep-th/9106001': old-style ids run from 9107 to 0703"),
        ("hep-th/0704001", "'hep-th/0704001': old-style ids run from 9107 to 0703"),
    ],
)
def test_impossible_ids_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ArxivIdError) as caught:
        parse_arxiv_id(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2508",
        "2508.01191v",
        "2508.01191v2v3",
        "doi:10.48550/arXiv.2508.01191",
        "hep-th/990100",
        "HEP-TH/9901001",
    ],
)
def test_malformed_text_is_not_an_arxiv_id(text: str) -> None:
    with pytest.raises(ArxivIdError) as caught:
        parse_arxiv_id(text)
    assert str(caught.value) == (
        f"{text.strip()!r} is not an arXiv id (expected e.g. 2508.01191, 2508.01191v2, arXiv:2508.01191 "
        "or hep-th/9901001)"
    )


def test_the_error_is_a_value_error() -> None:
    assert issubclass(ArxivIdError, ValueError)
