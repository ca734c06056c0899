"""The one interface every network source implements (`PaperSource`) and the values it hands back.

A source only fetches and parses: it yields `Batch`es, each with the papers of one response and the
source state that becomes true once those papers are stored. `poll.poll_once` stores each batch and
its state with `Store.store_batch`, in ONE transaction, so a watermark never runs ahead of the data it
covers, and a poll killed between two batches resumes at the next one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from freshness.errors import WireFormatError
from freshness.models import Paper, SourceState

if TYPE_CHECKING:  # an annotation only: importing the parsers is the caller's cost
    from freshness.sources.wire import Rejected


def later_day(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    """The later of two days, either of which may be unknown: a watermark never moves back (a stale
    cached feed must not rewind it)."""
    if a is None or b is None:
        return a or b
    return max(a, b)


def all_unreadable(rejected: Sequence[Rejected], what: str) -> WireFormatError:
    """The error for a response none of whose records could be read (`what`: "items of <url>").
    Nothing readable is not "nothing new": moving the watermark past it would hide the response's
    records for good."""
    return WireFormatError(f"every one of the {len(rejected)} {what} was unreadable ({rejected[0]})")


class SourceKind(StrEnum):
    RSS = "rss"
    OAI = "oai"
    API = "api"


@dataclass(frozen=True)
class PlannedRequest:
    """A request a poll would make, for `--dry-run`."""

    source: str  # the source's state key, e.g. rss:cs.AI+cs.CL
    url: str
    note: str = ""  # e.g. "then one request per resumptionToken page"


@dataclass(frozen=True)
class Batch:
    """One response's worth of papers, and the source state to store in the same transaction."""

    papers: tuple[Paper, ...]
    state: SourceState
    received: int = 0  # records the response carried (before filtering to the watched categories)
    rejected: int = 0  # records the parser refused (counted, never fatal)
    skipped: int = 0  # records outside the watched categories, or deleted
    nothing_new: str | None = None  # set when arXiv answered, correctly, that there is nothing new
    note: str | None = None  # anything else worth telling the user (a restarted window, ...)
    not_found: tuple[str, ...] = ()  # ids an id lookup asked for that arXiv says do not exist
    # The days (first, last) of `covered_categories` a listing covers once this batch is stored (an
    # OAI-PMH window with its last page, an RSS announcement); None for a page mid-way or a lookup.
    covers: tuple[dt.date, dt.date] | None = None
    covered_categories: tuple[str, ...] = ()


class PaperSource(Protocol):
    """A place papers come from. `fetch` raises SourceUnavailable or WireFormatError when arXiv cannot
    be reached or answers wrongly; batches yielded before that stay valid (they were stored)."""

    @property
    def kind(self) -> SourceKind: ...

    @property
    def key(self) -> str:
        """The `source_state` row this source reads and writes."""
        ...

    def plan(self, state: SourceState) -> tuple[PlannedRequest, ...]:
        """The requests `fetch` would start with, without making any."""
        ...

    def fetch(self, state: SourceState, *, now: dt.datetime) -> Iterator[Batch]:
        """Request, parse and yield batches; the caller stores each before the next is requested."""
        ...
