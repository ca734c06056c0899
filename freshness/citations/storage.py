"""The store's citation tables (migration m011): save one service's answer for one anchor, read each
anchor's last fetch, and read the edges back as the matcher's `CitationIndex`."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.citations.base import LABELS, Fetched
from freshness.models import CitationContext, CitationIndex, Citing, Claim, utc_iso
from freshness.store import Store
from freshness.store.database import select_in


@dataclass(frozen=True)
class FetchState:
    """An anchor's last fetch from one service."""

    anchor_id: str
    source: str
    attempted_at: dt.datetime
    fetched_at: dt.datetime | None
    complete: bool
    known: bool
    citing: int
    problem: str | None
    service_id: str | None


_UPSERT_EDGE = (
    "INSERT INTO citation_edges (anchor_id, citing_id, source, influential, first_seen, last_seen)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (anchor_id, citing_id, source) DO UPDATE SET"
    " influential = excluded.influential, last_seen = excluded.last_seen"
)


def save_fetched(store: Store, fetched: Fetched, *, now: dt.datetime) -> int:
    """Store one answer: its edges (new ones first seen `now`, known ones seen again) with their
    contexts, and the fetch. An incomplete answer adds and refreshes edges but removes none (what it
    did not list may be past the cut); a complete one drops the edges it no longer lists. Returns
    the number of edges stored."""
    at = utc_iso(now)
    edges = _edges(fetched)
    with store.transaction() as db:
        if fetched.complete:
            _drop_unlisted(db, fetched, list(edges))
        for citing, (influential, contexts) in edges.items():
            _save_edge(db, fetched, citing, influential, contexts, at)
        _save_fetch(db, fetched, at)
    return len(edges)


def _edges(fetched: Fetched) -> dict[str, tuple[bool, tuple[CitationContext, ...]]]:
    """Citing arXiv id (no version) -> (influential, contexts) over the answer's records, a paper
    listed twice merged; records with no arXiv id, a bad one, or the anchor's own are left out."""
    edges: dict[str, tuple[bool, tuple[CitationContext, ...]]] = {}
    for r in fetched.records:
        if r.arxiv_id is None:
            continue
        try:
            citing = parse_arxiv_id(r.arxiv_id).base
        except ArxivIdError:
            continue
        if citing == fetched.anchor_id:
            continue
        old = edges.get(citing)
        edges[citing] = (r.influential or (old[0] if old else False), (old[1] if old else ()) + r.contexts)
    return edges


def _drop_unlisted(db: sqlite3.Connection, fetched: Fetched, kept: Sequence[str]) -> None:
    """Remove the anchor's edges from this source (and their contexts) that a complete answer no
    longer lists. The difference is taken here, not in one `NOT IN (…)` over every kept id: a much
    cited anchor would pass SQLite's cap on bound parameters."""
    listed = set(kept)
    for table in ("citation_edges", "citation_contexts"):
        where = "WHERE anchor_id = ? AND source = ?"
        stored = {
            r[0]
            for r in db.execute(f"SELECT citing_id FROM {table} {where}", (fetched.anchor_id, fetched.source))
        }
        gone = [(fetched.anchor_id, fetched.source, c) for c in sorted(stored - listed)]
        db.executemany(f"DELETE FROM {table} {where} AND citing_id = ?", gone)


def _save_edge(
    db: sqlite3.Connection,
    fetched: Fetched,
    citing: str,
    influential: bool,
    contexts: Sequence[CitationContext],
    at: str,
) -> None:
    """One edge, first seen or seen again `at`, with its contexts replacing the ones stored."""
    db.execute(_UPSERT_EDGE, (fetched.anchor_id, citing, fetched.source, int(influential), at, at))
    db.execute(
        "DELETE FROM citation_contexts WHERE anchor_id = ? AND citing_id = ? AND source = ?",
        (fetched.anchor_id, citing, fetched.source),
    )
    db.executemany(
        "INSERT INTO citation_contexts (anchor_id, citing_id, source, n, context, intents)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (fetched.anchor_id, citing, fetched.source, n, c.text, " ".join(c.intents))
            for n, c in enumerate(contexts)
        ],
    )


