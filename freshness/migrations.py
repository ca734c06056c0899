"""The store's schema as numbered migrations: append a new one at the end of `MIGRATIONS`, never edit one.

`Store.open` runs those past the database's `PRAGMA user_version`, each in its own transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def m001_create_papers(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE papers (
            rowid INTEGER PRIMARY KEY,
            arxiv_id TEXT NOT NULL UNIQUE,        -- without version: 2508.01191, hep-th/9901001
            version INTEGER NOT NULL,             -- latest known version
            title TEXT NOT NULL,
            abstract TEXT NOT NULL,
            authors TEXT NOT NULL,                -- JSON array of names, in order
            categories TEXT NOT NULL,             -- space-separated, primary first
            comments TEXT,
            journal_ref TEXT,
            doi TEXT,
            published TEXT NOT NULL,              -- first-version (v1) date, YYYY-MM-DD
            updated TEXT NOT NULL,                -- latest-version date, YYYY-MM-DD
            withdrawn INTEGER,                    -- 1 withdrawn, 0 not, NULL unknown
            source TEXT NOT NULL,                 -- what last wrote the row: snapshot, api, oai, rss
            stored_at TEXT NOT NULL               -- UTC ISO-8601
        );
        CREATE INDEX papers_published ON papers(published);
        CREATE TABLE versions (
            paper INTEGER NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            date TEXT NOT NULL,
            PRIMARY KEY (paper, number)
        ) WITHOUT ROWID;
        CREATE TABLE paper_categories (
            category TEXT NOT NULL,
            paper INTEGER NOT NULL REFERENCES papers(rowid) ON DELETE CASCADE,
            PRIMARY KEY (category, paper)
        ) WITHOUT ROWID;
        CREATE VIRTUAL TABLE papers_fts USING fts5(
            title, abstract, content='papers', content_rowid='rowid',
            tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER papers_ai AFTER INSERT ON papers BEGIN
            INSERT INTO papers_fts(rowid, title, abstract) VALUES (new.rowid, new.title, new.abstract);
        END;
        CREATE TRIGGER papers_ad AFTER DELETE ON papers BEGIN
            INSERT INTO papers_fts(papers_fts, rowid, title, abstract)
            VALUES ('delete', old.rowid, old.title, old.abstract);
        END;
        CREATE TRIGGER papers_au AFTER UPDATE OF title, abstract ON papers BEGIN
            INSERT INTO papers_fts(papers_fts, rowid, title, abstract)
            VALUES ('delete', old.rowid, old.title, old.abstract);
            INSERT INTO papers_fts(rowid, title, abstract) VALUES (new.rowid, new.title, new.abstract);
        END;
        """,
    )


def m002_create_source_state(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE source_state (
            source TEXT PRIMARY KEY,              -- rss:cs.CL+cs.LG, oai:cs, api, ...
            watermark TEXT,                       -- last day fully stored (YYYY-MM-DD)
            resume_token TEXT,                    -- OAI resumptionToken of an unfinished harvest
            etag TEXT,
            last_modified TEXT,
            last_success TEXT,                    -- UTC ISO-8601 of the last successful fetch
            updated_at TEXT NOT NULL
        );
        """,
    )


def m003_create_anchor_checks(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE anchor_checks (
            arxiv_id TEXT PRIMARY KEY,            -- without version
            status TEXT NOT NULL,                 -- ok, not_found, withdrawn (what arXiv said)
            title TEXT,
            latest_version INTEGER,
            detail TEXT NOT NULL,
            checked_at TEXT NOT NULL              -- UTC ISO-8601
        );
        """,
    )


def m004_add_anchor_latest_date(db: sqlite3.Connection) -> None:
    # A "revised since the claim's date" check needs the date of the latest version, not only its
    # number; without it a cached check could not say whether a revision is newer than a claim.
    _run_script(
        db,
        """
        ALTER TABLE anchor_checks ADD COLUMN latest_date TEXT;   -- latest version's date, YYYY-MM-DD
        """,
    )


def m005_add_harvest_window(db: sqlite3.Connection) -> None:
    # An OAI-PMH harvest spans several pages; its resumptionToken is stored after each page so a killed
    # poll resumes there. The window the token belongs to must be stored with it: the watermark may only
    # move to the window's last day once the last page is in, and an expired token (badResumptionToken)
    # restarts that same window.
    _run_script(
        db,
        """
        ALTER TABLE source_state ADD COLUMN window_from TEXT;    -- unfinished harvest: first day, YYYY-MM-DD
        ALTER TABLE source_state ADD COLUMN window_until TEXT;   -- unfinished harvest: last day, YYYY-MM-DD
        """,
    )


