"""An evaluation for people: per-claim tables (as shipped, then leave-one-claim-out), the headline,
the goals and the flags to look at, readable at 80 columns. Untrusted text goes through output.safe."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Literal

from rich import box
from rich.console import Console
from rich.table import Table

from freshness.eval_figures import GOALS, ON_TOPIC_AT, ClaimFlags, FlagSummary, Summary
from freshness.evaluation import Evaluation
from freshness.flagging import FlagRule
from freshness.output import safe


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _frac(num: int, den: int) -> str:
    return f"{num}/{den}" if den else "-"


def _rule_text(rule: FlagRule | None) -> str:
    return "-" if rule is None else f"{rule.min_confidence:g}/{rule.max_rank}/{rule.min_score:g}"


def _set_name(name: str) -> str:
    return name if name == "all" else Path(name).stem


def render_terminal(ev: Evaluation, console: Console) -> None:
    """Print per-claim tables (as shipped, then leave-one-claim-out), the headline per labels file and
    overall, the goals, then the flags to look at: unknown, wrong, unverified (readable at 80 columns)."""
    shipped = Table(
        title=f"As shipped: the matcher's flags (k={ev.k}, {ev.papers_in_store:,} papers in the store)",
        caption="found: labeled supersedes flagged; prec: flagged supersedes / flagged labeled or negative; "
        f"unk: flagged, no label; on@10: labeled share of the judged top {ON_TOPIC_AT}",
    )
    for name in (
        "claim",
        "papers",
        f"R@{ev.k}",
        f"on@{ON_TOPIC_AT}",
        "found",
        "prec",
        "flags",
        "unk",
        "wrong",
    ):
        shipped.add_column(name, justify="left" if name == "claim" else "right", no_wrap=name == "claim")
    cv = Table(
        title="Leave-one-claim-out flags",
        caption="rule: min confidence/max rank/min score, fitted on the other claims",
    )
    for name in ("claim", "found", "prec", "flags", "unk", "wrong", "rule"):
        cv.add_column(name, justify="left" if name == "claim" else "right", no_wrap=name == "claim")
    for c in ev.claims:
        shipped.add_row(
            safe(c.key),
            str(c.labeled),
            _pct(c.recall_at_k),
            _frac(c.on_topic, c.judged_top),
            *_flag_cells(c.shipped),
        )
        cv.add_row(safe(c.key), *_flag_cells(c.cv), _rule_text(c.cv.rule))
    o = ev.overall
    shipped.add_section()
    shipped.add_row(
        "all", str(o.labeled), _pct(o.recall_at_k), _pct(o.on_topic_at_10), *_pooled_cells(o.shipped)
    )
    cv.add_section()
    cv.add_row("all", *_pooled_cells(o.cv), "")
    console.print(shipped)
    console.print(cv)
    rules = Counter(_rule_text(c.cv.rule) for c in ev.claims)
    console.print(
        "rules fitted, one per held-out claim: " + ", ".join(f"{r} x{n}" for r, n in rules.most_common())
    )
    if ev.citations is not None:
        console.print(safe(ev.citations.line()))
    _render_headline(ev, console)
    _render_goals(o, console)
    _render_flag_lists(ev, console)
    if ev.feedback:
        _render_feedback(ev, console)


def _flag_cells(f: ClaimFlags) -> list[str]:
    right, wrong = len(f.right), len(f.wrong)
    return [
        _frac(right, f.challengers),
        _frac(right, right + wrong),
        str(len(f.flags)),
        str(len(f.unknown)),
        str(wrong),
    ]


def _pooled_cells(f: FlagSummary) -> list[str]:
    return [
        _pct(f.challengers_flagged),
        _pct(f.precision),
        f"~{f.median_flags:g}",
        str(f.unknown),
        str(f.wrong),
    ]


def _render_headline(ev: Evaluation, console: Console) -> None:
    table = Table(
        title="Headline per labels file and overall",
        caption="~flags: median flags a claim; alarms: claims with no labeled challenger but a flag",
        box=box.SIMPLE,
        pad_edge=False,
    )
    for name in ("set", "mode", "found", "prec", f"on@{ON_TOPIC_AT}", f"R@{ev.k}", "~flags", "unk", "alarms"):
        table.add_column(name, justify="left" if name in ("set", "mode") else "right", no_wrap=True)
    for s in (*ev.by_file, ev.overall) if len(ev.by_file) > 1 else (ev.overall,):
        for mode, f in (("shipped", s.shipped), ("cv", s.cv)):
            table.add_row(
                safe(_set_name(s.name)),
                mode,
                _pct(f.challengers_flagged),
                _pct(f.precision),
                _pct(s.on_topic_at_10),
                _pct(s.recall_at_k),
                f"{f.median_flags:g}",
                str(f.unknown),
                str(len(f.false_alarms)),
            )
    console.print(table)


GOAL_NAMES = {
    "challengers_flagged": "challengers flagged",
    "flag_precision": "flag precision",
    "on_topic_at_10": f"on-topic@{ON_TOPIC_AT}",
    "median_flags": "median flags",
    "false_alarms": "false alarms",
}


def _render_goals(s: Summary, console: Console) -> None:
    table = Table(title="Goals, all claims", box=box.SIMPLE)
    table.add_column("goal", no_wrap=True)
    table.add_column("shipped", justify="right")
    table.add_column("cv", justify="right")
    for g in GOALS:
        target = (
            f"{g.target:.0%}"
            if g.metric in ("challengers_flagged", "flag_precision", "on_topic_at_10")
            else f"{g.target:g}"
        )
        cells = []
        modes: tuple[tuple[Literal["shipped", "cv"], FlagSummary], ...] = (
            ("shipped", s.shipped),
            ("cv", s.cv),
        )
        for mode, f in modes:
            value = {
                "challengers_flagged": _pct(f.challengers_flagged),
                "flag_precision": _pct(f.precision),
                "on_topic_at_10": _pct(s.on_topic_at_10),
                "median_flags": f"{f.median_flags:g}",
                "false_alarms": str(len(f.false_alarms)),
            }[g.metric]
            met = s.goals(mode)[g.metric]
            cells.append(f"{value} {'met' if met else 'NOT met'}")
        table.add_row(f"{GOAL_NAMES[g.metric]} {g.op} {target}", *cells)
    console.print(table)


def _render_flag_lists(ev: Evaluation, console: Console) -> None:
    for mode in ("shipped", "cv"):
        unknown = [(c.key, f) for c in ev.claims for f in (c.shipped if mode == "shipped" else c.cv).unknown]
        if unknown:
            table = Table(
                title=f"Unknown flags, {mode}: {len(unknown)} with no label for that claim (judge them)",
                box=box.SIMPLE,
                show_header=False,
            )
            table.add_column("id", no_wrap=True)
            table.add_column("claim", no_wrap=True)
            table.add_column("title")
            for key, f in unknown:
                table.add_row(f.arxiv_id, safe(key), safe(f.title))
            console.print(table)
    for c in ev.claims:
        details = []
        for mode, flags in (("shipped", c.shipped), ("cv", c.cv)):
            if flags.wrong:
                details.append(
                    f"wrong flags {mode}: " + ", ".join(f"{f.label} {f.arxiv_id}" for f in flags.wrong)
                )
            if flags.unverified:
                details.append(
                    f"unverified flagged {mode}: " + ", ".join(f.arxiv_id for f in flags.unverified)
                )
        if c.missed:
            details.append(f"missed in top {ev.k}: {', '.join(c.missed)}")
        if c.not_in_store:
            details.append(f"not in the store: {', '.join(c.not_in_store)}")
        if c.negatives_in_top_k:
            details.append(f"negatives in top {ev.k}: {', '.join(c.negatives_in_top_k)}")
        if details:
            console.print(f"{safe(c.key)}: " + "; ".join(safe(d) for d in details), highlight=False)


def _render_feedback(ev: Evaluation, console: Console) -> None:
    """One row per labels file (and overall) and number of simulated decisions: the flags and top 10 of
    the papers not decided, learned from the decisions, then with the same papers decided and nothing
    learned (the control)."""
    table = Table(
        title="Simulated curator: N decisions a claim, the rest scored",
        caption="dec: decisions made (confirmed); learned / control: the claims learned from them, or not "
        "(same papers decided); found, prec, unk, on@10 as above, leave-one-claim-out rule",
        box=box.SIMPLE,
        pad_edge=False,
    )
    for name in ("set", "N", "dec", "mode", "found", "prec", "flags", "unk", f"on@{ON_TOPIC_AT}"):
        table.add_column(name, justify="left" if name in ("set", "mode") else "right", no_wrap=True)
    for r in ev.feedback:
        for s in (*r.by_file, r.overall) if len(r.by_file) > 1 else (r.overall,):
            for mode, f, top in (
                ("learned", s.learned, s.on_topic_at_10),
                ("control", s.control, s.control_on_topic_at_10),
            ):
                table.add_row(
                    safe(_set_name(s.name)),
                    str(r.n),
                    f"{s.revealed} ({s.revealed_challengers})",
                    mode,
                    _frac(f.right, f.challengers),
                    _frac(f.right, f.right + f.wrong),
                    str(f.flags),
                    str(f.unknown),
                    _pct(top),
                )
        table.add_section()
    console.print(table)