def _save_fetch(db: sqlite3.Connection, fetched: Fetched, at: str) -> None:
    """The fetch itself: when, complete or not, known or not, how many records, any problem, and the
    service's own id of the anchor (kept when this answer has none)."""
    db.execute(
        "INSERT INTO citation_fetches (anchor_id, source, attempted_at, fetched_at, complete, known,"
        " citing, problem, service_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (anchor_id, source) DO UPDATE SET attempted_at = excluded.attempted_at,"
        " fetched_at = excluded.fetched_at, complete = excluded.complete, known = excluded.known,"
        " citing = excluded.citing, problem = excluded.problem,"
        " service_id = COALESCE(excluded.service_id, citation_fetches.service_id)",
        (
            fetched.anchor_id,
            fetched.source,
            at,
            at,
            int(fetched.complete),
            int(fetched.known),
            len(fetched.records),
            fetched.problem,
            fetched.service_id,
        ),
    )


def save_failure(store: Store, anchor_id: str, source: str, problem: str, *, now: dt.datetime) -> None:
    """Record a failed try: the last answer (if any) stays, marked with why it was not refreshed."""
    with store.transaction() as db:
        db.execute(
            "INSERT INTO citation_fetches (anchor_id, source, attempted_at, problem) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (anchor_id, source) DO UPDATE SET attempted_at = excluded.attempted_at,"
            " problem = excluded.problem",
            (anchor_id, source, utc_iso(now), problem),
        )


def fetch_states(store: Store, anchor_ids: Iterable[str]) -> dict[tuple[str, str], FetchState]:
    """(anchor id, source) -> its last fetch, for the anchors given."""
    ids = sorted(set(anchor_ids))
    if not ids:
        return {}
    rows = select_in(
        store.db,
        "SELECT anchor_id, source, attempted_at, fetched_at, complete, known, citing, problem, service_id"
        " FROM citation_fetches WHERE anchor_id IN ({marks})",
        ids,
    )
    return {
        (r[0], r[1]): FetchState(
            r[0],
            r[1],
            dt.datetime.fromisoformat(r[2]),
            dt.datetime.fromisoformat(r[3]) if r[3] else None,
            bool(r[4]),
            bool(r[5]),
            int(r[6]),
            r[7],
            r[8],
        )
        for r in rows
    }


def citing_ids(store: Store, anchor_ids: Sequence[str]) -> list[str]:
    """Every paper any of `anchor_ids` is cited by, newest id first (the newest work matters most)."""
    sql = "SELECT DISTINCT citing_id FROM citation_edges WHERE anchor_id IN ({marks})"
    return sorted({r[0] for r in select_in(store.db, sql, sorted(set(anchor_ids)))}, reverse=True)


def citation_index(store: Store, anchor_ids: Sequence[str]) -> CitationIndex:
    """Every stored edge to the anchors given, with its contexts, as the matcher takes it."""
    ids = sorted(set(anchor_ids))
    if not ids:
        return CitationIndex()
    # Chunks of ascending anchor ids, each ordered: the rows come in the order one query would give.
    edges = list(
        select_in(
            store.db,
            "SELECT anchor_id, citing_id, source, influential FROM citation_edges"
            " WHERE anchor_id IN ({marks}) ORDER BY anchor_id, citing_id, source",
            ids,
        )
    )
    contexts: dict[tuple[str, str], list[CitationContext]] = {}
    for a, c, src, ctx, intents in select_in(
        store.db,
        "SELECT anchor_id, citing_id, source, context, intents FROM citation_contexts"
        " WHERE anchor_id IN ({marks}) ORDER BY anchor_id, citing_id, source, n",
        ids,
    ):
        contexts.setdefault((a, c), []).append(
            CitationContext(ctx, LABELS.get(src, src), tuple(intents.split()))
        )
    grouped: dict[str, dict[str, tuple[list[str], bool]]] = {}
    for a, c, src, influential in edges:
        sources, infl = grouped.setdefault(a, {}).get(c, ([], False))
        grouped[a][c] = ([*sources, LABELS.get(src, src)], infl or bool(influential))
    return CitationIndex(
        {
            a: {
                c: Citing(a, c, tuple(srcs), tuple(contexts.get((a, c), ())), infl)
                for c, (srcs, infl) in by_citing.items()
            }
            for a, by_citing in grouped.items()
        }
    )


def stored_citations(store: Store, claims: Sequence[Claim]) -> CitationIndex | None:
    """The stored edges to the claims' anchors for an offline report, or None when the store has none
    (the matcher then judges exactly as without citations)."""
    ids = [a.arxiv_id.base for c in claims for a in c.anchors if a.arxiv_id]
    index = citation_index(store, ids)
    return index if index else None
