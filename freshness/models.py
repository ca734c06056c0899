"""Frozen values passed between modules: papers, claims, anchors, matches, velocity, verdicts, reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from freshness.arxiv_ids import ArxivId


class _Named(StrEnum):
    """An enum whose values are snake_case words; `words` is how people read one."""

    @property
    def words(self) -> str:
        """`possibly_superseded` -> `possibly superseded`."""
        return self.value.replace("_", " ")


class AnchorStatus(_Named):
    """What is known about one anchor id; the first four mean the anchor is broken."""

    NOT_FOUND = "not_found"
    MALFORMED = "malformed"
    WITHDRAWN = "withdrawn"
    TITLE_MISMATCH = "title_mismatch"
    # the same paper cited with a loose or partly wrong title: a warning, not a failure
    TITLE_DIFFERS = "title_differs"
    REVISED = "revised"  # newer versions since the claim's date: a warning, not a failure
    UNCHECKED = "unchecked"  # could not be checked (offline, network trouble, not in the store)
    OK = "ok"

    @property
    def broken(self) -> bool:
        return self in _BROKEN


_BROKEN = frozenset(
    {
        AnchorStatus.NOT_FOUND,
        AnchorStatus.MALFORMED,
        AnchorStatus.WITHDRAWN,
        AnchorStatus.TITLE_MISMATCH,
    }
)


class ClaimStatus(_Named):
    """A claim's overall status, declared most severe first."""

    ANCHOR_BROKEN = "anchor_broken"
    POSSIBLY_SUPERSEDED = "possibly_superseded"
    PERISHABLE = "perishable"
    UNCHECKED = "unchecked"  # the store has no papers covering the time since the claim's date
    FRESH = "fresh"

    @property
    def severity(self) -> int:
        """0 is the most severe."""
        return list(ClaimStatus).index(self)

    @property
    def raises_alarm(self) -> bool:
        """A claim newly in this status needs a person now: the nightly run exits 1 (`decisions.triage`)."""
        return self in (ClaimStatus.ANCHOR_BROKEN, ClaimStatus.POSSIBLY_SUPERSEDED)

    @property
    def asks_for_a_look(self) -> bool:
        """The report lists a claim in this status under "needs attention": every status but `fresh`
        (unchecked too: the store does not cover it)."""
        return self is not ClaimStatus.FRESH


@dataclass(frozen=True)
class PaperVersion:
    number: int
    date: dt.date


@dataclass(frozen=True)
class Paper:
    """One arXiv paper as stored: keyed by the id without version, described by its latest version."""

    arxiv_id: str
    version: int
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]  # primary first
    published: dt.date  # first version (v1) date
    updated: dt.date  # latest known version date
    versions: tuple[PaperVersion, ...] = ()
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    withdrawn: bool | None = None  # None: unknown (only OAI arXivRaw can tell for sure)

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"


def merge_papers(old: Paper, new: Paper) -> Paper:
    """Two copies of one paper as one, the newest version winning: the newer version's fields win
    (the later `updated` breaks a tie), gaps are filled from the other copy, and the known versions
    are unioned. An older copy never overwrites a newer one, whichever comes first."""
    if (new.version, new.updated) < (old.version, old.updated):
        base, other = old, new
    else:
        base, other = new, old
    versions = {v.number: v for v in other.versions}
    versions.update({v.number: v for v in base.versions})
    first = min((old.published, new.published))
    return Paper(
        arxiv_id=base.arxiv_id,
        version=base.version,
        title=base.title or other.title,
        abstract=base.abstract or other.abstract,
        authors=base.authors or other.authors,
        categories=base.categories or other.categories,
        published=versions[1].date if 1 in versions else first,
        updated=base.updated,
        versions=tuple(versions[k] for k in sorted(versions)),
        comments=base.comments if base.comments is not None else other.comments,
        journal_ref=base.journal_ref if base.journal_ref is not None else other.journal_ref,
        doi=base.doi if base.doi is not None else other.doi,
        withdrawn=base.withdrawn
        if base.withdrawn is not None
        else (other.withdrawn if base.version == other.version else None),
    )


