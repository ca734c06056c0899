"""Anchor checks: does every arXiv id a claim cites still resolve to the paper it claims?

One status per anchor (models.AnchorStatus): `malformed` (syntax, decided offline), `not_found`,
`withdrawn`, `title_mismatch` (the id points at another paper), `title_differs` (the same paper cited
with a loose title: a warning), `revised` (a warning), `unchecked`
(could not be decided) or `ok`. Online, arXiv is asked in canary-checked batches (sources/arxiv_api)
and each answer is cached in the store with the time it was checked; offline, only the store is read:
that cache and the `papers` table (an imported corpus knows titles and versions).

This module gathers what is known about each cited paper (PaperFact) and keeps the cache; judging one
anchor from it is anchor_judging.py's, comparing a cited title with arXiv's titles.py's.
freshness.views.anchors renders a check as a table, GitHub Actions annotations or stable JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from freshness.anchor_judging import PaperFact, judge
from freshness.arxiv_ids import ArxivId
from freshness.errors import SourceUnavailable
from freshness.models import Anchor, AnchorResult, AnchorStatus, Claim, Paper
from freshness.store import Store, StoredAnchorCheck

__all__ = [
    "DEFAULT_MAX_AGE",
    "AnchorCheck",
    "AnchorLookup",
    "CheckedAnchor",
    "IdentityLookup",
    "anchor_results_from_store",
    "check_anchors",
    "exit_code",
    "parse_max_age",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE = dt.timedelta(days=1)  # arXiv's data changes once a day (docs/polling.md)


class IdentityLookup(Protocol):
    """A second service that can confirm an anchor's identity when arXiv cannot answer
    (citations.identity.SemanticScholarIdentity provides it)."""

    label: str

    def identify(self, ids: Sequence[str], *, now: dt.datetime) -> tuple[dict[str, PaperFact], list[str]]:
        """The facts it confirms (origin set to its label) and why the others stay unconfirmed."""
        ...


class AnchorLookup(Protocol):
    """What the check needs from arXiv (sources.arxiv_api.ArxivApiSource provides it)."""

    @property
    def ids_per_batch(self) -> int: ...

    def lookup(self, ids: Sequence[ArxivId]) -> dict[str, Paper]: ...

    def raw_record(self, arxiv_id: ArxivId | str) -> Paper | None: ...


@dataclass(frozen=True)
class CheckedAnchor:
    """One anchor of one claim, with its result."""

    claim_id: str
    result: AnchorResult


@dataclass(frozen=True)
class AnchorCheck:
    """Every anchor of every claim in file order, and why any could not be checked."""

    checked_at: dt.datetime
    offline: bool
    anchors: tuple[CheckedAnchor, ...]
    problems: tuple[str, ...] = ()  # why arXiv could not answer (network, bogus answers)
    queries: int = 0  # id batches and OAI-PMH records asked of arXiv (0: all from the cache)

    @property
    def verified(self) -> int:
        """How many anchors got a decided status (anything but unchecked): what the gate really checked."""
        return sum(1 for a in self.anchors if a.result.status is not AnchorStatus.UNCHECKED)

    def counts(self) -> dict[AnchorStatus, int]:
        """How many anchors have each status; every status is present."""
        counts = dict.fromkeys(AnchorStatus, 0)
        for a in self.anchors:
            counts[a.result.status] += 1
        return counts

    @property
    def broken(self) -> bool:
        return any(a.result.status.broken for a in self.anchors)

    @property
    def incomplete(self) -> bool:
        """At least one anchor stayed `unchecked`."""
        return any(a.result.status is AnchorStatus.UNCHECKED for a in self.anchors)


# -- the check --------------------------------------------------------------------------------------


def check_anchors(
    claims: Sequence[Claim],
    *,
    store: Store,
    now: dt.datetime,
    lookup: AnchorLookup | None,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
    identity: IdentityLookup | None = None,
) -> AnchorCheck:
    """Check every anchor. `lookup=None` is offline: only the store is read and nothing is written.

    Online, an id checked less than `max_age` ago is answered from the store's cache; the others are
    asked of arXiv and the answers saved. When arXiv cannot answer, the remaining anchors stay
    `unchecked` and `problems` says why: network trouble never reads as "not found". With `identity`,
    the anchors arXiv did not answer for are then confirmed (title, first authors, DOI) by that
    service: each counts as verified, but arXiv's problem stays reported (versions and withdrawal
    are arXiv's to say), and nothing it says is cached as an arXiv check.
    """
    ids = _well_formed_ids(claims)
    problems: list[str] = []
    queries = 0
    if lookup is None:
        facts = _facts_from_store(ids, store)
    else:
        facts = {
            k: _fact_from_cache(c)
            for k, c in store.get_anchor_checks(ids).items()
            if max_age > dt.timedelta(0) and now - c.checked_at < max_age
        }
        todo = [i for i in ids if i not in facts]
        if todo:
            asked, problems, queries = _ask_arxiv(todo, lookup, store=store, now=now)
            facts.update(asked)
            left = [i for i in todo if i not in facts]
            if identity is not None and left:
                confirmed, why = identity.identify(left, now=now)
                facts.update(confirmed)
                problems.extend(why)
    return AnchorCheck(
        checked_at=now,
        offline=lookup is None,
        anchors=tuple(
            CheckedAnchor(
                claim.id, judge(anchor, claim, _fact_for(anchor, facts), now=now, offline=lookup is None)
            )
            for claim in claims
            for anchor in claim.anchors
        ),
        problems=tuple(problems),
        queries=queries,
    )


def anchor_results_from_store(
    claims: Sequence[Claim], store: Store, now: dt.datetime
) -> dict[str, tuple[AnchorResult, ...]]:
    """Each claim's anchor results from the store alone (no network), keyed by claim id; the report
    uses this so it shows the same statuses as `check-anchors --offline`."""
    check = check_anchors(claims, store=store, now=now, lookup=None)
    out: dict[str, list[AnchorResult]] = {c.id: [] for c in claims}
    for checked in check.anchors:
        out[checked.claim_id].append(checked.result)
    return {k: tuple(v) for k, v in out.items()}


def _well_formed_ids(claims: Iterable[Claim]) -> list[str]:
    """Distinct ids without version, in file order; malformed anchors never reach arXiv."""
    return list(dict.fromkeys(a.arxiv_id.base for c in claims for a in c.anchors if a.arxiv_id is not None))


def _fact_for(anchor: Anchor, facts: dict[str, PaperFact]) -> PaperFact | None:
    return None if anchor.arxiv_id is None else facts.get(anchor.arxiv_id.base)


def _ask_arxiv(
    ids: list[str], lookup: AnchorLookup, *, store: Store, now: dt.datetime
) -> tuple[dict[str, PaperFact], list[str], int]:
    """Ask arXiv one batch at a time, saving each batch's answers as soon as they are known, and
    stop at the first failure (retrying is the polite session's job; hammering on is not).
    Returns the facts, why it stopped (if it did) and how many queries it made."""
    facts: dict[str, PaperFact] = {}
    queries = 0
    size = max(1, lookup.ids_per_batch)
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        queries += 1
        try:
            found = lookup.lookup([ArxivId(i) for i in batch])
        except SourceUnavailable as exc:
            log.info("anchor check stopped: %s", exc)
            return facts, [str(exc)], queries
        decided: dict[str, PaperFact] = {}
        problem: str | None = None
        for arxiv_id in batch:
            paper = found.get(arxiv_id)
            if paper is None:
                decided[arxiv_id] = PaperFact(arxiv_id, found=False, checked_at=now)
            elif paper.version == 1:
                # Withdrawal always creates a new version (arXiv's withdrawal policy), so a paper
                # still at v1 cannot be withdrawn and needs no second request.
                decided[arxiv_id] = _found(paper, withdrawn=False, now=now)
        for arxiv_id in batch:
            paper = found.get(arxiv_id)
            if paper is None or paper.version == 1 or problem is not None:
                continue
            # Only OAI-PMH arXivRaw flags a withdrawn version; the Atom API cannot tell (docs/ci.md).
            queries += 1
            try:
                raw = lookup.raw_record(arxiv_id)
            except SourceUnavailable as exc:
                log.info("anchor check stopped: %s", exc)
                problem = str(exc)
                continue
            # OAI-PMH can lag the API by a day for a brand-new version: then the answer is "unknown".
            withdrawn = raw.withdrawn if raw is not None and raw.version >= paper.version else None
            decided[arxiv_id] = _found(paper, withdrawn=withdrawn, now=now)
        facts.update(decided)
        store.save_anchor_checks(_to_cache(f) for f in decided.values())
        if problem is not None:
            return facts, [problem], queries
    return facts, [], queries


def _found(paper: Paper, *, withdrawn: bool | None, now: dt.datetime) -> PaperFact:
    return PaperFact(
        paper.arxiv_id,
        found=True,
        title=paper.title,
        latest_version=paper.version,
        latest_date=paper.updated,
        withdrawn=withdrawn,
        checked_at=now,
        abstract=paper.abstract or None,
    )


def _to_cache(fact: PaperFact) -> StoredAnchorCheck:
    if not fact.found:
        status, detail = AnchorStatus.NOT_FOUND, "arXiv has no paper with this id"
    elif fact.withdrawn:
        status, detail = AnchorStatus.WITHDRAWN, f"v{fact.latest_version} is a withdrawal"
    else:
        status = AnchorStatus.OK
        detail = f"v{fact.latest_version} ({fact.latest_date})" + (
            "; withdrawal not confirmed (no OAI-PMH record yet)" if fact.withdrawn is None else ""
        )
    assert fact.checked_at is not None
    return StoredAnchorCheck(
        arxiv_id=fact.arxiv_id,
        status=status,
        title=fact.title,
        latest_version=fact.latest_version,
        detail=detail,
        checked_at=fact.checked_at,
        latest_date=fact.latest_date,
    )


def _fact_from_cache(c: StoredAnchorCheck) -> PaperFact:
    withdrawn: bool | None = c.status is AnchorStatus.WITHDRAWN
    if not withdrawn and "withdrawal not confirmed" in c.detail:
        withdrawn = None
    return PaperFact(
        c.arxiv_id,
        found=c.status is not AnchorStatus.NOT_FOUND,
        title=c.title,
        latest_version=c.latest_version,
        latest_date=c.latest_date,
        withdrawn=withdrawn,
        checked_at=c.checked_at,
    )


def _facts_from_store(ids: list[str], store: Store) -> dict[str, PaperFact]:
    """Offline: the cache of online checks, overruled by the papers table where that knows a newer
    version (a poll or import since the check). A paper in the papers table exists."""
    cached = store.get_anchor_checks(ids)
    papers = store.get_papers(ids)
    facts: dict[str, PaperFact] = {}
    for arxiv_id in ids:
        check, paper = cached.get(arxiv_id), papers.get(arxiv_id)
        fact = _fact_from_cache(check) if check is not None else None
        if paper is not None and (
            fact is None or not fact.found or (fact.latest_version or 0) < paper.version
        ):
            fact = PaperFact(
                arxiv_id,
                found=True,
                title=paper.title,
                latest_version=paper.version,
                latest_date=paper.updated,
                withdrawn=paper.withdrawn,
                origin="the store",
                abstract=paper.abstract or None,
            )
        elif (
            paper is not None
            and fact is not None
            and paper.withdrawn
            and paper.version == fact.latest_version
        ):
            fact = dataclasses.replace(fact, withdrawn=True)
        if fact is not None and fact.abstract is None and paper is not None and paper.abstract:
            fact = dataclasses.replace(fact, abstract=paper.abstract)
        if fact is not None:
            facts[arxiv_id] = fact
    return facts


# -- exit code --------------------------------------------------------------------------------------


def exit_code(check: AnchorCheck, *, strict: bool = False) -> int:
    """0 every anchor resolves (revised and offline-unchecked are warnings); 1 at least one anchor is
    broken (certain, so it wins: retrying will not fix it); 2 online and something stayed unchecked,
    or `strict` and not one anchor was verified (a CI gate without its store checks nothing)."""
    if check.broken:
        return 1
    if not check.offline and (check.incomplete or check.problems):
        return 2
    if strict and check.anchors and check.verified == 0:
        return 2
    return 0


def parse_max_age(text: str) -> dt.timedelta:
    """`0`, `90s`, `30min`, `12h`, `1d`, `2w` -> timedelta; ValueError otherwise."""
    m = re.fullmatch(r"\s*(\d+)\s*(s|min|h|d|w)?\s*", text, re.IGNORECASE)
    if not m or (m[2] is None and int(m[1]) != 0):
        raise ValueError(f"{text!r} is not a duration: use e.g. 0, 30min, 12h, 1d or 1w")
    unit = (m[2] or "s").lower()
    seconds = {"s": 1, "min": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
    return dt.timedelta(seconds=int(m[1]) * seconds)
