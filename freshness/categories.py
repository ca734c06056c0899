"""arXiv category codes (cs.CL, hep-th, astro-ph.GA): their one shape, for claims and imported papers alike.

A claim may watch only a current archive's category; an imported paper keeps any category of an
archive arXiv has ever had (an old paper's `alg-geom` is a real category). Anything else in a record's
category list is dropped: some records list ACM or MSC classes there ("I.2.7;", "68T05,", "(Primary)").
"""

from __future__ import annotations

import functools
import re

from freshness.arxiv_ids import OLD_ARCHIVES

# archive(-sub)(.Subject(-sub)): cs.CL, hep-th, math.GT, q-bio.NC, physics.comp-ph, cond-mat.stat-mech
CATEGORY = re.compile(r"^(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z]+(?:-[a-z]+)*)?$")

# arXiv's current archives (arxiv.org/category_taxonomy): the ones a claim may watch.
ARCHIVES = frozenset(
    {
        "astro-ph",
        "cond-mat",
        "cs",
        "econ",
        "eess",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "physics",
        "q-bio",
        "q-fin",
        "quant-ph",
        "stat",
    }
)
# Every archive a paper's category can name: the current ones and those merged away (alg-geom, ...).
KNOWN_ARCHIVES = ARCHIVES | OLD_ARCHIVES


@functools.lru_cache(maxsize=4096)  # a snapshot repeats a few hundred codes over and over
def is_arxiv_category(code: str) -> bool:
    """True for a well-formed category of an archive arXiv has had (cs.CL, hep-ph, alg-geom); False
    for ACM/MSC classes ("I.2.7", "68T05,") and stray words ("General,", "and")."""
    m = CATEGORY.fullmatch(code)
    return m is not None and m["archive"] in KNOWN_ARCHIVES
