"""citations.storage on more anchors than one `IN (…)` binds: every edge, fetch and citing id comes back."""

from __future__ import annotations

from freshness.citations.base import CitingRecord, Fetched
from freshness.citations.storage import citation_index, citing_ids, fetch_states, save_fetched
from freshness.models import CitationContext
from freshness.store import Store
from tests.conftest import NOW

ANCHORS = [f"2401.{i:05d}" for i in range(1, 1_201)]  # more than the store's chunk of 500 ids


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
