"""A person's decisions on claims: recording them, what is in force, and applying them to a verdict.

Decisions are kept per claim id and arXiv id without version, never per stored row, so they survive
re-imports and re-polls; rows are never changed, the latest decision on a paper wins, and `undo` takes
the one in force back. Paper decisions (confirm, dismiss, mark relevant / not relevant) are also what
the claim learns from (`learning.learn`); snooze and reviewed concern the claim as a whole.

A claim meets them twice on its way to a verdict (`assess.build_report`): `effective_claim` before
matching (a review moves its clock), `settle` after it (learning, the papers shaped, the velocity
recounted); the `Decided` it returns finishes the verdict (`Decided.applied_to`). After a nightly run,
`triage` says which claims need a person now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.errors import FreshnessError
from freshness.flagging import FlagRule
from freshness.history import ClaimChange
from freshness.learning import Example, Teaching, learn
from freshness.models import Claim, ClaimStatus, DecisionKind, Match, Paper, Stance, Velocity, Verdict
from freshness.store import Store, StoredDecision

CONFIRMED_EVIDENCE = "confirmed as superseding by a person (freshness confirm)"
CONFIRMED_TARGET = "confirmed by you"  # what a confirmed paper's challenge is marked with
RELEVANT_EVIDENCE = "marked relevant by a person: on topic, not a challenge (freshness mark)"

# What each paper decision teaches the claim, and how the evidence says who decided.
TEACHINGS: Mapping[DecisionKind, tuple[Teaching, str]] = MappingProxyType(
    {
        DecisionKind.CONFIRM: (Teaching.CHALLENGE, "you confirmed"),
        DecisionKind.RELEVANT: (Teaching.NOT_CHALLENGE, "you marked relevant"),
        DecisionKind.NOT_RELEVANT: (Teaching.OFF_TOPIC, "you marked not relevant"),
        DecisionKind.DISMISS: (Teaching.OFF_TOPIC, "you dismissed"),
    }
)


class TriageError(FreshnessError):
    """A triage command names an unknown claim, a malformed arXiv id or an impossible date."""


@dataclass(frozen=True)
class ClaimDecisions:
    """The decisions in force for one claim."""

    dismissed: frozenset[str] = frozenset()  # base arXiv ids never to flag again
    confirmed: tuple[str, ...] = ()  # base arXiv ids that supersede the claim, latest first
    snoozed_until: dt.date | None = None
    reviewed_on: dt.date | None = None
    dismiss_reasons: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    relevant: frozenset[str] = frozenset()  # on topic, not a challenge: kept, never flagged
    not_relevant: frozenset[str] = frozenset()  # off topic: left out of the matches
    # Every paper decision in force, oldest first: what the claim learns from (a confirmation a review
    # settled still teaches).
    examples: tuple[Example, ...] = ()

    def snoozed(self, today: dt.date) -> bool:
        """True while the claim needs no attention (before the snooze date)."""
        return self.snoozed_until is not None and today < self.snoozed_until

    @property
    def hidden(self) -> frozenset[str]:
        """Papers left out of the claim's matches: dismissed or marked not relevant."""
        return self.dismissed | self.not_relevant

    def notes(self, today: dt.date) -> tuple[str, ...]:
        """One line per decision in force, for the claim's reasons in every report."""
        lines = []
        if self.snoozed(today):
            lines.append(f"snoozed until {self.snoozed_until}: needs no attention before then")
        if self.reviewed_on is not None:
            lines.append(
                f"reviewed by a person on {self.reviewed_on}: its age and newer work count from then"
            )
        if self.confirmed:
            lines.append("confirmed as superseding by a person: " + ", ".join(self.confirmed))
        if self.dismissed:
            lines.append("dismissed by a person (not flagged again): " + ", ".join(sorted(self.dismissed)))
        if self.relevant:
            lines.append("marked relevant, not a challenge, by a person: " + ", ".join(sorted(self.relevant)))
        if self.not_relevant:
            lines.append("marked not relevant by a person: " + ", ".join(sorted(self.not_relevant)))
        return tuple(lines)


NO_DECISIONS = ClaimDecisions()


