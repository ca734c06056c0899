"""Semantic Scholar's `POST /paper/batch` over the polite session (pacing, 429 and Retry-After, size
cap, request order, `null` slots), its use in the nightly step, and `check-anchors` confirming an
anchor's identity through it when arXiv is down. The records are real (../shared/data/citations/)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from freshness.anchors import check_anchors
from freshness.citations.identity import SemanticScholarIdentity
from freshness.citations.refresh import refresh_citations
from freshness.citations.semantic_scholar import SemanticScholarSource
from freshness.claims import load_claims
from freshness.errors import CitationsUnavailable
from freshness.models import AnchorStatus, CitationSettings
from freshness.store import Store
from tests.citations.recorded import cassette_bodies, reply, s2_file, session
from tests.conftest import FakeClock, shared_path
from tests.fakearxiv import FakeArxiv, FakeRequest, Reply

BATCH = "/graph/v1/paper/batch"
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv() as f:
        yield f


def recorded_s2_records() -> dict[str, dict[str, Any]]:
    """Real S2 records of two arXiv preprints, by arXiv id (paper-qa's cassette)."""
    path = shared_path("data", "citations", "paper-qa", "test_bulk_doi_search.yaml")
    out = {}
    for uri, status, body in cassette_bodies(path):
        if "semanticscholar" in uri and status == 200:
            rec = json.loads(body)
            arxiv = (rec.get("externalIds") or {}).get("ArXiv")
            if arxiv:
                out[arxiv] = rec
    return out


def batch_server(records: dict[str, dict[str, Any]]) -> Any:
    """Answers like S2: a list in request order, `null` for an id it does not know."""

    def answer(req: FakeRequest) -> Reply:
        ids = json.loads(req.body)["ids"]
        return reply([records.get(i.removeprefix("arXiv:")) for i in ids])

    return answer


def s2(fake: FakeArxiv, clock: FakeClock, **kw: Any) -> SemanticScholarSource:
    return SemanticScholarSource(session(clock, **kw), fake.url("/graph/v1"))


def test_the_recorded_batch_answer_keeps_request_order_and_null_slots(fake: FakeArxiv) -> None:
    # The real recording: 4 ids asked, the first unknown (null), in request order.
    [(_uri, status, body)] = cassette_bodies(s2_file("test_get_papers_not_found_warning.yaml"))
    fake.script(BATCH, reply(body, status))
    ids = ["2001.00001", "2001.00002", "2001.00003", "2001.00004"]
    got, requests = s2(fake, FakeClock()).papers(ids)
    assert requests == 1
    assert list(got) == ids
    assert got["2001.00001"] is None  # unknown to S2: not "no citations"
    second = got["2001.00002"]
    assert second is not None
    assert second.title == json.loads(body)[1]["title"]
    assert second.citation_count == json.loads(body)[1]["citationCount"]
    assert not second.same_paper  # its record names no such arXiv id
    [req] = fake.requests_to(BATCH)
    assert req.method == "POST"
    assert json.loads(req.body) == {"ids": [f"arXiv:{i}" for i in ids]}
    assert req.headers["Content-Type"] == "application/json"
    assert "citationCount" in req.query["fields"]
    assert "curator@example.org" in req.headers["User-Agent"]


def test_a_batch_of_recorded_arxiv_records_confirms_them_by_arxiv_id(fake: FakeArxiv) -> None:
    records = recorded_s2_records()
    assert {"2312.07559", "2304.05376"} <= set(records)
    fake.on(BATCH, batch_server(records))
    got, _ = s2(fake, FakeClock()).papers(["2312.07559", "2401.99999", "2304.05376"])
    paper = got["2312.07559"]
    assert paper is not None
    assert paper.same_paper
    assert paper.title.startswith("PaperQA")
    assert paper.doi == "10.48550/arXiv.2312.07559"
    assert got["2401.99999"] is None
    assert got["2304.05376"] is not None
    assert got["2304.05376"].authors


def test_post_is_paced_and_retried_after_429_with_retry_after(fake: FakeArxiv) -> None:
    body_429 = {"message": "Too Many Requests. Please wait and try again.", "code": "429"}
    fake.script(BATCH, reply(body_429, 429, **{"Retry-After": "30"}), reply(body_429, 429))
    fake.on(BATCH, batch_server(recorded_s2_records()))
    clock = FakeClock()
    got, requests = s2(fake, clock).papers(["2312.07559"])
    assert got["2312.07559"] is not None
    assert requests == 1  # one logical request; the retries are the session's
    reqs = fake.requests_to(BATCH)
    assert len(reqs) == 3
    assert all(r.method == "POST" and json.loads(r.body) == {"ids": ["arXiv:2312.07559"]} for r in reqs)
    assert clock.sleeps[0] == 30.0  # Retry-After honoured (over the 5 s backoff)
    assert clock.sleeps[1] == 10.0  # then exponential backoff without a header


def test_batch_faults_are_citations_unavailable_never_empty(fake: FakeArxiv) -> None:
    [(_, status, body)] = [x for x in cassette_bodies(s2_file("test_debug.yaml")) if x[1] == 403] or [
        ("", 403, '{"message":"Forbidden"}')
    ]
    fake.script(BATCH, reply(body, status))
    with pytest.raises(CitationsUnavailable, match="403"):
        s2(fake, FakeClock()).papers(["2312.07559"])
    fake.script(BATCH, reply([None]))  # one slot for two ids: not in request order, refused
    with pytest.raises(CitationsUnavailable, match="one slot per id"):
        s2(fake, FakeClock()).papers(["2312.07559", "2304.05376"])
    fake.script(BATCH, reply(b"x" * (17 * 1024 * 1024)))
    with pytest.raises(CitationsUnavailable, match=r"larger than"):
        s2(fake, FakeClock()).papers(["2312.07559"])


CLAIMS = """\
version: 1
citations:
  services: [semantic_scholar]
claims:
  - id: paperqa
    claim: Retrieval-augmented agents answer science questions as well as experts.
    date: 2024-01-10
    topics: [retrieval augmented agents]
    anchors:
      - id: "2312.07559"
        title: "PaperQA: Retrieval-Augmented Generative Agent for Scientific Research"
      - id: "2401.99999"
        title: "A paper Semantic Scholar does not know"
  - id: chem
    claim: LLM agents with chemistry tools plan syntheses.
    date: 2024-01-10
    topics: [chemistry agents]
    anchors:
      - id: "2304.05376"
        title: "A survey of protein folding"
"""


def claims(tmp_path: Any) -> Any:
    path = tmp_path / "claims.yaml"
    path.write_text(CLAIMS)
    return load_claims(path, today=NOW.date())


def test_check_anchors_confirms_identity_through_s2_when_arxiv_is_down(
    fake: FakeArxiv, store: Store, tmp_path: Any
) -> None:
    from freshness.sources.arxiv_api import ArxivApiSource

    fake.on("/api/query", lambda req: Reply(503, b"down"))
    fake.on(BATCH, batch_server(recorded_s2_records()))
    clock = FakeClock()
    arxiv = ArxivApiSource(session(clock, max_retries=0), fake.url("/api/query"))
    identity = SemanticScholarIdentity(s2(fake, clock))
    check = check_anchors(claims(tmp_path), store=store, now=NOW, lookup=arxiv, identity=identity)
    by_id = {str(a.result.anchor.arxiv_id): a.result for a in check.anchors}
    ok = by_id["2312.07559"]
    assert ok.status is AnchorStatus.OK
    assert ok.confirmed_by == "Semantic Scholar"
    assert "identity confirmed by Semantic Scholar" in ok.detail
    assert "DOI 10.48550/arXiv.2312.07559" in ok.detail
    assert "versions and withdrawal not checked" in ok.detail
    assert by_id["2401.99999"].status is AnchorStatus.UNCHECKED  # a null slot is not "not found"
    assert by_id["2304.05376"].status is AnchorStatus.TITLE_MISMATCH  # S2's title is another paper's
    assert any("does not know 2401.99999" in p for p in check.problems)
    assert any("503" in p for p in check.problems)  # arXiv's failure stays reported
    assert store.get_anchor_checks(["2312.07559"]) == {}  # not cached as an arXiv answer
    assert len(fake.requests_to(BATCH)) == 1  # one request for every unanswered anchor


def test_nightly_step_screens_due_anchors_with_one_batch_request(
    fake: FakeArxiv, store: Store, tmp_path: Any
) -> None:
    records = recorded_s2_records()
    records["2304.05376"] = {**records["2304.05376"], "citationCount": 0}
    fake.on(BATCH, batch_server(records))
    paged = "/graph/v1/paper/arXiv:2312.07559/citations"
    fake.on(paged, lambda req: reply({"offset": 0, "data": []}))
    source = s2(fake, FakeClock())
    result = refresh_citations(store, claims(tmp_path), [source], now=NOW, settings=CitationSettings())
    states = {a.anchor_id: a for a in result.anchors}
    assert states["2401.99999"].state == "unknown"  # null slot: unknown, not "no citations"
    assert states["2304.05376"].state == "refreshed"  # S2 counts no citations: no paging needed
    assert states["2312.07559"].state == "refreshed"
    assert len(fake.requests_to(BATCH)) == 1
    assert len(fake.requests_to(paged)) == 1
    assert [r.path for r in fake.requests if "arXiv:" in r.path] == [paged]  # nothing else paged
    assert dict(result.requests)["semantic_scholar"] == 2  # not 3 (one /citations per anchor)
