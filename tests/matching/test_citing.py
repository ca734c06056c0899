"""Citation evidence in the matcher: 'cites the anchor' raises relevance modestly, a citing sentence
that argues with the anchor is a quoted challenge, a related-work listing is not, and no citation data
changes nothing."""

from __future__ import annotations

import datetime as dt

from freshness.arxiv_ids import parse_arxiv_id
from freshness.matching import match_claim
from freshness.models import Anchor, CitationContext, CitationIndex, Citing, Claim, Match, Stance
from freshness.store import Store
from tests.conftest import NOW, make_paper

ANCHOR = "2405.00001"
CLAIM = Claim(
    id="c",
    text="Sparse attention for long context matches dense attention.",
    date=dt.date(2026, 6, 1),
    topics=("sparse attention for long context",),
    anchors=(Anchor(raw=ANCHOR, arxiv_id=parse_arxiv_id(ANCHOR), title=None, line=1, col=1),),
)
RELATED = make_paper(
    "2611.00101",
    title="Efficient kernels for sparse attention for long context",
    abstract="We present efficient GPU kernels for sparse attention for long context inputs.",
    published=dt.date(2026, 11, 25),
)
# Never uses the claim's words: only the citation can find it.
SILENT = make_paper(
    "2611.00102",
    title="Retrieval heads explain failures of efficient transformers",
    abstract="We locate the heads responsible for copying and study when they break.",
    published=dt.date(2026, 11, 20),
)


def index(*contexts: CitationContext) -> CitationIndex:
    return CitationIndex(
        {ANCHOR: {SILENT.arxiv_id: Citing(ANCHOR, SILENT.arxiv_id, ("Semantic Scholar",), contexts)}}
    )


def silent_match(store: Store, *contexts: CitationContext) -> Match:
    """SILENT's match when it cites the anchor with `contexts` as its citing sentences."""
    store.upsert_papers([RELATED, SILENT], source="test", now=NOW)
    return {m.arxiv_id: m for m in match_claim(store, CLAIM, citations=index(*contexts))}[SILENT.arxiv_id]


def test_no_citation_data_changes_nothing(store: Store) -> None:
    store.upsert_papers([RELATED, SILENT], source="test", now=NOW)
    plain = match_claim(store, CLAIM)
    assert match_claim(store, CLAIM, citations=CitationIndex()) == plain
    assert match_claim(store, CLAIM, citations=None) == plain
    assert [m.arxiv_id for m in plain] == [RELATED.arxiv_id]


def test_a_citing_paper_is_a_candidate_with_evidence_and_a_modest_bonus(store: Store) -> None:
    store.upsert_papers([RELATED, SILENT], source="test", now=NOW)
    matches = {m.arxiv_id: m for m in match_claim(store, CLAIM, citations=index())}
    assert SILENT.arxiv_id in matches
    m = matches[SILENT.arxiv_id]
    assert "cites the anchor 2405.00001 (Semantic Scholar)" in m.evidence
    assert m.stance is Stance.RELATED
    assert not m.superseding
    assert m.score <= matches[RELATED.arxiv_id].score


def test_a_citing_sentence_that_argues_with_the_anchor_is_a_quoted_challenge(store: Store) -> None:
    contra = CitationContext(
        "Contrary to [12], sparse attention does not match dense attention on retrieval.",
        "Semantic Scholar",
        ("result",),
    )
    m = silent_match(store, contra)
    assert m.stance is Stance.CHALLENGES
    assert m.confidence >= 0.8
    assert m.superseding
    assert m.stance_sentence == contra.text
    assert m.stance_target == "anchor 2405.00001 (citing sentence, Semantic Scholar, intent result)"


def test_a_related_work_listing_is_no_challenge(store: Store) -> None:
    listing = CitationContext(
        "Prior work studied efficient attention [3, 12, 15], e.g. sparse and linear variants [7].",
        "Semantic Scholar",
        ("background",),
    )
    m = silent_match(store, listing)
    assert m.stance is Stance.RELATED
    assert not m.superseding
