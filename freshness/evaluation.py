"""Measure the matcher on labeled claims: load a labels file and compute recall@k, supersession recall,
negatives in the top k and superseding flags per claim (the figures `freshness eval` prints).

The labels format is the one of the shared dev set (`dev_claims.yaml`); docs/matching.md documents it.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich.console import Console
from rich.table import Table

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.errors import ClaimsError, FreshnessError, Problem, StoreError
from freshness.matching import match_claim
from freshness.models import Anchor, Claim, Match
from freshness.output import safe
from freshness.store import Store

LABELS: tuple[str, ...] = ("supersedes", "supports", "related")
DEFAULT_K = 20
RESULTS_LIMIT = 50  # how many matches `eval` asks for; supersession is looked for in all of them

Label = Literal["supersedes", "supports", "related"]


class LabelsError(ClaimsError):
    """The labels file is missing, unreadable or invalid; carries every problem found, with lines."""

    tip = "Fix the lines above; docs/matching.md describes the labels format."

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        FreshnessError.__init__(self, f"{len(problems)} problem(s) in the labels file")


# -- the labels file ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabeledPaper:
    arxiv_id: str
    label: str


@dataclass(frozen=True)
class LabeledClaim:
    """A claim, the newer papers a person labeled for it, and the ids to leave out of scoring."""

    claim: Claim
    papers: tuple[LabeledPaper, ...]
    unverified: frozenset[str] = frozenset()


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
    negatives: list[_Entry] = []


Marks = dict[tuple[str | int, ...], tuple[int, int]]


def load_labels(path: Path) -> Labels:
    """Read and validate a labels file; raise LabelsError listing every problem as file:line:col."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelsError([Problem(name, 1, 1, f"cannot read the labels file: {exc}")]) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise LabelsError([Problem(name, line, col, f"YAML syntax: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise LabelsError([Problem(name, 1, 1, f"YAML: {exc}")]) from exc
    if node is None:
        raise LabelsError([Problem(name, 1, 1, "the labels file is empty; it needs a `claims:` list")])
    marks: Marks = {}
    data = _plain(node, (), marks)
    try:
        parsed = _LabelsFile.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(name, marks, err["loc"], err["msg"]) for err in exc.errors()]
        raise LabelsError(problems) from exc
    return _to_labels(path, parsed, marks)


def _to_labels(path: Path, parsed: _LabelsFile, marks: Marks) -> Labels:
    name = str(path)
    problems: list[Problem] = []

    def base_id(raw: str, loc: tuple[str | int, ...]) -> str | None:
        try:
            return parse_arxiv_id(raw).base
        except ArxivIdError as exc:
            problems.append(_problem(name, marks, loc, str(exc)))
            return None

    claims: list[LabeledClaim] = []
    seen_keys: set[str] = set()
    for i, c in enumerate(parsed.claims):
        if c.key in seen_keys:
            problems.append(_problem(name, marks, ("claims", i, "key"), f"duplicate claim key {c.key!r}"))
        seen_keys.add(c.key)
        anchors: list[Anchor] = []
        for j, a in enumerate(c.anchors):
            line, col = marks.get(("claims", i, "anchors", j, "id"), (0, 0))
            try:
                anchors.append(Anchor(a.id, parse_arxiv_id(a.id), a.title, line, col))
            except ArxivIdError as exc:
                problems.append(_problem(name, marks, ("claims", i, "anchors", j, "id"), str(exc)))
        papers: list[LabeledPaper] = []
        seen_papers: set[str] = set()
        for j, p in enumerate(c.papers):
            loc = ("claims", i, "papers", j, "id")
            pid = base_id(p.id, loc)
            if pid is None:
                continue
            if pid in seen_papers:
                problems.append(_problem(name, marks, loc, f"paper {pid} is labeled twice in claim {c.key}"))
            seen_papers.add(pid)
            papers.append(LabeledPaper(pid, p.label))
        unverified = {
            uid
            for j, u in enumerate(c.unverified_candidates)
            if (uid := base_id(u.id, ("claims", i, "unverified_candidates", j, "id"))) is not None
        }
        claim = Claim(
            id=c.key,
            text=c.text,
            date=c.date,
            topics=tuple(c.topic_keywords),
            anchors=tuple(anchors),
            categories=tuple(c.categories),
            shelf_life_days=c.shelf_life_days,
            line=marks.get(("claims", i), (0, 0))[0],
        )
        claims.append(LabeledClaim(claim, tuple(papers), frozenset(unverified)))
    negatives = [
        nid
        for j, n in enumerate(parsed.negatives)
        if (nid := base_id(n.id, ("negatives", j, "id"))) is not None
    ]
    if problems:
        raise LabelsError(problems)
    return Labels(path, tuple(claims), tuple(dict.fromkeys(negatives)))


