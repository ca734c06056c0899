"""The nightly cycle against the loopback arXiv: two nights, a repeated run, a failed poll, a locked
store, and triage decisions changing the next run (fake clocks: nothing sleeps)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from freshness.config import Settings
from freshness.decisions import decide, load_decisions
from freshness.errors import ClaimsError, StoreBusyError
from freshness.history import claim_history
from freshness.http import PoliteSession
from freshness.locking import writer_lock
from freshness.models import ClaimStatus, DecisionKind, Paper, SourceState
from freshness.nightly import CycleOptions, CycleResult, RunOutcome, run_cycle
from freshness.pacing import RateLimiter
from freshness.sources.arxiv_api import CANARY_ID
from freshness.store import Store
from freshness.views.run import summary_lines
from tests.conftest import NOW, FakeClock, claims_and_store, make_paper, two_claims_yaml
from tests.fakearxiv import (
    CANARY_TITLE,
    RSS_CT,
    FakeArxiv,
    FakeRequest,
    Reply,
    atom_feed,
    html_page,
    rss_feed,
)

CLAIMS_YAML = two_claims_yaml("2026-06-01")
RSS_PATH = "/rss/cs.CL"
RSS_KEY = "rss:cs.CL"
NIGHT_1 = NOW  # Thursday 2026-11-26, 18:00 in New York
NIGHT_2 = NOW + dt.timedelta(days=1)
ANCHOR = make_paper(
    "2405.00001",
    title="Sparse attention is all you need",
    categories=("cs.CL",),
    published=dt.date(2024, 5, 1),
)


def paper(arxiv_id: str, title: str, abstract: str, day: dt.date) -> Paper:
    return make_paper(arxiv_id, title=title, abstract=abstract, categories=("cs.CL",), published=day)


# Related to each claim, without any challenge language: "fresh".
KERNELS = paper(
    "2611.00101",
    "Efficient kernels for sparse attention for long context",
    "We present efficient GPU kernels for sparse attention for long context inputs.",
    dt.date(2026, 11, 25),
)
BENCHMARK = paper(
    "2611.00102",
    "Chain of thought under distribution shift: a benchmark",
    "We release a benchmark that measures chain of thought under distribution shift on ten tasks.",
    dt.date(2026, 11, 25),
)
# Announced on night 2: it argues with the sparse-attention claim.
REBUTTAL = paper(
    "2611.00201",
    "Sparse attention for long context fails to match dense attention",
    "Contrary to prior findings, we show that sparse attention for long context fails to match dense "
    "attention on retrieval tasks.",
    dt.date(2026, 11, 26),
)


@dataclass
class Arxiv:
    """The loopback arXiv of these tests: what the feed announces, and the faults to serve."""

    fake: FakeArxiv
    day: dt.date = dt.date(2026, 11, 26)
    announced: list[Paper] = field(default_factory=lambda: [KERNELS, BENCHMARK])
    rss_fault: Reply | None = None
    api_fault: Reply | None = None

    def rss(self, req: FakeRequest) -> Reply:
        if self.rss_fault is not None:
            return self.rss_fault
        items = [(p, "new") for p in self.announced]
        return Reply(200, rss_feed(items, announced=self.day, categories="cs.CL"), RSS_CT)

    def api(self, req: FakeRequest) -> Reply:
        if self.api_fault is not None:
            return self.api_fault
        known = {ANCHOR.arxiv_id: ANCHOR, CANARY_ID: make_paper(CANARY_ID, title=CANARY_TITLE)}
        ids = [i for i in req.query.get("id_list", "").split(",") if i]
        return Reply(200, atom_feed([known[i] for i in ids if i in known]))

    def night(self, day: dt.date, *papers: Paper) -> None:
        self.day = day
        self.announced = list(papers)


@pytest.fixture
def arxiv() -> Iterator[Arxiv]:
    with FakeArxiv() as fake:
        state = Arxiv(fake)
        fake.on(RSS_PATH, state.rss)
        fake.on("/api/query", state.api)
        yield state


@pytest.fixture
def settings(arxiv: Arxiv, tmp_path: Path) -> Settings:
    """A claims file, and a store that polled last night (tonight is a normal night: one RSS request)."""
    s = arxiv.fake.settings(*claims_and_store(tmp_path, CLAIMS_YAML), request_delay=0.0)
    with Store.open(s.db_path) as store:
        store.store_batch(
            (),
            SourceState(RSS_KEY, watermark=dt.date(2026, 11, 25), last_success=NOW),
            now=NOW,
            source="rss",
            # ... and every announcement since the claims' date (the nightly polls that came before).
            covers=(dt.date(2024, 1, 1), dt.date(2026, 11, 25)),
            covered_categories=["cs.CL"],
        )
    return s


def cycle(settings: Settings, now: dt.datetime, **options: object) -> CycleResult:
    clock = FakeClock()
    session = PoliteSession(
        user_agent="freshness/test",
        limiter=RateLimiter(0.0, None, clock=clock, sleep=clock.sleep),
        backoff=1.0,
    )
    return run_cycle(
        settings,
        now=now,
        today=now.date(),
        options=CycleOptions(**options),  # type: ignore[arg-type]
        session=session,
        clock=lambda: now + dt.timedelta(minutes=3),
        lock_clock=clock,
        lock_sleep=clock.sleep,
    )


def statuses(result: CycleResult) -> dict[str, ClaimStatus]:
    return {v.claim.id: v.status for v in result.report.verdicts}


# -- two nights ----------------------------------------------------------------------------------------


def test_two_nights_first_run_then_what_changed(arxiv: Arxiv, settings: Settings) -> None:
    first = cycle(settings, NIGHT_1)
    assert first.outcome is RunOutcome.OK
    assert first.exit_code == 0
    assert statuses(first) == {"sparse-attention": ClaimStatus.FRESH, "cot-shift": ClaimStatus.FRESH}
    assert first.baseline is None
    assert first.poll == "got 3 papers (3 added, 0 updated)"  # the feed's two, and the anchor
    reports = settings.claims_path.parent / "reports"
    assert first.files == (reports / "2026-11-26.json", reports / "2026-11-26.md", reports / "index.html")

    arxiv.night(NIGHT_2.date(), REBUTTAL)
    second = cycle(settings, NIGHT_2)
    assert second.outcome is RunOutcome.ATTENTION
    assert second.exit_code == 1
    assert statuses(second)["sparse-attention"] is ClaimStatus.POSSIBLY_SUPERSEDED
    assert second.baseline == dt.date(2026, 11, 26)
    assert second.attention == ("sparse-attention",)
    [change] = second.changes
    assert (change.before, change.after) == (ClaimStatus.FRESH, ClaimStatus.POSSIBLY_SUPERSEDED)
    assert [m.arxiv_id for m in change.new_superseding] == ["2611.00201"]

    lines = summary_lines(second)
    assert lines[0] == "freshness run 2026-11-27: got 1 paper (1 added, 0 updated)"
    assert "Changes since the run of 2026-11-26:" in lines
    assert "  sparse-attention: fresh -> possibly superseded" in lines
    candidate = "    new superseding candidate: 2611.00201  Sparse attention for long context fails to match"
    assert f"{candidate} dense attention" in lines
    assert "Needs attention: sparse-attention" in lines

    data = json.loads((reports / "2026-11-27.json").read_text())
    assert data["stale"] is False
    assert (
        "since the run of 2026-11-26: sparse-attention: fresh -> possibly superseded; new superseding "
        in (" ".join(data["notes"]))
    )
    markdown = (reports / "2026-11-27.md").read_text()
    assert "2611.00201" in markdown

    with Store.open(settings.db_path) as store:
        assert [(r.day.isoformat(), r.outcome, r.stale) for r in store.get_runs()] == [
            ("2026-11-26", "ok", False),
            ("2026-11-27", "attention", False),
        ]
        history = claim_history(store, "sparse-attention")
        assert [e.status for e in history.entries] == [ClaimStatus.FRESH, ClaimStatus.POSSIBLY_SUPERSEDED]


def test_a_run_repeated_on_one_day_keeps_one_history_row_and_the_same_files(
    arxiv: Arxiv, settings: Settings
) -> None:
    cycle(settings, NIGHT_1)
    arxiv.night(NIGHT_2.date(), REBUTTAL)
    once = cycle(settings, NIGHT_2)
    files_once = {p: p.read_text() for p in once.files}
    again = cycle(settings, NIGHT_2 + dt.timedelta(minutes=40))  # a cron retry, or a person re-running it
    assert again.files == once.files
    assert sorted(p.name for p in once.files[0].parent.iterdir()) == [
        "2026-11-26.json",
        "2026-11-26.md",
        "2026-11-27.json",
        "2026-11-27.md",
        "index.html",
    ]
    # Same day, same changes, same exit code: both compare with the run of an earlier day.
    assert again.exit_code == once.exit_code == 1
    assert again.changes == once.changes

    def judged(text: str) -> list[tuple[str, str, list[str]]]:
        return [
            (c["id"], c["status"], [m["arxiv_id"] for m in c["matches"]]) for c in json.loads(text)["claims"]
        ]

    assert judged(again.files[0].read_text()) == judged(files_once[once.files[0]])
    with Store.open(settings.db_path) as store:
        runs = store.get_runs()
        assert [r.day.isoformat() for r in runs] == ["2026-11-26", "2026-11-27"]
        assert runs[-1].started_at == NIGHT_2 + dt.timedelta(minutes=40)  # the later run replaced it
        assert store.db.execute("SELECT count(*) FROM run_claims").fetchone()[0] == 4


def test_html_report_on_request_and_a_chosen_reports_dir(
    arxiv: Arxiv, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "elsewhere"
    result = cycle(settings, NIGHT_1, reports_dir=out, html=True)
    assert [p.name for p in result.files] == [
        "2026-11-26.json",
        "2026-11-26.md",
        "2026-11-26.html",
        "index.html",
    ]
    assert all(p.parent == out for p in result.files)
    assert result.files[2].read_text().lstrip().lower().startswith("<!doctype html")


# -- nights that go wrong -----------------------------------------------------------------------------


def test_a_failed_poll_night_writes_a_stale_report_and_exits_2(arxiv: Arxiv, settings: Settings) -> None:
    cycle(settings, NIGHT_1)
    arxiv.night(NIGHT_2.date(), REBUTTAL)
    arxiv.rss_fault = html_page()  # arXiv's maintenance page, served as 200
    api_before = len(arxiv.fake.requests_to("/api/query"))
    result = cycle(settings, NIGHT_2)
    assert result.outcome is RunOutcome.FAILED
    assert result.exit_code == 2
    assert result.poll.startswith("could not poll: arXiv answered wrongly")
    assert result.tip
    assert result.report.stale
    assert statuses(result) == {"sparse-attention": ClaimStatus.FRESH, "cot-shift": ClaimStatus.FRESH}
    assert len(arxiv.fake.requests_to("/api/query")) == api_before  # anchors not asked again
    data = json.loads(result.files[0].read_text())
    assert data["stale"] is True
    assert any("judged on the papers already stored" in n for n in data["notes"])
    assert "the report is STALE: judged on the papers already stored" in summary_lines(result)
    with Store.open(settings.db_path) as store:
        last = store.get_runs()[-1]
        assert (last.day, last.outcome, last.stale) == (NIGHT_2.date(), "failed", True)
        assert store.get_source_state(RSS_KEY).watermark == dt.date(2026, 11, 26)  # not advanced

    # The retry that night works: it replaces the failed run and reports against night 1.
    arxiv.rss_fault = None
    retry = cycle(settings, NIGHT_2 + dt.timedelta(minutes=30))
    assert retry.outcome is RunOutcome.ATTENTION
    assert retry.baseline == NIGHT_1.date()
    with Store.open(settings.db_path) as store:
        assert [(r.outcome, r.stale) for r in store.get_runs()] == [("ok", False), ("attention", False)]


def test_anchor_lookup_trouble_keeps_the_last_known_statuses(arxiv: Arxiv, settings: Settings) -> None:
    first = cycle(settings, NIGHT_1)
    [anchor] = next(v for v in first.report.verdicts if v.claim.id == "sparse-attention").anchors
    assert anchor.status.value == "ok"
    arxiv.night(NIGHT_2.date())
    arxiv.api_fault = html_page()
    second = cycle(settings, NIGHT_2)  # the anchor was checked a day ago: it is asked again
    assert second.outcome is RunOutcome.OK  # the poll worked: not "could not run"
    assert second.anchor_problems
    [anchor] = next(v for v in second.report.verdicts if v.claim.id == "sparse-attention").anchors
    assert anchor.status.value == "ok"  # not "unchecked", and never "not found"
    assert any(line.startswith("warning: anchors not re-checked: ") for line in summary_lines(second))


def test_a_second_writer_gives_up_naming_the_holder_and_changes_nothing(
    arxiv: Arxiv, settings: Settings
) -> None:
    with writer_lock(settings.db_path, command="schedule", now=NOW), pytest.raises(StoreBusyError) as info:
        cycle(settings, NIGHT_1, lock_wait=5)
    assert "(freshness schedule) since 2026-11-26T23:00:00Z" in str(info.value)
    assert "gave up after 5 s" in str(info.value)
    assert arxiv.fake.requests == []
    assert not (settings.claims_path.parent / "reports").exists()
    with Store.open(settings.db_path) as store:
        assert store.get_runs() == []


def test_a_bad_claims_file_fails_before_anything_runs(arxiv: Arxiv, settings: Settings) -> None:
    settings.claims_path.write_text("version: 1\nclaims:\n  - id: Bad Id\n")
    with pytest.raises(ClaimsError):
        cycle(settings, NIGHT_1)
    assert arxiv.fake.requests == []


# -- triage shaping the next run ----------------------------------------------------------------------


def _two_nights(arxiv: Arxiv, settings: Settings) -> CycleResult:
    cycle(settings, NIGHT_1)
    arxiv.night(NIGHT_2.date(), REBUTTAL)
    return cycle(settings, NIGHT_2)


def _decide(settings: Settings, claim_id: str, kind: DecisionKind, **kw: object) -> None:
    from freshness.claims import load_claims

    with Store.open(settings.db_path) as store:
        claims = load_claims(settings.claims_path, today=NIGHT_2.date())
        decide(store, claims, claim_id, kind, now=NIGHT_2, today=NIGHT_2.date(), **kw)  # type: ignore[arg-type]


def test_a_snoozed_claim_shows_its_status_but_needs_no_attention(arxiv: Arxiv, settings: Settings) -> None:
    cycle(settings, NIGHT_1)
    _decide(settings, "sparse-attention", DecisionKind.SNOOZE, until=dt.date(2026, 12, 15))
    arxiv.night(NIGHT_2.date(), REBUTTAL)
    result = cycle(settings, NIGHT_2)
    assert statuses(result)["sparse-attention"] is ClaimStatus.POSSIBLY_SUPERSEDED
    assert result.outcome is RunOutcome.OK
    assert result.attention == ()
    assert result.snoozed == ("sparse-attention",)
    verdict = next(v for v in result.report.verdicts if v.claim.id == "sparse-attention")
    assert "snoozed until 2026-12-15: needs no attention before then" in verdict.reasons


def test_a_dismissal_survives_a_reimport_and_changes_the_next_report(
    arxiv: Arxiv, settings: Settings
) -> None:
    _two_nights(arxiv, settings)
    _decide(
        settings, "sparse-attention", DecisionKind.DISMISS, arxiv_id="2611.00201v1", reason="other setting"
    )
    # The paper is announced again (a replacement, v2): the row is rewritten, the decision is not.
    v2 = make_paper(
        REBUTTAL.arxiv_id,
        title=REBUTTAL.title,
        abstract=REBUTTAL.abstract,
        categories=("cs.CL",),
        published=REBUTTAL.published,
        version=2,
        updated=dt.date(2026, 11, 30),
    )
    arxiv.night(dt.date(2026, 11, 30), v2)
    night_3 = NIGHT_2 + dt.timedelta(days=3)
    result = cycle(settings, night_3)
    verdict = next(v for v in result.report.verdicts if v.claim.id == "sparse-attention")
    assert verdict.status is ClaimStatus.FRESH
    assert "2611.00201" not in [m.arxiv_id for m in verdict.matches]
    assert "dismissed by a person (not flagged again): 2611.00201" in verdict.reasons
    assert "2611.00201" not in result.files[1].read_text().split("dismissed by a person")[0]
    with Store.open(settings.db_path) as store:
        stored = store.get_papers(["2611.00201"]).get("2611.00201")
        assert stored is not None
        assert stored.version == 2
        assert load_decisions(store).for_claim("sparse-attention").dismissed == frozenset({"2611.00201"})


def test_a_confirmed_paper_leads_and_supersedes_without_raising_attention(
    arxiv: Arxiv, settings: Settings
) -> None:
    cycle(settings, NIGHT_1)
    _decide(settings, "cot-shift", DecisionKind.CONFIRM, arxiv_id="2611.00102")
    arxiv.night(NIGHT_2.date())
    result = cycle(settings, NIGHT_2)
    verdict = next(v for v in result.report.verdicts if v.claim.id == "cot-shift")
    assert verdict.status is ClaimStatus.POSSIBLY_SUPERSEDED
    assert verdict.matches[0].arxiv_id == "2611.00102"
    assert verdict.matches[0].superseding
    assert result.attention == ()  # the person who confirmed it already knows
    assert result.outcome is RunOutcome.OK


def test_a_review_moves_the_freshness_clock(arxiv: Arxiv, settings: Settings) -> None:
    _two_nights(arxiv, settings)
    _decide(settings, "sparse-attention", DecisionKind.REVIEWED, until=NIGHT_2.date())
    arxiv.night(dt.date(2026, 11, 30))
    result = cycle(settings, NIGHT_2 + dt.timedelta(days=3))
    verdict = next(v for v in result.report.verdicts if v.claim.id == "sparse-attention")
    # Every related paper is older than the review: none is "newer", and the age restarts.
    assert verdict.matches == ()
    assert verdict.age_days == 3
    assert verdict.claim.date == dt.date(2026, 6, 1)  # the claim as written
    assert verdict.status is not ClaimStatus.POSSIBLY_SUPERSEDED


def test_the_summary_makes_untrusted_titles_inert(arxiv: Arxiv, settings: Settings) -> None:
    cycle(settings, NIGHT_1)
    arxiv.night(NIGHT_2.date(), REBUTTAL)
    result = cycle(settings, NIGHT_2)
    [change] = result.changes
    evil = dataclasses.replace(
        change.new_superseding[0], title="Sparse\x1b[2J attention\x07 [bold red]fails[/]\n\tto match"
    )
    verdicts = tuple(
        dataclasses.replace(v, matches=(evil,)) if v.claim.id == change.claim_id else v
        for v in result.report.verdicts
    )
    tampered = dataclasses.replace(
        result,
        report=dataclasses.replace(result.report, verdicts=verdicts),
        changes=(dataclasses.replace(change, new_superseding=(evil,)),),
    )
    lines = summary_lines(tampered)
    assert "    new superseding candidate: 2611.00201  Sparse attention [bold red]fails[/] to match" in lines
    assert not any(ch in "\n".join(lines) for ch in "\x1b\x07\t")


def test_claims_are_aged_at_the_day_the_run_is_named_by(arxiv: Arxiv, settings: Settings) -> None:
    """A run late in the evening west of Greenwich is already tomorrow in UTC: its files, its log and
    the ages in its report all use the run's own day."""
    clock = FakeClock()
    session = PoliteSession(
        user_agent="freshness/test",
        limiter=RateLimiter(0.0, None, clock=clock, sleep=clock.sleep),
        backoff=1.0,
    )
    utc_now = dt.datetime.combine(NIGHT_1.date() + dt.timedelta(days=1), dt.time(3, 0), tzinfo=dt.UTC)
    result = run_cycle(
        settings,
        now=utc_now,
        today=NIGHT_1.date(),  # 22:00 the evening before, in New York
        options=CycleOptions(),
        session=session,
        clock=lambda: utc_now + dt.timedelta(minutes=3),
        lock_clock=clock,
        lock_sleep=clock.sleep,
    )
    assert result.day == NIGHT_1.date()
    for verdict in result.report.verdicts:
        assert verdict.age_days == (NIGHT_1.date() - verdict.claim.date).days
    reports = settings.claims_path.parent / "reports"
    assert result.files[0] == reports / f"{NIGHT_1.date().isoformat()}.json"
