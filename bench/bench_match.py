"""Match benchmark: time to match 100 and 1,000 claims (topics drawn from real titles) against stores
of 100k and 1M papers, and a nightly increment (1,000 claims x 5,000 new papers), against brute force:
rapidfuzz `process.cdist(topics, every paper's title + abstract, scorer=fuzz.partial_ratio,
processor=utils.default_process, workers=-1)`. Then recall on the dev set for both.

    .venv/bin/python bench/bench_match.py                  # 100k and 1M stores, 100 and 1,000 claims
    .venv/bin/python bench/bench_match.py --sizes 100000 --claims 100
    .venv/bin/python bench/bench_match.py --quick          # a 20k store, 20 and 50 claims

Brute force over 1M papers x 2,000 topics would take hours, so its speed (pairs/s) is measured on a
random sample of papers and topics and extrapolated linearly (its cost is exactly pairs x per-pair
cost); one configuration small enough to run in full checks the extrapolation.
Needs numpy (for cdist; installed in .venv, not a runtime dependency of freshness).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import heapq
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

INCREMENT = 5000
DEV_K = 20


# -- freshness's matcher -----------------------------------------------------------------------------


def time_matcher(
    store_path: Path, claims: Sequence[Any], repeat: int, *, after_rowid: int = 0
) -> tuple[common.Timing, float, int]:
    """Wall timings of match_claims over `claims`, the CPU seconds of the best run (its whole
    process tree, start-up included) and how many matches the last run returned. Each run is a
    fresh process, as `freshness run` and `report` are: no in-process memo (document frequencies)
    carries over from one run to the next."""
    entries = [
        {
            "id": c.id,
            "claim": c.text,
            "date": c.date.isoformat(),
            "topics": list(c.topics),
            "categories": list(c.categories),
        }
        for c in claims
    ]
    data = json.dumps(entries)
    path = common.scratch("match", f"claims-{hashlib.sha1(data.encode()).hexdigest()[:12]}.json")
    path.write_text(data, encoding="utf-8")
    runs: list[tuple[float, float, int]] = []
    for _ in range(repeat):
        run = common.run_child(
            [common.PYTHON, Path(__file__).resolve(), "--child-match", store_path, path, str(after_rowid)]
        )
        got = common.child_result(run)
        # CPU of the whole run from wait4: the matcher's worker processes included (and start-up).
        runs.append((got["seconds"], run.cpu_seconds, got["found"]))
    best = min(runs)
    return common.Timing(tuple(r[0] for r in runs)), best[1], runs[-1][2]


def match_once(store_path: Path, claims: Sequence[Any], after_rowid: int = 0) -> tuple[float, float, int]:
    """(wall s, CPU s of every thread, matches found) of one match_claims over `claims`; with
    `after_rowid`, each claim matched in this process against only the papers stored after it (the
    retrieval an incremental nightly match would need)."""
    from freshness import matching
    from freshness.store import Store

    with Store.open(store_path) as store:
        cpu0, start = time.process_time(), time.perf_counter()
        if after_rowid:
            matcher = matching.matcher_for(store)
            result = {c.id: matcher.match(c, limit=50, after_rowid=after_rowid) for c in claims}
        else:
            result = matching.match_claims(store, claims)
        return time.perf_counter() - start, time.process_time() - cpu0, sum(len(v) for v in result.values())


# -- brute force ----------------------------------------------------------------------------------------


def paper_texts(
    store_path: Path, sample: int | None = None, seed: int = 5
) -> list[tuple[str, str, str, str]]:
    """(arxiv_id, published, title, title + abstract) of every paper, or of a random sample."""
    from freshness.store import Store

    with Store.open(store_path) as store:
        if sample is None:
            rows = store.db.execute("SELECT arxiv_id, published, title, abstract FROM papers").fetchall()
        else:
            top = int(store.db.execute("SELECT max(rowid) FROM papers").fetchone()[0])
            ids = random.Random(seed).sample(range(1, top + 1), min(sample, top))
            rows = []
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += store.db.execute(
                    f"SELECT arxiv_id, published, title, abstract FROM papers WHERE rowid IN ({marks})",
                    chunk,
                ).fetchall()
    return [(a, p, t, f"{t} {ab}") for a, p, t, ab in rows]


@dataclass(frozen=True)
class BruteRate:
    pairs: int
    timing: common.Timing
    cpu: float

    @property
    def pairs_per_second(self) -> float:
        return self.pairs / self.timing.best

    def seconds(self, topics: int, papers: int) -> float:
        return topics * papers / self.pairs_per_second


def brute_force(topics: Sequence[str], texts: Sequence[str]) -> Any:
    """The baseline exactly: every topic against every text, partial_ratio, all cores."""
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    return process.cdist(
        topics,
        texts,
        scorer=fuzz.partial_ratio,
        processor=utils.default_process,
        workers=-1,
        dtype=np.uint8,
    )


def measure_brute_rate(topics: Sequence[str], texts: Sequence[str], repeat: int) -> BruteRate:
    cpus = []
    runs = []
    for _ in range(repeat):
        cpu0, start = time.process_time(), time.perf_counter()
        brute_force(topics, texts)
        runs.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu0)
    return BruteRate(len(topics) * len(texts), common.Timing(tuple(runs)), min(cpus))


def brute_force_matchers(papers: Sequence[tuple[str, str, str, str]]) -> dict[str, Any]:
    """Matchers for freshness.evaluation that rank a claim's newer papers by brute force: every topic
    against every paper (one cdist per claim, shared), the paper's score being the best topic's
    ("max over topics") or the average over the topics ("mean over topics")."""
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    from freshness.models import Match

    processed = [utils.default_process(p[3]) for p in papers]  # once, as cdist's processor would
    published = np.array([p[1] for p in papers])
    matrices: dict[str, Any] = {}

    def matrix(claim: Any) -> Any:
        if claim.id not in matrices:
            matrices[claim.id] = process.cdist(
                [utils.default_process(t) for t in claim.topics],
                processed,
                scorer=fuzz.partial_ratio,
                workers=-1,
                dtype=np.uint8,
            )
        return matrices[claim.id]

    def make(aggregate: Any) -> Any:
        def match(store: object, claim: Any) -> list[Any]:
            scores = aggregate(matrix(claim)).astype(float)
            scores[published <= claim.date.isoformat()] = 0
            top = np.argsort(-scores, kind="stable")[:50]
            return [
                Match(
                    arxiv_id=papers[i][0],
                    title=papers[i][2],
                    published=dt.date.fromisoformat(papers[i][1]),
                    score=float(scores[i]),
                    superseding=False,
                    evidence=(),
                )
                for i in top
                if scores[i] > 0
            ]

        return match

    return {
        "brute force, max over topics": make(lambda m: m.max(axis=0)),
        "brute force, mean over topics": make(lambda m: m.mean(axis=0)),
    }


# -- the dev set --------------------------------------------------------------------------------------------


def dev_recall(store_path: Path, *, brute: bool) -> list[list[object]]:
    """recall@20 on the dev set for freshness's matcher, and for brute force top-20 when `brute`."""
    from freshness.evaluation import evaluate
    from freshness.labels import load_labels
    from freshness.store import Store

    labels = load_labels(common.require(common.DEV_CLAIMS, "the dev set"))
    rows: list[list[object]] = []
    with Store.open(store_path) as store:
        n = store.summary().papers
        matchers: list[tuple[str, Any]] = [("freshness", None)]
        prep = 0.0
        if brute:
            started = time.perf_counter()
            matchers += list(brute_force_matchers(paper_texts(store_path)).items())
            prep = time.perf_counter() - started
        for name, matcher in matchers:
            cpu0, start = time.process_time(), time.perf_counter()
            ev = (
                evaluate(store, [labels], k=DEV_K)
                if matcher is None
                else evaluate(store, [labels], k=DEV_K, matcher=matcher)
            ).overall
            seconds = time.perf_counter() - start
            if name.endswith("max over topics"):  # pays for loading the texts and every cdist
                seconds += prep
            cpu = time.process_time() - cpu0
            by = ev.recall_at_k_by_label
            rows.append(
                [
                    f"{n:,}",
                    name,
                    _pct(ev.recall_at_k),
                    _pct(by.get("supersedes")),
                    _pct(by.get("supports")),
                    _pct(by.get("related")),
                    _pct(ev.shipped.challengers_flagged) if name == "freshness" else "(no flags)",
                    f"{len(ev.negatives_in_top_k)} of {ev.negatives}",
                    seconds,
                    cpu,
                ]
            )
    return rows


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