def _plain(node: yaml.Node, loc: tuple[str | int, ...], marks: Marks) -> Any:
    """Turn a composed YAML node into plain values, recording where each value starts."""
    marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            out[key] = _plain(value_node, (*loc, str(key)), marks)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*loc, i), marks) for i, item in enumerate(node.value)]
    if loc and loc[-1] == "id":
        # arXiv ids are text: unquoted, YAML would read 2310.03260 as the float 2310.0326.
        return str(node.value)
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader("").construct_object(node)
    except (ValueError, yaml.YAMLError):
        return str(node.value)  # e.g. the impossible date 2025-13-01: the schema says what is wrong


def _problem(name: str, marks: Marks, loc: Sequence[str | int], message: str) -> Problem:
    """Locate a problem at the deepest part of `loc` that exists in the file."""
    path = tuple(loc)
    while path and path not in marks:
        path = path[:-1]
    line, col = marks.get(path, (1, 1))
    where = ".".join(str(p) for p in loc)
    return Problem(name, line, col, f"{where}: {message}" if where else message)


# -- the metrics -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimScore:
    """One claim's figures; a recall is None when the claim has no paper of that kind."""

    key: str
    labeled: int
    recall_at_k: float | None
    recall_at_k_by_label: Mapping[str, float | None]
    supersession_recall: float | None
    negatives_in_top_k: tuple[str, ...]
    superseding_flags: int
    missed: tuple[str, ...]
    false_superseding: tuple[str, ...]
    not_in_store: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class Evaluation:
    k: int
    papers_in_store: int
    claims: tuple[ClaimScore, ...]
    labeled: int
    recall_at_k: float | None
    recall_at_k_by_label: Mapping[str, float | None]
    supersession_recall: float | None
    negatives: int
    negatives_in_top_k: tuple[str, ...]
    median_superseding_flags: float

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape documented in docs/matching.md."""
        return {
            "schema_version": 1,
            "k": self.k,
            "store": {"papers": self.papers_in_store},
            "overall": {
                "claims": len(self.claims),
                "labeled": self.labeled,
                "recall_at_k": _round(self.recall_at_k),
                "recall_at_k_by_label": {k: _round(v) for k, v in self.recall_at_k_by_label.items()},
                "supersession_recall": _round(self.supersession_recall),
                "negatives": self.negatives,
                "negatives_in_top_k": len(self.negatives_in_top_k),
                "negatives_found": list(self.negatives_in_top_k),
                "median_superseding_flags": self.median_superseding_flags,
            },
            "claims": [
                {
                    "key": c.key,
                    "labeled": c.labeled,
                    "recall_at_k": _round(c.recall_at_k),
                    "recall_at_k_by_label": {k: _round(v) for k, v in c.recall_at_k_by_label.items()},
                    "supersession_recall": _round(c.supersession_recall),
                    "negatives_in_top_k": len(c.negatives_in_top_k),
                    "negatives_found": list(c.negatives_in_top_k),
                    "superseding_flags": c.superseding_flags,
                    "missed": list(c.missed),
                    "false_superseding": list(c.false_superseding),
                    "not_in_store": list(c.not_in_store),
                }
                for c in self.claims
            ],
        }


Matcher = Callable[[Store, Claim], list[Match]]


def evaluate(
    store: Store,
    labels: Labels,
    *,
    k: int = DEFAULT_K,
    matcher: Matcher | None = None,
    clock: Callable[[], float] | None = None,
) -> Evaluation:
    """Run the matcher (default: `match_claim` for max(RESULTS_LIMIT, k) matches) on every labeled
    claim and score its results against the labels."""
    if k < 1:
        raise FreshnessError(f"--k must be at least 1 (got {k})")
    if matcher is None:
        limit = max(RESULTS_LIMIT, k)

        def matcher(store: Store, claim: Claim) -> list[Match]:
            return match_claim(store, claim, limit=limit)

    tick = clock or _perf_counter
    negatives = set(labels.negatives)
    all_ids = {p.arxiv_id for lc in labels.claims for p in lc.papers} | negatives
    in_store = set(store.get_papers(sorted(all_ids)))
    scores: list[ClaimScore] = []
    hits: dict[str, list[bool]] = {label: [] for label in LABELS}
    flagged_supersedes: list[bool] = []
    negatives_found: set[str] = set()
    for lc in labels.claims:
        start = tick()
        matches = matcher(store, lc.claim)
        seconds = tick() - start
        score = _score_claim(lc, matches, negatives, in_store, k, seconds)
        scores.append(score)
        top = {m.arxiv_id for m in matches[:k]}
        flagged = {m.arxiv_id for m in matches if m.superseding}
        for p in lc.papers:
            hits[p.label].append(p.arxiv_id in top)
            if p.label == "supersedes":
                flagged_supersedes.append(p.arxiv_id in flagged)
        negatives_found.update(score.negatives_in_top_k)
    every = [hit for label in LABELS for hit in hits[label]]
    return Evaluation(
        k=k,
        papers_in_store=store.summary().papers,
        claims=tuple(scores),
        labeled=len(every),
        recall_at_k=_ratio(every),
        recall_at_k_by_label={label: _ratio(hits[label]) for label in LABELS},
        supersession_recall=_ratio(flagged_supersedes),
        negatives=len(negatives),
        negatives_in_top_k=tuple(sorted(negatives_found)),
        median_superseding_flags=float(statistics.median(s.superseding_flags for s in scores)),
    )


def evaluate_file(labels_path: Path, db_path: Path, *, k: int = DEFAULT_K) -> Evaluation:
    """Load a labels file, then evaluate the matcher on the store at `db_path` (which must exist)."""
    labels = load_labels(labels_path)
    if not db_path.exists():
        raise StoreError(
            f"there is no store at {db_path}",
            tip="Import papers first (freshness --db FILE import ...), or pass --db.",
        )
    with Store.open(db_path) as store:
        if store.summary().papers == 0:
            raise StoreError(
                f"the store {db_path} has no papers, so every recall would be 0",
                tip="Import papers first: freshness --db FILE import FILE...",
            )
        return evaluate(store, labels, k=k)


def _score_claim(
    lc: LabeledClaim,
    matches: Sequence[Match],
    negatives: set[str],
    in_store: set[str],
    k: int,
    seconds: float,
) -> ClaimScore:
    top_ids = [m.arxiv_id for m in matches[:k]]
    top = set(top_ids)
    flagged = [m.arxiv_id for m in matches if m.superseding]
    supersedes = {p.arxiv_id for p in lc.papers if p.label == "supersedes"}
    by_label = {label: _ratio([p.arxiv_id in top for p in lc.papers if p.label == label]) for label in LABELS}
    return ClaimScore(
        key=lc.claim.id,
        labeled=len(lc.papers),
        recall_at_k=_ratio([p.arxiv_id in top for p in lc.papers]),
        recall_at_k_by_label=by_label,
        supersession_recall=_ratio([pid in set(flagged) for pid in sorted(supersedes)]),
        negatives_in_top_k=tuple(pid for pid in top_ids if pid in negatives),
        superseding_flags=len(flagged),
        missed=tuple(p.arxiv_id for p in lc.papers if p.arxiv_id not in top),
        false_superseding=tuple(pid for pid in flagged if pid not in supersedes and pid not in lc.unverified),
        not_in_store=tuple(p.arxiv_id for p in lc.papers if p.arxiv_id not in in_store),
        seconds=seconds,
    )


def _ratio(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _perf_counter() -> float:
    import time

    return time.perf_counter()


# -- terminal rendering ------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def render_terminal(ev: Evaluation, console: Console) -> None:
    """Print the per-claim table (readable at 80 columns), then what each claim missed."""
    table = Table(
        title=f"Matcher evaluation: k={ev.k}, {ev.papers_in_store:,} papers in the store",
        caption="R@k: share of labeled papers in the top k; sup/supp/rel: the same by label "
        "(supersedes, supports, related); flagged: share of supersedes papers flagged superseding; "
        "flags: papers flagged superseding (~ median); neg: negatives in the top k",
    )
    table.add_column("claim", no_wrap=True)
    table.add_column("papers", justify="right")
    table.add_column(f"R@{ev.k}", justify="right")
    table.add_column("sup", justify="right")
    table.add_column("supp", justify="right")
    table.add_column("rel", justify="right")
    table.add_column("flagged", justify="right")
    table.add_column("flags", justify="right")
    table.add_column("neg", justify="right")
    for c in ev.claims:
        table.add_row(
            safe(c.key),
            str(c.labeled),
            _pct(c.recall_at_k),
            *(_pct(c.recall_at_k_by_label[label]) for label in LABELS),
            _pct(c.supersession_recall),
            str(c.superseding_flags),
            str(len(c.negatives_in_top_k)),
        )
    table.add_section()
    table.add_row(
        "all",
        str(ev.labeled),
        _pct(ev.recall_at_k),
        *(_pct(ev.recall_at_k_by_label[label]) for label in LABELS),
        _pct(ev.supersession_recall),
        f"~{ev.median_superseding_flags:g}",
        f"{len(ev.negatives_in_top_k)}/{ev.negatives}",
    )
    console.print(table)
    if ev.negatives_in_top_k:
        console.print(f"negatives in a top {ev.k}: {', '.join(ev.negatives_in_top_k)}")
    for c in ev.claims:
        details = []
        if c.missed:
            details.append(f"missed in top {ev.k}: {', '.join(c.missed)}")
        if c.not_in_store:
            details.append(f"not in the store: {', '.join(c.not_in_store)}")
        if c.negatives_in_top_k:
            details.append(f"negatives in top {ev.k}: {', '.join(c.negatives_in_top_k)}")
        if details:
            console.print(f"{safe(c.key)}: " + "; ".join(safe(d) for d in details))