@dataclass(frozen=True)
class Decisions:
    """Every claim's decisions in force, by claim id."""

    by_claim: Mapping[str, ClaimDecisions] = field(default_factory=lambda: MappingProxyType({}))

    def for_claim(self, claim_id: str) -> ClaimDecisions:
        return self.by_claim.get(claim_id, NO_DECISIONS)


def load_decisions(store: Store) -> Decisions:
    """The decisions in force for every claim (replaying them oldest first: the latest wins)."""
    grouped: dict[str, list[StoredDecision]] = {}
    for decision in store.get_decisions():
        grouped.setdefault(decision.claim_id, []).append(decision)
    return Decisions(MappingProxyType({cid: fold(ds) for cid, ds in grouped.items()}))


def fold(decisions: Iterable[StoredDecision]) -> ClaimDecisions:
    """One claim's decisions, oldest first, replayed into what is in force."""
    papers: dict[str, StoredDecision] = {}  # arxiv id -> its decision in force, in decision order
    settled: set[str] = set()  # confirmations a review settled: they teach but no longer force a flag
    snoozed_until: dt.date | None = None
    reviewed_on: dt.date | None = None
    for d in decisions:
        if d.kind.about_paper and d.arxiv_id:
            papers.pop(d.arxiv_id, None)  # re-insert so dict order is decision order
            settled.discard(d.arxiv_id)
            if d.kind is not DecisionKind.UNDO:
                papers[d.arxiv_id] = d
        elif d.kind is DecisionKind.SNOOZE:
            snoozed_until = d.until
        elif d.kind is DecisionKind.REVIEWED:
            reviewed_on = d.until
            # A review re-checked the claim with what was confirmed so far: those confirmations are
            # settled and stop forcing the claim to "possibly superseded" (dismissals stay).
            settled |= {k for k, v in papers.items() if v.kind is DecisionKind.CONFIRM}

    def of(kind: DecisionKind) -> list[str]:
        return [k for k, v in papers.items() if v.kind is kind and k not in settled]

    return ClaimDecisions(
        dismissed=frozenset(of(DecisionKind.DISMISS)),
        confirmed=tuple(reversed(of(DecisionKind.CONFIRM))),
        snoozed_until=snoozed_until,
        reviewed_on=reviewed_on,
        dismiss_reasons=MappingProxyType({k: papers[k].reason or "" for k in of(DecisionKind.DISMISS)}),
        relevant=frozenset(of(DecisionKind.RELEVANT)),
        not_relevant=frozenset(of(DecisionKind.NOT_RELEVANT)),
        examples=tuple(Example(k, *TEACHINGS[v.kind]) for k, v in papers.items()),
    )


def decide(
    store: Store,
    claims: Sequence[Claim],
    claim_id: str,
    kind: DecisionKind,
    *,
    now: dt.datetime,
    today: dt.date,
    arxiv_id: str | None = None,
    reason: str | None = None,
    until: dt.date | None = None,
) -> StoredDecision:
    """Validate (`check_decision`) and record (`record_decision`) one decision. `until`: the snooze
    date, or the review date (default today).

    Raises TriageError for an unknown claim, a malformed or missing arXiv id, a bad date, or an undo
    with nothing to undo.
    """
    base, until = check_decision(claims, claim_id, kind, today=today, arxiv_id=arxiv_id, until=until)
    return record_decision(store, claim_id, kind, now=now, arxiv_id=base, until=until, reason=reason)


def record_decision(
    store: Store,
    claim_id: str,
    kind: DecisionKind,
    *,
    now: dt.datetime,
    arxiv_id: str | None,
    until: dt.date | None,
    reason: str | None = None,
) -> StoredDecision:
    """Record a decision `check_decision` passed (`arxiv_id` as it returned it: the base id). An undo
    needs a decision in force on that paper (TriageError otherwise)."""
    if kind is DecisionKind.UNDO and arxiv_id not in {
        e.arxiv_id for e in fold(store.get_decisions(claim_id)).examples
    }:
        raise TriageError(
            f"no decision on {arxiv_id} for {claim_id} to undo",
            tip=f"`freshness history {claim_id}` lists the decisions in force.",
        )
    return store.add_decision(claim_id, kind, now=now, arxiv_id=arxiv_id, reason=reason, until=until)


