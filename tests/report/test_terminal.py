"""The terminal report: whole text at 80 and 100 columns, colour only when asked, untrusted text inert."""

from __future__ import annotations

import dataclasses
import re

import pytest

from freshness.models import ClaimStatus, Report, StoreSummary
from freshness.report.terminal import TerminalFormat, sgr
from tests.report.conftest import (
    ANSI_COLOUR,
    GENERATED,
    RICH_MARKUP,
    STORE,
    assert_matches_fixture,
    hostile_report,
    sample_report,
)

terminal = TerminalFormat()
ESC = "\x1b"


@pytest.mark.parametrize("width", [80, 100])
def test_whole_report_matches_the_expected_text(report: Report, width: int) -> None:
    assert_matches_fixture(terminal.render(report, width=width), f"terminal-{width}.txt")


def test_stale_report_matches_the_expected_text() -> None:
    assert_matches_fixture(terminal.render(sample_report(stale=True), width=80), "terminal-80-stale.txt")


@pytest.mark.parametrize("width", [80, 100])
def test_plain_output_has_no_escapes_and_fits_the_width(report: Report, width: int) -> None:
    out = terminal.render(report, width=width)
    assert ESC not in out
    assert max(len(line) for line in out.splitlines()) <= width
    assert out.isascii()  # the data is ASCII, so is the frame: cron mail shows it as meant


def test_every_status_appears_as_a_word_not_only_a_colour(report: Report) -> None:
    out = terminal.render(report, width=80)
    for status in ClaimStatus:
        assert status.words.upper() in out
    assert "1 anchor broken, 1 possibly superseded, 1 perishable, 1 unchecked," in out
    for word in ("ok", "not found", "malformed", "title mismatch", "revised", "unchecked"):
        assert re.search(rf"^  {word}  ", out, re.MULTILINE), word


def test_ids_and_links_are_never_cut_at_80_columns(report: Report) -> None:
    out = terminal.render(report, width=80)
    for verdict in report.verdicts:
        assert verdict.claim.id in out
        for m in verdict.matches[:3]:
            assert f"https://arxiv.org/abs/{m.arxiv_id}" in out
    assert "hep-th/9901001v2" in out
    assert "\u2026" not in out  # rich's ellipsis: nothing was truncated


def test_a_long_claim_id_moves_to_its_own_line_whole() -> None:
    report = sample_report()
    first = report.verdicts[0]
    long_id = "chain-of-thought-reasoning-degrades-under-distribution-shift-in-task-and-format"
    claim = dataclasses.replace(first.claim, id=long_id)
    report = dataclasses.replace(report, verdicts=(dataclasses.replace(first, claim=claim),))
    out = terminal.render(report, width=80)
    assert long_id in out.splitlines()


def test_only_the_top_three_of_each_list_are_shown() -> None:
    report = sample_report()
    first = report.verdicts[0]
    challenger, related = first.matches[0], first.matches[1]
    many = tuple(
        dataclasses.replace(m, arxiv_id=f"2510.{i + k:05d}", score=90.0 - i)
        for k, m in ((0, challenger), (10, related))
        for i in range(1, 6)
    )
    report = dataclasses.replace(report, verdicts=(dataclasses.replace(first, matches=many),))
    out = terminal.render(report, width=100)
    assert "Newer papers that challenge it (top 3 of 5, best first)" in out
    assert "Newer related papers, for information (top 3 of 5, best first)" in out
    assert "2510.00003" in out
    assert "2510.00004" not in out  # the fourth challenger
    assert "2510.00013" in out
    assert "2510.00014" not in out
    assert out.count("SUPERSEDING?") == 3


def test_the_sample_shows_every_match_in_its_list(report: Report) -> None:
    out = terminal.render(report, width=100)
    assert "SUPERSEDING?" in out
    # the first evidence line of the best match, wrapped but complete
    assert "abstract has 'distribution shift', 'contrary to'" in out


def test_colour_when_asked_with_status_words_still_there(report: Report) -> None:
    out = terminal.render(report, width=80, color=True)
    assert "\x1b[" in out
    assert "\x1b[1;37;41mANCHOR BROKEN\x1b[0m" in out
    assert "\x1b[32mok\x1b[0m" in out
    assert "POSSIBLY SUPERSEDED" in out
    assert "FRESH" in out


def test_the_caller_decides_colour_not_the_environment(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "200")
    plain = terminal.render(report, width=80)
    assert ESC not in plain
    assert max(len(line) for line in plain.splitlines()) <= 80
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("NO_COLOR", "1")  # the CLI reads NO_COLOR and passes color=False; this asks
    assert "\x1b[" in terminal.render(report, width=80, color=True)


