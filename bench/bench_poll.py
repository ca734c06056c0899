"""Poll-cost benchmark: requests and wall time of a nightly poll and of a 30-day catch-up for 10, 100
and 1,000 claims against the loopback arXiv (tests/fakearxiv.py) serving real corpus papers, against
the baseline of one arXiv API query per claim, run through the same polite session.

    .venv/bin/python bench/bench_poll.py
    .venv/bin/python bench/bench_poll.py --claims 10 100 --quick

arXiv's 3-second spacing is simulated, not slept: the rate limiter gets a clock that runs on real
time plus every simulated wait, and a `sleep` that only adds to that sum. "Wall" below is the real
elapsed time plus the simulated waits: what the poll would take against arXiv (network time aside).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import common

DEFAULT_CATEGORIES = ("cs.AI", "cs.CL", "cs.LG")  # the shipped claims.yaml's defaults
# A Wednesday of the corpus's busiest month; the poll runs at 22:00 US Eastern, after the 20:00
# announcement, so the feed it reads is dated the next day.
NIGHT = dt.datetime(2025, 6, 12, 2, 0, tzinfo=dt.UTC)
CATCH_UP_DAYS = 30
OAI_PAGE = 2500  # arXiv's ListRecords page size


class SimClock:
    """Real time plus simulated waits: `sleep` adds to the sum instead of sleeping."""

    def __init__(self) -> None:
        self.slept = 0.0

    def clock(self) -> float:
        return time.time() + self.slept

    def sleep(self, seconds: float) -> None:
        self.slept += max(0.0, seconds)


# -- the loopback arXiv, serving real corpus papers ------------------------------------------------------


class LoopbackArxiv:
    """RSS (the day's announcements), OAI-PMH ListRecords (by set and datestamp window, 2,500 a page,
    with resumption tokens) and the API search (phrases and a submittedDate window, paged)."""

    def __init__(self, fake: Any, papers: Sequence[Any]) -> None:
        self.fake = fake
        self.papers = list(papers)
        self.lowered = [f"{p.title} {p.abstract}".lower() for p in self.papers]
        self.announced = NIGHT.date()
        self._tokens: dict[str, list[Any]] = {}
        fake.on("/oai", self.oai)
        fake.on("/api/query", self.api)

    def watch_rss(self, categories: Sequence[str]) -> None:
        self.fake.on("/rss/" + "+".join(sorted(categories)), self.rss)

    def rss(self, req: Any) -> Any:
        from tests.fakearxiv import RSS_CT, Reply, rss_feed

        cats = set(req.path.rsplit("/", 1)[1].split("+"))
        day = _previous_weekday(self.announced)
        items = [
            (p, "new" if p.categories[0] in cats else "cross")
            for p in self.papers
            if p.published == day and cats & set(p.categories)
        ]
        body = rss_feed(items, announced=self.announced, categories="+".join(sorted(cats)))
        return Reply(200, body, RSS_CT)

    def oai(self, req: Any) -> Any:
        from freshness.sources.oai_pmh import set_spec_of
        from tests.fakearxiv import XML_CT, Reply, oai_error, oai_list_records

        q = req.query
        if "resumptionToken" in q:
            token = q["resumptionToken"]
            records = self._tokens.get(token.rsplit("-", 1)[0])
            if records is None:
                return Reply(200, oai_error("badResumptionToken"), XML_CT)
            offset = int(token.rsplit("-", 1)[1])
            key = token.rsplit("-", 1)[0]
        else:
            first, last = dt.date.fromisoformat(q["from"]), dt.date.fromisoformat(q["until"])
            records = [
                p
                for p in self.papers
                if first <= p.updated <= last and any(set_spec_of(c) == q["set"] for c in p.categories)
            ]
            if not records:
                return Reply(200, oai_error("noRecordsMatch"), XML_CT)
            key = f"t{len(self._tokens)}"
            self._tokens[key] = records
            offset = 0
        page = records[offset : offset + OAI_PAGE]
        more = offset + OAI_PAGE < len(records)
        body = oai_list_records(
            page,
            resumption_token=f"{key}-{offset + OAI_PAGE}" if more else None,
            complete_list_size=len(records),
            cursor=offset,
        )
        return Reply(200, body, XML_CT)

    def api(self, req: Any) -> Any:
        from tests.fakearxiv import ATOM_CT, Reply, atom_feed

        query = unquote_plus(req.query.get("search_query", ""))
        window = re.search(r"submittedDate:\[(\d{8})\d{4} TO (\d{8})\d{4}\]", query)
        phrases = {p.lower() for p in re.findall(r'"([^"]+)"', query)}
        lo = dt.datetime.strptime(window[1], "%Y%m%d").date() if window else dt.date.min
        hi = dt.datetime.strptime(window[2], "%Y%m%d").date() if window else dt.date.max
        hits = [
            p
            for p, text in zip(self.papers, self.lowered, strict=True)
            if lo <= p.published <= hi and any(ph in text for ph in phrases)
        ]
        start = int(req.query.get("start", "0"))
        size = int(req.query.get("max_results", "100"))
        page = hits[start : start + size]
        return Reply(200, atom_feed(page, total_results=len(hits), start=start, items_per_page=size), ATOM_CT)


def _previous_weekday(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def pool(night: dt.datetime, days: int) -> list[Any]:
    """Real corpus papers first submitted (or last updated) in the `days` before the night."""
    from freshness.sources.wire import snapshot_paper

    lo = night.date() - dt.timedelta(days=days + 10)
    out = []
    for rec in common.iter_records(common.CORPUS):
        published = common.v1_date(rec)
        if published > night.date():
            break
        updated = dt.date.fromisoformat(rec["update_date"])
        if published >= lo or lo <= updated <= night.date():
            paper = snapshot_paper(rec)
            if paper.updated > night.date():  # as arXiv knew it that night
                paper = dataclasses.replace(paper, updated=paper.published, versions=paper.versions[:1])
            out.append(paper)
    return out


# -- one measured poll -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PollCost:
    requests: int
    wall: float  # real elapsed + simulated waits
    real: float
    papers: int
    outcome: str


def _session(sim: SimClock) -> Any:
    from freshness.http import PoliteSession
    from freshness.pacing import RateLimiter

    limiter = RateLimiter(3.0, None, clock=sim.clock, sleep=sim.sleep)
    return PoliteSession(
        user_agent="freshness-bench (+mailto:bench@example.org)", limiter=limiter, max_total=1e9
    )


def _settings(fake: Any, folder: Path) -> Any:
    return fake.settings(
        folder / "claims.yaml", folder / "store.sqlite", request_delay=3.0, max_poll_seconds=1e9
    )


def poll_cost(arxiv: LoopbackArxiv, claims: Sequence[Any], *, days_behind: int, folder: Path) -> PollCost:
    """Prime a fresh store with a poll `days_behind` days before the night, then measure the night's poll."""
    from freshness.poll import poll_once
    from freshness.poll_plan import watched_categories
    from freshness.store import Store

    db = folder / "store.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    arxiv.watch_rss(watched_categories(claims))
    settings = _settings(arxiv.fake, folder)
    with Store.open(db) as store:
        before = NIGHT - dt.timedelta(days=days_behind)
        arxiv.announced = before.date()
        primed = poll_once(
            store,
            claims,
            settings,
            now=before,
            since=before.date() - dt.timedelta(days=2),
            session=_session(SimClock()),
        )
        if primed.outcome.value == "failed":
            raise RuntimeError(f"priming poll failed: {primed.failure}")
        arxiv.announced = NIGHT.date()
        sim = SimClock()
        session = _session(sim)
        start = time.perf_counter()
        result = poll_once(store, claims, settings, now=NIGHT, session=session)
        real = time.perf_counter() - start
    if result.outcome.value == "failed":
        raise RuntimeError(f"poll failed: {result.failure}")
    return PollCost(result.requests, real + sim.slept, real, result.papers, result.reason)


