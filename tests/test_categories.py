"""arXiv category codes: one pattern for the claims file and for imported papers."""

from __future__ import annotations

import pytest

from freshness import categories
from freshness import claims_schema as claims
from freshness.categories import (
    ARCHIVES,
    CURRENT_CATEGORIES,
    KNOWN_ARCHIVES,
    SUBJECTS,
    WHOLE_ARCHIVES,
    is_arxiv_category,
)


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
    assert claims.unknown_category is categories.unknown_category
    assert ARCHIVES < KNOWN_ARCHIVES
    assert all(is_arxiv_category(a) for a in ARCHIVES)
    assert all(is_arxiv_category(c) for c in CURRENT_CATEGORIES)
    assert set(SUBJECTS) | WHOLE_ARCHIVES == ARCHIVES


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("cs.XX", "'cs.XX' is not an arXiv category: cs has AI, AR, CC,"),
        ("cs.cl", "'cs.cl' is not an arXiv category; did you mean cs.CL?"),
        ("hep-th.XX", "'hep-th.XX': hep-th has no subject classes; watch 'hep-th' itself"),
        ("xx.CL", "'xx.CL': 'xx' is not an arXiv archive"),
        ("I.2.7", "'I.2.7' does not look like an arXiv category"),
    ],
)
def test_a_claim_may_watch_only_real_current_categories(code: str, why: str) -> None:
    problem = categories.unknown_category(code)
    assert problem is not None
    assert problem.startswith(why), problem


@pytest.mark.parametrize("code", ["cs.CL", "cs", "hep-th", "math.ST", "stat.ML", "physics.optics", "eess.SY"])
def test_real_categories_and_whole_archives_are_watchable(code: str) -> None:
    assert categories.unknown_category(code) is None
