"""Semantic Scholar and OpenAlex against a loopback server serving their recorded responses, and
faults built on them: 429 with and without Retry-After, 403 for a bad key, a page cut short, a
cursor that never ends, an empty first page, an unknown anchor."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from freshness.citations.openalex import OpenAlexSource, arxiv_id_of
from freshness.citations.semantic_scholar import SemanticScholarSource
from freshness.errors import CitationsUnavailable
from tests.citations.recorded import (
    cassette_bodies,
    openalex_response,
    openalex_work,
    reply,
    s2_citation_item,
    s2_citation_pages,
    s2_embedded_citations,
    session,
)
from tests.conftest import FakeClock, shared_path
from tests.fakearxiv import FakeArxiv, Reply

ANCHOR = "2312.07559"
S2_PATH = f"/graph/v1/paper/arXiv:{ANCHOR}/citations"


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv() as f:
        yield f


def s2(fake: FakeArxiv, clock: FakeClock, **kw: object) -> SemanticScholarSource:
    return SemanticScholarSource(session(clock), fake.url("/graph/v1"), **kw)  # type: ignore[arg-type]


# -- Semantic Scholar ------------------------------------------------------------------------------------


def test_s2_follows_the_recorded_offset_paging_to_its_end(fake: FakeArxiv) -> None:
    pages = s2_citation_pages()
    fake.on(S2_PATH, lambda req: reply(pages[int(req.query["offset"])]))
    clock = FakeClock()
    got = s2(fake, clock, page_size=100, max_pages=30).citations(ANCHOR)
    assert got.complete
    assert got.known
    assert got.problem is None
    assert got.requests == len(pages) == 19
    assert len(got.records) == sum(len(json.loads(b)["data"]) for b in pages.values())
    reqs = fake.requests_to(S2_PATH)
    assert [int(r.query["offset"]) for r in reqs] == sorted(pages)
    assert "freshness" in reqs[0].headers["User-Agent"]
    assert "curator@example.org" in reqs[0].headers["User-Agent"]
    assert "contexts" in reqs[0].query["fields"]
    assert "externalIds" in reqs[0].query["fields"]
    assert "x-api-key" not in {k.lower() for k in reqs[0].headers}
    assert clock.sleeps == [1.0] * 18  # paced: one request per second, nothing faster


def test_s2_stops_at_the_page_limit_and_says_the_list_is_incomplete(fake: FakeArxiv) -> None:
    pages = s2_citation_pages()
    fake.on(S2_PATH, lambda req: reply(pages[int(req.query["offset"])]))
    got = s2(fake, FakeClock(), page_size=100, max_pages=3).citations(ANCHOR)
    assert not got.complete
    assert got.requests == 3
    assert "stopped after 3 pages" in (got.problem or "")
    assert len(got.records) == 300


def test_s2_maps_citing_papers_to_arxiv_ids_with_contexts_and_intents(fake: FakeArxiv) -> None:
    embedded = s2_embedded_citations()
    item = s2_citation_item()
    data = [{"citingPaper": p} for p in embedded]
    data[0] = {**item, "citingPaper": {**item["citingPaper"], "externalIds": {"ArXiv": "2212.01234"}}}
    fake.script(S2_PATH, reply({"offset": 0, "data": data}))
    got = s2(fake, FakeClock(), api_key="k-123").citations(ANCHOR)
    with_arxiv = [r for r in got.records if r.arxiv_id]
    expected = {p["externalIds"]["ArXiv"] for p in embedded[1:] if (p.get("externalIds") or {}).get("ArXiv")}
    assert {r.arxiv_id for r in with_arxiv} == expected | {"2212.01234"}
    assert len(expected) >= 240  # SOURCES.md: 243 of the 1,000 carry externalIds.ArXiv
    first = got.records[0]
    assert first.influential
    assert len(first.contexts) == 4
    assert first.contexts[2].intents == ("result",)
    assert first.contexts[2].source == "Semantic Scholar"
    assert fake.requests_to(S2_PATH)[0].headers.get("x-api-key") == "k-123"


def test_s2_waits_as_retry_after_says_then_backs_off_without_it(fake: FakeArxiv) -> None:
    body_429 = {"message": "Too Many Requests. Please wait and try again or apply for a key.", "code": "429"}
    page = {"offset": 0, "data": []}
    fake.script(S2_PATH, reply(body_429, 429, **{"Retry-After": "30"}), reply(body_429, 429), reply(page))
    clock = FakeClock()
    got = s2(fake, clock).citations(ANCHOR)
    assert got.complete
    assert got.records == ()
    assert 30.0 in clock.sleeps
    assert 10.0 in clock.sleeps


def test_s2_rate_limited_to_the_end_is_unavailable_never_no_citations(fake: FakeArxiv) -> None:
    fake.on(S2_PATH, lambda req: reply({"message": "Too Many Requests", "code": "429"}, 429))
    with pytest.raises(CitationsUnavailable, match="429"):
        s2(fake, FakeClock()).citations(ANCHOR)
    assert len(fake.requests_to(S2_PATH)) == 4  # max_retries 3: four tries, then it gives up


def test_s2_bad_key_is_a_403_with_a_tip(fake: FakeArxiv) -> None:
    (_, status, body), *_ = cassette_bodies(
        shared_path("data", "citations", "semanticscholar-danielnsilva", "test_debug.yaml")
    )
    assert status == 403
    fake.script(S2_PATH, reply(body, status))
    with pytest.raises(CitationsUnavailable) as info:
        s2(fake, FakeClock(), api_key="bad").citations(ANCHOR)
    assert "403" in str(info.value)
    assert "FRESHNESS_S2_API_KEY" in (info.value.tip or "")


def test_s2_unknown_paper_is_a_recorded_404(fake: FakeArxiv) -> None:
    cassette = shared_path("data", "citations", "semanticscholar-danielnsilva", "test_not_found.yaml")
    (_, status, body), *_ = cassette_bodies(cassette)
    fake.script(S2_PATH, reply(body, status))
    got = s2(fake, FakeClock()).citations(ANCHOR)
    assert not got.known
    assert got.complete
    assert got.records == ()


def test_s2_page_cut_short_is_incomplete(fake: FakeArxiv) -> None:
    pages = s2_citation_pages()
    cut = json.loads(pages[100])
    cut["data"] = cut["data"][:40]  # says next=200 but holds 40 of 100
    fake.script(S2_PATH, reply(pages[0]), reply(cut))
    got = s2(fake, FakeClock(), page_size=100).citations(ANCHOR)
    assert not got.complete
    assert got.problem == "a page held 40 of 100 citations"
    assert len(got.records) == 140


def test_s2_empty_first_page_is_no_citations_only_when_it_says_so(fake: FakeArxiv) -> None:
    cassette = shared_path(
        "data", "citations", "semanticscholar-danielnsilva", "test_empty_paginated_results.yaml"
    )
    (_, _, empty), *_ = cassette_bodies(cassette)  # {"total": 0, "offset": 0}: no data, no next
    fake.script(S2_PATH, reply(empty), reply({"offset": 0, "next": 1000, "data": []}))
    assert s2(fake, FakeClock()).citations(ANCHOR).complete
    cut = s2(fake, FakeClock()).citations(ANCHOR)  # an empty page that still promises more
    assert not cut.complete
    assert cut.problem == "a page held 0 of 1000 citations"


def test_s2_oversized_or_non_json_answers_are_unavailable(fake: FakeArxiv) -> None:
    fake.script(S2_PATH, Reply(200, b"<html>maintenance</html>", (("Content-Type", "text/html"),)))
    with pytest.raises(CitationsUnavailable, match="not JSON"):
        s2(fake, FakeClock()).citations(ANCHOR)


# -- OpenAlex --------------------------------------------------------------------------------------------


def openalex(fake: FakeArxiv, clock: FakeClock, **kw: object) -> OpenAlexSource:
    return OpenAlexSource(session(clock), fake.url(""), mailto="curator@example.org", **kw)  # type: ignore[arg-type]


WORK_PATH = f"/works/https://doi.org/10.48550/arxiv.{ANCHOR}"


def test_openalex_resolves_the_arxiv_doi_then_follows_the_cursor_to_the_recorded_end(fake: FakeArxiv) -> None:
    work = openalex_work()
    first = openalex_response("oa_snowball_03.json")  # cites: page with a next_cursor
    end = openalex_response("pro_snowball_04.json")  # results [] and next_cursor null
    assert first["response"]["body"]["meta"]["next_cursor"]
    assert end["response"]["body"]["meta"]["next_cursor"] is None
    fake.script(WORK_PATH, reply(work))
    fake.script("/works", reply(first["response"]["body"]), reply(end["response"]["body"]))
    got = openalex(fake, FakeClock()).citations(ANCHOR)
    assert got.complete
    assert got.service_id == "W2741809807"
    assert len(got.records) == len(first["response"]["body"]["results"]) == 5
    reqs = fake.requests_to("/works")
    assert reqs[0].query["filter"] == "cites:W2741809807"
    assert reqs[0].query["cursor"] == "*"
    assert reqs[1].query["cursor"] == first["response"]["body"]["meta"]["next_cursor"]
    assert all(r.query["mailto"] == "curator@example.org" for r in fake.requests)
    # The W id is kept: next time the anchor is not resolved again.
    fake.script("/works", reply(end["response"]["body"]))
    again = openalex(fake, FakeClock()).citations(ANCHOR, service_id="W2741809807")
    assert again.requests == 1
    assert len(fake.requests_to(WORK_PATH)) == 1


def test_openalex_cursor_that_never_ends_is_incomplete(fake: FakeArxiv) -> None:
    first = openalex_response("oa_snowball_03.json")["response"]["body"]
    fake.on("/works", lambda req: reply(first))
    got = openalex(fake, FakeClock()).citations(ANCHOR, service_id="W1")
    assert not got.complete
    assert got.problem == "the cursor repeated"
    assert got.requests == 2


def test_openalex_unknown_anchor_and_recorded_400(fake: FakeArxiv) -> None:
    fake.script(WORK_PATH, reply({"error": "not found"}, 404))
    assert not openalex(fake, FakeClock()).citations(ANCHOR).known
    bad = openalex_response("opt_filter_names_00.json")["response"]
    fake.script("/works", reply(bad["body"], bad["status"]))
    with pytest.raises(CitationsUnavailable, match="HTTP 400"):
        openalex(fake, FakeClock()).citations(ANCHOR, service_id="W1")


def test_openalex_knows_an_arxiv_preprint_only_by_its_datacite_doi() -> None:
    cassette = shared_path("data", "citations", "paper-qa", "test_title_search[paper_attributes1].yaml")
    works = [
        w
        for uri, status, body in cassette_bodies(cassette)
        if "openalex" in uri and status == 200
        for w in json.loads(body).get("results", [])
    ]
    assert works, "the recording holds the OpenAlex answer"
    assert {arxiv_id_of(w) for w in works} == {"2312.07559"}
    assert "arxiv" not in works[0]["ids"]  # no ids.arxiv key: the DOI is the only way
    assert arxiv_id_of(openalex_work()) is None  # a journal article: no arXiv id
    assert (
        arxiv_id_of({"locations": [{"landing_page_url": "https://arxiv.org/abs/2405.19561v2"}]})
        == "2405.19561"
    )
