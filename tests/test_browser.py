"""The HTML report and the dashboard in a real browser: Debian's headless Chromium driven by Playwright.

One browser for the session. Pages are opened from file:// and must log no console error; summary
links must land on their cards; each chart must draw one mark per month and one marker per challenger;
hostile titles must create no element and run nothing. Screenshots go to the test's temporary folder
(README describes them; docs/img/ keeps copies).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from freshness.claims import load_claims
from freshness.history import record_run
from freshness.models import ClaimStatus, Match, Report, Stance
from freshness.nightly import write_dashboard, write_reports
from freshness.report import render
from freshness.report.html import card_ids
from freshness.report.svg import month_bars
from freshness.store import Store
from tests.conftest import shared_path
from tests.report.conftest import sample_report

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = os.environ.get("FRESHNESS_SCREENSHOTS")  # a folder to copy the screenshots to (docs/img/)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium under Playwright, once per session; skipped (one line) where there is none."""
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        executable = None
    if executable is None:
        reason = "no browser: the browser tests need Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI=true, so .ci/run should have installed it")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), args=ARGS)
        yield chromium
        chromium.close()


class Opened:
    """A page opened from a file, with what it said on the console and any dialog it tried to open."""

    def __init__(self, browser: Any, path: Path, *, width: int = 1100) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())

    def shot(self, path: Path, *, full_page: bool = True) -> Path:
        self.page.screenshot(path=str(path), full_page=full_page)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(SHOTS) / path.name)
        return path

    def close(self) -> None:
        self.page.close()


def _check_report_page(opened: Opened, report: Report) -> None:
    """No console error; each summary link lands on its card; each chart: a mark per month, a marker
    per challenger (the numbers computed here from the report, not read from the page)."""
    page = opened.page
    assert opened.errors == []
    ids = card_ids(report.verdicts)
    links = page.locator("table.summary a[href^='#']")
    assert links.count() == len(report.verdicts)
    for i, ident in enumerate(ids):
        links.nth(i).click()
        assert page.evaluate("location.hash") == f"#{ident}"
        top, bottom_reached = page.evaluate(
            f"""() => [document.getElementById({ident!r}).getBoundingClientRect().top,
                window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1]"""
        )
        # at the top of the window, or as near as the page's end lets it come
        assert abs(top) < 2 or (bottom_reached and 0 <= top < 900), f"{ident} not in view ({top})"
        page.evaluate("window.scrollTo(0, 0)")
    end = report.store.newest_paper or report.generated_at.date()
    for verdict, ident in zip(report.verdicts, ids, strict=True):
        bars = month_bars(verdict, end)
        card = page.locator(f"#{ident}")
        assert card.locator("svg.months rect.bar").count() == len(bars)
        challengers = sum(len(b.challengers) for b in bars)
        assert card.locator("svg.months circle.challenger").count() == challengers
        drawn = card.locator("svg.months rect.bar").evaluate_all("rs => rs.map(r => r.getBBox().height)")
        assert all(h > 0 for h in drawn)  # a month without a paper still shows its tick


# -- the report of the shipped claims ------------------------------------------------------------------


@pytest.fixture(scope="session")
def shipped_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report of the repository's claims.yaml on the shared arXiv snapshot (imported once)."""
    from freshness.assess import build_report
    from freshness.sources.files import import_files

    corpus = shared_path("data", "arxiv", "arxiv-metadata-2024-2026.jsonl.gz")
    db = tmp_path_factory.mktemp("shipped") / "store.sqlite"
    now = dt.datetime(2026, 11, 27, 4, 48, tzinfo=dt.UTC)
    with Store.open(db) as store:
        import_files(store, [corpus], now=now)
        claims = load_claims(ROOT / "claims.yaml", today=now.date())
        return build_report(store, claims, now=now)


