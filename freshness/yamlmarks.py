"""Read YAML keeping where each value starts (1-based line:col), so that problems point into the file.

claims.py walks the composed nodes itself (it needs alias and depth guards, duplicate keys, soft
problems); the labels and recorded-citations readers use `compose_marked` + `to_plain` + `locate`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from freshness.errors import Problem

# libyaml's loader composes ~30x faster than the pure-Python one, with the same nodes and marks.
FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Loc = tuple[str | int, ...]  # where a value sits in the document: keys and list indexes from the root
Marks = dict[Loc, tuple[int, int]]  # location -> (line, col) where it starts


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
