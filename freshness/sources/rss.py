"""rss.arxiv.org: one conditional GET for the day's announcements in every watched category.

arXiv accepts several categories joined with `+` in one feed URL, so a nightly poll is ONE request no
matter how many claims there are. The feed holds one announcement day only (docs/polling.md): a missed night
cannot be recovered from RSS, which is what OAI-PMH catch-up is for. Weekends and holidays give a valid
feed with a date and no items ("arXiv had nothing new"); an error feed ("Feed error for query", HTTP
400), an HTML page or a truncated body is "could not poll", never "nothing new".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping

from freshness.coverage import rss_covered_days
from freshness.errors import SourceUnavailable, WireFormatError
from freshness.http import PoliteSession
from freshness.models import SourceState
from freshness.sources.base import Batch, PlannedRequest, SourceKind, all_unreadable, later_day
from freshness.sources.wire import FeedPage, parse_feed


class RssSource:
    """The union of the watched categories' announcement feeds, as one rss.arxiv.org request."""

    def __init__(self, session: PoliteSession, base_url: str, categories: Iterable[str]) -> None:
        self.session = session
        self.categories = tuple(sorted(set(categories)))
        if not self.categories:
            raise ValueError("RssSource needs at least one category")
        self.url = f"{base_url.rstrip('/')}/{'+'.join(self.categories)}"

    @property
    def kind(self) -> SourceKind:
        return SourceKind.RSS

    @property
    def key(self) -> str:
        return f"rss:{'+'.join(self.categories)}"

    def plan(self, state: SourceState) -> tuple[PlannedRequest, ...]:
        conditional = " (conditional: If-None-Match / If-Modified-Since)" if _validators(state) else ""
        return (PlannedRequest(self.key, self.url, "the latest announcement day" + conditional),)

    def fetch(self, state: SourceState, *, now: dt.datetime) -> Iterator[Batch]:
        validators = _validators(state)
        resp = self.session.get(self.url, headers=validators)
        if resp.status == 304 and not validators:
            # 304 answers a conditional request only; to a plain GET it says nothing about the feed
            # (a broken cache or proxy), so it must not count as "unchanged".
            raise SourceUnavailable(
                f"{self.url} answered 304 Not Modified to a request without validators (no ETag or "
                "date was sent): a broken cache or proxy, not an unchanged feed"
            )
        if resp.status == 304:
            # The validators we sent still match: the feed is the one already stored.
            yield Batch(
                (),
                dataclasses.replace(state, last_success=now),
                nothing_new="the feed has not changed since the last poll: HTTP 304",
            )
            return
        if resp.status != 200:
            raise SourceUnavailable(_bad_status(self.url, resp.status, resp.body), tip=_tip(resp.body))
        page = parse_feed(resp.body)  # WireFormatError for HTML pages, truncated or empty bodies
        if page.is_error_feed:
            raise SourceUnavailable(f"arXiv answered {page.title!r} for {self.url}", tip=_ERROR_FEED_TIP)
        watermark = later_day(state.watermark, page.announced)
        new_state = dataclasses.replace(
            state,
            watermark=watermark,
            etag=_header(resp.headers, "ETag"),
            last_modified=_header(resp.headers, "Last-Modified"),
            last_success=now,
        )
        received = len(page.items) + len(page.rejected)
        if not page.items:
            if page.rejected:
                raise all_unreadable(page.rejected, f"items of {self.url}")
            if page.announced is None:
                # Without a date there is no telling an empty announcement day from a broken feed.
                raise WireFormatError(f"{self.url} is an empty feed without a date")
            yield Batch(
                (),
                new_state,
                nothing_new=_why_empty(page.announced),
                covers=rss_covered_days(page.announced),
                covered_categories=self.categories,
            )
            return
        yield Batch(
            tuple(item.paper for item in page.items),
            new_state,
            received=received,
            rejected=len(page.rejected),
            note=_describe(page),
            covers=rss_covered_days(page.announced) if page.announced is not None else None,
            covered_categories=self.categories,
        )


def _why_empty(announced: dt.date) -> str:
    """arXiv announces Sunday to Thursday evenings (feeds dated Monday to Friday): a Saturday or
    Sunday feed is empty by design; a weekday's empty feed is an arXiv holiday."""
    head = f"the feed for {announced} ({announced:%A}) has no announcements"
    if announced.weekday() >= 5:
        return f"{head}: arXiv announces nothing for weekends"
    return f"{head}: an arXiv holiday"


_ERROR_FEED_TIP = "Check that every category in the claims file is an arXiv category (e.g. cs.CL, math.AG)."


def _validators(state: SourceState) -> dict[str, str]:
    headers: dict[str, str] = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _bad_status(url: str, status: int, body: bytes) -> str:
    try:
        page = parse_feed(body)
    except WireFormatError:
        return f"{url} answered HTTP {status}"
    if page.is_error_feed:  # arXiv sends its error feed with 400
        return f"arXiv answered {page.title!r} (HTTP {status}) for {url}"
    return f"{url} answered HTTP {status}"


def _tip(body: bytes) -> str | None:
    try:
        return _ERROR_FEED_TIP if parse_feed(body).is_error_feed else None
    except WireFormatError:
        return None


def _describe(page: FeedPage) -> str:
    kinds: dict[str, int] = {}
    for item in page.items:
        kinds[item.announce_type] = kinds.get(item.announce_type, 0) + 1
    parts = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    day = f"announced {page.announced}" if page.announced else "undated"
    return f"feed {day}: {parts}"
