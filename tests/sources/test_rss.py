"""RssSource against the loopback arXiv: the real quant-ph feed, conditional GET, empty and error feeds."""

from __future__ import annotations

import datetime as dt

import pytest

from freshness.errors import SourceUnavailable, WireFormatError
from freshness.http import PoliteSession
from freshness.models import SourceState
from freshness.pacing import RateLimiter
from freshness.sources.rss import RssSource
from tests.conftest import NOW, FakeClock, make_paper, shared_path
from tests.fakearxiv import RSS_CT, FakeArxiv, Reply, html_page, rss_feed, too_many_requests

MONDAY = dt.date(2025, 4, 28)


def polite(clock: FakeClock) -> PoliteSession:
    limiter = RateLimiter(3.0, None, clock=clock, sleep=clock.sleep)
    return PoliteSession(user_agent="freshness/test (+mailto:t@example.org)", limiter=limiter, backoff=5.0)


def real_feed() -> bytes:
    return shared_path("data", "arxiv", "wire", "rss", "quant-ph_2025-04-28.xml").read_bytes()


def test_one_request_for_the_union_of_categories() -> None:
    with FakeArxiv() as fake:
        src = RssSource(polite(FakeClock()), fake.url("/rss"), ["cs.LG", "cs.AI", "cs.CL", "cs.AI"])
        assert src.url == fake.url("/rss/cs.AI+cs.CL+cs.LG")
        assert src.key == "rss:cs.AI+cs.CL+cs.LG"
        [planned] = src.plan(SourceState(src.key))
        assert planned.url == src.url
        assert fake.requests == []  # planning sends nothing


def test_the_real_quant_ph_feed_gives_its_81_announcements_and_the_day_as_watermark() -> None:
    clock = FakeClock()
    with FakeArxiv() as fake:
        fake.script(
            "/rss/quant-ph",
            Reply(
                200,
                real_feed(),
                (*RSS_CT, ("ETag", '"q1"'), ("Last-Modified", "Mon, 28 Apr 2025 04:00:00 GMT")),
            ),
        )
        src = RssSource(polite(clock), fake.url("/rss"), ["quant-ph"])
        [batch] = list(src.fetch(SourceState(src.key), now=NOW))
    assert len(batch.papers) == 81
    assert batch.received == 81
    assert batch.rejected == 0
    assert batch.nothing_new is None
    assert batch.state.watermark == MONDAY
    assert batch.state.etag == '"q1"'
    assert batch.state.last_modified == "Mon, 28 Apr 2025 04:00:00 GMT"
    assert batch.state.last_success == NOW
    ids = {p.arxiv_id for p in batch.papers}
    assert "2504.17830" in ids
    assert batch.note is not None
    assert "40 new" in batch.note
    assert "22 replace" in batch.note
    assert len(fake.requests) == 1


def test_conditional_get_sends_the_stored_validators_and_304_is_nothing_new() -> None:
    with FakeArxiv() as fake:
        fake.script("/rss/cs.CL", Reply(304, b"", ()))
        src = RssSource(polite(FakeClock()), fake.url("/rss"), ["cs.CL"])
        state = SourceState(
            src.key,
            watermark=dt.date(2026, 11, 26),
            etag='"abc"',
            last_modified="Thu, 26 Nov 2026 05:00:00 GMT",
        )
        [batch] = list(src.fetch(state, now=NOW))
        headers = fake.requests[0].headers
    assert headers["If-None-Match"] == '"abc"'
    assert headers["If-Modified-Since"] == "Thu, 26 Nov 2026 05:00:00 GMT"
    assert batch.papers == ()
    assert batch.nothing_new is not None
    assert "304" in batch.nothing_new
    assert batch.state.watermark == dt.date(2026, 11, 26)
    assert batch.state.etag == '"abc"'


def test_a_dated_feed_without_items_is_arxiv_having_nothing_new() -> None:
    saturday = dt.date(2026, 11, 28)
    with FakeArxiv() as fake:
        fake.script("/rss/cs.CL", Reply(200, rss_feed([], announced=saturday), RSS_CT))
        src = RssSource(polite(FakeClock()), fake.url("/rss"), ["cs.CL"])
        [batch] = list(src.fetch(SourceState(src.key, watermark=dt.date(2026, 11, 27)), now=NOW))
    assert batch.papers == ()
    assert (
        batch.nothing_new
        == "the feed for 2026-11-28 (Saturday) has no announcements: arXiv announces nothing for weekends"
    )
    assert batch.state.watermark == saturday


