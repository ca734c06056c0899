"""OaiPmhSource against the loopback arXiv: the real rendered resumptionToken chain and error responses,
pages built from real corpus records, expired tokens, and responses that must not read as "no papers"."""

from __future__ import annotations

import datetime as dt

import pytest

from freshness.errors import SourceUnavailable, WireFormatError
from freshness.http import PoliteSession
from freshness.models import SourceState
from freshness.pacing import RateLimiter
from freshness.sources.oai_pmh import OaiPmhSource, in_categories, set_spec_of, sets_for
from freshness.sources.wire import parse_oai
from tests.conftest import NOW, FakeClock, make_paper, shared_path
from tests.fakearxiv import XML_CT, FakeArxiv, Reply, html_page, oai_list_records
from tests.test_poll import corpus_papers

START, UNTIL = dt.date(2026, 11, 1), dt.date(2026, 11, 25)


def polite(clock: FakeClock | None = None) -> PoliteSession:
    clock = clock or FakeClock()
    limiter = RateLimiter(3.0, None, clock=clock, sleep=clock.sleep)
    return PoliteSession(
        user_agent="freshness/test (+mailto:t@example.org)", limiter=limiter, backoff=5.0, max_retries=1
    )


def generated(name: str) -> bytes:
    return shared_path("data", "arxiv", "wire", "oai", "generated-by-arXiv-oaipmh", name).read_bytes()


def xml(body: bytes) -> Reply:
    return Reply(200, body, XML_CT)


def source(fake: FakeArxiv, categories: list[str], *, start: dt.date = START) -> OaiPmhSource:
    cats = sorted(categories)
    return OaiPmhSource(polite(), fake.url("/oai"), set_spec_of(cats[0]), cats, start=start, until=UNTIL)


def test_sets_are_archives_derived_from_the_watched_categories() -> None:
    assert sets_for(["cs.CL", "cs.AI", "hep-th", "astro-ph.CO", "math.AG", "stat.ML", "q-bio.NC"]) == {
        "cs": ("cs.AI", "cs.CL"),
        "math": ("math.AG",),
        "physics:astro-ph": ("astro-ph.CO",),
        "physics:hep-th": ("hep-th",),
        "q-bio": ("q-bio.NC",),
        "stat": ("stat.ML",),
    }
    assert set_spec_of("math-ph") == "physics:math-ph"  # a physics archive, not math
    assert set_spec_of("quant-ph") == "physics:quant-ph"


def test_category_filter_accepts_cross_lists_and_whole_archives() -> None:
    cross = make_paper(categories=("cs.CV", "cs.CL"))
    assert in_categories(cross, frozenset({"cs.CL"}))
    assert not in_categories(cross, frozenset({"cs.AI"}))
    assert in_categories(cross, frozenset({"cs"}))
    assert in_categories(make_paper(categories=("hep-th",)), frozenset({"hep-th"}))


def test_the_real_resumption_chain_is_followed_page_by_page_with_the_token_as_resume_point() -> None:
    pages = [generated(f"ListRecords_from-until_arXiv_paged_p0{i}.xml") for i in (1, 2, 3)]
    math_ids = {
        p.arxiv_id
        for page in pages
        for p in parse_oai(page).papers
        if any(c.split(".")[0] == "math" for c in p.categories)
    }
    with FakeArxiv() as fake:
        fake.script("/oai", *(xml(p) for p in pages))
        src = source(fake, ["math"])
        batches = list(src.fetch(SourceState(src.key, watermark=dt.date(2026, 10, 31)), now=NOW))
        requests = fake.requests_to("/oai")
    assert len(batches) == 3
    first, second, third = (r.query for r in requests)
    assert first == {
        "verb": "ListRecords",
        "metadataPrefix": "arXivRaw",
        "set": "math",
        "from": "2026-11-01",
        "until": "2026-11-25",
    }
    token1 = parse_oai(pages[0]).resumption_token
    assert second == {"verb": "ListRecords", "resumptionToken": token1}  # nothing else, per the protocol
    assert third == {"verb": "ListRecords", "resumptionToken": parse_oai(pages[1]).resumption_token}
    # Pages 1 and 2 store the next token and the window; the watermark moves only with the last page.
    assert batches[0].state.resume_token == token1
    assert (batches[0].state.window_from, batches[0].state.window_until) == (START, UNTIL)
    assert batches[0].state.watermark == dt.date(2026, 10, 31)
    assert batches[2].state.resume_token is None
    assert batches[2].state.window_from is None
    assert batches[2].state.watermark == UNTIL
    assert batches[2].state.last_success == NOW
    kept = [p.arxiv_id for b in batches for p in b.papers]
    assert sorted(kept) == sorted(math_ids)
    assert sum(b.received for b in batches) == 268
    assert sum(b.skipped for b in batches) == 268 - len(math_ids)


