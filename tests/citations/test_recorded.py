"""The recorded-citations file (`freshness eval --citations FILE`): its format, its errors with their
lines, and its effect on the eval figures of the small labeled set of tests/test_evaluation.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from freshness.citations.recorded import CitationsFileError, load_recorded_citations
from freshness.cli import cli
from freshness.models import CitationContext
from freshness.store import Store
from tests.conftest import NOW
from tests.test_evaluation import LABELS, eval_papers

# C1's anchor is 2305.17493. 2503.00004 is labeled supersedes but shares no word with the claim, so no
# lexical matcher finds it: a recording that says it cites the anchor, arguing with it, should.
RECORDING = """\
source: hand recording
citations:
  2305.17493:
    - id: 2503.00004v2
      influential: true
      contexts:
        - text: "Contrary to Shumailov et al. (2023), we find models do not forget when real data is kept."
          intents: [result]
        - A second sentence that cites it.
    - 2503.00003
  "2106.09685": ["2503.00010"]
"""


def test_yaml_short_and_long_forms_and_unquoted_ids_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "cites.yaml"
    path.write_text(RECORDING)

    index = load_recorded_citations(path)

    assert sorted(index.by_anchor) == ["2106.09685", "2305.17493"]
    edge = index.by_anchor["2305.17493"]["2503.00004"]  # the version dropped
    assert edge.sources == ("hand recording",)
    assert edge.influential is True
    assert edge.contexts == (
        CitationContext(
            "Contrary to Shumailov et al. (2023), we find models do not forget when real data is kept.",
            "hand recording",
            ("result",),
        ),
        CitationContext("A second sentence that cites it.", "hand recording"),
    )
    # Unquoted, YAML would read 2503.00010 as the number 2503.0001: the text written is kept.
    assert list(index.by_anchor["2106.09685"]) == ["2503.00010"]
    assert index.by_anchor["2305.17493"]["2503.00003"].contexts == ()


def test_json_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "cites.json"
    data = {"citations": {"2305.17493": [{"id": "2503.00004", "contexts": [{"text": "x", "intents": []}]}]}}
    path.write_text(json.dumps(data))

    index = load_recorded_citations(path)

    assert index.by_anchor["2305.17493"]["2503.00004"].sources == ("recorded",)


def test_problems_are_listed_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("citations:\n  2305.17493:\n    - not-an-id\n    - 2305.17493\n  nonsense: []\n")

    with pytest.raises(CitationsFileError) as err:
        load_recorded_citations(path)

    found = [str(p) for p in err.value.problems]
    assert len(found) == 3
    assert found[0].startswith(f"{path}:3:7: citations.2305.17493.0: not an arXiv id")
    assert found[1] == f"{path}:4:7: citations.2305.17493.1: 2305.17493 cannot cite itself"
    assert found[2].startswith(f"{path}:5:3: citations.nonsense: not an arXiv id")


def test_unknown_keys_and_a_missing_mapping_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("citatons: {}\n")

    with pytest.raises(CitationsFileError) as err:
        load_recorded_citations(path)

    assert {p.message.split(":")[0] for p in err.value.problems} == {"citations", "citatons"}


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    with Store.open(tmp_path / "store.sqlite") as store:
        store.upsert_papers(eval_papers(), source="test", now=NOW)
    return str(tmp_path / "store.sqlite")


def test_eval_with_a_recording_finds_and_flags_the_paper_that_only_cites_the_anchor(
    db: str, tmp_path: Path
) -> None:
    cites = tmp_path / "cites.yaml"
    cites.write_text(RECORDING)
    base = ["--db", db, "eval", str(LABELS), "--format", "json"]

    without = json.loads(CliRunner().invoke(cli, base).stdout)
    result = CliRunner().invoke(cli, [*base, "--citations", str(cites)])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "citations" not in without
    assert data["citations"] == {
        "file": str(cites),
        "anchors": 2,
        "edges": 3,
        "claim_anchors": 1,  # C2 has no anchor; 2106.09685 anchors no labeled claim
        "edges_in_store": 2,
    }
    c1_before, c1 = without["claims"][0], data["claims"][0]
    assert c1_before["missed"] == ["2503.00004"]
    assert c1["missed"] == []
    assert without["overall"]["recall_at_k"] == 0.8
    assert data["overall"]["recall_at_k"] == 1.0
    assert without["overall"]["shipped"]["challengers_flagged"] == 0.5
    assert data["overall"]["shipped"]["challengers_flagged"] == 1.0  # the citing sentence argues
    assert data["overall"]["shipped"]["flag_precision"] == 1.0


def test_eval_terminal_says_what_the_recording_held(db: str, tmp_path: Path) -> None:
    cites = tmp_path / "cites.yaml"
    cites.write_text(RECORDING)

    result = CliRunner().invoke(cli, ["--db", db, "eval", str(LABELS), "--citations", str(cites)])

    assert result.exit_code == 0, result.output
    assert "3 edge(s) to 2 anchor(s), 1 of the claims' anchors; 2 citing paper(s) in the store" in " ".join(
        result.stdout.split()
    )


def test_eval_with_a_bad_recording_exits_2_with_its_lines(db: str, tmp_path: Path) -> None:
    cites = tmp_path / "cites.yaml"
    cites.write_text("citations:\n  2305.17493: [junk]\n")

    result = CliRunner().invoke(cli, ["--db", db, "eval", str(LABELS), "--citations", str(cites)])

    assert result.exit_code == 2
    assert f"{cites}:2:16: citations.2305.17493.0: not an arXiv id" in result.stderr
    assert "docs/eval.md describes the recorded-citations format" in result.stderr
