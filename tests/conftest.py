"""Shared fixtures: a temporary store, a fixed `now`, a paper factory, and the shared-data locator."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from freshness.models import Claim, ClaimStatus, Match, Paper, PaperVersion, Verdict
from freshness.store import Store, StoredRunClaim

# FRESHNESS_TEST_SHARED points elsewhere (test_conftest.py runs the suite as if ../shared were absent).
SHARED = Path(
    os.environ.get("FRESHNESS_TEST_SHARED") or Path(__file__).resolve().parent.parent.parent / "shared"
)
NOW = dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)


SHARED_SKIP = "needs ../shared (real arXiv data)"


def shared_path(*parts: str) -> Path:
    """A file under ../shared/; skip the test when it is absent, but fail under CI=true. The skips
    are counted in one summary line (`pytest_terminal_summary` below), not listed one by one."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"{SHARED_SKIP}: {path} is absent (present beside the project in CI)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI=true, so its absence is an error")
        pytest.skip(reason)
    return path


def is_shared_skip(report: Any) -> bool:
    longrepr = getattr(report, "longrepr", None)
    return (
        isinstance(longrepr, tuple)
        and len(longrepr) == 3
        and str(longrepr[2]).startswith(f"Skipped: {SHARED_SKIP}")
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: Any) -> Any:
    """Without ../shared, one line says how many tests it skipped instead of one line per test
    (`-ra`): the skips leave the short summary but stay in the final count."""
    stats = terminalreporter.stats
    skipped = stats.get("skipped", [])
    shared = [r for r in skipped if is_shared_skip(r)]
    if shared:
        stats["skipped"] = [r for r in skipped if not is_shared_skip(r)]
    try:
        return (yield)
    finally:
        if shared:
            stats["skipped"] = skipped
            n = len(shared)
            tests = f"{n} tests need" if n != 1 else "1 test needs"
            terminalreporter.write_line(
                f"{tests} {SHARED_SKIP.removeprefix('needs ')}: skipped (it is absent at {SHARED}; "
                "CI=true makes its absence a failure)"
            )


class FakeClock:
    """A monotonic clock that moves only when the code under test sleeps, so no test waits for real."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.t = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty temporary directory, with no FRESHNESS_CLAIMS/FRESHNESS_DB leaking in."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FRESHNESS_CLAIMS", raising=False)
    monkeypatch.delenv("FRESHNESS_DB", raising=False)
    return tmp_path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store.sqlite") as s:
        yield s


def make_paper(arxiv_id: str = "2501.00001", **fields: Any) -> Paper:
    """A small, valid Paper; any field may be overridden."""
    published = fields.pop("published", dt.date(2025, 1, 2))
    version = fields.pop("version", 1)
    updated = fields.pop("updated", published)
    values: dict[str, Any] = {
        "arxiv_id": arxiv_id,
        "version": version,
        "title": "A study of something",
        "abstract": "We study something and find a result.",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "categories": ("cs.CL", "cs.AI"),
        "published": published,
        "updated": updated,
        "versions": (PaperVersion(1, published),)
        + ((PaperVersion(version, updated),) if version > 1 else ()),
    }
    values.update(fields)
    return Paper(**values)


def cover(
    store: Store,
    first: dt.date,
    last: dt.date,
    categories: tuple[str, ...] = ("cs.AI", "cs.CL", "cs.LG"),
    *,
    source: str = "test",
) -> None:
    """Record that the store fetched every listing of `categories` from `first` to `last`: what a
    snapshot import or a poll records (freshness/coverage.py)."""
    store.add_coverage(categories, first, last, source=source, now=NOW)


@pytest.fixture
def paper_factory() -> Callable[..., Paper]:
    return make_paper


def make_match(arxiv_id: str, *, superseding: bool = False, score: float = 80.0) -> Match:
    """A matched paper of 2026-01-05 whose evidence names it ("why <id>")."""
    return Match(arxiv_id, f"Paper {arxiv_id}", dt.date(2026, 1, 5), score, superseding, (f"why {arxiv_id}",))


def make_verdict(claim: Claim, status: ClaimStatus, *matches: Match) -> Verdict:
    """A verdict with one reason ("<status> because") and no anchors."""
    return Verdict(claim, status, (f"{status.value} because",), 100, (), matches)


def claims_and_store(folder: Path, claims_yaml: str) -> tuple[Path, Path]:
    """<folder>/claims.yaml holding `claims_yaml`, and where the CLI tests keep the store
    (<folder>/state/store.sqlite, not yet created)."""
    claims = folder / "claims.yaml"
    claims.write_text(claims_yaml)
    return claims, folder / "state" / "store.sqlite"


def long_context_yaml(date: str, *, claim_id: str = "long-context", categories: str = "cs.CL, cs.AI") -> str:
    """A claims file of one unanchored claim, that long-context models lose facts in the middle, of
    `date`: what the poll and reliability tests need a claims file for (its categories and date)."""
    return f"""\
version: 1
defaults:
  categories: [{categories}]
claims:
  - id: {claim_id}
    claim: Long-context models still lose facts in the middle.
    date: {date}
    topics: [lost in the middle]
"""


def two_claims_yaml(
    date: str,
    *,
    shelf_life: str | None = None,
    anchor: str = "2405.00001",
    sparse_topics: str = "sparse attention for long context",
) -> str:
    """A claims file in cs.CL of two claims of `date`: sparse-attention, anchored at `anchor` ("Sparse
    attention is all you need"), and cot-shift; `shelf_life` is the default shelf life, when given."""
    shelf = f"  shelf_life: {shelf_life}\n" if shelf_life else ""
    return f"""\
version: 1
defaults:
  categories: [cs.CL]
{shelf}claims:
  - id: sparse-attention
    claim: Sparse attention for long context matches dense attention.
    date: {date}
    topics: [{sparse_topics}]
    anchors:
      - {{id: "{anchor}", title: "Sparse attention is all you need"}}
  - id: cot-shift
    claim: Chain-of-thought prompting is robust to distribution shift.
    date: {date}
    topics: [chain of thought under distribution shift]
"""


def save_fresh_run(
    db: Path, day: dt.date, at: dt.datetime, *, sparse: tuple[Match, ...] = (), cot: tuple[Match, ...] = ()
) -> None:
    """Store a run of `day` (started and finished `at`, "got 2 papers") in which both claims of
    two_claims_yaml were fresh, keeping `sparse` and `cot` as their matches: a baseline to compare with."""
    with Store.open(db) as store:
        store.save_run(
            day=day,
            started_at=at,
            finished_at=at,
            outcome="ok",
            stale=False,
            poll="got 2 papers",
            claims=[
                StoredRunClaim("sparse-attention", ClaimStatus.FRESH, (), sparse),
                StoredRunClaim("cot-shift", ClaimStatus.FRESH, (), cot),
            ],
        )