def test_corpus_records_in_arxiv_raw_pages_are_filtered_to_the_watched_categories() -> None:
    papers = corpus_papers(300)
    pages = [papers[0:120], papers[120:240], papers[240:300]]
    watched = {"cs.CL", "cs.LG"}  # in 2024 the corpus has cs.AI on every paper
    expected = {p.arxiv_id for p in papers if watched & set(p.categories)}
    with FakeArxiv() as fake:
        fake.script(
            "/oai",
            xml(oai_list_records(pages[0], resumption_token="t1", complete_list_size=300)),
            xml(oai_list_records(pages[1], resumption_token="t2", complete_list_size=300, cursor=120)),
            xml(oai_list_records(pages[2])),
        )
        src = source(fake, sorted(watched))
        batches = list(src.fetch(SourceState(src.key), now=NOW))
    got = [p for b in batches for p in b.papers]
    assert {p.arxiv_id for p in got} == expected
    assert len(got) == len(expected)  # no paper twice
    assert 0 < len(expected) < 300
    assert batches[-1].state.watermark == UNTIL
    # arXivRaw carries every version with its date, and whether the latest is withdrawn
    by_id = {p.arxiv_id: p for p in got}
    original = next(p for p in papers if p.arxiv_id in by_id)
    assert by_id[original.arxiv_id].versions == original.versions
    assert by_id[original.arxiv_id].withdrawn is False


def test_no_records_match_is_nothing_new_and_moves_the_watermark() -> None:
    with FakeArxiv() as fake:
        fake.script("/oai", xml(generated("error_noRecordsMatch.xml")))
        src = source(fake, ["cs.CL"])
        [batch] = list(src.fetch(SourceState(src.key, watermark=dt.date(2026, 10, 31)), now=NOW))
    assert batch.papers == ()
    assert batch.nothing_new == "no records changed in cs 2026-11-01..2026-11-25"
    assert batch.state.watermark == UNTIL


def test_an_expired_token_restarts_the_stored_window_from_its_first_day() -> None:
    papers = corpus_papers(40)
    stored = SourceState(
        "oai:cs:cs.AI+cs.CL+cs.LG",
        watermark=dt.date(2026, 10, 20),
        resume_token="stale-token",
        window_from=dt.date(2026, 10, 21),
        window_until=dt.date(2026, 11, 20),
    )
    with FakeArxiv() as fake:
        fake.script(
            "/oai",
            xml(generated("error_badResumptionToken.xml")),
            xml(oai_list_records(papers[:20], resumption_token="fresh")),
            xml(oai_list_records(papers[20:])),
            xml(oai_list_records(papers[:5])),  # the new days after the old window
        )
        src = source(fake, ["cs.AI", "cs.CL", "cs.LG"])
        batches = list(src.fetch(stored, now=NOW))
        queries = [r.query for r in fake.requests_to("/oai")]
    assert queries[0] == {"verb": "ListRecords", "resumptionToken": "stale-token"}
    assert queries[1]["from"] == "2026-10-21"  # the stored window again, from its first day
    assert queries[1]["until"] == "2026-11-20"
    assert queries[2] == {"verb": "ListRecords", "resumptionToken": "fresh"}
    assert queries[3]["from"] == "2026-11-21"  # then what the request adds after that window
    assert queries[3]["until"] == "2026-11-25"
    assert batches[0].note is not None
    assert "expired" in batches[0].note
    assert batches[1].state.watermark == dt.date(2026, 11, 20)
    assert batches[-1].state.watermark == UNTIL