# -- the nightly increment ------------------------------------------------------------------------------


def increment_store(base: Path) -> tuple[Path, Path, float]:
    """A copy of `base` plus a night's INCREMENT new papers (imported with freshness's importer); also
    a store holding only those papers. Returns both and the seconds the nightly import took."""
    from freshness.sources.files import import_files
    from freshness.store import Store

    night = common.increment_snapshot(INCREMENT)
    grown = common.copy_store(base, common.scratch("stores", f"{base.stem}+night.sqlite"))
    with Store.open(grown) as store:
        start = time.perf_counter()
        import_files(store, [night], now=common.now_utc())
        seconds = time.perf_counter() - start
    only = common.scratch("stores", "night-only.sqlite")
    for suffix in ("", "-wal", "-shm"):
        Path(str(only) + suffix).unlink(missing_ok=True)
    with Store.open(only) as store:
        import_files(store, [night], now=common.now_utc())
    return grown, only, seconds


def merge_agreement(
    base: Path, grown: Path, claims: Sequence[Any], stamp: int, limit: int = 30
) -> dict[str, Any]:
    """How often yesterday's matches (on `base`) merged with a match of only the papers stored after
    `stamp` (on `grown`) equal a full re-match on `grown`: what an incremental nightly match by merge
    would get right. One process; each store's memos start empty."""
    from freshness import matching
    from freshness.store import Store

    def key(m: Any) -> tuple[float, int, str]:
        return (-m.score, -m.published.toordinal(), m.arxiv_id)

    with Store.open(base) as store:
        matcher = matching.Matcher(store)  # its own memo, which starts empty
        cached = {c.id: matcher.match(c, limit=limit) for c in claims}
    with Store.open(grown) as store:
        matcher = matching.Matcher(store)
        cpu0 = time.process_time()
        full = {c.id: matcher.match(c, limit=limit) for c in claims}
        full_cpu = time.process_time() - cpu0
        matcher = matching.Matcher(store)
        cpu0 = time.process_time()
        new = {c.id: matcher.match(c, limit=limit, after_rowid=stamp) for c in claims}
        new_cpu = time.process_time() - cpu0
    out = {"claims": len(claims), "equal": 0, "same order": 0, "same top 10": 0, "same ids": 0, "scores": 0}
    out["full ms"], out["increment ms"] = 1000 * full_cpu / len(claims), 1000 * new_cpu / len(claims)
    for c in claims:
        # Each list is best first by unrounded score; merging keeps each one's own order.
        merged = list(heapq.merge(cached[c.id], new[c.id], key=key))[:limit]
        ids, full_ids = [m.arxiv_id for m in merged], [m.arxiv_id for m in full[c.id]]
        out["equal"] += merged == full[c.id]
        out["same order"] += ids == full_ids
        out["same top 10"] += ids[:10] == full_ids[:10]
        out["same ids"] += set(ids) == set(full_ids)
        scores = {m.arxiv_id: m.score for m in full[c.id]}
        out["scores"] += sum(m.arxiv_id in scores and scores[m.arxiv_id] != m.score for m in merged)
    return out


