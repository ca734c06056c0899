"""sources/arxiv_api: canary-checked id lookups, searches and arXivRaw records against a loopback arXiv."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import arxiv
import pytest

from freshness.arxiv_ids import ArxivId, parse_arxiv_id
from freshness.errors import SourceUnavailable
from freshness.http import PoliteSession
from freshness.models import Paper
from freshness.pacing import RateLimiter
from freshness.sources.arxiv_api import (
    CANARY_ID,
    ArxivApiSource,
    fetch_raw_record,
    paper_from_result,
    topics_query,
)
from tests.conftest import FakeClock, make_paper, shared_path
from tests.fakearxiv import (
    ATOM_CT,
    CANARY_TITLE,
    XML_CT,
    FakeArxiv,
    FakeRequest,
    Handler,
    Reply,
    atom_feed,
    html_page,
    oai_error,
    oai_get_record,
    too_many_requests,
)

CANARY = make_paper(
    CANARY_ID, title=CANARY_TITLE, categories=("math.CO", "math.ST"), published=dt.date(2016, 5, 26)
)


def polite(clock: FakeClock | None = None, **kw: float) -> PoliteSession:
    clock = clock or FakeClock()
    limiter = RateLimiter(3.0, None, clock=clock, sleep=clock.sleep)
    return PoliteSession(user_agent="freshness/test (+mailto:t@example.org)", limiter=limiter, **kw)


def api_handler(papers: Sequence[Paper]) -> Handler:
    """Answer id_list lookups like arXiv: the latest version of each known id, in arXiv's own order
    (reversed here, to catch code that maps by position), paged by start/max_results."""
    by_id = {p.arxiv_id: p for p in papers}

    def handle(req: FakeRequest) -> Reply:
        asked = [i for i in req.query.get("id_list", "").split(",") if i]
        found = [by_id[parse_arxiv_id(i).base] for i in asked if parse_arxiv_id(i).base in by_id][::-1]
        start, size = int(req.query.get("start", "0")), int(req.query["max_results"])
        return Reply(200, atom_feed(found[start : start + size], total_results=len(found), start=start))

    return handle


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv() as server:
        yield server


def source(fake: FakeArxiv, clock: FakeClock | None = None, **kw: float) -> ArxivApiSource:
    return ArxivApiSource(polite(clock, **kw), fake.url("/api/query"), oai_url=fake.url("/oai"))


def ids(*texts: str) -> list[ArxivId]:
    return [parse_arxiv_id(t) for t in texts]


# -- id lookups -----------------------------------------------------------------------------------


def test_lookup_maps_answers_back_by_id_and_absent_means_not_found(fake: FakeArxiv) -> None:
    papers = [make_paper("2508.01191", version=3, updated=dt.date(2025, 10, 2)), make_paper("2401.00001")]
    fake.on("/api/query", api_handler([CANARY, *papers]))
    got = source(fake).lookup(ids("2508.01191v1", "2401.00001", "2509.99999"))
    assert set(got) == {"2508.01191", "2401.00001"}  # 2509.99999: arXiv has no such paper
    assert got["2508.01191"].version == 3  # the latest, although v1 was cited
    [req] = fake.requests
    # Unversioned ids (arXiv then answers with the latest version) plus the canary, counted exactly.
    assert req.query["id_list"] == f"2508.01191,2401.00001,2509.99999,{CANARY_ID}"
    assert req.query["max_results"] == "4"
    assert req.headers["User-Agent"].startswith("freshness/")


def test_the_canary_is_not_reported_unless_asked_for(fake: FakeArxiv) -> None:
    fake.on("/api/query", api_handler([CANARY]))
    assert source(fake).lookup(ids("2401.00001")) == {}
    assert set(source(fake).lookup(ids(CANARY_ID))) == {CANARY_ID}
    assert fake.requests[-1].query["id_list"] == CANARY_ID  # not asked twice


def test_more_than_one_batch_carries_the_canary_in_each_and_exact_max_results(fake: FakeArxiv) -> None:
    wanted = [make_paper(f"2401.{n:05d}") for n in range(1, 151)]
    fake.on("/api/query", api_handler([CANARY, *wanted]))
    got = source(fake).lookup(ids(*(p.arxiv_id for p in wanted)))
    assert set(got) == {p.arxiv_id for p in wanted}
    assert len(fake.requests) == 2
    for req in fake.requests:
        asked = req.query["id_list"].split(",")
        assert CANARY_ID in asked
        assert len(asked) <= 100
        assert req.query["max_results"] == str(len(asked))
    assert [len(r.query["id_list"].split(",")) for r in fake.requests] == [100, 52]


def test_old_style_ids_from_real_recorded_responses(fake: FakeArxiv) -> None:
    # Splice the real astro-ph/0601001 entry into the real canary response (both recorded in 2026).
    canary = shared_path(
        "data", "arxiv", "wire", "api", "id_1605.08386_s0_m100_199195aa31ad.xml"
    ).read_bytes()
    old = shared_path(
        "data", "arxiv", "wire", "api", "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml"
    ).read_bytes()
    entry = re.search(rb"<entry>.*</entry>", old, re.S)
    assert entry is not None
    body = canary.replace(b"</feed>", b"  " + entry.group(0) + b"\n</feed>").replace(
        b"<opensearch:totalResults>1<", b"<opensearch:totalResults>2<"
    )
    fake.on("/api/query", lambda req: Reply(200, body, ATOM_CT))
    got = source(fake).lookup(ids("astro-ph/0601001"))
    paper = got["astro-ph/0601001"]
    assert paper.version == 1
    assert paper.title.startswith("Frequency of Hot Jupiters and Very Hot Jupiters")
    assert not paper.abstract.startswith(" ")
    assert "\n" not in paper.abstract
    assert fake.requests[0].query["id_list"] == f"astro-ph/0601001,{CANARY_ID}"


def test_a_malformed_id_is_refused_before_any_request(fake: FakeArxiv) -> None:
    fake.on("/api/query", api_handler([CANARY]))
    with pytest.raises(ValueError, match="malformed"):
        source(fake).lookup([ArxivId("abc")])
    assert fake.requests == []


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (html_page(), "HTML page"),
        (Reply(200, atom_feed([CANARY, make_paper("2401.00001")])[:900], ATOM_CT), "truncated"),
        (Reply(200, atom_feed([]), ATOM_CT), f"without the known paper {CANARY_ID}"),
        (Reply(200, b"", ATOM_CT), "empty body"),
        (Reply(200, atom_feed([], total_results=2), ATOM_CT), "sent none"),
        (Reply(404, b"no such endpoint", (("Content-Type", "text/plain"),)), "HTTP 404"),
    ],
    ids=["html-200", "truncated-xml", "empty-feed", "empty-body", "over-reported-total", "http-404"],
)
def test_bogus_answers_are_unavailable_never_not_found(fake: FakeArxiv, reply: Reply, message: str) -> None:
    fake.script("/api/query", reply)
    with pytest.raises(SourceUnavailable, match=message):
        source(fake).lookup(ids("2401.00001"))


def test_a_truncated_body_that_lxml_would_salvage_is_still_refused(fake: FakeArxiv) -> None:
    # Cut after the canary's entry: arxiv's recover=True parser would return the canary and call
    # 2401.00002 "not found". The wire check refuses the whole page instead.
    body = atom_feed([CANARY, make_paper("2401.00002")])
    cut = body.index(b"</entry>") + len(b"</entry>") + 10
    fake.script("/api/query", Reply(200, body[:cut], ATOM_CT))
    with pytest.raises(SourceUnavailable, match="truncated"):
        source(fake).lookup(ids("2401.00002"))


def test_a_connection_that_closes_mid_body_is_retried_then_unavailable(fake: FakeArxiv) -> None:
    body = atom_feed([CANARY, make_paper("2401.00002")])
    fake.on("/api/query", lambda req: Reply(200, body, ATOM_CT, truncate_at=len(body) // 2))
    with pytest.raises(SourceUnavailable, match="could not connect"):
        source(fake, max_retries=2, backoff=1.0).lookup(ids("2401.00002"))
    assert len(fake.requests) == 3


def test_the_real_400_error_feed_is_reported_with_arxivs_reason(fake: FakeArxiv) -> None:
    body = shared_path("data", "arxiv", "wire", "api", "id_abc_s0_m100_b79c8dcf6bc3.xml").read_bytes()
    fake.script("/api/query", Reply(400, body, ATOM_CT))
    with pytest.raises(SourceUnavailable, match="incorrect id format for abc"):
        source(fake).lookup(ids("2401.00001"))
    assert len(fake.requests) == 1  # a 400 is not retried


def test_a_429_storm_gives_up_as_unavailable_without_sleeping_for_real(fake: FakeArxiv) -> None:
    clock = FakeClock()
    fake.on("/api/query", lambda req: too_many_requests("30"))
    with pytest.raises(SourceUnavailable, match="HTTP 429"):
        source(fake, clock, max_retries=3, backoff=5.0).lookup(ids("2401.00001"))
    assert len(fake.requests) == 4
    assert [w for w in clock.sleeps if w > 3] == [30.0, 30.0, 30.0]  # Retry-After honoured


def test_server_down_is_unavailable(fake: FakeArxiv) -> None:
    url = fake.url("/api/query")
    fake.__exit__(None, None, None)
    dead = ArxivApiSource(polite(max_retries=1, backoff=1.0), url)
    with pytest.raises(SourceUnavailable, match="could not connect"):
        dead.lookup(ids("2401.00001"))
    fake.__enter__()  # the fixture closes it again


# -- search ---------------------------------------------------------------------------------------


def test_search_sends_a_topics_query_over_a_submission_window_and_pages(fake: FakeArxiv) -> None:
    found = [make_paper(f"2509.{n:05d}", published=dt.date(2025, 9, 1 + n % 20)) for n in range(1, 8)]

    def handle(req: FakeRequest) -> Reply:
        start, size = int(req.query["start"]), int(req.query["max_results"])
        return Reply(200, atom_feed(found[start : start + size], total_results=len(found), start=start))

    fake.on("/api/query", handle)
    src = source(fake)
    query = topics_query(["chain-of-thought", 'the "faithful" reasoning'])
    assert query == (
        'abs:"chain-of-thought" OR ti:"chain-of-thought" OR abs:"the faithful reasoning" '
        'OR ti:"the faithful reasoning"'
    )
    src_papers = src.search(
        query, submitted_from=dt.date(2025, 8, 2), submitted_to=dt.date(2025, 11, 30), max_results=100
    )
    assert [p.arxiv_id for p in src_papers] == [p.arxiv_id for p in found]
    [req] = fake.requests
    assert req.query["search_query"] == f"({query}) AND submittedDate:[202508020000 TO 202511302359]"
    assert req.query["sortBy"] == "submittedDate"
    assert req.query["sortOrder"] == "ascending"
    assert req.query["max_results"] == "100"

    fake.requests.clear()
    few = src.search(
        query, submitted_from=dt.date(2025, 8, 2), submitted_to=dt.date(2025, 11, 30), max_results=5
    )
    assert len(few) == 5
    assert len(fake.requests) == 1
    assert fake.requests[0].query["max_results"] == "5"


def test_search_dedupes_overlapping_pages(fake: FakeArxiv) -> None:
    a, b, c = (make_paper(f"2509.0000{n}") for n in (1, 2, 3))
    fake.script(
        "/api/query",
        Reply(200, atom_feed([a, b], total_results=3, start=0)),
        Reply(200, atom_feed([b, c], total_results=3, start=1)),  # overlaps, as after a skipped entry
    )
    src = ArxivApiSource(polite(), fake.url("/api/query"))
    client_pages: list[Paper] = src.search(
        "ti:x", submitted_from=dt.date(2025, 9, 1), submitted_to=dt.date(2025, 9, 30), max_results=10
    )
    assert sorted(p.arxiv_id for p in client_pages) == ["2509.00001", "2509.00002", "2509.00003"]


def test_an_empty_search_is_empty_but_a_bogus_one_is_unavailable(fake: FakeArxiv) -> None:
    fake.script("/api/query", Reply(200, atom_feed([])), html_page())
    src = source(fake)
    window = {"submitted_from": dt.date(2025, 9, 1), "submitted_to": dt.date(2025, 9, 30), "max_results": 10}
    assert src.search("ti:nothing", **window) == []  # type: ignore[arg-type]
    with pytest.raises(SourceUnavailable, match="HTML page"):
        src.search("ti:nothing", **window)  # type: ignore[arg-type]


# -- conversion -----------------------------------------------------------------------------------


def test_paper_from_result_normalises_the_package_result() -> None:
    result = arxiv.Result(
        entry_id="http://arxiv.org/abs/2005.14124v2",
        published=dt.datetime(2020, 5, 28, 17, 0, tzinfo=dt.UTC),
        updated=dt.datetime(2020, 9, 3, 23, 30, tzinfo=dt.UTC),
        title="A  title\n   on two lines",
        authors=[arxiv.Result.Author("Ada  Lovelace"), arxiv.Result.Author("Alan Turing")],
        summary="  First line\n  second line. ",
        comment="12 pages",
        journal_ref=None,
        doi="https://doi.org/10.1109/5.771073",
        primary_category="cs.SE",
        categories=["cs.LG", "cs.SE"],
    )
    paper = paper_from_result(result)
    assert paper.arxiv_id == "2005.14124"
    assert paper.version == 2
    assert paper.title == "A title on two lines"
    assert paper.abstract == "First line second line."
    assert paper.authors == ("Ada Lovelace", "Alan Turing")
    assert paper.categories == ("cs.SE", "cs.LG")
    assert paper.doi == "10.1109/5.771073"
    assert (paper.published, paper.updated) == (dt.date(2020, 5, 28), dt.date(2020, 9, 3))
    assert [v.number for v in paper.versions] == [1, 2]
    assert paper.withdrawn is None


# -- OAI-PMH arXivRaw -----------------------------------------------------------------------------


def withdrawn_sample(name: str) -> bytes:
    return oai_get_record(shared_path("data", "arxiv", "wire", "oai", "withdrawn", name).read_bytes())


@pytest.mark.parametrize(
    ("name", "arxiv_id", "version", "withdrawn"),
    [
        ("rendered_arXivRaw_0903.0442.xml", "0903.0442", 5, True),
        ("rendered_arXivRaw_cond-mat_0703772.xml", "cond-mat/0703772", None, True),
        ("rendered_arXivRaw_1101.2736.xml", "1101.2736", 3, False),  # withdrawn v2, then a normal v3
    ],
)
def test_fetch_raw_record_reads_withdrawal_from_real_arxivraw_records(
    fake: FakeArxiv, name: str, arxiv_id: str, version: int | None, withdrawn: bool
) -> None:
    body = withdrawn_sample(name)  # here, not in the server's thread: a skip must reach pytest
    fake.on("/oai", lambda req: Reply(200, body, XML_CT))
    paper = fetch_raw_record(polite(), fake.url("/oai"), parse_arxiv_id(arxiv_id))
    assert paper is not None
    assert paper.arxiv_id == arxiv_id
    assert paper.withdrawn is withdrawn
    if version is not None:
        assert paper.version == version
    [req] = fake.requests
    assert req.query == {
        "verb": "GetRecord",
        "identifier": f"oai:arXiv.org:{arxiv_id}",
        "metadataPrefix": "arXivRaw",
    }


def test_fetch_raw_record_id_does_not_exist_comes_with_http_200(fake: FakeArxiv) -> None:
    body = shared_path(
        "data", "arxiv", "wire", "oai", "generated-by-arXiv-oaipmh", "error_idDoesNotExist.xml"
    )
    fake.on("/oai", lambda req: Reply(200, body.read_bytes(), XML_CT))
    assert fetch_raw_record(polite(), fake.url("/oai"), "2509.99999") is None


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (html_page(), "HTML page"),
        (Reply(200, oai_error("badArgument", "Illegal argument"), XML_CT), "badArgument"),
        (
            Reply(
                200, oai_get_record(b"<record><header><identifier>x</identifier></header></record>"), XML_CT
            ),
            "usable",
        ),
        (Reply(500, b"oops", XML_CT), "HTTP 500"),
    ],
    ids=["html-200", "oai-error", "no-record", "http-500"],
)
def test_fetch_raw_record_refuses_bogus_answers(fake: FakeArxiv, reply: Reply, message: str) -> None:
    fake.on("/oai", lambda req: reply)
    with pytest.raises(SourceUnavailable, match=message):
        fetch_raw_record(polite(max_retries=0), fake.url("/oai"), "2401.00001")


def test_raw_record_uses_the_configured_oai_endpoint(fake: FakeArxiv, tmp_path: Path) -> None:
    body = withdrawn_sample("rendered_arXivRaw_0906.3336.xml")  # in the test's thread (a skip)
    fake.on("/oai", lambda req: Reply(200, body, XML_CT))
    paper = source(fake).raw_record("0906.3336")
    assert paper is not None
    assert paper.withdrawn is True
    assert fake.requests[0].path == "/oai"