@dataclass(frozen=True)
class Anchor:
    """An anchor as written in claims.yaml, with where it was written.

    `arxiv_id` is None when `raw` is malformed; `error` then says why.
    """

    raw: str
    arxiv_id: ArxivId | None
    title: str | None
    line: int
    col: int
    error: str | None = None


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    date: dt.date
    topics: tuple[str, ...]
    anchors: tuple[Anchor, ...] = ()
    categories: tuple[str, ...] = ()
    shelf_life_days: int = 365
    tags: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class AnchorResult:
    """The status of one anchor, with arXiv's title for it when known and why."""

    anchor: Anchor
    status: AnchorStatus
    detail: str
    title: str | None = None
    latest_version: int | None = None
    checked_at: dt.datetime | None = None
    # title_differs / title_mismatch: the cited title's distinctive words found in arXiv's title or abstract
    agreeing_words: tuple[str, ...] = ()
    # who said so: "arXiv", "the store", or a second service that confirmed the identity when
    # arXiv could not answer ("Semantic Scholar"); None when nothing was known
    confirmed_by: str | None = None


class Stance(StrEnum):
    """How a newer paper bears on a claim, as its abstract says it."""

    CHALLENGES = "challenges"  # a sentence negates, narrows or overturns what the claim says
    SUPPORTS = "supports"  # a sentence confirms, replicates or extends it
    RELATED = "related"  # on the claim's subject, with no verdict on it


# How sure the tool is of a stance, in words; the one place the report formats and reasons take it from.
HIGH_CONFIDENCE = 0.75
MEDIUM_CONFIDENCE = 0.5


def confidence_word(confidence: float) -> str:
    """`high` (>= 0.75), `medium` (>= 0.5) or `low`."""
    if confidence >= HIGH_CONFIDENCE:
        return "high"
    if confidence >= MEDIUM_CONFIDENCE:
        return "medium"
    return "low"


def local_day(moment: dt.datetime) -> dt.date:
    """The day a moment falls on where the user is: every command's "today" (claim dates, ages, the
    run's name; docs/reliability.md)."""
    return moment.astimezone().date()


