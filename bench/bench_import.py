"""Import benchmark: records/s and peak memory of `freshness import` on the shared corpus and on a
synthetic snapshot derived from it, against a bare sqlite3 `executemany` of the same rows into the
same schema (the store's own migrations) with the same FTS5 index, measured in the same run.

    .venv/bin/python bench/bench_import.py                 # corpus (3 runs) + 1,000,000 records (1 run)
    .venv/bin/python bench/bench_import.py --records 200000 --repeat 1
    .venv/bin/python bench/bench_import.py --quick         # 20k-record corpus slice + 50k synthetic

Every measured import runs in a child process, so its peak RSS (wait4's ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

FULL_ARXIV = 2_700_000
BASELINE_BATCH = 2000  # records per transaction, the same as freshness.sources.files.BATCH_SIZE
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}


# -- the baseline: a bare executemany into the same schema -------------------------------------------


def _day(created: str) -> str:
    """'Mon, 01 Jan 2024 00:00:00 GMT' -> '2024-01-01', by slicing (the cheapest correct parse)."""
    return f"{created[12:16]}-{_MONTHS[created[8:11]]:02d}-{created[5:7]}"


def baseline_rows(
    records: Iterator[dict[str, Any]], stamp: str
) -> Iterator[tuple[tuple[object, ...], list[tuple[int, str]], list[str]]]:
    """(papers row, versions, categories) per record, with no validation and no merging."""
    for rec in records:
        versions = [(int(v["version"][1:]), _day(v["created"])) for v in rec["versions"]]
        cats = rec["categories"].split()
        authors = [a.strip() for a in rec["authors"].split(",") if a.strip()]
        row = (
            rec["id"],
            versions[-1][0],
            rec["title"],
            rec["abstract"],
            json.dumps(authors, ensure_ascii=False),
            rec["categories"],
            rec.get("comments"),
            rec.get("journal-ref"),
            rec.get("doi"),
            versions[0][1],
            versions[-1][1],
            None,
            "snapshot",
            stamp,
        )
        yield row, versions, cats


def baseline_import(path: Path, db_path: Path) -> int:
    """Create the store's schema through its own migrations, then insert with plain executemany,
    BASELINE_BATCH records per transaction, into every table the schema keeps per paper. The FTS5
    index gets the same rows by its own executemany in the same transaction (the fastest way to fill
    it found here; the AFTER INSERT trigger the store used at first is ~2x slower), so the baseline
    is this machine's limit for the schema."""
    from freshness.store import Store

    Store.open(db_path).close()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("DROP TRIGGER IF EXISTS papers_ai")  # index below, by executemany, as fast as it gets
    has_filter = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'paper_filter'").fetchone() is not None
    stamp = common.now_utc().isoformat(timespec="seconds")
    rowid = 0
    papers: list[tuple[object, ...]] = []
    versions: list[tuple[int, int, str]] = []
    cats: list[tuple[str, int]] = []

    def flush() -> None:
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT INTO papers (rowid, arxiv_id, version, title, abstract, authors, categories, "
            "comments, journal_ref, doi, published, updated, withdrawn, source, stored_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            papers,
        )
        db.executemany(
            "INSERT INTO papers_fts (rowid, title, abstract) VALUES (?,?,?)",
            [(p[0], p[3], p[4]) for p in papers],
        )
        if has_filter:  # the narrow search-filter table (store migration m009)
            db.executemany(
                "INSERT INTO paper_filter (rowid, published, categories) VALUES (?,?,?)",
                [(p[0], p[10], f" {p[6]} ") for p in papers],
            )
        db.executemany("INSERT INTO versions (paper, number, date) VALUES (?,?,?)", versions)
        db.executemany("INSERT OR IGNORE INTO paper_categories (category, paper) VALUES (?,?)", cats)
        db.execute("COMMIT")
        papers.clear()
        versions.clear()
        cats.clear()

    for row, vs, cs in baseline_rows(common.iter_records(path), stamp):
        rowid += 1
        papers.append((rowid, *row))
        versions.extend((rowid, n, d) for n, d in vs)
        cats.extend((c, rowid) for c in cs)
        if len(papers) >= BASELINE_BATCH:
            flush()
    if papers:
        flush()
    db.close()
    return rowid


def parse_only(path: Path) -> int:
    """gunzip + json.loads of every line: the floor under any importer."""
    return sum(1 for _ in common.iter_records(path))


def wire_only(path: Path) -> int:
    """gunzip + freshness's snapshot parser (validation, Paper values), no store."""
    from freshness.sources.wire import iter_snapshot

    with common.open_text(path) as f:
        return sum(1 for _ in iter_snapshot(f))


def freshness_import(path: Path, db_path: Path) -> int:
    """The import code path the CLI calls: freshness.sources.files.import_files."""
    from freshness.sources.files import import_files
    from freshness.store import Store

    with Store.open(db_path) as store:
        result = import_files(store, [path], now=common.now_utc())
        if result.failed:
            raise SystemExit(f"import failed: {result.failed[0].error}")
        return result.added + result.updated + result.unchanged


CHILDREN = {
    "baseline": baseline_import,
    "freshness": freshness_import,
}


def child_main(mode: str, path: Path, db_path: Path | None) -> None:
    if mode == "parse":
        n = parse_only(path)
    elif mode == "wire":
        n = wire_only(path)
    else:
        assert db_path is not None
        n = CHILDREN[mode](path, db_path)
    print(json.dumps({"records": n}))


# -- the parent: runs the children and prints the tables -----------------------------------------------


def _fresh_db(name: str) -> Path:
    db = common.scratch("import", f"{name}.sqlite")
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return db


