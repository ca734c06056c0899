"""Judging one anchor: what is known about the paper it cites (a PaperFact, from arXiv, the store or a
second service) -> one AnchorResult, the most severe status that applies, with a detail text that says
where the answer came from. Pure: the check (anchors.py) gathers the facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from freshness.arxiv_ids import ArxivId
from freshness.models import Anchor, AnchorResult, AnchorStatus, Claim
from freshness.titles import grade_title


@dataclass(frozen=True)
class PaperFact:
    """What arXiv (or the store) says about one paper, whatever anchor cites it."""

    arxiv_id: str
    found: bool
    title: str | None = None
    latest_version: int | None = None
    latest_date: dt.date | None = None
    withdrawn: bool | None = None  # None: not known (offline, or OAI-PMH had no record)
    checked_at: dt.datetime | None = None  # when arXiv said so; None for the store's papers table
    origin: str = "arXiv"  # who said so, for the detail text
    abstract: str | None = None  # when known: a loosely cited title may still agree with it
    authors: tuple[str, ...] = ()  # first authors, when a second service confirmed the identity
    doi: str | None = None


def judge(
    anchor: Anchor,
    claim: Claim,
    fact: PaperFact | None,
    *,
    now: dt.datetime | None = None,
    offline: bool = False,
) -> AnchorResult:
    """The one status of `anchor` given what is known about its paper, most severe first."""
    if anchor.arxiv_id is None:
        return AnchorResult(
            anchor, AnchorStatus.MALFORMED, anchor.error or f"{anchor.raw!r} is not an arXiv id"
        )
    if fact is None:
        detail = (
            "not decided offline: never checked online, and not among the store's papers"
            if offline
            else "could not be checked: arXiv did not answer (see the problem reported)"
        )
        return AnchorResult(anchor, AnchorStatus.UNCHECKED, detail)
    source = _source(fact, now)
    latest = fact.latest_version
    if not fact.found:
        return _result(anchor, AnchorStatus.NOT_FOUND, "not found on arXiv" + source, fact)
    pinned = anchor.arxiv_id.version
    if pinned is not None and latest is not None and pinned > latest:
        return _result(
            anchor,
            AnchorStatus.NOT_FOUND,
            f"arXiv has no v{pinned} of {anchor.arxiv_id.base}: its latest version is v{latest}{source}",
            fact,
        )
    if fact.withdrawn:
        return _result(
            anchor,
            AnchorStatus.WITHDRAWN,
            f"withdrawn: arXiv's latest version, v{latest}{_on(fact.latest_date)}, is a withdrawal{source}",
            fact,
        )
    revised = _revision(anchor.arxiv_id, claim, fact)
    if anchor.title and fact.title:
        agreement = grade_title(anchor.title, fact.title, fact.abstract)
        if agreement.status is not AnchorStatus.OK:
            detail = agreement.describe(anchor.title, fact.title)
            if revised and agreement.status is AnchorStatus.TITLE_DIFFERS:
                detail += "; also " + revised
            return _result(anchor, agreement.status, detail + source, fact, agreement.agreeing)
    if revised:
        return _result(anchor, AnchorStatus.REVISED, revised + source, fact)
    if fact.origin != "arXiv" and fact.checked_at is not None:
        return _result(anchor, AnchorStatus.OK, _confirmed_elsewhere(fact) + source, fact)
    detail = f"found on arXiv: v{latest}{_on(fact.latest_date)}" if latest else "found on arXiv"
    if fact.withdrawn is None and (latest or 0) >= 2:
        detail += "; withdrawal " + (
            "unknown offline" if offline else "not confirmed (no OAI-PMH record yet)"
        )
    return _result(anchor, AnchorStatus.OK, detail + source, fact)


def _result(
    anchor: Anchor, status: AnchorStatus, detail: str, fact: PaperFact, agreeing: tuple[str, ...] = ()
) -> AnchorResult:
    return AnchorResult(
        anchor,
        status,
        detail,
        title=fact.title,
        latest_version=fact.latest_version,
        checked_at=fact.checked_at,
        agreeing_words=agreeing,
        confirmed_by=fact.origin,
    )


def _revision(arxiv_id: ArxivId, claim: Claim, fact: PaperFact) -> str | None:
    latest = fact.latest_version
    if latest is None:
        return None
    if arxiv_id.version is not None:
        if latest > arxiv_id.version:
            return f"arXiv has v{latest}{_on(fact.latest_date)}; the claim pins v{arxiv_id.version}"
        return None
    if latest >= 2 and fact.latest_date is not None and fact.latest_date > claim.date:
        return f"arXiv has v{latest} ({fact.latest_date}), newer than the claim's date {claim.date}"
    return None


def _on(day: dt.date | None) -> str:
    return f" ({day})" if day else ""


def _confirmed_elsewhere(fact: PaperFact) -> str:
    """An identity confirmed by a second service: what it matched on."""
    said = [f"arXiv:{fact.arxiv_id}"] + ([f"DOI {fact.doi}"] if fact.doi else [])
    if fact.authors:
        said.append(
            "first authors " + ", ".join(fact.authors[:3]) + (" et al." if len(fact.authors) > 3 else "")
        )
    return f"identity confirmed by {fact.origin} ({'; '.join(said)})"


def _source(fact: PaperFact, now: dt.datetime | None) -> str:
    """Where an answer came from, when not from arXiv just now."""
    if fact.checked_at is None:
        return f"; from {fact.origin}'s papers"
    if fact.origin != "arXiv":
        return (
            f"; confirmed by {fact.origin} because arXiv did not answer: its title, not arXiv's; "
            "versions and withdrawal not checked"
        )
    if now is not None and fact.checked_at >= now:
        return ""
    return f"; cached check of {fact.checked_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
