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
# arXiv's current subject classes (arxiv.org/category_taxonomy), by archive: a claim may watch one of
# these or a whole archive (`cs`, `hep-th`), never a made-up code such as `cs.XX`, which no feed or
# harvest would ever fill (the claim would be judged on nothing). Aliases (math.IT = cs.IT, eess.SY =
# cs.SY, math.ST = stat.TH, ...) are listed under both names, as arXiv lists papers under both.
SUBJECTS: dict[str, frozenset[str]] = {
    archive: frozenset(codes.split())
    for archive, codes in {
        "astro-ph": "CO EP GA HE IM SR",
        "cond-mat": "dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con",
        "cs": "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE "
        "NI OH OS PF PL RO SC SD SE SI SY",
        "econ": "EM GN TH",
        "eess": "AS IV SP SY",
        "math": "AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA RA "
        "RT SG SP ST",
        "nlin": "AO CD CG PS SI",
        "physics": "acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an ed-ph "
        "flu-dyn gen-ph geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph",
        "q-bio": "BM CB GN MN NC OT PE QM SC TO",
        "q-fin": "CP EC GN MF PM PR RM ST TR",
        "stat": "AP CO ME ML OT TH",
    }.items()
}
# The archives arXiv never split into subject classes: only the archive itself is a category.
WHOLE_ARCHIVES = frozenset(
    {"gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph", "nucl-ex", "nucl-th", "quant-ph"}
)
CURRENT_CATEGORIES = frozenset(
    {*ARCHIVES, *(f"{archive}.{subject}" for archive, subjects in SUBJECTS.items() for subject in subjects)}
)


def unknown_category(code: str) -> str | None:
    """Why `code` is not a category a claim can watch (None: it is one), with the likely intended
    code when only the case differs (`cs.cl` -> cs.CL) or the archive has no subject classes."""
    if code in CURRENT_CATEGORIES:
        return None
    m = CATEGORY.fullmatch(code)
    if m is None:
        return f"{code!r} does not look like an arXiv category (e.g. cs.CL, hep-th, math.GT, q-bio.NC)"
    archive = m["archive"]
    if archive not in ARCHIVES:
        return f"{code!r}: {archive!r} is not an arXiv archive"
    if archive in WHOLE_ARCHIVES:
        return f"{code!r}: {archive} has no subject classes; watch {archive!r} itself"
    same = [c for c in CURRENT_CATEGORIES if c.lower() == code.lower()]
    if same:
        return f"{code!r} is not an arXiv category; did you mean {same[0]}?"
    shown = ", ".join(sorted(SUBJECTS[archive]))
    return f"{code!r} is not an arXiv category: {archive} has {shown} (see arxiv.org/category_taxonomy)"


# Every archive a paper's category can name: the current ones and those merged away (alg-geom, ...).
KNOWN_ARCHIVES = ARCHIVES | OLD_ARCHIVES


@functools.lru_cache(maxsize=4096)  # a snapshot repeats a few hundred codes over and over
def is_arxiv_category(code: str) -> bool:
    """True for a well-formed category of an archive arXiv has had (cs.CL, hep-ph, alg-geom); False
    for ACM/MSC classes ("I.2.7", "68T05,") and stray words ("General,", "and")."""
    m = CATEGORY.fullmatch(code)
    return m is not None and m["archive"] in KNOWN_ARCHIVES
