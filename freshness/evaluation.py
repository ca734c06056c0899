"""Measure the matcher's judgement on labeled claims from one or more labels files: challengers
flagged, flag precision, unknown and wrong flags, on-topic@10, false alarms and recall@k, for the flags
as shipped and for the flag rule fitted leave-one-claim-out (the figures `freshness eval` prints).

The labels format is the one of the shared dev sets (`dev_claims.yaml`); docs/matching.md documents it,
docs/eval.md the figures and the JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.errors import ClaimsError, FreshnessError, Problem, StoreError
from freshness.feedback import simulate
from freshness.flagging import DEFAULT_GRID, FlagExample, FlagGrid, FlagRule, apply_rule, fit_rule
from freshness.matching import match_claim
from freshness.models import Anchor, CitationIndex, Claim, Match
from freshness.store import Store
from freshness.yamlmarks import Marks, compose_marked, locate, to_plain

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


def load_labels(path: Path) -> Labels:
    """Read and validate a labels file; raise LabelsError listing every problem as file:line:col."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelsError([Problem(name, 1, 1, f"cannot read the labels file: {exc}")]) from exc
    node = compose_marked(
        name, text, empty="the labels file is empty; it needs a `claims:` list", error=LabelsError
    )
    # arXiv ids are text: unquoted, YAML would read 2310.03260 as the float 2310.0326.
    data, marks = to_plain(node, keep_text=lambda loc: bool(loc) and loc[-1] == "id")
    try:
        parsed = _LabelsFile.model_validate(data)
    except ValidationError as exc:
        problems = [locate(name, marks, err["loc"], err["msg"]) for err in exc.errors()]
        raise LabelsError(problems) from exc
    return _to_labels(path, parsed, marks)


def _to_labels(path: Path, parsed: _LabelsFile, marks: Marks) -> Labels:
    name = str(path)
    problems: list[Problem] = []

    def base_id(raw: str, loc: tuple[str | int, ...]) -> str | None:
        try:
            return parse_arxiv_id(raw).base
        except ArxivIdError as exc:
            problems.append(locate(name, marks, loc, str(exc)))
            return None

    claims: list[LabeledClaim] = []
    seen_keys: set[str] = set()
    for i, c in enumerate(parsed.claims):
        if c.key in seen_keys:
            problems.append(locate(name, marks, ("claims", i, "key"), f"duplicate claim key {c.key!r}"))
        seen_keys.add(c.key)
        anchors: list[Anchor] = []
        for j, a in enumerate(c.anchors):
            line, col = marks.get(("claims", i, "anchors", j, "id"), (0, 0))
            try:
                anchors.append(Anchor(a.id, parse_arxiv_id(a.id), a.title, line, col))
            except ArxivIdError as exc:
                problems.append(locate(name, marks, ("claims", i, "anchors", j, "id"), str(exc)))
        papers: list[LabeledPaper] = []
        seen_papers: set[str] = set()
        for j, p in enumerate(c.papers):
            loc = ("claims", i, "papers", j, "id")
            pid = base_id(p.id, loc)
            if pid is None:
                continue
            if pid in seen_papers:
                problems.append(locate(name, marks, loc, f"paper {pid} is labeled twice in claim {c.key}"))
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
        key_at = marks.get(("claims", i, "key"), (0, 0))
        claims.append(LabeledClaim(claim, tuple(papers), frozenset(unverified), key_at=key_at))
    keys = [lc.claim.id for lc in claims]
    against: dict[str, set[str]] = {key: set() for key in keys}  # claim key -> its negatives
    negatives: list[str] = []
    for j, n in enumerate(parsed.negatives):
        nid = base_id(n.id, ("negatives", j, "id"))
        if nid is None:
            continue
        negatives.append(nid)
        names = [n.confusable_with] if isinstance(n.confusable_with, str) else n.confusable_with
        if names is None:  # a global negative: against every claim of this file that does not label it
            for lc in claims:
                if nid not in {p.arxiv_id for p in lc.papers}:
                    against[lc.claim.id].add(nid)
            continue
        where: tuple[str | int, ...] = ("negatives", j, "confusable_with")
        for key in names:
            labeled = next((lc for lc in claims if lc.claim.id == key), None)
            if labeled is None:
                problems.append(
                    locate(name, marks, where, f"no claim {key!r} in this file (claims: {', '.join(keys)})")
                )
            elif nid in {p.arxiv_id for p in labeled.papers}:
                problems.append(
                    locate(name, marks, where, f"{nid} is labeled in claim {key} and a negative for it")
                )
            else:
                against[key].add(nid)
    if problems:
        raise LabelsError(problems)
    claims = [dataclasses.replace(lc, negatives=frozenset(against[lc.claim.id])) for lc in claims]
    return Labels(path, tuple(claims), tuple(dict.fromkeys(negatives)))


