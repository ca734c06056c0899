"""arXiv category codes: one pattern for the claims file and for imported papers."""

from __future__ import annotations

import pytest

from freshness import categories, claims
from freshness.categories import ARCHIVES, KNOWN_ARCHIVES, is_arxiv_category


@pytest.mark.parametrize(
    "code",
    [
        "cs.CL",
        "math.OC",
        "hep-th",
        "q-bio.NC",
        "physics.comp-ph",
        "cond-mat.stat-mech",
        "stat.ML",
        "eess.SP",
        "astro-ph.GA",
        "hep-ph",  # an archive-only (old-style) category
        "alg-geom",  # an archive arXiv merged away: old papers still carry it
        "math.AG",
    ],
)
def test_arxiv_categories_are_kept(code: str) -> None:
    assert is_arxiv_category(code)


@pytest.mark.parametrize(
    "code",
    [
        "I.2.7",  # ACM classes, with and without their separators, as corpus records list them
        "I.2.7;",
        "68T05",  # MSC classes
        "68T05,",
        "(Primary)",
        "General,",
        "and",  # a stray word of a free-text class list
        "intelligence",
        "CS.CL",
        "xx.CL",
        "cs.CL;",
        "cs.CL\n",
        "",
    ],
)
def test_other_codes_are_not(code: str) -> None:
    assert not is_arxiv_category(code)


def test_claims_and_importer_share_one_pattern() -> None:
    # A category a claim may watch is always one the importer keeps for a paper.
    assert claims.CATEGORY is categories.CATEGORY
    assert claims.ARCHIVES is ARCHIVES
    assert ARCHIVES < KNOWN_ARCHIVES
    assert all(is_arxiv_category(a) for a in ARCHIVES)
