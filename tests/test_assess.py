"""assess.build_report: matches, anchors, velocity and triage decisions meet in one verdict per claim."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import time
from pathlib import Path

import pytest

from freshness import assess
from freshness.arxiv_ids import parse_arxiv_id
from freshness.assess import build_report
from freshness.matching import MatchSettings
from freshness.models import Anchor, AnchorStatus, CitationIndex, Claim, ClaimStatus, DecisionKind, Match
from freshness.store import Store
from tests.conftest import cover, make_paper

NOW = dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)
CLAIM = Claim(
    id="sparse",
    text="Sparse attention for long context matches dense attention.",
    date=dt.date(2025, 1, 10),
    topics=("sparse attention for long context", "dense attention quality"),
    anchors=(Anchor("2501.00001", parse_arxiv_id("2501.00001"), "Sparse attention is all you need", 8, 9),),
    categories=("cs.CL",),
    shelf_life_days=3650,
)
CHALLENGER = make_paper(
    "2503.00002",
    title="Sparse attention for long context does not match dense attention",
    abstract="Contrary to prior claims, sparse attention for long context fails to match dense attention "
    "quality; we find no evidence that the gap closes.",
    published=dt.date(2025, 3, 2),
)
RELATED = make_paper(
    "2504.00003",
    title="Efficient kernels for sparse attention for long context",
    abstract="We speed up sparse attention for long context and report dense attention quality.",
    published=dt.date(2025, 4, 2),
)


def _fill(store: Store) -> None:
    anchor = make_paper("2501.00001", title="Sparse attention is all you need", published=dt.date(2025, 1, 5))
    store.upsert_papers([anchor, CHALLENGER, RELATED], source="test", now=NOW)


def test_a_challenging_paper_makes_the_claim_possibly_superseded(store: Store) -> None:
    _fill(store)
    [verdict] = build_report(store, [CLAIM], now=NOW).verdicts
    assert verdict.status is ClaimStatus.POSSIBLY_SUPERSEDED
    assert verdict.matches[0].arxiv_id == "2503.00002"
    assert verdict.matches[0].superseding
    assert [a.status for a in verdict.anchors] == [AnchorStatus.OK]
    assert any("challenges it" in r and "2503.00002" in r for r in verdict.reasons)


def test_a_dismissed_paper_is_gone_and_a_confirmed_one_leads(store: Store) -> None:
    _fill(store)
    store.add_decision("sparse", DecisionKind.DISMISS, now=NOW, arxiv_id="2503.00002", reason="off topic")
    store.add_decision("sparse", DecisionKind.CONFIRM, now=NOW, arxiv_id="2504.00003")
    [verdict] = build_report(store, [CLAIM], now=NOW).verdicts
    ids = [m.arxiv_id for m in verdict.matches]
    assert "2503.00002" not in ids
    assert ids[0] == "2504.00003"
    assert verdict.matches[0].superseding
    assert verdict.status is ClaimStatus.POSSIBLY_SUPERSEDED
    assert any("dismissed by a person" in r for r in verdict.reasons)


def test_a_dismissed_paper_no_longer_counts_in_the_velocity_line(store: Store) -> None:
    _fill(store)
    cover(store, dt.date(2025, 1, 1), NOW.date(), ("cs.CL",))

    def velocity_reason() -> str:
        [verdict] = build_report(store, [CLAIM], now=NOW).verdicts
        return next(r for r in verdict.reasons if "related paper" in r)

    assert velocity_reason().endswith("; 1 challenges it")
    store.add_decision("sparse", DecisionKind.DISMISS, now=NOW, arxiv_id="2503.00002", reason="off topic")
    assert velocity_reason().endswith("; none challenges it")


def test_a_review_moves_the_claims_clock(store: Store) -> None:
    _fill(store)
    cover(store, dt.date(2025, 1, 1), NOW.date(), ("cs.CL",))
    store.add_decision("sparse", DecisionKind.REVIEWED, now=NOW, until=dt.date(2025, 3, 15))
    [verdict] = build_report(store, [CLAIM], now=NOW).verdicts
    assert verdict.claim.date == dt.date(2025, 1, 10)  # the claim as written
    assert [m.arxiv_id for m in verdict.matches] == ["2504.00003"]  # only what is newer than the review
    assert verdict.status is ClaimStatus.FRESH
    assert any("reviewed by a person on 2025-03-15" in r for r in verdict.reasons)


def test_an_old_store_is_said_to_be_old_and_velocity_ends_at_its_newest_paper(store: Store) -> None:
    _fill(store)
    cover(store, dt.date(2025, 1, 1), dt.date(2025, 4, 2), ("cs.CL",))
    report = build_report(store, [CLAIM], now=NOW)
    assert any("the store's coverage ends on 2025-04-02, 603 days ago" in n for n in report.notes)
    reasons = " ".join(report.verdicts[0].reasons)
    assert "to 2025-04-02, its newest papers" in reasons


def test_an_empty_store_leaves_claims_unchecked(store: Store) -> None:
    [verdict] = build_report(store, [CLAIM], now=NOW).verdicts
    assert verdict.status is ClaimStatus.UNCHECKED
    assert verdict.matches == ()
    assert any(r.startswith("the store covers no arXiv listing yet") for r in verdict.reasons)


def test_a_second_report_reuses_cached_matches_until_a_paper_changes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(store)
    first = build_report(store, [CLAIM], now=NOW)

    def must_not_run(*args: object, **kwargs: object) -> object:
        raise AssertionError("matched again although nothing changed")

    monkeypatch.setattr(assess, "match_claim", must_not_run)
    monkeypatch.setattr(assess, "topic_velocity", must_not_run)
    assert build_report(store, [CLAIM], now=NOW).verdicts == first.verdicts

    monkeypatch.undo()
    calls: list[str] = []
    real = assess.match_claim

    def counting(
        store: Store, claim: Claim, *, limit: int, settings: MatchSettings, citations: CitationIndex | None
    ) -> list[Match]:
        calls.append(claim.id)
        return real(store, claim, limit=limit, settings=settings, citations=citations)

    monkeypatch.setattr(assess, "match_claim", counting)
    newer = make_paper("2504.00003", version=2, updated=dt.date(2025, 6, 1), title=RELATED.title + " (v2)")
    store.upsert_papers([newer], source="test", now=NOW)  # an update, not an insert, must also count
    build_report(store, [CLAIM], now=NOW)
    assert calls == ["sparse"]


@pytest.mark.parametrize(
    "damage",
    ["not json", "[{}]", '[{"arxiv_id": "2503.00002", "evidence": "x"}]', '[{"published": "2025-13-01"}]'],
)
def test_a_damaged_cache_row_is_matched_again_not_a_crash(store: Store, damage: str) -> None:
    _fill(store)
    first = build_report(store, [CLAIM], now=NOW)
    store.db.execute("UPDATE match_cache SET matches = ?", (damage,))
    store.db.commit()
    assert build_report(store, [CLAIM], now=NOW).verdicts == first.verdicts
    # ... and the row is written again whole, so the next report reads it.
    assert store.db.execute("SELECT matches FROM match_cache").fetchone()[0] != damage


def test_the_cache_is_not_saved_while_another_process_writes(store: Store, tmp_path: Path) -> None:
    _fill(store)
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the store
    try:
        started = time.monotonic()
        report = build_report(store, [CLAIM], now=NOW)  # a reader: must neither fail nor wait
        assert time.monotonic() - started < 5
        assert report.verdicts[0].status is ClaimStatus.POSSIBLY_SUPERSEDED
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.get_match_cache(["sparse"]) == {}


def test_many_uncached_claims_are_matched_in_workers_with_the_same_verdicts(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from freshness.matching import DEFAULT_SETTINGS, workers

    _fill(store)
    claims = [dataclasses.replace(CLAIM, id=f"sparse-{i}", date=dt.date(2025, 1, 10 + i)) for i in range(5)]
    in_process = build_report(store, claims, now=NOW, anchors={}).verdicts
    store.db.execute("DELETE FROM match_cache")
    store.db.commit()
    real = workers._match_in_workers
    started: list[int] = []

    def spying(path: Path, tasks: list[object], n: int, batch: int) -> object:
        started.append(len(tasks))
        return real(path, tasks, n, batch)  # type: ignore[arg-type]

    parallel_from_2 = dataclasses.replace(DEFAULT_SETTINGS, parallel_from=2)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)  # workers on a one-CPU machine too
    monkeypatch.setattr(workers, "_match_in_workers", spying)
    monkeypatch.setattr(assess, "match_claim", lambda *a, **k: pytest.fail("matched in this process"))

    assert build_report(store, claims, now=NOW, anchors={}, settings=parallel_from_2).verdicts == in_process
    assert started == [5]
