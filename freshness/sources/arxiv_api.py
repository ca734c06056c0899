"""The arXiv API (export.arxiv.org/api/query) through the `arxiv` package: id lookups in canary-checked
batches, topic searches over a submission window, and the OAI-PMH arXivRaw record for withdrawals.

The `arxiv` package (4.0.x) is used for what it does well (URL building, paging, entry objects), and
kept away from what it does badly: it has no timeout, retries 400s, and parses with
lxml `recover=True`, so an HTML page served with 200 or a truncated body reads as "no results". Every
page therefore goes through `PoliteSession` (our timeouts, User-Agent, spacing, backoff) and is checked
by `wire.parse_atom` before the package sees it; anything that is not a real API feed raises
`SourceUnavailable`, never "not found".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

import arxiv
import requests

from freshness.arxiv_ids import ArxivId, ArxivIdError, parse_arxiv_id
from freshness.config import DEFAULT_OAI_URL, Settings
from freshness.errors import SourceUnavailable, WireFormatError
from freshness.http import PoliteSession, polite_session
from freshness.models import Paper
from freshness.sources import wire

log = logging.getLogger(__name__)

# A paper that has existed since 2016 and will keep existing: asked for in every id batch, so an
# answer without it (an HTML page with 200, an empty feed from a sick backend) is recognised as bogus
# instead of turning every requested id into "not found" (docs/ci.md).
CANARY_ID = "1605.08386"
# arXiv's documented maximum for id_list is not stated; ~100 ids keeps the URL short and the answer
# small, and the canary takes one of the slots.
MAX_BATCH = 100
SEARCH_PAGE_SIZE = 500  # the API allows 2000 per page; fewer, larger pages mean fewer requests


class ArxivApiSource:
    """Look papers up by id and search by topic through the arXiv API, politely and verifiably."""

    def __init__(self, session: PoliteSession, api_url: str, *, oai_url: str = DEFAULT_OAI_URL) -> None:
        self.session = session
        self.api_url = api_url
        self.oai_url = oai_url

    @classmethod
    def from_settings(
        cls, settings: Settings, *, sleep: Callable[[float], None] | None = None
    ) -> ArxivApiSource:
        """The source for the configured endpoints, on the one polite session constructor."""
        session = polite_session(settings) if sleep is None else polite_session(settings, sleep=sleep)
        return cls(session, settings.api_url, oai_url=settings.oai_url)

    @property
    def ids_per_batch(self) -> int:
        """How many ids one request can answer besides the canary."""
        return MAX_BATCH - 1

    # -- id lookups -------------------------------------------------------------------------------

    def lookup(self, ids: Sequence[ArxivId]) -> dict[str, Paper]:
        """The latest version of each paper, keyed by id without version; an id absent from the
        result is one arXiv says does not exist. Raise SourceUnavailable when arXiv cannot be asked
        or answers wrongly (the canary is missing, the body is not an API feed).

        Always asks for the unversioned id: arXiv then answers with the latest version, which is
        what a "has it been revised or withdrawn" check needs.
        """
        bases = list(dict.fromkeys(_checked_base(i) for i in ids))
        found: dict[str, Paper] = {}
        batch_size = self.ids_per_batch
        for start in range(0, len(bases), batch_size):
            found.update(self._lookup_batch(bases[start : start + batch_size]))
        wanted = set(bases)
        return {k: v for k, v in found.items() if k in wanted}

    def _lookup_batch(self, bases: list[str]) -> dict[str, Paper]:
        batch = bases if CANARY_ID in bases else [*bases, CANARY_ID]
        # max_results must be explicit: arxiv 4 defaults to 100 and silently truncates.
        search = arxiv.Search(id_list=batch, max_results=len(batch))
        results = self._run(search, page_size=len(batch))
        returned: dict[str, Paper] = {}
        for result in results:
            paper = paper_from_result(result)
            # Map back by id, never by position: the API answers in its own order, with versioned ids.
            old = returned.get(paper.arxiv_id)
            if old is None or paper.version > old.version:
                returned[paper.arxiv_id] = paper
        if CANARY_ID not in returned:
            raise SourceUnavailable(
                f"the arXiv API answered without the known paper {CANARY_ID} that every lookup asks "
                f"for, so its answer for {len(bases)} id(s) cannot be trusted"
            )
        extra = set(returned) - set(batch)
        if extra:
            log.warning("arXiv API returned ids that were not asked for: %s", ", ".join(sorted(extra)))
        return {k: v for k, v in returned.items() if k in bases}

    # -- search -----------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        submitted_from: dt.date,
        submitted_to: dt.date,
        max_results: int,
        newest_first: bool = False,
    ) -> list[Paper]:
        """Papers matching an API `query` (see `topics_query`) first submitted between the two days
        (inclusive, GMT), sorted by submission date, at most `max_results`, one per id. Only bench/
        calls it: bench_poll.py's baseline of one API search per claim, which a poll replaces."""
        if max_results <= 0:
            return []
        window = f"submittedDate:[{submitted_from:%Y%m%d}0000 TO {submitted_to:%Y%m%d}2359]"  # GMT
        full = f"({query}) AND {window}" if query.strip() else window
        search = arxiv.Search(
            query=full,
            max_results=max_results,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Descending if newest_first else arxiv.SortOrder.Ascending,
        )
        papers: dict[str, Paper] = {}
        # A skipped entry makes the package's next page overlap the last: dedupe by id.
        for result in self._run(search, page_size=min(max_results, SEARCH_PAGE_SIZE)):
            paper = paper_from_result(result)
            old = papers.get(paper.arxiv_id)
            if old is None or paper.version > old.version:
                papers[paper.arxiv_id] = paper
        return list(papers.values())

    # -- withdrawals ------------------------------------------------------------------------------

    def raw_record(self, arxiv_id: ArxivId | str) -> Paper | None:
        """The paper as OAI-PMH arXivRaw describes it (every version; `withdrawn` set)."""
        return fetch_raw_record(self.session, self.oai_url, arxiv_id)

    # -- plumbing ---------------------------------------------------------------------------------

    def _run(self, search: Any, *, page_size: int) -> list[Any]:
        # Spacing and retries are PoliteSession's (shared with every source and process), so the
        # package's own fixed delay and retry loop (which also retries 400s) are switched off.
        client = arxiv.Client(page_size=page_size, delay_seconds=0, num_retries=0)
        client.query_url_format = self.api_url + "?{}"
        client._session = _CheckedSession(self.session, self.api_url)  # private; arxiv pinned to 4.0.x
        try:
            return list(client.results(search))
        except arxiv.HTTPError as exc:  # pragma: no cover - _CheckedSession raises first
            raise SourceUnavailable(f"the arXiv API answered HTTP {exc.status}") from exc
        except arxiv.UnexpectedEmptyPageError as exc:
            raise SourceUnavailable(
                "the arXiv API sent an empty page in the middle of a result set (its totalResults "
                "over-reported); the answer is incomplete"
            ) from exc
        except requests.exceptions.RequestException as exc:  # pragma: no cover - the bridge catches
            raise SourceUnavailable(f"could not reach the arXiv API: {exc.__class__.__name__}") from exc


