"""`import_files`: format detection, streaming in batches, counts, faults that keep what was read."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from freshness.errors import WireFormatError
from freshness.models import Paper
from freshness.sources import files
from freshness.sources.files import (
    FileFormat,
    ImportProgress,
    describe_import,
    detect_format,
    import_files,
)
from freshness.store import Store
from tests.conftest import shared_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "wire"


def snapshot_line(arxiv_id: str, *, versions: int = 1, title: str = "A title", month: int = 1) -> str:
    """One record in the snapshot format, as in the shared corpus."""
    dates = [f"Mon, {day:02d} {['Jan', 'Feb', 'Mar'][month - 1]} 2024 00:00:00 GMT" for day in range(1, 29)]
    return json.dumps(
        {
            "id": arxiv_id,
            "submitter": None,
            "authors": "Ada Lovelace, Alan Turing",
            "title": title,
            "comments": None,
            "journal-ref": None,
            "doi": None,
            "report-no": None,
            "categories": "cs.CL cs.AI",
            "license": None,
            "abstract": f"An abstract for {arxiv_id}.",
            "versions": [{"version": f"v{n}", "created": dates[n]} for n in range(1, versions + 1)],
            "update_date": "2024-01-01",
            "authors_parsed": [["Lovelace", "Ada", ""], ["Turing", "Alan", ""]],
        }
    )


def write_snapshot(path: Path, lines: list[str], *, compress: bool = False) -> Path:
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def ids(n: int, start: int = 1) -> list[str]:
    return [f"2401.{i:05d}" for i in range(start, start + n)]


# -- detection --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("snapshot.jsonl", FileFormat.SNAPSHOT),
        ("api_page.xml", FileFormat.API),
        ("oai_arxivraw.xml", FileFormat.OAI),
        ("oai_arxiv.xml", FileFormat.OAI),
        ("rss_cs.xml", FileFormat.RSS),
    ],
)
def test_detect_format_of_fixtures(name: str, fmt: FileFormat) -> None:
    assert detect_format((FIXTURES / name).read_bytes()) is fmt


def test_detect_format_tells_api_atom_from_feed_atom() -> None:
    atom_feed = shared_path("data", "arxiv", "wire", "rss", "composite", "atom_composite.xml").read_bytes()
    assert detect_format(atom_feed) is FileFormat.ATOM_FEED
    empty_api = shared_path(
        "data", "arxiv", "wire", "api", "id_0000.0000_s0_m100_8b51d9633a68.xml"
    ).read_bytes()
    assert detect_format(empty_api) is FileFormat.API
    legacy = shared_path(
        "data", "arxiv", "wire", "api", "legacy-2016", "id_list=1111.2011v2.xml"
    ).read_bytes()
    assert detect_format(legacy) is FileFormat.API


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (b"", "an empty file"),
        (b"   \n", "an empty file"),
        (b"<!DOCTYPE html><html><body>down</body></html>", "an HTML page"),
        (b"<html><body>down</body></html>", "an HTML page"),
        (b"PK\x03\x04zipfile", "not an arXiv metadata file"),
        (b"<?xml version='1.0'?><svg/>", "<svg> document"),
    ],
)
def test_detect_format_refuses_other_content(head: bytes, message: str) -> None:
    with pytest.raises(WireFormatError, match=message):
        detect_format(head)


# -- importing each format --------------------------------------------------------------------------


def test_import_every_fixture_format(store: Store, now: dt.datetime) -> None:
    paths = [
        FIXTURES / n
        for n in ("snapshot.jsonl", "api_page.xml", "oai_arxivraw.xml", "oai_arxiv.xml", "rss_cs.xml")
    ]
    result = import_files(store, paths, now=now)
    assert result.failed == ()
    summary = {f.path.name: (f.format, f.added, f.updated, f.unchanged, f.rejected) for f in result.files}
    assert summary == {
        "snapshot.jsonl": (FileFormat.SNAPSHOT, 3, 0, 0, 5),
        "api_page.xml": (FileFormat.API, 2, 0, 0, 3),
        "oai_arxivraw.xml": (FileFormat.OAI, 2, 0, 0, 2),  # a bad date and a deleted header
        "oai_arxiv.xml": (FileFormat.OAI, 1, 0, 0, 0),
        "rss_cs.xml": (FileFormat.RSS, 5, 0, 0, 1),
    }
    assert store.summary().papers == 3 + 2 + 2 + 1 + 5
    gone = store.get_papers(["2510.00001"]).get("2510.00001")
    assert gone is not None
    assert gone.withdrawn is True
    oai = next(f for f in result.files if f.path.name == "oai_arxivraw.xml")
    assert [r.reason for r in oai.rejections][-1] == "deleted on arXiv; not stored"


def test_gzipped_xml_and_snapshot(tmp_path: Path, store: Store, now: dt.datetime) -> None:
    xml = tmp_path / "feed.xml.gz"
    xml.write_bytes(gzip.compress((FIXTURES / "rss_cs.xml").read_bytes()))
    snap = write_snapshot(tmp_path / "s.jsonl.gz", [snapshot_line(i) for i in ids(3)], compress=True)
    result = import_files(store, [xml, snap], now=now)
    assert [(f.format, f.compressed, f.added) for f in result.files] == [
        (FileFormat.RSS, True, 5),
        (FileFormat.SNAPSHOT, True, 3),
    ]


def test_reimport_changes_nothing(tmp_path: Path, store: Store, now: dt.datetime) -> None:
    paths = [FIXTURES / n for n in ("snapshot.jsonl", "api_page.xml", "oai_arxivraw.xml", "rss_cs.xml")]
    first = import_files(store, paths, now=now)
    later = now + dt.timedelta(days=1)
    again = import_files(store, paths, now=later)
    assert again.added == 0
    assert again.updated == 0
    assert again.unchanged == first.added + first.updated
    stamps = {r[0] for r in store.db.execute("SELECT stored_at FROM papers")}
    assert stamps == {"2026-11-26T23:00:00Z"}  # nothing was rewritten


def test_newer_version_replaces_older_never_the_reverse(
    tmp_path: Path, store: Store, now: dt.datetime
) -> None:
    v1 = write_snapshot(tmp_path / "v1.jsonl", [snapshot_line("2401.00001", title="First title")])
    v3 = write_snapshot(tmp_path / "v3.jsonl", [snapshot_line("2401.00001", versions=3, title="Third title")])

    first = import_files(store, [v1, v3], now=now)
    assert [(f.added, f.updated) for f in first.files] == [(1, 0), (0, 1)]
    paper = store.get_papers(["2401.00001"]).get("2401.00001")
    assert paper is not None
    assert (paper.version, paper.title) == (3, "Third title")

    older = import_files(store, [v1], now=now)
    assert older.files[0].unchanged == 1
    paper = store.get_papers(["2401.00001"]).get("2401.00001")
    assert paper is not None
    assert (paper.version, paper.title) == (3, "Third title")
    assert [v.number for v in paper.versions] == [1, 2, 3]


def test_a_replace_item_in_a_feed_does_not_rewind_a_newer_stored_copy(store: Store, now: dt.datetime) -> None:
    # The RSS fixture announces 2402.03300v3; store v4 first, then import the feed.
    newer = write_snapshot_lines_paper("2402.03300", 4)
    store.upsert_papers([newer], source="snapshot", now=now)
    result = import_files(store, [FIXTURES / "rss_cs.xml"], now=now)
    assert result.failed == ()
    paper = store.get_papers(["2402.03300"]).get("2402.03300")
    assert paper is not None
    assert paper.version == 4


def write_snapshot_lines_paper(arxiv_id: str, versions: int) -> Paper:
    from freshness.sources.wire import snapshot_paper

    return snapshot_paper(json.loads(snapshot_line(arxiv_id, versions=versions)))


# -- streaming, batches and faults ------------------------------------------------------------------


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """BATCH_SIZE = 10, recording the size of every batch written."""
    sizes: list[int] = []
    real = Store.upsert_papers

    def spy(self: Store, papers: list[Paper], **kw: object) -> object:
        sizes.append(len(papers))
        return real(self, papers, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "BATCH_SIZE", 10)
    monkeypatch.setattr(Store, "upsert_papers", spy)
    return sizes


def test_snapshot_is_written_in_batches(
    tmp_path: Path, store: Store, now: dt.datetime, small_batches: list[int]
) -> None:
    path = write_snapshot(tmp_path / "s.jsonl.gz", [snapshot_line(i) for i in ids(35)], compress=True)
    result = import_files(store, [path], now=now)
    assert result.files[0].added == 35
    assert small_batches == [10, 10, 10, 5]


def test_bad_json_line_mid_file_is_a_rejected_record(tmp_path: Path, store: Store, now: dt.datetime) -> None:
    lines = [snapshot_line(i) for i in ids(4)]
    lines.insert(2, '{"id": "2401.09999", "title": "cut')
    path = write_snapshot(tmp_path / "s.jsonl", lines)
    [f] = import_files(store, [path], now=now).files
    assert f.error is None
    assert (f.added, f.rejected) == (4, 1)
    [r] = f.rejections
    assert r.where == "line 3"
    assert r.reason.startswith("not valid JSON")


def test_rejections_are_all_counted_but_only_the_first_few_kept(
    tmp_path: Path, store: Store, now: dt.datetime
) -> None:
    lines = [snapshot_line(i) for i in ids(3)] + ["[1]"] * 12 + [snapshot_line("2401.09999")]
    [f] = import_files(store, [write_snapshot(tmp_path / "s.jsonl", lines)], now=now).files
    assert f.rejected == 12
    assert [r.where for r in f.rejections] == ["line 4", "line 5", "line 6", "line 7", "line 8"]
    assert f.added == 4


def test_broken_last_line_is_a_truncated_file(tmp_path: Path, store: Store, now: dt.datetime) -> None:
    data = "\n".join(snapshot_line(i) for i in ids(5)) + "\n" + snapshot_line("2401.00006")[:40]
    path = tmp_path / "cut.jsonl"
    path.write_text(data)
    [f] = import_files(store, [path], now=now).files
    assert (
        f.error
        == f"{path}: the file ends mid-record at line 6 (truncated?); the 5 records before it are stored"
    )
    assert f.added == 5
    assert f.rejected == 0
    assert store.summary().papers == 5


def test_truncated_gzip_keeps_the_records_read_before_it(
    tmp_path: Path, store: Store, now: dt.datetime, small_batches: list[int]
) -> None:
    whole = gzip.compress(("\n".join(snapshot_line(i) for i in ids(400)) + "\n").encode())
    path = tmp_path / "corrupt.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    [f] = import_files(store, [path], now=now).files
    assert f.error is not None
    assert f.error.startswith(f"{path}: truncated gzip stream after record {f.added};")
    assert f.error.endswith(f"the {f.added} records before it are stored")
    assert 10 < f.added < 400
    assert store.summary().papers == f.added
    assert f.tip is not None
    assert "download it again" in f.tip
    # Importing the whole file afterwards completes it; what was kept is unchanged.
    path.write_bytes(whole)
    [g] = import_files(store, [path], now=now).files
    assert (g.added, g.unchanged, g.error) == (400 - f.added, f.added, None)


def test_corrupt_gzip_data(tmp_path: Path, store: Store, now: dt.datetime) -> None:
    whole = bytearray(gzip.compress(("\n".join(snapshot_line(i) for i in ids(3000)) + "\n").encode()))
    whole[len(whole) // 2 : len(whole) // 2 + 64] = b"\x00" * 64
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(bytes(whole))
    [f] = import_files(store, [path], now=now).files
    assert f.error is not None
    # The deflate stream still decodes (to garbage) up to the CRC check at the end of the file.
    assert f.error.startswith(f"{path}: corrupt gzip data (CRC check failed")
    assert f.error.endswith("but some may be damaged: download the file again and import it again")
    assert f.rejected > 0


def test_garbage_after_the_gzip_magic(tmp_path: Path, store: Store, now: dt.datetime) -> None:
    path = tmp_path / "x.gz"
    path.write_bytes(b"\x1f\x8b" + b"not really gzip" * 10)
    [f] = import_files(store, [path], now=now).files
    assert f.error is not None
    assert f.error.startswith(f"{path}: corrupt gzip file")
    assert f.format is None


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "missing.jsonl", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d / "empty.jsonl", b""), "an empty file"),
        (lambda d: _write(d / "page.xml", (FIXTURES / "maintenance.html").read_bytes()), "an HTML page"),
        (lambda d: _write(d / "xxe.xml", (FIXTURES / "xxe.xml").read_bytes()), "DTD or entities"),
        (
            lambda d: _write(d / "t.xml", (FIXTURES / "api_page.xml").read_bytes()[:900]),
            "truncated XML at line",
        ),
        (lambda d: _write(d / "err.xml", (FIXTURES / "rss_error.xml").read_bytes()), "error feed"),
    ],
)
def test_unreadable_files_fail_and_the_next_file_is_still_imported(
    tmp_path: Path, store: Store, now: dt.datetime, setup: Callable[[Path], Path], message: str
) -> None:
    bad = setup(tmp_path)
    good = write_snapshot(tmp_path / "good.jsonl", [snapshot_line("2401.00001")])
    result = import_files(store, [bad, good], now=now)
    [failed] = result.failed
    assert failed.path == bad
    assert failed.error is not None
    assert failed.error.startswith(f"{bad}: ")
    assert message in failed.error
    assert failed.tip
    assert result.files[1].added == 1


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_oai_error_responses(store: Store, now: dt.datetime) -> None:
    base = shared_path("data", "arxiv", "wire", "oai", "generated-by-arXiv-oaipmh")
    result = import_files(store, [base / "error_noRecordsMatch.xml", base / "error_badArgument.xml"], now=now)
    empty, bad = result.files
    assert empty.error is None  # "no records match" is an honest empty answer
    assert empty.stored == 0
    assert bad.error is not None
    assert "an OAI-PMH error response (badArgument" in bad.error


def test_api_error_feed_fails(store: Store, now: dt.datetime) -> None:
    path = shared_path("data", "arxiv", "wire", "api", "id_abc_s0_m100_b79c8dcf6bc3.xml")
    [f] = import_files(store, [path], now=now).files
    assert f.error is not None
    assert "incorrect id format for abc" in f.error


def test_progress_reports_bytes_and_records(
    tmp_path: Path, store: Store, now: dt.datetime, small_batches: list[int]
) -> None:
    path = write_snapshot(tmp_path / "s.jsonl.gz", [snapshot_line(i) for i in ids(25)], compress=True)
    events: list[ImportProgress] = []
    import_files(store, [path, FIXTURES / "rss_cs.xml"], now=now, progress=events.append)
    snap = [e for e in events if e.path == path]
    assert [e.records for e in snap] == [10, 20, 25]
    assert all(e.total_bytes == path.stat().st_size for e in snap)
    assert snap[-1].done_bytes == snap[-1].total_bytes
    assert [e.done_bytes for e in snap] == sorted(e.done_bytes for e in snap)
    assert events[-1].path.name == "rss_cs.xml"
    assert events[-1].records == 5


def test_describe_import_lists_counts_and_first_rejections(
    tmp_path: Path, store: Store, now: dt.datetime
) -> None:
    result = import_files(store, [FIXTURES / "snapshot.jsonl", tmp_path / "nope.jsonl"], now=now)
    lines = describe_import(result)
    assert (
        lines[0] == f"{FIXTURES / 'snapshot.jsonl'} (snapshot): 3 added, 0 updated, 0 unchanged, 5 rejected"
    )
    assert lines[1] == f"{tmp_path / 'nope.jsonl'} (not read): 0 added, 0 updated, 0 unchanged, 0 rejected"
    assert lines[2] == "total: 3 added, 0 updated, 0 unchanged, 5 rejected"
    assert lines[3] == "rejected records:"
    assert lines[4].startswith(f"  {FIXTURES / 'snapshot.jsonl'} line 3: not valid JSON (")
    assert lines[5] == f"  {FIXTURES / 'snapshot.jsonl'} line 5 (2401.01000): no title"
    assert len(lines) == 4 + 5 + 1
    assert lines[-1].startswith("coverage recorded: ")  # only the file read to its end


# -- the real corpus --------------------------------------------------------------------------------

KNOWN = {
    "2505.24864": "ProRL: Prolonged Reinforcement Learning Expands Reasoning Boundaries",
    "2501.12948": "DeepSeek-R1",
    "2402.03300": "DeepSeekMath",
}


@pytest.mark.corpus
def test_import_a_slice_of_the_real_corpus(tmp_path: Path, store: Store, now: dt.datetime) -> None:
    corpus = shared_path("data", "arxiv", "arxiv-metadata-2024-2026.jsonl.gz")
    wanted = {f'"id": "{k}"'.encode() for k in KNOWN}
    lines: list[bytes] = []
    with gzip.open(corpus, "rb") as f:
        lines.extend(itertools.islice(f, 3000))
        wanted = {w for w in wanted if not any(w in line[:40] for line in lines)}
        for line in f:  # add the known papers from further on, then stop reading
            if any(w in line[:40] for w in wanted):
                lines.append(line)
                wanted = {w for w in wanted if w not in line[:40]}
                if not wanted:
                    break
    path = tmp_path / "slice.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(lines)))

    [f] = import_files(store, [path], now=now).files
    assert (f.format, f.compressed, f.error) == (FileFormat.SNAPSHOT, True, None)
    assert (f.added, f.updated, f.unchanged, f.rejected) == (len(lines), 0, 0, 0)
    assert store.summary().papers == len(lines)
    papers = store.get_papers(list(KNOWN))
    for arxiv_id, title in KNOWN.items():
        assert papers[arxiv_id].title.startswith(title)
    prorl = papers["2505.24864"]
    assert prorl.published == dt.date(2025, 5, 30)
    assert prorl.categories == ("cs.CL", "cs.AI")
    assert prorl.authors[:2] == ("Mingjie Liu", "Shizhe Diao")
    first_id = json.loads(lines[0])["id"]
    first = store.get_papers([first_id]).get(first_id)
    assert first is not None
    assert first.published == dt.date(2024, 1, 1)
    assert store.search('"reinforcement learning" reasoning', limit=5)  # the FTS index was filled

    [again] = import_files(store, [path], now=now).files
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(lines))


# -- categories that are not arXiv's -----------------------------------------------------------------


def test_acm_and_msc_classes_are_not_stored_as_categories_and_the_summary_says_so(
    store: Store, now: dt.datetime
) -> None:
    path = FIXTURES / "snapshot_acm_msc.jsonl"
    result = import_files(store, [path], now=now)
    [f] = result.files
    assert (f.added, f.rejected) == (3, 0)  # the records themselves are kept
    assert (f.dropped_categories, f.dropped_category_records) == (7, 2)
    assert f.dropped_category_examples == ("I.2.7;", "I.2.6", "90C25,")
    stored = store.get_papers(["2401.10001", "2401.10002", "2401.10003"])
    assert stored["2401.10001"].categories == ("cs.CL", "cs.AI")
    assert stored["2401.10002"].categories == ("math.OC", "stat.ML")
    assert len(stored["2401.10003"].categories) == 7
    assert describe_import(result) == [
        f"{path} (snapshot): 3 added, 0 updated, 0 unchanged, 0 rejected; "
        "7 non-arXiv categories dropped (2 records)",
        "dropped categories are not arXiv categories (ACM/MSC classes, stray words), e.g. 'I.2.7;', "
        "'I.2.6', '90C25,'; the papers are stored with their arXiv categories",
        "coverage recorded: 2024-01-15 to 2024-01-17, 11 categories",
    ]


def test_the_total_line_counts_dropped_categories_across_files(
    tmp_path: Path, store: Store, now: dt.datetime
) -> None:
    other = write_snapshot(tmp_path / "one.jsonl", [snapshot_line("2401.20001").replace("cs.AI", "I.2.7")])
    result = import_files(store, [FIXTURES / "snapshot_acm_msc.jsonl", other], now=now)
    lines = describe_import(result)
    assert lines[1] == (
        f"{other} (snapshot): 1 added, 0 updated, 0 unchanged, 0 rejected; "
        "1 non-arXiv category dropped (1 record)"
    )
    assert lines[2] == (
        "total: 4 added, 0 updated, 0 unchanged, 0 rejected; 8 non-arXiv categories dropped (3 records)"
    )
    assert lines[3].endswith(
        "e.g. 'I.2.7;', 'I.2.6', '90C25,'; the papers are stored with their arXiv categories"
    )


def test_an_import_without_foreign_codes_says_nothing_about_them(store: Store, now: dt.datetime) -> None:
    result = import_files(store, [FIXTURES / "api_page.xml"], now=now)
    assert result.dropped_categories == 0
    assert not any("categor" in line for line in describe_import(result))


@pytest.mark.corpus
def test_the_real_corpus_lists_acm_and_msc_classes_in_some_records() -> None:
    # Measured on the whole shared 2024-2026 corpus: 2,673 of its 139,126 records list 7,793 codes that
    # are not arXiv categories (ACM/MSC classes, words of a free-text class). Its first 10,000 lines:
    from freshness.sources.wire import DroppedCategories, iter_snapshot

    corpus = shared_path("data", "arxiv", "arxiv-metadata-2024-2026.jsonl.gz")
    dropped = DroppedCategories()
    with gzip.open(corpus, "rb") as f:
        papers = [
            p for p in iter_snapshot(itertools.islice(f, 10_000), dropped=dropped) if isinstance(p, Paper)
        ]
    assert len(papers) == 10_000
    assert (dropped.records, dropped.codes) == (607, 1_636)
    assert all(c.split(".")[0].islower() and c[0].isalpha() for p in papers for c in p.categories)


def _segments(store: Store) -> int:
    """Segments in the FTS5 index (its %_idx table has a row per segment and leaf page)."""
    return int(store.db.execute("SELECT count(DISTINCT segid) FROM papers_fts_idx").fetchone()[0])


def test_a_bulk_import_merges_the_full_text_index_and_says_so(
    tmp_path: Path, store: Store, now: dt.datetime
) -> None:
    query = '"a title"'
    batches = [[snapshot_line(i) for i in ids(40)[k : k + 10]] for k in range(0, 40, 10)]
    for n, lines in enumerate(batches):  # four imports: several segments, as after many batches
        import_files(store, [write_snapshot(tmp_path / f"s{n}.jsonl", lines)], now=now)
    before = sorted(store.match_rowids(query, limit=100))
    assert _segments(store) > 1

    big = write_snapshot(tmp_path / "big.jsonl", [snapshot_line(i) for i in ids(60)[40:]])
    result = import_files(store, [big], now=now, optimize_from=20)
    assert result.optimized
    assert "full-text index merged into one segment" in " ".join(describe_import(result))
    assert _segments(store) == 1
    assert sorted(store.match_rowids(query, limit=100))[: len(before)] == before
    assert store.count_matches(query) == 60


def test_a_small_import_leaves_the_index_to_fts5(tmp_path: Path, store: Store, now: dt.datetime) -> None:
    snap = write_snapshot(tmp_path / "s.jsonl", [snapshot_line(i) for i in ids(3)])
    result = import_files(store, [snap], now=now)
    assert not result.optimized
    assert not any("merged" in line for line in describe_import(result))
