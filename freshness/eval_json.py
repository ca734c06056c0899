"""The stable JSON shape of an evaluation (schema version 2, documented in docs/eval.md): what
`freshness eval --format json` prints; ratios rounded to 4 places."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Literal

from freshness.eval_feedback import FeedbackRound, FeedbackSummary
from freshness.eval_figures import GOALS, ClaimFlags, ClaimScore, FlagSummary, Summary
from freshness.flagging import FlagRule

if TYPE_CHECKING:
    from freshness.evaluation import Evaluation


def evaluation_json(ev: Evaluation) -> dict[str, Any]:
    """The whole evaluation (`citations` only with --citations, `feedback` only with --feedback)."""
    extra: dict[str, Any] = {"citations": dataclasses.asdict(ev.citations)} if ev.citations else {}
    if ev.feedback:
        extra["feedback"] = [_feedback_round_json(r) for r in ev.feedback]
    return {
        "schema_version": 2,
        "k": ev.k,
        "store": {"papers": ev.papers_in_store},
        **extra,
        "files": [s.name for s in ev.by_file],
        "goals": [{"metric": g.metric, "op": g.op, "target": g.target} for g in GOALS],
        "overall": _summary_json(ev.overall),
        "by_file": [_summary_json(s) for s in ev.by_file],
        "claims": [_claim_json(c) for c in ev.claims],
    }


def _feedback_round_json(r: FeedbackRound) -> dict[str, Any]:
    return {
        "n": r.n,
        "overall": _feedback_summary_json(r.overall),
        "by_file": [_feedback_summary_json(s) for s in r.by_file],
        "claims": [
            {
                "key": c.key,
                "file": c.file,
                "revealed": [{"id": pid, "label": label} for pid, label in c.revealed],
                "learned": _claim_flags_json(c.learned),
                "control": _claim_flags_json(c.control),
            }
            for c in r.claims
        ],
    }


def _feedback_summary_json(s: FeedbackSummary) -> dict[str, Any]:
    def flags(f: FlagSummary) -> dict[str, Any]:
        return {**_flag_counts_json(f), "median_flags": f.median_flags}

    return {
        "name": s.name,
        "decisions": s.revealed,
        "confirmed": s.revealed_challengers,
        "learned": {**flags(s.learned), "on_topic_at_10": _round(s.on_topic_at_10)},
        "control": {**flags(s.control), "on_topic_at_10": _round(s.control_on_topic_at_10)},
    }


def _rule_json(rule: FlagRule) -> dict[str, Any]:
    return {"min_confidence": rule.min_confidence, "max_rank": rule.max_rank, "min_score": rule.min_score}


def _flag_summary_json(s: Summary, mode: Literal["shipped", "cv"]) -> dict[str, Any]:
    f = s.shipped if mode == "shipped" else s.cv
    return {
        **_flag_counts_json(f),
        "unverified_flags": f.unverified,
        "median_flags": f.median_flags,
        "false_alarms": list(f.false_alarms),
        "goals_met": s.goals(mode),
    }


def _flag_counts_json(f: FlagSummary) -> dict[str, Any]:
    """The counts and ratios of pooled flags, as eval and each --feedback round report them."""
    return {
        "challengers": f.challengers,
        "challengers_flagged": _round(f.challengers_flagged),
        "flag_precision": _round(f.precision),
        "flags": f.flags,
        "right_flags": f.right,
        "wrong_flags": f.wrong,
        "unknown_flags": f.unknown,
    }


def _summary_json(s: Summary) -> dict[str, Any]:
    return {
        "name": s.name,
        "claims": list(s.claims),
        "labeled": s.labeled,
        "recall_at_k": _round(s.recall_at_k),
        "recall_at_k_by_label": {k: _round(v) for k, v in s.recall_at_k_by_label.items()},
        "on_topic_at_10": _round(s.on_topic_at_10),
        "negatives": s.negatives,
        "negatives_in_top_k": list(s.negatives_in_top_k),
        "shipped": _flag_summary_json(s, "shipped"),
        "cv": _flag_summary_json(s, "cv"),
    }


def _claim_flags_json(f: ClaimFlags) -> dict[str, Any]:
    out: dict[str, Any] = {
        "challengers": f.challengers,
        "challengers_flagged": _round(f.challengers_flagged),
        "flag_precision": _round(f.precision),
        "false_alarm": f.false_alarm,
        "flags": [{"id": x.arxiv_id, "rank": x.rank, "label": x.label, "title": x.title} for x in f.flags],
    }
    if f.rule is not None:
        out["rule"] = _rule_json(f.rule)
    return out


def _claim_json(c: ClaimScore) -> dict[str, Any]:
    return {
        "key": c.key,
        "file": c.file,
        "labeled": c.labeled,
        "recall_at_k": _round(c.recall_at_k),
        "recall_at_k_by_label": {k: _round(v) for k, v in c.recall_at_k_by_label.items()},
        "on_topic_at_10": _round(c.on_topic_at_10),
        "negatives_in_top_k": list(c.negatives_in_top_k),
        "missed": list(c.missed),
        "not_in_store": list(c.not_in_store),
        "shipped": _claim_flags_json(c.shipped),
        "cv": _claim_flags_json(c.cv),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
