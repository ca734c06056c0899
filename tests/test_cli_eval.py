"""`freshness eval LABELS.yaml`: output, JSON shape and exit codes through Click's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from freshness.cli import cli
from freshness.store import Store
from tests.conftest import NOW
from tests.test_evaluation import LABELS, eval_papers


@pytest.fixture
def in_tmp(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """conftest's empty directory (no claims.yaml: eval must not need one), at 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    return in_tmp


@pytest.fixture
def db(in_tmp: Path) -> str:
    with Store.open(in_tmp / "store.sqlite") as store:
        store.upsert_papers(eval_papers(), source="test", now=NOW)
    return str(in_tmp / "store.sqlite")


def test_json_output_is_the_documented_shape(db: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "eval", str(LABELS), "--format", "json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 2
    assert data["k"] == 20
    assert data["store"] == {"papers": 20}
    assert data["files"] == [str(LABELS)]
    overall = data["overall"]
    assert overall["recall_at_k"] == 0.8
    assert overall["on_topic_at_10"] == 0.8  # C1 3 of 4 judged (2503.00005 a negative), C2 1 of 1
    assert overall["negatives_in_top_k"] == ["2503.00005"]
    assert overall["shipped"]["challengers_flagged"] == 0.5
    assert overall["shipped"]["flag_precision"] == 1.0
    assert overall["shipped"]["median_flags"] == 1.0
    assert overall["shipped"]["unverified_flags"] == 1
    assert overall["cv"]["flags"] == 0  # today's matcher gives no stance: nothing to fit
    assert [c["key"] for c in data["claims"]] == ["C1", "C2"]
    assert data["claims"][0]["missed"] == ["2503.00004"]
    assert data["claims"][0]["cv"]["rule"] == {"min_confidence": 0.95, "max_rank": 3, "min_score": 0.0}


def _rows(text: str, cells: int) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        found = [c.strip() for c in line.replace("│", "|").split("|")[1:-1]]
        if len(found) == cells:
            rows.setdefault(found[0], found[1:])
    return rows


def test_terminal_output_is_tables_headline_goals_and_flags_that_fit_80_columns(db: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "eval", str(LABELS), "--k", "20"])

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    shipped = _rows(out.split("Leave-one-claim-out")[0], 9)
    assert shipped["C1"] == ["4", "75%", "3/4", "1/2", "1/1", "2", "0", "0"]
    assert shipped["C2"] == ["1", "100%", "1/1", "-", "-", "0", "0", "0"]
    assert shipped["all"] == ["5", "80%", "80%", "50%", "100%", "~1", "0", "0"]
    cv = _rows(out.split("Leave-one-claim-out")[1], 7)
    assert cv["C1"] == ["0/2", "-", "0", "0", "0", "0.95/3/0"]
    assert cv["C2"] == ["-", "-", "0", "0", "0", "0.85/3/0"]  # fitted on C1 alone: its flag is sure
    assert "rules fitted, one per held-out claim: 0.95/3/0 x1, 0.85/3/0 x1" in out
    headline = [line.split() for line in out.splitlines() if line.strip().startswith("all ")]
    assert headline == [
        ["all", "shipped", "50%", "100%", "80%", "80%", "1", "0", "0"],
        ["all", "cv", "0%", "-", "80%", "80%", "0", "0", "0"],
    ]
    block = out.split("Goals, all claims")[1].splitlines()[4:9]
    assert [re.split(r"\s{2,}", line.strip()) for line in block] == [
        ["challengers flagged >= 60%", "50% NOT met", "0% NOT met"],
        ["flag precision >= 60%", "100% met", "- NOT met"],
        ["on-topic@10 >= 85%", "80% NOT met", "80% NOT met"],
        ["median flags <= 4", "1 met", "0 met"],
        ["false alarms <= 0", "0 met", "0 met"],
    ]
    assert (
        "C1: unverified flagged shipped: 2503.00006; missed in top 20: 2503.00004; \n"
        "negatives in top 20: 2503.00005" in out
    )


def test_several_files_get_a_headline_each_and_unknown_flags_are_listed(db: str, in_tmp: Path) -> None:
    more = in_tmp / "more.yaml"
    more.write_text(
        "claims:\n  - key: C3\n    text: Speech recognition gets better.\n"
        "    topic_keywords: [speech recognition]\n    date: 2025-01-01\n"
        "    papers: [{id: '2502.10000', label: supersedes}]\n"
    )
    result = CliRunner().invoke(cli, ["eval", str(LABELS), str(more), "--db", db, "--format", "text"])

    assert result.exit_code == 0, result.output
    sets = [
        line.split()[:2]
        for line in result.stdout.splitlines()
        if line.split()[1:2] == ["shipped"] and "goal" not in line
    ]
    assert sets == [["labels", "shipped"], ["more", "shipped"], ["all", "shipped"]]
    assert "rules fitted, one per held-out claim: 0.85/3/0 x2, 0.95/3/0 x1" in result.stdout


def test_a_claim_key_in_two_files_exits_2_naming_both(db: str, in_tmp: Path) -> None:
    twin = in_tmp / "twin.yaml"
    twin.write_text("claims:\n  - key: C2\n    text: t\n    topic_keywords: [x]\n    date: 2025-01-01\n")
    result = CliRunner().invoke(cli, ["--db", db, "eval", str(LABELS), str(twin)])

    assert result.exit_code == 2
    assert f"{twin}:2:10: claim key 'C2' is also in {LABELS}:28; keys must be unique" in result.stderr
    assert "error: 1 problem(s) in the labels file" in result.stderr


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
    assert "Measure the matcher's judgement on labeled claims" in result.stdout
    assert "--format [terminal|text|json]" in result.stdout
    assert "--db FILE" in result.stdout


def test_feedback_adds_a_round_per_n_with_the_papers_decided_and_a_control(db: str) -> None:
    result = CliRunner().invoke(
        cli, ["--db", db, "eval", str(LABELS), "--format", "json", "--feedback", "0", "--feedback", "2"]
    )
    assert result.exit_code == 0, result.output
    rounds = json.loads(result.stdout)["feedback"]
    assert [r["n"] for r in rounds] == [0, 2]
    zero, two = rounds
    assert zero["overall"]["decisions"] == 0
    assert zero["overall"]["learned"] == zero["overall"]["control"]
    for claim in two["claims"]:
        assert 0 < len(claim["revealed"]) <= 2
        decided = {r["id"] for r in claim["revealed"]}
        # The decided papers are not scored again, learned or not.
        assert not decided & {f["id"] for f in claim["learned"]["flags"]}
        assert not decided & {f["id"] for f in claim["control"]["flags"]}
    assert two["overall"]["decisions"] == sum(len(c["revealed"]) for c in two["claims"])
    assert two["overall"]["confirmed"] == sum(
        r["label"] == "supersedes" for c in two["claims"] for r in c["revealed"]
    )


def test_feedback_table_in_the_terminal(db: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "eval", str(LABELS), "--feedback", "3"])
    assert result.exit_code == 0, result.output
    assert "Simulated curator: N decisions a claim, the rest scored" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    rows = [line.split() for line in result.stdout.splitlines() if line.split()[:2] == ["all", "3"]]
    assert [r[4] for r in rows] == ["learned", "control"]  # set, N, decisions, (confirmed), mode


def test_feedback_must_not_be_negative(db: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "eval", str(LABELS), "--feedback", "-1"])
    assert result.exit_code == 2
    assert "-1 is not in the range x>=0" in result.output