class _CheckedSession(requests.Session):
    """What the `arxiv` package gets as its session: our polite GET, then a check that the body is a
    real API feed (defusedxml, via wire.parse_atom) before the package's forgiving parser sees it."""

    def __init__(self, polite: PoliteSession, api_url: str) -> None:
        super().__init__()
        self._bridge = polite.as_requests_session()
        parts = urlsplit(api_url)
        self._where = f"the arXiv API ({parts.netloc}{parts.path})"

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:
        resp = self._bridge.get(url, **kwargs)
        try:
            page = wire.parse_atom(resp.content)
        except WireFormatError as exc:
            if resp.status_code != 200:
                raise SourceUnavailable(f"{self._where} answered HTTP {resp.status_code}") from exc
            raise SourceUnavailable(f"{self._where} answered wrongly: {exc}") from exc
        if page.api_errors:
            raise SourceUnavailable(
                f"{self._where} refused the request (HTTP {resp.status_code}): "
                + "; ".join(page.api_errors[:3])
            )
        if resp.status_code != 200:
            raise SourceUnavailable(f"{self._where} answered HTTP {resp.status_code}")
        if page.rejected and not page.papers:
            raise SourceUnavailable(
                f"{self._where} answered with {len(page.rejected)} entries, none of them readable "
                f"({page.rejected[0]})"
            )
        if page.total_results is None:
            raise SourceUnavailable(f"{self._where} answered with a feed without opensearch:totalResults")
        start = page.start_index or 0
        if not page.papers and page.total_results > start:
            raise SourceUnavailable(
                f"{self._where} said there are {page.total_results} results but sent none from "
                f"{start} on (an empty page)"
            )
        return resp


