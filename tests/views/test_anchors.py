"""views.anchors: an anchor check as a text table, GitHub annotations and stable JSON, inert and unbroken."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from freshness.anchors import AnchorCheck, CheckedAnchor
from freshness.arxiv_ids import ArxivId, ArxivIdError, parse_arxiv_id
from freshness.models import Anchor, AnchorResult, AnchorStatus
from freshness.views.anchors import render_github, render_json, render_text
from tests.conftest import NOW

# -- rendering ------------------------------------------------------------------------------------


def sample_check() -> AnchorCheck:
    from freshness.anchors import CheckedAnchor
    from freshness.models import AnchorResult

    a1 = Anchor("2508.01191", parse_arxiv_id("2508.01191"), None, 12, 11)
    a2 = Anchor("2401.00001", parse_arxiv_id("2401.00001"), "T", 14, 13)
    a3 = Anchor("2401.0001", None, None, 15, 9, "bad, really: 100%")
    return AnchorCheck(
        checked_at=NOW,
        offline=False,
        anchors=(
            CheckedAnchor("cot-shift", AnchorResult(a1, AnchorStatus.NOT_FOUND, "not found on arXiv")),
            CheckedAnchor(
                "cot-shift", AnchorResult(a2, AnchorStatus.REVISED, "arXiv has v2\nnewer", "T", 2, NOW)
            ),
            CheckedAnchor("scaling", AnchorResult(a3, AnchorStatus.MALFORMED, "bad, really: 100%")),
        ),
    )


def test_github_annotations_point_at_the_anchor_and_escape() -> None:
    out = render_github(sample_check(), "notes/my claims,v1.yaml").splitlines()
    assert out[0] == (
        "::error file=notes/my claims%2Cv1.yaml,line=12,col=11,title=freshness anchor not_found::"
        "2508.01191 (cot-shift): not found on arXiv"
    )
    assert out[1] == (
        "::warning file=notes/my claims%2Cv1.yaml,line=14,col=13,title=freshness anchor revised::"
        "2401.00001 (cot-shift): arXiv has v2%0Anewer"
    )
    assert out[2] == (
        "::error file=notes/my claims%2Cv1.yaml,line=15,col=9,title=freshness anchor malformed::"
        "2401.0001 (scaling): bad, really: 100%25"
    )
    assert out[3].startswith("3 anchor(s), 3 of 3 verified: 1 not found, 1 malformed, 1 revised")


def test_github_messages_lose_terminal_escapes() -> None:
    from freshness.anchors import CheckedAnchor
    from freshness.models import AnchorResult

    a = Anchor("2401.00001", parse_arxiv_id("2401.00001"), None, 2, 5)
    result = AnchorResult(a, AnchorStatus.TITLE_MISMATCH, "arXiv's title is '\x1b[31mX\x1b[0m'\r\nnext")
    [line, _] = render_github(
        AnchorCheck(NOW, False, (CheckedAnchor("c", result),)), "claims.yaml"
    ).splitlines()
    assert line.endswith("::2401.00001 (c): arXiv's title is 'X'%0Anext")


def test_json_is_stable_and_complete() -> None:
    doc = json.loads(render_json(sample_check()))
    assert list(doc) == [
        "schema_version",
        "checked_at",
        "offline",
        "exit_code",
        "summary",
        "problems",
        "anchors",
    ]
    assert doc["schema_version"] == 1
    assert doc["checked_at"] == "2026-11-26T23:00:00Z"
    assert doc["exit_code"] == 1
    assert doc["summary"] == {
        "not_found": 1,
        "malformed": 1,
        "withdrawn": 0,
        "title_mismatch": 0,
        "title_differs": 0,
        "revised": 1,
        "unchecked": 0,
        "ok": 0,
    }
    assert doc["anchors"][1] == {
        "claim": "cot-shift",
        "anchor": "2401.00001",
        "id": "2401.00001",
        "status": "revised",
        "broken": False,
        "detail": "arXiv has v2\nnewer",
        "title": "T",
        "cited_title": "T",
        "agreeing_words": [],
        "latest_version": 2,
        "line": 14,
        "col": 13,
        "checked_at": "2026-11-26T23:00:00Z",
        "confirmed_by": None,
    }
    assert doc["anchors"][2]["id"] is None


def test_json_escapes_terminal_controls_in_untrusted_text() -> None:
    from freshness.anchors import CheckedAnchor
    from freshness.models import AnchorResult

    a = Anchor("2401.00001", parse_arxiv_id("2401.00001"), None, 1, 1)
    hostile = "T\x9b31m\u202eevil\x1b[0m"
    check = AnchorCheck(
        NOW, False, (CheckedAnchor("c", AnchorResult(a, AnchorStatus.OK, "d", hostile, 1, NOW)),)
    )
    text = render_json(check)
    assert "\x9b" not in text
    assert "\u202e" not in text
    assert "\x1b" not in text
    assert json.loads(text)["anchors"][0]["title"] == hostile  # escaped, not altered


def test_text_table_is_readable_without_colour_and_inert() -> None:
    check = sample_check()
    from freshness.anchors import CheckedAnchor
    from freshness.models import AnchorResult

    hostile = Anchor("2401.00002", parse_arxiv_id("2401.00002"), None, 3, 3)
    check = AnchorCheck(
        NOW,
        False,
        (
            *check.anchors,
            CheckedAnchor("c", AnchorResult(hostile, AnchorStatus.OK, "title [bold red]x[/] \x1b[31mred")),
        ),
    )
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(render_text(check))
    text = buf.getvalue()
    assert "not found" in text
    assert "malformed" in text
    assert "(line 12)" in text
    assert "[bold red]x[/]" in text  # printed literally, not as markup
    assert "\x1b" not in text


def _render(check: AnchorCheck, width: int) -> list[str]:
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(render_text(check))
    return buf.getvalue().splitlines()


def _checked(claim_id: str, raw: str, status: AnchorStatus, detail: str) -> CheckedAnchor:
    try:
        ident: ArxivId | None = parse_arxiv_id(raw)
    except ArxivIdError:
        ident = None
    return CheckedAnchor(claim_id, AnchorResult(Anchor(raw, ident, None, 7, 9), status, detail))


REVISED_DETAIL = (
    "arXiv has v3 (2026-01-02), newer than the claim's date 2025-08-02; cached check of 2026-11-26"
)


def test_text_table_at_80_columns_keeps_ids_whole_and_every_word_of_the_detail() -> None:
    check = AnchorCheck(
        NOW,
        False,
        (
            _checked("cot-shift-robustness", "arXiv:2401.00001v2", AnchorStatus.REVISED, REVISED_DETAIL),
            _checked(
                "cot-shift-robustness", "hep-th/9901001v12", AnchorStatus.NOT_FOUND, "not found on arXiv"
            ),
        ),
    )
    lines = _render(check, 80)
    assert lines[0].split() == ["Claim", "Anchor", "Status", "Detail"]  # still a table
    assert all(len(line) <= 80 for line in lines)
    rows = [line for line in lines if line.startswith("cot-shift-robustness ")]
    assert len(rows) == 2
    assert "arXiv:2401.00001v2" in rows[0]
    assert "hep-th/9901001v12" in rows[1]
    assert " not found " in rows[1]
    # Nothing cropped at the right edge: every word of the detail is there.
    assert " ".join(" ".join(lines).split()).count("cached check of 2026-11-26") == 1


def test_text_table_with_a_long_claim_id_at_80_columns_becomes_blocks_never_breaking_an_id() -> None:
    long_id = "chain-of-thought-degrades-under-distribution-shift-in-length"  # 60 characters
    check = AnchorCheck(
        NOW,
        False,
        (
            _checked(long_id, "https://arxiv.org/abs/2401.00001v2", AnchorStatus.REVISED, REVISED_DETAIL),
            _checked(long_id, "2509.99999", AnchorStatus.NOT_FOUND, "not found on arXiv"),
            _checked("short", "hep-th/9901001", AnchorStatus.OK, "found on arXiv: v1 (1999-01-04)"),
        ),
    )
    lines = _render(check, 80)
    assert all(len(line) <= 80 for line in lines)
    assert all(line == line.rstrip() for line in lines)  # no padding: it ends up in logs and copies
    assert [line for line in lines if long_id in line] == [long_id]  # whole, once, on its own line
    assert "  https://arxiv.org/abs/2401.00001v2 (line 7)  revised" in lines
    assert "  2509.99999 (line 7)  not found" in lines
    assert "short" in lines
    assert "  hep-th/9901001 (line 7)  ok" in lines
    assert " ".join(" ".join(lines).split()).count(REVISED_DETAIL) == 1


STATUSES = [AnchorStatus.OK, AnchorStatus.TITLE_MISMATCH, AnchorStatus.REVISED, AnchorStatus.REVISED]


@pytest.mark.parametrize("width", [60, 80, 100, 120])
def test_text_output_never_breaks_a_claim_id_or_an_arxiv_id(width: int) -> None:
    claim_ids = ["c", "cot-shift-robustness", "sparse-attention-matches-dense-for-long-context"]
    raws = ["2401.00001", "arXiv:2402.00002v3", "hep-th/9901001v12", "https://arxiv.org/abs/2403.00003"]
    check = AnchorCheck(
        NOW,
        False,
        tuple(
            _checked(c, r, s, REVISED_DETAIL) for c in claim_ids for r, s in zip(raws, STATUSES, strict=True)
        ),
    )
    words = {w for line in _render(check, width) for w in line.split()}
    assert set(claim_ids) <= words
    assert set(raws) <= words