def test_stale_report_says_so_in_words_top_and_bottom() -> None:
    lines = terminal.render(sample_report(stale=True), width=80).splitlines()
    assert lines[3].startswith("STALE The last poll of arXiv failed")
    assert lines[-1].endswith("(STALE)")


@pytest.mark.parametrize("color", [False, True])
def test_untrusted_text_prints_inert(hostile: Report, color: bool) -> None:
    out = terminal.render(hostile, width=80, color=color)
    flat = " ".join(out.split())
    assert RICH_MARKUP in flat  # shown as typed, not interpreted as markup
    assert "<script>alert(1)</script>" in flat
    assert "[click](javascript:alert(1))" in flat
    assert ANSI_COLOUR not in out
    assert "\x1b[31mred" not in out
    assert "\x1b]" not in out  # no OSC 8 hyperlink (nor any other OSC) reaches the terminal
    assert "red click me" in flat  # the text of the escapes survives, the escapes do not
    assert "\u202e" not in out
    if not color:
        assert ESC not in out
    # a non-arXiv id is printed as text, never as a link
    assert "javascript:alert(1)  2025-09-02" in re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "https://arxiv.org/abs/javascript" not in out


def test_unchecked_anchors_are_listed_when_no_check_reached_the_report(report: Report) -> None:
    tok = report.verdicts[1]
    report = dataclasses.replace(report, verdicts=(dataclasses.replace(tok, anchors=()),))
    out = terminal.render(report, width=80)
    assert re.search(r"^  unchecked  2509\.05486 +not checked$", out, re.MULTILINE)
    assert re.search(r"^  malformed  25O8\.1234 +'25O8\.1234' is not an arXiv id", out, re.MULTILINE)


def test_empty_report_and_empty_store() -> None:
    out = terminal.render(Report(GENERATED, StoreSummary(0, None), ()), width=80)
    assert out.splitlines() == [
        "Claim freshness report  generated 2026-11-26 23:00 UTC",
        "Store: the store is empty, so every claim is unchecked: run `freshness run` to",
        "fetch arXiv (or `freshness import FILE` to load a metadata snapshot)",
        "",
        "No claims to report.",
        "-" * 80,
        "0 claims: 0 anchor broken, 0 possibly superseded, 0 perishable, 0 unchecked,",
        "0 fresh",
    ]
    one = terminal.render(Report(GENERATED, StoreSummary(1, STORE.newest_paper), ()), width=80)
    assert "Store: 1 paper, newest first submitted 2026-07-01" in one


# -- the hand-made layout: wrapping, hanging indents, narrow terminals, colour ------------------------

SGR = re.compile(r"\x1b\[[0-9;]*m")


def with_match(title: str, *evidence: str) -> Report:
    """The sample report's first claim with one match of this title and evidence."""
    report = sample_report()
    first = report.verdicts[0]
    best = dataclasses.replace(first.matches[0], title=title, evidence=evidence)
    return dataclasses.replace(report, verdicts=(dataclasses.replace(first, matches=(best,)),))


@pytest.mark.parametrize("width", [20, 24, 30, 40, 57, 80, 100, 137])
@pytest.mark.parametrize("which", ["sample", "stale", "hostile"])
def test_every_line_fits_any_width(width: int, which: str) -> None:
    report = {"sample": sample_report(), "stale": sample_report(stale=True), "hostile": hostile_report()}[
        which
    ]
    out = terminal.render(report, width=width)
    too_long = [line for line in out.splitlines() if len(line) > width]
    assert not too_long
    assert not [line for line in out.splitlines() if line != line.rstrip()]  # no trailing blanks


def test_narrow_terminal_puts_anchor_text_under_its_id(report: Report) -> None:
    assert_matches_fixture(terminal.render(report, width=40), "terminal-40.txt")


@pytest.mark.parametrize("width", [30, 80, 100])
@pytest.mark.parametrize("which", ["sample", "stale", "hostile"])
def test_colour_on_and_off_print_the_same_words(width: int, which: str) -> None:
    report = {"sample": sample_report(), "stale": sample_report(stale=True), "hostile": hostile_report()}[
        which
    ]
    coloured = terminal.render(report, width=width, color=True)
    assert SGR.search(coloured)
    assert ESC not in SGR.sub("", coloured)  # colour is the only escape there is
    assert SGR.sub("", coloured) == terminal.render(report, width=width)


def test_long_evidence_wraps_at_the_width_under_its_title() -> None:
    evidence = "topic 'long horizon execution': " + " ".join(f"word{i}" for i in range(60))
    out = terminal.render(with_match("A title", evidence), width=60)
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("       topic 'long horizon"))
    block = lines[start : start + 8]
    assert all(len(line) <= 60 and line.startswith("       ") for line in block)
    assert " ".join(" ".join(block).split()).startswith(evidence[:200])
    assert "word59" in out


