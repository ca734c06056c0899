"""Load and validate claims.yaml (schema version 1) into Claims, locating every problem at line:col.

The file is composed into YAML nodes (which carry marks), turned into plain values while remembering
which node each value came from, and validated with strict pydantic models (`extra="forbid"`); each
error's `loc` is mapped back to its node. Checks pydantic cannot see (duplicate YAML keys, duplicate
claim ids, anchor-id syntax) run on the same nodes. Malformed anchor ids are *soft* problems: the claim
still loads, with an `Anchor(arxiv_id=None, error=...)` that the anchor checks report as `malformed`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
)
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.categories import unknown_category
from freshness.errors import ClaimsError, Problem
from freshness.models import Anchor, CitationSettings, Claim
from freshness.yamlmarks import FAST_LOADER, Loc, error_position, node_position

SCHEMA_VERSION = 1
DEFAULT_SHELF_LIFE_DAYS = 365
MAX_SHELF_LIFE_DAYS = 100 * 365
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
_DURATION = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
_CLAIM_ID = re.compile(r"^[a-z0-9-]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Guards so that no input, however hostile (alias bombs, deep nesting), can hang or crash the loader.
# The node guard counts what aliases expand to (a node visited again through an alias), not the file's
# own nodes: a realistic 10,000-claim file has ~150,000 nodes and no aliases, while a billion-laughs
# file of a few hundred bytes expands to billions. The file's own size is bounded by its bytes.
_MAX_ALIAS_NODES = 100_000
_MAX_DEPTH = 64
_LOADER: Any = FAST_LOADER  # a name of this module's own, for tests to swap in the pure-Python loader


# --------------------------------------------------------------------------------------------------
# Public API


@dataclass(frozen=True)
class ClaimsFile:
    """What one read of a claims file found: the claims (empty if any hard problem) and every problem."""

    claims: tuple[Claim, ...]
    problems: tuple[Problem, ...]  # hard and anchor-syntax problems, sorted by line and column
    hard: bool  # True when the claims could not be loaded
    citations: CitationSettings | None = None  # the top-level `citations:` setting (None: off)

    @property
    def anchor_count(self) -> int:
        return sum(len(c.anchors) for c in self.claims)


def parse_duration(text: str, start: dt.date | None = None) -> int:
    """Days in a duration such as `180d`, `26w`, `6m` or `1y`; ValueError if bad. Months and years are
    calendar ones counted from `start` (a claim's date: `12m` from 2024-03-01 is 365 days, from
    2023-03-01 366); without `start`, 30 and 365 days (the bounds check)."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(
            f"{text!r} is not a duration: use a positive whole number and a unit, e.g. 180d, 26w, 6m or 1y"
        )
    count, unit = int(m[1]), m[2].lower()
    days = count * _UNIT_DAYS[unit]
    if days <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    if days > MAX_SHELF_LIFE_DAYS:
        raise ValueError(f"{text!r} is longer than 100 years")
    if start is not None and unit in ("m", "y"):
        return (add_months(start, count * (12 if unit == "y" else 1)) - start).days
    return days


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus calendar months, on the month's last day when it is shorter (Jan 31 + 1m = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def read_claims(path: Path, *, today: dt.date | None = None) -> ClaimsFile:
    """Read and validate `path`; never raises for bad input (everything becomes a Problem)."""
    return _Reader(path, today or dt.date.today()).read()


def load_claims(path: Path, *, today: dt.date | None = None) -> list[Claim]:
    """The claims in `path`; raise ClaimsError (with every problem) if the file has any hard problem.

    Malformed anchor ids are not hard: those claims load with `Anchor(arxiv_id=None, error=...)`.
    """
    result = read_claims(path, today=today)
    if result.hard:
        raise ClaimsError(list(result.problems))
    return list(result.claims)


def load_claims_file(path: Path, *, today: dt.date | None = None) -> ClaimsFile:
    """`read_claims`, raising ClaimsError (with every problem) if the file has any hard problem: the
    claims and the file's settings (`citations:`)."""
    result = read_claims(path, today=today)
    if result.hard:
        raise ClaimsError(list(result.problems))
    return result


# --------------------------------------------------------------------------------------------------
# The schema (strict: no coercion, unknown keys rejected). Validators raise ValueError with the message
# the user sees; `_describe_error` turns pydantic's own error types into messages.