def check_decision(
    claims: Sequence[Claim],
    claim_id: str,
    kind: DecisionKind,
    *,
    today: dt.date,
    arxiv_id: str | None = None,
    until: dt.date | None = None,
) -> tuple[str | None, dt.date | None]:
    """What a decision's input says without the store: (the paper's base arXiv id, the date it
    holds until), or TriageError for an unknown claim, a malformed or missing id, or a bad date. The
    CLI asks before it opens the store, so bad input creates nothing."""
    known = {c.id for c in claims}
    if claim_id not in known:
        hint = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
        raise TriageError(
            f"no claim {claim_id!r} in the claims file",
            tip=f"Use one of the claim ids in the claims file: {hint}" if known else None,
        )
    base: str | None = None
    if kind.about_paper:
        if not arxiv_id:
            raise TriageError(f"{kind.words} needs an arXiv id")
        try:
            base = parse_arxiv_id(arxiv_id).base  # decisions hold for every version of the paper
        except ArxivIdError as exc:
            raise TriageError(str(exc)) from None
    if kind is DecisionKind.SNOOZE:
        if until is None:
            raise TriageError("snooze needs a date (--until YYYY-MM-DD)")
        if until < today:
            raise TriageError(f"--until {until} is in the past (today is {today})")
    if kind is DecisionKind.REVIEWED:
        until = until or today
        if until > today:
            raise TriageError(f"--date {until} is in the future (today is {today})")
    return base, until


# -- applying decisions to a claim ---------------------------------------------------------------------


def effective_claim(claim: Claim, decisions: ClaimDecisions) -> Claim:
    """The claim as judged: a later review date moves its freshness clock (age, "newer" cut-off)."""
    if decisions.reviewed_on is not None and decisions.reviewed_on > claim.date:
        return dataclasses.replace(claim, date=decisions.reviewed_on)
    return claim


def shape_matches(
    matches: Sequence[Match], decisions: ClaimDecisions, confirmed_papers: Mapping[str, Paper]
) -> tuple[Match, ...]:
    """Dismissed and not-relevant papers removed; papers marked relevant kept, never flagged; confirmed
    ones first, superseding, even when the matcher missed them (their `Paper` from `confirmed_papers`;
    a confirmed id not in the store is left out)."""
    by_id = {m.arxiv_id: m for m in matches}
    top = []
    for arxiv_id in decisions.confirmed:
        found = by_id.get(arxiv_id)
        if found is not None:
            top.append(_confirmed(found))
        elif (paper := confirmed_papers.get(arxiv_id)) is not None:
            top.append(_confirmed(Match(arxiv_id, paper.title, paper.published, 100.0, True, evidence=())))
    rest = [
        _relevant(m) if m.arxiv_id in decisions.relevant else m
        for m in matches
        if m.arxiv_id not in decisions.hidden and m.arxiv_id not in decisions.confirmed
    ]
    return (*top, *rest)


def _confirmed(match: Match) -> Match:
    """A paper a person confirmed: a challenge they are sure of. The matcher's challenging sentence
    and target are kept when it found one; a sentence it read as support is not quoted as a challenge."""
    challenged = match.stance is Stance.CHALLENGES
    target = match.stance_target if challenged and match.stance_target else "the claim"
    return dataclasses.replace(
        match,
        superseding=True,
        evidence=(CONFIRMED_EVIDENCE, *match.evidence),
        stance=Stance.CHALLENGES,
        confidence=1.0,
        stance_sentence=match.stance_sentence if challenged else None,
        stance_target=f"{target} ({CONFIRMED_TARGET})",
    )


def _relevant(match: Match) -> Match:
    """A paper a person marked on topic but not a challenge: listed as related work, never flagged."""
    return dataclasses.replace(
        match,
        superseding=False,
        evidence=(RELEVANT_EVIDENCE, *match.evidence),
        stance=Stance.RELATED if match.stance is Stance.CHALLENGES else match.stance,
        confidence=0.0 if match.stance is Stance.CHALLENGES else match.confidence,
        stance_sentence=None if match.stance is Stance.CHALLENGES else match.stance_sentence,
        stance_target=None if match.stance is Stance.CHALLENGES else match.stance_target,
    )


