"""`freshness report` (offline) reads the stored citation edges when citations are on: "cites the
anchor" evidence and the citing sentence, never a request; with no citation data, the report is byte
for byte what it was."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from freshness.citations.base import CitingRecord, Fetched
from freshness.citations.storage import save_fetched
from freshness.cli import cli
from freshness.models import CitationContext
from freshness.store import Store
from tests.conftest import make_paper
from tests.test_cli_report import CLAIMS_YAML, _store

ON = CLAIMS_YAML + "citations:\n  services: [semantic_scholar]\n"  # after the claims: same lines
SENTENCE = "Contrary to [4], we find sparse attention does not match dense attention on retrieval."
NOW = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    db = tmp_path / "store.sqlite"
    _store(db)
    with Store.open(db) as store:
        # Shares no word with the claim: only the citation can bring it in.
        store.upsert_papers(
            [
                make_paper(
                    "2507.00007",
                    title="Retrieval heads explain failures of efficient transformers",
                    abstract="We locate the heads responsible for copying and study when they break.",
                    published=dt.date(2025, 7, 2),
                )
            ],
            source="test",
            now=NOW,
        )
    return db


def _cite(db: Path) -> None:
    record = CitingRecord(
        "2507.00007",
        "Retrieval heads",
        contexts=(CitationContext(SENTENCE, "Semantic Scholar", ("result",)),),
    )
    with Store.open(db) as store:
        save_fetched(store, Fetched("2501.00001", "semantic_scholar", (record,), complete=True), now=NOW)


def report(tmp_path: Path, db: Path, claims_text: str, *args: str) -> Result:
    claims = tmp_path / "claims.yaml"
    claims.write_text(claims_text)
    return CliRunner().invoke(
        cli,
        ["--claims", str(claims), "--db", str(db), "report", "--format", "markdown", *args],
        env={"NO_COLOR": "1"},
    )


def test_the_offline_report_shows_stored_citation_evidence_when_citations_are_on(
    tmp_path: Path, db: Path
) -> None:
    _cite(db)

    on = report(tmp_path, db, ON, "--format", "json")
    flag = report(tmp_path, db, CLAIMS_YAML, "--format", "json", "--citations")
    off = report(tmp_path, db, ON, "--format", "json", "--no-citations")
    silent = report(tmp_path, db, CLAIMS_YAML, "--format", "json")

    assert on.exit_code == 0, on.output
    claim = json.loads(on.stdout)["claims"][0]
    match = next(m for m in claim["matches"] if m["arxiv_id"] == "2507.00007")
    assert "cites the anchor 2501.00001 (Semantic Scholar)" in match["evidence"][-1]
    assert match["stance"] == "challenges"
    assert match["stance_sentence"] == SENTENCE
    assert match["stance_target"] == "anchor 2501.00001 (citing sentence, Semantic Scholar, intent result)"
    assert json.loads(flag.stdout)["claims"] == json.loads(on.stdout)["claims"]
    for without in (off, silent):  # turned off (or never on): the edges are not used
        assert without.exit_code == 0
        assert "2507.00007" not in without.stdout
        assert "cites the anchor" not in without.stdout


@pytest.mark.parametrize("fmt", ["markdown", "json", "terminal"])
def test_with_no_citation_data_the_report_is_byte_identical(tmp_path: Path, db: Path, fmt: str) -> None:
    on = report(tmp_path, db, ON, "--format", fmt)
    off = report(tmp_path, db, CLAIMS_YAML, "--format", fmt)

    assert on.exit_code == 0, on.output
    assert _untimed(on.stdout) == _untimed(off.stdout)


def _untimed(text: str) -> str:
    """The report without the time it was generated at (the two runs may straddle a second)."""
    return re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?Z?", "TIME", text)