def test_a_word_wider_than_the_line_is_folded_not_cut() -> None:
    token = "x" * 150
    out = terminal.render(with_match(f"Before {token} after"), width=60)
    body = [line[7:] for line in out.splitlines() if line.startswith("       x")]
    assert "".join(body[:3]).startswith(token)
    assert all(len(line) <= 60 for line in out.splitlines())


def test_wide_characters_wrap_by_terminal_columns() -> None:
    title = "大規模言語モデルの推論能力に関する研究と評価 " * 4
    out = terminal.render(with_match(title), width=50)
    from rich.cells import cell_len

    lines = [line for line in out.splitlines() if "大" in line or "研" in line]
    assert len(lines) >= 4
    assert all(cell_len(line) <= 50 for line in lines)


@pytest.mark.parametrize("color", [False, True])
def test_markup_and_escapes_in_a_title_print_literally(color: bool) -> None:
    title = "[/] closes [bold]nothing[/bold] \x1b[2J\x1b[31mcleared\r\x07 [link=https://evil.example]x[/link]"
    out = terminal.render(with_match(title), width=100, color=color)
    flat = SGR.sub("", out) if color else out
    assert "[/] closes [bold]nothing[/bold] cleared [link=https://evil.example]x[/link]" in flat
    assert "\x1b[2J" not in out
    assert "\r" not in out
    assert "\x07" not in out


def test_styles_are_the_standard_sgr_codes() -> None:
    assert sgr("bold white on red") == "\x1b[1;37;41m"
    assert sgr("bold black on yellow") == "\x1b[1;30;43m"
    assert sgr("dim") == "\x1b[2m"
    assert sgr("") == ""
    with pytest.raises(ValueError, match="blink"):
        sgr("blink")


# -- stances -----------------------------------------------------------------------------------------


def _block(out: str, claim_id: str) -> str:
    """The lines of one claim's block, joined into one line of words."""
    start = out.index(claim_id)
    return " ".join(out[start : out.index("-" * 20, start)].split())


def test_a_flag_shows_the_challenging_sentence_and_how_sure(report: Report) -> None:
    cot = _block(terminal.render(report, width=80), "cot-distribution-shift")
    assert (
        "SUPERSEDING? Rethinking the Chain-of-Thought: The Roles of In-Context Learning and Pre-trained "
        'Priors challenges it (confidence 0.82, high): "Contrary to the view that chain-of-thought '
        "degrades predictably under distribution shift, we find that its failures are driven by "
        'pre-trained priors rather than by the shift itself." -- argues with anchor 2508.01191'
    ) in cot
    assert "challenges it (confidence 0.41, low)" in cot  # listed as a challenge, not flagged
    assert cot.count("SUPERSEDING?") == 1


def test_challengers_then_supporters_then_related_work(report: Report) -> None:
    cot = _block(terminal.render(report, width=100), "cot-distribution-shift")
    order = [
        "Newer papers that challenge it (best first)",
        "2509.01236",  # 87.5, flagged
        "2509.03059",  # 52.3, a weak challenge
        "Newer papers that support it",
        "2509.00190",  # 61.0
        'supports it (confidence 0.64, medium): "Our analysis confirms',
        "Newer related papers, for information",
        "2508.14828",  # 74.2: better scored than two above it, but it says nothing of the claim
    ]
    lists = cot[cot.index(order[0]) :]  # the ids appear in the reasons above too
    positions = [lists.index(piece) for piece in order]
    assert positions == sorted(positions)


def test_an_unchallenged_claim_reads_as_such(report: Report) -> None:
    out = terminal.render(report, width=100)
    fresh = _block(out, "reasoning-vectors")
    assert "no newer paper challenges it (2 related newer papers: 1 supports it)" in fresh
    assert "challenges it (confidence" not in fresh
    assert "SUPERSEDING?" not in fresh
    assert 'supports it (confidence 0.78, high): "We replicate' in fresh
    assert "Newer related papers, for information" in fresh
    assert "no newer paper challenges it (0 related newer papers)" in _block(out, "long-horizon-returns")


@pytest.mark.parametrize("color", [False, True])
def test_a_hostile_stance_sentence_prints_inert(hostile: Report, color: bool) -> None:
    out = terminal.render(hostile, width=80, color=color)
    plain = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", out).split())
    assert (
        'challenges it (confidence 0.90, high): "We challenge [bold]this[/bold] view '
        "<script>alert(1)</script> red, see [here](javascript:alert(2)) | *all* evil "
        '<img src=x onerror=alert(3)>" -- argues with [bold red]x[/]'
    ) in plain
    assert 'supports it (confidence 0.50, medium): "We challenge [bold]this[/bold]' in plain
    assert "agrees with topic '[click](javascript:alert(1))'" in plain
    assert "\x1b[31mred" not in out
    assert "\u202e" not in out
