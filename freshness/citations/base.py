"""The values a citation service returns and the interface every service implements."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from freshness.errors import CitationsUnavailable
from freshness.models import CitationContext


@dataclass(frozen=True)
class CitingRecord:
    """One paper citing the anchor, as one service described it. `arxiv_id` is None for a citing
    paper the service knows no arXiv id for (counted, not stored)."""

    arxiv_id: str | None
    title: str
    published: dt.date | None = None
    contexts: tuple[CitationContext, ...] = ()
    influential: bool = False


@dataclass(frozen=True)
class Fetched:
    """One service's answer for one anchor. `complete` is False when the list may be cut short (a
    page limit reached, a page shorter than it said, a cursor that never ends): never read as "no
    more citations". `known` is False when the service does not know the anchor at all."""

    anchor_id: str
    source: str  # "semantic_scholar" or "openalex"
    records: tuple[CitingRecord, ...]
    complete: bool
    known: bool = True
    requests: int = 0
    problem: str | None = None
    service_id: str | None = None  # the service's own id of the anchor (OpenAlex W...), when learnt

    @classmethod
    def ended(
        cls,
        anchor_id: str,
        source: str,
        records: Sequence[CitingRecord],
        requests: int,
        problem: str | None,
        service_id: str | None = None,
    ) -> Fetched:
        """A list the service finished giving: complete unless `problem` says why it may be cut."""
        return cls(
            anchor_id,
            source,
            tuple(records),
            complete=problem is None,
            requests=requests,
            problem=problem,
            service_id=service_id,
        )


class CitationSource(Protocol):
    """A service that lists the papers citing an arXiv paper."""

    name: str  # the key used in the claims file and the store: "semantic_scholar", "openalex"
    label: str  # as shown to the reader: "Semantic Scholar", "OpenAlex"

    def citations(self, anchor_id: str, *, service_id: str | None = None) -> Fetched:
        """Every paper the service says cites `anchor_id` (an arXiv id without version). Raise
        CitationsUnavailable when the service cannot be asked or answers wrongly."""
        ...


SourceFactory = Callable[[str], CitationSource]


def json_object(body: bytes, label: str) -> dict[str, Any]:
    """A service's answer read as a JSON object; CitationsUnavailable naming the service (`label`)
    when it is not JSON, or not an object."""
    try:
        page = json.loads(body)
    except ValueError as exc:
        raise CitationsUnavailable(f"{label}: the answer is not JSON ({exc})") from exc
    if not isinstance(page, dict):
        raise CitationsUnavailable(f"{label}: the answer is not a JSON object")
    return page


LABELS = {"semantic_scholar": "Semantic Scholar", "openalex": "OpenAlex"}
