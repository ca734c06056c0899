"""Report and start-up benchmark: wall time of `freshness report` (terminal and JSON) on the 1M-paper
store with 1,000 claims, and of `freshness --help`, each against a floor measured in the same run
(`python -c pass` for start-up; the same claims loaded and the store opened, for the report).
The first report matches every claim and saves the results in the store's match cache; later
reports whose matches are current (no new papers, same claims) read them from there. Both are timed,
and the in-process split (build from the cache, render) says where the warm time goes.

    .venv/bin/python bench/bench_report.py
    .venv/bin/python bench/bench_report.py --papers 100000 --claims 100
    .venv/bin/python bench/bench_report.py --quick          # 20k store, 20 claims
    .venv/bin/python bench/bench_report.py --startup-only
    .venv/bin/python bench/bench_report.py --keep-cache     # skip the ~3-minute cold report

Every command runs as a child process, as a user would run it (output to a file, no TTY).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

STARTUP_RUNS = 10

# What a report needs before it can judge anything: the claims file parsed and the store opened.
FLOOR = """
import sys
from pathlib import Path
from freshness.claims import load_claims
from freshness.store import Store
import datetime as dt
claims = load_claims(Path(sys.argv[1]), today=dt.date.today())
with Store.open(Path(sys.argv[2])) as store:
    store.summary()
"""


def time_command(argv: list[str | Path], runs: int, env: dict[str, str] | None = None) -> common.Timing:
    """Wall times of `runs` runs of a command."""
    return time_command_cpu(argv, runs, env)[0]


def time_command_cpu(
    argv: list[str | Path], runs: int, env: dict[str, str] | None = None
) -> tuple[common.Timing, common.Timing]:
    """Wall and CPU (user + system) times of `runs` runs of a command."""
    times, cpu = [], []
    for _ in range(runs):
        run = common.run_child(argv, env=env)
        if run.returncode not in (0, 1):  # 1 = something needs attention, a normal report outcome
            raise RuntimeError(f"{argv} failed ({run.returncode}):\n{run.stderr[-2000:]}")
        times.append(run.seconds)
        cpu.append(run.cpu_seconds)
    return common.Timing(tuple(times)), common.Timing(tuple(cpu))


def import_times(module: str = "freshness.cli", top: int = 12) -> tuple[float, list[tuple[str, float]]]:
    """(total seconds, the `top` heaviest imports by cumulative time) from `python -X importtime`."""
    run = common.run_child([common.PYTHON, "-X", "importtime", "-c", f"import {module}"])
    rows: list[tuple[str, float, int]] = []
    for line in run.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((m[4], int(m[2]) / 1e6, len(m[3])))
    total = next((sec for name, sec, _ in rows if name == module), 0.0)
    # Top-level imports and their direct children (indent 1 or 3), heaviest first.
    outer = sorted(((n, s) for n, s, depth in rows if depth <= 3), key=lambda r: -r[1])
    return total, outer[:top]


def heavy_modules_loaded(argv: list[str]) -> list[str]:
    """Which heavy modules a command has imported by the time it exits."""
    heavy = ["rapidfuzz", "rich", "yaml", "pydantic", "requests", "arxiv", "feedparser", "apscheduler"]
    code = (
        "import sys, runpy; sys.argv = ['freshness', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('freshness', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print(' '.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)"
    )
    run = common.run_child([common.PYTHON, "-c", code, *argv])
    return run.stderr.strip().splitlines()[-1].split() if run.stderr.strip() else []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--papers", type=int, default=1_000_000, help="store size")
    parser.add_argument("--claims", type=int, default=1000, help="claims in the claims file")
    parser.add_argument("--repeat", type=int, default=3, help="runs per report measurement")
    parser.add_argument("--quick", action="store_true", help="a 20k store, 20 claims, one run")
    parser.add_argument("--startup-only", action="store_true", help="only `freshness --help`")
    parser.add_argument(
        "--keep-cache",
        action="store_true",
        help="keep the store's match cache: no cold report, one untimed report brings the cache up to date",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.papers, args.claims, args.repeat = 20_000, 20, 1
    common.header("Report and start-up benchmark")
    began = time.perf_counter()

    print("## Start-up\n")
    floor = time_command([common.PYTHON, "-c", "pass"], STARTUP_RUNS)
    click_only = time_command([common.PYTHON, "-c", "import click"], STARTUP_RUNS)
    helps = time_command([common.FRESHNESS, "--help"], STARTUP_RUNS)
    sub_help = time_command([common.FRESHNESS, "report", "--help"], STARTUP_RUNS)
    rows = [
        ["python -c pass (floor)", floor.best, floor.median, "1.00x"],
        [
            "python -c 'import click'",
            click_only.best,
            click_only.median,
            common.ratio(click_only.best, floor.best),
        ],
        ["freshness --help", helps.best, helps.median, common.ratio(helps.best, floor.best)],
        ["freshness report --help", sub_help.best, sub_help.median, common.ratio(sub_help.best, floor.best)],
    ]
    print(common.table(["command", "best s", "median s", "vs floor"], rows))
    total, heaviest = import_times()
    print(
        f"\n`python -X importtime -c 'import freshness.cli'`: {total * 1000:.0f} ms cumulative; heaviest:\n"
    )
    print(common.table(["module", "cumulative ms"], [[n, f"{s * 1000:.1f}"] for n, s in heaviest]))
    loaded = heavy_modules_loaded(["--help"])
    print(f"\nHeavy modules loaded by `freshness --help`: {', '.join(loaded) or 'none'}")

    if args.startup_only:
        return
    print("\n## Report\n")
    big = common.build_store(args.papers)
    claims_file = common.write_claims_yaml(
        common.scratch("report", f"claims-{args.claims}.yaml"), common.make_claims(args.claims)
    )
    env = {"NO_COLOR": "1", "COLUMNS": "100"}
    report_cmd = [common.FRESHNESS, "--claims", claims_file, "--db", big, "report"]
    floor_report, floor_cpu = time_command_cpu([common.PYTHON, "-c", FLOOR, claims_file, big], args.repeat)
    cleared = 0 if args.keep_cache else clear_match_cache(big)
    cold = time_command([*report_cmd, "--format", "json"], 1, env)  # untimed warm-up with --keep-cache
    warm_cpu = {
        fmt: time_command_cpu([*report_cmd, "--format", fmt], args.repeat, env)
        for fmt in ("terminal", "json")
    }
    warm = {fmt: wall for fmt, (wall, _) in warm_cpu.items()}
    built, report = build_in_process(big, claims_file)
    rendered = {fmt: common.repeat(lambda fmt=fmt: render(report, fmt), args.repeat)[0] for fmt in warm}
    json_parts = json_split(report, args.repeat)
    n = args.claims
    rows: list[list[object]] = [
        [
            f"floor: start, load {n:,} claims, open store",
            floor_report.best,
            floor_report.median,
            floor_cpu.best,
            "1.00x",
        ],
    ]
    if not args.keep_cache:
        rows.append(
            ["freshness report --format json, cold (matches every claim)", cold.best, cold.median, "-", "-"]
        )
    for fmt, (timing, cpu) in warm_cpu.items():
        rows.append(
            [
                f"freshness report --format {fmt}, matches current",
                timing.best,
                timing.median,
                cpu.best,
                common.ratio(timing.best, floor_report.best),
            ]
        )
    rows.append(["in-process: build_report from the cache", built, built, "-", "-"])
    for fmt, timing in rendered.items():
        rows.append([f"in-process: render {fmt}", timing.best, timing.median, "-", "-"])
    for what, timing in json_parts.items():
        rows.append([f"in-process: {what}", timing.best, timing.median, "-", "-"])
    if args.keep_cache:
        print(
            f"Store: {args.papers:,} papers; {n:,} claims drawn from real titles. The match cache was "
            f"kept (--keep-cache): one untimed report ({cold.best:.1f} s) brought it up to date, so the "
            f"timed runs find their matches current.\n"
        )
    else:
        print(
            f"Store: {args.papers:,} papers; {n:,} claims drawn from real titles. `cold`: the match cache "
            f"emptied first ({cleared:,} rows), so every claim is matched (and its velocity counted); the "
            f"report saves what it computed, and the later runs find their matches current.\n"
        )
    print(common.table(["what", "best s", "median s", "best CPU s", "vs floor"], rows))
    if not args.keep_cache:
        print(f"\nCold: {cold.best / n * 1000:.0f} ms a claim.")
    print(
        f"\nMatches current: terminal {warm['terminal'].best:.2f} s, JSON {warm['json'].best:.2f} s for "
        f"{n:,} claims (best of {args.repeat}; medians {warm['terminal'].median:.2f} s and "
        f"{warm['json'].median:.2f} s)."
    )
    print(f"\nTotal bench time {time.perf_counter() - began:.0f} s")


def clear_match_cache(store: Path) -> int:
    """Empty the report's match cache (store table match_cache, if this version has it)."""
    import sqlite3

    db = sqlite3.connect(store)
    try:
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'match_cache'").fetchone() is None:
            return 0
        with db:
            return db.execute("DELETE FROM match_cache").rowcount
    finally:
        db.close()


