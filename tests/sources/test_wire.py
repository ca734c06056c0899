"""The wire-format parsers, on fixtures written here and on arXiv's real (captured or rendered) responses."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from freshness.errors import WireFormatError
from freshness.models import Paper, PaperVersion
from freshness.sources.wire import (
    DroppedCategories,
    Rejected,
    iter_snapshot,
    parse_atom,
    parse_feed,
    parse_oai,
    split_authors,
)
from tests.conftest import shared_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "wire"
D = dt.date


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def wire(*parts: str) -> bytes:
    return shared_path("data", "arxiv", "wire", *parts).read_bytes()


def by_id(papers: tuple[Paper, ...]) -> dict[str, Paper]:
    return {p.arxiv_id: p for p in papers}


# -- API Atom ---------------------------------------------------------------------------------------


def test_atom_fixture_maps_every_field() -> None:
    page = parse_atom(fixture("api_page.xml"))
    assert (page.total_results, page.start_index, page.items_per_page) == (1234, 20, 5)
    assert page.api_errors == ()
    papers = by_id(page.papers)
    assert set(papers) == {"2508.01191", "hep-th/9901002"}
    p = papers["2508.01191"]
    assert p.version == 2
    assert p.title == "Is Chain-of-Thought Reasoning of LLMs a Mirage? A Data Distribution Lens"
    assert p.abstract == (
        "Chain-of-Thought (CoT) prompting has been shown to improve Large Language Model (LLM) "
        "performance on various tasks. We study whether $x < y$ holds."
    )
    assert p.authors == ("Chengshuai Zhao", "Zhen Tan")
    assert p.categories == ("cs.CL", "cs.AI", "cs.LG")  # primary first, then the rest in order
    assert (p.published, p.updated) == (D(2025, 8, 2), D(2025, 8, 13))
    assert p.versions == (PaperVersion(1, D(2025, 8, 2)), PaperVersion(2, D(2025, 8, 13)))
    assert p.comments == "Work in progress; v2 fixes a typo"
    assert p.journal_ref == "Proc. Fixture Conf. 2025, 1-10"
    assert p.doi == "10.1000/fixture.42"
    assert p.withdrawn is None  # the API cannot tell
    old = papers["hep-th/9901002"]
    assert old.version == 1
    assert old.versions == (PaperVersion(1, D(1999, 1, 4)),)


def test_atom_bad_entries_are_rejected_with_reasons_and_the_rest_kept() -> None:
    page = parse_atom(fixture("api_page.xml"))
    reasons = {r.where: r.reason for r in page.rejected}
    assert len(reasons) == 3
    assert "bad arXiv id" in reasons["entry 3 (http://arxiv.org/abs/0808.05394v1)"]
    assert reasons["entry 4 (http://arxiv.org/abs/2501.00002v1)"] == "no published date"
    assert reasons["entry 5 (http://arxiv.org/abs/2501.00003v1)"] == "no title"


def test_atom_real_captures_all_parse() -> None:
    directory = shared_path("data", "arxiv", "wire", "api")
    for path in sorted(directory.glob("*.xml")) + sorted(directory.glob("legacy-2016/*.xml")):
        page = parse_atom(path.read_bytes())
        assert page.rejected == (), path.name
        assert page.total_results is not None, path.name


def test_atom_real_error_feed_is_an_api_error_not_a_paper() -> None:
    page = parse_atom(wire("api", "id_abc_s0_m100_b79c8dcf6bc3.xml"))
    assert page.papers == ()
    assert page.api_errors == ("incorrect id format for abc",)


def test_atom_real_empty_result_is_zero_papers_with_a_count() -> None:
    page = parse_atom(wire("api", "id_0000.0000_s0_m100_8b51d9633a68.xml"))
    assert page.papers == ()
    assert page.total_results == 0
    assert page.api_errors == ()


def test_atom_real_entries() -> None:
    [p] = parse_atom(wire("api", "id_2104.12255v1_s0_m100_6ae69987ffe1.xml")).papers
    assert p.title == "0"  # a real paper titled "0" is not "no title"
    [old] = parse_atom(wire("api", "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml")).papers
    assert old.arxiv_id == "astro-ph/0601001"
    assert old.version == 1
    assert len(old.authors) == 4
    page = parse_atom(wire("api", "q_testing_s0_m100_cfe7536492ca.xml"))
    assert len(page.papers) == 100
    assert page.total_results == 214881
    assert sum(p.doi is not None for p in page.papers) == 32
    revised = by_id(page.papers)["2005.14124"]
    assert revised.version == 2
    assert revised.published < revised.updated
    assert [v.number for v in revised.versions] == [1, 2]
    assert all("\n" not in p.abstract and "  " not in p.abstract for p in page.papers)


def test_atom_legacy_2016_format() -> None:
    [p] = parse_atom(wire("api", "legacy-2016", "id_list=1111.2011v2.xml")).papers
    assert (
        p.title == "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert p.abstract.startswith(
        "Theoretical description of anisotropic systems, such as layered superconductors"
    )
    assert p.categories == ("cond-mat.str-el", "cond-mat.stat-mech")
    assert p.doi == "10.1103/PhysRevB.85.115117"
    assert p.journal_ref == "Phys. Rev. B 85, 115117 (2012)"


def test_atom_refuses_an_rss_arxiv_org_atom_feed() -> None:
    with pytest.raises(WireFormatError, match="announcement feed"):
        parse_atom(wire("rss", "composite", "atom_composite.xml"))


# -- OAI-PMH ----------------------------------------------------------------------------------------


def test_oai_arxivraw_fixture() -> None:
    page = parse_oai(fixture("oai_arxivraw.xml"))
    assert page.resumption_token == "verb%3DListRecords%26metadataPrefix%3DarXivRaw%26skip%3D4"
    assert page.complete_list_size == 5321
    assert page.response_date == dt.datetime(2026, 11, 26, 23, 2, 2, tzinfo=dt.UTC)
    assert page.deleted == ("2510.00002",)
    assert page.error_code is None
    papers = by_id(page.papers)
    p = papers["2509.09677"]
    assert p.version == 3  # versions listed out of order still give the latest
    assert p.versions == (
        PaperVersion(1, D(2025, 9, 11)),
        PaperVersion(2, D(2025, 10, 1)),
        PaperVersion(3, D(2025, 11, 3)),
    )
    assert (p.published, p.updated) == (D(2025, 9, 11), D(2025, 11, 3))
    assert p.authors == ("Akshit Sinha", "Arvindh Arun", "Shashwat Goel")
    assert p.title == "The Illusion of Diminishing Returns: Measuring Long Horizon Execution in LLMs"
    assert (
        p.abstract
        == "Does continued scaling of large language models yield diminishing returns? We find it does not."
    )
    assert p.doi == "10.1000/fixture.7"
    assert p.journal_ref == "Fixture J. 1 (2025)"
    assert p.withdrawn is False
    gone = papers["2510.00001"]
    assert gone.withdrawn is True
    assert gone.version == 2
    assert gone.authors == ("Grace Hopper", "Alan Turing")
    [bad] = page.rejected
    assert bad.where == "record oai:arXiv.org:2510.00003"
    assert "bad date" in bad.reason


def test_oai_arxiv_format_fixture() -> None:
    [p] = parse_oai(fixture("oai_arxiv.xml")).papers
    assert p.arxiv_id == "math/0309136"
    assert p.authors == ("Martin Luther King Jr", "Emmy Noether", "Euclid")
    assert p.title == "Geometric topology, an old-style id"
    assert p.abstract == "An abstract that wraps."
    assert p.categories == ("math.GT", "math.AG")
    # The arXiv format has no version numbers: v1 with its created date, updated = last change.
    assert p.version == 1
    assert p.versions == (PaperVersion(1, D(2003, 9, 8)),)
    assert (p.published, p.updated) == (D(2003, 9, 8), D(2004, 4, 30))
    assert p.withdrawn is None


def test_oai_real_getrecord_arxivraw_and_arxiv_agree() -> None:
    [raw] = parse_oai(wire("oai", "generated-by-arXiv-oaipmh", "GetRecord_0904.1234_arXivRaw.xml")).papers
    [fmt] = parse_oai(wire("oai", "generated-by-arXiv-oaipmh", "GetRecord_0904.1234_arXiv.xml")).papers
    assert raw.arxiv_id == fmt.arxiv_id == "0904.1234"
    assert raw.version == 3
    assert raw.published == D(2009, 4, 7)
    assert raw.updated == D(2010, 4, 23)
    assert raw.authors == fmt.authors == ("Mark Herrera", "David C. Roberts", "Natali Gulbahce")
    assert raw.title == fmt.title
    assert raw.abstract == fmt.abstract
    assert raw.doi == fmt.doi
    assert raw.categories == ("physics.soc-ph", "cs.DL", "cs.IR")
    assert raw.withdrawn is False


def test_oai_real_resumption_chain() -> None:
    base = ("oai", "generated-by-arXiv-oaipmh")
    pages = [parse_oai(wire(*base, f"ListRecords_from-until_arXiv_paged_p0{n}.xml")) for n in (1, 2, 3)]
    assert [len(p.papers) for p in pages] == [100, 100, 68]
    assert pages[0].resumption_token
    assert pages[1].resumption_token
    assert pages[0].resumption_token != pages[1].resumption_token
    assert pages[2].resumption_token == ""  # an empty element: the last page
    whole = parse_oai(wire(*base, "ListRecords_from-until_arXivRaw.xml"))
    assert whole.resumption_token is None
    chained = {p.arxiv_id for page in pages for p in page.papers}
    assert chained == {p.arxiv_id for p in whole.papers}
    assert len(chained) == 268


@pytest.mark.parametrize(
    "code",
    [
        "badArgument",
        "badResumptionToken",
        "badVerb",
        "cannotDisseminateFormat",
        "idDoesNotExist",
        "noRecordsMatch",
    ],
)
def test_oai_real_errors_come_back_as_error_codes(code: str) -> None:
    page = parse_oai(wire("oai", "generated-by-arXiv-oaipmh", f"error_{code}.xml"))
    assert page.error_code == code
    assert page.error_message
    assert page.papers == ()
    assert page.resumption_token is None


@pytest.mark.parametrize(
    ("name", "base", "version", "withdrawn"),
    [
        ("0903.0442", "0903.0442", 5, True),  # latest version flagged I
        ("1101.2736", "1101.2736", 3, False),  # withdrawn v2, then a normal v3: not terminal
        ("0906.3336", "0906.3336", 2, True),  # no I flag, but 0kb
        ("0908.3762", "0908.3762", 5, False),  # withdrawn at v2 and v4, a normal v5 since
        ("cond-mat_0703772", "cond-mat/0703772", 2, True),  # old-style id
    ],
)
def test_oai_real_withdrawn_records(name: str, base: str, version: int, withdrawn: bool) -> None:
    [p] = parse_oai(wire("oai", "withdrawn", f"rendered_arXivRaw_{name}.xml")).papers
    assert p.arxiv_id == base
    assert (p.version, p.withdrawn) == (version, withdrawn)


def test_oai_real_captures_from_the_old_service() -> None:
    page = parse_oai(
        wire("oai", "nock-fixtures__oaipmh-listrecords---should-list-identifiers-from-arxiv__1_http200.xml")
    )
    assert len(page.papers) == 2
    assert page.rejected == ()
    first = by_id(page.papers)["1412.8544"]
    assert first.authors == ("Sander Uijlen", "Bas Westerbaan")
    assert first.doi == "10.4204/EPTCS.172.11"
    [raw] = parse_oai(wire("oai", "captured_arXivRaw_GetRecord_1304.4214_2013.xml")).papers
    assert raw.authors == ("Igor A. Zaliznyak", "John M. Tranquada")
    assert raw.published == D(2013, 4, 15)


def test_oai_unsupported_metadata_formats_are_rejected_records() -> None:
    page = parse_oai(wire("oai", "generated-by-arXiv-oaipmh", "GetRecord_0904.1234_oai_dc.xml"))
    assert page.papers == ()
    [r] = page.rejected
    assert "not supported" in r.reason


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("generated-by-arXiv-oaipmh/Identify.xml", "Identify response"),
        ("generated-by-arXiv-oaipmh/ListIdentifiers_set-cs_arXiv.xml", "ListIdentifiers response"),
        ("nock-fixtures__oaipmh-errors-should-reject-malformed-xml-arxiv__0_http200.xml", "<error> document"),
        (
            "nock-fixtures__oaipmh-listrecords---should-list-identifiers-from-arxiv__0_http503.html",
            "HTML page",
        ),
    ],
)
def test_oai_other_responses_are_not_zero_records(name: str, message: str) -> None:
    with pytest.raises(WireFormatError, match=message):
        parse_oai(wire("oai", *name.split("/")))


# -- rss.arxiv.org feeds ----------------------------------------------------------------------------


def test_feed_fixture_items() -> None:
    page = parse_feed(fixture("rss_cs.xml"))
    assert page.title == "cs.CL updates on arXiv.org"
    assert page.announced == D(2026, 11, 26)
    assert not page.is_error_feed
    items = {i.paper.arxiv_id: i for i in page.items}
    assert [i.announce_type for i in page.items] == ["new", "cross", "replace", "replace-cross", "absonly"]

    new = items["2611.00001"].paper
    assert new.title == "A new paper about $x < y$"
    # TeX less-than signs survive (no HTML sanitising), tags are stripped, entities decoded.
    assert new.abstract == "We prove $x < y$ and $a<b$ for all inputs; R&D matters."
    assert new.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper")  # affiliations dropped
    assert new.categories == ("cs.CL", "cs.AI")
    assert (new.published, new.updated, new.version) == (D(2026, 11, 26), D(2026, 11, 26), 1)
    assert new.versions == (PaperVersion(1, D(2026, 11, 26)),)
    assert new.comments is None
    assert new.withdrawn is None

    assert items["2611.00002"].paper.published == D(2026, 11, 26)  # cross: first announced today

    replaced = items["2402.03300"].paper
    assert replaced.version == 3
    assert replaced.published == D(2024, 2, 1)  # the id's month: an old paper never looks new
    assert replaced.updated == D(2026, 11, 26)
    assert replaced.versions == (PaperVersion(3, D(2026, 11, 26)),)  # only the announced version
    assert replaced.doi == "10.1000/fixture.3"
    assert replaced.journal_ref == "Fixture Letters 3 (2026)"

    old = items["cs/0112017"].paper
    assert old.published == D(2001, 12, 1)
    assert old.version == 2
    absonly = items["2610.00005"].paper
    assert absonly.published == D(2026, 10, 1)  # absonly: not new either
    assert absonly.versions == ()  # no new version today: no version date to invent

    [bad] = page.rejected
    assert bad.where == "item 6"
    assert bad.reason == "no arXiv id"


def test_feed_error_feed_is_flagged() -> None:
    page = parse_feed(fixture("rss_error.xml"))
    assert page.is_error_feed
    assert page.items == ()
    assert page.announced is None


def test_feed_real_quant_ph() -> None:
    page = parse_feed(wire("rss", "quant-ph_2025-04-28.xml"))
    assert page.announced == D(2025, 4, 28)
    assert len(page.items) == 81
    assert page.rejected == ()
    assert Counter(i.announce_type for i in page.items) == {
        "new": 40,
        "replace": 22,
        "cross": 10,
        "replace-cross": 9,
    }
    for item in page.items:
        p = item.paper
        assert p.updated == D(2025, 4, 28)
        if item.announce_type in ("new", "cross"):
            assert p.published == D(2025, 4, 28)
        else:
            assert p.published < D(2025, 4, 1) or p.arxiv_id.startswith("2504.")
            assert p.published.day == 1
    nirmal = next(i.paper for i in page.items if i.paper.authors and i.paper.authors[0] == "M. R. Nirmal")
    # Each affiliation there holds several commas; naive splitting would make ~20 "authors".
    assert nirmal.authors == (
        "M. R. Nirmal",
        "Ankit Khandelwal",
        "Manoj Nambiar",
        "Sharma S. R. K. C. Yamijala",
    )
    assert any("$" in i.paper.abstract and "<" in i.paper.abstract for i in page.items)


def test_feed_real_composites() -> None:
    page = parse_feed(wire("rss", "composite", "rss2_cs.AI_composite.xml"))
    assert page.announced == D(2025, 9, 18)
    items = {i.paper.arxiv_id: i for i in page.items}
    assert items["2509.99999"].paper.authors == ("Ada Lovelace", "Alan Turing")
    assert items["2509.99999"].paper.version == 2
    cross = items["2203.01250"]
    assert cross.announce_type == "replace-cross"
    assert cross.paper.version == 3
    assert cross.paper.doi == "10.5802/jep.257"
    assert cross.paper.published == D(2022, 3, 1)
    atom = parse_feed(wire("rss", "composite", "atom_composite.xml"))
    assert atom.announced == D(2024, 8, 23)
    [item] = atom.items
    assert item.paper.arxiv_id == "2203.01250"
    assert item.paper.authors == ("Antonin Monteil", "Paul Pegon")
    assert item.paper.journal_ref is not None
    assert item.paper.journal_ref.startswith("Journal de l")


def test_feed_refuses_an_api_response() -> None:
    with pytest.raises(WireFormatError, match="API response"):
        parse_feed(wire("api", "id_1707.08567_s0_m100_6a1afebfc6a3.xml"))


# -- snapshot lines ---------------------------------------------------------------------------------


def test_snapshot_fixture_lines() -> None:
    out = list(iter_snapshot((FIXTURES / "snapshot.jsonl").read_text().splitlines()))
    papers = by_id(tuple(x for x in out if isinstance(x, Paper)))
    rejected = {r.where: r.reason for r in out if isinstance(r, Rejected)}
    assert set(papers) == {"2401.00631", "0704.0001", "hep-th/9901001"}
    p = papers["2401.00631"]
    assert p.version == 2
    assert (p.published, p.updated) == (D(2024, 1, 1), D(2024, 8, 21))
    assert p.authors == ("Alireza Maleki", "Hamed Shah-Mansouri", "Babak H. Khalaj")
    assert p.categories == ("cs.NI", "cs.AI", "eess.SP")
    kaggle = papers["0704.0001"]
    assert (
        kaggle.title
        == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert kaggle.abstract.startswith(
        "A fully differential calculation in perturbative quantum chromodynamics is presented"
    )
    assert kaggle.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")
    assert kaggle.versions == (PaperVersion(1, D(2007, 4, 2)), PaperVersion(2, D(2007, 7, 24)))
    assert kaggle.doi == "10.1103/PhysRevD.76.013009"
    assert kaggle.journal_ref == "Phys.Rev.D76:013009,2007"
    assert papers["hep-th/9901001"].doi == "10.1000/old.1"
    assert set(rejected) == {
        "line 3",
        "line 5 (2401.01000)",
        "line 6 (2401.1000)",
        "line 7",
        "line 8 (2401.01001)",
    }
    assert rejected["line 3"].startswith("not valid JSON")
    assert rejected["line 5 (2401.01000)"] == "no title"
    assert "bad arXiv id" in rejected["line 6 (2401.1000)"]
    assert rejected["line 7"] == "not a JSON object but list"
    assert "bad date" in rejected["line 8 (2401.01001)"]


def test_snapshot_accepts_bytes_and_rejects_bad_utf8() -> None:
    good = (FIXTURES / "snapshot.jsonl").read_bytes().splitlines()[0]
    out = list(iter_snapshot([good, b'{"id": "\xff\xfe"}']))
    assert isinstance(out[0], Paper)
    assert isinstance(out[1], Rejected)
    assert out[1].where == "line 2"


def test_snapshot_real_kaggle_sample_all_parse() -> None:
    lines = shared_path(
        "data", "arxiv", "samples", "kaggle-arxiv-metadata-oai-snapshot.head200.json"
    ).read_text()
    out = list(iter_snapshot(lines.splitlines()))
    assert len(out) == 200
    assert all(isinstance(x, Paper) for x in out), [x for x in out if isinstance(x, Rejected)][:3]
    first = out[0]
    assert isinstance(first, Paper)
    assert first.arxiv_id == "0704.0001"
    assert first.published == D(2007, 4, 2)


# -- authors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("A and B", ("A", "B")),
        ("Ann Lee, Bo Chen, and Cy Dee", ("Ann Lee", "Bo Chen", "Cy Dee")),
        ("Ann Lee (MIT, Cambridge, MA), Bo Chen", ("Ann Lee", "Bo Chen")),
        ("Ann Lee (Dept. (Physics), MIT), Bo Chen", ("Ann Lee", "Bo Chen")),
        ("John Smith, Jr., Ann Lee", ("John Smith Jr.", "Ann Lee")),
        ("Anand Kumar and Sandy Shore", ("Anand Kumar", "Sandy Shore")),
        ("Ann  Lee,\n  Bo Chen", ("Ann Lee", "Bo Chen")),
        ("Ann Lee (unclosed, Bo Chen", ("Ann Lee unclosed", "Bo Chen")),  # unbalanced: keep all text
        ("", ()),
    ],
)
def test_split_authors(raw: str, names: tuple[str, ...]) -> None:
    assert split_authors(raw) == names


# -- hostile and broken bodies: never "zero papers" -------------------------------------------------

PARSERS = [parse_atom, parse_oai, parse_feed]


@pytest.mark.parametrize("parse", PARSERS)
def test_html_page_served_with_200_is_refused(parse: object) -> None:
    with pytest.raises(WireFormatError, match="an HTML page"):
        parse(fixture("maintenance.html"))  # type: ignore[operator]


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize("body", [b"", b"  \n\t", b"\xef\xbb\xbf"])
def test_empty_body_is_refused(parse: object, body: bytes) -> None:
    with pytest.raises(WireFormatError, match="an empty body"):
        parse(body)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("parse", "parts"),
    [
        (parse_atom, ("api", "q_testing_s0_m10_bc5a6c384fe9.xml")),
        (parse_oai, ("oai", "generated-by-arXiv-oaipmh", "ListRecords_from-until_arXiv_paged_p01.xml")),
        (parse_feed, ("rss", "quant-ph_2025-04-28.xml")),
    ],
)
@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.999])
def test_truncated_xml_raises_instead_of_salvaging(
    parse: object, parts: tuple[str, ...], fraction: float
) -> None:
    data = wire(*parts)
    with pytest.raises(WireFormatError, match="truncated XML at line"):
        parse(data[: int(len(data) * fraction)])  # type: ignore[operator]


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize("name", ["xxe.xml", "billion_laughs.xml"])
def test_dtds_and_entities_are_refused(parse: object, name: str) -> None:
    with pytest.raises(WireFormatError, match="DTD or entities"):
        parse(fixture(name))  # type: ignore[operator]


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\x1f\x8b\x08\x00garbage", "not XML"),
        (b'{"id": "2401.00001"}', "not XML"),
        (b"<feed><entry></feed>", "invalid XML at line 1"),
        (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "a <svg> document"),
    ],
)
def test_garbage_is_refused(parse: object, body: bytes, message: str) -> None:
    with pytest.raises(WireFormatError, match=message):
        parse(body)  # type: ignore[operator]


def test_each_parser_refuses_the_others_format() -> None:
    rss = fixture("rss_cs.xml")
    oai = fixture("oai_arxivraw.xml")
    api = fixture("api_page.xml")
    with pytest.raises(WireFormatError, match="an RSS feed, not"):
        parse_atom(rss)
    with pytest.raises(WireFormatError, match="an OAI-PMH response, not"):
        parse_atom(oai)
    with pytest.raises(WireFormatError, match="an Atom feed, not an OAI-PMH"):
        parse_oai(api)
    with pytest.raises(WireFormatError, match="an OAI-PMH response, not"):
        parse_feed(oai)


# -- categories: only arXiv's, whatever else a record lists ------------------------------------------


def test_snapshot_drops_acm_and_msc_classes_and_counts_them() -> None:
    dropped = DroppedCategories()
    lines = (FIXTURES / "snapshot_acm_msc.jsonl").read_text().splitlines()
    papers = by_id(tuple(p for p in iter_snapshot(lines, dropped=dropped) if isinstance(p, Paper)))
    assert papers["2401.10001"].categories == ("cs.CL", "cs.AI")
    assert papers["2401.10002"].categories == ("math.OC", "stat.ML")
    assert papers["2401.10003"].categories == (
        "hep-th",
        "hep-ph",
        "physics.comp-ph",
        "cond-mat.stat-mech",
        "q-bio.NC",
        "eess.SP",
        "astro-ph.GA",
    )
    assert (dropped.records, dropped.codes) == (2, 7)
    assert dropped.examples == ["I.2.7;", "I.2.6", "90C25,"]


def test_without_a_tally_codes_are_still_dropped() -> None:
    [line] = (FIXTURES / "snapshot_acm_msc.jsonl").read_text().splitlines()[:1]
    [paper] = list(iter_snapshot([line]))
    assert isinstance(paper, Paper)
    assert paper.categories == ("cs.CL", "cs.AI")


def test_xml_formats_drop_non_arxiv_categories_too() -> None:
    dropped = DroppedCategories()
    atom = fixture("api_page.xml").replace(
        b'<category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>',
        b'<category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/><category term="I.2.7"/>',
    )
    assert by_id(parse_atom(atom, dropped=dropped).papers)["2508.01191"].categories == (
        "cs.CL",
        "cs.AI",
        "cs.LG",
    )
    oai = fixture("oai_arxiv.xml").replace(
        b"<categories>math.GT math.AG</categories>", b"<categories>math.GT 57M25 math.AG</categories>"
    )
    [paper] = parse_oai(oai, dropped=dropped).papers
    assert paper.categories == ("math.GT", "math.AG")
    rss = fixture("rss_cs.xml").replace(
        b"<category>cs.AI</category>", b"<category>cs.AI</category><category>H.3.3</category>", 1
    )
    item = next(i for i in parse_feed(rss, dropped=dropped).items if i.paper.arxiv_id == "2611.00001")
    assert item.paper.categories == ("cs.CL", "cs.AI")
    assert (dropped.records, dropped.codes, dropped.examples) == (3, 3, ["I.2.7", "57M25", "H.3.3"])
