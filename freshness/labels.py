"""Read and validate a labels file (the format of the shared dev sets, `dev_claims.yaml`; documented in
docs/matching.md): claims, the newer papers a person labeled for each, the ids left out of scoring and
the negatives, every problem located at file:line:col. `freshness eval` scores the matcher on them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from yaml.nodes import ScalarNode

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.errors import ClaimsError, FreshnessError, Problem
from freshness.models import Anchor, Claim
from freshness.yamlmarks import Loc, MarkedReader, Marks, WalkAbortedError, locate

LABELS: tuple[str, ...] = ("supersedes", "supports", "related")

Label = Literal["supersedes", "supports", "related"]


class LabelsError(ClaimsError):
    """The labels file is missing, unreadable or invalid; carries every problem found, with lines."""

    tip = "Fix the lines above; docs/matching.md describes the labels format."

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        FreshnessError.__init__(self, f"{len(problems)} problem(s) in the labels file")


@dataclass(frozen=True)
class LabeledPaper:
    arxiv_id: str
    label: str


@dataclass(frozen=True)
class LabeledClaim:
    """A claim, the newer papers a person labeled for it, the ids to leave out of scoring
    (`unverified`) and the negatives that count against it."""

    claim: Claim
    papers: tuple[LabeledPaper, ...]
    unverified: frozenset[str] = frozenset()
    negatives: frozenset[str] = frozenset()
    key_at: tuple[int, int] = (0, 0)  # line and column of the key in its file

    def label_of(self, arxiv_id: str) -> str | None:
        """supersedes/supports/related, "unverified", "negative", or None: nobody judged it here."""
        for p in self.papers:
            if p.arxiv_id == arxiv_id:
                return p.label
        if arxiv_id in self.unverified:
            return "unverified"  # the dev set's rule: neither right nor wrong, whatever else it is
        if arxiv_id in self.negatives:
            return "negative"
        return None


@dataclass(frozen=True)
class Labels:
    path: Path
    claims: tuple[LabeledClaim, ...]
    negatives: tuple[str, ...] = ()


class _Entry(BaseModel):
    # Papers, anchors and negatives may carry any annotation (why, seen_at, ...): kept, never scored.
    model_config = ConfigDict(extra="allow")
    id: str


class _Paper(_Entry):
    label: Label


class _Negative(_Entry):
    # v1 writes a list of claim keys, v2 a single key; absent means a negative for every claim.
    confusable_with: str | list[str] | None = None


class _Anchor(_Entry):
    title: str | None = None


class _Claim(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1)
    text: str = Field(min_length=1)
    topic_keywords: list[str] = Field(min_length=1)
    date: dt.date
    anchors: list[_Anchor] = []
    papers: list[_Paper] = []
    unverified_candidates: list[_Entry] = []
    categories: list[str] = []
    shelf_life_days: int = Field(default=365, ge=1)


class _LabelsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    claims: list[_Claim] = Field(min_length=1)
    negatives: list[_Negative] = []


class _LabelsReader(MarkedReader):
    """The shared YAML reader (the claims file's), with the labels file's words and its arXiv ids kept
    as text: unquoted, YAML would read 2310.03260 as the float 2310.0326."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            path, what="labels file", empty="the labels file is empty; it needs a `claims:` list"
        )

    def unreadable(self, reason: str) -> None:
        self.at(1, 1, f"cannot read the labels file: {reason}")

    def keep_text(self, path: Loc, node: ScalarNode) -> bool:
        return bool(path) and path[-1] == "id"


def load_labels(path: Path) -> Labels:
    """Read and validate a labels file; raise LabelsError listing every problem as file:line:col."""
    reader = _LabelsReader(path)
    text = reader.read_text()
    root = None if text is None else reader.compose(text)
    if root is None:
        raise LabelsError(reader.problems)
    try:
        data = reader.walk(root)
    except WalkAbortedError:
        raise LabelsError(reader.problems) from None
    marks = reader.marks()
    try:
        parsed = _LabelsFile.model_validate(data)
    except ValidationError as exc:
        problems = [locate(str(path), marks, err["loc"], err["msg"]) for err in exc.errors()]
        raise LabelsError(reader.problems + problems) from exc
    return _to_labels(path, parsed, marks, reader.problems)


def check_unique_keys(labels: Sequence[Labels]) -> None:
    """Claims of several files are scored (and cross-validated) together: a key must name one claim."""
    first: dict[str, tuple[Path, LabeledClaim]] = {}
    problems: list[Problem] = []
    for lab in labels:
        for lc in lab.claims:
            key = lc.claim.id
            if key in first:
                path, other = first[key]
                line, col = lc.key_at
                problems.append(
                    Problem(
                        str(lab.path),
                        line,
                        col,
                        f"claim key {key!r} is also in {path}:{other.key_at[0]}; "
                        "keys must be unique across labels files",
                    )
                )
            else:
                first[key] = (lab.path, lc)
    if problems:
        raise LabelsError(problems)


