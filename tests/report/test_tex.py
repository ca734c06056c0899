"""TeX in titles made readable for the HTML report, and plain titles left as they are."""

from __future__ import annotations

import pytest

from freshness.report.html import HtmlFormat
from freshness.report.tex import readable
from tests.report.conftest import sample_report


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Scaling by $\\mathcal{O}(n^2)$ and $\\alpha$-entropy",
            "Scaling by \N{MATHEMATICAL SCRIPT CAPITAL O}(n^2) and \N{GREEK SMALL LETTER ALPHA}-entropy",
        ),
        ("\\emph{Fine}-tuning at 50% & more", "Fine-tuning at 50% & more"),  # % and & stay
        ("50% of cases", "50% of cases"),  # no TeX: untouched (a % would start a TeX comment)
        ("$\\text{GPT}$-4o  is\n  here", "GPT-4o is here"),
        ("<script>alert(1)</script> $x$", "<script>alert(1)</script> x"),  # text, escaped later
    ],
)
def test_readable(title: str, expected: str) -> None:
    assert readable(title) == expected


def test_html_report_never_shows_raw_tex_in_a_title() -> None:
    import dataclasses

    report = sample_report()
    first = report.verdicts[0]
    m = dataclasses.replace(first.matches[0], title="Bounds by $\\mathcal{O}(\\log n)$ for \\textbf{all}")
    report = dataclasses.replace(report, verdicts=(dataclasses.replace(first, matches=(m,)),))
    out = HtmlFormat().render(report)
    assert "Bounds by \N{MATHEMATICAL SCRIPT CAPITAL O}(log n) for all" in out
    assert "\\mathcal" not in out