# -- the metrics -------------------------------------------------------------------------------------

ON_TOPIC_AT = 10  # on-topic@10: what a curator reads first


@dataclass(frozen=True)
class Goal:
    """A target for a headline figure: `metric` `op` `target` (op ">=" or "<=")."""

    metric: str
    op: Literal[">=", "<="]
    target: float

    def met(self, value: float | None) -> bool:
        if value is None:
            return False
        return value >= self.target if self.op == ">=" else value <= self.target


GOALS: tuple[Goal, ...] = (
    Goal("challengers_flagged", ">=", 0.6),
    Goal("flag_precision", ">=", 0.6),
    Goal("on_topic_at_10", ">=", 0.85),
    Goal("median_flags", "<=", 4),
    Goal("false_alarms", "<=", 0),
)


@dataclass(frozen=True)
class Flag:
    """A flagged match and what the labels say of it: supersedes/supports/related, "negative",
    "unverified" (neither right nor wrong) or None (unknown: nobody judged it for this claim)."""

    arxiv_id: str
    title: str
    rank: int
    label: str | None


@dataclass(frozen=True)
class ClaimFlags:
    """One claim's flags one way (as shipped, or by the rule fitted without the claim)."""

    flags: tuple[Flag, ...]
    challengers: int  # papers labeled supersedes, found or not
    rule: FlagRule | None = None  # cross-validated: the rule fitted on the other claims

    @property
    def right(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.label == "supersedes")

    @property
    def wrong(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.label in WRONG)

    @property
    def unknown(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.label is None)

    @property
    def unverified(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.label == "unverified")

    @property
    def challengers_flagged(self) -> float | None:
        return len(self.right) / self.challengers if self.challengers else None

    @property
    def precision(self) -> float | None:
        judged = len(self.right) + len(self.wrong)
        return len(self.right) / judged if judged else None

    @property
    def false_alarm(self) -> bool:
        """No challenger labeled, yet flagged: the claim would be reported possibly_superseded."""
        return self.challengers == 0 and bool(self.flags)


WRONG = frozenset({"supports", "related", "negative"})


@dataclass(frozen=True)
class ClaimScore:
    """One claim's figures; a ratio is None when its denominator is 0."""

    key: str
    file: str
    labeled: int
    recall_at_k: float | None
    recall_at_k_by_label: Mapping[str, float | None]
    on_topic: int  # labeled papers in the top 10
    judged_top: int  # papers in the top 10 that are labeled or a negative for the claim
    negatives_in_top_k: tuple[str, ...]
    missed: tuple[str, ...]
    not_in_store: tuple[str, ...]
    shipped: ClaimFlags
    cv: ClaimFlags
    seconds: float

    @property
    def on_topic_at_10(self) -> float | None:
        return self.on_topic / self.judged_top if self.judged_top else None


@dataclass(frozen=True)
class FlagSummary:
    """Flags pooled over a set of claims, one way of flagging."""

    challengers: int
    right: int
    wrong: int
    flags: int
    unknown: int
    unverified: int
    median_flags: float
    false_alarms: tuple[str, ...]  # claim keys

    @property
    def challengers_flagged(self) -> float | None:
        return self.right / self.challengers if self.challengers else None

    @property
    def precision(self) -> float | None:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else None


