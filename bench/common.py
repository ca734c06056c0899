"""Shared helpers for the benchmark scripts: machine info, repeated timings, child processes with
peak memory, Markdown tables, and data sets derived from the real arXiv corpus in ../shared/.

Benchmarks print tables; they never assert times. Generated data goes to a scratch folder
(`FRESHNESS_BENCH_DIR`, default /tmp/freshness-bench), never into the repository.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "data" / "arxiv" / "arxiv-metadata-2024-2026.jsonl.gz"
DEV_CLAIMS = SHARED / "eval" / "dev_claims.yaml"
DEV_PAPERS = SHARED / "eval" / "dev_papers.jsonl"
SCRATCH = Path(os.environ.get("FRESHNESS_BENCH_DIR", "/tmp/freshness-bench"))
PYTHON = sys.executable
FRESHNESS = Path(PYTHON).parent / "freshness"

# Bump when the generators change, so cached files made by an older generator are not reused.
GENERATOR_VERSION = 1


def scratch(*parts: str) -> Path:
    """A path under the scratch folder (created)."""
    path = SCRATCH.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def require(path: Path, what: str) -> Path:
    if not path.exists():
        sys.exit(f"{what} is missing: {path} (the benchmarks run on the shared arXiv data beside the repo)")
    return path


# -- machine and output -----------------------------------------------------------------------------


def machine_info() -> list[str]:
    """One line per fact about this machine, printed at the top of every benchmark."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        import rapidfuzz

        rf = rapidfuzz.__version__
    except ImportError:  # pragma: no cover - rapidfuzz is a runtime dependency
        rf = "absent"
    return [
        f"Code: {code_version()}",
        f"CPU: {cpu}, {os.cpu_count()} logical cores; RAM {mem}",
        f"OS: {platform.platform()}",
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, rapidfuzz {rf}",
        f"Date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
    ]


