"""`freshness report` end to end through Click: formats, filters, --since, escaping, exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from freshness.cli import cli
from freshness.models import Match
from freshness.store import Store
from tests.conftest import make_paper, save_fresh_run, two_claims_yaml

# Dates far back and shelf lives long, so the verdicts do not move as the real clock does.
CLAIMS_YAML = two_claims_yaml(
    "2025-01-10",
    shelf_life="50y",
    anchor="2501.00001",
    sparse_topics="sparse attention for long context, dense attention quality",
)

# The CLI's fixed clock (its hidden --now): the store covers every day up to it.
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
AT_NOW = ["--now", NOW.isoformat()]

EVIL_TITLE = "[bold red]Sparse attention[/] for long context \x1b[31m<script>alert(1)</script> fails"


def _store(db: Path) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    papers = [
        make_paper("2501.00001", title="Sparse attention is all you need", published=dt.date(2025, 1, 5)),
        make_paper(
            "2503.00002",
            title="Sparse attention for long context does not match dense attention",
            abstract="Contrary to prior claims, sparse attention for long context fails to match dense "
            "attention quality on retrieval tasks; we find no evidence that the gap closes.",
            published=dt.date(2025, 3, 2),
        ),
        make_paper(
            "2504.00003",
            title=EVIL_TITLE,
            abstract="We study sparse attention for long context and dense attention quality.",
            published=dt.date(2025, 4, 2),
        ),
        make_paper(
            "2505.00004",
            title="Chain of thought under distribution shift: a benchmark",
            abstract="We benchmark chain of thought under distribution shift across tasks.",
            published=dt.date(2025, 5, 2),
        ),
        make_paper(
            "2505.00005",
            title="Protein folding with diffusion",
            abstract="Biology.",
            published=dt.date(2025, 5, 3),
        ),
    ]
    with Store.open(db) as store:
        store.upsert_papers(papers, source="test", now=now)
        # Covered through the day the report runs (AT_NOW).
        store.add_coverage(["cs.CL"], dt.date(2025, 1, 1), NOW.date(), source="snapshot", now=now)


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS_YAML)
    db = tmp_path / "store.sqlite"
    _store(db)
    return claims, db


def invoke(paths: tuple[Path, Path], *args: str) -> Result:
    claims, db = paths
    return CliRunner().invoke(
        cli, [*AT_NOW, "--claims", str(claims), "--db", str(db), *args], env={"NO_COLOR": "1"}
    )


def test_terminal_report_shows_status_evidence_and_links(paths: tuple[Path, Path]) -> None:
    result = invoke(paths, "report")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Store: arXiv listings covered 2025-01-01 to " in out
    assert "for cs.CL; 5 papers" in out
    assert "POSSIBLY SUPERSEDED" in out
    assert "sparse-attention" in out
    assert "https://arxiv.org/abs/2503.00002" in out
    assert "cot-shift" in out
    assert "https://arxiv.org/abs/2505.00004" in out
    assert "2505.00005" not in out  # unrelated paper
    assert "\x1b" not in out  # NO_COLOR and not a terminal: no ANSI at all


def test_untrusted_titles_print_inert_in_every_format(paths: tuple[Path, Path], tmp_path: Path) -> None:
    terminal = invoke(paths, "report").output
    assert "[bold red]Sparse attention[/]" in terminal  # shown as typed, not interpreted
    assert "\x1b[31m" not in terminal
    markdown = invoke(paths, "report", "--format", "markdown").output
    assert "<script>" not in markdown
    html_file = tmp_path / "r.html"
    assert invoke(paths, "report", "--format", "html", "--output", str(html_file)).exit_code == 0
    html = html_file.read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_json_report_is_the_documented_shape(paths: tuple[Path, Path]) -> None:
    result = invoke(paths, "report", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["schema_version"] == 1
    assert doc["store"]["papers"] == 5
    by_id = {c["id"]: c for c in doc["claims"]}
    assert list(by_id) == ["sparse-attention", "cot-shift"]
    sparse = by_id["sparse-attention"]
    assert sparse["status"] == "possibly_superseded"
    assert sparse["matches"][0]["arxiv_id"] == "2503.00002"
    assert sparse["matches"][0]["superseding"] is True
    assert sparse["anchors"][0] == {**sparse["anchors"][0], "id": "2501.00001", "status": "ok"}
    assert all(m["published"] > "2025-01-10" for m in sparse["matches"])  # only newer papers


def test_claim_filter_and_unknown_claim(paths: tuple[Path, Path]) -> None:
    only = json.loads(invoke(paths, "report", "--format", "json", "--claim", "cot-shift").output)
    assert [c["id"] for c in only["claims"]] == ["cot-shift"]
    bad = invoke(paths, "report", "--claim", "nope")
    assert bad.exit_code == 2
    assert "no claim 'nope'" in bad.output
    assert "Tip: Known claim ids: cot-shift, sparse-attention" in bad.output


def test_output_file(paths: tuple[Path, Path], tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    result = invoke(paths, "report", "--format", "markdown", "--output", str(target))
    assert result.exit_code == 0
    assert f"wrote {target}" in result.output
    assert target.read_text().startswith("# Claim freshness report")


def test_bad_claims_file_exits_2_naming_line_and_column(paths: tuple[Path, Path]) -> None:
    claims, _ = paths
    claims.write_text(
        CLAIMS_YAML.replace("date: 2025-01-10\n    topics: [chain", "date: 2025-02-30\n    topics: [chain")
    )
    result = invoke(paths, "report")
    assert result.exit_code == 2
    assert f"{claims}:14:11:" in result.output
    assert "not a real calendar date" in result.output
    assert "Traceback" not in result.output


def test_since_without_an_earlier_run_shows_everything_with_a_note(paths: tuple[Path, Path]) -> None:
    doc = json.loads(invoke(paths, "report", "--format", "json", "--since", "2025-06-01").output)
    assert [c["id"] for c in doc["claims"]] == ["sparse-attention", "cot-shift"]
    assert any("no run on or before 2025-06-01" in n for n in doc["notes"])


def test_since_shows_only_what_changed_after_that_run(paths: tuple[Path, Path]) -> None:
    _, db = paths
    at = dt.datetime(2025, 6, 1, 23, 0, tzinfo=dt.UTC)
    kept = Match(
        "2505.00004",
        "Chain of thought under distribution shift: a benchmark",
        dt.date(2025, 5, 2),
        50.0,
        False,
        (),
    )
    save_fresh_run(db, at.date(), at, cot=(kept,))
    doc = json.loads(invoke(paths, "report", "--format", "json", "--since", "2025-06-02").output)
    assert [c["id"] for c in doc["claims"]] == ["sparse-attention"]
    notes = "\n".join(doc["notes"])
    assert "changes since the run of 2025-06-01" in notes
    assert "sparse-attention: fresh -> possibly superseded" in notes
    assert "2503.00002" in notes


def test_a_missing_store_is_not_created_and_every_claim_is_unchecked_with_what_to_run(
    tmp_path: Path,
) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS_YAML)
    result = CliRunner().invoke(
        cli, ["--claims", str(claims), "--db", str(tmp_path / "new" / "s.sqlite"), "report"]
    )
    assert result.exit_code == 0
    assert result.output.count("UNCHECKED") == 2
    assert "Store: the store is empty, so every claim is unchecked: run `freshness run`" in result.output
    assert not (tmp_path / "new").exists()  # a report reads; it never creates a store


# -- terminal options: --status, --top, --color, the pager -----------------------------------------


def test_status_filter_shows_only_those_claims_and_says_what_it_left_out(paths: tuple[Path, Path]) -> None:
    result = invoke(paths, "report", "--status", "possibly-superseded")
    assert result.exit_code == 0, result.output
    assert "sparse-attention" in result.output
    assert "cot-shift" not in result.output
    assert "only the claims possibly superseded: 1 other claim not shown" in result.output
    both = invoke(paths, "report", "--status", "possibly-superseded", "--status", "fresh")
    assert "cot-shift" in both.output
    bad = invoke(paths, "report", "--status", "stale")
    assert bad.exit_code == 2
    assert "'stale' is not one of" in bad.output


def test_top_n_shows_that_many_papers_of_each_kind(paths: tuple[Path, Path]) -> None:
    one = invoke(paths, "report", "--claim", "sparse-attention", "--top", "0").output
    assert "https://arxiv.org/abs/" not in one.split("Anchors")[1].split("\n", 3)[-1]
    assert "--top shows them" in one
    many = invoke(paths, "report", "--claim", "sparse-attention", "--top", "10").output
    assert "https://arxiv.org/abs/2503.00002" in many
    assert invoke(paths, "report", "--top", "-1").exit_code == 2


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        (["--color", "always"], {"NO_COLOR": "1"}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),  # auto into a pipe, forced
        ([], {"FORCE_COLOR": "0"}, False),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins
        ([], {}, False),  # auto, not a terminal
    ],
)
def test_color_option_and_the_environment(
    paths: tuple[Path, Path], args: list[str], env: dict[str, str | None], coloured: bool
) -> None:
    claims, db = paths
    env = {"NO_COLOR": None, "FORCE_COLOR": None, **env}
    result = CliRunner().invoke(
        cli, [*AT_NOW, "--claims", str(claims), "--db", str(db), "report", *args], env=env
    )
    assert result.exit_code == 0, result.output
    assert ("\x1b[" in result.output) is coloured


def test_pager_only_on_a_terminal_and_only_for_output_taller_than_it() -> None:
    from freshness.output import should_page

    tall, short = "line\n" * 60, "line\n" * 5
    assert should_page(tall, is_terminal=True, height=40, choice=None)
    assert not should_page(short, is_terminal=True, height=40, choice=None)
    assert not should_page(tall, is_terminal=False, height=40, choice=True)  # a pipe is never paged
    assert not should_page(tall, is_terminal=True, height=40, choice=False)  # --no-pager
    assert should_page(short, is_terminal=True, height=40, choice=True)  # --pager


def test_a_long_report_on_a_terminal_goes_through_the_pager(
    paths: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import click

    paged: list[str] = []
    monkeypatch.setattr(click, "echo_via_pager", lambda text, *a, **k: paged.append(text))
    claims, db = paths
    runner = CliRunner()
    with monkeypatch.context() as m:
        m.setattr("shutil.get_terminal_size", lambda *a: __import__("os").terminal_size((80, 10)))
        m.setattr("freshness.output.stdout_is_terminal", lambda: True)
        result = runner.invoke(cli, [*AT_NOW, "--claims", str(claims), "--db", str(db), "report"])
    assert result.exit_code == 0, result.output
    assert len(paged) == 1
    assert "sparse-attention" in paged[0]
