"""`freshness run`, `schedule`, `history` and the triage commands end to end through Click (and, for the
writer lock and SIGTERM, real subprocesses): messages and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from freshness import decisions
from freshness.cli import cli
from freshness.locking import writer_lock
from freshness.models import Match, SourceState
from freshness.poll_plan import announcement_day
from freshness.store import Store
from tests.conftest import claims_and_store, save_fresh_run, two_claims_yaml
from tests.fakearxiv import FakeArxiv, FakeRequest, Reply, html_page
from tests.test_nightly import BENCHMARK, KERNELS, REBUTTAL, RSS_KEY, RSS_PATH, Arxiv

# The CLI reads the real clock: dates here are far enough back (and shelf lives long enough) that the
# verdicts do not change as the calendar moves on.
CLAIMS_YAML = two_claims_yaml("2026-06-01", shelf_life="50y")
NIGHTLY_COMMANDS = ["run", "schedule", "history", "dismiss", "confirm", "snooze", "reviewed"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _today() -> dt.date:
    return _now().astimezone().date()


@pytest.fixture
def arxiv() -> Iterator[Arxiv]:
    with FakeArxiv() as fake:
        state = Arxiv(fake, day=announcement_day(_now()))
        fake.on(RSS_PATH, state.rss)
        fake.on("/api/query", state.api)
        yield state


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    """claims.yaml, and a store that covered yesterday's announcements (tonight: one RSS request)."""
    claims, db = claims_and_store(tmp_path, CLAIMS_YAML)
    now = _now()
    with Store.open(db) as store:
        store.store_batch(
            (),
            # The feed before tonight's: a normal night whatever the hour (not the last complete day,
            # which lags the announcement between 20:00 and midnight in New York).
            SourceState(RSS_KEY, watermark=announcement_day(now) - dt.timedelta(days=1), last_success=now),
            now=now,
            source="rss",
            # ... and every announcement since the claims' date (the nightly polls that came before).
            covers=(dt.date(2026, 6, 1), announcement_day(now) - dt.timedelta(days=1)),
            covered_categories=["cs.CL"],
        )
    return claims, db


def env(arxiv: Arxiv) -> dict[str, str]:
    return arxiv.fake.env(NO_COLOR="1")


def invoke(arxiv: Arxiv, paths: tuple[Path, Path], *args: str) -> Result:
    claims, db = paths
    return CliRunner().invoke(cli, ["--claims", str(claims), "--db", str(db), *args], env=env(arxiv))


