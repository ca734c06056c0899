"""Reliability against a hostile or broken arXiv (docs/reliability.md): no silent gap, and every
response bounded in time and size, whatever the loopback server does. Each test is bounded in time."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from freshness.cli import cli
from freshness.config import load_settings
from freshness.errors import ConfigError, Interrupted, SourceUnavailable
from freshness.http import PoliteSession, polite_session
from freshness.models import SourceState
from freshness.nightly import run_cycle
from freshness.pacing import RateLimiter, pacing_path_for
from freshness.poll_plan import plan_poll
from freshness.store import Store
from tests.conftest import NOW, FakeClock, claims_and_store, long_context_yaml, make_paper
from tests.fakearxiv import (
    RSS_CT,
    XML_CT,
    FakeArxiv,
    Reply,
    gzip_bomb,
    oai_list_records,
    redirect,
    rss_feed,
    unavailable,
)

RSS = "/rss/cs.AI+cs.CL"
CLAIMS = long_context_yaml("2025-10-01")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return claims_and_store(tmp_path, CLAIMS)


def poll(fake: FakeArxiv, files: tuple[Path, Path], *args: str, **extra: str) -> Result:
    claims, db = files
    return CliRunner().invoke(
        cli, ["--claims", str(claims), "--db", str(db), "poll", *args], env=fake.env(**extra)
    )


def arxiv_today() -> dt.date:
    return dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=-5))).date()


def feed_dated(day: dt.date, *ids: str) -> Reply:
    items = [(make_paper(i, categories=("cs.CL",), published=day), "new") for i in ids]
    return Reply(200, rss_feed(items, announced=day, categories="cs.AI+cs.CL"), RSS_CT)


def rss_mark(db: Path) -> dt.date | None:
    with Store.open(db) as store:
        return store.get_source_state("rss:cs.AI+cs.CL").watermark


# -- 1. silent gaps -------------------------------------------------------------------------------


def test_a_feed_dated_in_the_future_fails_and_moves_no_watermark(files: tuple[Path, Path]) -> None:
    future = arxiv_today() + dt.timedelta(days=400)
    with FakeArxiv() as fake:
        fake.script(RSS, feed_dated(future, "2611.00001"))
        result = poll(fake, files, "--source", "rss")
    assert result.exit_code == 2, result.output
    assert f"the response is dated {future}, after today at arXiv" in result.stderr
    assert rss_mark(files[1]) is None
    with Store.open(files[1]) as store:
        assert store.summary().papers == 0


def test_a_stored_watermark_in_the_future_is_ignored_so_missed_days_are_caught_up(store: Store) -> None:
    from freshness.claims import load_claims

    claims_path = Path(store.path).parent / "claims.yaml"
    claims_path.write_text(CLAIMS)
    claims = load_claims(claims_path, today=NOW.date())
    settings = load_settings(claims=str(claims_path), db=str(store.path), env={})
    # What the old code stored from a feed dated a year ahead.
    store.store_batch(
        (),
        SourceState("rss:cs.AI+cs.CL", watermark=NOW.date() + dt.timedelta(days=365)),
        now=NOW,
        source="rss",
    )
    store.store_batch(
        (), SourceState("oai:cs:cs.AI+cs.CL", watermark=dt.date(2026, 11, 2)), now=NOW, source="oai"
    )
    session = polite_session(settings)
    plan = plan_poll(store, claims, settings, now=NOW, session=session)
    assert "catch-up" in plan.reason, plan.reason
    assert [s.key for s in plan.sources][:2] == ["oai:cs:cs.AI+cs.CL", "rss:cs.AI+cs.CL"]


def test_an_oai_page_with_nothing_readable_fails_and_keeps_the_watermark(files: tuple[Path, Path]) -> None:
    papers = [make_paper(f"2611.{i:05d}", categories=("cs.CL",)) for i in range(1, 4)]
    body = oai_list_records(papers).replace(b"<id>2611.", b"<id>zz-bad.")
    with FakeArxiv() as fake:
        fake.on("/oai", lambda req: Reply(200, body, XML_CT))
        result = poll(fake, files, "--source", "oai")
    assert result.exit_code == 2, result.output
    assert "every one of the 3 records of an OAI-PMH page" in result.stderr
    assert "nothing new" not in result.output
    with Store.open(files[1]) as store:
        assert store.get_source_state("oai:cs:cs.AI+cs.CL").watermark is None


def test_304_to_a_request_without_validators_is_not_unchanged(files: tuple[Path, Path]) -> None:
    with FakeArxiv() as fake:
        fake.script(RSS, Reply(304, b"", RSS_CT))
        result = poll(fake, files, "--source", "rss")
        assert "If-None-Match" not in fake.requests[0].headers
    assert result.exit_code == 2, result.output
    assert "304 Not Modified to a request without validators" in result.stderr
    assert rss_mark(files[1]) is None


# -- 2. unbounded time ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(200, b"<rss>" + b" " * 400, RSS_CT, trickle=0.05), id="one-byte-at-a-time"),
        pytest.param(Reply(200, b"<rss>" + b" " * 1024, RSS_CT, trickle=0.05, endless=True), id="endless"),
    ],
)
def test_a_slow_or_endless_body_is_cut_at_the_time_budget(files: tuple[Path, Path], reply: Reply) -> None:
    # Each byte (chunk) arrives well within the read timeout: only a wall-clock budget ends it.
    started = time.monotonic()
    with FakeArxiv() as fake:
        fake.on(RSS, lambda req: reply)
        result = poll(
            fake, files, "--source", "rss", FRESHNESS_READ_TIMEOUT="1", FRESHNESS_MAX_POLL_SECONDS="3"
        )
    elapsed = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert elapsed < 6, f"took {elapsed:.1f} s"
    assert "time budget" in result.stderr or "still sending" in result.stderr


def test_a_response_over_the_size_cap_is_refused_with_a_clear_error(files: tuple[Path, Path]) -> None:
    with FakeArxiv() as fake:
        fake.on(RSS, lambda req: Reply(200, b"<rss>" + b" " * 3_000_000, RSS_CT))
        result = poll(fake, files, "--source", "rss", FRESHNESS_MAX_RESPONSE_BYTES="1048576")
    assert result.exit_code == 2, result.output
    assert "over the cap of 1,048,576" in result.stderr
    assert "FRESHNESS_MAX_RESPONSE_BYTES" in result.stderr  # the tip names the setting


def test_a_gzip_bomb_is_refused_while_inflating_without_taking_its_size_in_memory(
    files: tuple[Path, Path],
) -> None:
    bomb = gzip_bomb(512 * 1024 * 1024)  # ~0.5 MB on the wire, 512 MiB inflated
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    with FakeArxiv() as fake:
        fake.on(RSS, lambda req: bomb)
        result = poll(fake, files, "--source", "rss")
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert result.exit_code == 2, result.output
    assert "inflates to more than 67,108,864 bytes (the cap)" in result.stderr
    assert grown_mib < 200, f"peak memory grew by {grown_mib:.0f} MiB"


def test_a_redirect_loop_is_a_few_paced_requests_then_an_error() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3.0, None, clock=clock, sleep=clock.sleep)
    with FakeArxiv() as fake:
        fake.on("/loop", lambda req: redirect("/loop"))
        s = PoliteSession(user_agent="freshness/test", limiter=limiter)
        with pytest.raises(SourceUnavailable, match="more than 5 redirects"):
            s.get(fake.url("/loop"))
        assert len(fake.requests) == 6  # the request and 5 hops; never retried
    times = limiter.request_times
    assert [round(b - a, 3) for a, b in itertools.pairwise(times)] == [3.0] * 5


def test_a_pacing_stamp_in_the_future_counts_as_now_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    lock = tmp_path / "store.sqlite.arxiv-lock"
    lock.write_text(f"{clock() + 10 * 3600:.6f}\n")  # written before the clock was set back 10 h
    limiter = RateLimiter(3.0, lock, clock=clock, sleep=clock.sleep)
    with caplog.at_level(logging.WARNING), limiter.slot():
        pass
    assert sum(clock.sleeps) <= 3.0
    assert "stamped 36000 s in the future" in caplog.text


def test_a_poll_never_waits_past_its_time_budget_for_a_slot(tmp_path: Path) -> None:
    clock = FakeClock()
    limiter = RateLimiter(3.0, None, clock=clock, sleep=clock.sleep)
    s = PoliteSession(user_agent="t", limiter=limiter, max_total=10.0)
    with FakeArxiv() as fake:
        fake.on("/x", lambda req: unavailable(retry_after="2"))
        with pytest.raises(SourceUnavailable, match="time budget"):
            s.get(fake.url("/x"))
    assert clock.t - 1_000_000.0 <= 10.0


def test_a_stop_request_ends_a_cycle_before_its_next_request(files: tuple[Path, Path]) -> None:
    import threading

    from freshness.nightly import CycleOptions

    stop = threading.Event()
    stop.set()
    with FakeArxiv() as fake:
        settings = load_settings(claims=str(files[0]), db=str(files[1]), env=fake.env())
        with pytest.raises(Interrupted, match="stopped by a signal"):
            run_cycle(settings, now=dt.datetime.now(dt.UTC), options=CycleOptions(files[0].parent), stop=stop)
        assert fake.requests == []


def test_schedule_stops_on_a_second_signal_while_a_cycle_waits_on_arxiv(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    claims, db = files
    with FakeArxiv() as fake:
        # arXiv says "come back in 5 minutes": the cycle waits, and the first signal lets it finish.
        fake.on("/oai", lambda req: unavailable(retry_after="300"))
        env = {**os.environ, **fake.env(FRESHNESS_MAX_POLL_SECONDS="900"), "PYTHONUNBUFFERED": "1"}
        code = "from freshness.cli import main; main()"
        proc = subprocess.Popen(
            [sys.executable, "-c", code, "--claims", str(claims), "--db", str(db), "schedule",
             "--reports-dir", str(tmp_path / "reports")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 20
            while not fake.requests_to("/oai") and time.monotonic() < deadline:
                time.sleep(0.05)
            assert fake.requests_to("/oai"), "the cycle never reached arXiv"
            time.sleep(0.3)  # into the Retry-After wait
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            assert proc.poll() is None  # the first signal waits for the cycle
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, err.decode()
    text = err.decode()
    assert "interrupting the running cycle" in text
    assert "stopped by a signal between two arXiv requests" in text


# -- 7. settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FRESHNESS_REQUEST_DELAY", "nan"),
        ("FRESHNESS_REQUEST_DELAY", "inf"),
        ("FRESHNESS_REQUEST_DELAY", "0"),
        ("FRESHNESS_CONNECT_TIMEOUT", "nan"),
        ("FRESHNESS_READ_TIMEOUT", "inf"),
        ("FRESHNESS_READ_TIMEOUT", "0"),
        ("FRESHNESS_MAX_POLL_SECONDS", "nan"),
        ("FRESHNESS_MAX_POLL_SECONDS", "0"),
        ("FRESHNESS_MAX_RESPONSE_BYTES", "0"),
    ],
)
def test_settings_that_switch_politeness_or_bounds_off_are_refused_by_name(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings(claims="c.yaml", db="s.sqlite", env={name: value})


def test_nan_delay_is_refused_even_on_loopback() -> None:
    env = {
        "FRESHNESS_REQUEST_DELAY": "nan",
        "FRESHNESS_ARXIV_API_URL": "http://127.0.0.1:9/a",
        "FRESHNESS_ARXIV_RSS_URL": "http://127.0.0.1:9/r",
        "FRESHNESS_ARXIV_OAI_URL": "http://127.0.0.1:9/o",
    }
    with pytest.raises(ConfigError, match="FRESHNESS_REQUEST_DELAY='nan' must be a finite number"):
        load_settings(claims="c.yaml", db="s.sqlite", env=env)


def test_lock_wait_nan_is_refused(files: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(cli, ["--claims", str(files[0]), "run", "--lock-wait", "nan"])
    assert result.exit_code == 2
    assert "must be a finite number of seconds" in result.output


def test_a_store_reached_through_a_symlink_shares_its_pacing_file_and_writer_lock(tmp_path: Path) -> None:
    from freshness.locking import current_holder, lock_path_for, writer_lock

    real = tmp_path / "real" / "store.sqlite"
    real.parent.mkdir()
    link_dir = tmp_path / "link"
    link_dir.symlink_to(real.parent)
    via_link = link_dir / "store.sqlite"
    assert pacing_path_for(via_link) == pacing_path_for(real)
    assert lock_path_for(via_link) == lock_path_for(real)
    with writer_lock(real, command="poll", now=NOW):
        holder = current_holder(via_link)
        assert holder is not None
        assert holder.command == "poll"
