"""`freshness validate`: output text and exit codes through Click's CliRunner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from freshness.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "claims"


def fixture(name: str, dest: str = "claims.yaml") -> str:
    shutil.copy(FIXTURES / name, dest)
    return dest


def test_valid_file_prints_counts_and_exits_0(in_tmp: Path) -> None:
    fixture("valid.yaml")
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0
    assert result.stdout == "claims.yaml: 2 claims, 5 anchors, OK\n"
    assert result.stderr == ""


def test_counts_are_singular_for_one(in_tmp: Path) -> None:
    Path("claims.yaml").write_text(
        "version: 1\nclaims:\n  - {id: a, claim: x, date: 2025-01-01, topics: [t], anchors: [2508.01191]}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate"])
    assert (result.exit_code, result.stdout) == (0, "claims.yaml: 1 claim, 1 anchor, OK\n")


def test_several_problems_are_all_reported_with_line_and_column(in_tmp: Path) -> None:
    fixture("many-problems.yaml", "notes.yaml")
    result = CliRunner().invoke(cli, ["--claims", "notes.yaml", "validate"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    located = [line.split(": ", 1)[0] for line in lines[:-2]]
    assert located == [
        "notes.yaml:2:1",
        "notes.yaml:6:11",
        "notes.yaml:7:28",
        "notes.yaml:8:17",
        "notes.yaml:10:26",
        "notes.yaml:11:9",
        "notes.yaml:15:25",
        "notes.yaml:16:5",
        "notes.yaml:16:9",
        "notes.yaml:18:13",
        "notes.yaml:21:11",
        "notes.yaml:22:5",
    ]
    assert lines[5] == "notes.yaml:11:9: duplicate claim id 'first' (first used at line 4)"
    assert lines[-2:] == [
        "error: 12 problem(s) in the claims file",
        "Tip: Fix the lines above, then run `freshness validate` again.",
    ]
    assert "Traceback" not in result.output


def test_yaml_syntax_error(in_tmp: Path) -> None:
    fixture("syntax-error.yaml")
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "claims.yaml:6:1: YAML syntax error: found unexpected end of stream "
        "(while scanning a quoted scalar at line 4)"
    )


def test_missing_file_is_one_problem(in_tmp: Path) -> None:
    result = CliRunner().invoke(cli, ["--claims", "nowhere/claims.yaml", "validate"])
    assert result.exit_code == 2
    # No line to point at and no "lines above" to fix: it says the file does not exist, and what to do.
    lines = result.stderr.splitlines()
    assert lines[0] == "error: nowhere/claims.yaml: does not exist"
    assert lines[1].startswith(
        "Tip: The claims file is --claims FILE, else $FRESHNESS_CLAIMS, else ./claims.yaml"
    )
    assert "docs/claims.md" in lines[1]
    assert "freshness extract NOTE" in lines[1]
    assert len(lines) == 2
    assert ":1:1" not in result.stderr
    assert "lines above" not in result.stderr


@pytest.mark.parametrize("command", [["run"], ["report"], ["poll", "--dry-run"]])
def test_every_command_says_a_missing_claims_file_does_not_exist(in_tmp: Path, command: list[str]) -> None:
    result = CliRunner().invoke(cli, ["--claims", "nowhere/claims.yaml", *command])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: nowhere/claims.yaml: does not exist\nTip: "), result.stderr


def test_malformed_anchor_fails_validate(in_tmp: Path) -> None:
    fixture("malformed-anchor.yaml")
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "claims.yaml:8:9: claim 'bad-anchor': malformed anchor: '2513.01191': month 13 is not 01-12"
    )


def test_claims_from_environment_variable(in_tmp: Path) -> None:
    fixture("no-defaults.yaml", "from-env.yaml")
    result = CliRunner().invoke(cli, ["validate"], env={"FRESHNESS_CLAIMS": "from-env.yaml"})
    assert (result.exit_code, result.stdout) == (0, "from-env.yaml: 1 claim, 0 anchors, OK\n")


def test_claims_flag_beats_environment_variable(in_tmp: Path) -> None:
    fixture("no-defaults.yaml", "flag.yaml")
    fixture("syntax-error.yaml", "env.yaml")
    result = CliRunner().invoke(
        cli, ["--claims", "flag.yaml", "validate"], env={"FRESHNESS_CLAIMS": "env.yaml"}
    )
    assert (result.exit_code, result.stdout) == (0, "flag.yaml: 1 claim, 0 anchors, OK\n")


def test_non_utf8_file(in_tmp: Path) -> None:
    Path("claims.yaml").write_bytes(b"version: 1\nclaims:\n  - id: \xff\n")
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert result.stderr.startswith("claims.yaml:3:9: not valid UTF-8 (byte 0xff); save the file as UTF-8\n")


def test_shipped_claims_file_validates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    monkeypatch.delenv("FRESHNESS_CLAIMS", raising=False)
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "claims.yaml: 7 claims, 7 anchors, OK\n"


def test_validate_has_help_text() -> None:
    result = CliRunner().invoke(cli, ["validate", "--help"])
    assert result.exit_code == 0
    assert "print every problem as FILE:LINE:COL: message" in result.stdout
