"""Confirming an anchor's identity through Semantic Scholar when arXiv's API is down or answers
wrongly: one `/paper/batch` request for every anchor arXiv left unanswered, each confirmed only when
the record names the same arXiv id (`externalIds.ArXiv`, or arXiv's DataCite DOI 10.48550/arXiv.ID)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from freshness.anchor_judging import PaperFact
from freshness.citations.semantic_scholar import SemanticScholarSource
from freshness.config import Settings
from freshness.errors import CitationsUnavailable
from freshness.models import CitationSettings

IDENTITY_FIELDS = "title,authors,externalIds,publicationDate"


class SemanticScholarIdentity:
    """anchors.IdentityLookup over Semantic Scholar's batch endpoint."""

    label = "Semantic Scholar"

    def __init__(self, source: SemanticScholarSource) -> None:
        self.source = source

    def identify(self, ids: Sequence[str], *, now: dt.datetime) -> tuple[dict[str, PaperFact], list[str]]:
        """The anchors Semantic Scholar confirms, and why the others stay unchecked (a `null` slot is
        "unknown to Semantic Scholar", never "not found": only arXiv can say an id does not exist)."""
        try:
            found, _ = self.source.papers(ids, fields=IDENTITY_FIELDS)
        except CitationsUnavailable as exc:
            return {}, [f"identity not confirmed either: {exc}"]
        facts: dict[str, PaperFact] = {}
        unknown: list[str] = []
        other: list[str] = []
        for arxiv_id in ids:
            paper = found.get(arxiv_id)
            if paper is None:
                unknown.append(arxiv_id)
            elif not paper.same_paper or not paper.title:
                other.append(f"{arxiv_id} (its record names arXiv:{paper.arxiv_id}, DOI {paper.doi})")
            else:
                facts[arxiv_id] = PaperFact(
                    arxiv_id,
                    found=True,
                    title=paper.title,
                    checked_at=now,
                    origin=self.label,
                    authors=paper.authors,
                    doi=paper.doi,
                )
        problems = []
        if unknown:
            problems.append(
                f"Semantic Scholar does not know {', '.join(unknown)}: left unchecked (unknown there is "
                "not 'not found')"
            )
        if other:
            problems.append("Semantic Scholar's record is not the anchor's paper for " + "; ".join(other))
        return facts, problems


def identity_from_settings(
    settings: Settings, citations: CitationSettings | None, choice: str | None
) -> SemanticScholarIdentity | None:
    """`--identity-via`: an explicit choice wins; by default Semantic Scholar confirms identities
    only when the claims file's `citations:` already asks it (no new service behind the user's back).
    Its own polite session: pacing file, budget, User-Agent, as for the nightly citation step."""
    if choice is None:
        choice = "semantic-scholar" if citations and "semantic_scholar" in citations.services else "none"
    if choice != "semantic-scholar":
        return None
    from freshness.citations.refresh import session_for

    session = session_for(settings, "semantic_scholar")
    return SemanticScholarIdentity(
        SemanticScholarSource(session, settings.s2_url, api_key=settings.s2_api_key)
    )
