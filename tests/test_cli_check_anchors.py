"""`freshness check-anchors` through Click against a loopback arXiv: output, exit codes, no real sleep."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from freshness import http
from freshness.cli import cli
from freshness.locking import current_holder, writer_lock
from freshness.sources import arxiv_api
from freshness.sources.arxiv_api import CANARY_ID
from freshness.store import Store
from tests.conftest import NOW, make_paper
from tests.fakearxiv import (
    ATOM_CT,
    CANARY_TITLE,
    XML_CT,
    FakeArxiv,
    FakeRequest,
    Reply,
    atom_feed,
    html_page,
    too_many_requests,
)

# Line and column of each anchor id below (1-based), as GitHub annotations must report them.
CLAIMS = """\
version: 1
claims:
  - id: cot-shift
    claim: >-
      Chain-of-thought reasoning degrades predictably under shifts in task, length or format.
    date: 2025-08-02
    topics:
      - chain-of-thought generalization under distribution shift
    anchors:
      - arXiv:2401.00001
      - id: 2402.00002
        title: Scaling Laws for Neural Language Models
  - id: old-physics
    claim: An old result still stands.
    date: 2025-01-01
    topics: [strings]
    anchors: [hep-th/9901001, 2509.99999]
"""
POSITIONS = {
    "arXiv:2401.00001": (10, 9),
    "2402.00002": (11, 13),
    "hep-th/9901001": (17, 15),
    "2509.99999": (17, 31),
}

PAPERS = {
    p.arxiv_id: p
    for p in [
        make_paper(CANARY_ID, title=CANARY_TITLE, published=dt.date(2016, 5, 26)),
        make_paper("2401.00001", title="Chain-of-Thought Under Shift"),
        make_paper("2402.00002", title="Scaling laws for neural language models"),
        make_paper("hep-th/9901001", title="Strings", published=dt.date(1999, 1, 4)),
    ]
}


def api_reply(req: FakeRequest) -> Reply:
    asked = req.query["id_list"].split(",")
    found = [PAPERS[i] for i in asked if i in PAPERS]
    return Reply(200, atom_feed(found), ATOM_CT)


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv() as server:
        server.on("/api/query", api_reply)
        server.on("/oai", lambda req: Reply(500, b"unexpected", XML_CT))
        yield server


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every sleep the polite session asks for, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(
        arxiv_api, "polite_session", functools.partial(http.polite_session, sleep=slept.append)
    )
    return slept


@pytest.fixture
def claims_file(tmp_path: Path) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text(CLAIMS)
    return path


def invoke(fake: FakeArxiv | None, claims: Path, *args: str, db: Path | None = None) -> Result:
    endpoints = ("FRESHNESS_ARXIV_API_URL", "FRESHNESS_ARXIV_OAI_URL", "FRESHNESS_ARXIV_RSS_URL")
    nowhere = {"FRESHNESS_REQUEST_DELAY": "0"} | {k: "http://127.0.0.1:9/x" for k in endpoints}
    env = fake.env() if fake is not None else nowhere
    db = db or claims.parent / "state" / "store.sqlite"
    return CliRunner().invoke(
        cli, ["--claims", str(claims), "--db", str(db), "check-anchors", *args], env=env
    )


def test_help_documents_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["check-anchors", "--help"])
    assert result.exit_code == 0
    assert "Exit codes: 0 every anchor resolves" in result.output
    assert "--offline" in result.output
    assert "--max-age" in result.output


def test_text_table_and_exit_1_for_a_missing_anchor(
    fake: FakeArxiv, claims_file: Path, sleeps: list[float]
) -> None:
    result = invoke(fake, claims_file)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert any("2509.99999" in line and "not found" in line for line in lines)
    assert any("hep-th/9901001" in line and " ok " in line for line in lines)
    assert lines[-1] == "4 anchor(s), 4 of 4 verified: 1 not found, 3 ok (1 arXiv query)"
    [req] = fake.requests
    assert req.query["id_list"] == f"2401.00001,2402.00002,hep-th/9901001,2509.99999,{CANARY_ID}"


def test_text_table_at_80_columns_never_breaks_a_long_claim_id(
    fake: FakeArxiv, tmp_path: Path, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    long_id = "chain-of-thought-generalisation-degrades-under-shift"
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS.replace("id: cot-shift", f"id: {long_id}"))
    monkeypatch.setenv("COLUMNS", "80")  # what rich assumes when stdout is not a terminal, made explicit
    result = invoke(fake, claims)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert [line for line in lines if long_id in line] == [long_id]
    for raw in POSITIONS:
        assert any(line.split()[:1] == [raw] for line in lines), raw
    assert "  2509.99999 (line 17)  not found" in lines
    assert lines[-1] == "4 anchor(s), 4 of 4 verified: 1 not found, 3 ok (1 arXiv query)"


def test_github_annotations_at_the_exact_line_and_column(
    fake: FakeArxiv, claims_file: Path, sleeps: list[float]
) -> None:
    result = invoke(fake, claims_file, "--format", "github")
    assert result.exit_code == 1
    line, col = POSITIONS["2509.99999"]
    assert result.stdout.splitlines()[0] == (
        f"::error file={claims_file},line={line},col={col},title=freshness anchor not_found::"
        "2509.99999 (old-physics): not found on arXiv"
    )
    assert result.stdout.splitlines()[-1] == (
        "4 anchor(s), 4 of 4 verified: 1 not found, 3 ok (1 arXiv query)"
    )


def test_github_annotations_for_every_anchor_position(claims_file: Path) -> None:
    # Offline on an empty store every well-formed anchor is a warning: all four positions show.
    result = invoke(None, claims_file, "--offline", "--format", "github")
    assert result.exit_code == 0
    found = {}
    for out in result.stdout.splitlines()[:-1]:
        props, message = out.split("::")[1], out.split("::", 2)[2]
        fields = dict(p.split("=", 1) for p in props.removeprefix("warning ").split(","))
        found[message.split(" ")[0]] = (int(fields["line"]), int(fields["col"]))
    assert found == POSITIONS


def test_json_output(fake: FakeArxiv, claims_file: Path, sleeps: list[float]) -> None:
    result = invoke(fake, claims_file, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1
    assert doc["offline"] is False
    assert doc["exit_code"] == 1
    assert doc["summary"]["ok"] == 3
    assert doc["summary"]["not_found"] == 1
    assert [(a["claim"], a["anchor"], a["status"]) for a in doc["anchors"]] == [
        ("cot-shift", "arXiv:2401.00001", "ok"),
        ("cot-shift", "2402.00002", "ok"),
        ("old-physics", "hep-th/9901001", "ok"),
        ("old-physics", "2509.99999", "not_found"),
    ]
    assert doc["anchors"][1]["title"] == "Scaling laws for neural language models"
    assert doc["anchors"][1]["cited_title"] == "Scaling Laws for Neural Language Models"
    assert (doc["anchors"][3]["line"], doc["anchors"][3]["col"]) == POSITIONS["2509.99999"]


def test_all_resolving_exits_0(fake: FakeArxiv, tmp_path: Path, sleeps: list[float]) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS.replace("[hep-th/9901001, 2509.99999]", "[hep-th/9901001]"))
    result = invoke(fake, claims)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "3 anchor(s), 3 of 3 verified: 3 ok (1 arXiv query)"


def test_the_cache_answers_the_second_run(fake: FakeArxiv, claims_file: Path, sleeps: list[float]) -> None:
    assert invoke(fake, claims_file).exit_code == 1
    assert len(fake.requests) == 1
    second = invoke(fake, claims_file)
    assert second.exit_code == 1
    assert len(fake.requests) == 1  # nothing asked: checked less than --max-age (1d) ago
    assert "cached check of" in second.stdout
    assert " ".join(second.stdout.split()).endswith("(all from the cache: nothing asked of arXiv)")
    assert invoke(fake, claims_file, "--max-age", "0").exit_code == 1
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    "reply",
    [html_page(), Reply(200, atom_feed(list(PAPERS.values()))[:600], ATOM_CT), too_many_requests("120")],
    ids=["html-200", "truncated-xml", "429-storm"],
)
def test_arxiv_answering_wrongly_is_exit_2_never_1(
    fake: FakeArxiv, tmp_path: Path, sleeps: list[float], reply: Reply
) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS.replace("[hep-th/9901001, 2509.99999]", "[hep-th/9901001]"))
    fake.on("/api/query", lambda req: reply)
    result = invoke(fake, claims, "--format", "github")
    assert result.exit_code == 2, result.output
    assert "not found" not in result.stdout
    assert result.stdout.count("::warning") == 3
    assert "could not be checked" in result.stdout
    assert "error: could not check: " in result.stderr
    assert (
        "Tip: arXiv may be down or rate-limiting; try again later (answers already received" in result.stderr
    )
    if reply.status == 429:
        assert [s for s in sleeps if s >= 120] == [120.0] * 4  # Retry-After honoured, nothing slept


def test_server_down_is_exit_2(tmp_path: Path, sleeps: list[float]) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS)
    with FakeArxiv() as fake:
        pass  # stopped: nothing listens on its port any more
    result = invoke(fake, claims)
    assert result.exit_code == 2
    assert "could not connect" in result.stderr
    assert "not found" not in result.stdout


def test_online_while_another_writer_holds_the_store_exits_2_and_asks_nothing(
    fake: FakeArxiv, claims_file: Path, sleeps: list[float]
) -> None:
    db = claims_file.parent / "state" / "store.sqlite"
    since = dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.UTC)
    with writer_lock(db, command="run", now=since):
        result = invoke(fake, claims_file, "--lock-wait", "0", db=db)
        offline = invoke(fake, claims_file, "--offline", "--lock-wait", "0", db=db)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: the store {db} is busy: pid {os.getpid()} (freshness run) ")
    assert "holds its writer lock; gave up after 0 s" in result.stderr
    assert "Tip: Another freshness command is writing to this store" in result.stderr
    assert fake.requests == []
    with Store.open(db) as store:
        assert store.get_anchor_checks(["2401.00001", "2509.99999"]) == {}
    # Offline only reads the store: a nightly run holding the lock does not stop it.
    assert offline.exit_code == 0, offline.output
    assert offline.stdout.splitlines()[-1] == (
        "4 anchor(s), 0 of 4 verified: 4 unchecked (offline, from the store)"
    )


def test_online_holds_the_writer_lock_while_it_saves_answers(
    fake: FakeArxiv, claims_file: Path, sleeps: list[float]
) -> None:
    db = claims_file.parent / "state" / "store.sqlite"
    held: list[str] = []

    def reply_and_look(req: FakeRequest) -> Reply:
        holder = current_holder(db)
        held.append(holder.command if holder else "free")
        return api_reply(req)

    fake.on("/api/query", reply_and_look)
    assert invoke(fake, claims_file, db=db).exit_code == 1
    assert held == ["check-anchors"]
    assert current_holder(db) is None


def test_offline_reads_imported_papers_and_never_asks(fake: FakeArxiv, claims_file: Path) -> None:
    db = claims_file.parent / "state" / "store.sqlite"
    with Store.open(db) as store:
        store.upsert_papers([PAPERS["2401.00001"], PAPERS["2402.00002"]], source="snapshot", now=NOW)
    result = invoke(fake, claims_file, "--offline", "--format", "json", db=db)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["offline"] is True
    assert [a["status"] for a in doc["anchors"]] == ["ok", "ok", "unchecked", "unchecked"]
    assert doc["anchors"][0]["detail"].endswith("; from the store's papers")
    assert fake.requests == []


def test_offline_without_a_store_creates_none(claims_file: Path) -> None:
    db = claims_file.parent / "nowhere" / "store.sqlite"
    result = invoke(None, claims_file, "--offline", db=db)
    assert result.exit_code == 0
    assert not db.parent.exists()
    assert result.stdout.splitlines()[-1] == (
        "4 anchor(s), 0 of 4 verified: 4 unchecked (offline, from the store)"
    )
    assert "warning: no anchor was verified" in result.stderr  # said, even when it does not fail


def test_strict_offline_gate_without_its_store_fails_instead_of_passing_on_nothing(claims_file: Path) -> None:
    db = claims_file.parent / "nowhere" / "store.sqlite"
    result = invoke(None, claims_file, "--offline", "--strict", db=db)
    assert result.exit_code == 2
    assert "error: no anchor was verified" in result.stderr
    assert "Tip: run `freshness check-anchors` online once (or restore the CI cache" in result.stderr


def test_strict_passes_when_the_store_verifies_anchors(claims_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    with Store.open(db) as store:
        store.upsert_papers(
            [make_paper("2402.00002", title="Scaling Laws for Neural Language Models")],
            source="snapshot",
            now=NOW,
        )
    result = invoke(None, claims_file, "--offline", "--strict", db=db)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[-1]
        == "4 anchor(s), 1 of 4 verified: 3 unchecked, 1 ok (offline, from the store)"
    )
    assert "no anchor was verified" not in result.stderr


def test_malformed_anchor_offline_exit_1_with_its_position(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS.replace("2509.99999", "2509.9999"))
    result = invoke(None, claims, "--offline", "--format", "github")
    assert result.exit_code == 1
    [error] = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert error.startswith(
        f"::error file={claims},line=17,col=31,title=freshness anchor malformed::2509.9999 (old-physics): "
    )


def test_a_bad_claims_file_is_exit_2_with_its_location(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text("version: 1\nclaims:\n  - id: x\n    claim: c\n")
    result = invoke(None, claims, "--offline")
    assert result.exit_code == 2
    assert f"{claims}:3:" in result.stderr
    assert "Traceback" not in result.output


def test_a_bad_max_age_is_a_usage_error(claims_file: Path) -> None:
    result = invoke(None, claims_file, "--max-age", "soon")
    assert result.exit_code == 2
    assert "not a duration" in result.stderr