@pytest.mark.corpus
def test_the_shipped_claims_report_in_a_browser(browser: Any, shipped_report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render(shipped_report, "html"), encoding="utf-8")
    opened = Opened(browser, path)
    try:
        _check_report_page(opened, shipped_report)
        assert sum(len(month_bars(v, dt.date(2026, 7, 1))) for v in shipped_report.verdicts) > 7
        opened.shot(tmp_path / "report-shipped.png", full_page=False)
        opened.shot(tmp_path / "report-shipped-full.png")
        assert (tmp_path / "report-shipped.png").stat().st_size > 10_000
    finally:
        opened.close()


def test_the_sample_report_in_a_browser_and_in_print(browser: Any, tmp_path: Path) -> None:
    report = sample_report(stale=True)
    path = tmp_path / "sample.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    opened = Opened(browser, path)
    try:
        _check_report_page(opened, report)
        assert opened.page.locator(".banner.stale").is_visible()
        opened.page.emulate_media(media="print")
        assert opened.page.locator("a.top").first.is_hidden()  # no navigation on paper
        opened.shot(tmp_path / "sample-print.png")
    finally:
        opened.close()


# -- hostile titles ----------------------------------------------------------------------------------

HOSTILE = (
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    '[click](javascript:window.__pwned=3) <a href="javascript:window.__pwned=3">x</a>',
    "]]><script>window.__pwned = 4</script><![CDATA[",
    '</title></circle><svg onload="window.__pwned = 5"><text>fake</text></svg>',
    '<tspan onclick="alert(6)">x</tspan><foreignObject><iframe src="javascript:alert(7)"></iframe>',
    "$\\href{javascript:alert(8)}{click}$ \\url{javascript:alert(9)} <style>*{display:none}</style>",
)


def hostile_report() -> Report:
    """The sample report with every title, sentence, reason and note of its first claim hostile,
    and its papers challenging, so the titles are in the chart's tooltips too."""
    report = sample_report()
    first = report.verdicts[0]
    matches = tuple(
        dataclasses.replace(
            m,
            title=HOSTILE[i % len(HOSTILE)],
            stance=Stance.CHALLENGES,
            superseding=True,
            confidence=0.9,
            stance_sentence=HOSTILE[(i + 1) % len(HOSTILE)],
            stance_target=HOSTILE[(i + 2) % len(HOSTILE)],
            evidence=(HOSTILE[(i + 3) % len(HOSTILE)],),
        )
        for i, m in enumerate(
            Match(f"2509.{i:05d}", "", dt.date(2025, 9 + i % 3, 1 + i), 90.0 - i, False, ())
            for i in range(1, len(HOSTILE) + 1)
        )
    )
    claim = dataclasses.replace(first.claim, text=HOSTILE[0], id="cot-" + HOSTILE[4])
    hostile = dataclasses.replace(first, claim=claim, matches=matches, reasons=HOSTILE)
    return dataclasses.replace(report, verdicts=(hostile, *report.verdicts[1:]), notes=HOSTILE, stale=True)


def _assert_inert(opened: Opened) -> None:
    page = opened.page
    assert opened.errors == []
    assert opened.dialogs == []
    assert page.evaluate("window.__pwned") is None
    found = page.evaluate(
        """() => ({
        scripts: document.querySelectorAll('script, iframe, img, foreignObject, object, embed').length,
        styles: document.querySelectorAll('style').length,
        handlers: [...document.querySelectorAll('*')].filter(
            el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
        svgs: [...document.querySelectorAll('svg')].filter(s => !s.classList.contains('chart')).length,
        texts: [...document.querySelectorAll('svg text')].filter(t => t.textContent === 'fake').length,
        hrefs: [...document.querySelectorAll('[href]')].map(a => a.getAttribute('href')),
    })"""
    )
    assert found["scripts"] == 0
    assert found["styles"] == 1  # the page's own
    assert found["handlers"] == 0
    assert found["svgs"] == 0  # every svg is one of the charts
    assert found["texts"] == 0
    assert all(
        h.startswith(("https://arxiv.org/abs/", "#")) or h.endswith((".html", ".md", ".json"))
        for h in found["hrefs"]
    ), found["hrefs"]