def baseline_cost(arxiv: LoopbackArxiv, claims: Sequence[Any], *, days: int) -> PollCost:
    """One API search per claim (its topics over the window), through the same polite session."""
    from freshness.sources.arxiv_api import ArxivApiSource, topics_query

    sim = SimClock()
    session = _session(sim)
    api = ArxivApiSource(session, arxiv.fake.url("/api/query"))
    last = NIGHT.date() - dt.timedelta(days=1)
    first = last - dt.timedelta(days=days - 1)
    start = time.perf_counter()
    papers = 0
    for claim in claims:
        papers += len(
            api.search(topics_query(claim.topics), submitted_from=first, submitted_to=last, max_results=2000)
        )
    real = time.perf_counter() - start
    return PollCost(
        len(session.limiter.request_times), real + sim.slept, real, papers, "one API query per claim"
    )


# -- main ----------------------------------------------------------------------------------------------------


def claim_sets(counts: Sequence[int]) -> dict[str, dict[int, list[Any]]]:
    """The same claims twice: every claim on the default categories, and each on its own paper's."""
    entries = common.make_claims(max(counts))
    claims = common.claims_values(entries)
    own = [c if c.categories else dataclasses.replace(c, categories=DEFAULT_CATEGORIES) for c in claims]
    default = [dataclasses.replace(c, categories=DEFAULT_CATEGORIES) for c in claims]
    return {
        "default categories": {n: default[:n] for n in counts},
        "own categories": {n: own[:n] for n in counts},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, nargs="+", default=[10, 100, 1000], help="claim counts")
    parser.add_argument("--quick", action="store_true", help="10 and 50 claims, default categories only")
    args = parser.parse_args(argv)
    if args.quick:
        args.claims = [10, 50]
    from freshness.poll_plan import watched_categories
    from freshness.sources.oai_pmh import sets_for
    from tests.fakearxiv import FakeArxiv

    common.header("Poll-cost benchmark")
    began = time.perf_counter()
    papers = pool(NIGHT, CATCH_UP_DAYS)
    print(
        f"Loopback arXiv: {len(papers):,} real corpus papers first submitted or updated in the "
        f"{CATCH_UP_DAYS + 10} days before {NIGHT:%Y-%m-%d}; RSS, OAI-PMH (2,500 a page) and API search.\n"
        f"Spacing: 3 s per request, simulated (wall = real elapsed + simulated waits).\n"
    )
    sets = claim_sets(args.claims)
    if args.quick:
        sets = {"default categories": sets["default categories"]}
    rows: list[list[object]] = []
    folder = common.scratch("poll", "x").parent
    with FakeArxiv() as fake:
        arxiv = LoopbackArxiv(fake, papers)
        for label, by_count in sets.items():
            for count, claims in by_count.items():
                cats = watched_categories(claims)
                for what, days in (("nightly", 1), (f"{CATCH_UP_DAYS}-day catch-up", CATCH_UP_DAYS)):
                    ours = poll_cost(arxiv, claims, days_behind=days, folder=folder)
                    base = baseline_cost(arxiv, claims, days=days)
                    rows.append(
                        [
                            what,
                            label,
                            f"{count:,}",
                            f"{len(cats)} / {len(sets_for(cats))}",
                            ours.requests,
                            ours.wall,
                            ours.papers,
                            base.requests,
                            base.wall,
                            f"{base.requests / max(1, ours.requests):,.1f}x",
                        ]
                    )
                    print(
                        f"  {what}, {label}, {count} claims: {ours.requests} requests ({ours.outcome})",
                        flush=True,
                    )
    print()
    print(
        common.table(
            [
                "poll",
                "claims use",
                "claims",
                "categories / OAI sets",
                "freshness requests",
                "freshness wall s",
                "papers stored",
                "baseline requests",
                "baseline wall s",
                "fewer requests",
            ],
            rows,
        )
    )
    print(
        f"\nTotal bench time {time.perf_counter() - began:.0f} s (real; the simulated waits are not slept)."
    )


if __name__ == "__main__":
    main()