def utc_iso(moment: dt.datetime) -> str:
    """A moment as the store and the JSON documents write it: UTC to the second, with a `Z`
    (2026-11-26T23:00:00Z). A naive datetime is refused: its zone would be a guess."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Match:
    """A newer paper related to a claim, scored 0-100, with human-readable evidence.

    `superseding` is the flag: strongly relevant *and* a directed challenge at or above the
    confidence the settings ask for. `stance`, `confidence` and `stance_sentence` say why: the
    abstract's sentence that challenges (or supports) the claim, quoted, and how sure the tool is
    (0-1). `stance_target` names what that sentence argues with ("anchor 2309.12288", "topic
    'reversal curse'", "the claim's words")."""

    arxiv_id: str
    title: str
    published: dt.date
    score: float
    superseding: bool
    evidence: tuple[str, ...]
    stance: Stance = Stance.RELATED
    confidence: float = 0.0
    stance_sentence: str | None = None
    stance_target: str | None = None


@dataclass(frozen=True)
class Velocity:
    """How busy a claim's topic is: related newer papers in a window ending today."""

    since: dt.date
    until: dt.date
    related: int  # papers scoring at least the matcher's related score, first submitted in (since, until]
    challenging: int  # of those, how many are flagged superseding
    by_month: tuple[tuple[str, int], ...] = ()  # ("2026-09", 5), oldest first

    @property
    def days(self) -> int:
        return max(1, (self.until - self.since).days)

    @property
    def per_month(self) -> float:
        return self.related * 30.44 / self.days


@dataclass(frozen=True)
class CoverageGap:
    """Days between `first` and `last` (inclusive) that no listing of `categories` covered."""

    first: dt.date
    last: dt.date
    categories: tuple[str, ...]

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def describe(self) -> str:
        """`2024-11-20 to 2026-08-31 (cs.AI, cs.CL)`."""
        cats = f" ({', '.join(self.categories)})" if self.categories else ""
        return f"{self.first} to {self.last}{cats}"


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    status: ClaimStatus
    reasons: tuple[str, ...]
    age_days: int
    anchors: tuple[AnchorResult, ...] = ()
    matches: tuple[Match, ...] = ()
    coverage_gaps: tuple[CoverageGap, ...] = ()  # days since the claim the store never fetched


@dataclass(frozen=True)
class SourceState:
    """Where one paper source stopped: its watermark, an unfinished harvest, HTTP validators."""

    source: str
    watermark: dt.date | None = None
    resume_token: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_success: dt.datetime | None = None
    window_from: dt.date | None = None  # the window of the unfinished harvest `resume_token` belongs to
    window_until: dt.date | None = None


class DecisionKind(_Named):
    """What a person decided about a claim (and, for the paper kinds, one paper)."""

    DISMISS = "dismiss"  # this paper does not bear on the claim: never flag it again
    CONFIRM = "confirm"  # this paper supersedes the claim: keep it at the top
    SNOOZE = "snooze"  # do not ask for attention until a date
    REVIEWED = "reviewed"  # a person re-checked the claim: its freshness clock restarts
    RELEVANT = "relevant"  # on the claim's topic, but not a challenge
    NOT_RELEVANT = "not_relevant"  # off the claim's topic
    UNDO = "undo"  # take back the decision in force on this paper

    @property
    def about_paper(self) -> bool:
        """A decision about one paper (it names an arXiv id), not about the claim as a whole."""
        return self not in (DecisionKind.SNOOZE, DecisionKind.REVIEWED)


@dataclass(frozen=True)
class StoreSummary:
    papers: int
    newest_paper: dt.date | None
    oldest_paper: dt.date | None = None
    # The days arXiv listings covered for every watched category (merged spans, oldest first), and
    # those categories; None when coverage was not computed (a summary straight from the store).
    covered: tuple[tuple[dt.date, dt.date], ...] | None = None
    covered_categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    generated_at: dt.datetime
    store: StoreSummary
    verdicts: tuple[Verdict, ...]
    stale: bool = False  # the last poll failed: the report is built from what the store had
    notes: tuple[str, ...] = field(default=())


# -- who cites the anchors (freshness.citations) ----------------------------------------------------


@dataclass(frozen=True)
class CitationSettings:
    """The claims file's `citations:` setting: the services asked who cites each anchor, how many days
    a fetched list stays fresh, and at most how many pages one anchor's list may take."""

    services: tuple[str, ...] = ("semantic_scholar", "openalex")
    refresh_days: int = 7
    max_pages: int = 10


@dataclass(frozen=True)
class CitationContext:
    """A sentence of the citing paper that cites the anchor, as a service quoted it, with the
    service's intents for it ("background", "methodology", "result")."""

    text: str
    source: str  # the service that quoted it, as shown to the reader ("Semantic Scholar")
    intents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Citing:
    """One newer paper (by arXiv id) citing one anchor, as the services that reported it saw it."""

    anchor_id: str
    citing_id: str
    sources: tuple[str, ...]
    contexts: tuple[CitationContext, ...] = ()
    influential: bool = False


@dataclass(frozen=True)
class CitationIndex:
    """What the store knows of who cites the anchors: anchor id (no version) -> citing arXiv id ->
    the edge. Handed to the matcher as a parameter; empty means no citation data."""

    by_anchor: Mapping[str, Mapping[str, Citing]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.by_anchor.values())

    def citing(self, anchor_ids: Iterable[str]) -> dict[str, list[Citing]]:
        """Citing arXiv id -> its edges to any of `anchor_ids`."""
        out: dict[str, list[Citing]] = {}
        for a in anchor_ids:
            for cid, edge in self.by_anchor.get(a, {}).items():
                out.setdefault(cid, []).append(edge)
        return out


@dataclass(frozen=True)
class RunStatuses:
    """What one nightly run judged: each claim's status that day (for the dashboard's pictures)."""

    day: dt.date
    stale: bool  # the poll failed that night
    statuses: tuple[tuple[str, ClaimStatus], ...]  # (claim id, status), by claim id


@dataclass(frozen=True)
class Dashboard:
    """The reports folder at a glance: every run's statuses and the dated report files there."""

    generated_at: dt.datetime
    runs: tuple[RunStatuses, ...]  # oldest first
    reports: tuple[tuple[dt.date, tuple[str, ...]], ...]  # (day, its report file names), newest first