def _measure(mode: str, path: Path, *, with_db: bool = True, db_name: str | None = None) -> common.ChildRun:
    argv: list[str | Path] = [common.PYTHON, Path(__file__).resolve(), "--child", mode, path]
    if with_db:
        argv.append(_fresh_db(db_name or mode))
    run = common.run_child(argv)
    common.child_result(run)
    return run


def _cli_import(path: Path, db: Path) -> common.ChildRun:
    """`freshness --db DB import FILE`, the command a user runs."""
    run = common.run_child([common.FRESHNESS, "--db", db, "import", path], env={"NO_COLOR": "1"})
    if run.returncode != 0:
        raise RuntimeError(f"freshness import failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return run


def bench_file(
    label: str, path: Path, records: int, repeat: int, cli: bool, *, parsers: bool = True
) -> list[list[object]]:
    """Rows for one file: the parse floors (when `parsers`), the baseline, freshness, a re-import."""
    rows: list[list[object]] = []
    results: dict[str, list[common.ChildRun]] = {"parse": [], "wire": [], "baseline": [], "freshness": []}
    if not parsers:
        del results["parse"], results["wire"]
    for _ in range(repeat):
        if parsers:
            results["parse"].append(_measure("parse", path, with_db=False))
            results["wire"].append(_measure("wire", path, with_db=False))
        results["baseline"].append(_measure("baseline", path))
        if cli:
            results["freshness"].append(_cli_import(path, _fresh_db("freshness")))
        else:
            results["freshness"].append(_measure("freshness", path))
    # The same file again into the full store: every record is unchanged (idempotent re-import).
    db = common.scratch("import", "freshness.sqlite")
    reimport = _cli_import(path, db) if cli else _measure_into("freshness", path, db)
    base = min(r.seconds for r in results["baseline"])
    base_cpu = min(r.cpu_seconds for r in results["baseline"])
    names = {
        "parse": "gunzip + json.loads only (floor)",
        "wire": "gunzip + freshness snapshot parser (no store)",
        "baseline": "baseline: bare sqlite3 executemany + FTS5",
        "freshness": "freshness import" + (" (CLI)" if cli else " (import_files)"),
    }
    for key, runs in [*results.items(), ("reimport", [reimport])]:
        best = min(r.seconds for r in runs)
        cpu = min(r.cpu_seconds for r in runs)
        rows.append(
            [
                label,
                names.get(key, "freshness re-import, all unchanged"),
                best,
                sorted(r.seconds for r in runs)[len(runs) // 2],
                cpu,
                records / best,
                common.ratio(base, best),
                common.ratio(base_cpu, cpu),
                max(r.peak_rss_mb for r in runs),
            ]
        )
    return rows


def _measure_into(mode: str, path: Path, db: Path) -> common.ChildRun:
    run = common.run_child([common.PYTHON, Path(__file__).resolve(), "--child", mode, path, db])
    common.child_result(run)
    return run


def _cli_has_import() -> bool:
    run = common.run_child([common.FRESHNESS, "import", "--help"])
    return run.returncode == 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000, help="size of the synthetic file")
    parser.add_argument("--corpus-records", type=int, default=None, help="use only the corpus's first N")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement on the corpus")
    parser.add_argument("--synthetic-repeat", type=int, default=1, help="runs per measurement, synthetic")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each")
    parser.add_argument("--corpus-only", action="store_true", help="skip the synthetic file")
    parser.add_argument("--library", action="store_true", help="time import_files, not the CLI")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, path, *db = args.child
        child_main(mode, Path(path), Path(db[0]) if db else None)
        return
    if args.quick:
        args.records, args.corpus_records, args.repeat, args.synthetic_repeat = 50_000, 20_000, 1, 1
    common.require(common.CORPUS, "the shared arXiv corpus")
    common.header("Import benchmark")
    cli = not args.library and _cli_has_import()
    if args.corpus_records:
        corpus_path = common.synthetic_snapshot(args.corpus_records)  # the corpus's first N, verbatim
        corpus_n = args.corpus_records
    else:
        corpus_path, corpus_n = common.CORPUS, sum(1 for _ in common.open_text(common.CORPUS))
    started = time.perf_counter()
    rows = bench_file(f"corpus {corpus_n:,}", corpus_path, corpus_n, args.repeat, cli)
    if not args.corpus_only:
        synthetic = common.synthetic_snapshot(args.records)
        print(
            f"Synthetic file: {synthetic} ({args.records:,} records, "
            f"{synthetic.stat().st_size / 1e6:.0f} MB gzipped)\n"
        )
        rows += bench_file(
            f"synthetic {args.records:,}", synthetic, args.records, args.synthetic_repeat, cli, parsers=False
        )
    print(
        common.table(
            [
                "file",
                "what",
                "wall best s",
                "wall median s",
                "CPU s",
                "records/s",
                "speed vs baseline (wall)",
                "(CPU)",
                "peak RSS MB",
            ],
            rows,
        )
    )
    fresh = [r for r in rows if str(r[1]).startswith("freshness import")]
    base = [r for r in rows if str(r[1]).startswith("baseline")]
    big_rate = float(fresh[-1][5])
    print(
        f"\nExtrapolated full arXiv ({FULL_ARXIV:,} records) at the {rows[-1][0]} rate: "
        f"freshness {FULL_ARXIV / big_rate / 60:.1f} min, baseline "
        f"{FULL_ARXIV / float(base[-1][5]) / 60:.1f} min "
        "(linear; FTS5 merge cost grows slowly with the index, so treat it as a lower bound)."
    )
    print(
        f"Peak memory: {fresh[0][8]:.0f} MB for the {rows[0][0]} vs {fresh[-1][8]:.0f} MB for the "
        f"{rows[-1][0]} (flat when these match)."
    )
    print(
        f"\nDate: {dt.datetime.now(dt.UTC):%Y-%m-%d}; total bench time {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
