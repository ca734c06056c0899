"""One writer at a time: the writer lock waits, gives up naming its holder, and dies with its process."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from freshness.errors import StoreBusyError
from freshness.locking import current_holder, lock_path_for, writer_lock
from tests.conftest import FakeClock

NOW = dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)


def test_lock_file_sits_beside_the_store(tmp_path: Path) -> None:
    db = tmp_path / "state" / "store.sqlite"
    with writer_lock(db, command="run", now=NOW) as me:
        assert me.pid == os.getpid()
        assert lock_path_for(db) == tmp_path / "state" / "store.sqlite.writer-lock"
        assert lock_path_for(db).exists()


def test_second_writer_waits_then_gives_up_naming_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    clock = FakeClock(start=0.0)
    with (
        writer_lock(db, command="schedule", now=NOW),
        pytest.raises(StoreBusyError) as info,
        writer_lock(db, command="run", now=NOW, wait=10, clock=clock, sleep=clock.sleep),
    ):
        pytest.fail("the second writer must not get the lock")
    message = str(info.value)
    assert f"pid {os.getpid()} (freshness schedule) since 2026-11-26T23:00:00Z" in message
    assert "gave up after 10 s" in message
    assert str(db) in message
    assert 9.9 <= sum(clock.sleeps) <= 10.1  # it waited the configured time, in short steps
    assert info.value.tip is not None
    assert "wait for it to finish" in info.value.tip


def test_waiting_writer_gets_the_lock_once_the_holder_releases_it(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    holder = writer_lock(db, command="poll", now=NOW)
    holder.__enter__()
    clock = FakeClock(start=0.0)

    def sleep_then_release(seconds: float) -> None:
        clock.sleep(seconds)
        if len(clock.sleeps) == 3:
            holder.__exit__(None, None, None)

    with writer_lock(db, command="run", now=NOW, wait=10, clock=clock, sleep=sleep_then_release) as me:
        assert me.command == "run"
        assert current_holder(db) == me
    assert len(clock.sleeps) == 3
    assert current_holder(db) is None


def test_zero_wait_fails_at_once(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    clock = FakeClock(start=0.0)
    with (
        writer_lock(db, command="run", now=NOW),
        pytest.raises(StoreBusyError),
        writer_lock(db, command="run", now=NOW, wait=0, clock=clock, sleep=clock.sleep),
    ):
        pytest.fail("the second writer must not get the lock")
    assert clock.sleeps == []


def test_a_killed_holder_never_leaves_a_stale_lock(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    script = textwrap.dedent(
        f"""
        import datetime as dt, sys
        from pathlib import Path
        from freshness.locking import writer_lock
        with writer_lock(Path({str(db)!r}), command="run", now=dt.datetime.now(dt.UTC)):
            print("locked", flush=True)
            sys.stdin.read()  # hold the lock until killed
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        holder = current_holder(db)
        assert holder is not None
        assert holder.pid == proc.pid
        assert holder.command == "run"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert current_holder(db) is None  # the kernel released it with the process
    with writer_lock(db, command="run", now=NOW, wait=0) as me:
        assert me.pid == os.getpid()


def test_current_holder_without_a_lock_file(tmp_path: Path) -> None:
    assert current_holder(tmp_path / "store.sqlite") is None