def start_blocked_in_the_feed(
    arxiv: Arxiv, paths: tuple[Path, Path], command: str
) -> tuple[subprocess.Popen[str], threading.Event, threading.Event]:
    """A real `freshness <command>` process whose poll blocks on the RSS feed: `arrived` is set when it
    asks for the feed, which is answered once `release` is set (or after 60 s)."""
    arrived, release = threading.Event(), threading.Event()
    serve_feed = arxiv.rss

    def slow_feed(req: FakeRequest) -> Reply:
        arrived.set()
        release.wait(60)
        return serve_feed(req)

    arxiv.fake.on(RSS_PATH, slow_feed)
    claims, db = paths
    proc = subprocess.Popen(
        [sys.executable, "-m", "freshness", "--claims", str(claims), "--db", str(db), command],
        env={**os.environ, **env(arxiv)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, arrived, release


def seed_yesterday(db: Path) -> dt.date:
    """A run of an earlier day in which both claims were fresh, as the baseline of today's run."""
    yesterday = _today() - dt.timedelta(days=1)
    at = _now() - dt.timedelta(days=1)
    save_fresh_run(db, yesterday, at, sparse=(KERNELS_MATCH,))
    return yesterday


KERNELS_MATCH = Match(KERNELS.arxiv_id, KERNELS.title, KERNELS.published, 60.0, False, ())


# -- help ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", NIGHTLY_COMMANDS)
def test_every_command_has_help_with_its_exit_codes(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Exit codes:" in result.output


# -- run -------------------------------------------------------------------------------------------


def test_run_prints_what_changed_and_exits_1_then_a_rerun_is_the_same(
    arxiv: Arxiv, paths: tuple[Path, Path]
) -> None:
    yesterday = seed_yesterday(paths[1])
    arxiv.announced = [KERNELS, BENCHMARK, REBUTTAL]
    first = invoke(arxiv, paths, "run")
    assert first.exit_code == 1, first.output
    out = first.stdout.splitlines()
    assert out[0] == f"freshness run {_today()}: got 4 papers (4 added, 0 updated)"
    assert f"Changes since the run of {yesterday}:" in out
    assert "  sparse-attention: fresh -> possibly superseded" in out
    assert any(line.startswith("    new superseding candidate: 2611.00201  Sparse attention") for line in out)
    assert "Needs attention: sparse-attention" in out
    reports = paths[0].parent / "reports"
    assert out[-1] == (
        f"Reports: {reports / f'{_today()}.json'}, {reports / f'{_today()}.md'}, {reports / 'index.html'}"
    )

    again = invoke(arxiv, paths, "run")
    assert again.exit_code == 1
    assert again.stdout.splitlines()[2:] == out[2:]  # same changes against the same earlier run
    with Store.open(paths[1]) as store:
        assert [r.day for r in store.get_runs()] == [yesterday, _today()]
    assert sorted(p.name for p in reports.iterdir()) == [f"{_today()}.json", f"{_today()}.md", "index.html"]


def test_run_with_nothing_new_to_flag_exits_0(arxiv: Arxiv, paths: tuple[Path, Path]) -> None:
    result = invoke(arxiv, paths, "run", "--html")
    assert result.exit_code == 0, result.output
    assert "First run: no earlier run to compare with." in result.stdout
    assert (paths[0].parent / "reports" / f"{_today()}.html").exists()


def test_run_when_arxiv_fails_writes_a_stale_report_and_exits_2(
    arxiv: Arxiv, paths: tuple[Path, Path]
) -> None:
    arxiv.rss_fault = html_page()
    result = invoke(arxiv, paths, "run")
    assert result.exit_code == 2
    assert result.stdout.startswith(f"freshness run {_today()}: could not poll: arXiv answered wrongly")
    assert "the report is STALE" in result.stdout
    assert "error: could not poll arXiv; the report was written from the store, marked stale" in result.stderr
    assert "Tip: " in result.stderr
    assert "Traceback" not in result.output
    report = json.loads((paths[0].parent / "reports" / f"{_today()}.json").read_text())
    assert report["stale"] is True


def test_run_with_a_bad_claims_file_exits_2_naming_the_line(arxiv: Arxiv, paths: tuple[Path, Path]) -> None:
    paths[0].write_text("version: 1\nclaims:\n  - id: Bad Id\n    claim: x\n")
    result = invoke(arxiv, paths, "run")
    assert result.exit_code == 2
    assert f"{paths[0]}:3:" in result.stderr
    assert arxiv.fake.requests == []


def test_run_while_another_writer_holds_the_store_exits_2_naming_it(
    arxiv: Arxiv, paths: tuple[Path, Path]
) -> None:
    since = dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.UTC)
    with writer_lock(paths[1], command="schedule", now=since):
        result = invoke(arxiv, paths, "run", "--lock-wait", "0")
    assert result.exit_code == 2
    assert "(freshness schedule) since 2026-11-27T06:30:00Z holds its writer lock" in result.stderr
    assert f"pid {os.getpid()} " in result.stderr
    assert "Tip: Another freshness command is writing to this store" in result.stderr
    assert arxiv.fake.requests == []


def test_two_concurrent_cycles_on_one_store(arxiv: Arxiv, paths: tuple[Path, Path], tmp_path: Path) -> None:
    """A real `freshness run` process is mid-poll; a second one gives up with the holder's pid."""
    proc, arrived, release = start_blocked_in_the_feed(arxiv, paths, "run")
    db = paths[1]
    try:
        assert arrived.wait(60), "the first run never reached arXiv"
        second = invoke(arxiv, paths, "run", "--lock-wait", "0")
        release.set()
        _, err = proc.communicate(timeout=60)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert second.exit_code == 2
    assert f"pid {proc.pid} (freshness run) since " in second.stderr
    assert proc.returncode == 0, err
    with Store.open(db) as store:
        assert len(store.get_runs()) == 1


# -- history ---------------------------------------------------------------------------------------


def test_history_shows_the_change_and_the_decisions(arxiv: Arxiv, paths: tuple[Path, Path]) -> None:
    yesterday = seed_yesterday(paths[1])
    arxiv.announced = [KERNELS, REBUTTAL]
    assert invoke(arxiv, paths, "run").exit_code == 1
    assert (
        invoke(
            arxiv, paths, "snooze", "sparse-attention", "--until", "2099-01-01", "--reason", "wait"
        ).exit_code
        == 0
    )
    result = invoke(arxiv, paths, "history", "sparse-attention")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"sparse-attention: 2 runs, {yesterday} to {_today()}")
    assert lines[1] == f"{yesterday}  fresh  (first run)"
    assert lines[2] == f"{_today()}  fresh -> possibly superseded  (latest)"
    assert lines[3].startswith("    + superseding: 2611.00201  Sparse attention for long context fails")
    assert lines[-2] == "Decisions:"
    assert lines[-1] == f"{_now().date()}  snooze until 2099-01-01  (wait)"


def test_history_of_an_unknown_claim_exits_2(arxiv: Arxiv, paths: tuple[Path, Path]) -> None:
    result = invoke(arxiv, paths, "history", "nope")
    assert result.exit_code == 2
    assert "error: no claim 'nope' in the claims file, and no run has judged one" in result.stderr


def test_history_before_any_run(arxiv: Arxiv, paths: tuple[Path, Path]) -> None:
    result = invoke(arxiv, paths, "history", "cot-shift")
    assert result.exit_code == 0
    assert result.stdout == "cot-shift: no run has judged it yet (run `freshness run`)\n"


# -- triage ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dismiss", "sparse-attention", "2611.1"], "error: '2611.1' is not an arXiv id"),
        (
            ["confirm", "sparse-attention", "arXiv:2613.00001"],
            "error: 'arXiv:2613.00001': month 13 is not 01-12",
        ),
        (["dismiss", "no-such-claim", "2611.00201"], "error: no claim 'no-such-claim' in the claims file"),
        (["snooze", "cot-shift", "--until", "2001-01-01"], "error: --until 2001-01-01 is in the past"),
        (["snooze", "cot-shift", "--until", "tomorrow"], "'tomorrow' does not match the format '%Y-%m-%d'"),
        (["snooze", "cot-shift"], "Missing option '--until'"),
        (["reviewed", "cot-shift", "--date", "2999-01-01"], "error: --date 2999-01-01 is in the future"),
    ],
)
def test_triage_refuses_bad_input_with_exit_2(
    arxiv: Arxiv, paths: tuple[Path, Path], args: list[str], message: str
) -> None:
    result = invoke(arxiv, paths, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    with Store.open(paths[1]) as store:
        assert store.get_decisions() == []


def test_a_refused_decision_creates_no_store(arxiv: Arxiv, tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS_YAML)
    db = tmp_path / "state" / "store.sqlite"
    for args in (["dismiss", "no-such-claim", "2611.00201"], ["mark", "cot-shift", "2611.1", "--relevant"]):
        assert invoke(arxiv, (claims, db), *args).exit_code == 2
    assert not db.parent.exists()  # neither a store nor a lock file


def test_unknown_claim_tip_lists_the_claims(arxiv: Arxiv, paths: tuple[Path, Path]) -> None:
    result = invoke(arxiv, paths, "confirm", "sparse", "2611.00201")
    assert "Tip: Use one of the claim ids in the claims file: cot-shift, sparse-attention" in result.stderr


def test_triage_commands_record_and_say_what_they_do(arxiv: Arxiv, paths: tuple[Path, Path]) -> None:
    said = [
        invoke(
            arxiv, paths, "dismiss", "sparse-attention", "arXiv:2611.00201v2", "--reason", "other setting"
        ),
        invoke(arxiv, paths, "confirm", "cot-shift", "2611.00102"),
        invoke(arxiv, paths, "snooze", "cot-shift", "--until", "2099-12-31"),
        invoke(arxiv, paths, "reviewed", "sparse-attention", "--date", "2026-11-01"),
    ]
    assert [r.exit_code for r in said] == [0, 0, 0, 0]
    assert [r.stdout for r in said] == [
        "sparse-attention: dismissed 2611.00201; it will not be flagged for this claim again\n",
        "cot-shift: confirmed 2611.00102 as superseding; it leads the claim's matches\n",
        "cot-shift: snoozed until 2099-12-31; it needs no attention before then\n",
        "sparse-attention: reviewed on 2026-11-01; its age and newer work count from then\n",
    ]
    with Store.open(paths[1]) as store:
        assert [(d.claim_id, d.kind.value, d.arxiv_id) for d in store.get_decisions()] == [
            ("sparse-attention", "dismiss", "2611.00201"),
            ("cot-shift", "confirm", "2611.00102"),
            ("cot-shift", "snooze", None),
            ("sparse-attention", "reviewed", None),
        ]


@pytest.mark.parametrize(
    "args",
    [
        ["dismiss", "sparse-attention", "2611.00201"],
        ["confirm", "cot-shift", "2611.00102"],
        ["snooze", "cot-shift", "--until", "2099-12-31"],
        ["reviewed", "sparse-attention"],
    ],
    ids=lambda a: a[0],
)
def test_triage_while_another_writer_holds_the_store_exits_2_and_records_nothing(
    arxiv: Arxiv, paths: tuple[Path, Path], args: list[str]
) -> None:
    since = dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.UTC)
    with writer_lock(paths[1], command="run", now=since):
        result = invoke(arxiv, paths, *args, "--lock-wait", "0")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: the store {paths[1]} is busy: pid {os.getpid()} ")
    assert (
        "(freshness run) since 2026-11-27T06:30:00Z holds its writer lock; gave up after 0 s" in result.stderr
    )
    assert "Tip: Another freshness command is writing to this store" in result.stderr
    with Store.open(paths[1]) as store:
        assert store.get_decisions() == []
    # Once the writer is done, the same command goes through.
    assert invoke(arxiv, paths, *args, "--lock-wait", "0").exit_code == 0


