"""`freshness eval LABELS.yaml`: output, JSON shape and exit codes through Click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from freshness.cli import cli
from freshness.store import Store
from tests.conftest import NOW
from tests.test_evaluation import LABELS, eval_papers


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory (no claims.yaml: eval must not need one), no FRESHNESS_* leaking in."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FRESHNESS_CLAIMS", raising=False)
    monkeypatch.delenv("FRESHNESS_DB", raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    return tmp_path


@pytest.fixture
def db(in_tmp: Path) -> str:
    with Store.open(in_tmp / "store.sqlite") as store:
        store.upsert_papers(eval_papers(), source="test", now=NOW)
    return str(in_tmp / "store.sqlite")


def test_json_output_is_the_documented_shape(db: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "eval", str(LABELS), "--format", "json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["k"] == 20
    assert data["store"] == {"papers": 20}
    assert data["overall"]["recall_at_k"] == 0.8
    assert data["overall"]["supersession_recall"] == 0.5
    assert data["overall"]["negatives_in_top_k"] == 1
    assert data["overall"]["median_superseding_flags"] == 1.0
    assert [c["key"] for c in data["claims"]] == ["C1", "C2"]
    assert data["claims"][0]["missed"] == ["2503.00004"]


def test_terminal_output_is_a_table_per_claim_that_fits_80_columns(db: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "eval", str(LABELS), "--k", "20"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = {}
    for line in lines:
        cells = [c.strip() for c in line.replace("│", "|").split("|")[1:-1]]
        if len(cells) == 9:
            rows[cells[0]] = cells[1:]
    assert rows["C1"] == ["4", "75%", "50%", "100%", "100%", "50%", "2", "1"]
    assert rows["C2"] == ["1", "100%", "-", "100%", "-", "-", "0", "0"]
    assert rows["all"] == ["5", "80%", "50%", "100%", "100%", "50%", "~1", "1/2"]
    assert "C1: missed in top 20: 2503.00004; negatives in top 20: 2503.00005" in result.stdout
    assert "negatives in a top 20: 2503.00005" in result.stdout


def test_k_changes_the_cut(db: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "eval", str(LABELS), "--format", "json", "--k", "1"])
    data = json.loads(result.stdout)
    assert data["k"] == 1
    assert data["overall"]["recall_at_k"] <= 0.4  # at most one paper per claim can be in a top 1


def test_a_bad_labels_file_lists_each_problem_with_its_line_and_exits_2(db: str) -> None:
    bad = Path(__file__).parent / "fixtures" / "eval" / "bad_labels.yaml"
    result = CliRunner().invoke(cli, ["--db", db, "eval", str(bad)])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{bad}:8:16: claims.0.papers.0.label: Input should be" in result.stderr
    assert f"{bad}:4:20: claims.0.topic_keyword: Extra inputs are not permitted" in result.stderr
    assert "error: 4 problem(s) in the labels file" in result.stderr
    assert "Tip: Fix the lines above; docs/matching.md describes the labels format." in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_store_is_an_error_not_zero_recall(in_tmp: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(in_tmp / "none.sqlite"), "eval", str(LABELS)])

    assert result.exit_code == 2
    assert f"error: there is no store at {in_tmp / 'none.sqlite'}" in result.stderr
    assert "Tip: Import papers first" in result.stderr
    assert not (in_tmp / "none.sqlite").exists()


def test_an_empty_store_is_an_error(in_tmp: Path) -> None:
    Store.open(in_tmp / "empty.sqlite").close()
    result = CliRunner().invoke(cli, ["--db", str(in_tmp / "empty.sqlite"), "eval", str(LABELS)])

    assert result.exit_code == 2
    assert "has no papers, so every recall would be 0" in result.stderr


def test_a_missing_labels_file_exits_2(db: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "eval", "nope.yaml"])
    assert result.exit_code == 2
    assert "nope.yaml:1:1: cannot read the labels file" in result.stderr


def test_k_must_be_positive(db: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "eval", str(LABELS), "--k", "0"])
    assert result.exit_code == 2
    assert "--k" in result.stderr


def test_help_describes_the_command() -> None:
    result = CliRunner().invoke(cli, ["eval", "--help"])
    assert result.exit_code == 0
    assert "Measure the matcher on labeled claims" in result.stdout
    assert "--format [terminal|json]" in result.stdout
