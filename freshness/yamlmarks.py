"""Read YAML keeping where each value starts (1-based line:col), so that problems point into the file.

`MarkedReader` is the reader of the claims file (claims_reader.py) and of the labels file (labels.py):
the file's bytes, YAML syntax, control characters, duplicate and non-text keys, alias bombs and deep
nesting all become problems at file:line:col, the same for both. The recorded-citations reader uses
the lighter `compose_marked` + `to_plain` + `locate`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from freshness.errors import Problem

# libyaml's loader composes ~30x faster than the pure-Python one, with the same nodes and marks.
FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Loc = tuple[str | int, ...]  # where a value sits in the document: keys and list indexes from the root
Marks = dict[Loc, tuple[int, int]]  # location -> (line, col) where it starts

# Guards so that no input, however hostile (alias bombs, deep nesting), can hang or crash the reader.
# The node guard counts what aliases expand to (a node visited again through an alias), not the file's
# own nodes: a realistic 10,000-claim file has ~150,000 nodes and no aliases, while a billion-laughs
# file of a few hundred bytes expands to billions. The file's own size is bounded by its bytes.
MAX_ALIAS_NODES = 100_000
MAX_DEPTH = 64
STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def position(mark: yaml.Mark | None) -> tuple[int, int]:
    """1-based (line, col) of a PyYAML mark (0-based); the file's start when there is none."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def node_position(node: Node | None) -> tuple[int, int]:
    """1-based (line, col) where `node` starts; the file's start for no node."""
    return position(node.start_mark) if node is not None else (1, 1)


def error_position(exc: yaml.MarkedYAMLError) -> tuple[int, int]:
    """1-based (line, col) a YAML syntax error points at: its problem, else its context."""
    return position(exc.problem_mark or exc.context_mark)


