"""The JSON report: schema version 1, stable key order, documented field by field in docs/report-json.md."""

from __future__ import annotations

import datetime as dt
import math
from json.encoder import encode_basestring as _encode_string  # C-accelerated
from typing import Any

from freshness.models import AnchorResult, Match, Report, Verdict
from freshness.report._common import abs_url, anchor_id, anchor_results, store_line, utc_z
from freshness.untrusted import escape_raw_in_json

SCHEMA_VERSION = 1

# JSON's string encoder (ensure_ascii=False) escapes C0 controls but passes C1 controls (\x9b is CSI on some
# terminals), bidi overrides and the JS line separators through raw; `cat report.json` must stay inert
# (freshness.untrusted escapes them).


class JsonFormat:
    """The report as stable JSON for scripts, CI and the reports/ history."""

    name = "json"

    def render(self, report: Report, *, width: int = 100, color: bool = False, top: int | None = None) -> str:
        del width, color, top  # JSON has neither, and lists every match
        return dumps(report_to_dict(report)) + "\n"


def dumps(value: Any) -> str:
    """`value` as `json.dumps(value, indent=2, ensure_ascii=False)` writes it, character for character,
    with the characters of the unsafe set escaped as \\uXXXX.

    json.dumps takes its pure-Python encoder whenever it indents (0.5 s for a 1,000-claim report); this
    writes the same text with the C string encoder, in less than half the time.
    """
    parts: list[str] = []
    _write(value, "\n", parts, {})
    return "".join(parts)


def _write(value: Any, newline: str, out: list[str], heads: dict[str, dict[str, str]]) -> None:
    """Append `value`'s JSON to `out`; `newline` is a line break and the current indentation.

    Strings, numbers and the like are written where they are met rather than by a call of their own,
    and each key's `,<indent>"key": ` is made once per depth: a report is ~300k values under ~250k
    keys, and a call each was most of the time.
    """
    kind = type(value)
    if kind is dict:
        _write_object(value, newline, out, heads)
    elif kind in _CONTAINERS:
        _write_array(value, newline, out, heads)
    elif kind is str:
        out.append(_string(value))
    else:
        out.append(_scalar(value))


def _write_object(
    value: dict[Any, Any], newline: str, out: list[str], heads: dict[str, dict[str, str]]
) -> None:
    if not value:
        out.append("{}")
        return
    inner = newline + "  "
    known = heads.get(inner)
    if known is None:
        known = heads[inner] = {}
    first = True
    for key, item in value.items():
        head = known.get(key)
        if head is None:
            if type(key) is not str:
                raise TypeError(f"JSON object keys must be str, not {type(key).__name__}")
            head = known[key] = f",{inner}{_string(key)}: "
        if first:
            head = "{" + head[1:]
            first = False
        _write_item(head, item, inner, out, heads)
    out.append(newline + "}")


def _write_array(value: Any, newline: str, out: list[str], heads: dict[str, dict[str, str]]) -> None:
    if not value:
        out.append("[]")
        return
    inner = newline + "  "
    try:  # a list of strings (reasons, evidence) in one C-level pass; TypeError: not only strings
        joined = ("," + inner).join(map(_encode_string, value))
    except TypeError:
        pass
    else:
        if not joined.isascii() or "\x7f" in joined:  # quotes and separators are plain ASCII
            joined = escape_raw_in_json(joined)
        out.append(f"[{inner}{joined}{newline}]")
        return
    sep = "[" + inner
    for item in value:
        _write_item(sep, item, inner, out, heads)
        sep = "," + inner
    out.append(newline + "]")


def _write_item(head: str, item: Any, inner: str, out: list[str], heads: dict[str, dict[str, str]]) -> None:
    """`item` after `head` (its key, or the bracket or comma before it), at indentation `inner`."""
    if type(item) is str:
        out.append(head + (_encode_string(item) if item.isascii() and "\x7f" not in item else _string(item)))
    elif type(item) in _CONTAINERS:
        out.append(head)
        _write(item, inner, out, heads)
    else:
        out.append(head + _scalar(item))


def _plain(text: str) -> bool:
    """No character json's encoder leaves raw that the unsafe set must escape (all but DEL are non-ASCII)."""
    return text.isascii() and "\x7f" not in text


_CONTAINERS = (dict, list, tuple)


def _scalar(value: Any) -> str:
    """A number, a boolean or null as json.dumps writes it (it allows NaN and the infinities)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if value != value:
            return "NaN"
        if value in (math.inf, -math.inf):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise TypeError(f"{kind.__name__} is not JSON serialisable")


def _string(text: str) -> str:
    """`text` as a JSON string: json's own C encoder, then the raw-unsafe characters escaped.

    Every raw-unsafe character but DEL is outside ASCII, so ASCII text (nearly all of it) skips the
    second pass.
    """
    encoded = _encode_string(text)
    return encoded if _plain(text) else escape_raw_in_json(encoded)


def report_to_dict(report: Report) -> dict[str, Any]:
    """The whole report as plain JSON values, keys in the documented order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": utc_z(report.generated_at),
        "stale": report.stale,
        "store": {
            "summary": store_line(report),
            "papers": report.store.papers,
            "newest_paper": _date(report.store.newest_paper),
            "covered": [{"from": a.isoformat(), "to": b.isoformat()} for a, b in report.store.covered or ()],
            "covered_categories": list(report.store.covered_categories),
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
        "coverage_gaps": [
            {"from": g.first.isoformat(), "to": g.last.isoformat(), "categories": list(g.categories)}
            for g in verdict.coverage_gaps
        ],
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
        "stance": match.stance.value,
        "confidence": round(match.confidence, 2),
        "stance_sentence": _title(match.stance_sentence),
        "stance_target": match.stance_target,
        "evidence": list(match.evidence),
        "url": abs_url(match.arxiv_id),
    }


def _title(title: str | None) -> str | None:
    """arXiv titles (and abstracts, where stance sentences come from) keep their source's line breaks
    and indentation; a title or a sentence reads as one line."""
    return None if title is None else " ".join(title.split())


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()