@dataclass(frozen=True)
class Summary:
    """The headline figures over a set of claims (one labels file, or all of them)."""

    name: str
    claims: tuple[str, ...]
    labeled: int
    recall_at_k: float | None
    recall_at_k_by_label: Mapping[str, float | None]
    on_topic_at_10: float | None
    negatives: int
    negatives_in_top_k: tuple[str, ...]
    shipped: FlagSummary
    cv: FlagSummary

    def goals(self, mode: Literal["shipped", "cv"]) -> dict[str, bool]:
        flags = self.shipped if mode == "shipped" else self.cv
        values = {
            "challengers_flagged": flags.challengers_flagged,
            "flag_precision": flags.precision,
            "on_topic_at_10": self.on_topic_at_10,
            "median_flags": flags.median_flags,
            "false_alarms": float(len(flags.false_alarms)),
        }
        return {g.metric: g.met(values[g.metric]) for g in GOALS}


@dataclass(frozen=True)
class CitationUse:
    """A recorded-citations file the matcher was given: how much of it touched the labeled claims."""

    file: str
    anchors: int  # anchors in the file
    edges: int  # (anchor, citing paper) pairs in the file
    claim_anchors: int  # the labeled claims' anchors the file lists citing papers for
    edges_in_store: int  # edges to those anchors whose citing paper is in the store

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def line(self) -> str:
        return (
            f"citations ({self.file}): {self.edges} edge(s) to {self.anchors} anchor(s), "
            f"{self.claim_anchors} of the claims' anchors; {self.edges_in_store} citing paper(s) in the store"
        )


@dataclass(frozen=True)
class Evaluation:
    k: int
    papers_in_store: int
    claims: tuple[ClaimScore, ...]
    overall: Summary
    by_file: tuple[Summary, ...]
    citations: CitationUse | None = None  # --citations FILE: what the recording held
    feedback: tuple[FeedbackRound, ...] = ()  # --feedback N: one round per N, in the order asked

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape documented in docs/eval.md (schema version 2; `citations` only with
        --citations)."""
        extra: dict[str, Any] = {"citations": self.citations.to_json()} if self.citations else {}
        if self.feedback:
            extra["feedback"] = [r.to_json() for r in self.feedback]
        return {
            "schema_version": 2,
            "k": self.k,
            "store": {"papers": self.papers_in_store},
            **extra,
            "files": [s.name for s in self.by_file],
            "goals": [{"metric": g.metric, "op": g.op, "target": g.target} for g in GOALS],
            "overall": _summary_json(self.overall),
            "by_file": [_summary_json(s) for s in self.by_file],
            "claims": [_claim_json(c) for c in self.claims],
        }


Matcher = Callable[[Store, Claim], list[Match]]


def evaluate(
    store: Store,
    labels: Sequence[Labels],
    *,
    k: int = DEFAULT_K,
    matcher: Matcher | None = None,
    grid: FlagGrid = DEFAULT_GRID,
    clock: Callable[[], float] | None = None,
    citations: CitationIndex | None = None,
    citations_file: str = "",
    feedback: Sequence[int] = (),
) -> Evaluation:
    """Run the matcher once per labeled claim of every file (default: `match_claim` for
    max(RESULTS_LIMIT, k) matches), then score its flags as shipped and with the flag rule fitted
    leave-one-claim-out (`fit_rule` on the other claims of all files, applied to the held-out one).
    `citations` (read from `citations_file`): who cites the anchors, handed to the default matcher.
    `feedback`: numbers of simulated decisions per claim (`freshness eval --feedback N`), each scored
    on the papers not decided, with the held-out claim's rule (N = 0 is the matcher alone)."""
    if k < 1:
        raise FreshnessError(f"--k must be at least 1 (got {k})")
    if not labels:
        raise FreshnessError("no labels file to evaluate")
    _check_unique_keys(labels)
    if matcher is None:
        limit = max(RESULTS_LIMIT, k)

        def matcher(store: Store, claim: Claim) -> list[Match]:
            return match_claim(store, claim, limit=limit, citations=citations)

    tick = clock or _perf_counter
    claims = [(lab.path, lc) for lab in labels for lc in lab.claims]
    all_ids = {p.arxiv_id for _, lc in claims for p in lc.papers}
    in_store = set(store.get_papers(sorted(all_ids)))
    results: list[tuple[list[Match], float]] = []
    for _, lc in claims:
        start = tick()
        matches = matcher(store, lc.claim)
        results.append((matches, tick() - start))
    examples = [_example(lc, matches) for (_, lc), (matches, _) in zip(claims, results, strict=True)]
    scores: list[ClaimScore] = []
    rules: list[FlagRule] = []
    for i, ((path, lc), (matches, seconds)) in enumerate(zip(claims, results, strict=True)):
        rule = fit_rule(examples[:i] + examples[i + 1 :], grid=grid)
        rules.append(rule)
        shipped = _claim_flags(lc, matches)
        cv = dataclasses.replace(_claim_flags(lc, apply_rule(matches, rule)), rule=rule)
        scores.append(_score_claim(str(path), lc, matches, in_store, k, shipped, cv, seconds))
    by_file = tuple(
        _summarise(str(lab.path), [s for s in scores if s.file == str(lab.path)], [lab]) for lab in labels
    )
    return Evaluation(
        k=k,
        papers_in_store=store.summary().papers,
        claims=tuple(scores),
        overall=_summarise("all", scores, labels),
        by_file=by_file,
        citations=None if citations is None else _citation_use(store, citations, claims, citations_file),
        feedback=_feedback(store, labels, claims, [m for m, _ in results], rules, feedback),
    )


