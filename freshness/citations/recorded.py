"""A recorded-citations file (YAML or JSON): anchor arXiv id -> the arXiv ids citing it, with optional
citing sentences and intents, read as the matcher's `CitationIndex` so that `freshness eval
--citations FILE` measures the signal wherever such a recording exists (docs/eval.md gives the format).

    source: my recording            # optional: shown as the edges' source ("recorded" by default)
    citations:
      "2411.12580":                 # the anchor (quote ids: YAML reads 2310.03260 as a number)
        - "2502.00001"              # a citing paper, short form
        - id: "2502.00002"
          influential: true
          contexts:
            - text: "Contrary to [12], we find that ..."
              intents: [result]
            - "A citing sentence without intents."

Ids are read as the text written (unquoted, the YAML scalar's own characters), versions dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.errors import ClaimsError, FreshnessError, Problem
from freshness.models import CitationContext, CitationIndex, Citing

MAX_CONTEXT_CHARS = 600  # as stored from Semantic Scholar
MAX_FILE_BYTES = 64 * 1024 * 1024

_Loc = tuple[str | int, ...]


class CitationsFileError(ClaimsError):
    """The recorded-citations file is missing, unreadable or invalid; carries every problem found."""

    tip = "Fix the lines above; docs/eval.md describes the recorded-citations format."

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        FreshnessError.__init__(self, f"{len(problems)} problem(s) in the recorded-citations file")


class _Context(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1)
    intents: list[str] = []


class _Citing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    influential: bool = False
    contexts: list[_Context | str] = []


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(default="recorded", min_length=1, max_length=80)
    citations: dict[str, list[_Citing | str]]


def load_recorded_citations(path: Path) -> CitationIndex:
    """Read and validate a recorded-citations file; raise CitationsFileError listing every problem
    as file:line:col."""
    name = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CitationsFileError([Problem(name, 1, 1, "the file is over 64 MB")])
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CitationsFileError([Problem(name, 1, 1, f"cannot read the file: {exc}")]) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise CitationsFileError([Problem(name, line, col, f"YAML syntax: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise CitationsFileError([Problem(name, 1, 1, f"YAML: {exc}")]) from exc
    if node is None:
        raise CitationsFileError([Problem(name, 1, 1, "the file is empty; it needs a `citations:` mapping")])
    marks: dict[_Loc, tuple[int, int]] = {}
    data = _plain(node, (), marks)
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        raise CitationsFileError([_problem(name, marks, e["loc"], e["msg"]) for e in exc.errors()]) from exc
    return _to_index(name, parsed, marks)


def _to_index(name: str, parsed: _File, marks: dict[_Loc, tuple[int, int]]) -> CitationIndex:
    problems: list[Problem] = []

    def base(raw: str, loc: _Loc) -> str | None:
        try:
            return parse_arxiv_id(raw).base
        except ArxivIdError as exc:
            problems.append(_problem(name, marks, loc, f"not an arXiv id: {exc}"))
            return None

    by_anchor: dict[str, dict[str, Citing]] = {}
    for raw_anchor, entries in parsed.citations.items():
        anchor = base(raw_anchor, ("citations", raw_anchor))
        if anchor is None:
            continue
        edges = by_anchor.setdefault(anchor, {})
        for i, entry in enumerate(entries):
            loc: _Loc = ("citations", raw_anchor, i)
            item = entry if isinstance(entry, _Citing) else _Citing(id=entry)
            citing = base(item.id, loc)
            if citing is None:
                continue
            if citing == anchor:
                problems.append(_problem(name, marks, loc, f"{citing} cannot cite itself"))
                continue
            contexts = tuple(
                CitationContext(c.text[:MAX_CONTEXT_CHARS], parsed.source, tuple(c.intents))
                if isinstance(c, _Context)
                else CitationContext(c[:MAX_CONTEXT_CHARS], parsed.source)
                for c in item.contexts
            )
            old = edges.get(citing)
            edges[citing] = Citing(
                anchor,
                citing,
                (parsed.source,),
                (old.contexts if old else ()) + contexts,
                item.influential or (old.influential if old else False),
            )
    if problems:
        raise CitationsFileError(problems)
    return CitationIndex(by_anchor)


def _plain(node: yaml.Node, loc: _Loc, marks: dict[_Loc, tuple[int, int]]) -> Any:
    """Plain values from a composed YAML node, recording where each starts. Mapping keys, `id`s and
    the short-form citing ids are kept as the text written (YAML would read 2310.03260 as 2310.0326)."""
    marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            out[key] = _plain(value_node, (*loc, key), marks)
            marks[(*loc, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*loc, i), marks) for i, item in enumerate(node.value)]
    if (loc and loc[-1] == "id") or (len(loc) == 3 and loc[0] == "citations"):
        return str(node.value)
    try:
        return yaml.SafeLoader("").construct_object(node)
    except (ValueError, yaml.YAMLError):
        return str(node.value)


def _problem(
    name: str, marks: dict[_Loc, tuple[int, int]], loc: Sequence[str | int], message: str
) -> Problem:
    path = tuple(loc)
    while path and path not in marks:
        path = path[:-1]
    line, col = marks.get(path, (1, 1))
    where = ".".join(str(p) for p in loc)
    return Problem(name, line, col, f"{where}: {message}" if where else message)