def compose_marked(name: str, text: str, *, empty: str, error: Callable[[list[Problem]], Exception]) -> Node:
    """The root node of `text`; raise `error([problem])` for a syntax error or, with `empty`, for no
    document at all."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line, col = error_position(exc)
        raise error([Problem(name, line, col, f"YAML syntax: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise error([Problem(name, 1, 1, f"YAML: {exc}")]) from exc
    if node is None:
        raise error([Problem(name, 1, 1, empty)])
    return node


def to_plain(
    node: Node,
    *,
    keep_text: Callable[[Loc], bool],
    keys_as_text: bool = False,
    mark_keys: bool = False,
) -> tuple[Any, Marks]:
    """Plain values for `node` and where each starts.

    Scalars at a location `keep_text` accepts stay the text written (YAML would read the arXiv id
    2310.03260 as the float 2310.0326); others that cannot be constructed (the date 2025-13-01) stay
    text too, for the schema to say what is wrong. `keys_as_text` keeps mapping keys as written;
    `mark_keys` locates a mapping entry at its key rather than its value.
    """
    marks: Marks = {}

    def walk(node: Node, loc: Loc) -> Any:
        marks[loc] = node_position(node)
        if isinstance(node, MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key: Any
                if keys_as_text:
                    key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
                else:
                    key = _scalar(key_node) if isinstance(key_node, ScalarNode) else str(key_node.value)
                out[key] = walk(value_node, (*loc, str(key)))
                if mark_keys:
                    marks[(*loc, str(key))] = node_position(key_node)
            return out
        if isinstance(node, SequenceNode):
            return [walk(item, (*loc, i)) for i, item in enumerate(node.value)]
        if keep_text(loc):
            return str(node.value)
        return _scalar(node)

    return walk(node, ()), marks


def locate(name: str, marks: Marks, loc: Sequence[str | int], message: str) -> Problem:
    """A problem at the deepest part of `loc` that exists in the file, prefixed with the whole `loc`."""
    path = tuple(loc)
    while path and path not in marks:
        path = path[:-1]
    line, col = marks.get(path, (1, 1))
    where = ".".join(str(p) for p in loc)
    return Problem(name, line, col, f"{where}: {message}" if where else message)


def _scalar(node: Node) -> Any:
    try:
        return yaml.SafeLoader("").construct_object(node)
    except (ValueError, yaml.YAMLError):
        return str(node.value)


def value_kind(value: Any, node: Node | None = None) -> str:
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


def node_kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    return f"a single value ({node.value!r})" if node.value else "a single empty value"


class WalkAbortedError(Exception):
    """The document is too big or too deep to walk safely; its problem is already recorded."""


class MarkedReader:
    """One read of one YAML file: its text (`read_text`), its nodes (`compose`), then plain values
    (`walk`) remembering which node every value (`values`) and key (`keys`) came from. Every problem
    goes to `problems` at file:line:col; the hooks (`unreadable`, `keep_text`, `unconstructable`) are
    what a file's reader may change."""

    merge_advice = ""  # said after "YAML merge keys (<<) are not supported"

    def __init__(self, path: Path, *, what: str, empty: str, loader: Any = FAST_LOADER) -> None:
        self.path = path
        self.label = str(path)
        self.what = what  # "claims file": what the file should be, for "is a directory, not a ..."
        self.empty = empty  # the problem of a file with no YAML document
        self.loader = loader
        self.problems: list[Problem] = []
        self.values: dict[Loc, Node] = {}  # path of a value -> its node
        self.keys: dict[Loc, Node] = {}  # path of a mapping value -> the node of its key
        self.reported: set[Loc] = set()  # paths whose problems are already reported
        self.expanded = 0  # nodes visited again through an alias
        self.seen: set[int] = set()
        self.constructor = SafeConstructor()

    # -- problems and hooks ------------------------------------------------------------------------

    def problem(self, node: Node | None, message: str) -> None:
        self.at(*node_position(node), message)

    def at(self, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(self.label, line, col, message))

    def unreadable(self, reason: str) -> None:
        """The file as a whole cannot be read: line 0 (Problem prints no line for it)."""
        self.at(0, 0, reason)

    def keep_text(self, path: Loc, node: ScalarNode) -> bool:
        """True: the scalar at `path` stays the text written instead of what YAML would make of it."""
        return False

    def unconstructable(self, node: ScalarNode, path: Loc, exc: Exception) -> Any:
        """The value of a scalar YAML cannot construct (the date 2025-13-01): by default the text, for
        the schema to say what is wrong."""
        return str(node.value)

    def marks(self) -> Marks:
        """Where each value starts, for `locate`."""
        return {loc: node_position(node) for loc, node in self.values.items()}

    # -- the steps ---------------------------------------------------------------------------------

    def read_text(self) -> str | None:
        """The file's text (UTF-8, a BOM dropped), or None and a problem."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self.unreadable("does not exist")
            return None
        except IsADirectoryError:
            self.unreadable(f"is a directory, not a {self.what}")
            return None
        except PermissionError:
            self.unreadable("cannot read the file: permission denied")
            return None
        except OSError as exc:
            self.unreadable(f"cannot read the file: {exc.strerror or exc}")
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
        """The document's root node, or None and a problem (a syntax error, or no document at all)."""
        try:
            root = yaml.compose(text, Loader=self.loader)
        except yaml.MarkedYAMLError as exc:
            self.at(*error_position(exc), f"YAML syntax error: {_syntax_message(exc, text)}")
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
            self.at(1, 1, self.empty)
        return root

    def walk(self, node: Node, path: Loc = (), depth: int = 0) -> Any:
        """Plain values for `node`, recording which node every value (and key) came from; raise
        WalkAbortedError past the alias and depth guards."""
        if id(node) in self.seen:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_NODES:
                self.at(1, 1, f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} nodes (an alias bomb?)")
                raise WalkAbortedError
        else:
            self.seen.add(id(node))
        if depth > MAX_DEPTH:
            self.problem(node, f"YAML nesting is deeper than {MAX_DEPTH} levels")
            raise WalkAbortedError
        self.values[path] = node
        if isinstance(node, ScalarNode):
            if self.keep_text(path, node):
                return str(node.value)
            try:
                return self.constructor.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
                return self.unconstructable(node, path, exc)
        if isinstance(node, SequenceNode):
            return [self.walk(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        return self._walk_mapping(node, path, depth)

    def _walk_mapping(self, node: MappingNode, path: Loc, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                self.problem(key_node, f"YAML merge keys (<<) are not supported{self.merge_advice}")
                continue
            if not (isinstance(key_node, ScalarNode) and key_node.tag == STR_TAG):
                shown = key_node.value if isinstance(key_node, ScalarNode) else node_kind(key_node)
                self.problem(key_node, f"keys must be plain text, not {shown!r}")
                continue
            key = key_node.value
            if key in first_seen:
                self.problem(
                    key_node,
                    f"duplicate key {key!r} (first at line {first_seen[key].start_mark.line + 1}); "
                    "YAML would silently keep only the last one",
                )
            first_seen[key] = key_node
            self.keys[(*path, key)] = key_node
            result[key] = self.walk(value_node, (*path, key), depth + 1)
        return result


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    """What a YAML syntax error says, with where its context started and a word on tabs."""
    line, col = error_position(exc)
    message = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
    if exc.context and exc.problem and exc.context_mark:
        message += f" ({' '.join(exc.context.split())} at line {exc.context_mark.line + 1})"
    lines = text.splitlines()
    if 0 < line <= len(lines) and lines[line - 1][col - 1 : col] == "\t":
        message += "; that character is a tab: indent YAML with spaces"
    return message
