"""The claims file reader behind claims.read_claims: the shared YAML reader (yamlmarks.MarkedReader)
turns the file into plain values remembering which node each value came from; they are validated with
the schema (claims_schema.py) and each error's `loc` is mapped back to its node. Checks pydantic cannot see
(duplicate YAML keys, duplicate claim ids, anchor-id syntax) run on the same nodes. Malformed anchor ids
are *soft* problems: the claim still loads, with an `Anchor(arxiv_id=None, error=...)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.claims_problems import describe_error, field_label
from freshness.claims_schema import NUMBER_TAGS, TAGS, TIMESTAMP_TAG, AnchorSpec, FileSpec, OptionalFields
from freshness.durations import parse_duration
from freshness.errors import Problem
from freshness.models import Anchor, CitationSettings, Claim
from freshness.yamlmarks import (
    FAST_LOADER,
    STR_TAG,
    Loc,
    MarkedReader,
    WalkAbortedError,
    node_kind,
    node_position,
)

DEFAULT_SHELF_LIFE_DAYS = 365
_LOADER: Any = FAST_LOADER  # a name of this module's own, for tests to swap in the pure-Python loader
_EMPTY = "the file is empty: start it with 'version: 1' and a 'claims:' list (see docs/claims.md)"


class _Bad:
    """Stands in for a value that could not be constructed (its problem is already reported)."""


_BAD = _Bad()


class ClaimsReader(MarkedReader):
    """One read of one claims file: `read()` the claims, then `hard` and `soft` hold the problems and
    `citations` the file's `citations:` setting."""

    merge_advice = "; use 'defaults:' instead"

    def __init__(self, path: Path, today: dt.date) -> None:
        super().__init__(path, what="claims file", empty=_EMPTY, loader=_LOADER)
        self.today = today
        self.soft: list[Problem] = []
        self.citations: CitationSettings | None = None

    @property
    def hard(self) -> list[Problem]:
        """The problems that keep the claims from loading (`soft` ones do not)."""
        return self.problems

    # -- problems ----------------------------------------------------------------------------------

    def problem(self, node: Node | None, message: str, *, soft: bool = False) -> None:
        self.at(*node_position(node), message, soft=soft)

    def at(self, line: int, col: int, message: str, *, soft: bool = False) -> None:
        (self.soft if soft else self.problems).append(Problem(self.label, line, col, message))

    def unconstructable(self, node: ScalarNode, path: Loc, exc: Exception) -> Any:
        what = "is not a real calendar date" if node.tag == TIMESTAMP_TAG else "cannot be read"
        self.problem(
            node, f"{self.owner(path)}{field_label(path)}: {node.value!r} {what} ({_construct_reason(exc)})"
        )
        self.reported.add(path)
        return _BAD

    # -- the steps ---------------------------------------------------------------------------------

    def read(self) -> list[Claim]:
        """The claims, or none when there is a hard problem; the problems are in `hard` and `soft`."""
        text = self.read_text()
        if text is None:
            return []
        root = self.compose(text)
        if root is None:
            return []
        if not isinstance(root, MappingNode):
            self.problem(
                root,
                "a claims file is a mapping with 'version: 1' and 'claims:', "
                f"but this file holds {node_kind(root)}",
            )
            return []
        try:
            data = self.walk(root)
        except WalkAbortedError:
            return []
        self.keep_plain_anchor_ids(data)
        self.check_duplicate_ids(data)
        self.check_anchor_ids(data)
        try:
            spec = FileSpec.model_validate(data, context={"today": self.today})
        except ValidationError as exc:
            for error in exc.errors():
                self.report_validation_error(error)
            if not self.hard:  # pragma: no cover - pydantic never fails without an error
                self.at(1, 1, "invalid claims file")
            return []
        return self.build(spec) if not self.hard else []

    # -- checks pydantic cannot do -----------------------------------------------------------------

    def check_duplicate_ids(self, data: dict[str, Any]) -> None:
        first: dict[str, int] = {}
        for i, claim in _claim_dicts(data):
            claim_id = claim.get("id")
            if not isinstance(claim_id, str):
                continue
            node = self.values[("claims", i, "id")]
            if claim_id in first:
                self.problem(node, f"duplicate claim id {claim_id!r} (first used at line {first[claim_id]})")
            else:
                first[claim_id] = node.start_mark.line + 1

    def check_anchor_ids(self, data: dict[str, Any]) -> None:
        for path, raw in self.anchor_ids(data):
            try:
                parse_arxiv_id(raw)
            except ArxivIdError as exc:
                self.problem(self.values[path], f"{self.owner(path)}malformed anchor: {exc}", soft=True)

    def keep_plain_anchor_ids(self, data: dict[str, Any]) -> None:
        """`- 2508.01191` is a number to YAML; an anchor id is the text as written (keeps 2508.10100's 0s)."""
        for container, key, path in _anchor_slots(data):
            node = self.values[path]
            if isinstance(node, ScalarNode) and node.tag in NUMBER_TAGS and path not in self.reported:
                container[key] = node.value

    def anchor_ids(self, data: dict[str, Any]) -> Iterator[tuple[Loc, str]]:
        """(path of the id value, the id) for every anchor id written as a non-blank string."""
        for container, key, path in _anchor_slots(data):
            value = container[key]
            if isinstance(value, str) and value.strip():
                yield path, value

    # -- pydantic errors -> problems ---------------------------------------------------------------

    def report_validation_error(self, error: Any) -> None:
        loc: Loc = tuple(p for p in error["loc"] if p not in TAGS)
        if any(loc[: len(r)] == r for r in self.reported):
            return  # the value could not even be read; that problem is already reported
        kind = error["type"]
        if kind == "extra_forbidden":
            node = self.keys.get(loc)
        elif kind == "missing":
            node = self.values.get(loc[:-1])
        else:
            node = self.values.get(loc)
        self.problem(node, self.owner(loc) + describe_error(error, loc, node))

    def owner(self, loc: Loc) -> str:
        """'claim 'x': ' when `loc` is inside a claim whose id is readable, so messages say where."""
        if len(loc) >= 2 and loc[0] == "claims" and isinstance(loc[1], int):
            node = self.values.get(("claims", loc[1], "id"))
            if isinstance(node, ScalarNode) and node.tag == STR_TAG:
                return f"claim {node.value!r}: "
            if len(loc) > 2:
                return f"claim #{loc[1] + 1}: "
        return ""

    # -- building the Claims -----------------------------------------------------------------------

    def build(self, spec: FileSpec) -> list[Claim]:
        if spec.citations is not None and spec.citations.enabled:
            cs = spec.citations
            self.citations = CitationSettings(
                services=tuple(dict.fromkeys(cs.services)),
                refresh_days=parse_duration(cs.refresh),
                max_pages=cs.max_pages,
            )
        defaults = spec.defaults or OptionalFields()
        claims = []
        for i, c in enumerate(spec.claims):
            if c.anchors is not None:
                anchors = self.build_anchors(c.anchors, ("claims", i))
            elif defaults.anchors is not None:
                anchors = self.build_anchors(defaults.anchors, ("defaults",))
            else:
                anchors = ()
            shelf_life = c.shelf_life if c.shelf_life is not None else defaults.shelf_life
            claims.append(
                Claim(
                    id=c.id,
                    text=c.claim,
                    date=c.date,
                    topics=tuple(c.topics),
                    anchors=anchors,
                    categories=tuple(_first_set(c.categories, defaults.categories)),
                    shelf_life_days=(
                        parse_duration(shelf_life, c.date)
                        if shelf_life is not None
                        else DEFAULT_SHELF_LIFE_DAYS
                    ),
                    tags=tuple(_first_set(c.tags, defaults.tags)),
                    line=self.values[("claims", i)].start_mark.line + 1,
                )
            )
        return claims

    def build_anchors(self, items: list[str | AnchorSpec], owner: Loc) -> tuple[Anchor, ...]:
        anchors = []
        for j, item in enumerate(items):
            raw, title, path = (
                (item, None, (*owner, "anchors", j))
                if isinstance(item, str)
                else (item.id, item.title, (*owner, "anchors", j, "id"))
            )
            line, col = node_position(self.values[path])
            try:
                arxiv_id, error = parse_arxiv_id(raw), None
            except ArxivIdError as exc:
                arxiv_id, error = None, str(exc)
            anchors.append(Anchor(raw, arxiv_id, title, line, col, error))
        return tuple(anchors)


def _claim_dicts(data: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    claims = data.get("claims")
    if isinstance(claims, list):
        for i, claim in enumerate(claims):
            if isinstance(claim, dict):
                yield i, claim


def _anchor_slots(data: dict[str, Any]) -> Iterator[tuple[Any, Any, Loc]]:
    """(container, key, path) of every anchor id: a list item, or the `id` of an anchor mapping."""
    owners: list[tuple[Loc, Any]] = [(("defaults",), data.get("defaults"))]
    owners += [(("claims", i), claim) for i, claim in _claim_dicts(data)]
    for owner_path, owner in owners:
        anchors = owner.get("anchors") if isinstance(owner, dict) else None
        if not isinstance(anchors, list):
            continue
        for j, item in enumerate(anchors):
            if isinstance(item, dict):
                if "id" in item:
                    yield item, "id", (*owner_path, "anchors", j, "id")
            else:
                yield anchors, j, (*owner_path, "anchors", j)


def _first_set(*values: list[str] | None) -> list[str]:
    for value in values:
        if value is not None:
            return value
    return []


def _construct_reason(exc: Exception) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        return " ".join(exc.problem.split())
    return str(exc) or exc.__class__.__name__
