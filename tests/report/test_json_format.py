"""The JSON report: the documented schema, in the documented key order, stable and round-tripping."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from freshness.models import ClaimStatus, Report, StoreSummary
from freshness.report.json_format import JsonFormat, dumps, report_to_dict
from tests.report.conftest import (
    GENERATED,
    HOSTILE_SENTENCE,
    HOSTILE_TITLE,
    assert_matches_fixture,
    hostile_report,
    sample_report,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "report-json.md"
fmt = JsonFormat()


def documented_keys(heading: str) -> list[str]:
    """The keys in the first table under `heading` of docs/report-json.md, in order."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1]
    table = re.search(r"\| Key \|.*?\n\n", section, re.DOTALL)
    assert table, f"no key table under {heading}"
    return re.findall(r"^\| `([a-z_]+)` \|", table.group(), re.MULTILINE)


def test_whole_report_matches_the_expected_json(report: Report) -> None:
    assert_matches_fixture(fmt.render(report), "report.json")


def test_keys_are_exactly_the_documented_ones_in_order(report: Report) -> None:
    data = json.loads(fmt.render(report))
    assert list(data) == documented_keys("## Top level")
    assert list(data["store"]) == documented_keys("### `store`")
    claim_keys = documented_keys("## A claim")
    anchor_keys = documented_keys("### An anchor")
    match_keys = documented_keys("### A match")
    assert claim_keys
    assert anchor_keys
    assert match_keys
    for claim in data["claims"]:
        assert list(claim) == claim_keys
        for anchor in claim["anchors"]:
            assert list(anchor) == anchor_keys
        for match in claim["matches"]:
            assert list(match) == match_keys


def test_statuses_are_the_documented_values(report: Report) -> None:
    doc = DOC.read_text(encoding="utf-8")
    data = json.loads(fmt.render(report))
    statuses = [c["status"] for c in data["claims"]]
    assert sorted(statuses) == sorted(s.value for s in ClaimStatus)
    for claim in data["claims"]:
        assert f"| `{claim['status']}` |" in doc
        for anchor in claim["anchors"]:
            assert f"| `{anchor['status']}` |" in doc


def test_values(report: Report) -> None:
    data = json.loads(fmt.render(report))
    assert data["schema_version"] == 1
    assert data["generated_at"] == "2026-11-26T23:00:00Z"
    assert data["stale"] is False
    assert data["store"] == {
        "summary": "139,126 papers first submitted 2024-01-01 to 2026-07-01",
        "papers": 139126,
        "newest_paper": "2026-07-01",
        "covered": [],
        "covered_categories": [],
    }
    cot, tok, scale = data["claims"][:3]
    assert [c["id"] for c in data["claims"]] == [v.claim.id for v in report.verdicts]  # order kept
    assert (cot["date"], cot["age_days"], cot["shelf_life_days"]) == ("2025-08-02", 481, 180)
    assert [m["arxiv_id"] for m in cot["matches"]] == ["2509.01236", "2508.14828", "2509.00190", "2509.03059"]
    best = cot["matches"][0]
    assert best["title"] == (
        "Rethinking the Chain-of-Thought: The Roles of In-Context Learning and Pre-trained Priors"
    )
    assert (best["published"], best["score"], best["superseding"]) == ("2025-09-01", 87.5, True)
    assert best["url"] == "https://arxiv.org/abs/2509.01236"
    assert [m["score"] for m in cot["matches"]] == [87.5, 74.2, 61.0, 52.3]  # one decimal
    assert cot["anchors"][0]["id"] == "2508.01191"  # "arXiv:" prefix dropped
    assert [(a["id"], a["status"]) for a in tok["anchors"]] == [
        ("2509.05486", "ok"),
        ("2508.99999", "not_found"),
        ("25O8.1234", "malformed"),  # as written
        ("hep-th/9901001", "title_mismatch"),  # version dropped
    ]
    mismatch = tok["anchors"][3]
    assert mismatch["title"] == "Supersymmetric Yang-Mills theory on the lattice"
    assert (mismatch["latest_version"], mismatch["line"], mismatch["col"]) == (2, 27, 9)
    assert tok["anchors"][1]["title"] is None
    assert scale["anchors"][0]["id"] == "2509.09677"
    assert scale["matches"] == []


def test_generated_at_is_utc_with_z() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    report = dataclasses.replace(sample_report(), generated_at=dt.datetime(2026, 11, 27, 0, 0, 5, 999, paris))
    assert json.loads(fmt.render(report))["generated_at"] == "2026-11-26T23:00:05Z"
    naive = dataclasses.replace(report, generated_at=dt.datetime(2026, 11, 26, 23, 0))
    assert json.loads(fmt.render(naive))["generated_at"] == "2026-11-26T23:00:00Z"


def test_stable_and_independent_of_width_and_colour(report: Report) -> None:
    out = fmt.render(report)
    assert out == fmt.render(sample_report(), width=80, color=True)
    assert out.endswith("}\n")
    assert not out.endswith("\n\n")


def test_empty_report() -> None:
    data = json.loads(fmt.render(Report(GENERATED, StoreSummary(0, None), (), stale=True)))
    assert data == {
        "schema_version": 1,
        "generated_at": "2026-11-26T23:00:00Z",
        "stale": True,
        "store": {
            "summary": "the store is empty, so every claim is unchecked: run `freshness run` to fetch arXiv "
            "(or `freshness import FILE` to load a metadata snapshot)",
            "papers": 0,
            "newest_paper": None,
            "covered": [],
            "covered_categories": [],
        },
        "notes": [],
        "claims": [],
    }