def _text(value: str) -> str:
    normalised = " ".join(value.split())
    if not normalised:
        raise ValueError("must not be blank")
    return normalised


def _claim_id(value: str) -> str:
    if not _CLAIM_ID.match(value):
        raise ValueError(
            f"{value!r} may only use lowercase letters, digits and '-' (e.g. 'cot-distribution-shift')"
        )
    return value


def _category(value: str) -> str:
    if (problem := unknown_category(value)) is not None:  # only arXiv's real, current categories
        raise ValueError(problem)
    return value


def _duration(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(
            f"must be a duration such as 180d, 26w, 6m or 1y, got {_kind(value)}"
            + (
                " (a bare number has no unit)"
                if isinstance(value, int) and not isinstance(value, bool)
                else ""
            )
        )
    parse_duration(value)  # checked here, with its line; counted in days from the claim's date in build
    return value.strip().lower()


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a day such as 2025-08-02, without a time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not _ISO_DATE.match(text):
            raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-08-02")
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a real calendar date ({exc})") from None
    raise ValueError(f"must be a date such as 2025-08-02, got {_kind(value)}")


def _not_future(value: dt.date, info: ValidationInfo) -> dt.date:
    today = (info.context or {}).get("today")
    if isinstance(today, dt.date) and value > today:
        raise ValueError(f"{value.isoformat()} is in the future (today is {today.isoformat()})")
    return value


def _anchor_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return _TAG_ID
    if isinstance(value, dict):
        return _TAG_MAP
    return None


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_TAG_ID = "<anchor id>"
_TAG_MAP = "<anchor mapping>"
_TAGS = frozenset({_TAG_ID, _TAG_MAP})

_Text = Annotated[str, AfterValidator(_text)]
_ClaimId = Annotated[str, AfterValidator(_claim_id)]
_Category = Annotated[str, AfterValidator(_category)]
_Duration = Annotated[str, BeforeValidator(_duration)]
_Date = Annotated[dt.date, BeforeValidator(_date), AfterValidator(_not_future)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _AnchorSpec(_Strict):
    id: _Text
    title: _Text | None = None


_AnchorItem = Annotated[
    Annotated[_Text, Tag(_TAG_ID)] | Annotated[_AnchorSpec, Tag(_TAG_MAP)],
    Discriminator(
        _anchor_kind,
        custom_error_type="anchor_type",
        custom_error_message="an anchor is an arXiv id or a mapping with id (and title)",
    ),
]


class _OptionalFields(_Strict):
    """The per-claim optional fields; `defaults:` may set any of them."""

    anchors: list[_AnchorItem] | None = None
    categories: list[_Category] | None = None
    shelf_life: _Duration | None = None
    tags: list[_Text] | None = None


class _ClaimSpec(_OptionalFields):
    id: _ClaimId
    claim: _Text
    date: _Date
    topics: Annotated[list[_Text], Field(min_length=1)]


_Service = Literal["semantic_scholar", "openalex"]
_SERVICES: tuple[_Service, ...] = ("semantic_scholar", "openalex")


class _CitationsSpec(_Strict):
    """The top-level `citations:` setting: which services to ask who cites the anchors, how often."""

    enabled: bool = True
    services: Annotated[list[_Service], Field(min_length=1, max_length=2)] = Field(
        default_factory=lambda: list(_SERVICES)
    )
    refresh: _Duration = "7d"
    max_pages: Annotated[int, Field(ge=1, le=100)] = 10


class _FileSpec(_Strict):
    version: Literal[1]
    defaults: _OptionalFields | None = None
    citations: _CitationsSpec | None = None
    claims: Annotated[list[_ClaimSpec], Field(min_length=1)]


_ALLOWED = {
    "top": ("version", "defaults", "citations", "claims"),
    "citations": tuple(_CitationsSpec.model_fields),
    "defaults": tuple(_OptionalFields.model_fields),
    "claim": ("id", "claim", "date", "topics", *_OptionalFields.model_fields),
    "anchor": tuple(_AnchorSpec.model_fields),
}


# --------------------------------------------------------------------------------------------------
# Reading


class _Bad:
    """Stands in for a value that could not be constructed (its problem is already reported)."""


_BAD = _Bad()


class _Abort(Exception):
    """The document is too big or too deep to walk safely; its problem is already recorded."""


class _Reader:
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

    def result(self, claims: list[Claim]) -> ClaimsFile:
        problems = sorted({*self.hard, *self.soft}, key=lambda p: (p.line, p.col, p.message))
        hard = bool(self.hard)
        return ClaimsFile(
            claims=() if hard else tuple(claims),
            problems=tuple(problems),
            hard=hard,
            citations=None if hard else self.citations,
        )

    # -- the steps ---------------------------------------------------------------------------------

    def read(self) -> ClaimsFile:
        text = self.read_text()
        if text is None:
            return self.result([])
        root = self.compose(text)
        if root is None:
            return self.result([])
        if not isinstance(root, MappingNode):
            self.problem(
                root,
                "a claims file is a mapping with 'version: 1' and 'claims:', "
                f"but this file holds {_node_kind(root)}",
            )
            return self.result([])
        try:
            data = self.to_python(root, (), 0)
        except _Abort:
            return self.result([])
        self.keep_plain_anchor_ids(data)
        self.check_duplicate_ids(data)
        self.check_anchor_ids(data)
        try:
            spec = _FileSpec.model_validate(data, context={"today": self.today})
        except ValidationError as exc:
            for error in exc.errors():
                self.report_validation_error(error)
            if not self.hard:  # pragma: no cover - pydantic never fails without an error
                self.at(1, 1, "invalid claims file")
            return self.result([])
        return self.result(self.build(spec) if not self.hard else [])

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
                what = "is not a real calendar date" if node.tag == _TIMESTAMP else "cannot be read"
                self.problem(
                    node,
                    f"{self.owner(path)}{_field_label(path)}: {node.value!r} {what} "
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
                shown = key_node.value if isinstance(key_node, ScalarNode) else _node_kind(key_node)
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
            if isinstance(node, ScalarNode) and node.tag in _NUMBER_TAGS and path not in self.reported:
                container[key] = node.value

    def anchor_ids(self, data: dict[str, Any]) -> Iterator[tuple[Loc, str]]:
        """(path of the id value, the id) for every anchor id written as a non-blank string."""
        for container, key, path in _anchor_slots(data):
            value = container[key]
            if isinstance(value, str) and value.strip():
                yield path, value

    # -- pydantic errors -> problems ---------------------------------------------------------------

    def report_validation_error(self, error: Any) -> None:
        loc: Loc = tuple(p for p in error["loc"] if p not in _TAGS)
        if any(loc[: len(r)] == r for r in self.reported):
            return  # the value could not even be read; that problem is already reported
        kind = error["type"]
        if kind == "extra_forbidden":
            node = self.keys.get(loc)
        elif kind == "missing":
            node = self.values.get(loc[:-1])
        else:
            node = self.values.get(loc)
        self.problem(node, self.owner(loc) + _describe_error(error, loc, node))

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

    def build(self, spec: _FileSpec) -> list[Claim]:
        if spec.citations is not None and spec.citations.enabled:
            cs = spec.citations
            self.citations = CitationSettings(
                services=tuple(dict.fromkeys(cs.services)),
                refresh_days=parse_duration(cs.refresh),
                max_pages=cs.max_pages,
            )
        defaults = spec.defaults or _OptionalFields()
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

    def build_anchors(self, items: list[str | _AnchorSpec], owner: Loc) -> tuple[Anchor, ...]:
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


# --------------------------------------------------------------------------------------------------
# Helpers


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


def _field_label(loc: Loc) -> str:
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


def _describe_error(error: Any, loc: Loc, node: Node | None) -> str:
    kind = error["type"]
    field = _field_label(loc)
    got = _kind(error.get("input"), node)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        where = _where(loc)
        allowed = _ALLOWED[where]
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


def _kind(value: Any, node: Node | None = None) -> str:
    """A short description of a value for messages: 'a number (12)', 'a list', 'nothing (null)'."""
    raw = f" ({node.value})" if isinstance(node, ScalarNode) and node.value else ""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false{raw}"
    if isinstance(value, int | float):
        return f"a number{raw or f' ({value})'}"
    if isinstance(value, dt.datetime):
        return f"a date and time{raw}"
    if isinstance(value, dt.date):
        return f"a date{raw}"
    if isinstance(value, str):
        return f"text ({value!r})" if len(value) <= 40 else "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _node_kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    return f"a single value ({node.value!r})" if node.value else "a single empty value"


def _construct_reason(exc: Exception) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        return " ".join(exc.problem.split())
    return str(exc) or exc.__class__.__name__
