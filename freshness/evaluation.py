"""Measure the matcher's judgement on labeled claims from one or more labels files: challengers
flagged, flag precision, unknown and wrong flags, on-topic@10, false alarms and recall@k, for the flags
as shipped and for the flag rule fitted leave-one-claim-out (the figures `freshness eval` prints).

The labels file is read by labels.py, the figures are values of eval_figures.py, the --feedback rounds
are scored by eval_feedback.py and the JSON is shaped by eval_json.py; docs/eval.md documents the
figures and the JSON.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from freshness.errors import FreshnessError, StoreError
from freshness.eval_feedback import FeedbackRound, feedback_rounds
from freshness.eval_figures import (
    WRONG,
    ClaimFlags,
    ClaimScore,
    FlagSummary,
    Summary,
    count_on_topic,
    flags_of,
    pool_flags,
)
from freshness.eval_json import evaluation_json
from freshness.flagging import DEFAULT_GRID, FlagExample, FlagGrid, FlagRule, apply_rule, fit_rule
from freshness.labels import LABELS, LabeledClaim, Labels, check_unique_keys, load_labels
from freshness.matching import match_claim
from freshness.models import CitationIndex, Claim, Match
from freshness.store import Store

DEFAULT_K = 20
RESULTS_LIMIT = 50  # how many matches `eval` asks for; supersession is looked for in all of them


@dataclass(frozen=True)
class CitationUse:
    """A recorded-citations file the matcher was given: how much of it touched the labeled claims."""

    file: str
    anchors: int  # anchors in the file
    edges: int  # (anchor, citing paper) pairs in the file
    claim_anchors: int  # the labeled claims' anchors the file lists citing papers for
    edges_in_store: int  # edges to those anchors whose citing paper is in the store

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
        return evaluation_json(self)


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
    check_unique_keys(labels)
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
        feedback=feedback_rounds(store, labels, claims, [m for m, _ in results], rules, feedback),
    )


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


def _example(lc: LabeledClaim, matches: Sequence[Match]) -> FlagExample:
    supersedes = frozenset(p.arxiv_id for p in lc.papers if p.label == "supersedes")
    wrong = frozenset(m.arxiv_id for m in matches if lc.label_of(m.arxiv_id) in WRONG)
    return FlagExample(matches, supersedes, wrong)


def _claim_flags(lc: LabeledClaim, matches: Sequence[Match]) -> ClaimFlags:
    return ClaimFlags(flags_of(matches, lc.label_of), sum(p.label == "supersedes" for p in lc.papers))


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
    labeled_top, judged_top = count_on_topic(matches, lc.label_of)
    return ClaimScore(
        key=lc.claim.id,
        file=file,
        labeled=len(lc.papers),
        recall_at_k=_ratio([p.arxiv_id in top for p in lc.papers]),
        recall_at_k_by_label=by_label,
        on_topic=labeled_top,
        judged_top=judged_top,
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


def _ratio(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _perf_counter() -> float:
    import time

    return time.perf_counter()
