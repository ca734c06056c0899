"""The one interface: FORMATS and render() dispatch to the four renderers."""

from __future__ import annotations

import pytest

from freshness.errors import ConfigError
from freshness.models import Report
from freshness.report import FORMATS, render
from freshness.report.html import HtmlFormat
from freshness.report.json_format import JsonFormat
from freshness.report.markdown import MarkdownFormat
from freshness.report.terminal import TerminalFormat


def test_the_four_formats_by_name() -> None:
    assert list(FORMATS) == ["terminal", "json", "markdown", "html"]
    assert [type(f) for f in FORMATS.values()] == [TerminalFormat, JsonFormat, MarkdownFormat, HtmlFormat]
    assert all(name == f.name for name, f in FORMATS.items())


@pytest.mark.parametrize("name", ["terminal", "json", "markdown", "html"])
def test_render_dispatches(report: Report, name: str) -> None:
    out = render(report, name, width=80)
    assert out == FORMATS[name].render(report, width=80, color=False)
    assert out.endswith("\n")
    assert "cot-distribution-shift" in out


def test_colour_reaches_the_terminal_format_only(report: Report) -> None:
    assert "\x1b[" in render(report, "terminal", color=True)
    for name in ("json", "markdown", "html"):
        assert render(report, name, color=True) == render(report, name)


def test_unknown_format_is_a_clear_error(report: Report) -> None:
    with pytest.raises(ConfigError, match=r"unknown report format 'pdf'; choose one of terminal, json"):
        render(report, "pdf")