@dataclass(frozen=True)
class FeedbackClaim:
    """One claim after `n` simulated decisions: the papers decided, and the flags and top 10 of the
    rest, learned from the decisions and (`control`) with the same papers decided but nothing learned."""

    key: str
    file: str
    revealed: tuple[tuple[str, str], ...]  # (arXiv id, label) in the order decided
    learned: ClaimFlags
    control: ClaimFlags
    on_topic: tuple[int, int]  # learned: labeled papers in the top 10, papers judged there
    control_on_topic: tuple[int, int]


@dataclass(frozen=True)
class FeedbackSummary:
    """`n` simulated decisions per claim, pooled over a set of claims (one file, or all)."""

    name: str
    learned: FlagSummary
    control: FlagSummary
    on_topic_at_10: float | None
    control_on_topic_at_10: float | None
    revealed: int  # decisions made
    revealed_challengers: int  # of them, confirmations


@dataclass(frozen=True)
class FeedbackRound:
    n: int
    claims: tuple[FeedbackClaim, ...]
    overall: FeedbackSummary
    by_file: tuple[FeedbackSummary, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "overall": _feedback_summary_json(self.overall),
            "by_file": [_feedback_summary_json(s) for s in self.by_file],
            "claims": [
                {
                    "key": c.key,
                    "file": c.file,
                    "revealed": [{"id": pid, "label": label} for pid, label in c.revealed],
                    "learned": _claim_flags_json(c.learned),
                    "control": _claim_flags_json(c.control),
                }
                for c in self.claims
            ],
        }


def _feedback(
    store: Store,
    labels: Sequence[Labels],
    claims: Sequence[tuple[Path, LabeledClaim]],
    matches: Sequence[Sequence[Match]],
    rules: Sequence[FlagRule],
    rounds: Sequence[int],
) -> tuple[FeedbackRound, ...]:
    """Each round: every claim after N decisions of a simulated curator (`feedback.simulate`), with
    the rule fitted without it; scored on the papers not decided."""
    if not rounds:
        return ()
    if any(n < 0 for n in rounds):
        raise FreshnessError(f"--feedback must be 0 or more (got {min(rounds)})")
    papers = store.get_papers(sorted({m.arxiv_id for ms in matches for m in ms}))
    texts = {pid: f"{p.title}\n{p.abstract}" for pid, p in papers.items()}
    out = []
    for n in rounds:
        scored = [
            _feedback_claim(path, lc, apply_rule(ms, rule), texts, n, rule)
            for (path, lc), ms, rule in zip(claims, matches, rules, strict=True)
        ]
        by_file = tuple(
            _feedback_summary(str(lab.path), [c for c in scored if c.file == str(lab.path)]) for lab in labels
        )
        out.append(FeedbackRound(n, tuple(scored), _feedback_summary("all", scored), by_file))
    return tuple(out)


