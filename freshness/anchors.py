"""Anchor checks: does every arXiv id a claim cites still resolve to the paper it claims?

One status per anchor (models.AnchorStatus): `malformed` (syntax, decided offline), `not_found`,
`withdrawn`, `title_mismatch` (the id points at another paper), `title_differs` (the same paper cited
with a loose title: a warning), `revised` (a warning), `unchecked`
(could not be decided) or `ok`. Online, arXiv is asked in canary-checked batches (sources/arxiv_api)
and each answer is cached in the store with the time it was checked; offline, only the store is read:
that cache and the `papers` table (an imported corpus knows titles and versions).

freshness.views.anchors renders a check as a table, GitHub Actions annotations or stable JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz, utils

from freshness import wording
from freshness.arxiv_ids import ArxivId
from freshness.errors import SourceUnavailable
from freshness.models import Anchor, AnchorResult, AnchorStatus, Claim, Paper
from freshness.store import Store, StoredAnchorCheck

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE = dt.timedelta(days=1)  # arXiv's data changes once a day (user manual §3.3.1)
# Tuned on the 139k-paper corpus (title_similarity, normalised titles). Same paper, cited differently:
# of 13,000 variants of 2,000 random titles (lower case, punctuation or hyphens dropped, a trailing
# period, a lost space, one word dropped, the main title without its subtitle) 9 scored below 85, all
# "one word dropped" from a short name. Different papers: a random paper's *nearest* other title scored
# 85 or more for 2 of 300 papers (a typo'd id lands on a random paper, which scores far lower).
TITLE_THRESHOLD = 85.0


class IdentityLookup(Protocol):
    """A second service that can confirm an anchor's identity when arXiv cannot answer
    (citations.identity.SemanticScholarIdentity provides it)."""

    label: str

    def identify(self, ids: Sequence[str], *, now: dt.datetime) -> tuple[dict[str, PaperFact], list[str]]:
        """The facts it confirms (origin set to its label) and why the others stay unconfirmed."""
        ...


class AnchorLookup(Protocol):
    """What the check needs from arXiv (sources.arxiv_api.ArxivApiSource provides it)."""

    @property
    def ids_per_batch(self) -> int: ...

    def lookup(self, ids: Sequence[ArxivId]) -> dict[str, Paper]: ...

    def raw_record(self, arxiv_id: ArxivId | str) -> Paper | None: ...


@dataclass(frozen=True)
class CheckedAnchor:
    """One anchor of one claim, with its result."""

    claim_id: str
    result: AnchorResult


@dataclass(frozen=True)
class AnchorCheck:
    """Every anchor of every claim in file order, and why any could not be checked."""

    checked_at: dt.datetime
    offline: bool
    anchors: tuple[CheckedAnchor, ...]
    problems: tuple[str, ...] = ()  # why arXiv could not answer (network, bogus answers)
    queries: int = 0  # id batches and OAI-PMH records asked of arXiv (0: all from the cache)

    @property
    def verified(self) -> int:
        """How many anchors got a decided status (anything but unchecked): what the gate really checked."""
        return sum(1 for a in self.anchors if a.result.status is not AnchorStatus.UNCHECKED)

    def counts(self) -> dict[AnchorStatus, int]:
        """How many anchors have each status; every status is present."""
        counts = dict.fromkeys(AnchorStatus, 0)
        for a in self.anchors:
            counts[a.result.status] += 1
        return counts

    @property
    def broken(self) -> bool:
        return any(a.result.status.broken for a in self.anchors)

    @property
    def incomplete(self) -> bool:
        """At least one anchor stayed `unchecked`."""
        return any(a.result.status is AnchorStatus.UNCHECKED for a in self.anchors)


@dataclass(frozen=True)
class PaperFact:
    """What arXiv (or the store) says about one paper, whatever anchor cites it."""

    arxiv_id: str
    found: bool
    title: str | None = None
    latest_version: int | None = None
    latest_date: dt.date | None = None
    withdrawn: bool | None = None  # None: not known (offline, or OAI-PMH had no record)
    checked_at: dt.datetime | None = None  # when arXiv said so; None for the store's papers table
    origin: str = "arXiv"  # who said so, for the detail text
    abstract: str | None = None  # when known: a loosely cited title may still agree with it
    authors: tuple[str, ...] = ()  # first authors, when a second service confirmed the identity
    doi: str | None = None


# -- the check --------------------------------------------------------------------------------------


def check_anchors(
    claims: Sequence[Claim],
    *,
    store: Store,
    now: dt.datetime,
    lookup: AnchorLookup | None,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
    identity: IdentityLookup | None = None,
) -> AnchorCheck:
    """Check every anchor. `lookup=None` is offline: only the store is read and nothing is written.

    Online, an id checked less than `max_age` ago is answered from the store's cache; the others are
    asked of arXiv and the answers saved. When arXiv cannot answer, the remaining anchors stay
    `unchecked` and `problems` says why: network trouble never reads as "not found". With `identity`,
    the anchors arXiv did not answer for are then confirmed (title, first authors, DOI) by that
    service: each counts as verified, but arXiv's problem stays reported (versions and withdrawal
    are arXiv's to say), and nothing it says is cached as an arXiv check.
    """
    ids = _well_formed_ids(claims)
    problems: list[str] = []
    queries = 0
    if lookup is None:
        facts = _facts_from_store(ids, store)
    else:
        facts = {
            k: _fact_from_cache(c)
            for k, c in store.get_anchor_checks(ids).items()
            if max_age > dt.timedelta(0) and now - c.checked_at < max_age
        }
        todo = [i for i in ids if i not in facts]
        if todo:
            asked, problems, queries = _ask_arxiv(todo, lookup, store=store, now=now)
            facts.update(asked)
            left = [i for i in todo if i not in facts]
            if identity is not None and left:
                confirmed, why = identity.identify(left, now=now)
                facts.update(confirmed)
                problems.extend(why)
    return AnchorCheck(
        checked_at=now,
        offline=lookup is None,
        anchors=tuple(
            CheckedAnchor(
                claim.id, judge(anchor, claim, _fact_for(anchor, facts), now=now, offline=lookup is None)
            )
            for claim in claims
            for anchor in claim.anchors
        ),
        problems=tuple(problems),
        queries=queries,
    )


def anchor_results_from_store(
    claims: Sequence[Claim], store: Store, now: dt.datetime
) -> dict[str, tuple[AnchorResult, ...]]:
    """Each claim's anchor results from the store alone (no network), keyed by claim id; the report
    uses this so it shows the same statuses as `check-anchors --offline`."""
    check = check_anchors(claims, store=store, now=now, lookup=None)
    out: dict[str, list[AnchorResult]] = {c.id: [] for c in claims}
    for checked in check.anchors:
        out[checked.claim_id].append(checked.result)
    return {k: tuple(v) for k, v in out.items()}


def _well_formed_ids(claims: Iterable[Claim]) -> list[str]:
    """Distinct ids without version, in file order; malformed anchors never reach arXiv."""
    return list(dict.fromkeys(a.arxiv_id.base for c in claims for a in c.anchors if a.arxiv_id is not None))


def _fact_for(anchor: Anchor, facts: dict[str, PaperFact]) -> PaperFact | None:
    return None if anchor.arxiv_id is None else facts.get(anchor.arxiv_id.base)


def _ask_arxiv(
    ids: list[str], lookup: AnchorLookup, *, store: Store, now: dt.datetime
) -> tuple[dict[str, PaperFact], list[str], int]:
    """Ask arXiv one batch at a time, saving each batch's answers as soon as they are known, and
    stop at the first failure (retrying is the polite session's job; hammering on is not).
    Returns the facts, why it stopped (if it did) and how many queries it made."""
    facts: dict[str, PaperFact] = {}
    queries = 0
    size = max(1, lookup.ids_per_batch)
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        queries += 1
        try:
            found = lookup.lookup([ArxivId(i) for i in batch])
        except SourceUnavailable as exc:
            log.info("anchor check stopped: %s", exc)
            return facts, [str(exc)], queries
        decided: dict[str, PaperFact] = {}
        problem: str | None = None
        for arxiv_id in batch:
            paper = found.get(arxiv_id)
            if paper is None:
                decided[arxiv_id] = PaperFact(arxiv_id, found=False, checked_at=now)
            elif paper.version == 1:
                # Withdrawal always creates a new version (arXiv's withdrawal policy), so a paper
                # still at v1 cannot be withdrawn and needs no second request.
                decided[arxiv_id] = _found(paper, withdrawn=False, now=now)
        for arxiv_id in batch:
            paper = found.get(arxiv_id)
            if paper is None or paper.version == 1 or problem is not None:
                continue
            # Only OAI-PMH arXivRaw flags a withdrawn version; the Atom API cannot tell (notes §2.2).
            queries += 1
            try:
                raw = lookup.raw_record(arxiv_id)
            except SourceUnavailable as exc:
                log.info("anchor check stopped: %s", exc)
                problem = str(exc)
                continue
            # OAI-PMH can lag the API by a day for a brand-new version: then the answer is "unknown".
            withdrawn = raw.withdrawn if raw is not None and raw.version >= paper.version else None
            decided[arxiv_id] = _found(paper, withdrawn=withdrawn, now=now)
        facts.update(decided)
        store.save_anchor_checks(_to_cache(f) for f in decided.values())
        if problem is not None:
            return facts, [problem], queries
    return facts, [], queries


def _found(paper: Paper, *, withdrawn: bool | None, now: dt.datetime) -> PaperFact:
    return PaperFact(
        paper.arxiv_id,
        found=True,
        title=paper.title,
        latest_version=paper.version,
        latest_date=paper.updated,
        withdrawn=withdrawn,
        checked_at=now,
        abstract=paper.abstract or None,
    )


def _to_cache(fact: PaperFact) -> StoredAnchorCheck:
    if not fact.found:
        status, detail = AnchorStatus.NOT_FOUND, "arXiv has no paper with this id"
    elif fact.withdrawn:
        status, detail = AnchorStatus.WITHDRAWN, f"v{fact.latest_version} is a withdrawal"
    else:
        status = AnchorStatus.OK
        detail = f"v{fact.latest_version} ({fact.latest_date})" + (
            "; withdrawal not confirmed (no OAI-PMH record yet)" if fact.withdrawn is None else ""
        )
    assert fact.checked_at is not None
    return StoredAnchorCheck(
        arxiv_id=fact.arxiv_id,
        status=status,
        title=fact.title,
        latest_version=fact.latest_version,
        detail=detail,
        checked_at=fact.checked_at,
        latest_date=fact.latest_date,
    )


def _fact_from_cache(c: StoredAnchorCheck) -> PaperFact:
    withdrawn: bool | None = c.status is AnchorStatus.WITHDRAWN
    if not withdrawn and "withdrawal not confirmed" in c.detail:
        withdrawn = None
    return PaperFact(
        c.arxiv_id,
        found=c.status is not AnchorStatus.NOT_FOUND,
        title=c.title,
        latest_version=c.latest_version,
        latest_date=c.latest_date,
        withdrawn=withdrawn,
        checked_at=c.checked_at,
    )


def _facts_from_store(ids: list[str], store: Store) -> dict[str, PaperFact]:
    """Offline: the cache of online checks, overruled by the papers table where that knows a newer
    version (a poll or import since the check). A paper in the papers table exists."""
    cached = store.get_anchor_checks(ids)
    papers = store.get_papers(ids)
    facts: dict[str, PaperFact] = {}
    for arxiv_id in ids:
        check, paper = cached.get(arxiv_id), papers.get(arxiv_id)
        fact = _fact_from_cache(check) if check is not None else None
        if paper is not None and (
            fact is None or not fact.found or (fact.latest_version or 0) < paper.version
        ):
            fact = PaperFact(
                arxiv_id,
                found=True,
                title=paper.title,
                latest_version=paper.version,
                latest_date=paper.updated,
                withdrawn=paper.withdrawn,
                origin="the store",
                abstract=paper.abstract or None,
            )
        elif (
            paper is not None
            and fact is not None
            and paper.withdrawn
            and paper.version == fact.latest_version
        ):
            fact = dataclasses.replace(fact, withdrawn=True)
        if fact is not None and fact.abstract is None and paper is not None and paper.abstract:
            fact = dataclasses.replace(fact, abstract=paper.abstract)
        if fact is not None:
            facts[arxiv_id] = fact
    return facts


# -- judging one anchor -----------------------------------------------------------------------------


def judge(
    anchor: Anchor,
    claim: Claim,
    fact: PaperFact | None,
    *,
    now: dt.datetime | None = None,
    offline: bool = False,
) -> AnchorResult:
    """The one status of `anchor` given what is known about its paper, most severe first."""
    if anchor.arxiv_id is None:
        return AnchorResult(
            anchor, AnchorStatus.MALFORMED, anchor.error or f"{anchor.raw!r} is not an arXiv id"
        )
    if fact is None:
        detail = (
            "not decided offline: never checked online, and not among the store's papers"
            if offline
            else "could not be checked: arXiv did not answer (see the problem reported)"
        )
        return AnchorResult(anchor, AnchorStatus.UNCHECKED, detail)
    source = _source(fact, now)
    latest = fact.latest_version
    if not fact.found:
        return _result(anchor, AnchorStatus.NOT_FOUND, "not found on arXiv" + source, fact)
    pinned = anchor.arxiv_id.version
    if pinned is not None and latest is not None and pinned > latest:
        return _result(
            anchor,
            AnchorStatus.NOT_FOUND,
            f"arXiv has no v{pinned} of {anchor.arxiv_id.base}: its latest version is v{latest}{source}",
            fact,
        )
    if fact.withdrawn:
        return _result(
            anchor,
            AnchorStatus.WITHDRAWN,
            f"withdrawn: arXiv's latest version, v{latest}{_on(fact.latest_date)}, is a withdrawal{source}",
            fact,
        )
    revised = _revision(anchor.arxiv_id, claim, fact)
    if anchor.title and fact.title:
        agreement = grade_title(anchor.title, fact.title, fact.abstract)
        if agreement.status is not AnchorStatus.OK:
            detail = agreement.describe(anchor.title, fact.title)
            if revised and agreement.status is AnchorStatus.TITLE_DIFFERS:
                detail += "; also " + revised
            return _result(anchor, agreement.status, detail + source, fact, agreement.agreeing)
    if revised:
        return _result(anchor, AnchorStatus.REVISED, revised + source, fact)
    if fact.origin != "arXiv" and fact.checked_at is not None:
        return _result(anchor, AnchorStatus.OK, _confirmed_elsewhere(fact) + source, fact)
    detail = f"found on arXiv: v{latest}{_on(fact.latest_date)}" if latest else "found on arXiv"
    if fact.withdrawn is None and (latest or 0) >= 2:
        detail += "; withdrawal " + (
            "unknown offline" if offline else "not confirmed (no OAI-PMH record yet)"
        )
    return _result(anchor, AnchorStatus.OK, detail + source, fact)


def _result(
    anchor: Anchor, status: AnchorStatus, detail: str, fact: PaperFact, agreeing: tuple[str, ...] = ()
) -> AnchorResult:
    return AnchorResult(
        anchor,
        status,
        detail,
        title=fact.title,
        latest_version=fact.latest_version,
        checked_at=fact.checked_at,
        agreeing_words=agreeing,
        confirmed_by=fact.origin,
    )


def _revision(arxiv_id: ArxivId, claim: Claim, fact: PaperFact) -> str | None:
    latest = fact.latest_version
    if latest is None:
        return None
    if arxiv_id.version is not None:
        if latest > arxiv_id.version:
            return f"arXiv has v{latest}{_on(fact.latest_date)}; the claim pins v{arxiv_id.version}"
        return None
    if latest >= 2 and fact.latest_date is not None and fact.latest_date > claim.date:
        return f"arXiv has v{latest} ({fact.latest_date}), newer than the claim's date {claim.date}"
    return None


def _on(day: dt.date | None) -> str:
    return f" ({day})" if day else ""


def _confirmed_elsewhere(fact: PaperFact) -> str:
    """An identity confirmed by a second service: what it matched on."""
    said = [f"arXiv:{fact.arxiv_id}"] + ([f"DOI {fact.doi}"] if fact.doi else [])
    if fact.authors:
        said.append(
            "first authors " + ", ".join(fact.authors[:3]) + (" et al." if len(fact.authors) > 3 else "")
        )
    return f"identity confirmed by {fact.origin} ({'; '.join(said)})"


def _source(fact: PaperFact, now: dt.datetime | None) -> str:
    """Where an answer came from, when not from arXiv just now."""
    if fact.checked_at is None:
        return f"; from {fact.origin}'s papers"
    if fact.origin != "arXiv":
        return (
            f"; confirmed by {fact.origin} because arXiv did not answer: its title, not arXiv's; "
            "versions and withdrawal not checked"
        )
    if now is not None and fact.checked_at >= now:
        return ""
    return f"; cached check of {fact.checked_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def _quote(text: str) -> str:
    return "'" + " ".join(text.split()) + "'"


# -- titles -----------------------------------------------------------------------------------------

_TEX_FORMAT = re.compile(
    r"\\(?:emph|textit|textbf|textsc|texttt|textrm|textsf|mathrm|mathbf|mathcal|mathit|mathsf|mathbb|"
    r"mathtt|text|mbox|operatorname)\b"
)
_TEX_WORD = re.compile(r"\\([A-Za-z]+)")


def normalise_title(title: str) -> str:
    """Lower case, accents and TeX markup dropped, Greek letters spelled out (U+03B1 and $\\alpha$ agree),
    every non-alphanumeric character a space: what rapidfuzz's default_process then compares."""
    chars: list[str] = []
    for ch in unicodedata.normalize("NFKD", title):
        if unicodedata.combining(ch):
            continue
        if "\u0370" <= ch <= "\u03ff":
            name = unicodedata.name(ch, "")
            ch = f" {name.split()[-1].lower()} " if name.startswith("GREEK") else ch
        chars.append(ch)
    text = _TEX_WORD.sub(r" \1 ", _TEX_FORMAT.sub(" ", "".join(chars)))
    return " ".join(utils.default_process(text).split())


def title_similarity(cited: str, actual: str) -> float:
    """0-100: how well a cited title matches arXiv's. Word order and markup do not matter; a title
    cited without its subtitle matches ("ProRL" for "ProRL: Prolonged ..."); two titles whose short
    names before the colon differ ("MMAU: ..." vs "MMTU: ...") or whose numbers differ ("Keye-VL 2.0"
    vs "Keye-VL 1.5") do not."""
    a, b = normalise_title(cited), normalise_title(actual)
    if not a or not b:
        return 0.0
    # ratio too: a lost space ("viaReinforced") merges two words, which token sorting scatters.
    score = max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a, b))
    main_a, main_b = _main_title(cited), _main_title(actual)
    # The claim may cite only the part before the colon (or arXiv's title may lack the subtitle).
    if main_b and not main_a:
        score = max(score, fuzz.token_sort_ratio(a, main_b))
    elif main_a and not main_b:
        score = max(score, fuzz.token_sort_ratio(main_a, b))
    elif main_a and main_b and len(main_a.split()) <= 3 and len(main_b.split()) <= 3:
        score = min(score, fuzz.ratio(main_a, main_b))  # short names are the papers' identities
    numbers_a, numbers_b = _numbers(a), _numbers(b)
    if numbers_a and numbers_b and numbers_a != numbers_b:
        score = min(score, 70.0)
    return float(score)


