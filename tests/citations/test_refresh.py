"""The citation step: the refresh interval, what is stored, the citing papers fetched from arXiv, and
a service that is down (stale or missing, never "no citations"); then a nightly run end to end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from freshness.arxiv_ids import ArxivId, parse_arxiv_id
from freshness.citations.base import CitingRecord, Fetched
from freshness.citations.refresh import refresh_citations
from freshness.citations.storage import citation_index, fetch_states
from freshness.claims import read_claims
from freshness.errors import CitationsUnavailable
from freshness.http import PoliteSession
from freshness.models import Anchor, CitationContext, CitationSettings, Claim, Paper, SourceState
from freshness.nightly import CycleResult
from freshness.pacing import RateLimiter
from freshness.sources.arxiv_api import CANARY_ID
from freshness.store import Store
from tests.conftest import NOW, FakeClock, make_paper

CLAIM = Claim(
    id="c",
    text="Sparse attention matches dense attention.",
    date=dt.date(2026, 6, 1),
    topics=("sparse attention",),
    anchors=(Anchor(raw="2405.00001", arxiv_id=parse_arxiv_id("2405.00001"), title=None, line=1, col=1),),
)
CONTRA = CitationContext(
    "Contrary to [12], we find sparse attention fails on retrieval.", "Semantic Scholar", ("result",)
)


class Service:
    """A citation source answering from a list, counting calls; `down` makes it fail."""

    name = "semantic_scholar"
    label = "Semantic Scholar"

    def __init__(self, records: Sequence[CitingRecord], *, complete: bool = True) -> None:
        self.records = tuple(records)
        self.complete = complete
        self.calls = 0
        self.down = False

    def citations(self, anchor_id: str, *, service_id: str | None = None) -> Fetched:
        self.calls += 1
        if self.down:
            raise CitationsUnavailable("Semantic Scholar: could not connect")
        problem = None if self.complete else "stopped after 10 pages"
        return Fetched(anchor_id, self.name, self.records, self.complete, requests=1, problem=problem)


class Lookup:
    def __init__(self, papers: Sequence[Paper]) -> None:
        self.papers = {p.arxiv_id: p for p in papers}
        self.asked: list[list[str]] = []

    def lookup(self, ids: Sequence[ArxivId]) -> dict[str, Paper]:
        self.asked.append([i.base for i in ids])
        return {i.base: self.papers[i.base] for i in ids if i.base in self.papers}


SETTINGS = CitationSettings(services=("semantic_scholar",), refresh_days=7)


def test_edges_are_stored_once_per_interval_and_missing_papers_fetched_in_one_batch(store: Store) -> None:
    svc = Service(
        [
            CitingRecord("2611.00201v2", "Rebuttal", contexts=(CONTRA,), influential=True),
            CitingRecord("2611.00202", "Other"),
            CitingRecord(None, "A journal paper without an arXiv id"),
        ]
    )
    lookup = Lookup([make_paper("2611.00201"), make_paper("2611.00202")])
    first = refresh_citations(store, [CLAIM], [svc], now=NOW, settings=SETTINGS, lookup=lookup)
    assert svc.calls == 1
    assert lookup.asked == [["2611.00202", "2611.00201"]]
    assert first.papers_fetched == 2
    assert set(store.get_papers(["2611.00201", "2611.00202"])) == {
        "2611.00201",
        "2611.00202",
    }
    edge = citation_index(store, ["2405.00001"]).by_anchor["2405.00001"]["2611.00201"]
    assert edge.influential
    assert edge.contexts == (CONTRA,)
    assert edge.sources == ("Semantic Scholar",)
    assert fetch_states(store, ["2405.00001"])[("2405.00001", "semantic_scholar")].citing == 3
    # Within the interval: not asked again.
    again = refresh_citations(store, [CLAIM], [svc], now=NOW + dt.timedelta(days=6), settings=SETTINGS)
    assert svc.calls == 1
    assert [a.state for a in again.anchors] == ["fresh"]
    refresh_citations(store, [CLAIM], [svc], now=NOW + dt.timedelta(days=7), settings=SETTINGS)
    assert svc.calls == 2


def test_a_service_down_reports_missing_then_stale_never_no_citations(store: Store) -> None:
    svc = Service([CitingRecord("2611.00201", "Rebuttal")])
    svc.down = True
    missing = refresh_citations(store, [CLAIM], [svc], now=NOW, settings=SETTINGS)
    assert any(n.startswith("citations missing (Semantic Scholar) for 2405.00001") for n in missing.notes())
    svc.down = False
    refresh_citations(store, [CLAIM], [svc], now=NOW + dt.timedelta(days=1), settings=SETTINGS)
    svc.down = True
    later = NOW + dt.timedelta(days=9)
    stale = refresh_citations(store, [CLAIM], [svc], now=later, settings=SETTINGS)
    notes = stale.notes()
    assert any(
        "citations stale (Semantic Scholar) for 2405.00001: last fetched 2026-11-27" in n for n in notes
    )
    assert "2611.00201" in citation_index(store, ["2405.00001"]).by_anchor["2405.00001"]  # the edge stays


def test_an_incomplete_list_is_said_so_and_removes_no_edges(store: Store) -> None:
    svc = Service([CitingRecord("2611.00201", "A"), CitingRecord("2611.00202", "B")])
    refresh_citations(store, [CLAIM], [svc], now=NOW, settings=SETTINGS)
    svc.records, svc.complete = (CitingRecord("2611.00203", "C"),), False
    got = refresh_citations(store, [CLAIM], [svc], now=NOW + dt.timedelta(days=8), settings=SETTINGS)
    assert "citations incomplete (Semantic Scholar) for 2405.00001: stopped after 10 pages" in got.notes()
    assert set(citation_index(store, ["2405.00001"]).by_anchor["2405.00001"]) == {
        "2611.00201",
        "2611.00202",
        "2611.00203",
    }
    svc.complete = True  # a complete list is the truth: edges it no longer lists go
    refresh_citations(store, [CLAIM], [svc], now=NOW + dt.timedelta(days=16), settings=SETTINGS)
    assert set(citation_index(store, ["2405.00001"]).by_anchor["2405.00001"]) == {"2611.00203"}


# -- the claims file and a nightly run ------------------------------------------------------------------

CLAIMS_WITH_CITATIONS = """\
version: 1
citations:
  services: [semantic_scholar]
  refresh: 14d
