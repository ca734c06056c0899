"""What every report format shares: status labels and counts, safe arXiv links, one-line cleaning,
matches grouped by stance and a stance in words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.coverage import covered_line
from freshness.models import (
    HIGH_CONFIDENCE,
    MEDIUM_CONFIDENCE,
    AnchorResult,
    AnchorStatus,
    ClaimStatus,
    Match,
    Report,
    Stance,
    Verdict,
    confidence_word,
    utc_iso,
)
from freshness.untrusted import one_line

# A five-digit new-style id as the store keeps them (YYMM.NNNNN from 1501 on, no version): parse_arxiv_id
# returns it unchanged, so abs_url can skip the parse for nearly every match of a report.
_CANONICAL_NEW_ID = re.compile(r"(?:1[5-9]|[2-9][0-9])(?:0[1-9]|1[0-2])\.(?!00000)[0-9]{5}")


# A command the tool itself suggests in a note or reason ("run `freshness poll`"): shown as code.
COMMAND = re.compile(
    r"`(freshness(?: [a-z0-9-]+)*|--[a-z][a-z0-9-]*)`"
)  # a command or an option the tool names


def status_label(status: ClaimStatus) -> str:
    """`possibly_superseded` -> `possibly superseded`."""
    return status.words


def anchor_label(status: AnchorStatus) -> str:
    """`title_mismatch` -> `title mismatch`."""
    return status.words


def count_by_status(report: Report) -> dict[ClaimStatus, int]:
    """How many claims have each status, every status present, most severe first."""
    counts = dict.fromkeys(ClaimStatus, 0)
    for verdict in report.verdicts:
        counts[verdict.status] += 1
    return counts


def abs_url(arxiv_id: str) -> str | None:
    """`https://arxiv.org/abs/<id>` for a well-formed id; None for anything else (never a link)."""
    if _CANONICAL_NEW_ID.fullmatch(arxiv_id):
        return f"https://arxiv.org/abs/{arxiv_id}"  # what parsing it would rebuild, without the parse
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except ArxivIdError:
        return None
    return parsed.abs_url  # rebuilt from the parsed parts, never the input text


def anchor_results(verdict: Verdict) -> tuple[AnchorResult, ...]:
    """The verdict's anchor results; when nobody checked them, each anchor as malformed or unchecked.

    Syntax needs no network, so a malformed anchor is reported as such even then.
    """
    if verdict.anchors or not verdict.claim.anchors:
        return verdict.anchors
    return tuple(
        AnchorResult(a, AnchorStatus.MALFORMED, a.error or "not an arXiv id")
        if a.arxiv_id is None
        else AnchorResult(a, AnchorStatus.UNCHECKED, "not checked")
        for a in verdict.claim.anchors
    )


def anchor_id(result: AnchorResult) -> str:
    """The normalised base id, or the raw text as written when it is malformed."""
    anchor = result.anchor
    return anchor.arxiv_id.base if anchor.arxiv_id is not None else anchor.raw


def anchor_display_id(result: AnchorResult) -> str:
    """The id as a reader wants it: normalised with the cited version, or the raw text when malformed."""
    anchor = result.anchor
    return str(anchor.arxiv_id) if anchor.arxiv_id is not None else anchor.raw


@dataclass(frozen=True)
class MatchGroups:
    """A claim's matches by what they say of it, each group best score first."""

    challenging: tuple[Match, ...]  # flagged superseding, or a challenge too weak to flag
    supporting: tuple[Match, ...]
    related: tuple[Match, ...]  # on the subject, no verdict on the claim: information only


def challenges(match: Match) -> bool:
    """A flag always counts as a challenge, also when it was recorded without a stance (older runs)."""
    return match.superseding or match.stance is Stance.CHALLENGES


def group_matches(matches: Sequence[Match]) -> MatchGroups:
    """`matches` split into challengers, supporters and related work; a stable sort by score in each."""
    by_score = sorted(matches, key=lambda m: -m.score)
    return MatchGroups(
        challenging=tuple(m for m in by_score if challenges(m)),
        supporting=tuple(m for m in by_score if not challenges(m) and m.stance is Stance.SUPPORTS),
        related=tuple(m for m in by_score if not challenges(m) and m.stance is not Stance.SUPPORTS),
    )


