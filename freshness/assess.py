"""Judge every claim against the store: anchors, matches, velocity and triage decisions -> a Report.

The one function `freshness report`, `freshness run` and the benchmarks call; it reads the store and
never touches the network (anchor statuses come from the cache `check-anchors` fills, or are given).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from freshness.anchors import anchor_results_from_store
from freshness.history import Decisions, apply_decisions, effective_claim, load_decisions, shape_matches
from freshness.matching import match_claim, topic_velocity
from freshness.models import AnchorResult, Claim, Report, Verdict
from freshness.store import Store
from freshness.verdicts import judge

# The report lists at least the top 20 related papers of each claim; a few more survive dismissals.
MATCH_LIMIT = 30
# arXiv announces every weekday: a newest paper older than this means the store is not being polled.
STALE_STORE_DAYS = 7


def build_report(
    store: Store,
    claims: Sequence[Claim],
    *,
    now: dt.datetime,
    anchors: Mapping[str, tuple[AnchorResult, ...]] | None = None,
    decisions: Decisions | None = None,
    stale: bool = False,
    notes: Sequence[str] = (),
) -> Report:
    """A verdict for each claim, in the order given. `anchors` defaults to what the store knows."""
    today = now.date()
    summary = store.summary()
    if anchors is None:
        anchors = anchor_results_from_store(claims, store, now)
    if decisions is None:
        decisions = load_decisions(store)
    verdicts = tuple(
        assess_claim(
            store,
            claim,
            today=today,
            newest_paper=summary.newest_paper,
            anchors=anchors.get(claim.id, ()),
            decisions=decisions,
        )
        for claim in claims
    )
    all_notes = list(notes)
    if summary.newest_paper is not None and (today - summary.newest_paper).days > STALE_STORE_DAYS:
        all_notes.append(
            f"the store's newest paper is from {summary.newest_paper.isoformat()}, "
            f"{(today - summary.newest_paper).days} days ago: run `freshness poll` (or `freshness run`) "
            "to bring in what arXiv announced since"
        )
    return Report(generated_at=now, store=summary, verdicts=verdicts, stale=stale, notes=tuple(all_notes))


def assess_claim(
    store: Store,
    claim: Claim,
    *,
    today: dt.date,
    newest_paper: dt.date | None,
    anchors: Sequence[AnchorResult],
    decisions: Decisions,
) -> Verdict:
    """One claim's verdict: triage decisions applied (a review moves its clock; dismissed papers are
    gone; confirmed ones lead and count as superseding)."""
    mine = decisions.for_claim(claim.id)
    judged = effective_claim(claim, mine)
    matches = match_claim(store, judged, limit=MATCH_LIMIT + len(mine.dismissed))
    confirmed = store.get_papers(list(mine.confirmed)) if mine.confirmed else {}
    shaped = shape_matches(matches, mine, confirmed)[: max(MATCH_LIMIT, len(mine.confirmed))]
    # The window ends at the store's newest paper: a store last polled months ago must not read as
    # "no related papers lately".
    window_end = min(today, newest_paper) if newest_paper is not None else today
    velocity = topic_velocity(store, judged, today=window_end)
    verdict = judge(judged, shaped, anchors, today=today, newest_paper=newest_paper, velocity=velocity)
    return apply_decisions(verdict, claim, mine, today)