@dataclass
class _Checks:
    """The checks past the schema (arXiv ids, duplicate keys, negatives), collecting their problems."""

    name: str
    marks: Marks
    problems: list[Problem] = dataclasses.field(default_factory=list)

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(locate(self.name, self.marks, loc, message))

    def base_id(self, raw: str, loc: Loc) -> str | None:
        """The arXiv id without its version, or None (and a problem at `loc`)."""
        try:
            return parse_arxiv_id(raw).base
        except ArxivIdError as exc:
            self.add(loc, str(exc))
            return None


def _to_labels(path: Path, parsed: _LabelsFile, marks: Marks, found: Sequence[Problem]) -> Labels:
    """The labels of a file the schema accepts, or LabelsError with the problems `found` reading it
    and those of the checks past the schema."""
    checks = _Checks(str(path), marks, list(found))
    claims: list[LabeledClaim] = []
    seen_keys: set[str] = set()
    for i, c in enumerate(parsed.claims):
        if c.key in seen_keys:
            checks.add(("claims", i, "key"), f"duplicate claim key {c.key!r}")
        seen_keys.add(c.key)
        claims.append(_labeled_claim(checks, i, c))
    against, negatives = _negatives(checks, parsed.negatives, claims)
    if checks.problems:
        raise LabelsError(checks.problems)
    claims = [dataclasses.replace(lc, negatives=frozenset(against[lc.claim.id])) for lc in claims]
    return Labels(path, tuple(claims), tuple(dict.fromkeys(negatives)))


def _labeled_claim(checks: _Checks, i: int, c: _Claim) -> LabeledClaim:
    """The `i`th claim of the file, its labeled papers and unverified ids (negatives come later)."""
    anchors: list[Anchor] = []
    for j, a in enumerate(c.anchors):
        loc: Loc = ("claims", i, "anchors", j, "id")
        line, col = checks.marks.get(loc, (0, 0))
        try:
            anchors.append(Anchor(a.id, parse_arxiv_id(a.id), a.title, line, col))
        except ArxivIdError as exc:
            checks.add(loc, str(exc))
    papers: list[LabeledPaper] = []
    seen: set[str] = set()
    for j, p in enumerate(c.papers):
        loc = ("claims", i, "papers", j, "id")
        pid = checks.base_id(p.id, loc)
        if pid is None:
            continue
        if pid in seen:
            checks.add(loc, f"paper {pid} is labeled twice in claim {c.key}")
        seen.add(pid)
        papers.append(LabeledPaper(pid, p.label))
    unverified = {
        uid
        for j, u in enumerate(c.unverified_candidates)
        if (uid := checks.base_id(u.id, ("claims", i, "unverified_candidates", j, "id"))) is not None
    }
    claim = Claim(
        id=c.key,
        text=c.text,
        date=c.date,
        topics=tuple(c.topic_keywords),
        anchors=tuple(anchors),
        categories=tuple(c.categories),
        shelf_life_days=c.shelf_life_days,
        line=checks.marks.get(("claims", i), (0, 0))[0],
    )
    key_at = checks.marks.get(("claims", i, "key"), (0, 0))
    return LabeledClaim(claim, tuple(papers), frozenset(unverified), key_at=key_at)


def _negatives(
    checks: _Checks, entries: Sequence[_Negative], claims: Sequence[LabeledClaim]
) -> tuple[dict[str, set[str]], list[str]]:
    """Claim key -> the negatives against it, and every negative id in file order. A negative with no
    `confusable_with` counts against every claim of the file that does not label it."""
    keys = [lc.claim.id for lc in claims]
    against: dict[str, set[str]] = {key: set() for key in keys}
    negatives: list[str] = []
    for j, n in enumerate(entries):
        nid = checks.base_id(n.id, ("negatives", j, "id"))
        if nid is None:
            continue
        negatives.append(nid)
        names = [n.confusable_with] if isinstance(n.confusable_with, str) else n.confusable_with
        if names is None:
            for lc in claims:
                if nid not in {p.arxiv_id for p in lc.papers}:
                    against[lc.claim.id].add(nid)
            continue
        where: Loc = ("negatives", j, "confusable_with")
        for key in names:
            labeled = next((lc for lc in claims if lc.claim.id == key), None)
            if labeled is None:
                checks.add(where, f"no claim {key!r} in this file (claims: {', '.join(keys)})")
            elif nid in {p.arxiv_id for p in labeled.papers}:
                checks.add(where, f"{nid} is labeled in claim {key} and a negative for it")
            else:
                against[key].add(nid)
    return against, negatives
