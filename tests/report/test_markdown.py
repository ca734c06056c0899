"""The Markdown report: whole text, structure, and untrusted text that renders inert and links nothing."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from freshness.models import ClaimStatus, Report
from freshness.report.markdown import MarkdownFormat, md
from tests.report.conftest import assert_matches_fixture, sample_report

fmt = MarkdownFormat()
# GitHub's dialect as far as markdown-it (a rich dependency) goes: CommonMark, raw HTML on, tables.
parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def tokens(source: str) -> Iterator[Token]:
    def walk(items: list[Token]) -> Iterator[Token]:
        for t in items:
            yield t
            if t.children:
                yield from walk(t.children)

    yield from walk(parser.parse(source))


def test_whole_report_matches_the_expected_markdown() -> None:
    assert_matches_fixture(fmt.render(sample_report(stale=True)), "report.md")


def test_summary_table_and_one_section_per_claim_needing_attention(report: Report) -> None:
    out = fmt.render(report)
    assert out.startswith("# Claim freshness report\n")
    assert "| Claim | Status | Age / shelf life (days) | Top match |" in out
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    attention = [v for v in report.verdicts if v.status is not ClaimStatus.FRESH]
    assert len(headings) == len(attention) == 4
    for heading, verdict in zip(headings, attention, strict=True):
        assert verdict.claim.id in heading
        assert verdict.status.words in heading
    assert "reasoning-vectors" in out  # the fresh claim is in the table only
    for status in ClaimStatus:
        assert f"1 {status.words}" in out


def test_links_go_to_arxiv_only_and_tables_keep_their_columns(report: Report) -> None:
    out = fmt.render(report)
    links = [t.attrs["href"] for t in tokens(out) if t.type == "link_open"]
    assert links
    own = [str(h) for h in links if str(h).startswith("#")]
    assert all(str(h).startswith("https://arxiv.org/abs/") for h in links if str(h) not in own)
    # each claim needing attention links to its section, by the anchor GitHub gives that heading
    assert own == [github_anchor(h) for h in re.findall(r"^## (.*)$", out, flags=re.M)]
    assert "https://arxiv.org/abs/2509.01236" in links
    assert "https://arxiv.org/abs/hep-th/9901001v2" in links  # the cited version
    assert not any("25O8" in str(h) for h in links)  # a malformed anchor is not linked
    _assert_tables_intact(out)


def test_top_five_matches_per_claim() -> None:
    report = sample_report()
    first = report.verdicts[0]
    many = tuple(
        dataclasses.replace(m, arxiv_id=f"2510.{i + k:05d}", score=90.0 - i)
        for k, m in ((0, first.matches[0]), (10, first.matches[1]))
        for i in range(1, 9)
    )
    report = dataclasses.replace(report, verdicts=(dataclasses.replace(first, matches=many),))
    out = fmt.render(report)
    assert "**Newer papers that challenge it** (top 5 of 8, best first)" in out
    assert "**Newer related papers, for information** (top 5 of 8, best first)" in out
    assert "2510.00005" in out
    assert "2510.00006" not in out
    assert "2510.00015" in out
    assert "2510.00016" not in out


def test_top_n_shows_that_many_of_each_kind() -> None:
    report = sample_report()
    out = fmt.render(report, top=1)
    assert "**Newer papers that challenge it** (top 1 of 2, best first)" in out
    assert "2509.03059" not in out.split("**Newer papers that challenge it**")[1].split("**Newer")[0]


def github_anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case; what is not a letter, digit, `-`, `_` or space
    dropped (emoji too); each space a hyphen."""
    return "#" + re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_the_commands_the_tool_suggests_are_code_spans_and_a_titles_backticks_are_not() -> None:
    note = "the store's newest paper is from 2026-07-01: run `freshness poll` (or `freshness run`) now"
    out = fmt.render(dataclasses.replace(sample_report(), notes=(note, "a title with `rm -rf` in it")))
    spans = [t.content for t in tokens(out) if t.type == "code_inline"]
    assert spans == ["freshness poll", "freshness run"]
    assert "a title with \\`rm -rf\\` in it" in out


def test_empty_report(report: Report) -> None:
    out = fmt.render(dataclasses.replace(report, verdicts=()))
    assert "No claims to report." in out
    assert "| Claim |" not in out
    assert "**0 claims:**" in out


