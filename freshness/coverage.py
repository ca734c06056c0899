"""Pure coverage arithmetic: which days of which categories the store actually fetched, and what is
missing between a claim's date and today.

A span is recorded by whatever brought a listing in: a bulk snapshot covers the days its records span
for the categories it holds; an OAI-PMH harvest covers its window for its categories once its last
page is stored; an RSS feed covers its announcement day (and the submission days it announces). A
search or an id lookup (the API) covers nothing: it is not a listing. A claim is judged only on the
period the store covered for its categories; the rest is named as a gap, never taken as "no papers".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from freshness.models import CoverageGap

ONE_DAY = dt.timedelta(days=1)
# Spans this many days apart still join: weekends and arXiv holidays have no announcements, and a
# nightly RSS poll covers announcement days, not every calendar day.
JOIN_DAYS = 4
# The last days before today are not a gap: the newest announcement is at most a day old on a store
# polled every night, and a store polled weeks ago gets the report's "stale store" note instead.
GRACE_DAYS = 7

Span = tuple[dt.date, dt.date]


def archive_of(category: str) -> str:
    """`cs.CL` -> `cs`: an OAI-PMH harvest may record coverage for a whole archive."""
    return category.split(".", 1)[0]


def merge(spans: Iterable[Span], join_days: int = JOIN_DAYS) -> list[Span]:
    """Spans sorted and joined where they overlap or are at most `join_days` apart."""
    out: list[Span] = []
    for first, last in sorted(spans):
        if out and first <= out[-1][1] + dt.timedelta(days=join_days + 1):
            if last > out[-1][1]:
                out[-1] = (out[-1][0], last)
        else:
            out.append((first, last))
    return out


def intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """The days both merged span lists cover."""
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        first, last = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if first <= last:
            out.append((first, last))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def spans_for(covered: Mapping[str, Sequence[Span]], category: str) -> list[Span]:
    """What covers `category`: its own spans and those of its archive harvested whole (`cs`)."""
    return merge([*covered.get(category, ()), *covered.get(archive_of(category), ())])


def covered_for(covered: Mapping[str, Sequence[Span]], categories: Sequence[str]) -> list[Span]:
    """The days covered for every one of `categories` (for none given: for any category)."""
    if not categories:
        return merge(s for spans in covered.values() for s in spans)
    result: list[Span] | None = None
    for category in categories:
        own = spans_for(covered, category)
        result = own if result is None else intersect(result, own)
    return result or []


def missing(spans: Sequence[Span], first: dt.date, last: dt.date) -> list[Span]:
    """The parts of first..last (inclusive) that merged `spans` leave out, each at least a day."""
    out: list[Span] = []
    day = first
    for a, b in spans:
        if b < day:
            continue
        if a > last:
            break
        if a > day:
            out.append((day, min(a - ONE_DAY, last)))
        day = max(day, b + ONE_DAY)
        if day > last:
            break
    if day <= last:
        out.append((day, last))
    return [s for s in out if s[0] <= s[1]]


def claim_gaps(
    covered: Mapping[str, Sequence[Span]],
    categories: Sequence[str],
    since: dt.date,
    today: dt.date,
    *,
    grace_days: int = GRACE_DAYS,
    join_days: int = JOIN_DAYS,
) -> tuple[CoverageGap, ...]:
    """The spans after `since` (a claim's date) up to `today` less the grace days that no listing of
    each of `categories` covered; categories missing the same span are named together."""
    first, last = since + ONE_DAY, today - dt.timedelta(days=grace_days)
    if first > last:
        return ()
    by_span: dict[Span, list[str]] = {}
    for category in categories or ("",):
        own = (
            merge((s for spans in covered.values() for s in spans), join_days)
            if not category
            else merge([*covered.get(category, ()), *covered.get(archive_of(category), ())], join_days)
        )
        for span in missing(own, first, last):
            by_span.setdefault(span, []).append(category)
    return tuple(
        CoverageGap(a, b, tuple(sorted(c for c in cats if c))) for (a, b), cats in sorted(by_span.items())
    )


def fill_command(gaps: Sequence[CoverageGap]) -> str:
    """The one command that fills every gap: an OAI-PMH harvest from the first missing day."""
    first = min(g.first for g in gaps)
    return f"freshness poll --source oai --since {first.isoformat()}"


def describe_gaps(gaps: Sequence[CoverageGap], *, store_covers_nothing: bool) -> str:
    """One reason line naming the missing span(s) and the command that fills them."""
    if store_covers_nothing:
        return (
            "the store covers no arXiv listing yet, so nothing could have been found: run "
            "`freshness run` (or `freshness import FILE` for a metadata snapshot) before judging it"
        )
    shown = "; ".join(g.describe() for g in gaps[:3])
    if len(gaps) > 3:
        shown += f"; and {len(gaps) - 3} more"
    days = sum(g.days for g in gaps)
    return (
        f"not covered: the store never fetched {shown} ({days} day{'s' if days != 1 else ''}), so a "
        f"newer paper there would not be seen; run `{fill_command(gaps)}` to fill it"
    )


def rss_covered_days(announced: dt.date) -> Span:
    """The submission days one announcement covers: Monday's announces Friday to Sunday's
    submissions, any other day's the previous day's (arXiv's 14:00 Eastern cut-off)."""
    back = 3 if announced.weekday() == 0 else 1
    return (announced - dt.timedelta(days=back), announced)


def uncovered_note(gaps_by_claim: Mapping[str, Sequence[CoverageGap]]) -> str | None:
    """One line naming the claims judged on a partly covered period and the command that fills it;
    None when every claim is covered."""
    uncovered = {cid: gaps for cid, gaps in gaps_by_claim.items() if gaps}
    if not uncovered:
        return None
    ids = sorted(uncovered)
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    every = [g for gaps in uncovered.values() for g in gaps]
    n = len(ids)
    return (
        f"{n} claim{'s are' if n != 1 else ' is'} not covered since {'their' if n != 1 else 'its'} date "
        f"({shown}): the store never fetched {min(g.first for g in every)} to "
        f"{max(g.last for g in every)} for some of their categories; run `{fill_command(every)}` "
        "(one OAI-PMH request per 2,500 papers, 3 s apart; `--dry-run` shows the plan)"
    )


def covered_line(covered: Sequence[Span], categories: Sequence[str]) -> str:
    """`covers 2024-01-01 to 2026-07-01 for cs.AI, cs.CL, cs.LG`: what the report header states."""
    cats = ", ".join(categories) if categories else "any category"
    if not covered:
        return f"no arXiv listing covered yet for {cats}"
    shown = ", ".join(f"{a} to {b}" for a, b in covered[-3:])
    if len(covered) > 3:
        shown = f"{len(covered) - 3} earlier spans, " + shown
    return f"arXiv listings covered {shown} for {cats}"
