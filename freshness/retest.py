"""The re-test prompt of one claim: plain text to paste into (or pipe to) any LLM, in the style of the
research notes' own "Research prompt": the claim as dated, its anchors' arXiv status, what freshness
found since, and the task. freshness never calls an LLM itself.

Untrusted text (titles, abstract sentences) is flattened to one line each and stripped of controls;
it is quoted as evidence, never as an instruction.
"""

from __future__ import annotations

from freshness.models import AnchorStatus, ClaimStatus, Stance, Verdict, confidence_word
from freshness.untrusted import one_line

MAX_CHALLENGERS = 5
MAX_SUPPORTERS = 3
FLAGGED = frozenset({ClaimStatus.ANCHOR_BROKEN, ClaimStatus.POSSIBLY_SUPERSEDED, ClaimStatus.PERISHABLE})

_ANCHOR_WORDS = {
    AnchorStatus.OK: "resolves; unchanged since the claim",
    AnchorStatus.REVISED: "REVISED since the claim: re-read the latest version",
    AnchorStatus.TITLE_DIFFERS: "cited with a different title than arXiv's",
    AnchorStatus.TITLE_MISMATCH: "the id points at ANOTHER paper than the one cited",
    AnchorStatus.WITHDRAWN: "WITHDRAWN by its authors",
    AnchorStatus.NOT_FOUND: "NOT FOUND on arXiv",
    AnchorStatus.MALFORMED: "not a valid arXiv id",
    AnchorStatus.UNCHECKED: "not checked yet",
}


def is_flagged(verdict: Verdict) -> bool:
    """A claim the report asks to re-test: a broken anchor, a challenger, or past its shelf life."""
    return verdict.status in FLAGGED


def retest_prompt(verdict: Verdict) -> str:
    """The prompt for `verdict`'s claim, ending in a newline."""
    claim = verdict.claim
    lines = [
        "You are a research analyst re-testing a dated claim about "
        f"{', '.join(one_line(t) for t in claim.topics[:3])}. Treat the claim below as dated: it may have "
        "been relaxed, narrowed or overturned since.",
        "",
        f"The claim (as of {claim.date}, {verdict.age_days} days ago; status: {verdict.status.words}):",
        f"• {one_line(claim.text)}",
        "",
    ]
    if verdict.anchors:
        lines.append("Anchor papers (verify; mind their dates):")
        for result in verdict.anchors:
            anchor = result.anchor
            ident = f"arXiv:{anchor.arxiv_id}" if anchor.arxiv_id is not None else one_line(anchor.raw)
            title = one_line(result.title or anchor.title or "")
            line = f"• {ident}" + (f" — {title}" if title else "")
            line += f" — {_ANCHOR_WORDS[result.status]}"
            if result.latest_version is not None:
                line += f" (latest v{result.latest_version})"
            if result.status is AnchorStatus.TITLE_DIFFERS and anchor.title:
                line += f"; the claim cites it as '{one_line(anchor.title)}'"
            lines.append(line)
        lines.append("")
    lines += _evidence(verdict)
    lines += [
        "Your task:",
        "(1) RE-TEST THE CLAIM against the evidence above and any newer work you know of. Has newer "
        "work relaxed, narrowed or overturned it? Separate what still holds (durable) from what was "
        "overturned or depended on a specific setup (perishable). Cite what resolved it.",
        "(2) Read each challenging paper: does it really contradict the claim, or only a different "
        "setting? Say which, quoting it.",
        "(3) Surface the strongest CONTRADICTING or SUPERSEDING work, including any the list above missed.",
        "",
        "Cite arXiv IDs; flag anything you cannot ground in a real paper.",
    ]
    return "\n".join(lines) + "\n"


def _evidence(verdict: Verdict) -> list[str]:
    matches = verdict.matches
    challengers = [m for m in matches if m.stance is Stance.CHALLENGES or m.superseding]
    challengers.sort(key=lambda m: (not m.superseding, -m.confidence, -m.score))
    supporters = [m for m in matches if m.stance is Stance.SUPPORTS and m not in challengers]
    related = len(matches) - len(challengers) - len(supporters)
    lines = [
        f"What freshness found since {verdict.claim.date} (newer arXiv papers, matched by topic; "
        "stances are read from abstracts by a heuristic, so verify them):"
    ]
    if challengers:
        lines.append(f"Papers that may challenge it ({len(challengers)}, strongest first):")
        for m in challengers[:MAX_CHALLENGERS]:
            flag = "FLAGGED as superseding; " if m.superseding else ""
            lines.append(
                f"• arXiv:{m.arxiv_id} ({m.published}) — {one_line(m.title)} "
                f"[{flag}confidence {m.confidence:.2f}, {confidence_word(m.confidence)}]"
            )
            if m.stance_sentence:
                lines.append(f'  It says: "{one_line(m.stance_sentence)}"')
    else:
        lines.append("• No newer paper challenges it in the store.")
    if supporters:
        lines.append(f"Papers that support or extend it ({len(supporters)}):")
        for m in supporters[:MAX_SUPPORTERS]:
            lines.append(f"• arXiv:{m.arxiv_id} ({m.published}) — {one_line(m.title)}")
    lines.append(f"Other related newer papers: {related}.")
    pace = next((r for r in verdict.reasons if "a month)" in r), None)
    if pace:
        lines.append(f"The topic's pace: {one_line(pace)}.")
    lines.append("")
    return lines
