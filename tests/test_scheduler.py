"""The schedule: cron trigger fire times (DST days included), catch-up, misfire/coalesce, SIGTERM."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import apscheduler.executors.base
import apscheduler.schedulers.base
import pytest
from apscheduler.events import EVENT_ALL, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler

from freshness.errors import ConfigError
from freshness.scheduler import (
    DEFAULT_CRON,
    DEFAULT_MISFIRE_GRACE,
    DEFAULT_TIMEZONE,
    JOB_ID,
    build_scheduler,
    crontab_day_of_week,
    is_overdue,
    make_trigger,
    next_fire_times,
    next_run_line,
)

UTC = dt.UTC


def _ny(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("America/New_York"))


def _utc_iso(times: list[dt.datetime]) -> list[str]:
    return [t.astimezone(UTC).isoformat() for t in times]


# -- the trigger ---------------------------------------------------------------------------------------


def test_default_schedule_is_0130_eastern_monday_to_friday() -> None:
    trigger = make_trigger(DEFAULT_CRON, DEFAULT_TIMEZONE)
    # Thursday 26 Nov 2026, 18:00 Eastern: Thursday's announcement (20:00) is picked up Friday 01:30.
    times = next_fire_times(trigger, _ny(2026, 11, 26, 18, 0), 6)
    assert [t.isoformat() for t in times] == [
        "2026-11-27T01:30:00-05:00",  # Fri
        "2026-11-30T01:30:00-05:00",  # Mon (Sunday's announcement); no weekend runs
        "2026-12-01T01:30:00-05:00",
        "2026-12-02T01:30:00-05:00",
        "2026-12-03T01:30:00-05:00",
        "2026-12-04T01:30:00-05:00",
    ]
    assert {t.strftime("%a") for t in times} == {"Mon", "Tue", "Wed", "Thu", "Fri"}


def test_default_schedule_across_us_spring_forward() -> None:
    # Clocks jump from 02:00 EST to 03:00 EDT on Sunday 8 March 2026.
    trigger = make_trigger(DEFAULT_CRON, DEFAULT_TIMEZONE)
    times = next_fire_times(trigger, _ny(2026, 3, 5, 12, 0), 3)
    assert [t.isoformat() for t in times] == [
        "2026-03-06T01:30:00-05:00",
        "2026-03-09T01:30:00-04:00",  # still 01:30 local: follows arXiv's clock through DST
        "2026-03-10T01:30:00-04:00",
    ]
    assert _utc_iso(times) == [
        "2026-03-06T06:30:00+00:00",
        "2026-03-09T05:30:00+00:00",
        "2026-03-10T05:30:00+00:00",
    ]


def test_default_schedule_across_us_fall_back() -> None:
    # Clocks fall back from 02:00 EDT to 01:00 EST on Sunday 1 November 2026: 01:30 happens twice
    # that day, but the default schedule never fires on a Sunday.
    trigger = make_trigger(DEFAULT_CRON, DEFAULT_TIMEZONE)
    times = next_fire_times(trigger, _ny(2026, 10, 29, 12, 0), 3)
    assert _utc_iso(times) == [
        "2026-10-30T05:30:00+00:00",
        "2026-11-02T06:30:00+00:00",
        "2026-11-03T06:30:00+00:00",
    ]


def test_why_the_default_avoids_sunday_night_and_the_dst_window() -> None:
    """What APScheduler does with the times the default avoids (documented in docs/scheduling.md)."""
    daily_0130 = make_trigger("30 1 * * *", "America/New_York")
    fall_back = next_fire_times(daily_0130, _ny(2026, 10, 31, 12, 0), 3)
    assert _utc_iso(fall_back) == [  # runs twice on the fall-back day: 01:30 EDT and 01:30 EST
        "2026-11-01T05:30:00+00:00",
        "2026-11-01T06:30:00+00:00",
        "2026-11-02T06:30:00+00:00",
    ]
    daily_0230 = make_trigger("30 2 * * *", "America/New_York")
    spring = next_fire_times(daily_0230, _ny(2026, 3, 7, 12, 0), 2)
    # 02:30 does not exist on 8 March: it fires at 07:30 UTC, i.e. 03:30 EDT.
    assert _utc_iso(spring) == ["2026-03-08T07:30:00+00:00", "2026-03-09T06:30:00+00:00"]


def test_utc_schedule_has_no_dst_surprises() -> None:
    trigger = make_trigger("0 6 * * *", "UTC")
    times = next_fire_times(trigger, dt.datetime(2026, 3, 7, 12, tzinfo=UTC), 3)
    assert _utc_iso(times) == [
        "2026-03-08T06:00:00+00:00",
        "2026-03-09T06:00:00+00:00",
        "2026-03-10T06:00:00+00:00",
    ]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("1-5", "mon,tue,wed,thu,fri"),  # APScheduler alone would read this as Tue-Sat
        ("0", "sun"),
        ("7", "sun"),
        ("0,6", "sat,sun"),
        ("5-7", "fri,sat,sun"),
        ("*/2", "tue,thu,sat,sun"),
        ("1-5/2", "mon,wed,fri"),
        ("*", "*"),
        ("mon-fri", "mon-fri"),
        ("SAT,SUN", "sat,sun"),
    ],
)
def test_crontab_day_numbers_mean_what_crontab_means(field: str, expected: str) -> None:
    assert crontab_day_of_week(field) == expected


def test_crontab_weekdays_fire_monday_to_friday_only() -> None:
    trigger = make_trigger("0 9 * * 1-5", "UTC")
    times = next_fire_times(trigger, dt.datetime(2026, 11, 28, tzinfo=UTC), 7)  # a Saturday
    assert [t.strftime("%a") for t in times] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Mon", "Tue"]


@pytest.mark.parametrize(
    ("cron", "timezone", "message"),
    [
        ("30 1 * *", "UTC", "has 4 fields; a crontab line has 5"),
        ("30 1 * * 1-9", "UTC", "is not N, N-M"),
        ("30 1 * * 5-1", "UTC", "runs backwards"),
        ("61 1 * * *", "UTC", "--cron '61 1 * * *'"),
        ("30 1 * * *", "Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'"),
    ],
)
def test_bad_cron_or_timezone_is_a_clear_config_error(cron: str, timezone: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        make_trigger(cron, timezone)
    assert message in str(info.value)


# -- catch-up on start -------------------------------------------------------------------------------


def test_overdue_when_never_run_or_a_scheduled_run_was_missed() -> None:
    trigger = make_trigger(DEFAULT_CRON, DEFAULT_TIMEZONE)
    friday_run = _ny(2026, 11, 27, 1, 42)
    assert is_overdue(trigger, None, _ny(2026, 11, 28, 12, 0))
    assert not is_overdue(trigger, friday_run, _ny(2026, 11, 28, 12, 0))  # Saturday: nothing missed
    assert not is_overdue(trigger, friday_run, _ny(2026, 11, 30, 1, 29))
    assert is_overdue(trigger, friday_run, _ny(2026, 11, 30, 1, 30))  # Monday's run is due
    assert is_overdue(trigger, friday_run, _ny(2026, 12, 9, 8, 0))


# -- job options and APScheduler's own misfire/coalesce logic, on a fake clock ------------------------


class _FakeNow:
    current = dt.datetime(2026, 1, 1, tzinfo=UTC)


class _FakeDatetime(dt.datetime):
    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _FakeDatetime:
        value = _FakeNow.current.astimezone(tz)
        return cls.fromtimestamp(value.timestamp(), tz)


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> type[_FakeNow]:
    """APScheduler reads `datetime.now()` in the scheduler loop and the executor's misfire check."""
    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", _FakeDatetime)
    monkeypatch.setattr(apscheduler.executors.base, "datetime", _FakeDatetime)
    return _FakeNow


