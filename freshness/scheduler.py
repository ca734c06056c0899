"""APScheduler 3.x wiring for `freshness schedule`: a cron trigger, job options, signals. Nothing else.

The default schedule follows arXiv's clock: announcements go out at 20:00 US Eastern Sunday to
Thursday and rss.arxiv.org is rebuilt at midnight Eastern, so 01:30 Eastern Monday to Friday picks up
every announcement the same night. 01:30 stays clear of the 02:00-03:00 window that US daylight
saving skips or repeats (a 02:30 job would run at 03:30 on the spring-forward day), and US clocks
change on Sundays, when this schedule never fires.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from freshness.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_CRON = "30 1 * * 1-5"
DEFAULT_TIMEZONE = "America/New_York"  # arXiv's own time zone: the schedule moves with its DST
# Half a day: a machine that slept through 01:30 still runs when it wakes in the morning (once:
# coalesce), but a run that late is not squeezed in just before the next night's.
DEFAULT_MISFIRE_GRACE = 12 * 3600
JOB_ID = "freshness-nightly"

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DOW_PART = re.compile(r"^(?P<range>\*|[0-7]|[0-7]-[0-7])(?:/(?P<step>[1-9]\d*))?$")


def parse_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r}", tip="Use an IANA name such as America/New_York or UTC."
        ) from None


def crontab_day_of_week(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday) as APScheduler day names.

    APScheduler 3.x reads numbers as 0 = Monday (its `from_crontab` warns about this), so a plain
    "1-5" would run Tuesday to Saturday. Names (mon-fri) pass through unchanged.
    """
    text = field.strip().lower()
    if not any(ch.isdigit() for ch in text.replace("*/", "")) and "/" not in text:
        return text  # "*", "mon-fri", "sat,sun": same meaning in both
    days: set[int] = set()
    for part in text.split(","):
        m = _DOW_PART.match(part)
        if not m:
            raise ConfigError(
                f"day-of-week field {field!r}: {part!r} is not N, N-M, */S or N-M/S with N, M in 0-7",
                tip="Use crontab numbers (0 or 7 = Sunday, 1 = Monday) or names such as mon-fri.",
            )
        if m["range"] == "*":
            lo, hi = 0, 6
        elif "-" in m["range"]:
            lo, hi = (int(x) for x in m["range"].split("-"))
        else:
            lo = hi = int(m["range"])
        if lo > hi:
            raise ConfigError(f"day-of-week field {field!r}: range {m['range']} runs backwards")
        days.update(d % 7 for d in range(lo, hi + 1, int(m["step"] or 1)))
    ordered = [1, 2, 3, 4, 5, 6, 0]  # Monday first, as APScheduler counts
    return ",".join(_DAY_NAMES[d] for d in ordered if d in days)


def make_trigger(cron: str, timezone: str) -> CronTrigger:
    """A CronTrigger from a five-field crontab line, read with crontab's day numbering, in `timezone`."""
    fields = cron.split()
    if len(fields) != 5:
        raise ConfigError(
            f"--cron {cron!r} has {len(fields)} fields; a crontab line has 5 "
            "(minute hour day-of-month month day-of-week)",
            tip='For example --cron "30 1 * * 1-5" (01:30 Monday to Friday).',
        )
    minute, hour, day, month, dow = fields
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=crontab_day_of_week(dow),
            timezone=parse_timezone(timezone),
        )
    except ValueError as exc:
        raise ConfigError(f"--cron {cron!r}: {exc}") from None


def next_fire_times(trigger: CronTrigger, after: dt.datetime, count: int) -> list[dt.datetime]:
    """The next `count` times the trigger fires after `after` (aware datetimes in its time zone)."""
    out: list[dt.datetime] = []
    previous: dt.datetime | None = None
    now = after
    while len(out) < count:
        fire: dt.datetime | None = trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        out.append(fire)
        previous = now = fire
    return out


def describe_run_time(at: dt.datetime) -> str:
    """`2026-11-26 01:30 EST (06:30 UTC, Thu)`: a run time as the logs say it."""
    return f"{at:%Y-%m-%d %H:%M %Z} ({at.astimezone(dt.UTC):%H:%M} UTC, {at:%a})"


def next_run_line(trigger: CronTrigger, now: dt.datetime) -> str:
    """What `schedule` logs after each run (and at start): when the next one fires."""
    upcoming = next_fire_times(trigger, now, 1)
    return f"next run {describe_run_time(upcoming[0])}" if upcoming else "no further run: the schedule ends"


