"""The claims' anchors as a paper source: their ids looked up through the arXiv API (a poll's last
source, planned by poll_plan for the anchors the store does not know yet)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from urllib.parse import urlencode

from freshness.config import Settings
from freshness.http import PoliteSession
from freshness.models import SourceState
from freshness.sources.base import Batch, PlannedRequest, SourceKind


class AnchorLookupSource:
    """The claims' anchor ids, looked up by id through the arXiv API (batched, canary-checked)."""

    def __init__(self, session: PoliteSession, settings: Settings, ids: Sequence[str]) -> None:
        from freshness.sources.arxiv_api import ArxivApiSource

        self.api = ArxivApiSource(session, settings.api_url, oai_url=settings.oai_url)
        self.api_url = settings.api_url
        self.ids = tuple(ids)

    @property
    def kind(self) -> SourceKind:
        return SourceKind.API

    @property
    def key(self) -> str:
        return "api:anchors"

    def plan(self, state: SourceState) -> tuple[PlannedRequest, ...]:
        from freshness.sources.arxiv_api import CANARY_ID

        size = self.api.ids_per_batch
        planned = []
        for start in range(0, len(self.ids), size):
            batch = [*self.ids[start : start + size], CANARY_ID]
            # The URL the `arxiv` package builds for this batch, parameter for parameter.
            query = urlencode(
                {
                    "search_query": "",
                    "id_list": ",".join(batch),
                    "sortBy": "relevance",
                    "sortOrder": "descending",
                    "start": "0",
                    "max_results": str(len(batch)),
                }
            )
            note = f"{len(batch) - 1} anchor id(s) plus the canary {CANARY_ID}"
            planned.append(PlannedRequest(self.key, f"{self.api_url}?{query}", note))
        return tuple(planned)

    def fetch(self, state: SourceState, *, now: dt.datetime) -> Iterator[Batch]:
        from freshness.arxiv_ids import parse_arxiv_id

        found = self.api.lookup([parse_arxiv_id(i) for i in self.ids])
        missing = [i for i in self.ids if i not in found]
        note = f"{len(found)} of {len(self.ids)} anchor(s) found"
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            note += f"; arXiv has no paper {shown} (see `freshness check-anchors`)"
        state = SourceState(self.key, last_success=now)
        yield Batch(
            tuple(found.values()),
            state,
            received=len(found),
            nothing_new=None if found else note,
            note=note if found else None,
            not_found=tuple(missing),
        )
