"""The suite's own conventions: tests that need ../shared skip in one summary line, or fail in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SELECTED = [
    "tests/sources/test_oai_pmh.py",
    "-k",
    "real_resumption_chain or corpus_records or sets_are_archives",
]


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    environ.update(FRESHNESS_TEST_SHARED=str(tmp_path / "no-shared"), **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *SELECTED],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_shared_data_one_line_counts_the_skipped_tests(tmp_path: Path) -> None:
    result = _pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    summary = [line for line in lines if "../shared" in line]
    assert summary == [
        f"2 tests need ../shared (real arXiv data): skipped (it is absent at {tmp_path / 'no-shared'}; "
        "CI=true makes its absence a failure)"
    ]
    assert not any(line.startswith("SKIPPED") for line in lines)
    assert "1 passed, 2 skipped" in lines[-1]  # still counted


def test_under_ci_their_absence_fails_them(tmp_path: Path) -> None:
    result = _pytest(tmp_path, CI="true")
    assert result.returncode == 1
    assert "2 failed, 1 passed" in result.stdout.splitlines()[-1]
    assert "CI=true, so its absence is an error" in result.stdout
