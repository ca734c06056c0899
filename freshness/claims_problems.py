"""What a pydantic error in a claims file means, in the user's words: 'unknown key ... did you mean',
'missing required field', 'must be text, got a number (12) (put it in quotes)'; the reader places
each message at its line and column."""

from __future__ import annotations

import difflib
from typing import Any

from yaml.nodes import Node, ScalarNode

from freshness.claims_schema import ALLOWED, SCHEMA_VERSION
from freshness.yamlmarks import Loc, value_kind


def field_label(loc: Loc) -> str:
    """'topics[1]', 'anchors[0].title', 'defaults.shelf_life' (relative to the claim when in one)."""
    if len(loc) >= 2 and loc[0] == "claims" and isinstance(loc[1], int):
        loc = loc[2:] if len(loc) > 2 else ("claims", loc[1])
    label = ""
    for part in loc:
        label += f"[{part}]" if isinstance(part, int) else (f".{part}" if label else str(part))
    return label or "the file"


def _where(loc: Loc) -> str:
    """Which mapping a key of `loc` belongs to: 'top', 'defaults', 'claim' or 'anchor'."""
    if "anchors" in loc[:-1]:
        return "anchor"
    if loc[:1] == ("defaults",):
        return "defaults"
    if loc[:1] == ("citations",):
        return "citations"
    if loc[:1] == ("claims",) and len(loc) > 2:
        return "claim"
    return "top"


_WHERE_TEXT = {
    "top": "at the top level",
    "defaults": "in defaults",
    "citations": "in citations",
    "claim": "in a claim",
    "anchor": "in an anchor",
}


def describe_error(error: Any, loc: Loc, node: Node | None) -> str:
    kind = error["type"]
    field = field_label(loc)
    got = value_kind(error.get("input"), node)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        where = _where(loc)
        allowed = ALLOWED[where]
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {key!r} {_WHERE_TEXT[where]}{hint} (allowed: {', '.join(allowed)})"
    if kind == "missing":
        name = str(loc[-1])
        where = _where(loc)
        if where == "top":
            hint = " (add 'version: 1' as the first line)" if name == "version" else ""
            return f"missing required key {name!r}{hint}"
        return f"missing required field {name!r} in this {where}"
    if kind == "literal_error" and loc == ("version",):
        shown = node.value if isinstance(node, ScalarNode) else got
        return f"unsupported version {shown!r}: this freshness reads claims files of version {SCHEMA_VERSION}"
    if kind == "too_short":
        if loc == ("claims",):
            return "'claims' is empty: add at least one claim"
        if loc[-1] == "topics":
            return "topics is empty: list at least one topic a related paper would be about"
        return f"{field} is empty"
    if kind == "string_type":
        quote = (
            " (put it in quotes)"
            if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null"
            else ""
        )
        return f"{field} must be text, got {got}{quote}"
    if kind == "list_type":
        return f"{field} must be a list, got {got}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{field} must be a mapping, got {got}"
    if kind == "anchor_type":
        return f"{field} must be an arXiv id or a mapping with 'id' (and 'title'), got {got}"
    if kind in ("value_error", "assertion_error"):
        return f"{field}: {error['ctx']['error']}"
    return f"{field}: {error['msg']}"  # pragma: no cover - a pydantic error type this schema never raises