def test_triage_names_itself_in_the_lock_it_holds(arxiv: Arxiv, paths: tuple[Path, Path]) -> None:
    from freshness.locking import current_holder

    seen: list[str] = []
    real_record = decisions.record_decision

    def record_and_look(*args: Any, **kwargs: Any) -> Any:
        holder = current_holder(paths[1])
        seen.append(holder.command if holder else "free")
        return real_record(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(decisions, "record_decision", record_and_look)
        assert invoke(arxiv, paths, "snooze", "cot-shift", "--until", "2099-12-31").exit_code == 0
    assert seen == ["snooze"]
    assert current_holder(paths[1]) is None  # released when the command is done


def test_a_dismissed_paper_is_gone_from_the_next_run(arxiv: Arxiv, paths: tuple[Path, Path]) -> None:
    arxiv.announced = [KERNELS, REBUTTAL]
    first = invoke(arxiv, paths, "run")
    assert first.exit_code == 1  # first run: newly possibly superseded
    lines = first.stdout.splitlines()
    assert lines[2:4] == [
        "First run: no earlier run to compare with. Flagged:",
        "  sparse-attention: possibly superseded (first judged)",
    ]
    assert not any("cot-shift" in line for line in lines)  # fresh on a first run: only in the report
    assert invoke(arxiv, paths, "dismiss", "sparse-attention", "2611.00201").exit_code == 0
    rerun = invoke(arxiv, paths, "run")
    assert rerun.exit_code == 0, rerun.output
    report = json.loads((paths[0].parent / "reports" / f"{_today()}.json").read_text())
    claim = next(c for c in report["claims"] if c["id"] == "sparse-attention")
    assert claim["status"] == "fresh"
    assert "2611.00201" not in [m["arxiv_id"] for m in claim["matches"]]
    assert "dismissed by a person (not flagged again): 2611.00201" in claim["reasons"]


def test_every_run_names_the_uncovered_claims_and_the_command_that_fills_the_gap(
    arxiv: Arxiv, paths: tuple[Path, Path]
) -> None:
    """The store covers 2026-06-01 on; a claim dated 2024-06-01 has two years the store never
    fetched: each run (not only the first) names it and the command, and the report marks it."""
    paths[0].write_text(
        CLAIMS_YAML.replace("date: 2026-06-01\n    topics: [chain", "date: 2024-06-01\n    topics: [chain")
    )
    for _ in range(2):
        result = invoke(arxiv, paths, "run")
        assert result.exit_code == 0, result.output
        [line] = [line for line in result.stdout.splitlines() if "not covered since" in line]
        assert line.startswith("note: 1 claim is not covered since its date (cot-shift): the store never ")
        assert "fetched 2024-06-02 to 2026-05-" in line
        assert "run `freshness poll --source oai --since 2024-06-02`" in line
    report = json.loads((paths[0].parent / "reports" / f"{_today()}.json").read_text())
    claim = next(c for c in report["claims"] if c["id"] == "cot-shift")
    assert claim["status"] == "unchecked"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_report_files_follow_the_umask(arxiv: Arxiv, paths: tuple[Path, Path], umask: int, mode: int) -> None:
    """Not 0600 (what a temporary file is created with): the mode a plain `>` redirect would give."""
    old = os.umask(umask)
    try:
        result = invoke(arxiv, paths, "run", "--html")
        single = invoke(arxiv, paths, "report", "--format", "markdown", "-o", str(paths[0].parent / "one.md"))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert single.exit_code == 0, single.output
    written = [*(paths[0].parent / "reports").iterdir(), paths[0].parent / "one.md"]
    assert len(written) == 5  # DAY.json, DAY.md, DAY.html, index.html, one.md
    assert {p.name: p.stat().st_mode & 0o777 for p in written} == {p.name: mode for p in written}


# -- schedule --------------------------------------------------------------------------------------


def test_schedule_next_prints_the_run_times(arxiv: Arxiv, paths: tuple[Path, Path]) -> None:
    result = invoke(arxiv, paths, "schedule", "--cron", "0 6 * * 1-5", "--timezone", "UTC", "--next", "5")
    assert result.exit_code == 0, result.output
    times = [dt.datetime.fromisoformat(line.split()[0]) for line in result.stdout.splitlines()]
    assert len(times) == 5
    assert all(t.hour == 6 and t.minute == 0 and t.weekday() < 5 for t in times)
    assert times == sorted(times)


def test_schedule_with_a_bad_time_zone_exits_2(arxiv: Arxiv, paths: tuple[Path, Path]) -> None:
    result = invoke(arxiv, paths, "schedule", "--timezone", "Moon/Base")
    assert result.exit_code == 2
    assert "error: unknown time zone 'Moon/Base'" in result.stderr


def test_schedule_sigterm_during_a_cycle_finishes_it_and_exits_0(
    arxiv: Arxiv, paths: tuple[Path, Path]
) -> None:
    """`freshness schedule` starts (no run yet: it runs at once), the cycle blocks inside the poll,
    SIGTERM arrives; the cycle still finishes (report written, run recorded), then the process exits 0."""
    proc, arrived, release = start_blocked_in_the_feed(arxiv, paths, "schedule")
    claims, db = paths
    watchdog = threading.Timer(90, proc.kill)
    watchdog.start()
    try:
        assert arrived.wait(60), "the scheduler never started its catch-up cycle"
        proc.send_signal(signal.SIGTERM)
        assert proc.stderr is not None
        seen = []
        while not seen or "received SIGTERM" not in seen[-1]:
            line = proc.stderr.readline()
            assert line, f"the scheduler exited before handling SIGTERM: {seen}"
            seen.append(line)
        with Store.open(db) as store:
            assert store.get_runs() == []  # the cycle is still in its poll
        release.set()
        _, err = proc.communicate(timeout=60)
    finally:
        release.set()
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = "".join(seen) + err
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    after_signal = err.split("received SIGTERM", 1)[1]
    assert f"freshness run {_today()}: got 3 papers" in after_signal  # the cycle finished after the signal
    assert after_signal.rstrip().endswith("scheduler stopped")
    with Store.open(db) as store:
        [run] = store.get_runs()
        assert run.outcome == "ok"
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert (claims.parent / "reports" / f"{_today()}.json").exists()


def test_mark_relevant_keeps_the_paper_unflagged_and_undo_takes_it_back(
    arxiv: Arxiv, paths: tuple[Path, Path]
) -> None:
    arxiv.announced = [KERNELS, REBUTTAL]
    assert invoke(arxiv, paths, "run").exit_code == 1
    marked = invoke(arxiv, paths, "mark", "sparse-attention", "2611.00201v2", "--relevant")
    assert marked.exit_code == 0, marked.output
    assert marked.stdout.startswith("sparse-attention: marked 2611.00201 relevant but not a challenge")
    assert invoke(arxiv, paths, "run").exit_code == 0
    report = json.loads((paths[0].parent / "reports" / f"{_today()}.json").read_text())
    claim = next(c for c in report["claims"] if c["id"] == "sparse-attention")
    assert claim["status"] != "possibly_superseded"
    [kept] = [m for m in claim["matches"] if m["arxiv_id"] == "2611.00201"]
    assert kept["superseding"] is False
    assert "marked relevant, not a challenge, by a person: 2611.00201" in claim["reasons"]
    assert "learned from 1 decision on its papers" in claim["reasons"]
    history = invoke(arxiv, paths, "history", "sparse-attention")
    assert history.exit_code == 0
    lines = history.stdout.splitlines()
    assert "Learns from (1; `freshness undo sparse-attention ARXIV_ID` takes one back):" in lines
    assert "    2611.00201  you marked relevant" in lines

    undone = invoke(arxiv, paths, "undo", "sparse-attention", "2611.00201")
    assert undone.exit_code == 0, undone.output
    assert "took back the decision on 2611.00201" in undone.stdout
    assert invoke(arxiv, paths, "run").exit_code == 1  # flagged again: nothing learned is left
    lines = invoke(arxiv, paths, "history", "sparse-attention").stdout.splitlines()
    assert not any(line.startswith("Learns from") for line in lines)
    assert [line.split()[1:] for line in lines if "2611.00201" in line and line[:4].isdigit()][-2:] == [
        ["relevant", "2611.00201"],
        ["undo", "2611.00201"],
    ]


def test_mark_needs_to_be_told_which_and_undo_needs_a_decision(
    arxiv: Arxiv, paths: tuple[Path, Path]
) -> None:
    neither = invoke(arxiv, paths, "mark", "sparse-attention", "2611.00201")
    assert neither.exit_code == 2
    assert "--relevant (on topic, not a challenge) or --not-relevant (off topic)" in neither.output
    nothing = invoke(arxiv, paths, "undo", "sparse-attention", "2611.00201")
    assert nothing.exit_code == 2
    assert "no decision on 2611.00201 for sparse-attention to undo" in nothing.output


def test_a_paper_marked_not_relevant_leaves_the_claims_matches(
    arxiv: Arxiv, paths: tuple[Path, Path]
) -> None:
    arxiv.announced = [KERNELS, REBUTTAL]
    assert invoke(arxiv, paths, "run").exit_code == 1
    assert invoke(arxiv, paths, "mark", "sparse-attention", "2611.00201", "--not-relevant").exit_code == 0
    assert invoke(arxiv, paths, "run").exit_code == 0
    report = json.loads((paths[0].parent / "reports" / f"{_today()}.json").read_text())
    claim = next(c for c in report["claims"] if c["id"] == "sparse-attention")
    assert "2611.00201" not in [m["arxiv_id"] for m in claim["matches"]]
    assert "marked not relevant by a person: 2611.00201" in claim["reasons"]
