"""Store: migrations, newest-version-wins upserts, FTS search, source state, anchor checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from freshness.errors import StoreError
from freshness.migrations import MIGRATIONS
from freshness.models import AnchorStatus, ClaimStatus, Match, PaperVersion, SourceState, Stance
from freshness.store import (
    Store,
    StoredAnchorCheck,
    StoredRunClaim,
    UpsertCounts,
)
from freshness.store.stored_json import match_from_json, match_to_json
from tests.conftest import make_paper


def test_open_creates_schema_at_latest_migration(tmp_path: Path) -> None:
    with Store.open(tmp_path / "sub" / "s.sqlite") as store:
        assert store.schema_version == len(MIGRATIONS)
    with Store.open(tmp_path / "sub" / "s.sqlite") as store:  # reopening runs nothing twice
        assert store.schema_version == len(MIGRATIONS)


def test_open_rejects_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    bad = tmp_path / "junk.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a freshness store"):
        Store.open(bad)


def test_open_rejects_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    Store.open(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    con.close()
    with pytest.raises(StoreError, match="newer than this freshness"):
        Store.open(path)


def test_upsert_is_idempotent(store: Store, now: dt.datetime) -> None:
    papers = [make_paper("2501.00001"), make_paper("2501.00002", title="Other")]
    assert store.upsert_papers(papers, source="test", now=now) == UpsertCounts(added=2)
    assert store.upsert_papers(papers, source="test", now=now) == UpsertCounts(unchanged=2)
    assert store.summary().papers == 2


def test_newer_version_replaces_older_never_the_reverse(store: Store, now: dt.datetime) -> None:
    v1 = make_paper("2501.00001", title="Old title")
    v3 = make_paper("2501.00001", version=3, updated=dt.date(2025, 6, 1), title="New title")
    store.upsert_papers([v1], source="test", now=now)
    assert store.upsert_papers([v3], source="test", now=now) == UpsertCounts(updated=1)
    assert store.upsert_papers([v1], source="test", now=now) == UpsertCounts(unchanged=1)
    got = store.get_papers(["2501.00001"]).get("2501.00001")
    assert got is not None
    assert got.title == "New title"
    assert got.version == 3
    assert got.published == dt.date(2025, 1, 2)
    assert got.versions == (PaperVersion(1, dt.date(2025, 1, 2)), PaperVersion(3, dt.date(2025, 6, 1)))
    [(rowid, _)] = store.search('"new title"')
    assert store.search('"old title"') == []  # the FTS index follows the update
    assert rowid > 0


def test_same_version_fills_gaps_without_losing_fields(store: Store, now: dt.datetime) -> None:
    store.upsert_papers([make_paper(comments="12 pages")], source="snapshot", now=now)
    counts = store.upsert_papers([make_paper(doi="10.1/x")], source="rss", now=now)
    assert counts == UpsertCounts(updated=1)
    got = store.get_papers(["2501.00001"]).get("2501.00001")
    assert got is not None
    assert (got.comments, got.doi) == ("12 pages", "10.1/x")


def test_search_filters_by_date_and_category(store: Store, now: dt.datetime) -> None:
    store.upsert_papers(
        [
            make_paper("2401.00001", title="Entropy collapse in RL", published=dt.date(2024, 1, 5)),
            make_paper("2506.00001", title="Entropy collapse again", published=dt.date(2025, 6, 5)),
            make_paper(
                "2506.00002",
                title="Entropy collapse in vision",
                published=dt.date(2025, 6, 6),
                categories=("cs.CV",),
            ),
        ],
        source="test",
        now=now,
    )
    hits = store.search("entropy", after=dt.date(2025, 1, 1), categories=["cs.CL", "cs.LG"])
    assert [store.papers_by_rowid([r])[r].arxiv_id for r, _ in hits] == ["2506.00001"]
    # Only papers stored after a rowid (a night's new papers), whatever their date.
    later = store.search("entropy", after_rowid=min(r for r, _ in store.search("entropy")))
    assert sorted(store.papers_by_rowid([r])[r].arxiv_id for r, _ in later) == ["2506.00001", "2506.00002"]


def test_bad_fts_query_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="full-text query"):
        store.search('"unbalanced')


def test_failed_transaction_keeps_what_was_stored(
    store: Store, now: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.upsert_papers([make_paper("2501.00001")], source="test", now=now)

    def die(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed mid-write")

    # Killed after the batch's papers are written, before its watermark: none of it is kept.
    monkeypatch.setattr(store, "_write_source_state", die)
    with pytest.raises(RuntimeError):
        store.store_batch([make_paper("2501.00002")], SourceState("rss:cs.CL"), now=now, source="test")
    assert store.summary().papers == 1


def test_source_state_round_trip(store: Store, now: dt.datetime) -> None:
    assert store.get_source_state("rss:cs.CL") == SourceState("rss:cs.CL")
    state = SourceState("rss:cs.CL", watermark=dt.date(2026, 11, 25), etag='"abc"', last_success=now)
    store.store_batch((), state, now=now, source="rss")
    assert store.get_source_state("rss:cs.CL") == state


def test_anchor_checks_round_trip(store: Store, now: dt.datetime) -> None:
    check = StoredAnchorCheck("2508.01191", AnchorStatus.OK, "A title", 2, "found", now)
    store.save_anchor_checks([check])
    assert store.get_anchor_checks(["2508.01191", "2501.99999"]) == {"2508.01191": check}


def test_new_papers_are_indexed_without_the_old_insert_trigger(tmp_path: Path, now: dt.datetime) -> None:
    # A store made before m008 indexed new rows by trigger; after it, _upsert indexes them itself.
    path = tmp_path / "s.sqlite"
    con = sqlite3.connect(path, isolation_level=None)
    for number, migration in enumerate(MIGRATIONS[:7], start=1):
        migration(con)
        con.execute(f"PRAGMA user_version = {number}")
    con.execute(
        "INSERT INTO papers (arxiv_id, version, title, abstract, authors, categories, published, "
        "updated, source, stored_at) VALUES ('2501.00001', 1, 'Sparse attention', 'old row', '[]', "
        "'cs.CL', '2025-01-02', '2025-01-02', 'snapshot', '2025-01-02T00:00:00Z')"
    )
    con.close()
    with Store.open(path) as store:
        names = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
        assert "papers_ai" not in names
        assert "papers_au" in names
        store.upsert_papers(
            [make_paper("2501.00002", title="Entropy collapse"), make_paper("2501.00003")],
            source="snapshot",
            now=now,
        )
        assert [r for r, _ in store.search("sparse")] == [1]  # indexed before the migration
        assert [r for r, _ in store.search("entropy")] == [2]  # indexed by the batch write
        fts_rows = store.db.execute("SELECT count(*) FROM papers_fts").fetchone()[0]
        assert fts_rows == store.summary().papers == 3


def test_search_filters_follow_a_newer_version(store: Store, now: dt.datetime) -> None:
    # paper_filter (m009) holds what search filters on; an update must move it along.
    store.upsert_papers(
        [make_paper("2501.00001", title="Entropy", categories=("cs.CL",))], source="rss", now=now
    )
    assert [r for r, _ in store.search("entropy", categories=["cs.CL"])] == [1]
    newer = make_paper(
        "2501.00001", title="Entropy", version=2, updated=dt.date(2025, 3, 1), categories=("cs.LG", "stat.ML")
    )
    store.upsert_papers([newer], source="api", now=now)
    assert store.search("entropy", categories=["cs.CL"]) == []
    assert [r for r, _ in store.search("entropy", categories=["stat.ML", "cs.AI"])] == [1]
    assert store.search("entropy", categories=["cs"]) == []  # a category matches whole, not as a prefix
    assert [r for r, _ in store.search("entropy", after=dt.date(2025, 1, 1))] == [1]
    assert store.search("entropy", after=dt.date(2025, 1, 2)) == []


def test_summary_is_remembered_until_the_store_changes(tmp_path: Path, now: dt.datetime) -> None:
    path = tmp_path / "s.sqlite"
    with Store.open(path) as reader, Store.open(path) as writer:
        assert reader.summary().papers == 0
        writer.upsert_papers([make_paper("2501.00001")], source="rss", now=now)
        assert reader.summary().papers == 1  # another connection's commit
        reader.upsert_papers([make_paper("2501.00002", published=dt.date(2025, 2, 1))], source="rss", now=now)
        assert reader.summary() == reader.summary()
        assert reader.summary().papers == 2  # its own write
        assert reader.summary().newest_paper == dt.date(2025, 2, 1)


def test_widen_page_cache_only_grows_it_and_writes_nothing(tmp_path: Path, now: dt.datetime) -> None:
    path = tmp_path / "s.sqlite"
    with Store.open(path) as store:
        store.upsert_papers([make_paper("2501.00001")], source="rss", now=now)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

        store.widen_page_cache(64)
        assert store.db.execute("PRAGMA cache_size").fetchone()[0] == -64 * 1024
        store.widen_page_cache(8)  # never shrinks
        assert store.db.execute("PRAGMA cache_size").fetchone()[0] == -64 * 1024
        store.db.execute("PRAGMA cache_size = 100000")  # in pages: 100000 x 4 KiB > 64 MiB
        store.widen_page_cache(64)
        assert store.db.execute("PRAGMA cache_size").fetchone()[0] == 100000

        assert store.search('"study"', after=dt.date(2000, 1, 1)) != []
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files


CHALLENGER = Match(
    "2602.02470",
    "Breaking the Reversal Curse",
    dt.date(2026, 2, 3),
    88.25,
    True,
    ("topic 'reversal curse': title has reversal, curse",),
    stance=Stance.CHALLENGES,
    confidence=0.86,
    stance_sentence="Contrary to prior work, we challenge this view: models do generalise B is A.",
    stance_target="anchor 2309.12288",
)


def test_a_match_keeps_its_stance_through_json() -> None:
    stored = json.loads(json.dumps(match_to_json(CHALLENGER)))
    assert stored["stance"] == "challenges"
    assert match_from_json(stored) == CHALLENGER


def test_a_match_row_written_before_stances_loads_with_the_defaults() -> None:
    old_row = {
        "arxiv_id": "2602.02470",
        "title": "Breaking the Reversal Curse",
        "published": "2026-02-03",
        "score": 88.25,
        "superseding": True,
        "evidence": ["names anchor 2309.12288"],
    }
    loaded = match_from_json(old_row)
    assert (loaded.stance, loaded.confidence, loaded.stance_sentence, loaded.stance_target) == (
        Stance.RELATED,
        0.0,
        None,
        None,
    )
    assert loaded.superseding is True  # the flag an older run recorded stays a flag


def test_a_damaged_stance_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError, match="'disputes' is not a valid Stance"):
        match_from_json({**match_to_json(CHALLENGER), "stance": "disputes"})


def test_run_history_keeps_stances_and_reads_rows_from_before_them(store: Store, now: dt.datetime) -> None:
    run = store.save_run(
        day=now.date(),
        started_at=now,
        finished_at=now,
        outcome="ok",
        stale=False,
        poll="ok",
        claims=[StoredRunClaim("reversal", ClaimStatus.POSSIBLY_SUPERSEDED, ("r",), (CHALLENGER,))],
    )
    assert store.get_run_claims(run.id)["reversal"].matches == (CHALLENGER,)

    old = {k: v for k, v in match_to_json(CHALLENGER).items() if not k.startswith(("stance", "confidence"))}
    with store.transaction() as db:
        db.execute("UPDATE run_claims SET matches=? WHERE run=?", (json.dumps([old]), run.id))
    (loaded,) = store.get_run_claims(run.id)["reversal"].matches
    assert loaded == Match(*dataclasses.astuple(CHALLENGER)[:6])  # the defaults: related, no sentence
