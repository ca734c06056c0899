"""Smoke runs of every benchmark's code path on tiny inputs, so the scripts in bench/ don't rot.

Nothing here is timed: the assertions are about what the benchmarks compute (row counts, request
counts, recall inputs), never about how fast.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from freshness.models import Paper
from freshness.sources.files import import_files
from freshness.sources.wire import iter_snapshot, snapshot_paper
from freshness.store import Store

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import bench_import  # noqa: E402 - bench/ is not a package; its scripts import `common` by name
import bench_match  # noqa: E402
import bench_poll  # noqa: E402
import bench_report  # noqa: E402
import common  # noqa: E402

TITLES = [
    "Lost in the Middle: How Language Models Use Long Contexts",
    "Sparse Attention for Long Documents",
    "Chain-of-Thought Reasoning Under Distribution Shift",
    "Scaling Laws for Data-Constrained Language Models",
    "Found in the Middle: Calibrating Positional Attention Bias",
    "Entropy Collapse in Reinforcement Learning for Reasoning",
]
SENTENCES = [
    "We study how language models use information placed in the middle of long inputs.",
    "Performance is highest when relevant information is at the beginning or end.",
    "We propose a calibration that reduces the positional bias of attention.",
    "Experiments on multi-document question answering confirm the effect.",
    "Our analysis shows the gains hold across model sizes and context lengths.",
]


def _record(n: int, day: dt.date, versions: int = 1) -> dict[str, Any]:
    stamp = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    vs = [{"version": "v1", "created": stamp}]
    if versions > 1:
        later = day + dt.timedelta(days=30)
        vs.append({"version": f"v{versions}", "created": later.strftime("%a, %d %b %Y 00:00:00 GMT")})
    return {
        "id": f"{day:%y%m}.{n:05d}",
        "submitter": None,
        "authors": "Ada Lovelace, Alan Turing",
        "title": TITLES[n % len(TITLES)],
        "comments": None,
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": ["cs.CL cs.AI", "cs.LG", "cs.AI cs.CL"][n % 3],
        "license": None,
        "abstract": " ".join(SENTENCES[n % 5 :] + SENTENCES[: n % 5]),
        "versions": vs,
        "update_date": (day + dt.timedelta(days=30 if versions > 1 else 0)).isoformat(),
        "authors_parsed": [["Lovelace", "Ada", ""], ["Turing", "Alan", ""]],
    }


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(common, "SCRATCH", tmp_path / "scratch")
    return tmp_path / "scratch"


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """40 records over 2025-04..06, sorted by first-version date like the shared corpus."""
    start = dt.date(2025, 4, 1)
    records = [_record(n + 1, start + dt.timedelta(days=2 * n), versions=1 + n % 3) for n in range(40)]
    return common.write_lines(tmp_path / "corpus.jsonl.gz", records)


def _lines(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


# -- common: derived data ---------------------------------------------------------------------------


def test_synthetic_snapshot_derives_valid_records_from_real_text(scratch: Path, tiny_corpus: Path) -> None:
    path = common.synthetic_snapshot(100, source=tiny_corpus)
    assert path.is_relative_to(scratch)
    records = _lines(path)
    source = _lines(tiny_corpus)
    assert len(records) == 100
    assert records[:40] == source  # the real records come first, untouched
    assert len({r["id"] for r in records}) == 100
    heads = {t.split(":", 1)[0] for t in TITLES}
    tails = {t.split(":", 1)[1] for t in TITLES if ":" in t}
    for rec in records[40:]:
        title = rec["title"]
        assert title in TITLES or (title.split(":", 1)[0] in heads and title.split(":", 1)[1] in tails)
        assert all(s in SENTENCES for s in common._SENTENCE.split(rec["abstract"]))
        assert "2504" <= rec["id"][:4] <= "2506"
        first = common.v1_date(rec)
        assert first.strftime("%y%m") == rec["id"][:4]
        assert rec["update_date"] >= first.isoformat()
    parsed = list(iter_snapshot(json.dumps(r) for r in records))
    assert all(isinstance(p, Paper) for p in parsed)  # freshness's own parser takes every line
    assert common.synthetic_snapshot(100, source=tiny_corpus) == path  # cached, not remade


def test_claims_come_from_real_titles_and_predate_their_paper(tiny_corpus: Path) -> None:
    entries = common.make_claims(5, source=tiny_corpus)
    by_title = {r["title"]: r for r in _lines(tiny_corpus)}
    for entry in entries:
        assert entry["claim"] in by_title
        assert 1 <= len(entry["topics"]) <= 2
        assert all(t and t.lower() in " ".join(TITLES).lower() for t in entry["topics"])
    claims = common.claims_values(entries)
    assert [c.id for c in claims] == [f"bench-{n:04d}" for n in range(1, 6)]
    assert all(c.date < dt.date(2025, 6, 30) for c in claims)


def test_table_and_ratio_render_markdown() -> None:
    text = common.table(["a", "b"], [["x", 1234.5], ["yy", 0.05]])
    assert text.splitlines()[0] == "| a  | b     |"
    assert text.splitlines()[2] == "|  x | 1,234 |"
    assert common.ratio(2.0, 4.0) == "0.50x"
    assert common.ratio(1.0, 0.0) == "n/a"


# -- import --------------------------------------------------------------------------------------------


def test_import_baseline_and_freshness_store_the_same_papers(tmp_path: Path, tiny_corpus: Path) -> None:
    assert bench_import.parse_only(tiny_corpus) == 40
    assert bench_import.wire_only(tiny_corpus) == 40
    assert bench_import.baseline_import(tiny_corpus, tmp_path / "base.sqlite") == 40
    assert bench_import.freshness_import(tiny_corpus, tmp_path / "fresh.sqlite") == 40
    with Store.open(tmp_path / "base.sqlite") as base, Store.open(tmp_path / "fresh.sqlite") as fresh:
        for store in (base, fresh):
            assert store.summary().papers == 40
            assert store.db.execute("SELECT count(*) FROM papers_fts").fetchone()[0] == 40
            assert store.db.execute("SELECT count(*) FROM versions").fetchone()[0] == 40 + 26
        assert [r for r, _ in base.search("calibrating")] == [r for r, _ in fresh.search("calibrating")]
        assert base.get_papers(["2504.00002"]) == fresh.get_papers(["2504.00002"])


def test_child_run_reports_json_and_peak_memory(scratch: Path, tiny_corpus: Path) -> None:
    run = common.run_child([common.PYTHON, BENCH / "bench_import.py", "--child", "parse", tiny_corpus])
    assert common.child_result(run) == {"records": 40}
    assert run.peak_rss_mb > 1
    assert run.cpu_seconds > 0


# -- match ---------------------------------------------------------------------------------------------


@pytest.fixture
def tiny_store(tmp_path: Path, tiny_corpus: Path, now: dt.datetime) -> Path:
    path = tmp_path / "store.sqlite"
    with Store.open(path) as store:
        import_files(store, [tiny_corpus], now=now)
    return path


def test_matcher_and_brute_force_run_on_the_same_claims(
    scratch: Path, tiny_store: Path, tiny_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = common.claims_values(common.make_claims(4, source=tiny_corpus))
    seconds, cpu, found = bench_match.match_once(tiny_store, claims)
    assert seconds > 0
    assert cpu > 0
    assert found > 0
    monkeypatch.setenv("FRESHNESS_BENCH_DIR", str(scratch))  # the child process's scratch too
    timing, _, child_found = bench_match.time_matcher(tiny_store, claims, 2)
    assert len(timing.runs) == 2
    assert child_found == found  # a fresh process finds the same matches
    assert bench_match.match_once(tiny_store, claims, after_rowid=10**9)[2] == 0  # nothing stored since
    assert 0 < bench_match.match_once(tiny_store, claims, after_rowid=1)[2] <= found
    # Nothing stored since yesterday: the merge is yesterday's matches, which is the full re-match.
    agree = bench_match.merge_agreement(tiny_store, tiny_store, claims, stamp=10**9)
    assert agree["claims"] == agree["equal"] == agree["same ids"] == 4
    assert agree["scores"] == 0
    papers = bench_match.paper_texts(tiny_store)
    assert len(papers) == 40
    assert len(bench_match.paper_texts(tiny_store, sample=10)) == 10
    scores = bench_match.brute_force(["positional attention bias"], [p[3] for p in papers])
    assert scores.shape == (1, 40)
    calibrating = [i for i, p in enumerate(papers) if "Calibrating" in p[2]]
    assert all(scores[0][i] == 100 for i in calibrating)
    rate = bench_match.measure_brute_rate(["long contexts"], [p[3] for p in papers], 1)
    assert rate.pairs == 40
    assert rate.seconds(2, 80) == pytest.approx(4 * rate.timing.best)
    matchers = bench_match.brute_force_matchers(papers)
    assert sorted(matchers) == ["brute force, max over topics", "brute force, mean over topics"]
    match = matchers["brute force, max over topics"]
    claim = bench_match.redate(claims[:1], dt.date(2025, 5, 1))[0]
    claim = type(claim)(**{**claim.__dict__, "topics": ("positional attention bias",)})
    found_matches = match(None, claim)
    assert found_matches
    assert found_matches[0].score == 100
    assert all(m.published > dt.date(2025, 5, 1) for m in found_matches)
    assert [m.score for m in found_matches] == sorted((m.score for m in found_matches), reverse=True)


# -- poll ----------------------------------------------------------------------------------------------


def test_poll_cost_counts_requests_without_sleeping(tmp_path: Path) -> None:
    from tests.fakearxiv import FakeArxiv

    night = bench_poll.NIGHT.date()
    rng = random.Random(1)
    records = [_record(n + 1, night - dt.timedelta(days=rng.randint(1, 40))) for n in range(60)]
    papers = [snapshot_paper(r) for r in records]
    claims = [
        bench_poll.dataclasses.replace(c, categories=bench_poll.DEFAULT_CATEGORIES)
        for c in common.claims_values(
            [
                {"id": f"c{n}", "claim": "x", "date": "2025-01-01", "topics": [TITLES[n].split(":")[0]]}
                for n in range(3)
            ]
        )
    ]
    with FakeArxiv() as fake:
        arxiv = bench_poll.LoopbackArxiv(fake, papers)
        nightly = bench_poll.poll_cost(arxiv, claims, days_behind=1, folder=tmp_path)
        catch_up = bench_poll.poll_cost(arxiv, claims, days_behind=30, folder=tmp_path)
        baseline = bench_poll.baseline_cost(arxiv, claims, days=30)
    assert nightly.requests == 1  # one RSS request, whatever the number of claims
    assert catch_up.requests == 2  # one OAI-PMH page, then RSS
    assert baseline.requests == len(claims)
    # 3 s apart, simulated: the measured "wall" includes the waits no one slept through.
    assert baseline.wall >= 3.0 * (len(claims) - 1)
    assert baseline.real < baseline.wall


# -- report --------------------------------------------------------------------------------------------


def test_startup_measures_imports_and_keeps_heavy_modules_lazy() -> None:
    total, heaviest = bench_report.import_times()
    assert total > 0
    assert "freshness.cli" in [name for name, _ in heaviest]
    loaded = bench_report.heavy_modules_loaded(["--help"])
    assert "rapidfuzz" not in loaded
    assert "rich" not in loaded
    timing = bench_report.time_command([common.PYTHON, "-c", "pass"], 2)
    assert len(timing.runs) == 2