def redate(claims: Sequence[Any], day: dt.date) -> list[Any]:
    """The claims as an incremental run sees them: only papers first submitted after `day` count."""
    from dataclasses import replace

    return [replace(c, date=max(c.date, day)) for c in claims]


# -- main ---------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="store sizes")
    parser.add_argument("--claims", type=int, nargs="+", default=[100, 1000], help="claim counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best and median)")
    parser.add_argument("--brute-papers", type=int, default=4000, help="papers in the brute-force sample")
    parser.add_argument("--brute-topics", type=int, default=100, help="topics in the brute-force sample")
    parser.add_argument("--no-increment", action="store_true", help="skip the nightly increment")
    parser.add_argument("--no-dev", action="store_true", help="skip recall on the dev set")
    parser.add_argument(
        "--merge-claims", type=int, default=150, help="claims for the increment-by-merge agreement check"
    )
    parser.add_argument("--quick", action="store_true", help="a 20k store, 20 and 50 claims, one run each")
    parser.add_argument("--child-match", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_match:
        store_path, claims_path = (Path(p) for p in args.child_match[:2])
        claims = common.claims_values(json.loads(claims_path.read_text(encoding="utf-8")))
        seconds, cpu, found = match_once(store_path, claims, int(args.child_match[2]))
        print(json.dumps({"seconds": seconds, "cpu": cpu, "found": found}))
        return
    if args.quick:
        args.sizes, args.claims, args.repeat = [20_000], [20, 50], 1
        args.brute_papers, args.brute_topics = 1000, 20
        args.merge_claims = 20
    common.header("Match benchmark")
    began = time.perf_counter()
    entries = common.make_claims(max(args.claims))
    claims = common.claims_values(entries)
    all_topics = [t for c in claims for t in c.topics]
    print(
        f"Claims: {len(claims):,} drawn from real titles, {len(all_topics) / len(claims):.2f} topics each "
        f"(e.g. {claims[0].topics}); half with categories.\n"
    )
    stores = {size: common.build_store(size) for size in args.sizes}

    # Brute force's speed on a sample of the largest store.
    largest = stores[max(args.sizes)]
    sample = [t[3] for t in paper_texts(largest, sample=args.brute_papers)]
    topics = random.Random(3).sample(all_topics, min(args.brute_topics, len(all_topics)))
    rate = measure_brute_rate(topics, sample, args.repeat)
    print(
        f"Brute force speed: {len(topics)} topics x {len(sample):,} papers = {rate.pairs:,} pairs in "
        f"{rate.timing}: {rate.pairs_per_second:,.0f} pairs/s on {common.os.cpu_count()} cores "
        f"(CPU {rate.cpu:.1f} s).\n"
    )

    rows: list[list[object]] = []
    for size, path in stores.items():
        for count in args.claims:
            subset = claims[:count]
            n_topics = sum(len(c.topics) for c in subset)
            reps = args.repeat if count * size <= 100_000_000 else 1  # 1,000 x 1M takes minutes
            timing, cpu, found = time_matcher(path, subset, reps)
            brute = rate.seconds(n_topics, size)
            rows.append(
                [
                    f"{size:,}",
                    f"{count:,}",
                    timing.best,
                    timing.median,
                    cpu,
                    1000 * timing.best / count,
                    f"{found / count:.1f}",
                    brute,
                    f"{brute / timing.best:,.0f}x",
                ]
            )
            print(f"  {size:,} papers x {count:,} claims: {timing}", flush=True)
    print()
    print(
        common.table(
            [
                "papers",
                "claims",
                "freshness best s",
                "median s",
                "CPU s",
                "ms/claim",
                "matches/claim",
                "brute force s (extrapolated)",
                "speed-up",
            ],
            rows,
        )
    )

    if not args.no_increment:
        print("\n## Nightly increment\n")
        base = stores[max(args.sizes)]
        grown, only, import_s = increment_store(base)
        night = dt.date.fromisoformat(
            next(common.iter_records(common.increment_snapshot(INCREMENT)))["update_date"]
        )
        count = max(args.claims)
        subset = claims[:count]
        n_topics = sum(len(c.topics) for c in subset)
        inc, inc_cpu, inc_found = time_matcher(grown, redate(subset, night - dt.timedelta(days=1)), 3)
        only_t, only_cpu, _ = time_matcher(only, subset, 3)
        from freshness.store import Store

        with Store.open(base) as store:
            stamp = int(store.db.execute("SELECT max(rowid) FROM papers").fetchone()[0])
        by_rowid, by_rowid_cpu, _ = time_matcher(grown, subset, 3, after_rowid=stamp)
        new_texts = [t[3] for t in paper_texts(only)]
        check_claims = min(100, count)
        check_topics = [t for c in subset[:check_claims] for t in c.topics]
        measured = measure_brute_rate(check_topics, new_texts, 1)
        brute_inc = rate.seconds(n_topics, INCREMENT)
        print(
            f"Nightly import of {INCREMENT:,} new papers into the {max(args.sizes):,} store: "
            f"{import_s:.1f} s.\n"
            f"Extrapolation check: brute force {check_claims} claims ({len(check_topics)} topics) x "
            f"{INCREMENT:,} new papers measured {measured.timing.best:.1f} s in full vs "
            f"{rate.seconds(len(check_topics), INCREMENT):.1f} s extrapolated.\n"
        )
        print(
            common.table(
                ["what", "claims", "papers scored", "freshness s", "CPU s", "brute force s", "speed-up"],
                [
                    [
                        "increment: claims re-dated to the night before",
                        f"{count:,}",
                        f"{INCREMENT:,} (date filter)",
                        inc.best,
                        inc_cpu,
                        brute_inc,
                        f"{brute_inc / inc.best:,.0f}x",
                    ],
                    [
                        "increment: papers stored after the last run (rowid filter; one process)",
                        f"{count:,}",
                        f"{INCREMENT:,} (rowid > {stamp:,})",
                        by_rowid.best,
                        by_rowid_cpu,
                        brute_inc,
                        f"{brute_inc / by_rowid.best:,.0f}x",
                    ],
                    [
                        "increment: store of the new papers only",
                        f"{count:,}",
                        f"{INCREMENT:,}",
                        only_t.best,
                        only_cpu,
                        brute_inc,
                        f"{brute_inc / only_t.best:,.0f}x",
                    ],
                ],
            )
        )
        print(f"(increment matches found: {inc_found / count:.1f} per claim)")
        agree = merge_agreement(base, grown, subset[: args.merge_claims], stamp)
        print(
            f"\nMerging yesterday's matches with a match of only the new papers, against a full re-match "
            f"(limit 30, {agree['claims']} claims): equal for {agree['equal']}, the same ids in the same "
            f"order for {agree['same order']}, the same top 10 for {agree['same top 10']}, the same set "
            f"of ids for {agree['same ids']}; {agree['scores']} scores differ. CPU a claim, one process: "
            f"full re-match {agree['full ms']:.0f} ms, new papers only {agree['increment ms']:.0f} ms."
        )

    if not args.no_dev and common.DEV_CLAIMS.exists():
        print("\n## Recall on the dev set (freshness eval's scoring, k=20)\n")
        dev_rows = dev_recall(common.build_store(None if not args.quick else min(args.sizes)), brute=True)
        if not args.quick and max(args.sizes) > 139_126:
            dev_rows += dev_recall(stores[max(args.sizes)], brute=False)
        print(
            common.table(
                [
                    "papers",
                    "matcher",
                    "recall@20",
                    "supersedes",
                    "supports",
                    "related",
                    "supersession recall",
                    "negatives in top 20",
                    "wall s",
                    "CPU s",
                ],
                dev_rows,
            )
        )
    print(
        f"\nTotal bench time {time.perf_counter() - began:.0f} s; median of ratios above is "
        f"{statistics.median([float(str(r[-1]).rstrip('x').replace(',', '')) for r in rows]):,.0f}x."
    )


if __name__ == "__main__":
    main()
