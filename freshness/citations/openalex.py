"""OpenAlex: the works citing an anchor (`/works?filter=cites:W...`, cursor-paged), mapped to arXiv ids.

OpenAlex knows an arXiv preprint only through its DataCite DOI `10.48550/arxiv.ID` (lower-cased; no
`ids.arxiv` key; docs/polling.md, "Who cites the anchors"), so the anchor is first resolved with
`/works/https://doi.org/10.48550/arxiv.ID` (its W id is kept in the store: asked once), and a citing
work counts only when its DOI, or a location's landing page on arxiv.org, names an arXiv id. It often
stores no references for arXiv-only records, so it under-counts preprints.

Wire format (the tests replay recorded answers: tests/citations/recorded.py): `{"meta": {"count", "per_page",
"next_cursor"}, "results": [...]}`; paging ends with a page of `results: []` and `next_cursor: null`.
A cursor that repeats, or the page limit reached: the list is incomplete.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.citations.base import CitingRecord, Fetched, json_object
from freshness.errors import CitationsUnavailable, SourceUnavailable
from freshness.http import PoliteSession

PAGE_SIZE = 200  # OpenAlex's maximum per-page
MAX_BYTES = 32 * 1024 * 1024
SELECT = "id,doi,title,publication_date,primary_location,locations"
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)$", re.I)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^?#\s]+?)(?:\.pdf)?$", re.I)
_WORK_ID = re.compile(r"(W\d+)$")


class OpenAlexSource:
    """Who cites an arXiv paper, according to OpenAlex."""

    name = "openalex"
    label = "OpenAlex"

    def __init__(
        self, session: PoliteSession, base_url: str, *, mailto: str | None = None, max_pages: int = 10
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.mailto = mailto
        self.max_pages = max_pages

    def citations(self, anchor_id: str, *, service_id: str | None = None) -> Fetched:
        requests = 0
        if service_id is None:
            service_id = self.resolve(anchor_id)
            requests += 1
            if service_id is None:
                return Fetched(anchor_id, self.name, (), complete=True, known=False, requests=requests)
        records: list[CitingRecord] = []
        cursor, seen = "*", set()
        while True:
            if requests >= self.max_pages + 1:
                problem: str | None = f"stopped after {requests} requests"
                break
            params = {"filter": f"cites:{service_id}", "per-page": str(PAGE_SIZE), "select": SELECT}
            params["cursor"] = cursor
            page = self._get(f"{self.base_url}/works", params)
            requests += 1
            if page is None:
                raise CitationsUnavailable(f"OpenAlex: no such list for {service_id}")
            results = page.get("results")
            meta = page.get("meta")
            meta = meta if isinstance(meta, dict) else {}
            if not isinstance(results, list):
                raise CitationsUnavailable("OpenAlex: 'results' is not a list")
            records.extend(r for w in results if (r := _record(w)) is not None)
            nxt = meta.get("next_cursor")
            if nxt is None or not results:
                # an empty page that still offers a cursor: cut short
                problem = None if nxt is None else "an empty page still offered a next cursor"
                break
            if not isinstance(nxt, str) or nxt in seen:
                problem = "the cursor repeated"
                break
            seen.add(nxt)
            cursor = nxt
        return Fetched.ended(anchor_id, self.name, records, requests, service_id=service_id, problem=problem)

    def resolve(self, anchor_id: str) -> str | None:
        """The anchor's OpenAlex work id (W...) by its arXiv DOI; None when OpenAlex does not know it."""
        doi = f"https://doi.org/10.48550/arxiv.{anchor_id}"
        page = self._get(f"{self.base_url}/works/{quote(doi, safe=':/')}", {"select": "id,doi"})
        if page is None:
            return None
        m = _WORK_ID.search(str(page.get("id") or ""))
        if m is None:
            raise CitationsUnavailable(f"OpenAlex: the work for {doi} has no id")
        return m[1]

    def _get(self, url: str, params: Mapping[str, str]) -> dict[str, Any] | None:
        query = dict(params)
        if self.mailto:
            query["mailto"] = self.mailto
        try:
            resp = self.session.get(url, params=query, max_bytes=MAX_BYTES)
        except SourceUnavailable as exc:
            raise CitationsUnavailable(f"OpenAlex: {exc}") from exc
        if resp.status == 404:
            return None
        if resp.status != 200:
            raise CitationsUnavailable(
                f"OpenAlex answered HTTP {resp.status} for {resp.url}: {_error(resp.body)}"
            )
        return json_object(resp.body, self.label)


def arxiv_id_of(work: Mapping[str, Any]) -> str | None:
    """The arXiv id (no version) a work names by its DataCite DOI or an arxiv.org landing page."""
    candidates: list[str] = []
    if isinstance(work.get("doi"), str) and (m := _ARXIV_DOI.search(work["doi"])):
        candidates.append(m[1])
    locations = [work.get("primary_location"), *(work.get("locations") or [])]
    for loc in locations:
        url = loc.get("landing_page_url") if isinstance(loc, dict) else None
        if isinstance(url, str) and (m := _ARXIV_URL.search(url)):
            candidates.append(m[1])
    for c in candidates:
        try:
            return parse_arxiv_id(c).base
        except ArxivIdError:
            continue
    return None


def _record(work: object) -> CitingRecord | None:
    if not isinstance(work, dict):
        return None
    published = None
    if isinstance(work.get("publication_date"), str):
        try:
            published = dt.date.fromisoformat(work["publication_date"])
        except ValueError:
            published = None
    return CitingRecord(arxiv_id=arxiv_id_of(work), title=str(work.get("title") or ""), published=published)


def _error(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return "(not JSON)"
    return str(data.get("error") or "")[:200] if isinstance(data, dict) else ""
