"""A poll's account in words: its result (or its dry-run plan) as a headline, per-source lines and a
tip. `freshness poll` prints it; the nightly cycle keeps the headline in the run's record and the
report's notes, so it belongs to the core, not to the views. arXiv's own words (its error messages)
may be in them: the caller strips control characters before printing (freshness.untrusted)."""

from __future__ import annotations

from dataclasses import dataclass

from freshness.poll import PollOutcome, PollResult, SourceReport
from freshness.sources.base import SourceKind
from freshness.sources.oai_pmh import RECORDS_PER_PAGE


@dataclass(frozen=True)
class PollSummary:
    headline: str
    lines: tuple[str, ...]
    tip: str | None = None


def describe(result: PollResult) -> PollSummary:
    """Plain-text sentences for a result; the three outcomes are worded differently on purpose."""
    lines: list[str] = []
    if result.reason:
        lines.append(f"plan: {result.reason}")
    lines.extend(f"note: {n}" for n in result.notes)
    if result.dry_run:
        for req in result.planned:
            lines.append(f"GET {req.url}")
            if req.note:
                lines.append(f"    {req.note}")
        n = len(result.planned)
        headline = (
            f"dry run: {n} request{'s' if n != 1 else ''} planned, at least {result.estimated_seconds:.0f} s "
            f"at {result.seconds_per_request:g} s a request"
        )
        if any(req.source.startswith("oai:") for req in result.planned):
            headline += f" (plus one per further {RECORDS_PER_PAGE:,} records an OAI-PMH harvest finds)"
        if result.uncovered:
            lines.append(f"note: before this poll, {result.uncovered}")
        return PollSummary(headline + "; nothing was requested or changed", tuple(lines))
    for s in result.sources:
        lines.append(_source_line(s))
    for key in result.not_attempted:
        lines.append(f"{key}: not attempted (an earlier source failed)")
    lines.append(f"{result.requests} request{'s' if result.requests != 1 else ''} made")
    if result.uncovered:
        lines.append(f"note: {result.uncovered}")
    failure = result.failure
    if result.outcome is PollOutcome.FAILED and failure is not None:
        return PollSummary(f"could not poll: {failure.error}", tuple(lines), failure.tip)
    if result.outcome is PollOutcome.GOT_PAPERS:
        n = result.papers
        headline = f"got {n} paper{'s' if n != 1 else ''} ({result.added} added, {result.updated} updated"
        headline += f", {result.unchanged} already stored)" if result.unchanged else ")"
        return PollSummary(headline, tuple(lines))
    why = next((s.detail for s in result.sources if s.detail), "nothing to fetch")
    return PollSummary(f"arXiv had nothing new: {why}", tuple(lines))


def _source_line(s: SourceReport) -> str:
    if s.outcome is PollOutcome.FAILED:
        what = f"FAILED: {s.error}"
        if s.papers:
            what += f" (after storing {s.papers} papers: {s.added} added, {s.updated} updated)"
    elif s.papers:
        what = f"{s.papers} papers: {s.added} added, {s.updated} updated, {s.unchanged} unchanged"
    else:
        what = "nothing new"
    extra = []
    if s.detail and s.outcome is not PollOutcome.FAILED:
        extra.append(s.detail)
    if s.rejected:
        extra.append(f"{s.rejected} unreadable record(s) skipped")
    if s.skipped:
        extra.append(f"{s.skipped} outside the watched categories")
    if s.kind is not SourceKind.API:
        extra.append(f"watermark {s.watermark_before or 'none'} -> {s.watermark_after or 'none'}")
    if s.resume_token:
        extra.append("harvest unfinished: the next poll resumes at the stored resumptionToken")
    extra.append(f"{s.requests} request{'s' if s.requests != 1 else ''}")
    return f"{s.source}: {what} ({'; '.join(extra)})"
