"""`freshness history CLAIM` for people: the runs where the claim changed, the decisions taken on it,
and the papers it learns from now (with how to take one back). Plain lines; titles and reasons are
untrusted text, made one plain line each."""

from __future__ import annotations

from freshness.decisions import fold
from freshness.history import ClaimHistory, HistoryEntry
from freshness.models import DecisionKind
from freshness.untrusted import one_line_cut

TITLE_LIMIT = 100  # characters of a title or reason on a history line
SHOWN_RELATED = 5  # new related papers named per run


def history_lines(history: ClaimHistory, claim_id: str, *, show_all: bool = False) -> list[str]:
    """The runs where the claim's status or evidence changed (every run with `show_all`), then the
    decisions, then what the claim learns from."""
    lines = _run_lines(history, claim_id, show_all=show_all)
    decisions = history.decisions
    if decisions:
        lines.append("Decisions:")
        for d in decisions:
            what = d.kind.words + (f" {d.arxiv_id}" if d.arxiv_id else "")
            if d.kind is DecisionKind.SNOOZE:
                what += f" until {d.until}"
            elif d.kind is DecisionKind.REVIEWED:
                what += f" on {d.until}"
            reason = f"  ({_cut(d.reason)})" if d.reason else ""
            lines.append(f"{d.created_at.date()}  {what}{reason}")
        examples = fold(decisions).examples
        if examples:
            lines.append(
                f"Learns from ({len(examples)}; `freshness undo {claim_id} ARXIV_ID` takes one back):"
            )
            lines.extend(f"    {e.arxiv_id}  {e.said}" for e in examples)
    return lines


def _run_lines(history: ClaimHistory, claim_id: str, *, show_all: bool) -> list[str]:
    entries = history.entries
    if not entries:
        return [f"{claim_id}: no run has judged it yet (run `freshness run`)"]
    first, last = entries[0].run.day, entries[-1].run.day
    lines = [f"{claim_id}: {len(entries)} run{'s' if len(entries) != 1 else ''}, {first} to {last}"]
    if not show_all:
        lines[0] += " (runs without changes are left out; --all shows them)"
    for i, entry in enumerate(entries):
        latest = i == len(entries) - 1
        if entry.change is None and not latest and not show_all:
            continue
        lines.extend(_entry_lines(entry, latest))
    return lines


def _entry_lines(entry: HistoryEntry, latest: bool) -> list[str]:
    status = entry.status.words
    head = f"{entry.run.day}  {status}"
    change = entry.change
    if change is not None and change.before is None:
        head += "  (first run)"
    elif change is not None and change.status_changed and change.before is not None:
        head = f"{entry.run.day}  {change.before.words} -> {status}"
    if latest:
        head += "  (latest)"
    if entry.run.stale:
        head += "  [stale: the poll failed that night]"
    lines = [head]
    if change is not None and change.before is not None:
        lines.extend(f"    + superseding: {m.arxiv_id}  {_cut(m.title)}" for m in change.new_superseding)
        lines.extend(
            f"    + related:     {m.arxiv_id}  {_cut(m.title)}" for m in change.new_matches[:SHOWN_RELATED]
        )
        if len(change.new_matches) > SHOWN_RELATED:
            lines.append(f"    + {len(change.new_matches) - SHOWN_RELATED} more related papers")
    return lines


def _cut(text: str) -> str:
    """Untrusted text on one line, cut to TITLE_LIMIT characters."""
    return one_line_cut(text, TITLE_LIMIT)
