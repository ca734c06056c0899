"""The HTML report: one self-contained, well-formed page; no script, no foreign link, inert titles."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.models import ClaimStatus, Report
from freshness.report.html import HtmlFormat
from tests.report.conftest import HOSTILE_TITLE, RICH_MARKUP, SCRIPT, assert_matches_fixture

fmt = HtmlFormat()
VOID = {"meta", "br", "link", "img", "input", "hr"}
ARXIV = "https://arxiv.org/abs/"


class Page(HTMLParser):
    """Collects tags, attributes and text, and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(source: str) -> Page:
    page = Page()
    page.feed(source)
    page.close()
    assert not page.errors
    assert not page.stack, f"never closed: {page.stack}"
    return page


def test_whole_report_matches_the_expected_html(report: Report) -> None:
    assert_matches_fixture(fmt.render(report), "report.html")


def is_arxiv_id(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except ArxivIdError:
        return False
    return True


def test_one_self_contained_well_formed_page_without_scripts(report: Report) -> None:
    out = fmt.render(report)
    assert out.startswith("<!DOCTYPE html>\n")
    page = parse(out)
    assert page.tags.count("html") == page.tags.count("body") == page.tags.count("style") == 1
    assert not {"script", "link", "img", "iframe", "object", "embed", "form"} & set(page.tags)
    assert not [a for a in page.attrs if a[1].startswith("on") or a[1] in ("src", "srcset")]
    hrefs = [v for tag, k, v in page.attrs if k == "href"]
    assert hrefs
    outside = [h for h in hrefs if h and not h.startswith("#")]  # the rest are the page's own cards
    assert all(h.startswith(ARXIV) and is_arxiv_id(h[len(ARXIV) :]) for h in outside)
    cards = {v for tag, k, v in page.attrs if k == "id"}
    assert {h[1:] for h in hrefs if h and h.startswith("#")} <= cards
    assert ("meta", "http-equiv", "Content-Security-Policy") in page.attrs
    assert "url(" not in out
    assert "@import" not in out


def test_every_claim_and_status_is_shown(report: Report) -> None:
    page = parse(fmt.render(report))
    text = " ".join(page.text)
    for verdict in report.verdicts:
        assert verdict.claim.id in text
    for status in ClaimStatus:
        assert f"1 {status.words}" in text
    assert text.count("superseding?") >= 2  # in the summary table and the match row
    # all matches are in the page (folded for fresh claims), not only the top few
    for m in report.verdicts[0].matches:
        assert f"{ARXIV}{m.arxiv_id}" in fmt.render(report)


def test_stale_banner(report: Report) -> None:
    out = fmt.render(dataclasses.replace(report, stale=True))
    assert '<p class="banner stale" role="alert">Stale report: the last poll of arXiv failed' in out
    assert "banner stale" not in fmt.render(report)


def test_untrusted_text_is_escaped_everywhere(hostile: Report) -> None:
    out = fmt.render(hostile)
    page = parse(out)
    assert "script" not in page.tags
    assert "\x1b" not in out
    assert "\u202e" not in out
    hrefs = [v for _, k, v in page.attrs if k == "href" and v and not v.startswith("#")]
    assert hrefs == [f"{ARXIV}2509.01236", f"{ARXIV}2508.01191", f"{ARXIV}2509.01236"]
    own = [v for _, k, v in page.attrs if k == "href" and v and v.startswith("#")]
    assert own == ["#claim-evil--bold-red-x", "#top"]  # the card id keeps only [a-z0-9-]
    text = " ".join(page.text)
    assert SCRIPT in text  # shown as the characters it is
    assert RICH_MARKUP in text
    assert "[click](javascript:alert(1))" in text
    assert "javascript:alert(1)" in text
    assert 'href="javascript' not in out
    assert HOSTILE_TITLE[:10] in text


# -- stances -----------------------------------------------------------------------------------------


def test_a_flag_shows_the_challenging_sentence_and_how_sure(report: Report) -> None:
    text = " ".join(parse(fmt.render(report)).text)
    assert (
        "challenges it (confidence 0.82, high) : \u201cContrary to the view that chain-of-thought degrades "
        "predictably under distribution shift, we find that its failures are driven by pre-trained priors "
        "rather than by the shift itself.\u201d \u2014 argues with anchor 2508.01191"
    ) in text  # the stance words and the sentence are separate text nodes


def test_supporters_and_related_work_have_their_own_tables(report: Report) -> None:
    out = fmt.render(report)
    cot = out[out.index('id="claim-cot-distribution-shift"') : out.index("</section>")]
    cot = cot[cot.index("</figure>") :]  # the chart's tooltips name the challengers too
    assert cot.index("Newer papers that challenge it (2, best first)") < cot.index("2509.03059")
    assert cot.index("Newer papers that support it (1, best first)") < cot.index("2509.00190")
    assert cot.index("Newer related papers, for information (1, best first)") < cot.index("2508.14828")
    assert '<span class="st-supports">supports it (confidence 0.64, medium)</span>' in cot


def test_an_unchallenged_claim_reads_as_such(report: Report) -> None:
    out = fmt.render(report)
    fresh = out[out.index('id="claim-reasoning-vectors"') :]
    assert "<li>no newer paper challenges it (2 related newer papers: 1 supports it);" in fresh
    assert "superseding?</span></td>" not in fresh
    assert "st-challenges" not in fresh


def test_a_hostile_stance_sentence_is_escaped(hostile: Report) -> None:
    out = fmt.render(hostile)
    page = parse(out)
    assert not {"script", "img"} & set(page.tags)
    assert not [a for a in page.attrs if a[1].startswith("on")]
    text = " ".join(page.text)
    assert "We challenge [bold]this[/bold] view <script>alert(1)</script> red" in text
    assert "see [here](javascript:alert(2))" in text
    assert "<img src=x onerror=alert(3)>" in text
