"""http: politeness by construction, against the loopback fake arXiv (no real sleeping)."""

from __future__ import annotations

import itertools
import socket
from pathlib import Path

import arxiv
import pytest
import requests
import urllib3

from freshness.config import load_settings
from freshness.errors import SourceUnavailable
from freshness.http import PoliteSession, _short, connect_problem, parse_retry_after, polite_session
from freshness.pacing import RateLimiter
from tests.conftest import FakeClock, make_paper
from tests.fakearxiv import FakeArxiv, Reply, atom_feed, html_page, too_many_requests, unavailable


def session(clock: FakeClock, lock: Path | None = None, **kw: float) -> PoliteSession:
    limiter = RateLimiter(3.0, lock, clock=clock, sleep=clock.sleep)
    return PoliteSession(user_agent="freshness/test (+mailto:t@example.org)", limiter=limiter, **kw)


def test_requests_are_spaced_three_seconds_apart_and_identify_us() -> None:
    clock = FakeClock()
    with FakeArxiv() as fake:
        fake.on("/api/query", lambda req: Reply(200, b"<feed/>"))
        s = session(clock)
        for _ in range(4):
            assert s.get(fake.url("/api/query")).status == 200
        times = s.limiter.request_times
        assert [round(b - a, 6) for a, b in itertools.pairwise(times)] == [3.0, 3.0, 3.0]
        assert {r.headers["User-Agent"] for r in fake.requests} == {"freshness/test (+mailto:t@example.org)"}


def test_spacing_holds_across_two_sessions_sharing_a_lock_file(tmp_path: Path) -> None:
    clock = FakeClock()
    lock = tmp_path / "arxiv.lock"
    with FakeArxiv() as fake:
        fake.on("/x", lambda req: Reply(200, b"ok"))
        a, b = session(clock, lock), session(clock, lock)  # as two processes would
        a.get(fake.url("/x"))
        b.get(fake.url("/x"))
        assert b.limiter.request_times[0] - a.limiter.request_times[0] == pytest.approx(3.0)


def test_retry_after_is_honoured_on_429_and_503() -> None:
    clock = FakeClock()
    with FakeArxiv() as fake:
        fake.script("/api/query", too_many_requests("40"), unavailable("25"), Reply(200, b"<feed/>"))
        s = session(clock, backoff=5.0)
        assert s.get(fake.url("/api/query")).body == b"<feed/>"
        assert len(fake.requests) == 3
        # backoff would be 5 s then 10 s; the server asked for 40 s and 25 s, so those win.
        assert [w for w in clock.sleeps if w > 3.0] == [40.0, 25.0]


def test_gives_up_after_max_retries_with_source_unavailable() -> None:
    clock = FakeClock()
    with FakeArxiv() as fake:
        fake.on("/api/query", lambda req: Reply(503, b"busy", (("Content-Type", "text/plain"),)))
        s = session(clock, max_retries=2, backoff=1.0)
        with pytest.raises(SourceUnavailable, match="HTTP 503 after 3 tries"):
            s.get(fake.url("/api/query"))
        assert len(fake.requests) == 3


def test_total_time_budget_caps_a_429_storm() -> None:
    clock = FakeClock()
    with FakeArxiv() as fake:
        fake.on("/api/query", lambda req: too_many_requests("600"))
        s = session(clock, max_total=300.0)
        with pytest.raises(SourceUnavailable, match="time budget"):
            s.get(fake.url("/api/query"))
        assert len(fake.requests) == 1


def test_connection_reset_and_refused_are_unavailable_not_empty() -> None:
    clock = FakeClock()
    with FakeArxiv() as fake:
        fake.on("/api/query", lambda req: Reply(reset=True))
        s = session(clock, max_retries=1, backoff=1.0)
        with pytest.raises(SourceUnavailable, match="could not connect"):
            s.get(fake.url("/api/query"))
        dead = fake.url("/api/query")
    with pytest.raises(SourceUnavailable, match="could not connect"):
        session(clock, max_retries=0).get(dead)


