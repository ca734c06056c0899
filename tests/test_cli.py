"""What every command shares (freshness/cli/app.py): help text, the one `now` and "today", the choices
read from the core's registries, the exit codes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from freshness.cli import cli

CLAIM_DATED = """\
version: 1
defaults:
  categories: [cs.CL]
claims:
  - id: one
    claim: Something dated.
    date: {day}
    topics: [something]
"""


def validate_at(tmp_path: Path, day: str, *now: str) -> tuple[int, str]:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIM_DATED.format(day=day))
    db = tmp_path / "store.sqlite"
    result = CliRunner().invoke(cli, [*now, "--claims", str(claims), "--db", str(db), "validate"])
    return result.exit_code, result.output


@contextmanager
def time_zone(monkeypatch: pytest.MonkeyPatch, zone: str) -> Iterator[None]:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()  # TZ as it was before the test (set or not)
        time.tzset()


# -- help ------------------------------------------------------------------------------------------


def test_every_command_has_help_text() -> None:
    for name, command in cli.commands.items():
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help, f"{name} has no help text"
        assert len(command.help.strip()) > 20, f"{name}'s help says too little"


def test_python_dash_m_runs_the_same_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "freshness", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "report" in done.stdout


# -- choices come from the core's registries ---------------------------------------------------------


def _choices(command: str, option: str) -> list[str]:
    param = next(p for p in cli.commands[command].params if p.name == option)
    return list(param.type.choices)  # type: ignore[attr-defined]


def test_choices_are_the_registries() -> None:
    from freshness.cli.authoring import EVAL_FORMATS
    from freshness.cli.writing import ANCHOR_FORMATS
    from freshness.models import ClaimStatus
    from freshness.poll_plan import SOURCES
    from freshness.report import FORMATS

    assert _choices("report", "fmt") == list(FORMATS) == ["terminal", "json", "markdown", "html"]
    assert _choices("report", "statuses") == [s.value.replace("_", "-") for s in ClaimStatus]
    assert _choices("report", "color_choice") == ["auto", "always", "never"]
    assert _choices("poll", "source") == list(SOURCES)
    assert _choices("check-anchors", "fmt") == list(ANCHOR_FORMATS) == ["text", "github", "json"]
    assert _choices("eval", "fmt") == list(EVAL_FORMATS) == ["terminal", "text", "json"]


def test_an_unknown_choice_is_a_usage_error_listing_the_registry() -> None:
    result = CliRunner().invoke(cli, ["report", "--format", "pdf"])
    assert result.exit_code == 2
    assert "'pdf' is not one of 'terminal', 'json', 'markdown', 'html'" in result.output


def test_the_top_level_help_imports_no_registry() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from freshness.cli import main; sys.argv = ['freshness', '--help']\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('freshness.report', 'freshness.models', 'freshness.poll', "
        "'freshness.poll_plan', 'rich') if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stderr.strip() == "[]"


# -- the one `now` and "today" ----------------------------------------------------------------------


def test_the_hidden_now_option_fixes_the_clock_for_claim_dates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_zone(monkeypatch, "UTC"):
        assert validate_at(tmp_path, "2030-01-02", "--now", "2030-01-02T00:00:00Z")[0] == 0
        code, out = validate_at(tmp_path, "2030-01-02", "--now", "2030-01-01T23:59:59+00:00")
        assert code == 2
        assert "is in the future (today is 2030-01-01)" in out
        # Without an offset the moment is UTC.
        assert validate_at(tmp_path, "2030-01-02", "--now", "2030-01-02T00:00")[0] == 0


def test_today_is_the_users_local_date_of_the_one_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 2030-01-01T20:00Z is already 2030-01-02 fourteen hours east of Greenwich.
    with time_zone(monkeypatch, "Etc/GMT-14"):
        assert validate_at(tmp_path, "2030-01-02", "--now", "2030-01-01T20:00:00Z")[0] == 0


def test_a_bad_now_is_a_usage_error(tmp_path: Path) -> None:
    code, out = validate_at(tmp_path, "2020-01-01", "--now", "yesterday")
    assert code == 2
    assert "'yesterday' is not an ISO 8601 date and time" in out


def test_the_now_option_is_hidden() -> None:
    assert "--now" not in CliRunner().invoke(cli, ["--help"]).output


# -- exit codes ----------------------------------------------------------------------------------


def test_the_clis_exit_codes_agree_with_the_cores_verdicts() -> None:
    from freshness.cli.app import EXIT_FAILED, EXIT_OK
    from freshness.nightly import RunOutcome

    assert (RunOutcome.OK.exit_code, RunOutcome.FAILED.exit_code) == (EXIT_OK, EXIT_FAILED)
