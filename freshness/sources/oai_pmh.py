"""oaipmh.arxiv.org: ListRecords over a window of days for one set, following resumptionTokens.

The catch-up path after missed nights and the first-time backfill (RSS holds one day only). Facts it
works around (docs/polling.md, "What arXiv does that the code works around"):
- `from`/`until` filter on the record's last metadata change (its datestamp), not on submission; the
  caller therefore starts windows a few days early (see poll_plan.OVERLAP_DAYS).
- Sets are archives (`cs`, `math`, `physics:astro-ph`); the records are filtered here to the watched
  categories before they are stored.
- Errors come back as HTTP 200 with an <error> element: `noRecordsMatch` means "nothing changed in the
  window"; `badResumptionToken` means the token expired (a killed poll resumed too late, or a slow
  harvest): the same window is harvested again from its first day, so nothing is skipped, and papers
  already stored count as unchanged; any other error is "could not poll".
- Each page is its own batch whose state carries the next token and the window, so a poll killed after
  page k resumes at page k+1; the watermark moves to the window's last day only with the last page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Generator, Iterable, Iterator, Sequence
from urllib.parse import urlencode

from freshness.errors import SourceUnavailable, WireFormatError
from freshness.http import PoliteSession
from freshness.models import Paper, SourceState
from freshness.sources.base import Batch, PlannedRequest, SourceKind, all_unreadable
from freshness.sources.wire import OaiPage, parse_oai

# Archives that OAI-PMH files under the `physics` group (ListSets: physics:astro-ph, physics:hep-th, ...).
PHYSICS_ARCHIVES = frozenset(
    {
        "astro-ph",
        "cond-mat",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math-ph",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "physics",
        "quant-ph",
    }
)
RECORDS_PER_PAGE = 2500  # arXiv's RECORDS_LIMIT for ListRecords (docs/polling.md)
ONE_DAY = dt.timedelta(days=1)


def archive_of(category: str) -> str:
    """`cs.CL` -> `cs`, `astro-ph.CO` -> `astro-ph`, `hep-th` -> `hep-th`."""
    return category.split(".", 1)[0]


def set_spec_of(category: str) -> str:
    """The OAI-PMH set holding a category's archive: `cs.CL` -> `cs`, `hep-th` -> `physics:hep-th`."""
    archive = archive_of(category)
    return f"physics:{archive}" if archive in PHYSICS_ARCHIVES else archive


