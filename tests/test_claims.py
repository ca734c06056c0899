"""claims.yaml loading and validation: the schema, every problem with its line:col, the shipped file."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import re
from pathlib import Path

import pytest

from freshness.arxiv_ids import ArxivId
from freshness.claims import load_claims, read_claims
from freshness.durations import parse_duration
from freshness.errors import ClaimsError, Problem
from tests.conftest import shared_path

FIXTURES = Path(__file__).parent / "fixtures" / "claims"
SHIPPED = Path(__file__).resolve().parent.parent / "claims.yaml"
TODAY = dt.date(2026, 11, 26)


def problems_of(tmp_path: Path, text: str | bytes, *, today: dt.date = TODAY) -> list[tuple[int, int, str]]:
    path = tmp_path / "claims.yaml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return [(p.line, p.col, p.message) for p in read_claims(path, today=today).problems]


def valid(**overrides: str) -> str:
    """A one-claim file; each override replaces one line of the claim (by key) or the version line."""
    lines = {
        "version": "version: 1",
        "id": "  - id: one",
        "claim": "    claim: Something we believed.",
        "date": "    date: 2025-01-15",
        "topics": "    topics: [entropy collapse]",
    }
    lines.update(overrides)
    return "\n".join([lines.pop("version"), "claims:", *lines.values()]) + "\n"


# -- parse_duration ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [("1d", 1), ("180d", 180), ("26w", 182), ("6m", 180), ("1y", 365), ("2Y", 730), (" 18m ", 540)],
)
def test_parse_duration_units(text: str, days: int) -> None:
    assert parse_duration(text) == days


@pytest.mark.parametrize(
    ("text", "start", "days"),
    [
        ("12m", dt.date(2024, 3, 1), 365),  # calendar months: 2025-03-01, not 360 days
        ("12m", dt.date(2023, 3, 1), 366),  # through 2024-02-29
        ("1y", dt.date(2023, 3, 1), 366),  # a year is twelve of them
        ("1m", dt.date(2025, 1, 31), 28),  # to the month's last day: 2025-02-28
        ("18m", dt.date(2024, 11, 19), 546),  # 2026-05-19
        ("26w", dt.date(2024, 3, 1), 182),  # days and weeks do not depend on the start
    ],
)
def test_months_and_years_are_calendar_ones_from_the_start(text: str, start: dt.date, days: int) -> None:
    assert parse_duration(text, start) == days


def test_a_claims_shelf_life_in_months_counts_from_its_date(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(
        "version: 1\ndefaults:\n  shelf_life: 12m\nclaims:\n"
        "  - {id: a, claim: A finding., date: 2024-03-01, topics: [x]}\n"
        "  - {id: b, claim: A finding., date: 2023-03-01, topics: [x]}\n"
        "  - {id: c, claim: A finding., date: 2025-01-31, topics: [x], shelf_life: 1M}\n"
    )
    got = {c.id: c.shelf_life_days for c in load_claims(path, today=TODAY)}
    assert got == {"a": 365, "b": 366, "c": 28}


@pytest.mark.parametrize("text", ["", "12", "0d", "-3d", "1.5d", "10x", "d", "1 year", "101y"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(text))):
        parse_duration(text)


# -- a valid file ------------------------------------------------------------------------------------


def test_load_valid_file_builds_claims() -> None:
    first, second = load_claims(FIXTURES / "valid.yaml", today=TODAY)

    assert first.id == "cot-distribution-shift"
    assert first.text == (
        "Chain-of-thought reasoning degrades predictably under shifts in task, length or format."
    )
    assert first.date == dt.date(2025, 8, 2)
    assert first.topics == (
        "chain-of-thought generalization under distribution shift",
        "reasoning length and format shift",
    )
    assert first.line == 8  # the line of the claim's `- id:` item
    # the claim's own optional fields win over defaults
    assert first.categories == ("cs.AI",)
    assert first.shelf_life_days == 180
    assert first.tags == ("reasoning",)

    # everything unset comes from defaults; a quoted ISO date is accepted
    assert second.date == dt.date(2024, 2, 29)
    assert second.categories == ("cs.CL", "cs.LG")
    assert second.shelf_life_days == 182
    assert second.tags == ("default-tag",)
    assert second.anchors == ()
    assert second.line == 26


def test_anchor_forms_and_positions() -> None:
    [claim, _] = load_claims(FIXTURES / "valid.yaml", today=TODAY)
    got = [(a.raw, a.arxiv_id, a.title, a.line, a.col, a.error) for a in claim.anchors]
    assert got == [
        ("arXiv:2508.01191", ArxivId("2508.01191"), None, 17, 9, None),
        # unquoted, YAML reads this as the number 2508.101; the id is kept as written
        ("2508.10100", ArxivId("2508.10100"), None, 18, 9, None),
        ("2507.14783v3", ArxivId("2507.14783", 3), None, 19, 9, None),
        ("hep-th/9901001", ArxivId("hep-th/9901001"), None, 20, 9, None),
        # a mapping anchor is located at its id; its title is whitespace-normalised
        (
            "2411.12580",
            ArxivId("2411.12580"),
            "Procedural Knowledge in Pretraining Drives Reasoning",
            21,
            13,
            None,
        ),
    ]


def test_default_shelf_life_is_365_days() -> None:
    [claim] = load_claims(FIXTURES / "no-defaults.yaml", today=TODAY)
    assert claim.shelf_life_days == 365
    assert claim.categories == ()
    assert claim.tags == ()


def test_defaults_may_carry_anchors_and_a_claim_overrides_them(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(
        "version: 1\ndefaults:\n  anchors: [2508.01191]\nclaims:\n"
        "  - {id: a, claim: x, date: 2025-09-01, topics: [t]}\n"
        "  - {id: b, claim: x, date: 2025-09-01, topics: [t], anchors: [2507.14783]}\n",
        encoding="utf-8",
    )
    a, b = load_claims(path, today=TODAY)
    assert [(x.raw, x.line) for x in a.anchors] == [("2508.01191", 3)]
    assert [x.raw for x in b.anchors] == ["2507.14783"]


# -- malformed anchors are soft ----------------------------------------------------------------------


def test_malformed_anchor_loads_with_its_error() -> None:
    path = FIXTURES / "malformed-anchor.yaml"
    [claim] = load_claims(path, today=TODAY)
    bad, good = claim.anchors
    assert bad.raw == "2513.01191"
    assert bad.arxiv_id is None
    assert bad.error == "'2513.01191': month 13 is not 01-12"
    assert (bad.line, bad.col) == (8, 9)
    assert good.arxiv_id == ArxivId("2508.01191")
    assert good.title == "Fine"

    [problem] = read_claims(path, today=TODAY).problems
    assert (problem.line, problem.col) == (8, 9)
    assert problem.message == "claim 'bad-anchor': malformed anchor: '2513.01191': month 13 is not 01-12"


def test_load_claims_raises_with_every_problem_when_any_is_hard() -> None:
    with pytest.raises(ClaimsError) as info:
        load_claims(FIXTURES / "many-problems.yaml", today=TODAY)
    assert len(info.value.problems) == 12
    assert all(isinstance(p, Problem) for p in info.value.problems)


# -- every problem, located --------------------------------------------------------------------------


def test_many_problems_are_all_reported_in_order() -> None:
    path = FIXTURES / "many-problems.yaml"
    problems = read_claims(path, today=TODAY).problems
    assert [(p.line, p.col) for p in problems] == [
        (2, 1),
        (6, 11),
        (7, 28),
        (8, 17),
        (10, 26),
        (11, 9),
        (15, 25),
        (16, 5),
        (16, 9),
        (18, 13),
        (21, 11),
        (22, 5),
    ]
    text = [str(p) for p in problems]
    assert text[0] == (
        f"{path}:2:1: unknown key 'colour' at the top level (allowed: version, defaults, citations, claims)"
    )
    assert "'2025-02-30' is not a real calendar date" in text[1]
    assert text[2].endswith("claim 'first': topics[1]: must not be blank")
    assert "shelf_life: must be a duration such as 180d" in text[3]
    assert "unknown key 'titel' in an anchor; did you mean 'title'?" in text[4]
    assert text[5].endswith("duplicate claim id 'first' (first used at line 4)")
    assert "'CS.CL' does not look like an arXiv category" in text[6]
    assert text[7].endswith("missing required field 'claim' in this claim")
    assert "'Not_Valid' may only use lowercase letters, digits and '-'" in text[8]
    assert text[9].endswith("topics is empty: list at least one topic a related paper would be about")
    assert text[10].endswith("date: 2999-01-01 is in the future (today is 2026-11-26)")
    assert text[11].endswith(
        "duplicate key 'claim' (first at line 20); YAML would silently keep only the last one"
    )


def test_problem_prints_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("claims.yaml").write_text(valid(version="version: 3"), encoding="utf-8")
    [problem] = read_claims(Path("claims.yaml"), today=TODAY).problems
    assert str(problem) == (
        "claims.yaml:1:10: unsupported version '3': this freshness reads claims files of version 1"
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"id": "  - id: Has Spaces"}, (3, 9, "id: 'Has Spaces' may only use lowercase letters")),
        ({"id": "  - id: 42"}, (3, 9, "claim #1: id must be text, got a number (42) (put it in quotes)")),
        ({"claim": "    claim: '   '"}, (4, 12, "claim 'one': claim: must not be blank")),
        ({"date": "    date: 2025-13-01"}, (5, 11, "date: '2025-13-01' is not a real calendar date")),
        ({"date": "    date: '2025-02-29'"}, (5, 11, "'2025-02-29' is not a real calendar date")),
        ({"date": "    date: yesterday"}, (5, 11, "'yesterday' is not a date: write it as YYYY-MM-DD")),
        ({"date": "    date: 2026-11-27"}, (5, 11, "2026-11-27 is in the future (today is 2026-11-26)")),
        ({"date": "    date: 2025-01-15 10:00:00"}, (5, 11, "without a time")),
        ({"topics": "    topics: [ok, '']"}, (6, 18, "topics[1]: must not be blank")),
        ({"topics": "    topics: just one string"}, (6, 13, "topics must be a list, got text")),
        ({"topics": "    topics:"}, (6, 12, "topics must be a list, got nothing (null)")),
        ({"x": "    shelf_life: 3 months"}, (7, 17, "'3 months' is not a duration")),
        ({"x": "    shelf_life: 0w"}, (7, 17, "'0w' is not a positive duration")),
        ({"x": "    categories: cs.CL"}, (7, 17, "categories must be a list, got text ('cs.CL')")),
        ({"x": "    categories: [cs.CL, xx.CL]"}, (7, 25, "'xx.CL': 'xx' is not an arXiv archive")),
        ({"x": "    categories: [cs.CL, cs.XX]"}, (7, 25, "'cs.XX' is not an arXiv category: cs has AI,")),
        ({"x": "    tags: [1]"}, (7, 12, "tags[0] must be text, got a number (1)")),
        ({"x": "    anchors: 2508.01191"}, (7, 14, "anchors must be a list")),
        ({"x": "    anchors: [[2508.01191]]"}, (7, 15, "anchors[0] must be an arXiv id or a mapping")),
        ({"x": "    anchors: [{title: No id}]"}, (7, 15, "missing required field 'id' in this anchor")),
        ({"x": "    anchors: [{id: '  '}]"}, (7, 20, "anchors[0].id: must not be blank")),
        (
            {"x": "    anchor: [2508.01191]"},
            (7, 5, "unknown key 'anchor' in a claim; did you mean 'anchors'?"),
        ),
        ({"version": "version: '1'"}, (1, 10, "unsupported version '1'")),
        (
            {"version": "verison: 1"},
            (1, 1, "unknown key 'verison' at the top level; did you mean 'version'?"),
        ),
    ],
)
def test_single_problem_located(
    tmp_path: Path, overrides: dict[str, str], expected: tuple[int, int, str]
) -> None:
    got = problems_of(tmp_path, valid(**overrides))
    line, col, fragment = expected
    assert any((g[0], g[1]) == (line, col) and fragment in g[2] for g in got), got


def test_missing_required_fields_point_at_the_claim(tmp_path: Path) -> None:
    got = problems_of(tmp_path, "version: 1\nclaims:\n  - id: lonely\n    tags: [x]\n")
    assert got == [
        (3, 5, "claim 'lonely': missing required field 'claim' in this claim"),
        (3, 5, "claim 'lonely': missing required field 'date' in this claim"),
        (3, 5, "claim 'lonely': missing required field 'topics' in this claim"),
    ]


def test_missing_top_level_keys(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "claims: []\n") == [
        (1, 1, "missing required key 'version' (add 'version: 1' as the first line)"),
        (1, 9, "'claims' is empty: add at least one claim"),
    ]


def test_unknown_key_in_defaults(tmp_path: Path) -> None:
    text = valid().replace("claims:", "defaults:\n  shelf: 30d\n  topics: [x]\nclaims:")
    got = problems_of(tmp_path, text)
    assert [g[:2] for g in got] == [(3, 3), (4, 3)]
    assert got[0][2].startswith("unknown key 'shelf' in defaults; did you mean 'shelf_life'?")
    assert got[1][2] == "unknown key 'topics' in defaults (allowed: anchors, categories, shelf_life, tags)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            b"",
            [
                (
                    1,
                    1,
                    "the file is empty: start it with 'version: 1' and a 'claims:' list (see docs/claims.md)",
                )
            ],
        ),
        (b"# nothing but a comment\n", [(1, 1, "the file is empty")]),
        (b"- a\n- b\n", [(1, 1, "but this file holds a list")]),
        (b"just words\n", [(1, 1, "but this file holds a single value ('just words')")]),
        (
            b"version: 1\nclaims:\n  - id: caf\xe9\n",
            [(3, 12, "not valid UTF-8 (byte 0xe9); save the file as UTF-8")],
        ),
        (b"version: 1\nclaims: [\n", [(3, 1, "YAML syntax error: ")]),
        (b"version: 1\nclaims:\n\t- id: x\n", [(3, 1, "that character is a tab: indent YAML with spaces")]),
        (b"version: 1\x07\n", [(1, 11, "control character U+0007 is not allowed")]),
        # after multi-byte characters: libyaml counts bytes, the problem must count characters
        ('claim: "caf\u00e9 \u20ac"\x07\n'.encode(), [(1, 16, "control character U+0007 is not allowed")]),
        ("a: [\u00e9\u20ac, ]]\n".encode(), [(1, 10, "YAML syntax error: ")]),
        (b"version: 1\n---\nversion: 1\n", [(2, 1, "expected a single document")]),
        (b"version: 1\nversion: 1\nclaims: [x]\n", [(2, 1, "duplicate key 'version' (first at line 1)")]),
        (b"<<: {version: 1}\n", [(1, 1, "YAML merge keys (<<) are not supported")]),
        (b"version: 1\n[a]: 1\n", [(2, 1, "keys must be plain text")]),
        (b"version: 1\nclaims: !!python/name:os.system x\n", [(2, 9, "cannot be read")]),
        (b"a: &a [*a]\n", [(1, 4, "YAML nesting is deeper than")]),
        (b"a: " + b"[" * 100 + b"]" * 100 + b"\n", [(1, 68, "YAML nesting is deeper than 64 levels")]),
    ],
)
def test_file_level_problems(tmp_path: Path, text: bytes, expected: list[tuple[int, int, str]]) -> None:
    got = problems_of(tmp_path, text)
    for line, col, fragment in expected:
        assert any((g[0], g[1]) == (line, col) and fragment in g[2] for g in got), got


def test_very_deep_nesting_is_one_problem(tmp_path: Path) -> None:
    # libyaml stops at 1000 levels; the pure-Python parser would hit Python's recursion limit instead
    [(_, _, message)] = problems_of(tmp_path, b"a: " + b"[" * 50_000 + b"]" * 50_000 + b"\n")
    assert "nesting" in message
    assert re.search(r"deep|depth", message)


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        rows.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    got = problems_of(tmp_path, "\n".join(rows) + "\n")
    assert got == [(1, 1, "YAML aliases expand to more than 100,000 nodes (an alias bomb?)")]


def test_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    problems = read_claims(tmp_path / "nope.yaml", today=TODAY).problems
    assert [str(p) for p in problems] == [f"{tmp_path / 'nope.yaml'}: does not exist"]
    with pytest.raises(ClaimsError):
        load_claims(tmp_path / "nope.yaml", today=TODAY)


def test_a_directory_is_not_a_claims_file(tmp_path: Path) -> None:
    [problem] = read_claims(tmp_path, today=TODAY).problems
    assert problem.message == "is a directory, not a claims file"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + valid().encode())
    assert [c.id for c in load_claims(path, today=TODAY)] == ["one"]


def test_today_defaults_to_the_real_date(tmp_path: Path) -> None:
    far = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    got = problems_of(tmp_path, valid(date=f"    date: {far}"), today=dt.date.today())
    assert got == [(5, 11, f"claim 'one': date: {far} is in the future (today is {dt.date.today()})")]
    path = tmp_path / "claims.yaml"
    assert "is in the future" in read_claims(path).problems[0].message


@pytest.mark.parametrize(
    "category", ["cs.CL", "hep-th", "math.GT", "q-bio.NC", "physics.optics", "cond-mat.mes-hall"]
)
def test_real_category_shapes_are_accepted(tmp_path: Path, category: str) -> None:
    assert problems_of(tmp_path, valid(x=f"    categories: [{category}]")) == []


def test_no_traceback_whatever_the_bytes(tmp_path: Path) -> None:
    """Mutations of the shipped file (and random bytes) always end in problems, never an exception."""
    base = SHIPPED.read_bytes()
    rng = random.Random(20261126)
    tokens = [b": ", b"- ", b"\n", b"{", b"[", b"&a ", b"*a", b"!!binary ", b"'", b'"', b"\t", b"? ", b"\x00"]
    path = tmp_path / "claims.yaml"
    for i in range(150):
        data = bytearray(base)
        if i % 3 == 0:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif i % 3 == 1:
            for _ in range(rng.randint(1, 5)):
                at = rng.randrange(len(data))
                data[at:at] = rng.choice(tokens)
        else:
            data = bytearray(rng.randbytes(rng.randint(0, 200)))
        path.write_bytes(bytes(data))
        result = read_claims(path, today=TODAY)
        assert all(p.line >= 1 and p.col >= 1 for p in result.problems)
        assert not (result.hard and result.claims)


# -- the shipped claims.yaml -------------------------------------------------------------------------


def test_shipped_claims_file_is_valid() -> None:
    result = read_claims(SHIPPED, today=TODAY)
    assert result.problems == ()
    claims = result.claims
    assert len(claims) >= 7
    assert len({c.id for c in claims}) == len(claims)
    for claim in claims:
        assert 4 <= len(claim.topics) <= 10, claim.id
        # Topics as papers write them: a long descriptive phrase never occurs verbatim in an abstract.
        assert all(len(topic.split()) <= 4 for topic in claim.topics), claim.id
        assert claim.categories, claim.id
        assert claim.tags, claim.id
        assert claim.anchors, claim.id
        assert all(a.arxiv_id is not None and a.title for a in claim.anchors), claim.id


# Anchors the note cites that the offline snapshot does not hold (documented in claims.yaml).
NOT_IN_CORPUS = {"2411.12580", "2603.24472", "2311.09144"}


@pytest.mark.corpus
def test_shipped_anchors_match_the_real_corpus() -> None:
    """Each anchor in the snapshot has exactly the cited title, and its claim is dated at its v1."""
    corpus = shared_path("data", "arxiv", "arxiv-metadata-2024-2026.jsonl.gz")
    claims = load_claims(SHIPPED, today=TODAY)
    wanted = {str(a.arxiv_id.base): (claim, a) for claim in claims for a in claim.anchors if a.arxiv_id}
    found = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            arxiv_id = line[8 : line.index('"', 8)]  # every line starts with {"id": "
            if arxiv_id in wanted:
                found[arxiv_id] = json.loads(line)
    assert set(wanted) - set(found) == NOT_IN_CORPUS
    for arxiv_id, record in found.items():
        claim, anchor = wanted[arxiv_id]
        assert anchor.title == record["title"], arxiv_id
        v1 = dt.datetime.strptime(record["versions"][0]["created"], "%a, %d %b %Y %H:%M:%S GMT").date()
        assert claim.date == v1, arxiv_id
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count("NOT in the offline corpus") == len(NOT_IN_CORPUS)


def test_annotated_example_in_the_docs_is_valid(tmp_path: Path) -> None:
    doc = (SHIPPED.parent / "docs" / "claims.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "claims.yaml"
    path.write_text(example, encoding="utf-8")
    [claim] = load_claims(path, today=TODAY)
    assert [str(a.arxiv_id) for a in claim.anchors] == ["2508.01191", "2507.14783"]
    assert claim.categories == ("cs.CL", "cs.AI")
    assert claim.shelf_life_days == 180


def test_pure_python_yaml_fallback_gives_the_same_locations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without libyaml, PyYAML's own loader is used: same problems, and deep nesting is still caught."""
    import yaml

    from freshness import claims_reader

    monkeypatch.setattr(claims_reader, "_LOADER", yaml.SafeLoader)
    assert [p[:2] for p in problems_of(tmp_path, FIXTURES.joinpath("many-problems.yaml").read_bytes())] == [
        (2, 1), (6, 11), (7, 28), (8, 17), (10, 26), (11, 9), (15, 25), (16, 5), (16, 9), (18, 13), (21, 11),
        (22, 5),
    ]  # fmt: skip
    assert problems_of(tmp_path, b"a: " + b"[" * 600 + b"]" * 600 + b"\n") == [
        (1, 1, "YAML nesting is too deep")
    ]
    assert problems_of(tmp_path, 'claim: "caf\u00e9 \u20ac"\x07\n'.encode())[0][:2] == (1, 16)
