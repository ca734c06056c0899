"""Reliability against a faulty machine (docs/reliability.md): a full disk, a read-only or damaged
store, a missing directory, a closed stdout are named with what to do, never "a bug in freshness";
files are replaced whole; the YAML guard and "today" hold for legitimate input. Faults are injected
for real where it is cheap: a small tmpfs (as root), /dev/full, overwritten or truncated pages."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from freshness.cli import cli
from freshness.store import Store
from tests.conftest import long_context_yaml, make_paper

CLAIMS = long_context_yaml("2025-10-01", categories="cs.CL")
BUG = "a bug in freshness"


def invoke(claims: Path, db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--claims", str(claims), "--db", str(db), *args])


def snapshot_lines(count: int, start: int = 1) -> str:
    rows = []
    for i in range(start, start + count):
        rows.append(
            json.dumps(
                {
                    "id": f"2401.{i:05d}",
                    "authors": "Ada Lovelace and Alan Turing",
                    "title": f"Paper number {i} on retrieval and long context " + "x" * 200,
                    "categories": "cs.CL",
                    "abstract": f"We study question {i} of long-context retrieval. " * 10,
                    "versions": [{"version": "v1", "created": "Tue, 02 Jan 2024 00:00:00 GMT"}],
                }
            )
        )
    return "\n".join(rows) + "\n"


@pytest.fixture
def claims(tmp_path: Path) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text(CLAIMS)
    return path


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real small file system (disk full, read-only remount); needs root, else the test skips."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs for real disk-full / read-only faults")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=False)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (a container without CAP_SYS_ADMIN)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def fill(directory: Path) -> None:
    """Fill the file system holding `directory` to the last byte."""
    with contextlib.suppress(OSError), open(directory / "filler", "wb", buffering=0) as fh:
        while True:
            fh.write(b"\0" * 4096)


def store_with_papers(db: Path, count: int = 400) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with Store.open(db) as store:
        store.upsert_papers(
            [make_paper(f"2401.{i:05d}", title=f"Paper {i} " + "t" * 300) for i in range(1, count + 1)],
            source="snapshot",
            now=now,
        )
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# -- 4. faults named, not called bugs -------------------------------------------------------------


def test_a_full_disk_during_import_is_named_not_masked_by_the_rollback(tmp_path: Path, claims: Path) -> None:
    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text(snapshot_lines(3000))
    with tmpfs(tmp_path / "small", "600k") as small:
        result = invoke(claims, small / "store.sqlite", "import", str(snapshot))
    assert result.exit_code == 2, result.output
    assert "the disk is full" in result.stderr
    assert "Tip: Free some space" in result.stderr
    assert BUG not in result.output
    assert "rollback" not in result.output


def test_report_output_on_a_full_disk_keeps_the_previous_report_whole(tmp_path: Path, claims: Path) -> None:
    db = tmp_path / "store.sqlite"
    with tmpfs(tmp_path / "small", "64k") as small:
        target = small / "report.json"
        target.write_text("the previous report\n")
        fill(small)
        result = invoke(claims, db, "report", "--format", "json", "--output", str(target))
        assert result.exit_code == 2, result.output
        assert "the disk is full" in result.stderr
        assert BUG not in result.output
        assert target.read_text() == "the previous report\n"
        assert sorted(p.name for p in small.iterdir()) == ["filler", "report.json"]  # no temp file left


def test_report_output_to_dev_full_is_a_full_disk(tmp_path: Path, claims: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    result = invoke(claims, tmp_path / "store.sqlite", "report", "--output", "/dev/full")
    assert result.exit_code == 2, result.output
    assert "cannot write /dev/full: the disk is full" in result.stderr
    assert BUG not in result.output


def test_report_output_into_a_missing_directory_is_named(tmp_path: Path, claims: Path) -> None:
    result = invoke(claims, tmp_path / "store.sqlite", "report", "--output", str(tmp_path / "nope" / "r.md"))
    assert result.exit_code == 2, result.output
    assert "no such file or directory" in result.stderr
    assert BUG not in result.output


def test_a_read_only_store_is_named_for_writers_and_readers(tmp_path: Path, claims: Path) -> None:
    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text(snapshot_lines(5))
    with tmpfs(tmp_path / "ro", "8m") as ro:
        db = ro / "store.sqlite"
        store_with_papers(db, 20)
        remount_read_only(ro)
        imported = invoke(claims, db, "import", str(snapshot))
        reported = invoke(claims, db, "report")
    assert imported.exit_code == 2, imported.output
    assert "read-only" in imported.stderr
    assert reported.exit_code == 2, reported.output
    assert "not writable" in reported.stderr or "read-only" in reported.stderr
    for result in (imported, reported):
        assert BUG not in result.output
        assert "not a freshness store" not in result.output
        assert "corrupt" not in result.output


def test_a_store_whose_directory_is_missing_and_cannot_be_made_is_named(tmp_path: Path, claims: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory")
    result = invoke(claims, blocker / "store.sqlite", "import", str(blocker))
    assert result.exit_code == 2, result.output
    assert "not a directory" in result.stderr or "a part of the path is a file" in result.stderr
    assert BUG not in result.output


def test_a_closed_stdout_is_a_quiet_exit(tmp_path: Path, claims: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone, as after `| head` has read its lines
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from freshness.cli import main; main()", "--claims", str(claims),
             "--db", str(tmp_path / "store.sqlite"), "report", "--format", "json"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr.decode() == ""


# -- 5. damage detected before writing ------------------------------------------------------------


def overwrite_pages(db: Path, first: int, count: int) -> None:
    page = 4096
    with open(db, "r+b") as fh:
        fh.seek(first * page)
        fh.write(b"\xa5" * page * count)


@pytest.mark.parametrize("damage", ["overwritten pages", "truncated"])
@pytest.mark.parametrize("command", ["import", "dismiss", "poll"])
def test_a_damaged_store_is_not_written_to(tmp_path: Path, claims: Path, command: str, damage: str) -> None:
    db = tmp_path / "state" / "store.sqlite"
    store_with_papers(db)
    before = db.stat().st_size
    if damage == "truncated":
        os.truncate(db, before // 2)
    else:
        overwrite_pages(db, 8, 6)
    damaged_bytes = db.read_bytes()
    snapshot = tmp_path / "more.jsonl"
    snapshot.write_text(snapshot_lines(3, start=900))
    args = {
        "import": ["import", str(snapshot)],
        "dismiss": ["dismiss", "long-context", "2401.00001"],
        "poll": ["poll", "--source", "rss"],
    }[command]
    result = CliRunner().invoke(
        cli,
        ["--claims", str(claims), "--db", str(db), *args],
        env={"FRESHNESS_ARXIV_RSS_URL": "http://127.0.0.1:9/rss", "FRESHNESS_ARXIV_OAI_URL": "http://127.0.0.1:9/o",
             "FRESHNESS_ARXIV_API_URL": "http://127.0.0.1:9/a", "FRESHNESS_REQUEST_DELAY": "0"},
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "is damaged" in result.stderr
    assert "sqlite3" in result.stderr
    assert ".recover" in result.stderr
    assert "backup" in result.stderr
    assert BUG not in result.output
    assert db.read_bytes() == damaged_bytes


# -- 6. files replaced whole; symlinks -------------------------------------------------------------


def test_report_output_refuses_a_symlink_unless_asked(tmp_path: Path, claims: Path) -> None:
    db = tmp_path / "store.sqlite"
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    link = tmp_path / "report.md"
    link.symlink_to(precious)
    refused = invoke(claims, db, "report", "--format", "markdown", "--output", str(link))
    assert refused.exit_code == 2, refused.output
    assert "it is a symlink" in refused.stderr
    assert "--follow-symlinks" in refused.stderr
    assert precious.read_text() == "keep me\n"
    followed = invoke(
        claims, db, "report", "--format", "markdown", "--output", str(link), "--follow-symlinks"
    )
    assert followed.exit_code == 0, followed.output
    assert link.is_symlink()
    assert precious.read_text().startswith("# ")


def test_report_output_replaces_the_file_whole_and_keeps_its_mode(tmp_path: Path, claims: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    target.chmod(0o640)
    result = invoke(claims, tmp_path / "store.sqlite", "report", "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["claims"]
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report.json")] == []


# -- 8. scale of legitimate input ------------------------------------------------------------------


def realistic_claims(count: int) -> str:
    rows = ["version: 1", "defaults:", "  categories: [cs.CL, cs.LG]", "  shelf_life: 18m", "claims:"]
    for i in range(count):
        rows += [
            f"  - id: claim-{i:05d}",
            f"    claim: Retrieval-augmented model variant {i} still loses facts placed mid-context.",
            f"    date: 2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
            f"    topics: [lost in the middle, long context {i % 97}, retrieval augmentation]",
            "    anchors:",
            f"      - id: 2307.{(i % 9000) + 1000:05d}",
            f"        title: Lost in the Middle, part {i % 9000}",
        ]
    return "\n".join(rows) + "\n"


def test_ten_thousand_realistic_claims_validate_and_report(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(realistic_claims(10_000))
    db = tmp_path / "store.sqlite"
    started = time.monotonic()
    validated = invoke(path, db, "validate")
    assert validated.exit_code == 0, validated.output[:2000]
    assert "10000 claims, 10000 anchors, OK" in validated.stdout
    reported = invoke(path, db, "report", "--format", "json", "--output", str(tmp_path / "r.json"))
    assert reported.exit_code == 0, reported.output[:2000]
    assert len(json.loads((tmp_path / "r.json").read_text())["claims"]) == 10_000
    assert time.monotonic() - started < 120


# -- 9. one "today" ---------------------------------------------------------------------------------


def test_every_command_reads_claim_dates_against_the_users_local_today(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A zone whose date differs from UTC's right now: ahead (Tokyo-like) in the UTC afternoon,
    # behind in the UTC morning. Claims dated the local today are fine; the local tomorrow is not.
    ahead = dt.datetime.now(dt.UTC).hour >= 12
    monkeypatch.setenv("TZ", "Etc/GMT-14" if ahead else "Etc/GMT+12")
    time.tzset()
    try:
        local_today = dt.datetime.now(dt.UTC).astimezone().date()
        assert local_today != dt.datetime.now(dt.UTC).date()
        db = tmp_path / "store.sqlite"
        for day, ok in ((local_today, True), (local_today + dt.timedelta(days=1), False)):
            path = tmp_path / "claims.yaml"
            path.write_text(CLAIMS.replace("2025-10-01", day.isoformat()))
            for args in (["validate"], ["report"], ["history", "long-context"], ["poll", "--dry-run"]):
                result = invoke(path, db, *args)
                assert (result.exit_code == 0) is ok, (args, day, result.output)
                if not ok:
                    assert "is in the future" in result.stderr
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
