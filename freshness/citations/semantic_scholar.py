"""Semantic Scholar's Graph API: `/paper/arXiv:ID/citations`, offset-paged, with each citing paper's
arXiv id (`externalIds.ArXiv`), date, and the sentences that cite the anchor (`contexts`, with
`intents` and `isInfluential`).

Wire format (the tests replay recorded answers: tests/citations/recorded.py): a page is
`{"offset": N, "next": N+limit, "data": [{"citingPaper": {...}, "contexts": [...], ...}]}`; the last
page has no `next`. An unknown paper is 404 `{"error": "Paper with id ... not found"}`; a bad key 403
`{"message": "Forbidden"}`; a spent budget 429. A page that says `next` but holds fewer items than
asked for, a `next` that does not move forward, or the page limit reached: the list is incomplete.

`POST /paper/batch?fields=...` with `{"ids": ["arXiv:ID", ...]}` (at most 500) answers a JSON list in
request order, `null` in the slot of an id Semantic Scholar does not know (HTTP 200, no error): one
request for many anchors. A `null` slot means "unknown to Semantic Scholar", never "no citations".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from freshness.citations.base import CitingRecord, Fetched, json_object
from freshness.errors import CitationsUnavailable, SourceUnavailable
from freshness.http import PoliteSession
from freshness.models import CitationContext

FIELDS = "contexts,intents,isInfluential,contextsWithIntent,externalIds,title,publicationDate"
PAGE_SIZE = 1000  # the API's maximum for /citations
MAX_BYTES = 32 * 1024 * 1024  # one page of 1,000 citations with contexts is a few MB
MAX_CONTEXTS = 5  # sentences kept per citing paper
MAX_CONTEXT_CHARS = 600
BATCH_SIZE = 500  # the API's maximum ids per /paper/batch
BATCH_FIELDS = "title,authors,externalIds,publicationDate,citationCount"
MAX_BATCH_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class S2Paper:
    """One slot of a /paper/batch answer: what Semantic Scholar says about an arXiv paper."""

    asked: str  # the arXiv id asked for, without version
    title: str
    authors: tuple[str, ...]
    arxiv_id: str | None  # externalIds.ArXiv
    doi: str | None  # externalIds.DOI (arXiv's own: 10.48550/arXiv.ID)
    published: dt.date | None
    citation_count: int | None

    @property
    def same_paper(self) -> bool:
        """The record names the arXiv id asked for, by externalIds.ArXiv or arXiv's DataCite DOI."""
        if self.arxiv_id is not None and self.arxiv_id.strip().lower() == self.asked.lower():
            return True
        return self.doi is not None and self.doi.strip().lower() == f"10.48550/arxiv.{self.asked.lower()}"


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
                return Fetched.ended(
                    anchor_id, self.name, records, requests, f"stopped after {requests} pages"
                )
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
                return Fetched.ended(anchor_id, self.name, records, requests, None)
            if not isinstance(nxt, int) or nxt <= offset:
                return Fetched.ended(
                    anchor_id, self.name, records, requests, f"paging did not advance (next={nxt!r})"
                )
            if len(data) < min(self.page_size, nxt - offset):
                # A page shorter than it claims: the rest was cut, not absent.
                return Fetched.ended(
                    anchor_id,
                    self.name,
                    records,
                    requests,
                    f"a page held {len(data)} of {nxt - offset} citations",
                )
            offset = nxt

    def papers(
        self, arxiv_ids: Sequence[str], *, fields: str = BATCH_FIELDS
    ) -> tuple[dict[str, S2Paper | None], int]:
        """Many papers in one request each 500 ids (`POST /paper/batch`): each id -> its record, or
        None when Semantic Scholar does not know it. Returns the answers and the requests made;
        raises CitationsUnavailable when the service cannot answer or answers wrongly."""
        headers = {"x-api-key": self.api_key} if self.api_key else {}
        out: dict[str, S2Paper | None] = {}
        ids = list(dict.fromkeys(arxiv_ids))
        requests = 0
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            body = json.dumps({"ids": [f"arXiv:{i}" for i in chunk]}).encode()
            url = f"{self.base_url}/paper/batch"
            try:
                resp = self.session.post(
                    url, body=body, params={"fields": fields}, headers=headers, max_bytes=MAX_BATCH_BYTES
                )
            except SourceUnavailable as exc:
                raise CitationsUnavailable(f"Semantic Scholar: {exc}") from exc
            requests += 1
            _check_status(resp.status, resp.url, resp.body)
            try:
                slots = json.loads(resp.body)
            except ValueError as exc:
                raise CitationsUnavailable(f"Semantic Scholar: the batch answer is not JSON ({exc})") from exc
            if not isinstance(slots, list) or len(slots) != len(chunk):
                got = f"{len(slots)} slots" if isinstance(slots, list) else "not a list"
                raise CitationsUnavailable(
                    f"Semantic Scholar: the batch answer for {len(chunk)} ids is {got} "
                    "(expected one slot per id, in request order)"
                )
            for asked, slot in zip(chunk, slots, strict=True):
                out[asked] = _batch_paper(asked, slot)
        return out, requests

    def _get(self, url: str, params: Mapping[str, str], headers: Mapping[str, str]) -> dict[str, Any] | None:
        try:
            resp = self.session.get(url, params=params, headers=headers, max_bytes=MAX_BYTES)
        except SourceUnavailable as exc:
            raise CitationsUnavailable(f"Semantic Scholar: {exc}") from exc
        if resp.status == 404 and params.get("offset") == "0":
            return None
        _check_status(resp.status, resp.url, resp.body)
        return json_object(resp.body, self.label)


def _check_status(status: int, url: str, body: bytes) -> None:
    if status == 403:
        raise CitationsUnavailable(
            "Semantic Scholar refused the request (403 Forbidden)",
            tip="Check FRESHNESS_S2_API_KEY (unset it to use the shared, keyless pool).",
        )
    if status != 200:
        raise CitationsUnavailable(f"Semantic Scholar answered HTTP {status} for {url}: {_error_text(body)}")


def _batch_paper(asked: str, slot: object) -> S2Paper | None:
    if slot is None:
        return None
    if not isinstance(slot, dict):
        raise CitationsUnavailable(f"Semantic Scholar: the batch slot for arXiv:{asked} is not an object")
    raw_ids, raw_authors = slot.get("externalIds"), slot.get("authors")
    ids: dict[str, Any] = raw_ids if isinstance(raw_ids, dict) else {}
    authors: list[Any] = raw_authors if isinstance(raw_authors, list) else []
    count = slot.get("citationCount")
    return S2Paper(
        asked=asked,
        title=str(slot.get("title") or ""),
        authors=tuple(
            str(a["name"]) for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)
        ),
        arxiv_id=ids.get("ArXiv") if isinstance(ids.get("ArXiv"), str) else None,
        doi=ids.get("DOI") if isinstance(ids.get("DOI"), str) else None,
        published=_date(slot.get("publicationDate")),
        citation_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
    )


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
