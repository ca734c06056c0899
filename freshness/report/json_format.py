"""The JSON report: schema version 1, stable key order, documented field by field in docs/report-json.md."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from freshness.models import AnchorResult, Match, Report, Verdict
from freshness.report._common import abs_url, anchor_id, anchor_results, utc_z

SCHEMA_VERSION = 1

# json.dumps(ensure_ascii=False) escapes C0 controls but passes C1 controls (\x9b is CSI on some
# terminals), bidi overrides and the JS line separators through raw; `cat report.json` must stay inert.
_RAW_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


class JsonFormat:
    """The report as stable JSON for scripts, CI and the reports/ history."""

    name = "json"

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str:
        del width, color  # JSON has neither
        text = json.dumps(report_to_dict(report), indent=2, ensure_ascii=False)
        # Outside strings JSON is pure ASCII, so every hit is inside a string and \\uXXXX is exact.
        return _RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def report_to_dict(report: Report) -> dict[str, Any]:
    """The whole report as plain JSON values, keys in the documented order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": utc_z(report.generated_at),
        "stale": report.stale,
        "store": {
            "papers": report.store.papers,
            "newest_paper": _date(report.store.newest_paper),
        },
        "notes": list(report.notes),
        "claims": [_claim(v) for v in report.verdicts],
    }


def _claim(verdict: Verdict) -> dict[str, Any]:
    claim = verdict.claim
    return {
        "id": claim.id,
        "status": verdict.status.value,
        "date": claim.date.isoformat(),
        "age_days": verdict.age_days,
        "shelf_life_days": claim.shelf_life_days,
        "reasons": list(verdict.reasons),
        "anchors": [_anchor(a) for a in anchor_results(verdict)],
        "matches": [_match(m) for m in verdict.matches],
    }


def _anchor(result: AnchorResult) -> dict[str, Any]:
    return {
        "id": anchor_id(result),
        "status": result.status.value,
        "title": _title(result.title),
        "detail": result.detail,
        "latest_version": result.latest_version,
        "line": result.anchor.line,
        "col": result.anchor.col,
    }


def _match(match: Match) -> dict[str, Any]:
    return {
        "arxiv_id": match.arxiv_id,
        "title": _title(match.title) or "",
        "published": match.published.isoformat(),
        "score": round(match.score, 1),
        "superseding": match.superseding,
        "evidence": list(match.evidence),
        "url": abs_url(match.arxiv_id),
    }


def _title(title: str | None) -> str | None:
    """arXiv titles keep their source's line breaks and indentation; a title reads as one line."""
    return None if title is None else " ".join(title.split())


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()