def _checked_base(ident: ArxivId) -> str:
    """The id without version, validated again: one malformed id makes arXiv 400 the whole batch."""
    try:
        return parse_arxiv_id(ident.base).base
    except ArxivIdError as exc:
        raise ValueError(f"refusing to send a malformed id to arXiv: {exc}") from None


def topics_query(topics: Iterable[str]) -> str:
    """An API query matching any topic as a phrase in the abstract or title:
    `abs:"a b" OR ti:"a b" OR ...` (quotes inside a topic are dropped). For `ArxivApiSource.search`;
    only bench/ uses it (bench_poll.py's one-search-per-claim baseline)."""
    parts: list[str] = []
    for topic in topics:
        phrase = " ".join(topic.replace('"', " ").split())
        if phrase:
            parts.extend((f'abs:"{phrase}"', f'ti:"{phrase}"'))
    if not parts:
        raise ValueError("no topics to search for")
    return " OR ".join(parts)


def paper_from_result(result: Any) -> Paper:
    """An `arxiv.Result` as a Paper: white space collapsed, primary category first, bare DOI."""
    short = str(result.get_short_id())
    try:
        ident = parse_arxiv_id(short)
    except ArxivIdError as exc:
        raise SourceUnavailable(f"the arXiv API returned an entry with a bad id {short!r}") from exc
    if ident.version is None:
        raise SourceUnavailable(f"the arXiv API returned an entry without a version ({short!r})")
    published = _utc_day(result.published)
    updated = max(_utc_day(result.updated), published)
    categories = list(dict.fromkeys([result.primary_category, *result.categories]))
    return Paper(
        arxiv_id=ident.base,
        version=ident.version,
        title=" ".join(str(result.title).split()),
        abstract=" ".join(str(result.summary).split()),
        authors=tuple(" ".join(str(a.name).split()) for a in result.authors),
        categories=tuple(c for c in categories if c),
        published=published,
        updated=updated,
        versions=wire.api_versions(ident.version, published, updated),
        comments=_clean(result.comment),
        journal_ref=_clean(result.journal_ref),
        doi=_bare_doi(result.doi),
        withdrawn=None,  # the Atom API has no withdrawn flag; see fetch_raw_record
    )


def _utc_day(when: dt.datetime) -> dt.date:
    return (when if when.tzinfo is None else when.astimezone(dt.UTC)).date()


def _clean(text: str | None) -> str | None:
    value = " ".join((text or "").split())
    return value or None


def _bare_doi(text: str | None) -> str | None:
    value = _clean(text)
    if value is None:
        return None
    for prefix in (
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi:",
    ):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :].strip()
    return value or None


def fetch_raw_record(session: PoliteSession, oai_url: str, arxiv_id: ArxivId | str) -> Paper | None:
    """One paper's OAI-PMH arXivRaw record (all versions with dates, `withdrawn` from the latest
    version's source type), or None when OAI-PMH says the id does not exist.

    The Atom API cannot tell a withdrawn paper: withdrawal creates a new version whose comment need
    not even say "withdrawn" (docs/ci.md). Because it always creates a new version, only papers whose
    latest version is v2 or later need this request. OAI-PMH returns its errors with HTTP 200, so the
    body decides; an HTML page or truncated XML raises SourceUnavailable.
    """
    base = arxiv_id.base if isinstance(arxiv_id, ArxivId) else parse_arxiv_id(arxiv_id).base
    where = f"OAI-PMH ({urlsplit(oai_url).netloc})"
    resp = session.get(
        oai_url,
        params={"verb": "GetRecord", "identifier": f"oai:arXiv.org:{base}", "metadataPrefix": "arXivRaw"},
    )
    if resp.status != 200:
        raise SourceUnavailable(f"{where} answered HTTP {resp.status} for {base}")
    try:
        page = wire.parse_oai(resp.body)
    except WireFormatError as exc:
        raise SourceUnavailable(f"{where} answered wrongly for {base}: {exc}") from exc
    if page.error_code == "idDoesNotExist":
        return None
    if page.error_code:
        raise SourceUnavailable(
            f"{where} refused GetRecord for {base}: {page.error_code}"
            + (f" ({page.error_message})" if page.error_message else "")
        )
    for paper in page.papers:
        if paper.arxiv_id == base:
            return paper
    if base in page.deleted:
        return None
    reasons = "; ".join(str(r) for r in page.rejected)
    raise SourceUnavailable(
        f"{where} answered GetRecord for {base} without a usable record"
        + (f" ({reasons})" if reasons else "")
    )