def test_unchecked_anchors_are_listed_when_no_check_reached_the_report(report: Report) -> None:
    tok = report.verdicts[1]
    report = dataclasses.replace(report, verdicts=(dataclasses.replace(tok, anchors=()),))
    anchors = json.loads(fmt.render(report))["claims"][0]["anchors"]
    assert [(a["id"], a["status"], a["detail"]) for a in anchors][:3] == [
        ("2509.05486", "unchecked", "not checked"),
        ("2508.99999", "unchecked", "not checked"),
        ("25O8.1234", "malformed", report.verdicts[0].claim.anchors[2].error),
    ]


def test_untrusted_text_is_data_and_cannot_reach_a_terminal_raw(hostile: Report) -> None:
    out = fmt.render(hostile)
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "\x9b" not in out
    data = json.loads(out)
    claim = data["claims"][0]
    assert data["notes"] == [HOSTILE_TITLE]  # escaped in the file, exact once parsed
    assert claim["reasons"] == [HOSTILE_TITLE]
    assert claim["anchors"][0]["id"] == hostile.verdicts[0].claim.anchors[0].raw
    assert claim["matches"][1]["url"] is None  # "javascript:alert(1)" is no arXiv id: no link


def test_c1_controls_and_line_separators_are_escaped() -> None:
    base = sample_report()
    first = base.verdicts[0]
    odd = "a\x9b31mb\u2028c\u2029d\x85e"
    report = dataclasses.replace(base, verdicts=(dataclasses.replace(first, reasons=(odd,)),))
    out = fmt.render(report)
    assert not re.search("[\x80-\x9f\u2028\u2029]", out)
    assert "a\\u009b31mb\\u2028c\\u2029d\\u0085e" in out
    assert json.loads(out)["claims"][0]["reasons"] == [odd]


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Deep\n   Learning", "Deep Learning"), ("  Über\tall  ", "Über all")],
)
def test_titles_read_as_one_line(title: str, expected: str) -> None:
    base = sample_report()
    first = base.verdicts[0]
    match = dataclasses.replace(first.matches[0], title=title)
    report = dataclasses.replace(base, verdicts=(dataclasses.replace(first, matches=(match,)),))
    data: dict[str, Any] = json.loads(fmt.render(report))
    assert data["claims"][0]["matches"][0]["title"] == expected
    assert expected in fmt.render(report)  # non-ASCII stays readable, not \u-escaped


# -- dumps: json.dumps(indent=2)'s text, written faster ---------------------------------------------

UNSAFE = "\x7f\x85\x9b\u2028\u2029\u200e\u200f\u202a\u202c\u202e\u2066\u2068\u2069\u061c"
ALPHABET = 'ab Z09"\\/\n\t\x00\x1f{}[],:é日😀' + UNSAFE


def reference(value: Any) -> str:
    """What the report wrote before dumps(): json.dumps indented, then the raw-unsafe characters."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    raw_unsafe = "[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]"
    return re.sub(raw_unsafe, lambda m: f"\\u{ord(m.group()):04x}", text)


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["str", "int", "float", "bool", "none"] + (["list", "dict", "tuple"] if depth < 4 else [])
    kind = rng.choice(kinds)
    if kind == "str":
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 12)))
    if kind == "int":
        return rng.choice([0, -1, 7, 2**70, -(2**40)])
    if kind == "float":
        return rng.choice([0.0, -0.0, 74.2, 1e300, 1e-7, 87.5, float("inf"), float("-inf"), 1 / 3])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    items = [random_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    if kind == "list":
        return items
    if kind == "tuple":
        return tuple(items)
    return {"".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 6))): item for item in items}


def test_dumps_writes_what_json_dumps_indent_2_writes() -> None:
    rng = random.Random(20261127)
    for _ in range(2000):
        value = random_value(rng)
        assert dumps(value) == reference(value), value


def test_dumps_of_whole_reports_is_the_reference_text(report: Report) -> None:
    for whole in (report, sample_report(stale=True), hostile_report()):
        assert dumps(report_to_dict(whole)) == reference(report_to_dict(whole))


def test_dumps_writes_nan_as_json_dumps_does_and_refuses_what_json_cannot_hold() -> None:
    assert dumps([float("nan")]) == "[\n  NaN\n]"
    with pytest.raises(TypeError, match="keys must be str"):
        dumps({1: "one"})
    with pytest.raises(TypeError, match="set is not JSON serialisable"):
        dumps({"a": {1, 2}})


def test_each_match_carries_its_stance(report: Report) -> None:
    matches = json.loads(fmt.render(report))["claims"][0]["matches"]
    flag = matches[0]
    assert {k: flag[k] for k in ("superseding", "stance", "confidence", "stance_target")} == {
        "superseding": True,
        "stance": "challenges",
        "confidence": 0.82,
        "stance_target": "anchor 2508.01191",
    }
    # the abstract's line break is gone, the words are as they stand
    assert flag["stance_sentence"].startswith(
        "Contrary to the view that chain-of-thought degrades predictably under distribution shift"
    )
    assert [m["stance"] for m in matches] == ["challenges", "related", "supports", "challenges"]  # best first
    assert matches[1]["stance_sentence"] is None
    assert matches[1]["stance_target"] is None


def test_a_hostile_stance_sentence_is_data(hostile: Report) -> None:
    out = fmt.render(hostile)
    assert "\x1b" not in out
    assert "\u202e" not in out
    match = json.loads(out)["claims"][0]["matches"][0]
    assert match["stance_sentence"] == HOSTILE_SENTENCE
    assert match["stance_target"] == HOSTILE_TITLE