def _started(
    job_runs: list[dt.datetime], start: dt.datetime, **kwargs: object
) -> tuple[BaseScheduler, list[JobEvent]]:
    _FakeNow.current = start
    scheduler = build_scheduler(
        lambda: job_runs.append(_FakeNow.current),
        trigger=make_trigger(DEFAULT_CRON, DEFAULT_TIMEZONE),
        executor=DebugExecutor(),  # runs the job in the calling thread
        **kwargs,  # type: ignore[arg-type]
    )
    events: list[JobEvent] = []
    scheduler.add_listener(events.append, EVENT_ALL)
    # Start without BlockingScheduler's loop: the test drives `_process_jobs` itself.
    BaseScheduler.start(scheduler, paused=True)
    scheduler._event = threading.Event()  # what BlockingScheduler.start would have made
    scheduler.resume()
    return scheduler, events


def test_job_options_make_a_slept_machine_run_once(fake_clock: type[_FakeNow]) -> None:
    runs: list[dt.datetime] = []
    scheduler, events = _started(runs, _ny(2026, 11, 23, 0, 0))  # Monday 00:00
    job = scheduler.get_job(JOB_ID)
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.misfire_grace_time == DEFAULT_MISFIRE_GRACE == 43200
    assert job.next_run_time == _ny(2026, 11, 23, 1, 30)

    # The machine sleeps through Monday, Tuesday and Wednesday 01:30 and wakes Wednesday 08:00.
    fake_clock.current = _ny(2026, 11, 25, 8, 0)
    scheduler._process_jobs()
    assert runs == [_ny(2026, 11, 25, 8, 0)]  # one run, not three
    executed = [e for e in events if e.code == EVENT_JOB_EXECUTED]
    assert [e.scheduled_run_time for e in executed] == [_ny(2026, 11, 25, 1, 30)]
    assert job.next_run_time == _ny(2026, 11, 26, 1, 30)
    BaseScheduler.shutdown(scheduler, wait=False)


