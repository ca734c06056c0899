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

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.errors import ClaimsError, FreshnessError, Problem
from freshness.models import CitationContext, CitationIndex, Citing
from freshness.yamlmarks import Loc, Marks, compose_marked, locate, to_plain

MAX_CONTEXT_CHARS = 600  # as stored from Semantic Scholar
MAX_FILE_BYTES = 64 * 1024 * 1024


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
    empty = "the file is empty; it needs a `citations:` mapping"
    node = compose_marked(name, text, empty=empty, error=CitationsFileError)
    # Mapping keys are the anchors' ids: kept as written too, and each entry located at its key.
    data, marks = to_plain(node, keep_text=_keep_text, keys_as_text=True, mark_keys=True)
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        raise CitationsFileError([locate(name, marks, e["loc"], e["msg"]) for e in exc.errors()]) from exc
    return _to_index(name, parsed, marks)


def _to_index(name: str, parsed: _File, marks: Marks) -> CitationIndex:
    problems: list[Problem] = []

    def base(raw: str, loc: Loc) -> str | None:
        try:
            return parse_arxiv_id(raw).base
        except ArxivIdError as exc:
            problems.append(locate(name, marks, loc, f"not an arXiv id: {exc}"))
            return None

    by_anchor: dict[str, dict[str, Citing]] = {}
    for raw_anchor, entries in parsed.citations.items():
        anchor = base(raw_anchor, ("citations", raw_anchor))
        if anchor is None:
            continue
        edges = by_anchor.setdefault(anchor, {})
        for i, entry in enumerate(entries):
            loc: Loc = ("citations", raw_anchor, i)
            item = entry if isinstance(entry, _Citing) else _Citing(id=entry)
            citing = base(item.id, loc)
            if citing is None:
                continue
            if citing == anchor:
                problems.append(locate(name, marks, loc, f"{citing} cannot cite itself"))
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


def _keep_text(loc: Loc) -> bool:
    """`id`s and the short-form citing ids (citations.<anchor>.<i>) stay the text written."""
    return (bool(loc) and loc[-1] == "id") or (len(loc) == 3 and loc[0] == "citations")