def sets_for(categories: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The sets to harvest for the watched categories, each with the categories it serves."""
    out: dict[str, set[str]] = {}
    for category in categories:
        out.setdefault(set_spec_of(category), set()).add(category)
    return {spec: tuple(sorted(cats)) for spec, cats in sorted(out.items())}


def in_categories(paper: Paper, watched: frozenset[str]) -> bool:
    """A paper is watched if one of its categories is, or if its archive is watched as a whole (`cs`)."""
    return any(c in watched or archive_of(c) in watched for c in paper.categories)


def oai_key(set_spec: str, categories: Sequence[str]) -> str:
    """The store's key for one set's harvest state: planning reads it, the harvest writes it. The
    watched categories are part of it: records outside them were not stored, so a watermark says
    nothing about a category added later (it gets its own backfill)."""
    return f"oai:{set_spec}:{'+'.join(categories)}"


class OaiPmhSource:
    """One set's ListRecords harvest over [start, until], resuming an unfinished harvest first."""

    def __init__(
        self,
        session: PoliteSession,
        base_url: str,
        set_spec: str,
        categories: Iterable[str],
        *,
        start: dt.date,
        until: dt.date,
        metadata_prefix: str = "arXivRaw",
    ) -> None:
        self.session = session
        self.base_url = base_url
        self.set_spec = set_spec
        self.categories = tuple(sorted(set(categories)))
        if not self.categories:
            raise ValueError("OaiPmhSource needs at least one category")
        self.watched = frozenset(self.categories)
        self.start = start
        self.until = until
        self.metadata_prefix = metadata_prefix

    @property
    def kind(self) -> SourceKind:
        return SourceKind.OAI

    @property
    def key(self) -> str:
        return oai_key(self.set_spec, self.categories)

    # -- planning ----------------------------------------------------------------------------------

    def windows(self, state: SourceState) -> list[tuple[dt.date, dt.date, str | None]]:
        """(first day, last day, resumptionToken to start from) of each harvest to run, in order."""
        out: list[tuple[dt.date, dt.date, str | None]] = []
        start = self.start
        if state.resume_token and state.window_from and state.window_until:
            a, b = state.window_from, state.window_until
            out.append((a, b, state.resume_token))
            # The unfinished window covers [a, b]; harvest only what the new request adds after it
            # (or all of it again when the request starts earlier than that window did).
            start = self.start if self.start < a else max(self.start, b + ONE_DAY)
        if start <= self.until:
            out.append((start, self.until, None))
        return out

    def first_url(self, window: tuple[dt.date, dt.date, str | None]) -> str:
        return f"{self.base_url}?{urlencode(self._params(window[0], window[1], window[2]))}"

    def plan(self, state: SourceState) -> tuple[PlannedRequest, ...]:
        more = f"then one request per further page of up to {RECORDS_PER_PAGE} records"
        planned = []
        for window in self.windows(state):
            what = "resume the unfinished harvest of" if window[2] else "harvest"
            note = f"{what} {window[0]}..{window[1]}; {more}"
            planned.append(PlannedRequest(self.key, self.first_url(window), note))
        return tuple(planned)

    # -- fetching ----------------------------------------------------------------------------------

    def fetch(self, state: SourceState, *, now: dt.datetime) -> Iterator[Batch]:
        windows = self.windows(state)
        if not windows:
            yield Batch((), state, nothing_new=f"{self.set_spec}: already harvested through {self.until}")
            return
        for first, last, token in windows:
            state = yield from self._harvest(state, first, last, token, now=now)

    def _params(self, first: dt.date, last: dt.date, token: str | None) -> dict[str, str]:
        if token:
            return {"verb": "ListRecords", "resumptionToken": token}  # the protocol allows nothing else
        return {
            "verb": "ListRecords",
            "metadataPrefix": self.metadata_prefix,
            "set": self.set_spec,
            "from": first.isoformat(),
            "until": last.isoformat(),
        }

    def _harvest(
        self,
        state: SourceState,
        first: dt.date,
        last: dt.date,
        token: str | None,
        *,
        now: dt.datetime,
    ) -> Generator[Batch, None, SourceState]:
        """Harvest one window page by page; return the state after its last page."""
        restarted = False
        note: str | None = None
        window = f"{self.set_spec} {first}..{last}"
        while True:
            page = self._get_page(first, last, token, window)
            if page.error_code == "badResumptionToken" and token and not restarted:
                restarted, token = True, None
                note = f"the resumptionToken had expired; harvested {window} again from its first day"
                continue
            if page.error_code == "noRecordsMatch" and token is None:
                done = _finished(state, last, now)
                yield Batch(
                    (),
                    done,
                    nothing_new=f"no records changed in {window}",
                    note=note,
                    covers=(first, last),
                    covered_categories=self.categories,
                )
                return done
            next_token = _next_token(page, token, window)
            batch = self._page_batch(page, state, (first, last), next_token, note=note, now=now)
            yield batch
            note = None
            state = batch.state
            if next_token is None:
                return state
            token = next_token

    def _get_page(self, first: dt.date, last: dt.date, token: str | None, window: str) -> OaiPage:
        resp = self.session.get(self.base_url, params=self._params(first, last, token))
        if resp.status != 200:
            raise SourceUnavailable(f"OAI-PMH {self.base_url} answered HTTP {resp.status} for {window}")
        return parse_oai(resp.body)  # WireFormatError for HTML pages, truncated or empty bodies

    def _page_batch(
        self,
        page: OaiPage,
        state: SourceState,
        days: tuple[dt.date, dt.date],
        next_token: str | None,
        *,
        note: str | None,
        now: dt.datetime,
    ) -> Batch:
        """The page's papers in the watched categories, with the state they justify: the harvest's
        next resumption point, or the window finished (its last page)."""
        first, last = days
        kept = tuple(p for p in page.papers if in_categories(p, self.watched))
        if next_token:
            after = dataclasses.replace(state, resume_token=next_token, window_from=first, window_until=last)
        else:
            after = _finished(state, last, now)
        return Batch(
            kept,
            after,
            received=len(page.papers) + len(page.rejected) + len(page.deleted),
            rejected=len(page.rejected),
            skipped=len(page.papers) - len(kept) + len(page.deleted),
            note=note,
            covers=None if next_token else days,
            covered_categories=self.categories,
        )


def _next_token(page: OaiPage, token: str | None, window: str) -> str | None:
    """The page's resumptionToken (None: the last page), once the page is known to be a real one:
    raises for an OAI-PMH error, an empty first page, a page of only unreadable records and a token
    sent twice."""
    code = page.error_code
    if code is not None:
        message = f": {page.error_message}" if page.error_message else ""
        raise SourceUnavailable(f"OAI-PMH answered error {code}{message} (for {window})")
    if not page.papers and not page.rejected and not page.deleted and token is None:
        # A first page must hold records or say noRecordsMatch: OAI-PMH has no empty first page.
        raise WireFormatError(f"an OAI-PMH ListRecords page with no records and no error ({window})")
    if page.rejected and not page.papers and not page.deleted:
        raise all_unreadable(page.rejected, f"records of an OAI-PMH page ({window})")
    next_token = page.resumption_token or None
    if next_token is not None and next_token == token:
        raise SourceUnavailable(f"OAI-PMH sent the same resumptionToken twice ({window})")
    return next_token


def _finished(state: SourceState, last: dt.date, now: dt.datetime) -> SourceState:
    watermark = last if state.watermark is None else max(state.watermark, last)
    return dataclasses.replace(
        state,
        watermark=watermark,
        resume_token=None,
        window_from=None,
        window_until=None,
        last_success=now,
    )
