#!/usr/bin/env python3
"""The project's one task runner: needs only Python >= 3.11; makes its own virtualenv.

python3 tasks.py demo     # set up, load arXiv metadata (the shared corpus, else the bundled sample), report
python3 tasks.py test     # set up, then ruff (format + lint), mypy (strict), pytest
python3 tasks.py setup    # only create/refresh .venv
python3 tasks.py bench    # run every benchmark in bench/
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("FRESHNESS_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".installed-from"
CORPUS = ROOT.parent / "shared" / "data" / "arxiv" / "arxiv-metadata-2024-2026.jsonl.gz"
# A few thousand real papers around the shipped claims (data/sample/README.md): the demo on a machine
# without the development corpus beside the checkout.
SAMPLE = ROOT / "data" / "sample" / "arxiv-sample.jsonl.gz"


def run(*args: str | os.PathLike[str], ok: tuple[int, ...] = (0,), **env: str) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run(  # noqa: S603 - runs this project's own tools
        [str(a) for a in args], cwd=ROOT, env={**os.environ, **env}, check=False
    )
    if result.returncode not in ok:
        sys.exit(result.returncode)


def setup() -> None:
    """Create the virtualenv and install the project with its dev extras (only when pyproject changed)."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py may be started by an older python3
        sys.exit(f"freshness needs Python >= 3.11; this is {sys.version.split()[0]}")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text() == digest:
        return
    if not PY.exists():
        print(f"+ python -m venv {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(digest)


def test() -> None:
    setup()
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "ruff", "check", ".")
    run(BIN / "mypy")
    run(PY, "-m", "pytest", *sys.argv[2:])


def demo() -> None:
    """The offline tour: validate claims.yaml, load arXiv metadata once (the shared corpus beside a
    development checkout, else the sample shipped in data/sample/), check anchors against the store,
    print the report. (`freshness run` is the live nightly job.)"""
    setup()
    db = Path(os.environ.get("FRESHNESS_DB", str(ROOT / ".freshness" / "store.sqlite")))
    env = {"FRESHNESS_DB": str(db)}
    data, enough = (CORPUS, 100_000) if CORPUS.exists() else (SAMPLE, 3_000)
    print(f"demo: claims.yaml judged offline against {data.name} (store: {db})", flush=True)
    run(BIN / "freshness", "validate", **env)
    if _paper_count(db) < enough:
        run(BIN / "freshness", "import", data, **env)
    # Offline: statuses from the store; exit 1 (a broken anchor) is a finding here, not a failure.
    run(BIN / "freshness", "check-anchors", "--offline", ok=(0, 1), **env)
    run(BIN / "freshness", "report", **env)
    where = "the shared corpus" if CORPUS.exists() else "a sample of arXiv (data/sample/README.md)"
    print(
        f"\nThat was offline, on {where}. Go live with `freshness run` (install: README, Install): it "
        "fetches what arXiv announced and names any period still not covered, with the command that "
        "fills it. Nightly from cron:\n"
        f"  35 1 * * 1-5  cd {ROOT} && {BIN / 'freshness'} run >> freshness.log 2>&1",
        flush=True,
    )


def _paper_count(db: Path) -> int:
    import sqlite3

    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as con:
            return int(con.execute("SELECT count(*) FROM papers").fetchone()[0])
    except sqlite3.Error:
        return 0


def bench() -> None:
    setup()
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        run(PY, script)


TASKS = {"setup": setup, "test": test, "demo": demo, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(__doc__)
    TASKS[sys.argv[1]]()