def code_version() -> str:
    """The commit measured, and the freshness/ files changed in the working tree since."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "freshness"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    changed = [line[3:] for line in dirty if line.strip()]
    return f"commit {commit}" + (f" + uncommitted changes to {', '.join(changed)}" if changed else "")


def header(title: str, out: TextIO = sys.stdout) -> None:
    print(f"# {title}\n", file=out)
    for line in machine_info():
        print(f"- {line}", file=out)
    print(file=out, flush=True)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table (so the output pastes straight into docs/benchmarks.md)."""
    cells = [[str(h) for h in headers]] + [[_cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        lines.append("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(value: float, baseline: float) -> str:
    """`value / baseline` as '1.23x' (or 'n/a' when the baseline is zero)."""
    return f"{value / baseline:.2f}x" if baseline else "n/a"


# -- timing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    runs: tuple[float, ...]

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def __str__(self) -> str:
        return f"best {self.best:.3f} s, median {self.median:.3f} s of {len(self.runs)}"


def repeat(func: Callable[[], object], times: int) -> tuple[Timing, object]:
    """Call `func` `times` times; return the timings and the last result."""
    runs = []
    result: object = None
    for _ in range(times):
        start = time.perf_counter()
        result = func()
        runs.append(time.perf_counter() - start)
    return Timing(tuple(runs)), result


@dataclass(frozen=True)
class ChildRun:
    """A child process: wall time, peak resident memory, exit code and output."""

    seconds: float
    cpu_seconds: float  # user + system: steadier than wall time on a shared machine
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_child(argv: Sequence[str | os.PathLike[str]], *, env: dict[str, str] | None = None) -> ChildRun:
    """Run a command, measuring its wall time and its own peak RSS (`wait4`, not the children's max)."""
    full_env = {**os.environ, **(env or {})}
    out_path = scratch("tmp", f"child-{os.getpid()}.out")
    err_path = scratch("tmp", f"child-{os.getpid()}.err")
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([str(a) for a in argv], stdout=out, stderr=err, env=full_env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        returncode=proc.returncode,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )


def child_result(run: ChildRun) -> dict[str, Any]:
    """The JSON a bench child printed as its last stdout line (fails loudly when the child failed)."""
    if run.returncode != 0:
        raise RuntimeError(f"child failed with exit code {run.returncode}:\n{run.stderr[-3000:]}")
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


# -- the real corpus, read as snapshot records ------------------------------------------------------


def open_text(path: Path) -> TextIO:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def iter_records(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Snapshot-format records (dicts) from a JSON-lines file, plain or gzipped."""
    with open_text(path) as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                return
            if line.strip():
                yield json.loads(line)


def dev_ids() -> set[str]:
    """Ids of the dev set's labeled papers and negatives (kept out of derived records)."""
    if not DEV_PAPERS.exists():
        return set()
    return {r["id"] for r in iter_records(DEV_PAPERS)}


# -- synthetic snapshot files derived from real records ---------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_DERIVED_MIN_NUMBER = 50000  # real monthly id numbers stay below ~30000: no collision with real ids


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out = []
    day = first.replace(day=1)
    while day <= last:
        out.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _snapshot_date(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def derive_record(
    rng: random.Random,
    base: dict[str, Any],
    month: dt.date,
    number: int,
    titles: Sequence[str],
    sentences: Sequence[str],
) -> dict[str, Any]:
    """A new record made only of real text: `base`'s authors and categories, a real title (half the
    time the head of one real title before its colon joined to another's tail), an abstract of real
    sentences (the base's first, then 2-5 from other records), a new id in `month`, and 1-3 versions."""
    title = base["title"]
    if rng.random() < 0.5:
        other = titles[rng.randrange(len(titles))]
        if ":" in title and ":" in other:
            title = title.split(":", 1)[0] + ":" + other.split(":", 1)[1]
        else:
            title = other
    first = _SENTENCE.split(base["abstract"], maxsplit=1)[0]
    picked = [sentences[rng.randrange(len(sentences))] for _ in range(rng.randint(2, 5))]
    abstract = " ".join([first, *picked])
    days = (month.replace(day=28) - month).days
    published = month + dt.timedelta(days=rng.randint(0, days))
    versions = [{"version": "v1", "created": _snapshot_date(published)}]
    updated = published
    roll = rng.random()
    if roll < 0.35:  # about a third of arXiv papers have a later version
        latest = 2 if roll < 0.25 else rng.randint(3, 5)
        updated = published + dt.timedelta(days=rng.randint(7, 400))
        versions.append({"version": f"v{latest}", "created": _snapshot_date(updated)})
    return {
        **base,
        "id": f"{month:%y%m}.{number:05d}",
        "title": title,
        "abstract": abstract,
        "versions": versions,
        "update_date": updated.isoformat(),
    }


def synthetic_snapshot(records: int, *, seed: int = 7, source: Path = CORPUS) -> Path:
    """A gzipped snapshot-format file of `records` records: the real corpus first (all of it, or its
    first `records`), then records derived from real ones (`derive_record`), with new ids spread over
    the corpus's months (about 28k a month at 1M: arXiv's real monthly volume). Cached in scratch."""
    path = scratch("data", f"snapshot-{records}-s{seed}-g{GENERATOR_VERSION}.jsonl.gz")
    if path.exists():
        return path
    require(source, "the shared arXiv corpus")
    real = list(iter_records(source, limit=records))
    excluded = dev_ids()
    bases = [r for r in real if r["id"] not in excluded]
    titles = [r["title"] for r in bases]
    sentences = [s for r in bases for s in _SENTENCE.split(r["abstract"]) if len(s) > 30]
    first = dt.date.fromisoformat(_v1_date(real[0]))
    last = dt.date.fromisoformat(_v1_date(real[-1]))
    months = _months(first, last)
    rng = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=3) as out:
        for rec in real:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        for k in range(records - len(real)):
            base = bases[rng.randrange(len(bases))]
            month = months[k % len(months)]
            rec = derive_record(rng, base, month, _DERIVED_MIN_NUMBER + k // len(months), titles, sentences)
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.rename(path)
    return path


def _v1_date(rec: dict[str, Any]) -> str:
    return dt.datetime.strptime(rec["versions"][0]["created"], "%a, %d %b %Y %H:%M:%S %Z").date().isoformat()


def v1_date(rec: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(_v1_date(rec))


def write_lines(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    """Write records as JSON lines (gzipped when the name ends in .gz)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    opener: Callable[..., TextIO] = gzip.open if path.suffix == ".gz" else open  # type: ignore[assignment]
    with opener(path, "wt", encoding="utf-8") as out:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def increment_snapshot(records: int, *, seed: int = 13, source: Path = CORPUS) -> Path:
    """A night's worth of new papers: `records` records derived from real ones, first submitted in the
    days after the corpus ends (ids numbered above any real or derived id of their month)."""
    path = scratch("data", f"increment-{records}-s{seed}-g{GENERATOR_VERSION}.jsonl.gz")
    if path.exists():
        return path
    require(source, "the shared arXiv corpus")
    real = list(iter_records(source))
    excluded = dev_ids()
    bases = [r for r in real if r["id"] not in excluded]
    titles = [r["title"] for r in bases]
    sentences = [s for r in bases for s in _SENTENCE.split(r["abstract"]) if len(s) > 30]
    day = max(v1_date(r) for r in real) + dt.timedelta(days=1)
    rng = random.Random(seed)
    out = []
    for k in range(records):
        rec = derive_record(rng, bases[rng.randrange(len(bases))], day.replace(day=1), 0, titles, sentences)
        rec["id"] = f"{day:%y%m}.{_INCREMENT_MIN_NUMBER + k:05d}"
        rec["versions"] = [{"version": "v1", "created": _snapshot_date(day)}]
        rec["update_date"] = day.isoformat()
        out.append(rec)
    write_lines(path.with_name("part-" + path.name), out).rename(path)
    return path


_INCREMENT_MIN_NUMBER = 95000


# -- stores ---------------------------------------------------------------------------------------------


def build_store(records: int | None, *, with_dev: bool = True) -> Path:
    """A store holding the corpus (records=None), or the synthetic file of `records` records, plus the
    dev set's papers; imported once with freshness's own importer, then cached in scratch."""
    from freshness.sources.files import import_files
    from freshness.store import Store

    name = "corpus" if records is None else str(records)
    path = scratch("stores", f"store-{name}{'-dev' if with_dev else ''}-g{GENERATOR_VERSION}.sqlite")
    done = path.with_suffix(".done")
    if done.exists() and path.exists():
        return path
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    files = [require(CORPUS, "the shared arXiv corpus") if records is None else synthetic_snapshot(records)]
    if with_dev and DEV_PAPERS.exists():
        files.append(DEV_PAPERS)
    started = time.perf_counter()
    print(f"(building {path.name} from {', '.join(f.name for f in files)} ...)", flush=True)
    with Store.open(path) as store:
        result = import_files(store, files, now=now_utc())
        if result.failed:
            raise RuntimeError(f"import failed: {result.failed[0].error}")
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"(built in {time.perf_counter() - started:.0f} s)", flush=True)
    done.touch()
    return path


def copy_store(src: Path, dst: Path) -> Path:
    """A byte copy of a checkpointed store (for benchmarks that write to it)."""
    import shutil

    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


# -- claims drawn from real titles ------------------------------------------------------------------------

_CATEGORY = re.compile(r"^[a-z-]+(?:\.[A-Za-z-]+)?$")  # cs.CL, hep-th, math.GT, q-bio.NC
_TITLE_SPLIT = re.compile(r"\s*(?:[:;?!]|\s-{1,2}\s|,)\s*")
_MATHY = re.compile(r"[$\\{}^_]")


def title_phrase(title: str, rng: random.Random) -> str:
    """A topic phrase taken from a real title: a 2-6 word segment (split at colons, commas, dashes),
    else a 3-5 word window of it."""
    segments = [s.strip(" .") for s in _TITLE_SPLIT.split(title)]
    good = [s for s in segments if 2 <= len(s.split()) <= 6 and not _MATHY.search(s)]
    if good:
        return rng.choice(good)
    words = [w for w in title.split() if not _MATHY.search(w)]
    if len(words) <= 5:
        return " ".join(words) or title
    size = rng.randint(3, 5)
    start = rng.randrange(len(words) - size + 1)
    return " ".join(words[start : start + size]).strip(" .,:;")


def make_claims(count: int, *, seed: int = 11, source: Path = CORPUS) -> list[dict[str, Any]]:
    """`count` claims as claims.yaml entries, drawn from real papers of the corpus: the claim is a real
    title, its topics a phrase of that title and one of another title in the same primary category,
    its date 30-365 days before that paper; half carry the paper's categories, half none."""
    rng = random.Random(seed)
    pool = [
        (r["title"], cats, v1_date(r))
        for r in iter_records(source)
        # Some corpus records list ACM/MSC classes ("I.2.7;", "68T05,") among their categories.
        if v1_date(r) >= dt.date(2024, 3, 1)
        and (cats := [c for c in r["categories"].split() if _CATEGORY.match(c)])
    ]
    by_primary: dict[str, list[str]] = {}
    for title, cats, _ in pool:
        by_primary.setdefault(cats[0], []).append(title)
    claims = []
    for n, (title, cats, published) in enumerate(rng.sample(pool, count), start=1):
        other = rng.choice(by_primary[cats[0]])
        topics = list(dict.fromkeys([title_phrase(title, rng), title_phrase(other, rng)]))
        claim: dict[str, Any] = {
            "id": f"bench-{n:04d}",
            "claim": title,
            "date": (published - dt.timedelta(days=rng.randint(30, 365))).isoformat(),
            "topics": topics,
        }
        if rng.random() < 0.5:
            claim["categories"] = cats[:3]
        claims.append(claim)
    return claims


def claims_values(entries: Sequence[dict[str, Any]]) -> list[Any]:
    """freshness.models.Claim values for claims.yaml entries (what the claims loader would make)."""
    from freshness.models import Claim

    return [
        Claim(
            id=e["id"],
            text=e["claim"],
            date=dt.date.fromisoformat(e["date"]),
            topics=tuple(e["topics"]),
            categories=tuple(e.get("categories", ())),
        )
        for e in entries
    ]


def write_claims_yaml(path: Path, entries: Sequence[dict[str, Any]]) -> Path:
    """A claims.yaml (schema version 1) holding `entries`."""
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump({"version": 1, "claims": list(entries)}, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return path