# A cited title below TITLE_THRESHOLD is still the same paper, cited loosely, when at least half of its
# distinctive words (and two or more) are in arXiv's title, or when with the abstract's help they make
# up 80% of them (three or more, one at least in the title). Measured in docs/ci.md.
DIFFERS_TITLE_SHARE = 0.5
DIFFERS_WITH_ABSTRACT_SHARE = 0.8


@dataclass(frozen=True)
class TitleAgreement:
    """How a cited title agrees with arXiv's: the similarity, and which of the cited title's
    distinctive words arXiv's title has, which only its abstract has, and which neither has."""

    similarity: float
    in_title: tuple[str, ...]
    in_abstract: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def agreeing(self) -> tuple[str, ...]:
        return self.in_title + self.in_abstract

    @property
    def status(self) -> AnchorStatus:
        """`ok`, `title_differs` (the same paper, cited loosely) or `title_mismatch` (another paper)."""
        if self.similarity >= TITLE_THRESHOLD:
            return AnchorStatus.OK
        total = len(self.in_title) + len(self.in_abstract) + len(self.missing)
        title, both = len(self.in_title), len(self.in_title) + len(self.in_abstract)
        if title >= 2 and title >= DIFFERS_TITLE_SHARE * total:
            return AnchorStatus.TITLE_DIFFERS
        if title >= 1 and both >= 3 and both >= DIFFERS_WITH_ABSTRACT_SHARE * total:
            return AnchorStatus.TITLE_DIFFERS
        return AnchorStatus.TITLE_MISMATCH

    def describe(self, cited: str, actual: str) -> str:
        """The detail text: both titles, the similarity and the words that agree (or that none do)."""
        head = (
            f"arXiv's title is {_quote(actual)}; the claim cites {_quote(cited)} "
            f"(similarity {_score(self.similarity)}, below {TITLE_THRESHOLD:.0f})"
        )
        agree = []
        if self.in_title:
            agree.append("in arXiv's title: " + ", ".join(self.in_title))
        if self.in_abstract:
            agree.append("in its abstract: " + ", ".join(self.in_abstract))
        if self.status is AnchorStatus.TITLE_DIFFERS:
            tail = "; not in arXiv's title or abstract: " + ", ".join(self.missing) if self.missing else ""
            return (
                f"{head}: the same paper, cited with a loose or partly wrong title; words that agree "
                f"({'; '.join(agree)}){tail}; cite arXiv's title"
            )
        words = f"only {'; '.join(agree)}" if agree else "no distinctive word agrees"
        return f"{head}, {words}: the id may point at another paper"


