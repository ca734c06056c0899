"""extract -> validate -> check-anchors -> report -> prompt, through Click on a temporary store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from freshness.cli import cli
from freshness.store import Store
from tests.conftest import NOW, make_paper

NOTE = """\
# How does data shape reasoning?

- Chain-of-thought reasoning degrades when task, length or format shift out of distribution (2025).
- Training on near-impossible RLVR problems teaches degenerate shortcuts (2026).

Anchor papers (verify; mind their dates):
- arXiv:2508.01191 (2025) — Chain-of-Thought Reasoning as Data Distribution Mirage
- arXiv:2605.28388 (2026) — Sample Difficulty in RLVR and Degenerate Shortcuts
"""


def test_note_to_claims_to_prompt(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    with Store.open(db) as store:
        store.upsert_papers(
            [
                make_paper(
                    "2508.01191",
                    title="Is Chain-of-Thought Reasoning of LLMs a Mirage? A Data Distribution Lens",
                    published=dt.date(2025, 8, 2),
                ),
                make_paper(
                    "2605.28388",
                    title="Mechanistically Interpreting the Role of Sample Difficulty in RLVR for LLMs",
                    abstract="Overly hard samples make RLVR policies learn degenerate shortcuts.",
                    published=dt.date(2026, 5, 28),
                ),
                make_paper(
                    "2609.00001",
                    title="Chain-of-thought reasoning does not degrade under length shift",
                    abstract="Contrary to prior claims, chain-of-thought reasoning does not degrade when "
                    "length or format shift out of distribution.",
                    published=dt.date(2026, 9, 1),
                ),
            ],
            source="test",
            now=NOW,
        )
    note, claims = tmp_path / "note.md", tmp_path / "claims.yaml"
    note.write_text(NOTE, encoding="utf-8")
    runner = CliRunner()
    base = ["--db", str(db), "--claims", str(claims)]

    result = runner.invoke(cli, [*base, "extract", str(note), "--output", str(claims)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    assert "2 draft claim(s), 2 anchor(s)" in result.output

    again = runner.invoke(cli, [*base, "extract", str(note), "--output", str(claims)])
    assert again.exit_code == 2
    assert "exists; not overwriting it" in again.output
    assert runner.invoke(cli, [*base, "extract", str(note), "-o", str(claims), "--force"]).exit_code == 0

    valid = runner.invoke(cli, [*base, "validate"])
    assert valid.exit_code == 0, valid.output
    assert "2 claims, 2 anchors, OK" in valid.output

    check = runner.invoke(cli, [*base, "check-anchors", "--offline", "--format", "github"])
    assert check.exit_code == 0, check.output  # loose titles are warnings
    assert check.output.count("::warning") == 2
    assert "title_differs" in check.output
    assert "in arXiv's title%3A sample" not in check.output  # message text is not property-escaped
    assert "words that agree (in arXiv's title: sample, difficulty, rlvr; in its abstract: degenerate" in (
        check.output
    )

    report = runner.invoke(cli, [*base, "report", "--format", "markdown"])
    assert report.exit_code == 0, report.output
    assert "title differs" in report.output

    prompt = runner.invoke(cli, [*base, "prompt", "chain-thought-reasoning-degrades"])
    assert prompt.exit_code == 0, prompt.output
    assert prompt.output.startswith("You are a research analyst re-testing a dated claim")
    assert "The claim (as of 2025-08-02" in prompt.output
    assert "arXiv:2508.01191 — Is Chain-of-Thought Reasoning of LLMs a Mirage?" in prompt.output
    assert "cited with a different title than arXiv's" in prompt.output
    assert "Cite arXiv IDs; flag anything you cannot ground in a real paper." in prompt.output

    unknown = runner.invoke(cli, [*base, "prompt", "no-such-claim"])
    assert unknown.exit_code == 2
    assert "no claim 'no-such-claim'" in unknown.output


def test_extract_refuses_a_note_without_findings(tmp_path: Path) -> None:
    note = tmp_path / "empty.txt"
    note.write_text("Just a title\n\nNo results here.\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "s.sqlite"), "extract", str(note), "-o", str(tmp_path / "c.yaml")]
    )
    assert result.exit_code == 2
    assert "no dated finding" in result.output
    assert not (tmp_path / "c.yaml").exists()
    assert not (tmp_path / "s.sqlite").exists()  # extract only reads the store