def _feedback_claim(
    path: Path, lc: LabeledClaim, matches: Sequence[Match], texts: Mapping[str, str], n: int, rule: FlagRule
) -> FeedbackClaim:
    run = simulate(lc.claim, matches, texts, lc.label_of, n, rule)
    decided = {e.arxiv_id for e in run.revealed}
    challengers = sum(p.label == "supersedes" and p.arxiv_id not in decided for p in lc.papers)

    def flags(rest: Sequence[Match]) -> ClaimFlags:
        found = tuple(
            Flag(m.arxiv_id, m.title, rank, lc.label_of(m.arxiv_id))
            for rank, m in enumerate(rest, start=1)
            if m.superseding
        )
        return ClaimFlags(found, challengers, rule)

    def top(rest: Sequence[Match]) -> tuple[int, int]:
        first = [lc.label_of(m.arxiv_id) for m in rest[:ON_TOPIC_AT]]
        return sum(x in LABELS for x in first), sum(x in LABELS or x == "negative" for x in first)

    return FeedbackClaim(
        key=lc.claim.id,
        file=str(path),
        revealed=tuple((e.arxiv_id, str(lc.label_of(e.arxiv_id))) for e in run.revealed),
        learned=flags(run.learned),
        control=flags(run.control),
        on_topic=top(run.learned),
        control_on_topic=top(run.control),
    )


def _feedback_summary(name: str, claims: Sequence[FeedbackClaim]) -> FeedbackSummary:
    keys = [c.key for c in claims]

    def share(pairs: Sequence[tuple[int, int]]) -> float | None:
        judged = sum(j for _, j in pairs)
        return sum(o for o, _ in pairs) / judged if judged else None

    return FeedbackSummary(
        name=name,
        learned=pool_flags(keys, [c.learned for c in claims]),
        control=pool_flags(keys, [c.control for c in claims]),
        on_topic_at_10=share([c.on_topic for c in claims]),
        control_on_topic_at_10=share([c.control_on_topic for c in claims]),
        revealed=sum(len(c.revealed) for c in claims),
        revealed_challengers=sum(label == "supersedes" for c in claims for _, label in c.revealed),
    )


def _feedback_summary_json(s: FeedbackSummary) -> dict[str, Any]:
    def flags(f: FlagSummary) -> dict[str, Any]:
        return {
            "challengers": f.challengers,
            "challengers_flagged": _round(f.challengers_flagged),
            "flag_precision": _round(f.precision),
            "flags": f.flags,
            "right_flags": f.right,
            "wrong_flags": f.wrong,
            "unknown_flags": f.unknown,
            "median_flags": f.median_flags,
        }

    return {
        "name": s.name,
        "decisions": s.revealed,
        "confirmed": s.revealed_challengers,
        "learned": {**flags(s.learned), "on_topic_at_10": _round(s.on_topic_at_10)},
        "control": {**flags(s.control), "on_topic_at_10": _round(s.control_on_topic_at_10)},
    }


def _citation_use(
    store: Store, citations: CitationIndex, claims: Sequence[tuple[Path, LabeledClaim]], file: str
) -> CitationUse:
    anchors = {a.arxiv_id.base for _, lc in claims for a in lc.claim.anchors if a.arxiv_id}
    touched = [a for a in anchors if citations.by_anchor.get(a)]
    in_store = set(store.get_papers(sorted({c for a in touched for c in citations.by_anchor[a]})))
    return CitationUse(
        file=file,
        anchors=sum(1 for edges in citations.by_anchor.values() if edges),
        edges=sum(len(edges) for edges in citations.by_anchor.values()),
        claim_anchors=len(touched),
        edges_in_store=sum(1 for a in touched for c in citations.by_anchor[a] if c in in_store),
    )