def _score(similarity: float) -> str:
    """The similarity as a whole number, unless rounding would lift it to the threshold (84.6)."""
    return f"{similarity:.1f}" if round(similarity) >= TITLE_THRESHOLD else f"{similarity:.0f}"


def grade_title(cited: str, actual: str, abstract: str | None = None) -> TitleAgreement:
    """Compare a cited title with arXiv's (and its abstract, when known), word by word."""
    title_stems = wording.stems(actual)
    abstract_stems = wording.stems(abstract) if abstract else frozenset()
    in_title: list[str] = []
    in_abstract: list[str] = []
    missing: list[str] = []
    for word in wording.distinctive(cited):
        s = wording.stem(word)
        if s in title_stems:
            in_title.append(word)
        elif s in abstract_stems:
            in_abstract.append(word)
        else:
            missing.append(word)
    return TitleAgreement(
        title_similarity(cited, actual), tuple(in_title), tuple(in_abstract), tuple(missing)
    )


def _main_title(title: str) -> str | None:
    """The normalised part before the first colon, when there is a subtitle after it."""
    head, sep, tail = title.partition(":")
    if not sep or not tail.strip() or not head.strip():
        return None
    return normalise_title(head) or None


def _numbers(normalised: str) -> frozenset[str]:
    return frozenset(w for w in normalised.split() if w.isdigit())


# -- exit code --------------------------------------------------------------------------------------


def exit_code(check: AnchorCheck, *, strict: bool = False) -> int:
    """0 every anchor resolves (revised and offline-unchecked are warnings); 1 at least one anchor is
    broken (certain, so it wins: retrying will not fix it); 2 online and something stayed unchecked,
    or `strict` and not one anchor was verified (a CI gate without its store checks nothing)."""
    if check.broken:
        return 1
    if not check.offline and (check.incomplete or check.problems):
        return 2
    if strict and check.anchors and check.verified == 0:
        return 2
    return 0


def parse_max_age(text: str) -> dt.timedelta:
    """`0`, `90s`, `30min`, `12h`, `1d`, `2w` -> timedelta; ValueError otherwise."""
    m = re.fullmatch(r"\s*(\d+)\s*(s|min|h|d|w)?\s*", text, re.IGNORECASE)
    if not m or (m[2] is None and int(m[1]) != 0):
        raise ValueError(f"{text!r} is not a duration: use e.g. 0, 30min, 12h, 1d or 1w")
    unit = (m[2] or "s").lower()
    seconds = {"s": 1, "min": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
    return dt.timedelta(seconds=int(m[1]) * seconds)
