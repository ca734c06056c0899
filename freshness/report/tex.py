"""TeX in arXiv titles and abstracts ("$\\mathcal{O}(n^2)$", "\\emph{x}", "Kolmogorov--Smirnov") as the
readable text a person expects, for the HTML report and its charts.

pylatexenc parses the TeX; its output is plain text, escaped afterwards like any other untrusted string.
Only text that shows TeX (a `$` or a backslash) goes through it: in plain text a `%` would start a
TeX comment and eat the rest of the title ("50% of cases" -> "50").
"""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

_TEX_HINT = re.compile(r"[$\\]")
# Characters that are literal in a title but special to TeX; escaped before parsing so they stay.
_LITERAL = re.compile(r"(?<!\\)([%&#])")
_CONVERTER = LatexNodes2Text(math_mode="text")  # default spacing: "\\log n" stays two words


@lru_cache(maxsize=4096)
def readable(text: str) -> str:
    """`text` with its TeX turned into Unicode text (math kept as text, `\\emph{x}` -> `x`), whitespace
    collapsed; text without TeX comes back as it was, whitespace collapsed."""
    if not _TEX_HINT.search(text):
        return " ".join(text.split())
    try:
        converted = _CONVERTER.latex_to_text(_LITERAL.sub(r"\\\1", text))
    except Exception:  # pylatexenc raises several types on TeX it cannot parse: show it as written
        return " ".join(text.split())
    return " ".join(converted.replace("\N{NO-BREAK SPACE}", " ").split())