def evaluate_files(
    labels_paths: Sequence[Path],
    db_path: Path,
    *,
    k: int = DEFAULT_K,
    citations_path: Path | None = None,
    feedback: Sequence[int] = (),
) -> Evaluation:
    """Load the labels files (and the recorded-citations file, when given), then evaluate the matcher
    on the store at `db_path` (which must exist)."""
    labels = [load_labels(path) for path in labels_paths]
    citations = None
    if citations_path is not None:
        from freshness.citations.recorded import load_recorded_citations

        citations = load_recorded_citations(citations_path)
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
        return evaluate(
            store,
            labels,
            k=k,
            citations=citations,
            citations_file=str(citations_path or ""),
            feedback=feedback,
        )


def _check_unique_keys(labels: Sequence[Labels]) -> None:
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


def _example(lc: LabeledClaim, matches: Sequence[Match]) -> FlagExample:
    supersedes = frozenset(p.arxiv_id for p in lc.papers if p.label == "supersedes")
    wrong = frozenset(m.arxiv_id for m in matches if lc.label_of(m.arxiv_id) in WRONG)
    return FlagExample(matches, supersedes, wrong)


def _claim_flags(lc: LabeledClaim, matches: Sequence[Match]) -> ClaimFlags:
    flags = tuple(
        Flag(m.arxiv_id, m.title, rank, lc.label_of(m.arxiv_id))
        for rank, m in enumerate(matches, start=1)
        if m.superseding
    )
    return ClaimFlags(flags, sum(p.label == "supersedes" for p in lc.papers))


def _score_claim(
    file: str,
    lc: LabeledClaim,
    matches: Sequence[Match],
    in_store: set[str],
    k: int,
    shipped: ClaimFlags,
    cv: ClaimFlags,
    seconds: float,
) -> ClaimScore:
    top_ids = [m.arxiv_id for m in matches[:k]]
    top = set(top_ids)
    by_label = {label: _ratio([p.arxiv_id in top for p in lc.papers if p.label == label]) for label in LABELS}
    first = [lc.label_of(m.arxiv_id) for m in matches[:ON_TOPIC_AT]]
    return ClaimScore(
        key=lc.claim.id,
        file=file,
        labeled=len(lc.papers),
        recall_at_k=_ratio([p.arxiv_id in top for p in lc.papers]),
        recall_at_k_by_label=by_label,
        on_topic=sum(label in LABELS for label in first),
        judged_top=sum(label in LABELS or label == "negative" for label in first),
        negatives_in_top_k=tuple(pid for pid in top_ids if pid in lc.negatives),
        missed=tuple(p.arxiv_id for p in lc.papers if p.arxiv_id not in top),
        not_in_store=tuple(p.arxiv_id for p in lc.papers if p.arxiv_id not in in_store),
        shipped=shipped,
        cv=cv,
        seconds=seconds,
    )


def _summarise(name: str, scores: Sequence[ClaimScore], labels: Sequence[Labels]) -> Summary:
    """Pooled over the claims (sums of counts, not means of per-claim ratios); the median is per claim."""
    claims = {lc.claim.id: lc for lab in labels for lc in lab.claims}
    hits: dict[str, list[bool]] = {label: [] for label in LABELS}
    for s in scores:
        lc = claims[s.key]
        for p in lc.papers:
            hits[p.label].append(p.arxiv_id not in s.missed)
    every = [hit for label in LABELS for hit in hits[label]]
    judged_top = sum(s.judged_top for s in scores)
    keys = [s.key for s in scores]

    def pool(flags: Sequence[ClaimFlags]) -> FlagSummary:
        return pool_flags(keys, flags)

    return Summary(
        name=name,
        claims=tuple(s.key for s in scores),
        labeled=len(every),
        recall_at_k=_ratio(every),
        recall_at_k_by_label={label: _ratio(hits[label]) for label in LABELS},
        on_topic_at_10=sum(s.on_topic for s in scores) / judged_top if judged_top else None,
        negatives=len({nid for lab in labels for nid in lab.negatives}),
        negatives_in_top_k=tuple(sorted({nid for s in scores for nid in s.negatives_in_top_k})),
        shipped=pool([s.shipped for s in scores]),
        cv=pool([s.cv for s in scores]),
    )