claims:
  - id: sparse-attention
    claim: Sparse attention for long context matches dense attention.
    date: 2026-06-01
    topics: [sparse attention for long context]
    categories: [cs.CL]
    anchors:
      - {id: "2405.00001", title: "Sparse attention is all you need"}
"""


def test_the_claims_file_turns_citations_on_and_rejects_unknown_services(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(CLAIMS_WITH_CITATIONS)
    got = read_claims(path, today=NOW.date())
    assert got.citations == CitationSettings(services=("semantic_scholar",), refresh_days=14, max_pages=10)
    path.write_text(CLAIMS_WITH_CITATIONS.replace("services: [semantic_scholar]", "services: [scholar]"))
    bad = read_claims(path, today=NOW.date())
    assert bad.hard
    assert bad.problems[0].line == 3
    path.write_text(
        CLAIMS_WITH_CITATIONS.replace("citations:\n  services: [semantic_scholar]\n  refresh: 14d\n", "")
    )
    assert read_claims(path, today=NOW.date()).citations is None  # off unless asked for


def test_a_nightly_run_asks_once_per_interval_and_reports_the_citing_paper(tmp_path: Path) -> None:
    from freshness.citations.semantic_scholar import SemanticScholarSource
    from freshness.nightly import CycleOptions, run_cycle
    from tests.citations.recorded import reply, session
    from tests.fakearxiv import CANARY_TITLE, RSS_CT, FakeArxiv, FakeRequest, Reply, atom_feed, rss_feed

    anchor = make_paper(
        "2405.00001",
        title="Sparse attention is all you need",
        categories=("cs.CL",),
        published=dt.date(2024, 5, 1),
    )
    citing = make_paper(
        "2611.00102",
        title="Retrieval heads explain failures of efficient transformers",
        abstract="We locate the heads responsible for copying and study when they break.",
        categories=("cs.CL",),
        published=dt.date(2026, 11, 20),
    )
    canary = make_paper(CANARY_ID, title=CANARY_TITLE)
    known = {p.arxiv_id: p for p in (anchor, citing, canary)}
    s2_page = {
        "offset": 0,
        "data": [
            {
                "citingPaper": {
                    "paperId": "x",
                    "title": citing.title,
                    "externalIds": {"ArXiv": "2611.00102"},
                },
                "contexts": [
                    "Contrary to [4], sparse attention does not match dense attention on retrieval."
                ],
                "intents": ["result"],
                "isInfluential": True,
            }
        ],
    }
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS_WITH_CITATIONS)
    with FakeArxiv() as fake:
        fake.on(
            "/rss/cs.CL",
            lambda req: Reply(200, rss_feed([], announced=dt.date(2026, 11, 26), categories="cs.CL"), RSS_CT),
        )

        def api(req: FakeRequest) -> Reply:
            ids = [i for i in req.query.get("id_list", "").split(",") if i]
            return Reply(200, atom_feed([known[i] for i in ids if i in known]))

        fake.on("/api/query", api)
        s2_path = "/graph/v1/paper/arXiv:2405.00001/citations"
        fake.on(s2_path, lambda req: reply(s2_page))
        settings = fake.settings(claims, tmp_path / "state" / "store.sqlite", request_delay=0.0)
        with Store.open(settings.db_path) as store:
            store.store_batch(
                (),
                SourceState("rss:cs.CL", watermark=dt.date(2026, 11, 25), last_success=NOW),
                now=NOW,
                source="rss",
            )

        def night(now: dt.datetime, url: str) -> CycleResult:
            clock = FakeClock()
            arxiv = PoliteSession(
                user_agent="freshness/test", limiter=RateLimiter(0.0, None, clock=clock, sleep=clock.sleep)
            )
            s2 = SemanticScholarSource(session(clock, max_retries=0), url)
            return run_cycle(
                settings,
                now=now,
                today=now.date(),
                options=CycleOptions(),
                session=arxiv,
                clock=lambda: now,
                lock_clock=clock,
                lock_sleep=clock.sleep,
                citation_sources=[s2],
            )

        first = night(NOW, fake.url("/graph/v1"))
        assert len(fake.requests_to(s2_path)) == 1
        (verdict,) = first.report.verdicts
        m = next(m for m in verdict.matches if m.arxiv_id == "2611.00102")
        assert "cites the anchor 2405.00001 (Semantic Scholar, influential)" in m.evidence
        assert m.superseding
        assert (
            m.stance_sentence
            == "Contrary to [4], sparse attention does not match dense attention on retrieval."
        )
        assert any(
            n.startswith("citations (Semantic Scholar): 1 anchor(s) refreshed with 1 request(s), 1 citing")
            for n in first.report.notes
        )
        # The next night, within the interval: no request; the evidence is read from the store.
        second = night(NOW + dt.timedelta(days=1), fake.url("/graph/v1"))
        assert len(fake.requests_to(s2_path)) == 1
        assert any(m.arxiv_id == "2611.00102" for m in second.report.verdicts[0].matches)
        # Past the interval with the service unreachable: the run completes and says the list is stale.
        third = night(NOW + dt.timedelta(days=15), "http://127.0.0.1:9/graph/v1")
        assert all(f.exists() for f in third.files)  # (arXiv's catch-up is not served here: poll aside)
        assert any(
            "citations stale (Semantic Scholar) for 2405.00001: last fetched 2026-11-26" in n
            for n in third.report.notes
        )