def test_hostile_titles_create_no_element_and_run_nothing(browser: Any, tmp_path: Path) -> None:
    report = hostile_report()
    path = tmp_path / "hostile.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    opened = Opened(browser, path)
    try:
        _assert_inert(opened)
        body = opened.page.inner_text("body")
        assert "<script>window.__pwned = 1</script>" in body  # shown as the characters it is
        tooltips = opened.page.locator("svg.months circle.challenger title").all_text_contents()
        assert len(tooltips) == len(HOSTILE)
        assert any("<img src=x onerror=" in t for t in tooltips)
        for ident in card_ids(report.verdicts):
            opened.page.locator(f"a[href='#{ident}']").click()
            assert opened.page.evaluate("location.hash") == f"#{ident}"
        opened.shot(tmp_path / "hostile.png")
    finally:
        opened.close()


# -- the dashboard of three nights -----------------------------------------------------------------------


def _night(report: Report, day: dt.date, statuses: dict[str, ClaimStatus], stale: bool = False) -> Report:
    verdicts = tuple(
        dataclasses.replace(v, status=statuses.get(v.claim.id, v.status)) for v in report.verdicts
    )
    at = dt.datetime.combine(day, dt.time(4, 48), tzinfo=dt.UTC)
    return dataclasses.replace(report, verdicts=verdicts, generated_at=at, stale=stale)


def three_nights(report: Report, directory: Path, store: Store) -> Path:
    """Three recorded runs of `report`'s claims, the statuses moving from night to night (the second a
    stale night), each with its dated reports written, then the dashboard."""
    days = [dt.date(2026, 11, 25), dt.date(2026, 11, 26), dt.date(2026, 11, 27)]
    ids = [v.claim.id for v in report.verdicts]
    nights = [
        _night(report, days[0], dict.fromkeys(ids, ClaimStatus.FRESH)),
        _night(report, days[1], {ids[0]: ClaimStatus.PERISHABLE, ids[-1]: ClaimStatus.FRESH}, stale=True),
        _night(report, days[2], {}),
    ]
    for night, day in zip(nights, days, strict=True):
        write_reports(night, directory, day, html=True)
        record_run(
            store,
            night,
            day=day,
            started_at=night.generated_at,
            finished_at=night.generated_at,
            outcome="failed" if night.stale else "ok",
            poll="test",
        )
    return write_dashboard(store, directory, now=nights[-1].generated_at)


def test_a_three_night_dashboard_in_a_browser(browser: Any, tmp_path: Path) -> None:
    report = sample_report()
    with Store.open(tmp_path / "store.sqlite") as store:
        index = three_nights(report, tmp_path / "reports", store)
    opened = Opened(browser, index, width=900)
    try:
        page = opened.page
        assert opened.errors == []
        assert page.locator("svg.trend g.run").count() == 3
        assert page.locator("svg.trend g.run.stale").count() == 1
        total = page.locator("svg.trend g.run").first.locator("rect").count()
        assert total == 1  # night one: every claim fresh, one segment
        rows = page.locator("table.timeline tbody tr")
        assert rows.count() == len(report.verdicts)
        for i in range(rows.count()):
            assert rows.nth(i).locator("rect.cell").count() == 3
        days = page.locator("ul.reports li strong").all_text_contents()
        assert days == ["2026-11-27", "2026-11-26", "2026-11-25"]  # newest first
        page.locator("ul.reports a", has_text="HTML").first.click()
        assert page.url.endswith("/2026-11-27.html")
        assert page.locator("table.summary").count() == 1
        page.go_back()
        opened.shot(tmp_path / "dashboard.png")
    finally:
        opened.close()


def test_a_dashboard_with_hostile_claim_ids_is_inert(browser: Any, tmp_path: Path) -> None:
    report = hostile_report()
    with Store.open(tmp_path / "store.sqlite") as store:
        index = three_nights(report, tmp_path / "reports", store)
    opened = Opened(browser, index)
    try:
        _assert_inert(opened)
        assert "svg onload" in opened.page.inner_text("table.timeline")
    finally:
        opened.close()
