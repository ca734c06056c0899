"""Pure verdicts: a claim + its matches + its anchors' status + today -> one status with reasons.

Statuses, most severe first: anchor_broken, possibly_superseded, perishable, unchecked, fresh. A claim
is unchecked when the store holds no paper first submitted after the claim's date, or did not fetch
every day since for the claim's categories (a coverage gap): nothing could have been found there, so
"fresh" would be a guess. Every status carries reasons a person can read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from freshness.coverage import describe_gaps
from freshness.models import (
    AnchorResult,
    AnchorStatus,
    Claim,
    ClaimStatus,
    CoverageGap,
    Match,
    Stance,
    Velocity,
    Verdict,
)

# A topic this busy is "much newer related work" even before the claim's shelf life ends.
BUSY_RELATED_PAPERS = 10  # related papers in the velocity window ...
BUSY_PER_MONTH = 3.0  # ... arriving at least this fast
# The strongest challenger's title and sentence are cut to about this many characters in the reason;
# the report's list of matches quotes them whole.
TITLE_CHARS = 60
SENTENCE_CHARS = 160

_ANCHOR_WORDS = {
    AnchorStatus.NOT_FOUND: "not found on arXiv",
    AnchorStatus.MALFORMED: "malformed id",
    AnchorStatus.WITHDRAWN: "withdrawn",
    AnchorStatus.TITLE_MISMATCH: "title does not match",
    AnchorStatus.TITLE_DIFFERS: "cited with a different title",
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
    gaps: Sequence[CoverageGap] | None = None,
    covers_nothing: bool = False,
) -> Verdict:
    """The claim's one status, the most severe that applies, with every reason found.

    `gaps`: the days since the claim the store never fetched for its categories (None: coverage not
    known, judged on the papers alone). A claim with a gap is never `fresh`: nothing found in part of
    its period is no evidence. `covers_nothing`: the store has no coverage at all."""
    age = (today - claim.date).days
    has_newer = newest_paper is not None and newest_paper > claim.date
    covered = has_newer and not covers_nothing
    broken = [a for a in anchors if a.status.broken]
    # A challenger the store holds counts even outside its covered days: it is a finding.
    superseding = [m for m in matches if m.superseding] if has_newer else []
    too_old = age > claim.shelf_life_days
    busy = (
        velocity is not None
        and velocity.related >= BUSY_RELATED_PAPERS
        and velocity.per_month >= BUSY_PER_MONTH
    )
    status = _status(
        broken=bool(broken),
        superseding=bool(superseding),
        perishable=too_old or (busy and covered),
        checked=covered and not gaps,
    )

    reasons: list[str] = [_anchor_reason(a) for a in broken]
    if superseding:
        reasons.append(_superseding_reason(superseding))
    elif covered:  # whatever the status, say plainly that nothing newer challenges the claim
        # A fresh claim has no other reason: say how old it is too.
        aged = _age_reason(claim, age) if status is ClaimStatus.FRESH else None
        reasons.append(_unchallenged_reason(matches, covered_days_only=bool(gaps), age=aged))
    if too_old:
        reasons.append(_age_reason(claim, age))
    if velocity is not None and covered:
        reasons.append(_velocity_reason(claim, velocity, today))
    if covers_nothing or gaps:
        reasons.append(describe_gaps(gaps or (), store_covers_nothing=covers_nothing))
    elif not covered:
        reasons.append(_unchecked_reason(claim, newest_paper))
    reasons.extend(_anchor_reason(a) for a in anchors if not a.status.broken and a.status != AnchorStatus.OK)
    return Verdict(
        claim=claim,
        status=status,
        reasons=tuple(reasons),
        age_days=age,
        anchors=tuple(anchors),
        matches=tuple(matches),
        coverage_gaps=tuple(gaps or ()),
    )


def _status(*, broken: bool, superseding: bool, perishable: bool, checked: bool) -> ClaimStatus:
    """The most severe status that applies; `checked`: the store covers every day since the claim."""
    if broken:
        return ClaimStatus.ANCHOR_BROKEN
    if superseding:
        return ClaimStatus.POSSIBLY_SUPERSEDED
    if perishable:
        return ClaimStatus.PERISHABLE
    if not checked:
        return ClaimStatus.UNCHECKED
    return ClaimStatus.FRESH


def _age_reason(claim: Claim, age: int) -> str:
    return f"{age} days old, shelf life {claim.shelf_life_days} days"


def _anchor_label(result: AnchorResult) -> str:
    anchor = result.anchor
    return str(anchor.arxiv_id) if anchor.arxiv_id is not None else anchor.raw


def _anchor_reason(result: AnchorResult) -> str:
    words = _ANCHOR_WORDS[result.status]
    detail = f" ({result.detail})" if result.detail else ""
    return f"anchor {_anchor_label(result)}: {words}{detail}"


def _superseding_reason(superseding: Sequence[Match]) -> str:
    """How many newer papers challenge the claim, and the strongest of them in its own words:
    the most confident (then best scored) challenge."""
    n = len(superseding)
    strongest = max(superseding, key=lambda m: (m.stance is Stance.CHALLENGES, m.confidence, m.score))
    if strongest.stance is Stance.CHALLENGES:
        how = f"confidence {strongest.confidence:.2f}"
    else:  # a flag recorded before matches had a stance
        how = f"score {strongest.score:.0f}"
    named = f"{strongest.arxiv_id} {_quoted(strongest.title, TITLE_CHARS)} ({how})"
    if strongest.stance_sentence and strongest.stance is Stance.CHALLENGES:
        named += f": {_quoted(strongest.stance_sentence, SENTENCE_CHARS)}"
    if n == 1:
        return f"1 newer paper challenges it: {named}"
    return f"{n} newer papers challenge it; strongest: {named}"


def _unchallenged_reason(
    matches: Sequence[Match], *, covered_days_only: bool = False, age: str | None = None
) -> str:
    """`no newer paper challenges it (3 related newer papers: 1 supports it)`: related work is
    information, not alarm. `covered_days_only`: the store has gaps, only its covered days were
    searched; `age`: the claim's age, added when it is the verdict's only reason."""
    related = len(matches)
    supporting = sum(1 for m in matches if m.stance is Stance.SUPPORTS)
    weak = sum(1 for m in matches if m.stance is Stance.CHALLENGES)  # none is flagged here
    details = []
    if supporting:
        details.append(f"{supporting} support{'s' if supporting == 1 else ''} it")
    if weak:
        details.append(f"{weak} lean{'s' if weak == 1 else ''} against it, too weakly to flag")
    counted = f"{related} related newer paper{'s' if related != 1 else ''}"
    if details:
        counted += ": " + ", ".join(details)
    where = " in the covered days" if covered_days_only else ""
    return f"no newer paper{where} challenges it ({counted})" + (f"; {age}" if age else "")


def _quoted(text: str, limit: int) -> str:
    """Untrusted text on one line in double quotes, cut after a whole word to about `limit` characters.

    ASCII quotes and dots, like the rest of a reason: the terminal report (cron mail, logs) is ASCII
    but for the data. The reason is plain text: each report format escapes it like any other reason.
    """
    words = " ".join(text.split())
    if len(words) > limit:
        words = words[: limit - 3].rsplit(" ", 1)[0].rstrip(" ,;:.") + "..."
    return f'"{words}"'


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
