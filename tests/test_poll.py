"""poll_once against the loopback arXiv: source choice, honest outcomes, store + watermark after every
fault, request spacing and counts, and kill -9 safety (a real subprocess killed mid-harvest)."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import itertools
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from freshness.arxiv_ids import parse_arxiv_id
from freshness.config import Settings
from freshness.http import PoliteSession
from freshness.models import Anchor, Claim, Paper, SourceState
from freshness.pacing import RateLimiter
from freshness.poll import PollOutcome, PollResult, poll_once
from freshness.poll_account import describe
from freshness.poll_plan import BACKFILL_MAX_DAYS, announcement_day, last_complete_day, missed_days
from freshness.sources.arxiv_api import CANARY_ID
from freshness.sources.wire import iter_snapshot
from freshness.store import Store
from tests.conftest import NOW, FakeClock, make_paper, shared_path
from tests.fakearxiv import (
    CANARY_TITLE,
    RSS_CT,
    XML_CT,
    FakeArxiv,
    FakeRequest,
    Reply,
    atom_feed,
    html_page,
    oai_error,
    oai_list_records,
    rss_feed,
    too_many_requests,
    unavailable,
)

CATS = ("cs.AI", "cs.CL", "cs.LG")
RSS_KEY = "rss:cs.AI+cs.CL+cs.LG"
OAI_KEY = "oai:cs:cs.AI+cs.CL+cs.LG"
TODAY = dt.date(2026, 11, 26)  # NOW is 2026-11-26 23:00 UTC = 18:00 in New York, before the announcement
YESTERDAY = dt.date(2026, 11, 25)


# -- helpers --------------------------------------------------------------------------------------


@functools.cache
def _corpus(n: int) -> tuple[Paper, ...]:
    path = shared_path("data", "arxiv", "arxiv-metadata-2024-2026.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = list(itertools.islice(fh, n))
    return tuple(p for p in iter_snapshot(lines) if isinstance(p, Paper))


def corpus_papers(n: int) -> list[Paper]:
    """The first `n` real records of the shared corpus (2024-01, mostly cs.LG/CL/CV/AI)."""
    return list(_corpus(n))


def in_cats(papers: Sequence[Paper], cats: Sequence[str] = CATS) -> list[Paper]:
    return [p for p in papers if set(cats) & set(p.categories)]


def claim(n: int = 0, *, date: dt.date = dt.date(2026, 9, 1), anchors: Sequence[str] = ()) -> Claim:
    return Claim(
        id=f"claim-{n}",
        text=f"Claim number {n}.",
        date=date,
        topics=(f"topic {n}",),
        anchors=tuple(Anchor(a, parse_arxiv_id(a), None, 1, 1) for a in anchors),
        categories=CATS,
    )


def settings(fake: FakeArxiv, tmp_path: Path, **kw: float) -> Settings:
    return fake.settings(tmp_path / "claims.yaml", tmp_path / "store.sqlite", request_delay=3.0, **kw)


def polite(clock: FakeClock, **kw: float) -> PoliteSession:
    limiter = RateLimiter(3.0, None, clock=clock, sleep=clock.sleep)
    return PoliteSession(
        user_agent="freshness/test (+mailto:t@example.org)", limiter=limiter, backoff=5.0, max_retries=2, **kw
    )


def xml(body: bytes) -> Reply:
    return Reply(200, body, XML_CT)


def rss(items: Sequence[tuple[Paper, str]], day: dt.date = TODAY) -> Reply:
    return Reply(
        200, rss_feed(items, announced=day, categories="cs.AI+cs.CL+cs.LG"), (*RSS_CT, ("ETag", '"e1"'))
    )


def set_state(store: Store, state: SourceState) -> None:
    store.store_batch((), state, now=NOW, source=state.source.split(":")[0])


def normal_night(store: Store) -> None:
    """A store that polled RSS last night: tonight is a normal night."""
    set_state(store, SourceState(RSS_KEY, watermark=YESTERDAY, last_success=NOW - dt.timedelta(days=1)))


def stored_ids(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT arxiv_id FROM papers ORDER BY arxiv_id")]


def look_up_anchor(
    store: Store, fake: FakeArxiv, tmp_path: Path, session: PoliteSession | None = None
) -> PollResult:
    """`freshness poll --source api` for one claim anchored on 2409.00001."""
    return poll_once(
        store,
        [claim(anchors=["2409.00001"])],
        settings(fake, tmp_path),
        now=NOW,
        source="api",
        session=session or polite(FakeClock()),
    )


def api_handler(known: Sequence[Paper]) -> object:
    """An API that knows `known` and the canary, and answers id_list lookups like arXiv does."""
    papers = {p.arxiv_id: p for p in known}
    papers[CANARY_ID] = make_paper(CANARY_ID, title=CANARY_TITLE, published=dt.date(2016, 5, 26))

    def handle(req: FakeRequest) -> Reply:
        ids = [i for i in req.query.get("id_list", "").split(",") if i]
        found = [papers[i] for i in ids if i in papers]
        return Reply(200, atom_feed(found))

    return handle


# -- the time rules -------------------------------------------------------------------------------


def test_announcement_day_and_the_last_complete_day_follow_new_york_time() -> None:
    assert announcement_day(NOW) == TODAY  # 18:00 in New York: tonight's mailing is not out yet
    late = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 21:00 in New York on the 26th
    assert announcement_day(late) == dt.date(2026, 11, 27)  # the feed published at 20:00 is dated the 27th
    assert last_complete_day(late) == YESTERDAY
    assert last_complete_day(NOW) == YESTERDAY


def test_weekends_are_not_missed_days_but_a_skipped_weekday_is() -> None:
    monday_evening = dt.datetime(2026, 11, 23, 22, 0, tzinfo=dt.UTC)  # 17:00 in New York
    assert missed_days(dt.date(2026, 11, 20), monday_evening) == []  # Friday -> Monday: nothing missed
    assert missed_days(dt.date(2026, 11, 24), NOW) == [YESTERDAY]
    assert missed_days(YESTERDAY, NOW) == []
    assert missed_days(TODAY, NOW) == []


# -- choosing sources -----------------------------------------------------------------------------


def test_first_poll_backfills_with_oai_then_reads_rss_then_looks_up_unknown_anchors(
    tmp_path: Path, store: Store
) -> None:
    with FakeArxiv() as fake:
        claims = [claim(1, date=dt.date(2026, 10, 1), anchors=["2401.00001", "2401.00002"])]
        result = poll_once(store, claims, settings(fake, tmp_path), now=NOW, dry_run=True)
        assert fake.requests == []
    urls = [r.url for r in result.planned]
    assert result.outcome is PollOutcome.PLANNED
    assert urls[0] == fake.url(
        "/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=cs&from=2026-10-01&until=2026-11-25"
    )
    assert urls[1] == fake.url("/rss/cs.AI+cs.CL+cs.LG")
    assert urls[2].startswith(
        fake.url("/api/query?search_query=&id_list=2401.00001%2C2401.00002%2C1605.08386")
    )
    assert result.estimated_seconds == 9.0
    assert "first poll" in result.reason


def test_the_dry_run_plan_is_exactly_the_requests_a_poll_then_makes(tmp_path: Path, store: Store) -> None:
    anchor = make_paper("2409.00001")
    claims = [claim(1, date=dt.date(2026, 10, 1), anchors=[anchor.arxiv_id])]
    session = polite(FakeClock())
    with FakeArxiv() as fake:
        listing = xml(oai_list_records(corpus_papers(20)))  # in the test's thread: a skip reaches pytest
        fake.on("/oai", lambda req: listing)
        fake.on("/rss/cs.AI+cs.CL+cs.LG", lambda req: rss([]))
        fake.on("/api/query", api_handler([anchor]))  # type: ignore[arg-type]
        s = settings(fake, tmp_path)
        planned = poll_once(store, claims, s, now=NOW, dry_run=True)
        done = poll_once(store, claims, s, now=NOW, session=session)
    assert done.outcome is PollOutcome.GOT_PAPERS
    assert [r.url for r in planned.planned] == session.log.urls


def test_the_first_backfill_is_bounded_and_says_how_to_go_further(tmp_path: Path, store: Store) -> None:
    with FakeArxiv() as fake:
        old = [claim(1, date=dt.date(2024, 3, 1))]
        result = poll_once(store, old, settings(fake, tmp_path), now=NOW, dry_run=True)
    assert "from=2026-08-27" in result.planned[0].url  # 90 days before the last complete day
    assert any("--since 2024-03-01" in n for n in result.notes)


def test_a_normal_night_is_one_rss_request(tmp_path: Path, store: Store) -> None:
    normal_night(store)
    with FakeArxiv() as fake:
        result = poll_once(store, [claim()], settings(fake, tmp_path), now=NOW, dry_run=True)
    assert [r.url for r in result.planned] == [fake.url("/rss/cs.AI+cs.CL+cs.LG")]
    assert "normal night" in result.reason


def test_a_missed_night_catches_up_with_oai_from_before_the_last_covered_day(
    tmp_path: Path, store: Store
) -> None:
    set_state(store, SourceState(RSS_KEY, watermark=dt.date(2026, 11, 23)))  # Monday; Tue and Wed missed
    with FakeArxiv() as fake:
        result = poll_once(store, [claim()], settings(fake, tmp_path), now=NOW, dry_run=True)
    assert "from=2026-11-19&until=2026-11-25" in result.planned[0].url  # 4 days of overlap
    assert result.planned[1].url.endswith("/rss/cs.AI+cs.CL+cs.LG")
    assert "2026-11-24, 2026-11-25" in result.reason


def test_an_unfinished_harvest_is_resumed_even_on_a_normal_night(tmp_path: Path, store: Store) -> None:
    normal_night(store)
    window = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    set_state(store, SourceState(OAI_KEY, resume_token="tok", window_from=window[0], window_until=window[1]))
    with FakeArxiv() as fake:
        result = poll_once(store, [claim()], settings(fake, tmp_path), now=NOW, dry_run=True)
    urls = [r.url for r in result.planned]
    assert urls[0] == fake.url("/oai?verb=ListRecords&resumptionToken=tok")
    assert "from=2026-10-01" not in "".join(urls)  # nothing between the window and the RSS day
    assert urls[-1] == fake.url("/rss/cs.AI+cs.CL+cs.LG")
    assert "resume the unfinished OAI-PMH harvest of cs" in result.reason


def test_since_is_refused_for_rss_and_api_and_in_the_future(tmp_path: Path, store: Store) -> None:
    from freshness.errors import ConfigError

    with FakeArxiv() as fake:
        s = settings(fake, tmp_path)
        for source in ("rss", "api"):
            with pytest.raises(ConfigError, match="--since does not apply"):
                poll_once(store, [claim()], s, now=NOW, source=source, since=YESTERDAY, dry_run=True)
        with pytest.raises(ConfigError, match="after 2026-11-25"):
            poll_once(store, [claim()], s, now=NOW, since=TODAY, dry_run=True)


def test_claims_without_categories_cannot_be_polled(tmp_path: Path, store: Store) -> None:
    from dataclasses import replace

    from freshness.errors import ConfigError

    with FakeArxiv() as fake, pytest.raises(ConfigError, match="no arXiv categories") as info:
        poll_once(store, [replace(claim(), categories=())], settings(fake, tmp_path), now=NOW, dry_run=True)
    assert info.value.tip is not None
    assert "categories" in info.value.tip


# -- successful polls -----------------------------------------------------------------------------


def test_first_poll_stores_oai_pages_rss_items_and_anchors_once_each(tmp_path: Path, store: Store) -> None:
    papers = corpus_papers(400)
    harvest, today = papers[:300], papers[300:400]
    anchor = make_paper("2409.00001", title="An anchor from before the window")
    session = polite(FakeClock())
    with FakeArxiv() as fake:
        fake.script(
            "/oai",
            xml(oai_list_records(harvest[:150], resumption_token="p2", complete_list_size=300)),
            xml(oai_list_records(harvest[150:], cursor=150)),
        )
        fake.script("/rss/cs.AI+cs.CL+cs.LG", rss([(p, "new") for p in in_cats(today)]))
        fake.on("/api/query", api_handler([anchor]))  # type: ignore[arg-type]
        claims = [claim(1, date=dt.date(2026, 10, 1), anchors=[anchor.arxiv_id])]
        result = poll_once(store, claims, settings(fake, tmp_path), now=NOW, session=session)
    expected = {p.arxiv_id for p in in_cats(harvest) + in_cats(today)} | {anchor.arxiv_id}
    assert result.outcome is PollOutcome.GOT_PAPERS
    assert set(stored_ids(store)) == expected
    assert result.added == len(expected)
    oai, feed, api = result.sources
    assert (oai.source, feed.source, api.source) == (OAI_KEY, RSS_KEY, "api:anchors")
    assert oai.requests == 2
    assert feed.requests == 1
    assert api.requests == 1
    assert result.requests == 4
    assert oai.skipped == 300 - len(in_cats(harvest))
    assert store.get_source_state(OAI_KEY).watermark == YESTERDAY
    assert store.get_source_state(OAI_KEY).resume_token is None
    rss_state = store.get_source_state(RSS_KEY)
    assert rss_state.watermark == TODAY
    assert rss_state.etag == '"e1"'
    # one request at a time, >= 3 s apart, across all three sources
    times = session.limiter.request_times
    assert len(times) == 4
    assert [round(b - a, 6) for a, b in itertools.pairwise(times)] == [3.0, 3.0, 3.0]
    headline = describe(result).headline
    assert headline == f"got {len(expected)} papers ({len(expected)} added, 0 updated)"


def test_a_replace_announcement_updates_the_stored_version(tmp_path: Path, store: Store) -> None:
    v1 = make_paper("2611.00042", published=dt.date(2026, 11, 2))
    store.upsert_papers([v1], source="test", now=NOW)
    normal_night(store)
    v2 = make_paper("2611.00042", version=2, published=dt.date(2026, 11, 2), updated=TODAY, title="Revised")
    new = make_paper("2611.00999", published=TODAY)
    with FakeArxiv() as fake:
        fake.script("/rss/cs.AI+cs.CL+cs.LG", rss([(v2, "replace"), (new, "new")]))
        result = poll_once(store, [claim()], settings(fake, tmp_path), now=NOW, session=polite(FakeClock()))
    assert result.outcome is PollOutcome.GOT_PAPERS
    assert (result.added, result.updated) == (1, 1)
    stored = store.get_papers(["2611.00042"]).get("2611.00042")
    assert stored is not None
    assert stored.version == 2
    assert stored.title == "Revised"
    assert stored.published == dt.date(2026, 11, 2)  # v1's date survives the replace
    assert describe(result).headline == "got 2 papers (1 added, 1 updated)"


def test_an_empty_weekend_feed_is_nothing_new_exit_0_and_moves_the_watermark(
    tmp_path: Path, store: Store
) -> None:
    saturday_noon = dt.datetime(2026, 11, 28, 17, 0, tzinfo=dt.UTC)
    set_state(store, SourceState(RSS_KEY, watermark=dt.date(2026, 11, 27)))
    with FakeArxiv() as fake:
        fake.script("/rss/cs.AI+cs.CL+cs.LG", rss([], day=dt.date(2026, 11, 28)))
        result = poll_once(
            store, [claim()], settings(fake, tmp_path), now=saturday_noon, session=polite(FakeClock())
        )
    assert result.outcome is PollOutcome.NOTHING_NEW
    assert describe(result).headline == (
        "arXiv had nothing new: the feed for 2026-11-28 (Saturday) has no announcements: "
        "arXiv announces nothing for weekends"
    )
    assert store.get_source_state(RSS_KEY).watermark == dt.date(2026, 11, 28)
    assert stored_ids(store) == []


def test_304_is_nothing_new_with_its_own_reason(tmp_path: Path, store: Store) -> None:
    set_state(store, SourceState(RSS_KEY, watermark=TODAY, etag='"e1"'))
    with FakeArxiv() as fake:
        fake.script("/rss/cs.AI+cs.CL+cs.LG", Reply(304, b"", ()))
        result = poll_once(store, [claim()], settings(fake, tmp_path), now=NOW, session=polite(FakeClock()))
        assert fake.requests[0].headers["If-None-Match"] == '"e1"'
    assert result.outcome is PollOutcome.NOTHING_NEW
    assert "HTTP 304" in describe(result).headline


def test_a_watermark_after_today_is_distrusted_once_per_poll(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    set_state(store, SourceState(RSS_KEY, watermark=TODAY + dt.timedelta(days=30)))
    with FakeArxiv() as fake:
        fake.script("/rss/cs.AI+cs.CL+cs.LG", Reply(304, b"", ()))
        with caplog.at_level("WARNING", logger="freshness.poll"):
            poll_once(
                store, [claim()], settings(fake, tmp_path), now=NOW, source="rss", session=polite(FakeClock())
            )
    warned = [r for r in caplog.records if "is after today at arXiv; ignoring it" in r.getMessage()]
    assert len(warned) == 1  # planned and run from one trusted state


def test_429_and_503_with_retry_after_are_waited_out(tmp_path: Path, store: Store) -> None:
    normal_night(store)
    clock = FakeClock()
    papers = in_cats(corpus_papers(60))
    with FakeArxiv() as fake:
        fake.script(
            "/rss/cs.AI+cs.CL+cs.LG",
            too_many_requests("40"),
            unavailable("25"),
            rss([(p, "new") for p in papers]),
        )
        result = poll_once(store, [claim()], settings(fake, tmp_path), now=NOW, session=polite(clock))
    assert result.outcome is PollOutcome.GOT_PAPERS
    assert [w for w in clock.sleeps if w > 3.0] == [40.0, 25.0]
    assert result.requests == 3
    assert len(stored_ids(store)) == len(papers)
    assert store.get_source_state(RSS_KEY).watermark == TODAY


# -- faults: exit 2, nothing lost, nothing duplicated, watermark not advanced -------------------------


def _fault_cases() -> dict[str, list[Reply]]:
    feed = rss_feed([(make_paper("2611.00001"), "new")], announced=TODAY)
    return {
        "connection reset": [Reply(reset=True)] * 3,
        "slower than the read timeout": [Reply(200, feed, RSS_CT, delay=0.4)] * 3,
        "HTML page with status 200": [html_page()],
        "truncated XML": [Reply(200, feed[:-60], RSS_CT)],
        "503 storm": [unavailable("5")] * 3,
        "error feed": [
            Reply(
                400, b"<rss version='2.0'><channel><title>Feed error for query: cs.AI</title></channel></rss>"
            )
        ],
    }


@pytest.mark.parametrize("fault", sorted(_fault_cases()))
def test_an_rss_fault_is_could_not_poll_and_changes_nothing(fault: str, tmp_path: Path, store: Store) -> None:
    before = make_paper("2611.00001", title="Already stored")
    store.upsert_papers([before], source="test", now=NOW)
    normal_night(store)
    with FakeArxiv() as fake:
        fake.script("/rss/cs.AI+cs.CL+cs.LG", *_fault_cases()[fault])
        s = settings(fake, tmp_path)
        result = poll_once(store, [claim()], s, now=NOW, session=polite(FakeClock(), read_timeout=0.1))
    assert result.outcome is PollOutcome.FAILED
    summary = describe(result)
    assert summary.headline.startswith("could not poll: ")
    assert summary.tip
    assert stored_ids(store) == ["2611.00001"]
    assert store.get_papers(["2611.00001"]).get("2611.00001") == before
    state = store.get_source_state(RSS_KEY)
    assert state.watermark == YESTERDAY  # not advanced
    assert state.etag is None


def _page_faults(body: bytes) -> dict[str, list[Reply]]:
    return {
        "connection reset": [Reply(reset=True)] * 3,
        "slower than the read timeout": [Reply(200, body, XML_CT, delay=0.4)] * 3,
        "HTML page with status 200": [html_page()],
        "truncated XML": [Reply(200, body[: len(body) // 2], XML_CT)],
        "429 storm": [too_many_requests("5")] * 3,
        "OAI error element": [xml(oai_error("badArgument", "Illegal argument"))],
    }


@pytest.mark.parametrize("fault", sorted(_page_faults(b"")))
def test_an_oai_fault_on_page_2_keeps_page_1_and_the_next_poll_resumes_at_page_2(
    fault: str, tmp_path: Path, store: Store
) -> None:
    papers = corpus_papers(300)
    pages = [papers[:100], papers[100:200], papers[200:300]]
    claims = [claim(1, date=dt.date(2026, 11, 1))]
    page2 = oai_list_records(pages[1], resumption_token="p3")
    with FakeArxiv() as fake:
        s = settings(fake, tmp_path)
        fake.script(
            "/oai", xml(oai_list_records(pages[0], resumption_token="p2")), *_page_faults(page2)[fault]
        )
        failed = poll_once(
            store, claims, s, now=NOW, source="oai", session=polite(FakeClock(), read_timeout=0.1)
        )
        assert failed.outcome is PollOutcome.FAILED
        assert set(stored_ids(store)) == {p.arxiv_id for p in in_cats(pages[0])}
        state = store.get_source_state(OAI_KEY)
        assert state.watermark is None  # not advanced
        assert state.resume_token == "p2"
        assert failed.sources[0].resume_token == "p2"

        fake.script("/oai", xml(page2), xml(oai_list_records(pages[2])))
        n = len(fake.requests)
        resumed = poll_once(store, claims, s, now=NOW, source="oai", session=polite(FakeClock()))
        tokens = [r.query.get("resumptionToken") for r in fake.requests[n:]]
    assert resumed.outcome is PollOutcome.GOT_PAPERS
    assert tokens == ["p2", "p3"]
    ids = stored_ids(store)
    assert sorted(ids) == sorted({p.arxiv_id for p in in_cats(papers)})  # nothing lost, nothing twice
    assert store.get_source_state(OAI_KEY).watermark == YESTERDAY


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        ("429 then the answer", PollOutcome.GOT_PAPERS),
        ("503 then the answer", PollOutcome.GOT_PAPERS),
        ("connection reset", PollOutcome.FAILED),
        ("slower than the read timeout", PollOutcome.FAILED),
        ("truncated XML", PollOutcome.FAILED),
    ],
)
def test_api_faults(fault: str, outcome: PollOutcome, tmp_path: Path, store: Store) -> None:
    anchor = make_paper("2409.00001")
    canary = make_paper(CANARY_ID, title=CANARY_TITLE)
    good = Reply(200, atom_feed([anchor, canary]))
    replies = {
        "429 then the answer": [too_many_requests("30"), good],
        "503 then the answer": [unavailable("30"), good],
        "connection reset": [Reply(reset=True)] * 3,
        "slower than the read timeout": [Reply(200, good.body, delay=0.4)] * 3,
        "truncated XML": [Reply(200, good.body[:-80])],
    }[fault]
    clock = FakeClock()
    with FakeArxiv() as fake:
        fake.script("/api/query", *replies)
        result = look_up_anchor(store, fake, tmp_path, polite(clock, read_timeout=0.1))
    assert result.outcome is outcome
    if outcome is PollOutcome.GOT_PAPERS:
        assert stored_ids(store) == ["2409.00001"]  # the canary is not stored
        assert 30.0 in clock.sleeps
    else:
        assert stored_ids(store) == []
        assert store.get_anchor_checks(["2409.00001"]) == {}  # never "not found"


def test_an_oai_error_mid_harvest_keeps_the_stored_pages_and_skips_rss(tmp_path: Path, store: Store) -> None:
    papers = corpus_papers(300)
    set_state(store, SourceState(RSS_KEY, watermark=dt.date(2026, 11, 23)))  # two nights missed
    with FakeArxiv() as fake:
        fake.script(
            "/oai",
            xml(oai_list_records(papers[:150], resumption_token="p2")),
            xml(oai_error("badArgument", "Illegal argument")),
        )
        result = poll_once(store, [claim()], settings(fake, tmp_path), now=NOW, session=polite(FakeClock()))
        assert fake.requests_to("/rss/cs.AI+cs.CL+cs.LG") == []  # its watermark would hide the gap
    assert result.outcome is PollOutcome.FAILED
    assert result.not_attempted == (RSS_KEY,)
    assert "badArgument" in describe(result).headline
    assert set(stored_ids(store)) == {p.arxiv_id for p in in_cats(papers[:150])}
    oai = store.get_source_state(OAI_KEY)
    assert oai.watermark is None
    assert oai.resume_token == "p2"
    assert (oai.window_from, oai.window_until) == (dt.date(2026, 11, 19), YESTERDAY)
    assert store.get_source_state(RSS_KEY).watermark == dt.date(2026, 11, 23)


def test_an_expired_token_on_the_next_poll_restarts_the_window_without_gap_or_duplicate(
    tmp_path: Path, store: Store
) -> None:
    papers = corpus_papers(300)
    pages = [papers[:100], papers[100:200], papers[200:300]]
    with FakeArxiv() as fake:
        fake.script(
            "/oai",
            xml(oai_list_records(pages[0], resumption_token="p2")),
            Reply(reset=True),
            Reply(reset=True),
            Reply(reset=True),
        )
        s = settings(fake, tmp_path)
        claims = [claim(1, date=dt.date(2026, 11, 1))]
        first = poll_once(store, claims, s, now=NOW, source="oai", session=polite(FakeClock()))
        assert first.outcome is PollOutcome.FAILED
        assert store.get_source_state(OAI_KEY).resume_token == "p2"
        fake.script(
            "/oai",
            xml(oai_error("badResumptionToken", "expired")),
            xml(oai_list_records(pages[0], resumption_token="q2")),
            xml(oai_list_records(pages[1], resumption_token="q3")),
            xml(oai_list_records(pages[2])),
        )
        second = poll_once(store, claims, s, now=NOW, source="oai", session=polite(FakeClock()))
        restart = fake.requests_to("/oai")[5].query
    assert second.outcome is PollOutcome.GOT_PAPERS
    assert restart["from"] == "2026-11-01"
    assert restart["until"] == "2026-11-25"
    assert sorted(stored_ids(store)) == sorted({p.arxiv_id for p in in_cats(papers)})
    oai = second.sources[0]
    assert oai.unchanged == len(in_cats(pages[0]))  # re-fetched, stored once
    assert store.get_source_state(OAI_KEY).watermark == YESTERDAY
    assert "expired" in oai.detail


def test_api_total_results_larger_than_served_is_could_not_poll(tmp_path: Path, store: Store) -> None:
    canary = make_paper(CANARY_ID, title=CANARY_TITLE)
    with FakeArxiv() as fake:
        # arXiv says 2 results but sends only the canary; the next page is empty. The anchor is not
        # "not found": the answer is incomplete.
        fake.on(
            "/api/query",
            lambda req: Reply(
                200, atom_feed([canary] if req.query.get("start") == "0" else [], total_results=2)
            ),
        )
        result = look_up_anchor(store, fake, tmp_path)
        starts = [r.query.get("start") for r in fake.requests]
    assert starts[:2] == ["0", "1"]
    assert result.outcome is PollOutcome.FAILED
    assert stored_ids(store) == []
    assert store.get_source_state("api:anchors").last_success is None


def test_api_html_page_is_could_not_poll_never_not_found(tmp_path: Path, store: Store) -> None:
    with FakeArxiv() as fake:
        fake.on("/api/query", lambda req: html_page())
        result = look_up_anchor(store, fake, tmp_path)
    assert result.outcome is PollOutcome.FAILED
    assert "not found" not in describe(result).headline
    assert stored_ids(store) == []


def test_an_anchor_arxiv_lacks_is_remembered_so_the_next_nights_do_not_ask_again(
    tmp_path: Path, store: Store
) -> None:
    normal_night(store)
    known = make_paper("2409.00001")
    claims = [claim(anchors=["2409.00001", "2409.99999"])]
    with FakeArxiv() as fake:
        fake.on("/api/query", api_handler([known]))  # type: ignore[arg-type]
        fake.on("/rss/cs.AI+cs.CL+cs.LG", lambda req: rss([], day=TODAY))
        s = settings(fake, tmp_path)
        first = poll_once(store, claims, s, now=NOW, session=polite(FakeClock()))
        later = NOW + dt.timedelta(days=1)
        second = poll_once(store, claims, s, now=later, session=polite(FakeClock()))
        asked = [r.path for r in fake.requests]
    assert asked == ["/rss/cs.AI+cs.CL+cs.LG", "/api/query", "/rss/cs.AI+cs.CL+cs.LG"]
    assert first.outcome is PollOutcome.GOT_PAPERS
    assert "arXiv has no paper 2409.99999" in first.sources[1].detail
    assert [s.source for s in second.sources] == [RSS_KEY]
    check = store.get_anchor_checks(["2409.99999"])["2409.99999"]
    assert check.status.value == "not_found"
    assert check.checked_at == NOW


# -- requests do not grow with claims ---------------------------------------------------------------


@pytest.mark.parametrize("n_claims", [10, 100])
def test_a_nightly_poll_makes_one_request_for_10_or_100_claims(
    n_claims: int, tmp_path: Path, store: Store
) -> None:
    anchors = [f"2410.{i + 1:05d}" for i in range(n_claims)]
    store.upsert_papers([make_paper(a) for a in anchors], source="test", now=NOW)  # known anchors
    normal_night(store)
    claims = [claim(i, anchors=[anchors[i]]) for i in range(n_claims)]
    papers = in_cats(corpus_papers(200))
    clock = FakeClock()
    with FakeArxiv() as fake:
        fake.on("/rss/cs.AI+cs.CL+cs.LG", lambda req: rss([(p, "new") for p in papers]))
        result = poll_once(store, claims, settings(fake, tmp_path), now=NOW, session=polite(clock))
        assert len(fake.requests) == 1
    assert result.requests == 1
    assert result.outcome is PollOutcome.GOT_PAPERS


def test_first_poll_request_count_does_not_grow_with_claims(tmp_path: Path) -> None:
    counts = []
    for n in (10, 100):
        with Store.open(tmp_path / f"s{n}.sqlite") as store, FakeArxiv() as fake:
            listing = xml(oai_list_records(corpus_papers(50)))  # in the test's thread: a skip reaches pytest
            fake.on("/oai", lambda req, listing=listing: listing)
            fake.on("/rss/cs.AI+cs.CL+cs.LG", lambda req: rss([]))
            claims = [claim(i, date=dt.date(2026, 11, 1)) for i in range(n)]
            result = poll_once(store, claims, settings(fake, tmp_path), now=NOW, session=polite(FakeClock()))
            counts.append(result.requests)
    assert counts == [2, 2]  # one OAI page + one RSS feed, for 10 and for 100 claims


# -- dry run ----------------------------------------------------------------------------------------


def test_dry_run_requests_nothing(tmp_path: Path) -> None:
    """(That a dry run creates no store is the CLI's open_store: test_cli_poll.)"""
    with FakeArxiv() as fake:
        s = settings(fake, tmp_path)
        with Store.open(Path(":memory:")) as store:
            result = poll_once(store, [claim()], s, now=NOW, dry_run=True)
        assert fake.requests == []
    assert result.estimated_seconds == 6.0  # OAI first page + RSS, at 3 s each
    summary = describe(result)
    assert summary.headline.startswith("dry run: 2 requests planned, at least 6 s at 3 s a request")
    assert any(line.startswith("GET " + fake.url("/oai?")) for line in summary.lines)


# -- migration ----------------------------------------------------------------------------------------


def test_the_harvest_window_round_trips_through_the_store(store: Store) -> None:
    state = SourceState(
        OAI_KEY, watermark=YESTERDAY, resume_token="t", window_from=dt.date(2026, 11, 1), window_until=TODAY
    )
    set_state(store, state)
    assert store.get_source_state(OAI_KEY) == state


# -- kill -9 ------------------------------------------------------------------------------------------

CLAIMS_YAML = """\
version: 1
defaults:
  categories: [cs.AI, cs.CL, cs.LG]
claims:
  - id: kill-test
    claim: A claim that needs a store.
    date: 2026-11-01
    topics: [anything at all]
"""


def _poll_process(fake: FakeArxiv, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **fake.env()}
    cmd = [sys.executable, "-m", "freshness", "--claims", str(tmp_path / "claims.yaml")]
    cmd += ["--db", str(tmp_path / "store.sqlite"), "poll", "--source", "oai"]
    return subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_poll_killed_after_its_first_page_resumes_at_the_second(tmp_path: Path) -> None:
    (tmp_path / "claims.yaml").write_text(CLAIMS_YAML)
    papers = corpus_papers(300)
    pages = [papers[:100], papers[100:200], papers[200:300]]
    second_page_asked = threading.Event()

    def first_run(req: FakeRequest) -> Reply:
        if req.query.get("resumptionToken") == "p2":
            second_page_asked.set()  # page 1 is committed before page 2 is asked for
            return Reply(200, oai_list_records(pages[1]), XML_CT, delay=30)  # never answered in time
        return xml(oai_list_records(pages[0], resumption_token="p2"))

    with FakeArxiv() as fake:
        fake.on("/oai", first_run)
        proc = _poll_process(fake, tmp_path)
        try:
            assert second_page_asked.wait(60), proc.communicate(timeout=5)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        assert proc.returncode == -signal.SIGKILL

        with Store.open(tmp_path / "store.sqlite") as store:
            assert set(stored_ids(store)) == {p.arxiv_id for p in in_cats(pages[0])}
            killed = store.get_source_state(OAI_KEY)
        assert killed.resume_token == "p2"
        assert killed.watermark is None  # the window is not done
        bound = last_complete_day(dt.datetime.now(dt.UTC)) - dt.timedelta(days=BACKFILL_MAX_DAYS)
        assert killed.window_from == max(dt.date(2026, 11, 1), bound)  # the subprocess uses the real clock

        served: list[str] = []

        def second_run(req: FakeRequest) -> Reply:
            token = req.query.get("resumptionToken", "")
            served.append(token)
            if token == "p2":
                return xml(oai_list_records(pages[1], resumption_token="p3"))
            if token == "p3":
                return xml(oai_list_records(pages[2]))
            return xml(oai_error("badArgument", "the harvest should have resumed"))

        fake.on("/oai", second_run)
        proc = _poll_process(fake, tmp_path)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert served == ["p2", "p3"]  # resumed at page 2: page 1 was not asked for again
    assert out.decode().startswith("got ")
    with Store.open(tmp_path / "store.sqlite") as store:
        ids = stored_ids(store)
        done = store.get_source_state(OAI_KEY)
    assert len(ids) == len(set(ids))
    assert set(ids) == {p.arxiv_id for p in in_cats(papers)}  # no gap
    assert done.resume_token is None
    assert done.watermark == killed.window_until  # the window's last day, now complete
