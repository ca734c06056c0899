"""The labels file: what it holds, and every problem in it located at file:line:col."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from freshness.labels import LabelsError, load_labels
from tests.test_evaluation import FIXTURES, LABELS


def test_load_labels_reads_claims_anchors_papers_and_negatives() -> None:
    labels = load_labels(LABELS)

    c1, c2 = labels.claims
    assert c1.claim.id == "C1"
    assert c1.claim.topics == ("model collapse", "recursive training")
    assert c1.claim.date == dt.date(2025, 1, 1)
    assert c1.claim.categories == ()
    [anchor] = c1.claim.anchors
    assert anchor.arxiv_id is not None
    assert anchor.arxiv_id.base == "2305.17493"
    assert anchor.title == "The Curse of Recursion: Training on Generated Data Makes Models Forget"
    assert anchor.line == 11
    assert [(p.arxiv_id, p.label) for p in c1.papers] == [
        ("2503.00001", "supersedes"),
        ("2503.00002", "supports"),
        ("2503.00003", "related"),
        ("2503.00004", "supersedes"),
    ]
    assert c1.unverified == frozenset({"2503.00006"})
    # Unquoted, YAML would read 2503.00010 as the float 2503.0001: ids are kept as written.
    assert [p.arxiv_id for p in c2.papers] == ["2503.00010"]
    assert labels.negatives == ("2503.00005", "2503.00007")
    # 2503.00005 is confusable with C1 only; 2503.00007 names no claim, so it counts against both.
    assert c1.negatives == frozenset({"2503.00005", "2503.00007"})
    assert c2.negatives == frozenset({"2503.00007"})
    assert c1.label_of("2503.00001") == "supersedes"
    assert c1.label_of("2503.00006") == "unverified"
    assert c1.label_of("2503.00005") == "negative"
    assert c2.label_of("2503.00005") is None


def test_every_problem_in_a_labels_file_is_reported_with_its_line() -> None:
    with pytest.raises(LabelsError) as caught:
        load_labels(FIXTURES / "bad_labels.yaml")

    found = [str(p).split(FIXTURES.name + "/")[-1] for p in caught.value.problems]
    assert found == [
        "bad_labels.yaml:2:5: claims.0.topic_keywords: Field required",
        "bad_labels.yaml:5:11: claims.0.date: Input should be a valid date or datetime, month value is "
        "outside expected range of 1-12",
        "bad_labels.yaml:8:16: claims.0.papers.0.label: Input should be 'supersedes', 'supports' or "
        "'related'",
        "bad_labels.yaml:4:20: claims.0.topic_keyword: Extra inputs are not permitted",
    ]
    assert str(caught.value) == f"{len(found)} problem(s) in the labels file"
    assert "docs/matching.md" in (caught.value.tip or "")


def test_bad_ids_and_duplicate_keys_are_reported_after_the_schema_passes(tmp_path: Path) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(
        "claims:\n"
        "  - key: A\n    text: t\n    topic_keywords: [x]\n    date: 2025-01-01\n"
        "    papers:\n      - id: not-an-id\n        label: supports\n"
        "  - key: A\n    text: t\n    topic_keywords: [x]\n    date: 2025-01-01\n"
    )
    with pytest.raises(LabelsError) as caught:
        load_labels(path)
    messages = [str(p) for p in caught.value.problems]
    assert messages[0].startswith(f"{path}:7:13: claims.0.papers.0.id: 'not-an-id' is not an arXiv id")
    assert messages[1] == f"{path}:9:10: claims.1.key: duplicate claim key 'A'"


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("claims: [\n", ":2:1:", "YAML syntax"),
        ("", ":1:1:", "the labels file is empty"),
        ("- a list\n", ":1:1:", "Input should be a valid dictionary"),
        ("claims: []\n", ":1:9:", "claims: List should have at least 1 item"),
    ],
)
def test_broken_files_get_one_clear_problem(tmp_path: Path, text: str, where: str, message: str) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(text)
    with pytest.raises(LabelsError) as caught:
        load_labels(path)
    [problem] = caught.value.problems
    assert where in str(problem)
    assert message in str(problem)


def test_a_missing_file_is_a_labels_error(tmp_path: Path) -> None:
    with pytest.raises(LabelsError, match="1 problem"):
        load_labels(tmp_path / "nope.yaml")


def test_confusable_with_must_name_a_claim_of_the_file_and_not_one_that_labels_it(tmp_path: Path) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(
        "claims:\n"
        "  - key: A\n    text: t\n    topic_keywords: [x]\n    date: 2025-01-01\n"
        "    papers: [{id: '2504.00001', label: related}]\n"
        "negatives:\n"
        "  - id: '2504.00002'\n    confusable_with: B\n"
        "  - id: '2504.00001'\n    confusable_with: [A]\n"
    )
    with pytest.raises(LabelsError) as caught:
        load_labels(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:9:22: negatives.0.confusable_with: no claim 'B' in this file (claims: A)",
        f"{path}:11:22: negatives.1.confusable_with: 2504.00001 is labeled in claim A and a negative for it",
    ]


# Each line holds ten aliases of the one before: 10**6 values from six short lines.
ALIAS_BOMB = b"a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n" + b"".join(
    b"%c: &%c [%s]\n" % (97 + i, 97 + i, b", ".join([b"*%c" % (96 + i)] * 10)) for i in range(1, 6)
)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"claims:\n  - key: A\n\t  text: t\n", id="tab"),
        pytest.param('claims: "caf\u00e9"\x07\n'.encode(), id="control-character"),
        pytest.param(b"claims:\n  - key: \xff\n", id="not-utf8"),
        pytest.param(b"claims: " + b"[" * 70 + b"]" * 70 + b"\n", id="deep"),
        pytest.param(ALIAS_BOMB, id="alias-bomb"),
        pytest.param(b"", id="empty-file"),
    ],
)
def test_the_labels_file_is_read_like_the_claims_file(tmp_path: Path, raw: bytes) -> None:
    """One YAML reader for both files: the same problem at the same line and column."""
    from freshness.claims import read_claims

    path = tmp_path / "file.yaml"
    path.write_bytes(raw)
    with pytest.raises(LabelsError) as caught:
        load_labels(path)
    [problem] = caught.value.problems
    [claims_problem] = read_claims(path).problems
    assert (problem.line, problem.col) == (claims_problem.line, claims_problem.col)
    if raw:  # the empty file gets each file's own advice
        assert problem == claims_problem


def test_yaml_problems_in_a_labels_file_say_where_and_what(tmp_path: Path) -> None:
    path = tmp_path / "labels.yaml"
    path.write_bytes(b"claims:\n  - key: A\n    key: B\n    text: caf\xe9\n")
    with pytest.raises(LabelsError) as caught:
        load_labels(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:4:14: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]
    path.write_text(
        "claims:\n  - key: A\n    key: B\n    text: t\n    topic_keywords: [x]\n    date: 2025-01-01\n"
    )
    with pytest.raises(LabelsError) as caught:
        load_labels(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:3:5: duplicate key 'key' (first at line 2); YAML would silently keep only the last one"
    ]
