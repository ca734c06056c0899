"""`freshness run` for people: the short plain-text summary of one nightly cycle, which `run` prints
and `schedule` logs. Titles are untrusted text: each is made one plain line (freshness.untrusted)."""

from __future__ import annotations

from collections import Counter

from freshness.coverage import uncovered_note
from freshness.history import SHOWN_CANDIDATES, ClaimChange, shown_changes
from freshness.nightly import CycleResult, RunOutcome
from freshness.untrusted import one_line_cut

TITLE_LIMIT = 90  # characters of a title on a summary line


def summary_lines(result: CycleResult) -> list[str]:
    """The summary: the poll, the verdicts' tally, coverage holes, what changed, who needs attention
    and the files written."""
    lines = [f"freshness run {result.day}: {result.poll}"]
    if result.outcome is RunOutcome.FAILED:
        lines.append("the report is STALE: judged on the papers already stored")
    lines.extend(f"warning: anchors not re-checked: {p}" for p in result.anchor_problems)
    lines.append(f"{len(result.report.verdicts)} claims: {_tally(result) or 'none'}")
    # Every run, not only the first: a hole in the store's coverage is named with the command that
    # fills it until it is filled (the first poll backfills only BACKFILL_MAX_DAYS; docs/polling.md).
    gaps = {v.claim.id: v.coverage_gaps for v in result.report.verdicts}
    if (uncovered := uncovered_note(gaps)) is not None:
        lines.append(f"note: {uncovered}")
    lines.extend(_change_lines(result))
    if result.attention:
        lines.append("Needs attention: " + ", ".join(result.attention))
    if result.snoozed:
        lines.append("Snoozed (not counted): " + ", ".join(result.snoozed))
    lines.append("Reports: " + ", ".join(str(p) for p in result.files))
    return lines


def _tally(result: CycleResult) -> str:
    """ "2 fresh, 1 possibly superseded": the claims per status, most severe first."""
    counts = Counter(v.status for v in result.report.verdicts)
    return ", ".join(f"{counts[s]} {s.words}" for s in sorted(counts, key=lambda s: s.severity))


def _change_lines(result: CycleResult) -> list[str]:
    """What changed since the baseline run, a claim a line with its new superseding candidates."""
    shown = shown_changes(result.changes, result.baseline)
    if result.baseline is None:
        lines = ["First run: no earlier run to compare with." + (" Flagged:" if shown else "")]
    elif not result.changes:
        lines = [f"No changes since the run of {result.baseline}."]
    else:
        lines = [f"Changes since the run of {result.baseline}:"]
    titles = {m.arxiv_id: m.title for v in result.report.verdicts for m in v.matches}
    for change in shown:
        lines.append(_change_head(change))
        if change.after is None:
            continue
        for m in change.new_superseding[:SHOWN_CANDIDATES]:
            title = one_line_cut(titles.get(m.arxiv_id, m.title), TITLE_LIMIT)
            lines.append(f"    new superseding candidate: {m.arxiv_id}  {title}")
        if len(change.new_superseding) > SHOWN_CANDIDATES:
            more = len(change.new_superseding) - SHOWN_CANDIDATES
            lines.append(f"    ... and {more} more (see the report)")
    return lines


def _change_head(change: ClaimChange) -> str:
    """ "  claim-id: fresh -> possibly superseded (+2 related papers)"."""
    if change.after is None:
        return f"  {change.claim_id}: no longer in the claims file"
    head = f"  {change.claim_id}: "
    if change.before is None:
        head += f"{change.after.words} (first judged)"
    elif change.status_changed:
        head += f"{change.before.words} -> {change.after.words}"
    else:
        head += f"still {change.after.words}"
    if change.new_matches and change.before is not None:
        n = len(change.new_matches)
        head += f" (+{n} related paper{'s' if n != 1 else ''})"
    return head