def test_a_weekday_feed_without_items_is_a_holiday_not_a_weekend() -> None:
    wednesday = dt.date(2026, 11, 25)
    with FakeArxiv() as fake:
        fake.script("/rss/cs.CL", Reply(200, rss_feed([], announced=wednesday), RSS_CT))
        src = RssSource(polite(FakeClock()), fake.url("/rss"), ["cs.CL"])
        [batch] = list(src.fetch(SourceState(src.key, watermark=dt.date(2026, 11, 24)), now=NOW))
    assert batch.nothing_new == "the feed for 2026-11-25 (Wednesday) has no announcements: an arXiv holiday"
    assert "weekend" not in (batch.nothing_new or "")
    assert batch.covers == (dt.date(2026, 11, 24), wednesday)  # arXiv said so: that day is covered


def test_an_empty_feed_without_a_date_is_not_nothing_new() -> None:
    undated = (
        rss_feed([], announced=dt.date(2026, 11, 28))
        .replace(b"<pubDate>", b"<x>")
        .replace(b"</pubDate>", b"</x>")
    )
    undated = undated.replace(b"<lastBuildDate>", b"<y>").replace(b"</lastBuildDate>", b"</y>")
    with FakeArxiv() as fake:
        fake.script("/rss/cs.CL", Reply(200, undated, RSS_CT))
        src = RssSource(polite(FakeClock()), fake.url("/rss"), ["cs.CL"])
        with pytest.raises(WireFormatError, match="empty feed without a date"):
            list(src.fetch(SourceState(src.key), now=NOW))


ERROR_FEED = b"""<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" version="2.0">
  <channel>
    <title>Feed error for query: cs.XX</title>
    <link>http://rss.arxiv.org/rss/cs.XX</link>
    <description>Feed error for query: cs.XX</description>
    <docs>http://www.rssboard.org/rss-specification</docs>
    <language>en-us</language>
  </channel>
</rss>
"""


@pytest.mark.parametrize("status", [400, 200])
def test_the_error_feed_is_could_not_poll_with_a_tip_about_categories(status: int) -> None:
    with FakeArxiv() as fake:
        fake.script("/rss/cs.XX", Reply(status, ERROR_FEED, RSS_CT))
        src = RssSource(polite(FakeClock()), fake.url("/rss"), ["cs.XX"])
        with pytest.raises(SourceUnavailable, match="Feed error for query") as info:
            list(src.fetch(SourceState(src.key), now=NOW))
    assert info.value.tip is not None
    assert "category" in info.value.tip
    assert len(fake.requests) == 1  # 400 is not retried


def test_html_page_with_200_and_truncated_feed_are_wire_errors() -> None:
    feed = rss_feed([(make_paper("2611.00001"), "new")], announced=dt.date(2026, 11, 26))
    with FakeArxiv() as fake:
        fake.script("/rss/cs.CL", html_page(), Reply(200, feed, RSS_CT, truncate_at=len(feed) // 2))
        src = RssSource(polite(FakeClock()), fake.url("/rss"), ["cs.CL"])
        with pytest.raises(WireFormatError):
            list(src.fetch(SourceState(src.key), now=NOW))
        # The truncated body is cut short of its Content-Length: requests reports it (retried, then
        # unavailable) or, if it got through, the XML parser refuses it. Either way: never zero papers.
        with pytest.raises((WireFormatError, SourceUnavailable)):
            list(src.fetch(SourceState(src.key), now=NOW))


def test_429_with_retry_after_is_waited_out_then_the_feed_is_read() -> None:
    clock = FakeClock()
    feed = rss_feed([(make_paper("2611.00001"), "new")], announced=dt.date(2026, 11, 26))
    with FakeArxiv() as fake:
        fake.script("/rss/cs.CL", too_many_requests("30"), Reply(200, feed, RSS_CT))
        src = RssSource(polite(clock), fake.url("/rss"), ["cs.CL"])
        [batch] = list(src.fetch(SourceState(src.key), now=NOW))
    assert [p.arxiv_id for p in batch.papers] == ["2611.00001"]
    assert 30.0 in clock.sleeps