@dataclass(frozen=True)
class Decided:
    """A claim's matches and velocity once its decisions are applied, and the reasons they add."""

    claim: Claim  # as written (the verdict is reported on it, not on its reviewed date)
    matches: tuple[Match, ...]
    velocity: Velocity
    reasons: tuple[str, ...]  # the decisions in force, then what the claim learned from them

    def applied_to(self, verdict: Verdict) -> Verdict:
        """The verdict as reported: on the claim as written, with the decisions in its reasons."""
        return dataclasses.replace(verdict, claim=self.claim, reasons=(*verdict.reasons, *self.reasons))


def settle(
    store: Store,
    claim: Claim,
    judged: Claim,
    matches: Sequence[Match],
    velocity: Velocity,
    decisions: ClaimDecisions,
    *,
    today: dt.date,
    rule: FlagRule,
    keep: int,
) -> Decided:
    """After matching, before judging: `matches` (of `judged`, the claim as judged) re-ranked and
    re-flagged by what the claim learned from its paper decisions, dismissed and off-topic papers gone,
    confirmed ones first and superseding; the velocity's "N challenge it" recounted on what is left
    (a dismissed paper must not challenge it, a confirmed one does); at least `keep` matches kept."""
    # One read of the papers: the matches' and the decided ones' texts to learn from, the confirmed
    # ones (always among the decided) to pin even when the matcher missed them.
    ids = sorted({m.arxiv_id for m in matches} | {e.arxiv_id for e in decisions.examples})
    papers = store.get_papers(ids) if decisions.examples else {}
    texts = {pid: f"{p.title}\n{p.abstract}" for pid, p in papers.items()}
    lesson = learn(judged, matches, texts, decisions.examples, rule=rule)
    every = shape_matches(lesson.matches, decisions, papers)
    velocity = dataclasses.replace(
        velocity,
        challenging=sum(m.superseding and velocity.since < m.published <= velocity.until for m in every),
    )
    kept = every[: max(keep, len(decisions.confirmed))]
    return Decided(claim, kept, velocity, (*decisions.notes(today), *lesson.notes))


# -- what needs a person after a run ---------------------------------------------------------------


def triage(
    changes: Sequence[ClaimChange], verdicts: Sequence[Verdict], decisions: Decisions, today: dt.date
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(claims needing attention, claims that would but are snoozed): the nightly run exits 1 on the first.

    A claim needs attention when it newly became possibly superseded or anchor-broken, or gained a
    superseding candidate a person has not confirmed. A claim superseded only by papers a person
    confirmed does not: they already know.
    """
    by_id = {v.claim.id: v for v in verdicts}
    attention: list[str] = []
    snoozed: list[str] = []
    for change in changes:
        verdict = by_id.get(change.claim_id)
        if verdict is None or change.after is None:
            continue
        mine = decisions.for_claim(change.claim_id)
        newly = change.after.raises_alarm and change.before is not change.after
        if newly and change.after is ClaimStatus.POSSIBLY_SUPERSEDED:
            superseding = {m.arxiv_id for m in verdict.matches if m.superseding}
            newly = not superseding <= set(mine.confirmed)
        candidates = [m for m in change.new_superseding if m.arxiv_id not in mine.confirmed]
        if newly or candidates:
            (snoozed if mine.snoozed(today) else attention).append(change.claim_id)
    return tuple(attention), tuple(snoozed)


def describe_decision(d: StoredDecision) -> str:
    """One sentence saying what a recorded decision does."""
    what = {
        DecisionKind.DISMISS: f"dismissed {d.arxiv_id}; it will not be flagged for this claim again",
        DecisionKind.CONFIRM: f"confirmed {d.arxiv_id} as superseding; it leads the claim's matches",
        DecisionKind.SNOOZE: f"snoozed until {d.until}; it needs no attention before then",
        DecisionKind.REVIEWED: f"reviewed on {d.until}; its age and newer work count from then",
        DecisionKind.RELEVANT: (
            f"marked {d.arxiv_id} relevant but not a challenge; it is never flagged, and papers like it "
            "are not flagged unless more like a confirmed one"
        ),
        DecisionKind.NOT_RELEVANT: (
            f"marked {d.arxiv_id} not relevant; it leaves the claim's matches and papers like it rank lower"
        ),
        DecisionKind.UNDO: f"took back the decision on {d.arxiv_id}; what the claim learned from it is gone",
    }[d.kind]
    return f"{d.claim_id}: {what}"
