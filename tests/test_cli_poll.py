"""`freshness poll` end to end through Click: the three outcomes' wording and exit codes, --dry-run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from freshness.cli import cli
from freshness.poll_plan import BACKFILL_MAX_DAYS, last_complete_day
from freshness.store import Store
from tests.conftest import claims_and_store, long_context_yaml, make_paper
from tests.fakearxiv import RSS_CT, XML_CT, FakeArxiv, Reply, html_page, oai_error, oai_list_records, rss_feed

CLAIMS = long_context_yaml("2026-10-01")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return claims_and_store(tmp_path, CLAIMS)


def run(fake: FakeArxiv, files: tuple[Path, Path], *args: str, now: dt.datetime | None = None) -> Result:
    claims, db = files
    at = ["--now", now.isoformat()] if now else []  # the CLI's hidden fixed clock
    return CliRunner().invoke(
        cli, [*at, "--claims", str(claims), "--db", str(db), "poll", *args], env=fake.env()
    )


# The CLI's fixed clock: the morning after the announcement of Thursday 2026-11-26.
NOW = dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.UTC)


def feed(*papers: str, day: dt.date = dt.date(2026, 11, 26)) -> Reply:
    items = [(make_paper(p, categories=("cs.CL",), published=day), "new") for p in papers]
    return Reply(200, rss_feed(items, announced=day, categories="cs.AI+cs.CL"), RSS_CT)


def test_got_papers_exit_0(files: tuple[Path, Path]) -> None:
    with FakeArxiv() as fake:
        fake.script("/rss/cs.AI+cs.CL", feed("2611.00001", "2611.00002"))
        result = run(fake, files, "--source", "rss")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "got 2 papers (2 added, 0 updated)"
    assert "rss:cs.AI+cs.CL: 2 papers" in result.stdout
    assert "1 request made" in result.stdout
    with Store.open(files[1]) as store:
        assert store.summary().papers == 2


def test_nothing_new_exit_0_with_its_own_wording(files: tuple[Path, Path]) -> None:
    with FakeArxiv() as fake:
        fake.script("/rss/cs.AI+cs.CL", feed(day=dt.date(2026, 11, 28)))
        result = run(fake, files, "--source", "rss")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "arXiv had nothing new: the feed for 2026-11-28 (Saturday) has no announcements: "
        "arXiv announces nothing for weekends"
    )


def test_could_not_poll_exit_2_with_tip_and_the_store_unchanged(files: tuple[Path, Path]) -> None:
    with FakeArxiv() as fake:
        fake.script("/rss/cs.AI+cs.CL", html_page())
        result = run(fake, files, "--source", "rss")
    assert result.exit_code == 2
    assert result.stderr.startswith("could not poll: arXiv answered wrongly: ")
    assert "Tip: " in result.stderr
    assert "nothing new" not in result.output
    with Store.open(files[1]) as store:
        assert store.summary().papers == 0
        assert store.get_source_state("rss:cs.AI+cs.CL").watermark is None


def test_auto_first_poll_harvests_oai_then_rss(files: tuple[Path, Path]) -> None:
    day = dt.date(2026, 11, 26)
    papers = [make_paper(f"2611.{i:05d}", categories=("cs.CL",), published=day) for i in range(1, 6)]
    with FakeArxiv() as fake:
        fake.on("/oai", lambda req: Reply(200, oai_list_records(papers), XML_CT))
        fake.on("/rss/cs.AI+cs.CL", lambda req: feed("2611.00005", "2611.00006"))
        result = run(fake, files, now=NOW)
        oai_query = fake.requests_to("/oai")[0].query
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "got 7 papers (6 added, 0 updated, 1 already stored)"
    assert "plan: first poll" in result.stdout
    assert oai_query["set"] == "cs"
    # the claim's date, unless the first backfill's 90-day bound is later
    bound = last_complete_day(NOW) - dt.timedelta(days=BACKFILL_MAX_DAYS)
    assert oai_query["from"] == max(dt.date(2026, 10, 1), bound).isoformat()


def test_an_oai_error_element_is_exit_2_and_arxiv_text_is_made_inert(files: tuple[Path, Path]) -> None:
    # U+009B is a one-character CSI (legal in XML 1.0): arXiv's words must not drive the terminal.
    with FakeArxiv() as fake:
        fake.on("/oai", lambda req: Reply(200, oai_error("badArgument", "bad \u009b31mred"), XML_CT))
        result = run(fake, files, "--source", "oai")
    assert result.exit_code == 2
    assert "could not poll: OAI-PMH answered error badArgument: bad 31mred" in result.stderr
    assert "\u009b" not in result.output


def test_dry_run_prints_urls_and_time_and_touches_nothing(files: tuple[Path, Path]) -> None:
    with FakeArxiv() as fake:
        result = run(fake, files, "--dry-run")
        slower = CliRunner().invoke(
            cli,
            ["--claims", str(files[0]), "--db", str(files[1]), "poll", "--dry-run"],
            env=fake.env(FRESHNESS_REQUEST_DELAY="5"),
        )
        assert fake.requests == []
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # The configured delay, not a fixed 3 s: 0 here (loopback), 5 when configured so.
    assert lines[0].startswith("dry run: 2 requests planned, at least 0 s at 0 s a request")
    assert slower.stdout.startswith("dry run: 2 requests planned, at least 10 s at 5 s a request")
    assert any(line.startswith(f"GET {fake.url('/oai?verb=ListRecords')}") for line in lines)
    assert f"GET {fake.url('/rss/cs.AI+cs.CL')}" in lines
    assert not files[1].parent.exists()  # no store, no lock file


def test_since_with_rss_is_a_usage_error_exit_2(files: tuple[Path, Path]) -> None:
    with FakeArxiv() as fake:
        result = run(fake, files, "--source", "rss", "--since", "2026-11-01")
    assert result.exit_code == 2
    assert "--since does not apply to --source rss" in result.stderr


def test_a_bad_claims_file_is_exit_2_before_any_request(files: tuple[Path, Path]) -> None:
    files[0].write_text("version: 1\nclaims:\n  - id: x\n")
    with FakeArxiv() as fake:
        result = run(fake, files)
        assert fake.requests == []
    assert result.exit_code == 2
    assert "claims.yaml:" in result.stderr


def test_help_documents_the_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["poll", "--help"])
    assert result.exit_code == 0
    assert "Exit codes: 0 got papers" in result.output
    assert "--dry-run" in result.output


OLD_CLAIMS = long_context_yaml("2024-10-01", claim_id="old-claim")


def test_every_poll_names_the_uncovered_claims_and_the_command_that_fills_the_gap(
    files: tuple[Path, Path],
) -> None:
    """The first poll backfills only BACKFILL_MAX_DAYS: a claim dated two years back is left with a
    hole, and every poll (not only the first) says so with the exact command, until it is filled."""
    files[0].write_text(OLD_CLAIMS)
    day = dt.date(2026, 11, 26)
    papers = [make_paper(f"2611.{i:05d}", categories=("cs.CL",), published=day) for i in range(1, 4)]
    note = "1 claim is not covered since its date (old-claim): the store never fetched 2024-10-02 to "
    command = "run `freshness poll --source oai --since 2024-10-02`"
    with FakeArxiv() as fake:
        fake.on("/oai", lambda req: Reply(200, oai_list_records(papers), XML_CT))
        fake.on("/rss/cs.AI+cs.CL", lambda req: feed("2611.00005"))
        plan = run(fake, files, "--dry-run")
        first = run(fake, files)
        again = run(fake, files, "--source", "rss")
        fill = run(fake, files, "--source", "oai", "--since", "2024-10-02")
        after = run(fake, files, "--source", "rss")
    for result in (plan, first, again):
        assert result.exit_code == 0, result.output
        [line] = [line for line in result.stdout.splitlines() if "not covered since" in line]
        assert note in line, line
        assert command in line, line
    assert "note: before this poll, 1 claim is not covered" in plan.stdout
    assert first.stdout.splitlines()[-1].startswith("note: 1 claim is not covered")
    assert fill.exit_code == after.exit_code == 0, fill.output + after.output
    assert "not covered" not in fill.stdout + after.stdout  # the gap is filled: nothing to say


def test_while_another_writer_holds_the_store_exits_2_after_lock_wait_and_asks_nothing(
    files: tuple[Path, Path],
) -> None:
    import os

    from freshness.locking import writer_lock

    since = dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.UTC)
    with FakeArxiv() as fake, writer_lock(files[1], command="run", now=since):
        result = run(fake, files, "--source", "rss", "--lock-wait", "0")
        dry = run(fake, files, "--source", "rss", "--dry-run", "--lock-wait", "0")
        assert fake.requests == []
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: the store {files[1]} is busy: pid {os.getpid()} (freshness run) "
    )
    assert "holds its writer lock; gave up after 0 s" in result.stderr
    # A dry run only reads: the writer does not stop it.
    assert dry.exit_code == 0, dry.output