def test_a_run_later_than_the_grace_time_is_skipped_until_the_next_night(fake_clock: type[_FakeNow]) -> None:
    runs: list[dt.datetime] = []
    scheduler, events = _started(runs, _ny(2026, 11, 23, 0, 0))
    fake_clock.current = _ny(2026, 11, 23, 14, 0)  # 12.5 hours after Monday's 01:30
    scheduler._process_jobs()
    assert runs == []
    assert [e.code for e in events if e.code in (EVENT_JOB_MISSED, EVENT_JOB_EXECUTED)] == [EVENT_JOB_MISSED]
    assert scheduler.get_job(JOB_ID).next_run_time == _ny(2026, 11, 24, 1, 30)
    BaseScheduler.shutdown(scheduler, wait=False)


def test_catch_up_run_fires_at_once_then_follows_the_schedule(fake_clock: type[_FakeNow]) -> None:
    runs: list[dt.datetime] = []
    start = _ny(2026, 11, 28, 10, 0)  # a Saturday: nothing scheduled until Monday
    scheduler, _ = _started(runs, start, run_now=start)
    assert scheduler.get_job(JOB_ID).next_run_time == start
    scheduler._process_jobs()
    assert runs == [start]
    assert scheduler.get_job(JOB_ID).next_run_time == _ny(2026, 11, 30, 1, 30)
    BaseScheduler.shutdown(scheduler, wait=False)


def test_each_run_logs_when_the_next_one_is(
    fake_clock: type[_FakeNow], caplog: pytest.LogCaptureFixture
) -> None:
    runs: list[dt.datetime] = []
    scheduler, _ = _started(runs, _ny(2026, 11, 23, 0, 0), clock=lambda: _FakeNow.current)
    caplog.set_level(logging.INFO, logger="freshness.scheduler")
    fake_clock.current = _ny(2026, 11, 25, 8, 0)  # Wednesday morning, after a night asleep
    scheduler._process_jobs()
    assert runs == [_ny(2026, 11, 25, 8, 0)]
    assert caplog.messages[-1] == "next run 2026-11-26 01:30 EST (06:30 UTC, Thu)"
    fake_clock.current = _ny(2026, 11, 27, 14, 0)  # Friday's run missed by more than the grace time
    scheduler._process_jobs()
    assert caplog.messages[-2:] == [
        "the run due 2026-11-27 01:30 EST (06:30 UTC, Fri) was missed by more than the grace time",
        "next run 2026-11-30 01:30 EST (06:30 UTC, Mon)",
    ]
    BaseScheduler.shutdown(scheduler, wait=False)


def test_the_next_run_line_reads_the_trigger() -> None:
    trigger = make_trigger(DEFAULT_CRON, DEFAULT_TIMEZONE)
    assert (
        next_run_line(trigger, _ny(2026, 11, 28, 10, 0)) == "next run 2026-11-30 01:30 EST (06:30 UTC, Mon)"
    )


# -- SIGTERM during a cycle ----------------------------------------------------------------------------


def test_sigterm_lets_the_running_cycle_finish_then_exits_0(tmp_path: Path) -> None:
    done = tmp_path / "cycle-finished"
    script = textwrap.dedent(
        f"""
        import datetime as dt, sys
        from pathlib import Path
        from freshness.output import setup_logging
        from freshness.scheduler import build_scheduler, make_trigger, serve

        def cycle():
            print("cycle started", flush=True)
            sys.stdin.readline()  # blocks until the test says go
            Path({str(done)!r}).write_text("ok")
            print("cycle finished", flush=True)

        setup_logging(service=True)
        trigger = make_trigger("30 1 * * 1-5", "America/New_York")
        serve(build_scheduler(cycle, trigger=trigger, run_now=dt.datetime.now(dt.UTC)))
        print("exited cleanly", flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(60, proc.kill)  # a hung scheduler fails the test instead of hanging it
    watchdog.start()
    try:
        assert proc.stdout is not None
        assert proc.stderr is not None
        assert proc.stdin is not None
        assert proc.stdout.readline().strip() == "cycle started"
        proc.send_signal(signal.SIGTERM)
        # Wait (by reading, not sleeping) until the handler has logged that it is stopping.
        stopping = ""
        while "received SIGTERM" not in stopping:
            line = proc.stderr.readline()
            assert line, "the scheduler exited before handling SIGTERM"
            stopping = line
        assert not done.exists()  # the cycle is still running
        proc.stdin.write("go\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=30)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert done.read_text() == "ok"
    assert out.splitlines() == ["cycle finished", "exited cleanly"]
    assert "scheduler stopped" in err
    assert "\x1b[" not in err  # service logs: no colour
    # Timestamps on every log line (service format).
    assert all(line[:4].isdigit() and "T" in line[:11] for line in err.splitlines() if line)
