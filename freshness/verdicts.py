"""Pure verdicts: a claim + its matches + its anchors' status + today -> one status with reasons.

Statuses, most severe first: anchor_broken, possibly_superseded, perishable, unchecked, fresh. A claim
is unchecked when the store holds no paper first submitted after the claim's date: nothing could
have been found, so "fresh" would be a guess. Every status carries reasons a person can read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from freshness.models import AnchorResult, AnchorStatus, Claim, ClaimStatus, Match, Velocity, Verdict

# A topic this busy is "much newer related work" even before the claim's shelf life ends.
BUSY_RELATED_PAPERS = 10  # related papers in the velocity window ...
BUSY_PER_MONTH = 3.0  # ... arriving at least this fast
SHOWN_TITLES = 2  # superseding papers named in the reason

_ANCHOR_WORDS = {
    AnchorStatus.NOT_FOUND: "not found on arXiv",
    AnchorStatus.MALFORMED: "malformed id",
    AnchorStatus.WITHDRAWN: "withdrawn",
    AnchorStatus.TITLE_MISMATCH: "title does not match",
    AnchorStatus.REVISED: "revised since the claim",
    AnchorStatus.UNCHECKED: "not checked",
    AnchorStatus.OK: "ok",
}


def judge(
    claim: Claim,
    matches: Sequence[Match],
    anchors: Sequence[AnchorResult],
    *,
    today: dt.date,
    newest_paper: dt.date | None,
    velocity: Velocity | None = None,
) -> Verdict:
    """The claim's one status, the most severe that applies, with every reason found."""
    age = (today - claim.date).days
    covered = newest_paper is not None and newest_paper > claim.date
    broken = [a for a in anchors if a.status.broken]
    superseding = [m for m in matches if m.superseding] if covered else []
    too_old = age > claim.shelf_life_days
    busy = (
        velocity is not None
        and velocity.related >= BUSY_RELATED_PAPERS
        and velocity.per_month >= BUSY_PER_MONTH
    )

    reasons: list[str] = [_anchor_reason(a) for a in broken]
    if superseding:
        reasons.append(_superseding_reason(superseding))
    if too_old:
        reasons.append(f"{age} days old, shelf life {claim.shelf_life_days} days")
    if velocity is not None and covered:
        reasons.append(_velocity_reason(claim, velocity, today))
    if not covered:
        reasons.append(_unchecked_reason(claim, newest_paper))
    reasons.extend(_anchor_reason(a) for a in anchors if not a.status.broken and a.status != AnchorStatus.OK)

    if broken:
        status = ClaimStatus.ANCHOR_BROKEN
    elif superseding:
        status = ClaimStatus.POSSIBLY_SUPERSEDED
    elif too_old or (busy and covered):
        status = ClaimStatus.PERISHABLE
    elif not covered:
        status = ClaimStatus.UNCHECKED
    else:
        status = ClaimStatus.FRESH
        related = len(matches)
        reasons.insert(
            0,
            f"no newer paper challenges it ({related} related newer paper{'s' if related != 1 else ''}); "
            f"{age} days old, shelf life {claim.shelf_life_days} days",
        )
    return Verdict(
        claim=claim,
        status=status,
        reasons=tuple(reasons),
        age_days=age,
        anchors=tuple(anchors),
        matches=tuple(matches),
    )


def _anchor_label(result: AnchorResult) -> str:
    anchor = result.anchor
    return str(anchor.arxiv_id) if anchor.arxiv_id is not None else anchor.raw


def _anchor_reason(result: AnchorResult) -> str:
    words = _ANCHOR_WORDS[result.status]
    detail = f" ({result.detail})" if result.detail else ""
    return f"anchor {_anchor_label(result)}: {words}{detail}"


def _superseding_reason(superseding: Sequence[Match]) -> str:
    n = len(superseding)
    named = "; ".join(f'{m.arxiv_id} "{m.title}" (score {m.score:.0f})' for m in superseding[:SHOWN_TITLES])
    more = f"; and {n - SHOWN_TITLES} more" if n > SHOWN_TITLES else ""
    return f"{n} newer paper{'s' if n != 1 else ''} may supersede it: {named}{more}"


def _velocity_reason(claim: Claim, velocity: Velocity, today: dt.date) -> str:
    months = max(1, round(velocity.days / 30.44))
    span = f"{months} month{'s' if months != 1 else ''}"
    when = f"in the {span} since this claim" if velocity.since <= claim.date else f"in the last {span}"
    if velocity.until < today:  # the store ends before today: say which months were counted
        when += f" of the store (to {velocity.until.isoformat()}, its newest papers)"
    papers = f"{velocity.related} related paper{'s' if velocity.related != 1 else ''}"
    challenge = (
        f"{velocity.challenging} challenge{'s' if velocity.challenging == 1 else ''} it"
        if velocity.challenging
        else "none challenges it"
    )
    return f"{papers} {when} ({velocity.per_month:.1f} a month); {challenge}"


def _unchecked_reason(claim: Claim, newest_paper: dt.date | None) -> str:
    if newest_paper is None:
        return "the store has no papers yet: import or poll arXiv before judging this claim"
    return (
        f"the store has no papers after {claim.date.isoformat()} (newest {newest_paper.isoformat()}): "
        "import or poll newer papers before judging this claim"
    )
