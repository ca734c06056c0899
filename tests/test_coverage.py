"""Coverage: the days each listing brought in, kept by the store; a claim is never `fresh` on a period
the store never fetched, and every report format names the missing span."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from freshness.assess import build_report
from freshness.coverage import claim_gaps, merge, missing, rss_covered_days, uncovered_note
from freshness.models import Claim, ClaimStatus, CoverageGap
from freshness.report import render
from freshness.sources.files import import_files
from freshness.store import Store
from tests.conftest import cover, make_paper

NOW = dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
OLD = Claim(
    id="old-claim",
    text="Sparse attention for long context matches dense attention.",
    date=TODAY - dt.timedelta(days=730),  # 2024-11-26: two years back
    topics=("sparse attention for long context",),
    categories=("cs.CL", "cs.LG"),
    shelf_life_days=3650,
)
RECENT = Claim(
    id="recent-claim",
    text="Chain of thought helps small models on arithmetic.",
    date=TODAY - dt.timedelta(days=60),
    topics=("chain of thought arithmetic",),
    categories=("cs.CL", "cs.LG"),
    shelf_life_days=3650,
)


def _ninety_day_store(store: Store) -> None:
    """A store that fetched only the last 90 days (a first poll's default backfill), with a related
    paper inside them."""
    cover(
        store, TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=1), ("cs.CL", "cs.LG"), source="oai"
    )
    store.upsert_papers(
        [
            make_paper(
                "2610.00001",
                title="Efficient kernels for sparse attention for long context",
                abstract="We speed up sparse attention for long context.",
                published=TODAY - dt.timedelta(days=30),
            )
        ],
        source="oai",
        now=NOW,
    )


def test_merge_joins_overlaps_and_weekends_but_not_real_gaps() -> None:
    d = dt.date
    spans = [(d(2026, 1, 5), d(2026, 1, 9)), (d(2026, 1, 12), d(2026, 1, 16)), (d(2026, 3, 1), d(2026, 3, 2))]
    assert merge(spans) == [(d(2026, 1, 5), d(2026, 1, 16)), (d(2026, 3, 1), d(2026, 3, 2))]
    assert missing(merge(spans), d(2026, 1, 1), d(2026, 3, 10)) == [
        (d(2026, 1, 1), d(2026, 1, 4)),
        (d(2026, 1, 17), d(2026, 2, 28)),
        (d(2026, 3, 3), d(2026, 3, 10)),
    ]


def test_a_category_missing_its_own_span_is_named_alone() -> None:
    d = dt.date
    covered = {"cs.CL": [(d(2025, 1, 1), d(2026, 11, 25))], "cs.LG": [(d(2026, 6, 1), d(2026, 11, 25))]}
    gaps = claim_gaps(covered, ("cs.CL", "cs.LG"), d(2025, 1, 10), TODAY)
    assert gaps == (CoverageGap(d(2025, 1, 11), d(2026, 5, 31), ("cs.LG",)),)
    # A whole archive harvested (OAI set `cs`) covers its categories.
    assert claim_gaps({"cs": [(d(2025, 1, 1), d(2026, 11, 25))]}, ("cs.LG",), d(2025, 1, 10), TODAY) == ()


def test_monday_announcements_cover_the_weekend_submissions() -> None:
    assert rss_covered_days(dt.date(2026, 11, 23)) == (dt.date(2026, 11, 20), dt.date(2026, 11, 23))
    assert rss_covered_days(dt.date(2026, 11, 25)) == (dt.date(2026, 11, 24), dt.date(2026, 11, 25))


def test_a_claim_two_years_back_on_a_ninety_day_store_is_unchecked_naming_the_missing_span(
    store: Store,
) -> None:
    _ninety_day_store(store)
    report = build_report(store, [OLD, RECENT], now=NOW)
    old, recent = report.verdicts
    missing_span = f"{OLD.date + dt.timedelta(days=1)} to {TODAY - dt.timedelta(days=91)}"
    assert missing_span == "2024-11-27 to 2026-08-27"
    assert old.status is ClaimStatus.UNCHECKED  # never FRESH, although nothing challenges it
    assert old.coverage_gaps == (
        CoverageGap(dt.date(2024, 11, 27), dt.date(2026, 8, 27), ("cs.CL", "cs.LG")),
    )
    assert [m.arxiv_id for m in old.matches] == ["2610.00001"]  # what the covered days hold is shown
    reason = next(r for r in old.reasons if r.startswith("not covered"))
    assert reason == (
        "not covered: the store never fetched 2024-11-27 to 2026-08-27 (cs.CL, cs.LG) (639 days), so a "
        "newer paper there would not be seen; run `freshness poll --source oai --since 2024-11-27` to fill it"
    )
    assert recent.status is ClaimStatus.FRESH
    assert recent.coverage_gaps == ()
    # The header states the covered span, not the span of the stored papers.
    assert report.store.covered == ((dt.date(2026, 8, 28), dt.date(2026, 11, 25)),)
    note = (
        "1 claim is not covered since its date (old-claim): the store never fetched 2024-11-27 to 2026-08-27"
    )
    assert any(n.startswith(note) for n in report.notes)

    terminal = render(report, "terminal", width=100)
    markdown = render(report, "markdown", width=100)
    html = render(report, "html", width=100)
    doc = json.loads(render(report, "json", width=100))
    header = "arXiv listings covered 2026-08-28 to 2026-11-25 for cs.CL, cs.LG"
    for text in (terminal, markdown, html):
        assert header in text
        assert "2024-11-27 to 2026-08-27" in text
        assert "freshness poll --source oai --since 2024-11-27" in text
    assert "UNCHECKED  old-claim" in terminal
    assert doc["store"]["covered"] == [{"from": "2026-08-28", "to": "2026-11-25"}]
    assert doc["store"]["covered_categories"] == ["cs.CL", "cs.LG"]
    by_id = {c["id"]: c for c in doc["claims"]}
    assert by_id["old-claim"]["status"] == "unchecked"
    assert by_id["old-claim"]["coverage_gaps"] == [
        {"from": "2024-11-27", "to": "2026-08-27", "categories": ["cs.CL", "cs.LG"]}
    ]
    assert by_id["recent-claim"]["coverage_gaps"] == []


def test_an_empty_store_leaves_every_claim_unchecked_with_one_line_saying_what_to_run(store: Store) -> None:
    report = build_report(store, [OLD, RECENT], now=NOW)
    assert [v.status for v in report.verdicts] == [ClaimStatus.UNCHECKED, ClaimStatus.UNCHECKED]
    for fmt in ("terminal", "markdown", "html", "json"):
        text = " ".join(render(report, fmt, width=100).split())
        assert "the store is empty, so every claim is unchecked: run " in text, fmt
        assert "freshness run" in text, fmt


def test_papers_without_coverage_are_no_verdict_and_the_report_says_how_to_record_it(store: Store) -> None:
    """Papers looked up by id (an anchor) or stored before coverage was kept cover nothing."""
    store.upsert_papers(
        [make_paper("2610.00001", published=TODAY - dt.timedelta(days=3))], source="api", now=NOW
    )
    report = build_report(store, [RECENT], now=NOW)
    assert report.verdicts[0].status is ClaimStatus.UNCHECKED
    assert report.store.covered == ()
    assert any("no record of which days they cover" in n for n in report.notes)
    assert "no arXiv listing covered yet for cs.CL, cs.LG; 1 paper" in render(report, "terminal", width=100)


def test_a_snapshot_import_covers_the_days_its_records_span_for_its_categories(
    tmp_path: Path, store: Store
) -> None:
    lines = []
    for i, (day, cats) in enumerate([("2024-03-04", "cs.CL cs.AI"), ("2024-05-20", "cs.LG")]):
        lines.append(
            json.dumps(
                {
                    "id": f"2403.0000{i + 1}",
                    "title": "A title",
                    "abstract": "An abstract.",
                    "authors": "A. Author",
                    "categories": cats,
                    "versions": [
                        {
                            "version": "v1",
                            "created": f"{dt.date.fromisoformat(day):%a, %d %b %Y} 10:00:00 GMT",
                        }
                    ],
                    "update_date": day,
                }
            )
        )
    path = tmp_path / "snap.jsonl"
    path.write_text("\n".join(lines) + "\n")
    [result] = import_files(store, [path], now=NOW).files
    assert result.error is None, result.error
    assert result.covered == (dt.date(2024, 3, 4), dt.date(2024, 5, 20))
    covered = store.coverage()
    assert sorted(covered) == ["cs.AI", "cs.CL", "cs.LG"]
    assert covered["cs.LG"] == [(dt.date(2024, 3, 4), dt.date(2024, 5, 20))]


def test_an_api_response_covers_nothing(store: Store) -> None:
    fixture = Path(__file__).parent / "fixtures" / "wire" / "api_page.xml"
    [result] = import_files(store, [fixture], now=NOW).files
    assert result.stored > 0
    assert result.covered is None
    assert store.coverage() == {}


def test_the_note_lists_uncovered_claims_and_the_one_command() -> None:
    d = dt.date
    gaps = {
        "a": (CoverageGap(d(2025, 1, 2), d(2025, 6, 1), ("cs.CL",)),),
        "b": (),
        "c": (CoverageGap(d(2024, 6, 2), d(2025, 6, 1), ("cs.LG",)),),
    }
    note = uncovered_note(gaps)
    assert note is not None
    assert note.startswith(
        "2 claims are not covered since their date (a, c): the store never fetched 2024-06-02"
    )
    assert "`freshness poll --source oai --since 2024-06-02`" in note
    assert uncovered_note({"b": ()}) is None