def test_a_response_slower_than_the_read_timeout_is_retried_then_unavailable() -> None:
    clock = FakeClock()
    with FakeArxiv() as fake:
        fake.on("/api/query", lambda req: Reply(200, b"late", delay=0.5))
        s = session(clock, max_retries=1, backoff=1.0, read_timeout=0.1)
        with pytest.raises(SourceUnavailable, match="timed out"):
            s.get(fake.url("/api/query"))


def test_other_statuses_are_returned_for_the_caller_to_judge() -> None:
    clock = FakeClock()
    with FakeArxiv() as fake:
        fake.script("/api/query", html_page(), Reply(400, b"<feed/>"))
        s = session(clock)
        assert s.get(fake.url("/api/query")).status == 200  # HTML with 200: the parser must refuse it
        assert s.get(fake.url("/api/query")).status == 400
        assert len(fake.requests) == 2  # 400 is not retried


def test_parse_retry_after() -> None:
    assert parse_retry_after("120", now=0.0) == 120.0
    assert parse_retry_after(None, now=0.0) is None
    assert parse_retry_after("soon", now=0.0) is None
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", now=40.0) == pytest.approx(60.0)


def test_bridge_gives_the_arxiv_package_our_timeouts_and_user_agent() -> None:
    clock = FakeClock()
    with FakeArxiv() as fake:
        fake.on("/api/query", lambda req: Reply(200, atom_feed([make_paper("2501.00001")])))
        polite = session(clock)
        client = arxiv.Client(page_size=100, delay_seconds=0, num_retries=0)
        client.query_url_format = fake.url("/api/query") + "?{}"
        client._session = polite.as_requests_session()
        [result] = list(client.results(arxiv.Search(id_list=["2501.00001"], max_results=1)))
        assert result.get_short_id() == "2501.00001v1"
        assert fake.requests[0].headers["User-Agent"].startswith("freshness/test")


def test_an_unreachable_host_is_said_in_words_with_a_tip_naming_the_endpoint_settings(tmp_path: Path) -> None:
    """Not urllib3's repr of its connection object cut mid-word: what happened, and which settings
    say where arXiv is."""
    settings = load_settings(claims=str(tmp_path / "claims.yaml"), db=str(tmp_path / "store.sqlite"))
    with FakeArxiv() as fake:
        dead = fake.url("/rss/cs.CL")  # stopped below: nothing listens on its port any more
    clock = FakeClock()
    s = polite_session(settings, sleep=clock.sleep)
    s.limiter = RateLimiter(3.0, None, clock=clock, sleep=clock.sleep)
    s.max_retries = 0
    with pytest.raises(SourceUnavailable) as caught:
        s.get(dead)
    message = str(caught.value)
    assert message == (
        f"{dead}: could not connect: the connection was refused (nothing listens at that host and port) "
        "after 1 tries"
    )
    assert "object at 0x" not in message
    assert "HTTPConnection" not in message
    tip = caught.value.tip or ""
    for name in ("FRESHNESS_ARXIV_API_URL=", "FRESHNESS_ARXIV_RSS_URL=", "FRESHNESS_ARXIV_OAI_URL="):
        assert name in tip


def test_a_name_that_does_not_resolve_is_named_as_such() -> None:
    # The chain requests builds for a DNS failure, built here without asking any resolver.
    conn = urllib3.connection.HTTPSConnection("export.arxiv.org")
    new = urllib3.exceptions.NewConnectionError(
        conn, "Failed to establish a new connection: [Errno -3] Temporary failure in name resolution"
    )
    new.__cause__ = socket.gaierror(-3, "Temporary failure in name resolution")
    wrapped = requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, "/api/query", reason=new)  # type: ignore[arg-type]
    )
    assert connect_problem(wrapped) == (
        "the host name does not resolve (no network or no DNS, or a wrong host in the URL)"
    )


def test_long_exception_text_is_cut_at_a_word() -> None:
    text = _short(ValueError("word " * 60), 40)
    assert text == "word word word word word word word..."
