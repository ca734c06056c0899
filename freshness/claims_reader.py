"""The claims file reader behind claims.read_claims: compose the YAML into nodes (which carry marks),
turn them into plain values remembering which node each value came from, validate them with the
schema (claims_schema.py) and map each error's `loc` back to its node. Checks pydantic cannot see
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
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.claims_problems import describe_error, field_label
from freshness.claims_schema import NUMBER_TAGS, TAGS, TIMESTAMP_TAG, AnchorSpec, FileSpec, OptionalFields
from freshness.durations import parse_duration
from freshness.errors import Problem
from freshness.models import Anchor, CitationSettings, Claim
from freshness.yamlmarks import FAST_LOADER, Loc, error_position, node_kind, node_position

DEFAULT_SHELF_LIFE_DAYS = 365
# Guards so that no input, however hostile (alias bombs, deep nesting), can hang or crash the loader.
# The node guard counts what aliases expand to (a node visited again through an alias), not the file's
# own nodes: a realistic 10,000-claim file has ~150,000 nodes and no aliases, while a billion-laughs
# file of a few hundred bytes expands to billions. The file's own size is bounded by its bytes.
_MAX_ALIAS_NODES = 100_000
_MAX_DEPTH = 64
_LOADER: Any = FAST_LOADER  # a name of this module's own, for tests to swap in the pure-Python loader


class _Bad:
    """Stands in for a value that could not be constructed (its problem is already reported)."""


_BAD = _Bad()


class _Abort(Exception):
    """The document is too big or too deep to walk safely; its problem is already recorded."""


class ClaimsReader:
    """One read of one claims file: `read()` the claims, then `hard` and `soft` hold the problems and
    `citations` the file's `citations:` setting."""

    def __init__(self, path: Path, today: dt.date) -> None:
        self.path = path
        self.label = str(path)
        self.today = today
        self.hard: list[Problem] = []
        self.soft: list[Problem] = []
        self.values: dict[Loc, Node] = {}  # path of a value -> its node
        self.keys: dict[Loc, Node] = {}  # path of a mapping value -> the node of its key
        self.reported: set[Loc] = set()  # paths whose problems are already reported
        self.expanded = 0  # nodes visited again through an alias
        self.seen: set[int] = set()
        self.constructor = SafeConstructor()
        self.citations: CitationSettings | None = None

    # -- problems ----------------------------------------------------------------------------------

    def problem(self, node: Node | None, message: str, *, soft: bool = False) -> None:
        self.at(*node_position(node), message, soft=soft)

    def at(self, line: int, col: int, message: str, *, soft: bool = False) -> None:
        (self.soft if soft else self.hard).append(Problem(self.label, line, col, message))

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
            data = self.to_python(root, (), 0)
        except _Abort:
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

    def read_text(self) -> str | None:
        try:
            raw = self.path.read_bytes()
        # Line 0: the file as a whole (Problem prints no line for it, ClaimsError says what to do).
        except FileNotFoundError:
            self.at(0, 0, "does not exist")
            return None
        except IsADirectoryError:
            self.at(0, 0, "is a directory, not a claims file")
            return None
        except PermissionError:
            self.at(0, 0, "cannot read the file: permission denied")
            return None
        except OSError as exc:
            self.at(0, 0, f"cannot read the file: {exc.strerror or exc}")
            return None
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            start = raw.rfind(b"\n", 0, exc.start) + 1
            line = raw.count(b"\n", 0, exc.start) + 1
            col = len(raw[start : exc.start].decode("utf-8", errors="replace")) + 1
            self.at(line, col, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
            return None

    def compose(self, text: str) -> Node | None:
        try:
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as exc:
            line, col = error_position(exc)
            message = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
            if exc.context and exc.problem and exc.context_mark:
                message += f" ({' '.join(exc.context.split())} at line {exc.context_mark.line + 1})"
            lines = text.splitlines()
            if 0 < line <= len(lines) and lines[line - 1][col - 1 : col] == "\t":
                message += "; that character is a tab: indent YAML with spaces"
            self.at(line, col, f"YAML syntax error: {message}")
            return None
        except yaml.reader.ReaderError as exc:
            code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
            # libyaml's position counts UTF-8 bytes, PyYAML's characters; the first such character is it.
            at = text.find(chr(code))
            at = at if at >= 0 else min(exc.position, len(text))
            line = text.count("\n", 0, at) + 1
            col = at - (text.rfind("\n", 0, at) + 1) + 1
            self.at(line, col, f"YAML syntax error: control character U+{code:04X} is not allowed; remove it")
            return None
        except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
            self.at(1, 1, f"YAML syntax error: {exc}")
            return None
        except RecursionError:
            self.at(1, 1, "YAML nesting is too deep")
            return None
        if root is None:
            self.at(
                1,
                1,
                "the file is empty: start it with 'version: 1' and a 'claims:' list (see docs/claims.md)",
            )
        return root

    def to_python(self, node: Node, path: Loc, depth: int) -> Any:
        """Plain values for `node`, recording which node every value (and key) came from."""
        if id(node) in self.seen:
            self.expanded += 1
            if self.expanded > _MAX_ALIAS_NODES:
                self.at(1, 1, f"YAML aliases expand to more than {_MAX_ALIAS_NODES:,} nodes (an alias bomb?)")
                raise _Abort
        else:
            self.seen.add(id(node))
        if depth > _MAX_DEPTH:
            self.problem(node, f"YAML nesting is deeper than {_MAX_DEPTH} levels")
            raise _Abort
        self.values[path] = node
        if isinstance(node, ScalarNode):
            try:
                return self.constructor.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
                what = "is not a real calendar date" if node.tag == TIMESTAMP_TAG else "cannot be read"
                self.problem(
                    node,
                    f"{self.owner(path)}{field_label(path)}: {node.value!r} {what} "
                    f"({_construct_reason(exc)})",
                )
                self.reported.add(path)
                return _BAD
        if isinstance(node, SequenceNode):
            return [self.to_python(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        result: dict[str, Any] = {}
        first_seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, "YAML merge keys (<<) are not supported; use 'defaults:' instead")
                continue
            key = (
                key_node.value
                if isinstance(key_node, ScalarNode) and key_node.tag == "tag:yaml.org,2002:str"
                else None
            )
            if key is None:
                shown = key_node.value if isinstance(key_node, ScalarNode) else node_kind(key_node)
                self.problem(key_node, f"keys must be plain text, not {shown!r}")
                continue
            if key in first_seen:
                self.problem(
                    key_node,
                    f"duplicate key {key!r} (first at line {first_seen[key].start_mark.line + 1}); "
                    "YAML would silently keep only the last one",
                )
            first_seen[key] = key_node
            self.keys[(*path, key)] = key_node
            result[key] = self.to_python(value_node, (*path, key), depth + 1)
        return result

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
            if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:str":
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
