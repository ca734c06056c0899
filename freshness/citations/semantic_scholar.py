"""Semantic Scholar's Graph API: `/paper/arXiv:ID/citations`, offset-paged, with each citing paper's
arXiv id (`externalIds.ArXiv`), date, and the sentences that cite the anchor (`contexts`, with
`intents` and `isInfluential`).

Wire format (recorded: ../shared/data/citations/semanticscholar-danielnsilva/): a page is
`{"offset": N, "next": N+limit, "data": [{"citingPaper": {...}, "contexts": [...], ...}]}`; the last
page has no `next`. An unknown paper is 404 `{"error": "Paper with id ... not found"}`; a bad key 403
`{"message": "Forbidden"}`; a spent budget 429. A page that says `next` but holds fewer items than
asked for, a `next` that does not move forward, or the page limit reached: the list is incomplete.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from freshness.citations.base import CitingRecord, Fetched
from freshness.errors import CitationsUnavailable, SourceUnavailable
from freshness.http import PoliteSession
from freshness.models import CitationContext

FIELDS = "contexts,intents,isInfluential,contextsWithIntent,externalIds,title,publicationDate"
PAGE_SIZE = 1000  # the API's maximum for /citations
MAX_BYTES = 32 * 1024 * 1024  # one page of 1,000 citations with contexts is a few MB
MAX_CONTEXTS = 5  # sentences kept per citing paper
MAX_CONTEXT_CHARS = 600


class SemanticScholarSource:
    """Who cites an arXiv paper, according to Semantic Scholar."""

    name = "semantic_scholar"
    label = "Semantic Scholar"

    def __init__(
        self,
        session: PoliteSession,
        base_url: str,
        *,
        api_key: str | None = None,
        max_pages: int = 10,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.max_pages = max_pages
        self.page_size = page_size

    def citations(self, anchor_id: str, *, service_id: str | None = None) -> Fetched:
        url = f"{self.base_url}/paper/{quote('arXiv:' + anchor_id, safe=':')}/citations"
        headers = {"x-api-key": self.api_key} if self.api_key else {}
        records: list[CitingRecord] = []
        offset, requests = 0, 0
        while True:
            if requests >= self.max_pages:
                return self._done(anchor_id, records, requests, f"stopped after {requests} pages")
            params = {"fields": FIELDS, "offset": str(offset), "limit": str(self.page_size)}
            page = self._get(url, params, headers)
            requests += 1
            if page is None:  # 404 on the first page: Semantic Scholar does not know the anchor
                return Fetched(anchor_id, self.name, (), complete=True, known=False, requests=requests)
            data = page.get("data") or []
            if not isinstance(data, list):
                raise CitationsUnavailable(f"Semantic Scholar: 'data' is not a list at {url}")
            records.extend(r for item in data if (r := _record(item)) is not None)
            nxt = page.get("next")
            if nxt is None:
                return self._done(anchor_id, records, requests, None)
            if not isinstance(nxt, int) or nxt <= offset:
                return self._done(anchor_id, records, requests, f"paging did not advance (next={nxt!r})")
            if len(data) < min(self.page_size, nxt - offset):
                # A page shorter than it claims: the rest was cut, not absent.
                return self._done(
                    anchor_id, records, requests, f"a page held {len(data)} of {nxt - offset} citations"
                )
            offset = nxt

    def _done(
        self, anchor_id: str, records: list[CitingRecord], requests: int, problem: str | None
    ) -> Fetched:
        return Fetched(
            anchor_id,
            self.name,
            tuple(records),
            complete=problem is None,
            requests=requests,
            problem=problem,
        )

    def _get(self, url: str, params: Mapping[str, str], headers: Mapping[str, str]) -> dict[str, Any] | None:
        try:
            resp = self.session.get(url, params=params, headers=headers, max_bytes=MAX_BYTES)
        except SourceUnavailable as exc:
            raise CitationsUnavailable(f"Semantic Scholar: {exc}") from exc
        if resp.status == 404 and params.get("offset") == "0":
            return None
        if resp.status == 403:
            raise CitationsUnavailable(
                "Semantic Scholar refused the request (403 Forbidden)",
                tip="Check FRESHNESS_S2_API_KEY (unset it to use the shared, keyless pool).",
            )
        if resp.status != 200:
            raise CitationsUnavailable(
                f"Semantic Scholar answered HTTP {resp.status} for {resp.url}: {_error_text(resp.body)}"
            )
        try:
            page = json.loads(resp.body)
        except ValueError as exc:
            raise CitationsUnavailable(f"Semantic Scholar: the answer is not JSON ({exc})") from exc
        if not isinstance(page, dict):
            raise CitationsUnavailable("Semantic Scholar: the answer is not a JSON object")
        return page


def _record(item: object) -> CitingRecord | None:
    if not isinstance(item, dict) or not isinstance(item.get("citingPaper"), dict):
        return None
    paper = item["citingPaper"]
    ids = paper.get("externalIds") if isinstance(paper.get("externalIds"), dict) else {}
    arxiv = ids.get("ArXiv") if isinstance(ids.get("ArXiv"), str) else None
    return CitingRecord(
        arxiv_id=arxiv,
        title=str(paper.get("title") or ""),
        published=_date(paper.get("publicationDate")),
        contexts=_contexts(item),
        influential=item.get("isInfluential") is True,
    )


def _contexts(item: Mapping[str, Any]) -> tuple[CitationContext, ...]:
    """The citing sentences, each with its own intents when `contextsWithIntent` gives them."""
    out: list[CitationContext] = []
    with_intent = item.get("contextsWithIntent")
    if isinstance(with_intent, list) and with_intent:
        for c in with_intent:
            if isinstance(c, dict) and isinstance(c.get("context"), str):
                intents = tuple(str(i) for i in c.get("intents") or () if isinstance(i, str))
                out.append(CitationContext(c["context"][:MAX_CONTEXT_CHARS], "Semantic Scholar", intents))
    else:
        intents = tuple(str(i) for i in item.get("intents") or () if isinstance(i, str))
        for text in item.get("contexts") or ():
            if isinstance(text, str):
                out.append(CitationContext(text[:MAX_CONTEXT_CHARS], "Semantic Scholar", intents))
    return tuple(out[:MAX_CONTEXTS])


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _error_text(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return "(not JSON)"
    if isinstance(data, dict):
        return str(data.get("error") or data.get("message") or "")[:200]
    return ""
