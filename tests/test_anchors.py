"""anchors: one status per anchor, from a loopback arXiv (online) or the store alone (offline)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import pytest

from freshness.anchors import (
    AnchorCheck,
    anchor_results_from_store,
    check_anchors,
    exit_code,
    parse_max_age,
)
from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.http import PoliteSession
from freshness.models import Anchor, AnchorStatus, Claim, Paper, PaperVersion
from freshness.pacing import RateLimiter
from freshness.sources.arxiv_api import CANARY_ID, ArxivApiSource
from freshness.store import Store, StoredAnchorCheck
from tests.conftest import NOW, FakeClock, make_paper, shared_path
from tests.fakearxiv import (
    ATOM_CT,
    CANARY_TITLE,
    XML_CT,
    FakeArxiv,
    FakeRequest,
    Reply,
    atom_feed,
    html_page,
    oai_error,
    oai_get_record,
    too_many_requests,
)

CANARY = make_paper(CANARY_ID, title=CANARY_TITLE, published=dt.date(2016, 5, 26))
CLAIM_DATE = dt.date(2025, 8, 2)

PAPERS = {
    p.arxiv_id: p
    for p in [
        CANARY,
        make_paper("2401.00001", title="Scaling Laws for Neural Language Models, Revisited"),
        make_paper("2402.00002", title="Chain-of-Thought Prompting Elicits Reasoning"),
        # v3 from after the claim's date (a revision), v2 from before it.
        make_paper("2508.01191", version=3, published=dt.date(2025, 7, 1), updated=dt.date(2025, 10, 2)),
        make_paper("2503.00004", version=2, published=dt.date(2025, 3, 1), updated=dt.date(2025, 4, 1)),
        make_paper("hep-th/9901001", title="Old style, still here", published=dt.date(1999, 1, 4)),
        # Withdrawn: the API entry looks normal (docs/polling.md); only arXivRaw tells.
        make_paper("0903.0442", version=5, published=dt.date(2009, 3, 3), updated=dt.date(2010, 1, 5)),
    ]
}


def api_reply(req: FakeRequest) -> Reply:
    asked = [i for i in req.query.get("id_list", "").split(",") if i]
    found = [PAPERS[parse_arxiv_id(i).base] for i in asked if parse_arxiv_id(i).base in PAPERS]
    start, size = int(req.query.get("start", "0")), int(req.query["max_results"])
    return Reply(200, atom_feed(found[start : start + size], total_results=len(found), start=start))


WITHDRAWN_RECORD = ("data", "arxiv", "wire", "oai", "withdrawn", "rendered_arXivRaw_0903.0442.xml")


def oai_reply(req: FakeRequest) -> Reply:
    ident = req.query["identifier"].removeprefix("oai:arXiv.org:")
    if ident == "0903.0442":  # arXiv's own rendering of a real withdrawn record (v5 withdrawn)
        record = shared_path(*WITHDRAWN_RECORD)
        return Reply(200, oai_get_record(record.read_bytes()), XML_CT)
    paper = PAPERS.get(ident)
    if paper is None:
        return Reply(200, oai_error("idDoesNotExist"), XML_CT)
    return Reply(200, oai_get_record(raw_record(paper)), XML_CT)


def raw_record(p: Paper) -> bytes:
    versions = "".join(
        f'<version version="v{v.number}"><date>{v.date:%a, %d %b %Y} 12:00:00 GMT</date>'
        "<size>100kb</size><source_type>D</source_type></version>"
        for v in p.versions
    )
    return (
        f"<record><header><identifier>oai:arXiv.org:{p.arxiv_id}</identifier></header><metadata>"
        f'<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>{p.arxiv_id}</id>{versions}'
        f"<title>{p.title}</title><authors>A B</authors><categories>cs.CL</categories>"
        "<abstract>x</abstract></arXivRaw></metadata></record>"
    ).encode()


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv() as server:
        server.on("/api/query", api_reply)
        server.on("/oai", oai_reply)
        yield server


def arxiv_source(fake: FakeArxiv, *, max_retries: int = 4) -> ArxivApiSource:
    clock = FakeClock()
    limiter = RateLimiter(3.0, None, clock=clock, sleep=clock.sleep)
    session = PoliteSession(user_agent="freshness/test", limiter=limiter, max_retries=max_retries)
    return ArxivApiSource(session, fake.url("/api/query"), oai_url=fake.url("/oai"))


def anchor(raw: str, *, title: str | None = None, line: int = 10, col: int = 9) -> Anchor:
    try:
        return Anchor(raw, parse_arxiv_id(raw), title, line, col)
    except ArxivIdError as exc:
        return Anchor(raw, None, title, line, col, str(exc))


def claim(*anchors: Anchor, claim_id: str = "c1", date: dt.date = CLAIM_DATE) -> Claim:
    return Claim(id=claim_id, text="A claim.", date=date, topics=("t",), anchors=anchors)


def statuses(check: AnchorCheck) -> dict[str, AnchorStatus]:
    return {c.result.anchor.raw: c.result.status for c in check.anchors}


def run(claims: Sequence[Claim], store: Store, fake: FakeArxiv | None, **kw: object) -> AnchorCheck:
    lookup = arxiv_source(fake) if fake is not None else None
    return check_anchors(claims, store=store, now=NOW, lookup=lookup, **kw)  # type: ignore[arg-type]


# -- online ---------------------------------------------------------------------------------------


def test_all_ok_in_one_request_without_oai_for_v1_papers(store: Store, fake: FakeArxiv) -> None:
    check = run([claim(anchor("2401.00001"), anchor("arXiv:2402.00002"))], store, fake)
    assert statuses(check) == {"2401.00001": AnchorStatus.OK, "arXiv:2402.00002": AnchorStatus.OK}
    assert [r.path for r in fake.requests] == ["/api/query"]
    assert check.anchors[0].result.title == "Scaling Laws for Neural Language Models, Revisited"
    assert check.anchors[0].result.detail == "found on arXiv: v1 (2025-01-02)"
    assert exit_code(check) == 0


def test_a_well_formed_but_nonexistent_id_is_not_found(store: Store, fake: FakeArxiv) -> None:
    check = run([claim(anchor("2401.00001"), anchor("2509.99999"))], store, fake)
    assert statuses(check)["2509.99999"] is AnchorStatus.NOT_FOUND
    assert check.anchors[1].result.detail == "not found on arXiv"
    assert exit_code(check) == 1
    assert store.get_anchor_checks(["2509.99999"])["2509.99999"].status is AnchorStatus.NOT_FOUND


def test_a_malformed_id_is_reported_offline_and_the_good_ones_still_checked(
    store: Store, fake: FakeArxiv
) -> None:
    check = run([claim(anchor("2401.00001"), anchor("2401.0001"), anchor("2402.00002"))], store, fake)
    assert statuses(check) == {
        "2401.00001": AnchorStatus.OK,
        "2401.0001": AnchorStatus.MALFORMED,
        "2402.00002": AnchorStatus.OK,
    }
    assert "5 digits" in check.anchors[1].result.detail
    [req] = fake.requests
    assert req.query["id_list"] == f"2401.00001,2402.00002,{CANARY_ID}"  # the bad id never sent
    assert exit_code(check) == 1


def test_a_withdrawn_anchor_is_found_through_arxivraw(store: Store, fake: FakeArxiv) -> None:
    shared_path(*WITHDRAWN_RECORD)  # skip here when it is absent: a skip in the server's thread is lost
    check = run([claim(anchor("0903.0442"), anchor("2503.00004"))], store, fake)
    assert statuses(check) == {"0903.0442": AnchorStatus.WITHDRAWN, "2503.00004": AnchorStatus.OK}
    assert "v5" in check.anchors[0].result.detail
    assert "withdrawal" in check.anchors[0].result.detail
    oai = [r.query["identifier"] for r in fake.requests if r.path == "/oai"]
    assert oai == ["oai:arXiv.org:0903.0442", "oai:arXiv.org:2503.00004"]  # only v2+ papers
    assert exit_code(check) == 1


def test_a_cited_title_that_belongs_to_another_paper(store: Store, fake: FakeArxiv) -> None:
    wrong = anchor("2401.00001", title="Chain-of-Thought Prompting Elicits Reasoning")
    variant = anchor("2402.00002", title="chain of thought prompting elicits reasoning.")
    check = run([claim(wrong, variant)], store, fake)
    assert statuses(check) == {"2401.00001": AnchorStatus.TITLE_MISMATCH, "2402.00002": AnchorStatus.OK}
    detail = check.anchors[0].result.detail
    assert detail.startswith(
        "arXiv's title is 'Scaling Laws for Neural Language Models, Revisited'; "
        "the claim cites 'Chain-of-Thought Prompting Elicits Reasoning' (similarity "
    )
    assert exit_code(check) == 1


def test_revisions_after_the_claims_date_or_a_pinned_version_are_warnings(
    store: Store, fake: FakeArxiv
) -> None:
    check = run(
        [claim(anchor("2508.01191"), anchor("2503.00004"), anchor("2503.00004v1"), anchor("2508.01191v5"))],
        store,
        fake,
    )
    assert statuses(check) == {
        "2508.01191": AnchorStatus.REVISED,
        "2503.00004": AnchorStatus.OK,  # v2 is older than the claim
        "2503.00004v1": AnchorStatus.REVISED,  # pinned v1, arXiv has v2
        "2508.01191v5": AnchorStatus.NOT_FOUND,  # no such version
    }
    details = [c.result.detail for c in check.anchors]
    assert details[0] == "arXiv has v3 (2025-10-02), newer than the claim's date 2025-08-02"
    assert details[2] == "arXiv has v2 (2025-04-01); the claim pins v1"
    assert details[3] == "arXiv has no v5 of 2508.01191: its latest version is v3"
    assert exit_code(check) == 1


def test_revised_alone_exits_zero(store: Store, fake: FakeArxiv) -> None:
    check = run([claim(anchor("2508.01191"))], store, fake)
    assert statuses(check) == {"2508.01191": AnchorStatus.REVISED}
    assert exit_code(check) == 0


def test_old_style_ids(store: Store, fake: FakeArxiv) -> None:
    check = run([claim(anchor("hep-th/9901001"), anchor("hep-th/9901002v1"))], store, fake)
    assert statuses(check) == {"hep-th/9901001": AnchorStatus.OK, "hep-th/9901002v1": AnchorStatus.NOT_FOUND}
    assert fake.requests[0].query["id_list"] == f"hep-th/9901001,hep-th/9901002,{CANARY_ID}"


def test_more_than_100_anchors_go_in_canary_checked_batches(store: Store, fake: FakeArxiv) -> None:
    many = [make_paper(f"2410.{n:05d}") for n in range(1, 131)]
    PAPERS.update({p.arxiv_id: p for p in many})
    try:
        claims = [claim(*(anchor(p.arxiv_id, line=i + 1) for i, p in enumerate(many)))]
        check = run(claims, store, fake)
    finally:
        for p in many:
            del PAPERS[p.arxiv_id]
    assert set(statuses(check).values()) == {AnchorStatus.OK}
    assert len(check.anchors) == 130
    sizes = []
    for req in fake.requests:
        asked = req.query["id_list"].split(",")
        assert asked[-1] == CANARY_ID
        assert req.query["max_results"] == str(len(asked))
        sizes.append(len(asked))
    assert sizes == [100, 32]


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (lambda req: html_page(), "HTML page"),
        (lambda req: Reply(200, atom_feed([CANARY, PAPERS["2401.00001"]])[:700], ATOM_CT), "truncated"),
        (lambda req: too_many_requests("60"), "HTTP 429"),
        (lambda req: Reply(200, atom_feed([]), ATOM_CT), "cannot be trusted"),
    ],
    ids=["html-200", "truncated-xml", "429-storm", "empty-answer"],
)
def test_bogus_or_missing_answers_leave_anchors_unchecked_never_not_found(
    store: Store, fake: FakeArxiv, fault: object, message: str
) -> None:
    fake.on("/api/query", fault)  # type: ignore[arg-type]
    check = run([claim(anchor("2401.00001"), anchor("2509.99999"), anchor("bad-id"))], store, fake)
    assert statuses(check) == {
        "2401.00001": AnchorStatus.UNCHECKED,
        "2509.99999": AnchorStatus.UNCHECKED,
        "bad-id": AnchorStatus.MALFORMED,  # certain without arXiv
    }
    [problem] = check.problems
    assert message in problem
    assert store.get_anchor_checks(["2401.00001", "2509.99999"]) == {}  # nothing cached
    check_without_malformed = run([claim(anchor("2401.00001"))], store, fake)
    assert exit_code(check_without_malformed) == 2


def test_server_down_is_exit_2(store: Store) -> None:
    with FakeArxiv() as fake:
        url = fake.url("/api/query")
    source = ArxivApiSource(
        PoliteSession(user_agent="t", limiter=RateLimiter(0.0, None, sleep=lambda s: None), max_retries=1),
        url,
    )
    check = check_anchors([claim(anchor("2401.00001"))], store=store, now=NOW, lookup=source)
    assert statuses(check) == {"2401.00001": AnchorStatus.UNCHECKED}
    assert "could not connect" in check.problems[0]
    assert exit_code(check) == 2


def test_an_oai_failure_keeps_the_api_answers(store: Store, fake: FakeArxiv) -> None:
    fake.on("/oai", lambda req: html_page())
    check = run([claim(anchor("2401.00001"), anchor("2503.00004"), anchor("2509.99999"))], store, fake)
    assert statuses(check) == {
        "2401.00001": AnchorStatus.OK,  # v1: cannot be withdrawn
        "2503.00004": AnchorStatus.UNCHECKED,  # v2: withdrawal unknown
        "2509.99999": AnchorStatus.NOT_FOUND,  # the canary-checked answer stands
    }
    assert set(store.get_anchor_checks(["2401.00001", "2503.00004", "2509.99999"])) == {
        "2401.00001",
        "2509.99999",
    }
    assert exit_code(check) == 1


def test_cached_checks_are_not_asked_again_within_max_age(store: Store, fake: FakeArxiv) -> None:
    claims = [claim(anchor("2401.00001"), anchor("2509.99999"), anchor("2508.01191"))]
    first = run(claims, store, fake)
    n = len(fake.requests)
    assert n == 2  # one batch, one OAI record (2508.01191 is at v3)
    second = check_anchors(claims, store=store, now=NOW + dt.timedelta(hours=3), lookup=arxiv_source(fake))
    assert len(fake.requests) == n  # nothing asked
    assert statuses(second) == statuses(first)
    assert second.queries == 0
    assert "; cached check of 2026-11-26 23:00 UTC" in second.anchors[0].result.detail
    third = check_anchors(claims, store=store, now=NOW + dt.timedelta(days=2), lookup=arxiv_source(fake))
    assert len(fake.requests) == n + 2
    assert statuses(third) == statuses(first)
    run(claims, store, fake, max_age=dt.timedelta(0))
    assert len(fake.requests) == n + 4


# -- offline --------------------------------------------------------------------------------------


def test_offline_uses_the_papers_table_and_the_cache_and_says_what_it_could_not_decide(
    store: Store,
) -> None:
    store.upsert_papers(
        [
            make_paper("2401.00001", title="Scaling Laws"),
            make_paper(
                "2508.01191",
                version=3,
                published=dt.date(2025, 7, 1),
                updated=dt.date(2025, 10, 2),
            ),
            make_paper("2501.00005", version=2, updated=dt.date(2025, 2, 2), withdrawn=True),
        ],
        source="snapshot",
        now=NOW,
    )
    store.save_anchor_checks(
        [StoredAnchorCheck("2509.99999", AnchorStatus.NOT_FOUND, None, None, "x", NOW - dt.timedelta(days=9))]
    )
    claims = [
        claim(
            anchor("2401.00001", title="Scaling laws"),
            anchor("2508.01191"),
            anchor("2501.00005"),
            anchor("2509.99999"),
            anchor("2509.88888"),
            anchor("nope"),
        )
    ]
    check = run(claims, store, None)
    assert check.offline
    assert statuses(check) == {
        "2401.00001": AnchorStatus.OK,
        "2508.01191": AnchorStatus.REVISED,
        "2501.00005": AnchorStatus.WITHDRAWN,
        "2509.99999": AnchorStatus.NOT_FOUND,  # only because an online check said so
        "2509.88888": AnchorStatus.UNCHECKED,  # offline never invents "not found"
        "nope": AnchorStatus.MALFORMED,
    }
    details = {c.result.anchor.raw: c.result.detail for c in check.anchors}
    assert details["2401.00001"] == "found on arXiv: v1 (2025-01-02); from the store's papers"
    assert details["2509.99999"] == "not found on arXiv; cached check of 2026-11-17 23:00 UTC"
    assert details["2509.88888"].startswith("not decided offline")
    assert check.queries == 0
    assert exit_code(check) == 1
    assert store.get_anchor_checks(["2401.00001", "2509.88888"]) == {}  # offline writes nothing


def test_offline_unchecked_alone_exits_zero(store: Store) -> None:
    check = run([claim(anchor("2401.00001"))], store, None)
    assert statuses(check) == {"2401.00001": AnchorStatus.UNCHECKED}
    assert exit_code(check) == 0


def test_offline_a_newer_imported_version_overrules_an_older_cached_check(store: Store) -> None:
    store.save_anchor_checks(
        [StoredAnchorCheck("2501.00005", AnchorStatus.WITHDRAWN, "T", 2, "x", NOW, dt.date(2025, 2, 2))]
    )
    check = run([claim(anchor("2501.00005"), date=dt.date(2026, 1, 1))], store, None)
    assert statuses(check) == {"2501.00005": AnchorStatus.WITHDRAWN}
    store.upsert_papers(
        [make_paper("2501.00005", version=3, updated=dt.date(2025, 6, 1))], source="oai", now=NOW
    )  # withdrawal is not terminal: a normal v3 followed
    check = run([claim(anchor("2501.00005"), date=dt.date(2026, 1, 1))], store, None)
    assert statuses(check) == {"2501.00005": AnchorStatus.OK}


def test_anchor_results_from_store_is_keyed_by_claim(store: Store) -> None:
    store.upsert_papers([make_paper("2401.00001")], source="snapshot", now=NOW)
    claims = [
        claim(anchor("2401.00001"), claim_id="a"),
        claim(claim_id="b"),
        claim(anchor("x"), claim_id="c"),
    ]
    got = anchor_results_from_store(claims, store, NOW)
    assert list(got) == ["a", "b", "c"]
    assert [r.status for r in got["a"]] == [AnchorStatus.OK]
    assert got["b"] == ()
    assert [r.status for r in got["c"]] == [AnchorStatus.MALFORMED]


def test_parse_max_age() -> None:
    assert parse_max_age("1d") == dt.timedelta(days=1)
    assert parse_max_age("12h") == dt.timedelta(hours=12)
    assert parse_max_age("30min") == dt.timedelta(minutes=30)
    assert parse_max_age("0") == dt.timedelta(0)
    for bad in ("", "1", "1y", "-1d", "soon"):
        with pytest.raises(ValueError, match="not a duration"):
            parse_max_age(bad)


def test_paper_version_fixture_sanity() -> None:
    # The fake arXiv serves what make_paper builds: a v3 paper knows its v1 and v3 dates.
    assert PAPERS["2508.01191"].versions == (
        PaperVersion(1, dt.date(2025, 7, 1)),
        PaperVersion(3, dt.date(2025, 10, 2)),
    )
