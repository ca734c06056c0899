"""Parse and normalise arXiv identifiers (new and old style, versions, `arXiv:` prefix, abs URLs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# New style: YYMM.NNNN (0704-1412) or YYMM.NNNNN (1501 on), optional vN.
_NEW = re.compile(r"^(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5})(?:v(?P<v>\d+))?$")
# Old style: archive(.SC)/YYMMNNN, 9107..0703, optional vN.
_OLD = re.compile(
    r"^(?P<arch>[a-z]+(?:-[a-z]+)*)(?:\.(?P<sc>[A-Z]{2}))?/(?P<yy>\d{2})(?P<mm>\d{2})(?P<num>\d{3})(?:v(?P<v>\d+))?$"
)
_PREFIX = re.compile(r"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE)

# Archives that ever had old-style identifiers (arXiv's identifier documentation).
OLD_ARCHIVES = frozenset(
    {
        "acc-phys",
        "adap-org",
        "alg-geom",
        "ao-sci",
        "astro-ph",
        "atom-ph",
        "bayes-an",
        "chao-dyn",
        "chem-ph",
        "cmp-lg",
        "comp-gas",
        "cond-mat",
        "cs",
        "dg-ga",
        "funct-an",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "mtrl-th",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "patt-sol",
        "physics",
        "plasm-ph",
        "q-alg",
        "q-bio",
        "quant-ph",
        "solv-int",
        "supr-con",
    }
)


class ArxivIdError(ValueError):
    """The text is not a well-formed arXiv identifier; the message says why."""


@dataclass(frozen=True, order=True)
class ArxivId:
    """A parsed identifier: `base` has no version ("2508.01191", "hep-th/9901001")."""

    base: str
    version: int | None = None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self}"


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse `text` strictly; raise ArxivIdError naming what is wrong.

    Stricter than arXiv's API, which answers 200-and-empty for impossible ids such as 0808.05394.
    """
    raw = text.strip()
    s = _PREFIX.sub("", raw)
    if s.endswith(".pdf"):
        s = s[:-4]
    m = _NEW.match(s)
    if m:
        yy, mm, num = int(m["yy"]), int(m["mm"]), m["num"]
        if not 1 <= mm <= 12:
            raise ArxivIdError(f"{raw!r}: month {m['mm']} is not 01-12")
        yymm = yy * 100 + mm
        if yymm < 704:
            raise ArxivIdError(f"{raw!r}: new-style ids start at 0704 (April 2007)")
        want = 4 if yymm <= 1412 else 5
        if len(num) != want:
            raise ArxivIdError(f"{raw!r}: ids from {m['yy']}{m['mm']} have {want} digits after the dot")
        if int(num) == 0:
            raise ArxivIdError(f"{raw!r}: sequence number 0 does not exist")
        return ArxivId(f"{m['yy']}{m['mm']}.{num}", _version(m["v"], raw))
    m = _OLD.match(s)
    if m:
        arch = m["arch"]
        if arch not in OLD_ARCHIVES:
            raise ArxivIdError(f"{raw!r}: {arch!r} is not an arXiv archive")
        yy, mm = int(m["yy"]), int(m["mm"])
        if not 1 <= mm <= 12:
            raise ArxivIdError(f"{raw!r}: month {m['mm']} is not 01-12")
        yymm = (1900 + yy if yy >= 91 else 2000 + yy) * 100 + mm
        if not 199107 <= yymm <= 200703:
            raise ArxivIdError(f"{raw!r}: old-style ids run from 9107 to 0703")
        # math.GT/0309136 names the same paper as math/0309136.
        return ArxivId(f"{arch}/{m['yy']}{m['mm']}{m['num']}", _version(m["v"], raw))
    raise ArxivIdError(
        f"{raw!r} is not an arXiv id (expected e.g. 2508.01191, 2508.01191v2, arXiv:2508.01191 "
        "or hep-th/9901001)"
    )


def _version(v: str | None, raw: str) -> int | None:
    if v is None:
        return None
    n = int(v)
    if n < 1:
        raise ArxivIdError(f"{raw!r}: versions start at v1")
    return n