def top_match(matches: Sequence[Match]) -> Match:
    """The match a one-line summary names: the best challenge if any, else the best scored."""
    challenging = group_matches(matches).challenging
    return challenging[0] if challenging else max(matches, key=lambda m: m.score)


def stance_head(match: Match) -> str | None:
    """`challenges it (confidence 0.82, high)`, `supports it (...)`; None for related work.

    A flag recorded before matches had a stance says its confidence was not recorded.
    """
    if challenges(match):
        verb = "challenges it"
    elif match.stance is Stance.SUPPORTS:
        verb = "supports it"
    else:
        return None
    if match.stance is Stance.RELATED:
        return f"{verb} (confidence not recorded)"
    return f"{verb} (confidence {match.confidence:.2f}, {confidence_word(match.confidence)})"


def stance_tail(match: Match, escape: Callable[[str], str], *, ascii_only: bool = False) -> str:
    """`: “<sentence>” — argues with <target>` (`agrees with` for support), each untrusted part
    through the format's `escape`; "" when the match records neither. `ascii_only`: `"` and `--`
    (the terminal's frame is ASCII)."""
    if ascii_only:
        opening, closing, dash = '"', '"', "--"
    else:
        opening, closing, dash = (
            "\N{LEFT DOUBLE QUOTATION MARK}",
            "\N{RIGHT DOUBLE QUOTATION MARK}",
            "\N{EM DASH}",
        )
    tail = ""
    sentence = one_line(match.stance_sentence or "")
    if sentence:
        tail += f": {opening}{escape(sentence)}{closing}"
    target = one_line(match.stance_target or "")
    if target:
        verb = "argues with" if challenges(match) else "agrees with"
        tail += f" {dash} {verb} {escape(target)}"
    return tail


def utc(moment: dt.datetime) -> dt.datetime:
    """`moment` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def utc_z(moment: dt.datetime) -> str:
    """ISO 8601 in UTC to the second with a `Z`: 2026-11-26T23:00:00Z."""
    return utc_iso(utc(moment))


def utc_human(moment: dt.datetime) -> str:
    """2026-11-26 23:00 UTC."""
    return utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def store_line(report: Report) -> str:
    """One sentence on what the store covered when the report was made: the days arXiv listings
    were fetched for (not the span of whatever papers happen to be stored), then the paper count."""
    store = report.store
    if store.papers == 0 and not store.covered:
        return (
            "the store is empty, so every claim is unchecked: run `freshness run` to fetch arXiv "
            "(or `freshness import FILE` to load a metadata snapshot)"
        )
    papers = f"{store.papers:,} paper{'s' if store.papers != 1 else ''}"
    if store.covered is not None:
        return f"{covered_line(store.covered, store.covered_categories)}; {papers}"
    if store.newest_paper is None:
        return papers
    if store.oldest_paper is not None and store.oldest_paper != store.newest_paper:
        return f"{papers} first submitted {store.oldest_paper} to {store.newest_paper}"
    return f"{papers}, newest first submitted {store.newest_paper}"


def age_line(verdict: Verdict) -> str:
    """`481 days old, shelf life 180 days (301 over)`."""
    age, shelf = verdict.age_days, verdict.claim.shelf_life_days
    days = "day" if age == 1 else "days"
    text = f"{age} {days} old, shelf life {shelf} days"
    if age > shelf:
        text += f" ({age - shelf} over)"
    return text


CONFIDENCE_NOTE = (
    "confidence is how sure the tool is of a paper's stance: "
    f"high >= {HIGH_CONFIDENCE}, medium >= {MEDIUM_CONFIDENCE}, else low"
)

STALE_MESSAGE = (
    "the last poll of arXiv failed, so this report is built from what the store already had; "
    "newer papers may be missing."
)
