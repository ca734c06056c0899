"""`freshness import` through Click: counts, rejection reasons, exit codes, escaping, no claims needed."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from freshness.cli import cli
from freshness.cli.writing import _ImportProgressBar
from freshness.sources.files import ImportProgress, import_files
from freshness.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wire"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "store.sqlite"


def run(db: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    # The claims file does not exist: import must not need it.
    missing_claims = str(db.parent.parent / "no-such-claims.yaml")
    return CliRunner().invoke(cli, ["--claims", missing_claims, "--db", str(db), "import", *args], env=env)


def line(arxiv_id: str, title: str = "A title") -> str:
    return json.dumps(
        {
            "id": arxiv_id,
            "authors": "Ada Lovelace",
            "title": title,
            "categories": "cs.CL",
            "abstract": "An abstract.",
            "versions": [{"version": "v1", "created": "Tue, 02 Jan 2024 00:00:00 GMT"}],
        }
    )


def test_import_prints_counts_and_exits_0_without_a_claims_file(db: Path) -> None:
    result = run(db, str(FIXTURES / "oai_arxivraw.xml"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{FIXTURES / 'oai_arxivraw.xml'} (oai): 2 added, 0 updated, 0 unchanged, 2 rejected",
        "rejected records:",
        f"  {FIXTURES / 'oai_arxivraw.xml'} record oai:arXiv.org:2510.00003: bad date 'Someday in October'",
        f"  {FIXTURES / 'oai_arxivraw.xml'} record 2510.00002: deleted on arXiv; not stored",
        "coverage recorded: 2025-11-03 to 2026-11-20, 2 categories",
    ]
    assert result.stderr == ""
    with Store.open(db) as store:
        assert store.summary().papers == 2


def test_several_files_give_a_total_and_the_first_five_rejections(db: Path) -> None:
    names = ["snapshot.jsonl", "api_page.xml", "rss_cs.xml"]
    result = run(db, *(str(FIXTURES / n) for n in names))
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert out[:3] == [
        f"{FIXTURES / 'snapshot.jsonl'} (snapshot): 3 added, 0 updated, 0 unchanged, 5 rejected",
        f"{FIXTURES / 'api_page.xml'} (api): 2 added, 0 updated, 0 unchanged, 3 rejected",
        f"{FIXTURES / 'rss_cs.xml'} (rss): 5 added, 0 updated, 0 unchanged, 1 rejected",
    ]
    assert out[3] == "total: 10 added, 0 updated, 0 unchanged, 9 rejected"
    assert out[4] == "rejected records (first 5 of 9):"
    assert len(out) == 5 + 5 + 1
    assert out[-1].startswith("coverage recorded: ")
    assert out[5].startswith(f"  {FIXTURES / 'snapshot.jsonl'} line 3: not valid JSON")

    again = run(db, *(str(FIXTURES / n) for n in names))
    assert again.exit_code == 0
    assert again.stdout.splitlines()[3] == "total: 0 added, 0 updated, 10 unchanged, 9 rejected"


def test_missing_file_exits_2_with_a_tip(db: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(line("2401.00001") + "\n")
    result = run(db, str(tmp_path / "nope.jsonl"), str(good))
    assert result.exit_code == 2
    assert f"{good} (snapshot): 1 added" in result.stdout  # the readable file was still imported
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'nope.jsonl'}: no such file",
        "Tip: Check the path and try again.",
    ]


def test_truncated_gzip_exits_2_and_keeps_what_was_read(db: Path, tmp_path: Path) -> None:
    data = gzip.compress(("\n".join(line(f"2401.{i:05d}") for i in range(1, 3001)) + "\n").encode())
    path = tmp_path / "corrupt.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    result = run(db, str(path))
    assert result.exit_code == 2
    [error, tip] = result.stderr.splitlines()
    assert error.startswith(f"error: {path}: truncated gzip stream after record ")
    assert error.endswith(" records before it are stored")
    assert tip.startswith("Tip: Check the file (download it again if it is truncated)")
    kept = int(error.split("after record ")[1].split(";")[0])
    assert kept > 0
    with Store.open(db) as store:
        assert store.summary().papers == kept
    assert "Traceback" not in result.output


def test_html_page_exits_2(db: Path) -> None:
    result = run(db, str(FIXTURES / "maintenance.html"))
    assert result.exit_code == 2
    assert "an HTML page, not an arXiv metadata file" in result.stderr


def test_untrusted_text_is_printed_inert(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b[31mname.jsonl"
    hostile = '{"id": "\\u001b[2J\\u001b]0;pwned\\u0007[bold red]2401.x", "title": "t", "versions": []}'
    path.write_text(line("2401.00001") + "\n" + hostile + "\n" + line("2401.00002") + "\n")
    result = run(db, str(path))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "[bold red]2401.x" in result.stdout  # shown as text, not interpreted
    assert "2 added" in result.stdout


def test_progress_bar_only_on_a_terminal(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(line(f"2401.{i:05d}") for i in range(1, 50)) + "\n")
    plain = run(db, str(path))
    assert plain.exit_code == 0
    assert plain.stderr == ""  # no bar, no escape codes in cron logs
    forced = run(db, str(path), env={"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"})
    assert forced.exit_code == 0, forced.output
    assert "49 records" in forced.stderr  # the bar was drawn (on stderr, so stdout stays clean)
    assert forced.stdout.splitlines() == [
        f"{path} (snapshot): 0 added, 0 updated, 49 unchanged, 0 rejected",
        "coverage recorded: 2024-01-02 to 2024-01-02, 1 category",
    ]


def test_help_and_usage() -> None:
    result = CliRunner().invoke(cli, ["import", "--help"])
    assert result.exit_code == 0
    assert "Load arXiv metadata FILEs into the store" in result.output
    assert "Exit codes" in result.output
    usage = CliRunner().invoke(cli, ["import"])
    assert usage.exit_code == 2
    assert "Missing argument" in usage.output


def test_acm_and_msc_classes_are_dropped_and_counted_in_the_summary(db: Path) -> None:
    path = FIXTURES / "snapshot_acm_msc.jsonl"
    result = run(db, str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{path} (snapshot): 3 added, 0 updated, 0 unchanged, 0 rejected; 7 non-arXiv categories dropped "
        "(2 records)",
        "dropped categories are not arXiv categories (ACM/MSC classes, stray words), e.g. 'I.2.7;', "
        "'I.2.6', '90C25,'; the papers are stored with their arXiv categories",
        "coverage recorded: 2024-01-15 to 2024-01-17, 11 categories",
    ]
    with Store.open(db) as store:
        assert store.get_papers(["2401.10002"])["2401.10002"].categories == ("math.OC", "stat.ML")


def test_the_progress_bar_fits_80_columns_and_labels_the_index_merge(db: Path, tmp_path: Path) -> None:
    """A long file name is cut, never wrapped; after the files, the bar says what the import is doing
    instead of sitting at 100% without a word while the full-text index is merged."""
    path = tmp_path / "arxiv-metadata-oai-snapshot-2026-11-30-with-a-long-name.jsonl"
    path.write_text("\n".join(line(f"2401.{i:05d}") for i in range(1, 30)) + "\n")
    screen = io.StringIO()
    console = Console(file=screen, width=80, force_terminal=True, color_system=None)
    shown: list[str] = []

    def snapshot() -> None:
        frame = Console(file=io.StringIO(), width=80, record=True, color_system=None)
        frame.print(bars.bar.make_tasks_table(bars.bar.tasks))
        shown.append(frame.export_text())

    bars = _ImportProgressBar(console)
    callback = bars.__enter__()
    assert callback is not None
    events: list[ImportProgress] = []

    def record(event: ImportProgress) -> None:
        events.append(event)
        callback(event)
        snapshot()

    with Store.open(db) as store:
        import_files(
            store, [path], now=dt.datetime(2026, 11, 30, tzinfo=dt.UTC), progress=record, optimize_from=1
        )
    bars.__exit__()
    assert events[-1].stage == "merging the full-text index"
    assert all(len(row) <= 80 for frame in shown for row in frame.splitlines())
    assert all(len(frame.splitlines()) == 1 for frame in shown)  # one row: nothing wrapped
    assert shown[0].startswith("arxiv-metadata-oai-snaps")
    assert "…" in shown[0]
    assert shown[-1].startswith("merging the full-text index ")


def test_while_another_writer_holds_the_store_exits_2_after_lock_wait_and_stores_nothing(db: Path) -> None:
    import os

    from freshness.locking import writer_lock

    since = dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.UTC)
    with writer_lock(db, command="poll", now=since):
        result = run(db, str(FIXTURES / "oai_arxivraw.xml"), "--lock-wait", "0")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: the store {db} is busy: pid {os.getpid()} (freshness poll) ")
    assert "holds its writer lock; gave up after 0 s" in result.stderr
    with Store.open(db) as store:
        assert store.summary().papers == 0