def build_in_process(store_path: Path, claims_file: Path) -> tuple[float, object]:
    """A Report for the claims in `claims_file` built in this process (timed): the matches come from
    the cache the CLI runs filled."""
    import datetime as dt

    from freshness.assess import build_report
    from freshness.claims import load_claims
    from freshness.store import Store

    now = dt.datetime.now(dt.UTC)
    start = time.perf_counter()
    with Store.open(store_path) as store:
        report = build_report(store, load_claims(claims_file, today=now.date()), now=now)
    return time.perf_counter() - start, report


def json_split(report: object, runs: int) -> dict[str, common.Timing]:
    """The JSON render in its two steps, and json.dumps(indent=2) of the same dict: the encoder the
    report used before (same text), as a same-run reference for the writer."""
    import json

    from freshness.report.json_format import dumps, report_to_dict

    to_dict, data = common.repeat(lambda: report_to_dict(report), runs)  # type: ignore[arg-type]
    return {
        "render json, step 1: report_to_dict": to_dict,
        "render json, step 2: dumps (indenting writer)": common.repeat(lambda: dumps(data), runs)[0],
        "reference: json.dumps(indent=2) of the same dict": common.repeat(
            lambda: json.dumps(data, indent=2, ensure_ascii=False), runs
        )[0],
    }


def render(report: object, fmt: str) -> str:
    from freshness.report import render as render_report

    return render_report(report, fmt, width=100)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
