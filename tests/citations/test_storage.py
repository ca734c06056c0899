"""citations.storage on more ids than one statement may bind: every edge, fetch and citing id comes back,
and what a complete answer no longer lists goes. The store's cap is set to 999 bound parameters, as in
SQLite before 3.32 (builds differ: this machine's allows 250,000)."""

from __future__ import annotations

import sqlite3

import pytest

from freshness.citations.base import CitingRecord, Fetched
from freshness.citations.storage import citation_index, citing_ids, fetch_states, save_fetched
from freshness.models import CitationContext
from freshness.store import Store
from tests.conftest import NOW

ANCHORS = [f"2401.{i:05d}" for i in range(1, 1_201)]  # more than the store's chunk of 500 ids


@pytest.fixture(autouse=True)
def old_sqlite_cap(store: Store) -> None:
    store.db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)


def _citing(anchor: str) -> str:
    return "2501." + anchor.split(".")[1]


def test_many_anchors_read_back_whole_and_in_order(store: Store) -> None:
    for anchor in ANCHORS:
        said = CitationContext(f"{anchor} does not hold", "semantic_scholar", ())
        record = CitingRecord(_citing(anchor), f"Reply to {anchor}", contexts=(said,))
        save_fetched(store, Fetched(anchor, "semantic_scholar", (record,), complete=True), now=NOW)

    index = citation_index(store, ANCHORS)
    assert list(index.by_anchor) == ANCHORS
    assert all(
        [c.text for c in index.by_anchor[a][_citing(a)].contexts] == [f"{a} does not hold"] for a in ANCHORS
    )
    assert citing_ids(store, ANCHORS) == sorted((_citing(a) for a in ANCHORS), reverse=True)
    assert len(fetch_states(store, ANCHORS)) == len(ANCHORS)
    assert citing_ids(store, []) == []


def test_a_complete_answer_drops_what_it_no_longer_lists_however_many_it_keeps(store: Store) -> None:
    citing = [f"2501.{n:05d}" for n in range(1, 1_201)]
    records = tuple(CitingRecord(c, "A reply") for c in citing)
    save_fetched(store, Fetched("2401.00001", "openalex", records, complete=True), now=NOW)
    save_fetched(store, Fetched("2401.00001", "openalex", records[1:], complete=True), now=NOW)

    kept = citation_index(store, ["2401.00001"]).by_anchor["2401.00001"]
    assert len(kept) == len(citing) - 1
    assert citing[0] not in kept