def pool_flags(keys: Sequence[str], flags: Sequence[ClaimFlags]) -> FlagSummary:
    """The flags of the claims `keys` pooled: sums of counts, the median of flags per claim."""
    return FlagSummary(
        challengers=sum(f.challengers for f in flags),
        right=sum(len(f.right) for f in flags),
        wrong=sum(len(f.wrong) for f in flags),
        flags=sum(len(f.flags) for f in flags),
        unknown=sum(len(f.unknown) for f in flags),
        unverified=sum(len(f.unverified) for f in flags),
        median_flags=float(statistics.median(len(f.flags) for f in flags)) if flags else 0.0,
        false_alarms=tuple(k for k, f in zip(keys, flags, strict=True) if f.false_alarm),
    )


def _ratio(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _perf_counter() -> float:
    import time

    return time.perf_counter()


# -- JSON --------------------------------------------------------------------------------------------


def _rule_json(rule: FlagRule) -> dict[str, Any]:
    return {"min_confidence": rule.min_confidence, "max_rank": rule.max_rank, "min_score": rule.min_score}


def _flag_summary_json(s: Summary, mode: Literal["shipped", "cv"]) -> dict[str, Any]:
    f = s.shipped if mode == "shipped" else s.cv
    return {
        "challengers": f.challengers,
        "challengers_flagged": _round(f.challengers_flagged),
        "flag_precision": _round(f.precision),
        "flags": f.flags,
        "right_flags": f.right,
        "wrong_flags": f.wrong,
        "unknown_flags": f.unknown,
        "unverified_flags": f.unverified,
        "median_flags": f.median_flags,
        "false_alarms": list(f.false_alarms),
        "goals_met": s.goals(mode),
    }


def _summary_json(s: Summary) -> dict[str, Any]:
    return {
        "name": s.name,
        "claims": list(s.claims),
        "labeled": s.labeled,
        "recall_at_k": _round(s.recall_at_k),
        "recall_at_k_by_label": {k: _round(v) for k, v in s.recall_at_k_by_label.items()},
        "on_topic_at_10": _round(s.on_topic_at_10),
        "negatives": s.negatives,
        "negatives_in_top_k": list(s.negatives_in_top_k),
        "shipped": _flag_summary_json(s, "shipped"),
        "cv": _flag_summary_json(s, "cv"),
    }


def _claim_flags_json(f: ClaimFlags) -> dict[str, Any]:
    out: dict[str, Any] = {
        "challengers": f.challengers,
        "challengers_flagged": _round(f.challengers_flagged),
        "flag_precision": _round(f.precision),
        "false_alarm": f.false_alarm,
        "flags": [{"id": x.arxiv_id, "rank": x.rank, "label": x.label, "title": x.title} for x in f.flags],
    }
    if f.rule is not None:
        out["rule"] = _rule_json(f.rule)
    return out


def _claim_json(c: ClaimScore) -> dict[str, Any]:
    return {
        "key": c.key,
        "file": c.file,
        "labeled": c.labeled,
        "recall_at_k": _round(c.recall_at_k),
        "recall_at_k_by_label": {k: _round(v) for k, v in c.recall_at_k_by_label.items()},
        "on_topic_at_10": _round(c.on_topic_at_10),
        "negatives_in_top_k": list(c.negatives_in_top_k),
        "missed": list(c.missed),
        "not_in_store": list(c.not_in_store),
        "shipped": _claim_flags_json(c.shipped),
        "cv": _claim_flags_json(c.cv),
    }