def test_untrusted_text_renders_as_itself_and_links_nothing(hostile: Report) -> None:
    out = fmt.render(hostile)
    toks = list(tokens(out))
    hrefs = [t.attrs["href"] for t in toks if t.type == "link_open"]
    # ours only: the summary table's top match, the well-formed anchor, the arXiv match row
    assert hrefs == [
        "https://arxiv.org/abs/2509.01236",
        "https://arxiv.org/abs/2508.01191",
        "https://arxiv.org/abs/2509.01236",
    ]
    assert not [t for t in toks if t.type == "image"]
    assert not [t for t in toks if t.type == "code_inline"]
    assert not [t for t in toks if t.type == "s_open"]
    raw_html = {t.content for t in toks if t.type in ("html_inline", "html_block")}
    assert raw_html == {"<sub>", "</sub>"}  # only the footer's own tag
    # GitHub auto-links bare URLs and www. names; their shapes are broken up in the source.
    assert "https://evil" not in out
    assert "www.evil" not in out
    assert "\x1b" not in out
    assert "\u202e" not in out
    html = parser.render(out)
    for literal in (
        "[bold red]x[/]",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "[click](javascript:alert(1))",
        "![img](https://evil.example/x.png)",
        "| pipe *star* _under_ `tick` # hash \\ back $x^2$ &amp; amp",
        "https://evil.example/path and www.evil.example",
    ):
        assert literal in html, literal
    assert "<script>" not in html
    # no emphasis from `*star*`/`_under_`: the only one is the "_Note:_" label of each note
    assert len([t for t in toks if t.type == "em_open"]) == len(hostile.notes)
    _assert_tables_intact(out)


def _assert_tables_intact(out: str) -> None:
    """Every body row has as many cells as its header: a `|` in a title splits nothing."""
    toks = list(parser.parse(out))
    width = 0
    cells = 0
    for t in toks:
        if t.type == "thead_open":
            width = 0
        elif t.type == "th_open":
            width += 1
        elif t.type == "tr_open":
            cells = 0
        elif t.type == "td_open":
            cells += 1
        elif t.type == "tr_close" and cells:
            assert cells == width


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("- not a list", "\\- not a list"),
        ("+ not a list", "\\+ not a list"),
        ("1. not a list", "1\\. not a list"),
        ("2509.01236 is fine", "2509.01236 is fine"),
        ("a <b> & c", "a &lt;b&gt; &amp; c"),
        ("see https://x.org/a", "see https\\://x.org/a"),
        ("see WWW.x.org", "see WWW\\.x.org"),
        ("mail a@b.org", "mail a\\@b.org"),
        ("x\n\n# y", "x \\# y"),
        ("$\\alpha$", "\\$\\\\alpha\\$"),
    ],
)
def test_md_escaping(text: str, expected: str) -> None:
    assert md(text) == expected


# -- stances -----------------------------------------------------------------------------------------


def test_a_flag_shows_the_challenging_sentence_and_how_sure(report: Report) -> None:
    out = fmt.render(report)
    assert (
        "  - **challenges it (confidence 0.82, high)**: \u201cContrary to the view that chain-of-thought "
        "degrades predictably under distribution shift, we find that its failures are driven by pre-trained "
        "priors rather than by the shift itself.\u201d \u2014 argues with anchor 2508.01191\n"
    ) in out
    assert "confidence is how sure the tool is of a paper's stance: high &gt;= 0.75" in out


def test_supporters_are_listed_apart_from_challengers_and_related_work(report: Report) -> None:
    out = fmt.render(report)
    section = out[out.index("**Newer papers that challenge it**") : out.index("## 🔴")]
    challenge = section.index("**Newer papers that challenge it**")
    support = section.index("**Newer papers that support it**")
    related = section.index("**Newer related papers, for information**")
    assert challenge < section.index("2509.01236") < section.index("2509.03059") < support
    assert support < section.index("**supports it (confidence 0.64, medium)**") < related
    assert section.index("2508.14828") > related
    assert "| 61.0 |" not in section  # the supporter is not repeated among the related papers


def test_an_unchallenged_claim_reads_as_such(report: Report) -> None:
    out = fmt.render(report)
    section = out[out.index("## 🔴 tokenizer-language-tax") : out.index("## 🟡")]
    assert "- no newer paper challenges it \\(1 related newer paper\\)" in section
    assert "challenge it**" not in section
    assert "⚠️" not in section


def test_a_hostile_stance_sentence_renders_as_itself_and_links_nothing(hostile: Report) -> None:
    out = fmt.render(hostile)
    assert "](javascript:" not in out
    assert "<script>" not in out
    assert "<img" not in out
    rendered = parser.render(out)
    assert (
        "<strong>challenges it (confidence 0.90, high)</strong>: \u201cWe challenge [bold]this[/bold] view "
        "&lt;script&gt;alert(1)&lt;/script&gt; red, see [here](javascript:alert(2)) | *all* evil "
        "&lt;img src=x onerror=alert(3)&gt;\u201d \u2014 argues with [bold red]x[/]"
    ) in rendered