def test_a_token_that_keeps_expiring_is_could_not_poll() -> None:
    stored = SourceState("oai:cs:cs.CL", resume_token="stale", window_from=START, window_until=UNTIL)
    with FakeArxiv() as fake:
        fake.script(
            "/oai",
            xml(generated("error_badResumptionToken.xml")),
            xml(oai_list_records(corpus_papers(10), resumption_token="t2")),
            xml(generated("error_badResumptionToken.xml")),
        )
        src = source(fake, ["cs.CL"])
        batches = []
        fetching = src.fetch(stored, now=NOW)
        batches.append(next(fetching))
        with pytest.raises(SourceUnavailable, match="badResumptionToken"):
            next(fetching)
    assert len(batches) == 1
    assert batches[0].state.resume_token == "t2"
    assert batches[0].state.watermark is None


@pytest.mark.parametrize("name", ["error_badArgument.xml", "error_cannotDisseminateFormat.xml"])
def test_other_oai_errors_are_could_not_poll(name: str) -> None:
    with FakeArxiv() as fake:
        fake.script("/oai", xml(generated(name)))
        src = source(fake, ["cs.CL"])
        with pytest.raises(SourceUnavailable, match="OAI-PMH answered error"):
            list(src.fetch(SourceState(src.key), now=NOW))


def test_html_truncated_and_empty_pages_are_never_no_papers() -> None:
    body = oai_list_records(corpus_papers(30))
    empty_without_error = oai_list_records([])
    with FakeArxiv() as fake:
        fake.script(
            "/oai",
            html_page(),
            Reply(200, body[: len(body) // 2], XML_CT),
            xml(empty_without_error),
            Reply(200, b"", XML_CT),
        )
        src = source(fake, ["cs.CL"])
        for _ in range(4):
            with pytest.raises(WireFormatError):
                list(src.fetch(SourceState(src.key), now=NOW))


def test_a_real_503_with_retry_after_is_waited_out() -> None:
    clock = FakeClock()
    page503 = shared_path(
        "data",
        "arxiv",
        "wire",
        "oai",
        "nockFixtures__oaipmh-listrecords---should-list-identifiers-from-arxiv__0_http503.html",
    ).read_bytes()
    with FakeArxiv() as fake:
        fake.script(
            "/oai",
            Reply(503, page503, (("Content-Type", "text/html"), ("Retry-After", "20"))),
            xml(oai_list_records(corpus_papers(10))),
        )
        src = OaiPmhSource(polite(clock), fake.url("/oai"), "cs", ["cs"], start=START, until=UNTIL)
        [batch] = list(src.fetch(SourceState(src.key), now=NOW))
    assert len(batch.papers) == 10
    assert 20.0 in clock.sleeps


def test_nothing_to_harvest_makes_no_request_and_resume_comes_first_in_the_plan() -> None:
    with FakeArxiv() as fake:
        src = source(fake, ["cs.CL"], start=dt.date(2026, 11, 26))
        [batch] = list(src.fetch(SourceState(src.key, watermark=UNTIL), now=NOW))
        assert batch.nothing_new == "cs: already harvested through 2026-11-25"
        assert fake.requests == []
        resuming = SourceState(src.key, resume_token="tok", window_from=START, window_until=UNTIL)
        [planned] = source(fake, ["cs.CL"]).plan(resuming)
        assert planned.url.endswith("?verb=ListRecords&resumptionToken=tok")
        assert "resume" in planned.note