def is_overdue(trigger: CronTrigger, last_success: dt.datetime | None, now: dt.datetime) -> bool:
    """True when the trigger fired (or should have) since the last successful run, or there was none:
    the in-memory job store does not remember missed runs across restarts, so `schedule` runs at once."""
    if last_success is None:
        return True
    missed: dt.datetime | None = trigger.get_next_fire_time(None, last_success + dt.timedelta(microseconds=1))
    return missed is not None and missed <= now


def build_scheduler(
    job: Callable[[], object],
    *,
    trigger: CronTrigger,
    run_now: dt.datetime | None = None,
    misfire_grace_time: int | None = DEFAULT_MISFIRE_GRACE,
    executor: Any = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> BlockingScheduler:
    """A BlockingScheduler with the one nightly job: runs late at most `misfire_grace_time` seconds,
    once however many runs were missed (coalesce), never two at a time. `run_now`: fire first at
    that time (the catch-up run), then on the trigger. After each run (or skipped run) the next
    run time is logged, read from the trigger at `clock()`."""
    scheduler = BlockingScheduler(
        timezone=trigger.timezone,
        executors={
            "default": executor
            if executor is not None
            else ThreadPoolExecutor(max_workers=1, pool_kwargs={"initializer": _leave_signals_to_main})
        },
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": misfire_grace_time},
    )
    extra: dict[str, Any] = {"next_run_time": run_now} if run_now is not None else {}
    scheduler.add_job(
        job,
        trigger,
        id=JOB_ID,
        name="freshness nightly cycle",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=misfire_grace_time,
        **extra,
    )

    def after_run(event: JobEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning(
                "the run due %s was missed by more than the grace time",
                describe_run_time(event.scheduled_run_time),
            )
        log.info("%s", next_run_line(trigger, clock()))

    scheduler.add_listener(after_run, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler


_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def _leave_signals_to_main() -> None:
    """Block SIGTERM/SIGINT in a worker thread. The kernel hands a process signal to any thread that
    does not block it, and Python runs handlers only on the main thread: a signal landing on the
    thread running a long cycle would wait, unseen, until the scheduler's next wake-up (hours)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)


class GracefulShutdown:
    """On SIGTERM or SIGINT, shut the scheduler down without interrupting a running cycle; on a
    second one, interrupt the cycle too: `stop` is set, and the cycle ends before its next arXiv
    request or wait (each request is bounded by its read timeout), keeping what it stored.

    `shutdown(wait=True)` waits for the running job, so it runs on another thread: a handler must
    not block the main thread. `wait()` joins that thread: `BlockingScheduler.start()` can return
    as soon as the state says "stopped", while the cycle is still running (a signal arriving while
    the scheduler loop is between two waits), and the process must not exit before the cycle ends.
    """

    def __init__(self, scheduler: BlockingScheduler, stop: threading.Event | None = None) -> None:
        self.scheduler = scheduler
        self.stop = stop if stop is not None else threading.Event()
        self.requested = threading.Event()
        self._thread: threading.Thread | None = None

    def install(self) -> None:
        for signum in _STOP_SIGNALS:
            # Set SIGINT explicitly: a process started with `&` by a non-interactive shell ignores it.
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.requested.is_set():
            if not self.stop.is_set():
                log.warning("received %s again: interrupting the running cycle before its next request", name)
                self.stop.set()
            return
        self.requested.set()
        log.info(
            "received %s: stopping; a running cycle finishes first (send it again to interrupt it)", name
        )
        self._thread = threading.Thread(target=self._shutdown, name="freshness-shutdown")
        self._thread.start()

    def _shutdown(self) -> None:
        _leave_signals_to_main()
        self.scheduler.shutdown(wait=True)

    def wait(self) -> None:
        """Block until a requested shutdown is complete (the running cycle has returned)."""
        if self._thread is not None:
            self._thread.join()


def serve(scheduler: BlockingScheduler, stop: threading.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT; return once the running cycle (if any) has finished, or has been
    interrupted by a second signal (`stop`, which the cycle's HTTP session watches)."""
    shutdown = GracefulShutdown(scheduler, stop)
    shutdown.install()
    job = scheduler.get_job(JOB_ID)
    first = getattr(job, "next_run_time", None)  # set only for a catch-up run before start
    trigger = getattr(job, "trigger", None)
    if first is not None:
        when = f"next run {describe_run_time(first)} (catching up a missed run)"
    elif isinstance(trigger, CronTrigger):
        when = next_run_line(trigger, dt.datetime.now(dt.UTC))
    else:
        when = "next run per the schedule"
    log.info("scheduler started: %s, %s", trigger or "?", when)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):  # a signal that arrived before the handlers were set
        if scheduler.running:
            scheduler.shutdown(wait=True)
    shutdown.wait()
    log.info("scheduler stopped")