def m006_create_runs(db: sqlite3.Connection) -> None:
    # History of the nightly cycle: one run a day (a second run that day replaces the first), and
    # each claim's status, reasons and top matches in that run, so changes can be shown over time.
    _run_script(
        db,
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL UNIQUE,             -- YYYY-MM-DD, the run's local day
            started_at TEXT NOT NULL,             -- UTC ISO-8601
            finished_at TEXT NOT NULL,            -- UTC ISO-8601
            outcome TEXT NOT NULL,                -- ok, attention, failed (the exit code's meaning)
            stale INTEGER NOT NULL,               -- 1: the poll failed; judged on what the store had
            poll TEXT NOT NULL                    -- one line: what the poll brought, or why it failed
        );
        CREATE TABLE run_claims (
            run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            claim_id TEXT NOT NULL,
            status TEXT NOT NULL,
            reasons TEXT NOT NULL,                -- JSON array of strings
            matches TEXT NOT NULL,                -- JSON array of the top matches, best first
            PRIMARY KEY (run, claim_id)
        ) WITHOUT ROWID;
        CREATE INDEX run_claims_claim ON run_claims(claim_id);
        """,
    )


def m007_create_decisions(db: sqlite3.Connection) -> None:
    # Triage by a person. Keyed by claim id and arXiv id without version (not by papers.rowid), so
    # decisions survive re-imports of the papers. Rows are never updated: the latest one wins.
    _run_script(
        db,
        """
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            claim_id TEXT NOT NULL,
            arxiv_id TEXT,                        -- without version; NULL for snooze and reviewed
            kind TEXT NOT NULL CHECK (kind IN ('dismiss', 'confirm', 'snooze', 'reviewed')),
            reason TEXT,
            until TEXT,                           -- YYYY-MM-DD: snoozed until / reviewed on
            created_at TEXT NOT NULL              -- UTC ISO-8601
        );
        CREATE INDEX decisions_claim ON decisions(claim_id);
        """,
    )


def m008_index_new_papers_in_batches(db: sqlite3.Connection) -> None:
    # New papers are indexed by one executemany into papers_fts per batch (Store._upsert), not by a
    # row trigger: the trigger interleaves an FTS5 write with every papers row and made importing
    # the corpus 2x slower (bench/bench_import.py; docs/benchmarks.md). Updates keep their trigger.
    db.execute("DROP TRIGGER IF EXISTS papers_ai")


def m009_create_paper_filter(db: sqlite3.Connection) -> None:
    # What a full-text search filters on (first-version date, categories), in narrow rows: joining the
    # FTS hits to `papers` instead read a wide row (abstract, authors) per hit, and the category
    # IN-subquery materialised every paper of the categories on each query; both dominated search
    # time at 100k-1M papers (bench/bench_match.py; docs/benchmarks.md). Inserts are written by
    # Store._upsert (like papers_fts, m008); updates and deletes follow by trigger.
    _run_script(
        db,
        """
        CREATE TABLE paper_filter (
            rowid INTEGER PRIMARY KEY,            -- papers.rowid
            published TEXT NOT NULL,              -- papers.published
            categories TEXT NOT NULL              -- ' cs.CL cs.AI ': papers.categories, space-padded
        );
        INSERT INTO paper_filter (rowid, published, categories)
            SELECT rowid, published, ' ' || categories || ' ' FROM papers;
        CREATE TRIGGER paper_filter_au AFTER UPDATE OF published, categories ON papers BEGIN
            UPDATE paper_filter SET published = new.published, categories = ' ' || new.categories || ' '
            WHERE rowid = new.rowid;
        END;
        CREATE TRIGGER paper_filter_ad AFTER DELETE ON papers BEGIN
            DELETE FROM paper_filter WHERE rowid = old.rowid;
        END;
        """,
    )


def m010_create_match_cache(db: sqlite3.Connection) -> None:
    # Each claim's matches and topic velocity, keyed by everything they depend on (the claim as
    # judged, the matcher's code, the papers), so a report over 1,000 claims reads them instead of
    # re-matching (bench/bench_report.py). Inserts move max(rowid); updates move paper_updates.
    _run_script(
        db,
        """
        CREATE TABLE match_cache (
            claim_id TEXT PRIMARY KEY,
            key TEXT NOT NULL,                    -- hash of the inputs; a different key is a miss
            matches TEXT NOT NULL,                -- JSON list of matches, best first
            velocity TEXT NOT NULL,               -- JSON of the topic velocity
            computed_at TEXT NOT NULL             -- UTC ISO-8601
        );
        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO counters (name, value) VALUES ('paper_updates', 0);
        CREATE TRIGGER papers_count_updates AFTER UPDATE ON papers BEGIN
            UPDATE counters SET value = value + 1 WHERE name = 'paper_updates';
        END;
        """,
    )


def m011_create_citations(db: sqlite3.Connection) -> None:
    # Who cites the anchors (freshness.citations): one row per (anchor, citing paper, service), the
    # sentences that cite it, and each anchor's last fetch per service (the refresh interval, and
    # whether the list was complete).
    _run_script(
        db,
        """
        CREATE TABLE citation_edges (
            anchor_id TEXT NOT NULL,              -- arXiv id without version
            citing_id TEXT NOT NULL,              -- arXiv id without version
            source TEXT NOT NULL,                 -- semantic_scholar, openalex
            influential INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,             -- UTC ISO-8601
            last_seen TEXT NOT NULL,              -- UTC ISO-8601
            PRIMARY KEY (anchor_id, citing_id, source)
        ) WITHOUT ROWID;
        CREATE TABLE citation_contexts (
            anchor_id TEXT NOT NULL,
            citing_id TEXT NOT NULL,
            source TEXT NOT NULL,
            n INTEGER NOT NULL,                   -- order the service gave
            context TEXT NOT NULL,                -- the citing sentence, as quoted by the service
            intents TEXT NOT NULL,                -- space-separated: background methodology result
            PRIMARY KEY (anchor_id, citing_id, source, n)
        ) WITHOUT ROWID;
        CREATE TABLE citation_fetches (
            anchor_id TEXT NOT NULL,
            source TEXT NOT NULL,
            attempted_at TEXT NOT NULL,           -- UTC ISO-8601, the last try, good or bad
            fetched_at TEXT,                      -- UTC ISO-8601, the last answer stored
            complete INTEGER NOT NULL DEFAULT 0,  -- that answer was the whole list
            known INTEGER NOT NULL DEFAULT 1,     -- the service knows the anchor
            citing INTEGER NOT NULL DEFAULT 0,    -- citing papers it listed (with or without arXiv id)
            problem TEXT,                         -- why the last try failed or was cut short
            service_id TEXT,                      -- the service's own id of the anchor (OpenAlex W...)
            PRIMARY KEY (anchor_id, source)
        ) WITHOUT ROWID;
        """,
    )


def m012_create_coverage(db: sqlite3.Connection) -> None:
    # Which days of which categories a listing actually brought in (freshness/coverage.py): a claim is
    # judged only on the period the store covered, and the report states that span, not the span of
    # whatever papers happen to be stored (an anchor looked up by id covers nothing).
    _run_script(
        db,
        """
        CREATE TABLE coverage (
            category TEXT NOT NULL,               -- cs.CL, or an archive harvested whole (cs)
            first_day TEXT NOT NULL,              -- YYYY-MM-DD, first-submission days, inclusive
            last_day TEXT NOT NULL,
            source TEXT NOT NULL,                 -- snapshot, oai, rss
            recorded_at TEXT NOT NULL,            -- UTC ISO-8601
            PRIMARY KEY (category, first_day, last_day, source)
        ) WITHOUT ROWID;
        """,
    )


def m013_decisions_teach(db: sqlite3.Connection) -> None:
    # Issue "learn from the curator": a paper can be marked relevant (on topic, not a challenge) or not
    # relevant (off topic), and any paper decision undone. SQLite cannot alter a CHECK: the table is
    # rebuilt with its rows and ids as they were.
    _run_script(
        db,
        """
        CREATE TABLE decisions_new (
            id INTEGER PRIMARY KEY,
            claim_id TEXT NOT NULL,
            arxiv_id TEXT,                        -- without version; NULL for snooze and reviewed
            kind TEXT NOT NULL CHECK (kind IN ('dismiss', 'confirm', 'snooze', 'reviewed',
                                               'relevant', 'not_relevant', 'undo')),
            reason TEXT,
            until TEXT,                           -- YYYY-MM-DD: snoozed until / reviewed on
            created_at TEXT NOT NULL              -- UTC ISO-8601
        );
        INSERT INTO decisions_new
            SELECT id, claim_id, arxiv_id, kind, reason, until, created_at FROM decisions;
        DROP TABLE decisions;
        ALTER TABLE decisions_new RENAME TO decisions;
        CREATE INDEX decisions_claim ON decisions(claim_id);
        """,
    )


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction (`executescript` would COMMIT first)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")


Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: tuple[Migration, ...] = (
    m001_create_papers,
    m002_create_source_state,
    m003_create_anchor_checks,
    m004_add_anchor_latest_date,
    m005_add_harvest_window,
    m006_create_runs,
    m007_create_decisions,
    m008_index_new_papers_in_batches,
    m009_create_paper_filter,
    m010_create_match_cache,
    m011_create_citations,
    m012_create_coverage,
    m013_decisions_teach,
)
