"""Pure parsers for arXiv's wire formats: API Atom, OAI-PMH, rss.arxiv.org feeds, bulk snapshot lines.

Bytes (or lines) in, frozen values out; no I/O. XML goes through defusedxml with DTDs forbidden, so an
XXE or billion-laughs document is refused. A body that is not the expected format (an HTML maintenance
page served with 200, an empty body, truncated XML, the wrong root element) raises WireFormatError:
it must never read as "zero papers". A single bad record becomes a `Rejected` and the rest is kept.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import defusedxml
import defusedxml.ElementTree as SafeET

from freshness.arxiv_ids import ArxivId, ArxivIdError, parse_arxiv_id
from freshness.categories import is_arxiv_category
from freshness.errors import WireFormatError
from freshness.models import Paper, PaperVersion

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ARXIV_ATOM = "http://arxiv.org/schemas/atom"
OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_PREFIX = "oai:arXiv.org:"
# arXiv announces at midnight US Eastern; an RSS feed's day is that local day.
ARXIV_TZ = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class Rejected:
    """A record skipped, with why; never aborts the file."""

    where: str  # "line 12", "entry 3", "record oai:arXiv.org:2401.00001"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class AtomPage:
    """One arXiv API response (export.arxiv.org/api/query)."""

    papers: tuple[Paper, ...]
    rejected: tuple[Rejected, ...]
    total_results: int | None  # opensearch:totalResults
    start_index: int | None
    items_per_page: int | None
    api_errors: tuple[str, ...]  # summaries of error entries (<id> .../api/errors#...)


@dataclass(frozen=True)
class OaiPage:
    """One OAI-PMH ListRecords / GetRecord response, metadataPrefix arXiv or arXivRaw."""

    papers: tuple[Paper, ...]
    rejected: tuple[Rejected, ...]
    deleted: tuple[str, ...]  # ids of <header status="deleted">
    resumption_token: str | None  # None or "" (an empty element) = last page
    complete_list_size: int | None
    error_code: str | None  # e.g. "noRecordsMatch", "badResumptionToken" (OAI errors come as HTTP 200)
    error_message: str | None
    response_date: dt.datetime | None


@dataclass(frozen=True)
class FeedItem:
    paper: Paper
    announce_type: str  # new | cross | replace | replace-cross | absonly


@dataclass(frozen=True)
class FeedPage:
    """One rss.arxiv.org RSS 2.0 or Atom feed."""

    title: str
    items: tuple[FeedItem, ...]
    rejected: tuple[Rejected, ...]
    announced: dt.date | None  # the feed's day (arXiv midnight, US Eastern)
    is_error_feed: bool  # arXiv's "Feed error for query: ..." feed


class _Reject(Exception):
    """Raised inside a record mapper; becomes a Rejected with this message."""


KEEP_DROPPED_EXAMPLES = 3


@dataclass
class DroppedCategories:
    """A running tally of the category codes dropped because they are not arXiv categories: some
    records list ACM or MSC classes among theirs ("I.2.7;", "68T05,"). Parsers add to the one given."""

    records: int = 0  # records that lost at least one code (the records themselves are kept)
    codes: int = 0
    examples: list[str] = field(default_factory=list)  # the first few distinct codes dropped

    def add(self, codes: list[str]) -> None:
        self.records += 1
        self.codes += len(codes)
        for code in codes:
            if len(self.examples) >= KEEP_DROPPED_EXAMPLES:
                break
            if code not in self.examples:
                self.examples.append(code)


def arxiv_categories(codes: Iterable[str], dropped: DroppedCategories | None = None) -> tuple[str, ...]:
    """The well-formed arXiv categories among `codes`, once each, in order; the rest go to `dropped`."""
    kept: dict[str, None] = {}
    other: list[str] = []
    for code in codes:
        if is_arxiv_category(code):
            kept[code] = None
        else:
            other.append(code)
    if other and dropped is not None:
        dropped.add(other)
    return tuple(kept)


# -- shared helpers ---------------------------------------------------------------------------------


_UNICODE_SPACE = re.compile(r"[\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def _collapse(text: str | None) -> str:
    """Collapse runs of white space (arXiv keeps hard line breaks in abstracts and long titles)."""
    if not text:
        return ""
    # Fast path (most snapshot text is already clean): substring tests are ~10x cheaper than split/join.
    if (
        text[0] != " "
        and text[-1] != " "
        and "  " not in text
        and "\n" not in text
        and "\t" not in text
        and "\r" not in text
        and "\x0b" not in text
        and "\x0c" not in text
        and (text.isascii() or not _UNICODE_SPACE.search(text))
    ):
        return text
    return " ".join(text.split())


def _optional(text: str | None) -> str | None:
    value = _collapse(text)
    return value or None


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def _doi(text: str | None) -> str | None:
    """A bare DOI: no resolver URL, no `doi:` prefix."""
    value = _collapse(text)
    return _DOI_PREFIX.sub("", value) or None


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_RFC822_DAY = re.compile(
    r"^\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+[\d:]+\s+(?:GMT|UT|UTC|Z|\+0000)\s*$"
)


def _rfc822_date(text: str) -> dt.date:
    """The day of "Mon, 01 Jan 2024 00:00:00 GMT" (arXiv's version dates are GMT)."""
    m = _RFC822_DAY.match(text)
    if m:  # the fast path: 139k snapshot records, two dates each
        month = _MONTHS.get(m[2].lower())
        if month is not None:
            try:
                return dt.date(int(m[3]), month, int(m[1]))
            except ValueError as exc:
                raise _Reject(f"bad date {text!r}: {exc}") from None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise _Reject(f"bad date {text!r}") from None
    return when.date() if when.tzinfo is None else when.astimezone(dt.UTC).date()


def _iso_date(text: str | None, what: str) -> dt.date:
    """The UTC day of an ISO-8601 timestamp or a plain YYYY-MM-DD."""
    value = (text or "").strip()
    if not value:
        raise _Reject(f"no {what} date")
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _Reject(f"bad {what} date {value!r}") from None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return when.date()


def _int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def _arxiv_id(text: str | None) -> ArxivId:
    value = (text or "").strip()
    if not value:
        raise _Reject("no arXiv id")
    if value.startswith(OAI_PREFIX):
        value = value[len(OAI_PREFIX) :]
    try:
        return parse_arxiv_id(value)
    except ArxivIdError as exc:
        raise _Reject(f"bad arXiv id: {exc}") from None


def _title(text: str | None) -> str:
    title = _collapse(text)
    if not title:
        raise _Reject("no title")
    return title


_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_NAME_SEPARATOR = re.compile(r",|\band\b")


def split_authors(raw: str) -> tuple[str, ...]:
    """Split one author string ("A and B", "A, B, and C", "A (Univ X, Y), B") into names.

    Parenthesised affiliations are dropped first: splitting on ", " naively breaks on an affiliation
    that itself contains a comma (rss.arxiv.org's dc:creator carries them).
    """
    kept: list[str] = []
    depth = 0
    for ch in raw:
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif not depth:
            kept.append(ch)
    text = "".join(kept) if depth == 0 else raw.replace("(", " ").replace(")", " ")
    names: list[str] = []
    for part in _NAME_SEPARATOR.split(text):
        name = _collapse(part)
        if not name:
            continue
        if names and name.lower() in _SUFFIXES:  # "John Smith, Jr." is one author
            names[-1] = f"{names[-1]} {name}"
        else:
            names.append(name)
    return tuple(names)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sniff(data: bytes) -> bytes:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]


def _parse_xml(data: bytes, expected: str) -> ET.Element:
    """Parse untrusted XML; raise WireFormatError saying what the bytes are instead of `expected`."""
    head = _sniff(data)
    if not head:
        raise WireFormatError(f"an empty body, not {expected}")
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:200]:
        raise WireFormatError(f"an HTML page, not {expected}")
    if not head.startswith(b"<"):
        raise WireFormatError(f"not XML (it starts with {head[:40]!r}), not {expected}")
    try:
        root: ET.Element = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise WireFormatError(
            f"refused: the document declares a DTD or entities ({exc.__class__.__name__}), as an XXE "
            f"or billion-laughs attack would; not {expected}"
        ) from None
    except ET.ParseError as exc:
        line, col = exc.position
        # expat: 3 "no element found", 5 "unclosed token", 6 "partial character", 20 "unclosed CDATA"
        if exc.code in (3, 5, 6, 20):
            raise WireFormatError(
                f"truncated XML at line {line}: the document ends before it is closed"
            ) from None
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise WireFormatError(f"invalid XML at line {line}, column {col + 1}: {reason}") from None
    if _local(root.tag).lower() == "html":
        raise WireFormatError(f"an HTML page, not {expected}")
    return root


def _describe_root(root: ET.Element) -> str:
    tag = _local(root.tag)
    if tag == "rss":
        return "an RSS feed"
    if tag == "OAI-PMH":
        return "an OAI-PMH response"
    if tag == "feed":
        return "an Atom feed"
    return f"a <{tag}> document"


# -- arXiv API (Atom) -------------------------------------------------------------------------------

_A = f"{{{ATOM}}}"
_X = f"{{{ARXIV_ATOM}}}"
_OS = f"{{{OPENSEARCH}}}"


def parse_atom(data: bytes, *, dropped: DroppedCategories | None = None) -> AtomPage:
    """Parse an arXiv API response. Error entries (a 400's feed) land in `api_errors`; category
    codes that are not arXiv categories are left out (and counted in `dropped`)."""
    expected = "an arXiv API Atom feed"
    root = _parse_xml(data, expected)
    if root.tag != f"{_A}feed":
        raise WireFormatError(f"{_describe_root(root)}, not {expected}")
    entries = root.findall(f"{_A}entry")
    has_opensearch = root.find(f"{_OS}totalResults") is not None
    if not has_opensearch and any(
        (e.findtext(f"{_A}id") or "").strip().startswith(OAI_PREFIX) for e in entries
    ):
        raise WireFormatError(f"an rss.arxiv.org announcement feed, not {expected}")
    papers: list[Paper] = []
    rejected: list[Rejected] = []
    errors: list[str] = []
    for number, entry in enumerate(entries, start=1):
        entry_id = (entry.findtext(f"{_A}id") or "").strip()
        if "/api/errors" in entry_id:
            errors.append(_collapse(entry.findtext(f"{_A}summary")) or entry_id)
            continue
        try:
            papers.append(_atom_paper(entry, entry_id, dropped))
        except _Reject as exc:
            label = f"entry {number}" + (f" ({entry_id})" if entry_id else "")
            rejected.append(Rejected(label, str(exc)))
    return AtomPage(
        papers=tuple(papers),
        rejected=tuple(rejected),
        total_results=_int(root.findtext(f"{_OS}totalResults")),
        start_index=_int(root.findtext(f"{_OS}startIndex")),
        items_per_page=_int(root.findtext(f"{_OS}itemsPerPage")),
        api_errors=tuple(errors),
    )


def _atom_paper(entry: ET.Element, entry_id: str, dropped: DroppedCategories | None) -> Paper:
    ident = _arxiv_id(entry_id)
    if ident.version is None:
        raise _Reject(f"no version in id {entry_id!r}")
    title = _title(entry.findtext(f"{_A}title"))
    published = _iso_date(entry.findtext(f"{_A}published"), "published")
    updated_text = entry.findtext(f"{_A}updated")
    updated = _iso_date(updated_text, "updated") if updated_text else published
    primary = entry.find(f"{_X}primary_category")
    terms = [(primary.get("term") or "").strip()] if primary is not None else []
    terms += [(cat.get("term") or "").strip() for cat in entry.findall(f"{_A}category")]
    categories = arxiv_categories(dict.fromkeys(t for t in terms if t), dropped)
    authors = tuple(
        name for a in entry.findall(f"{_A}author") if (name := _collapse(a.findtext(f"{_A}name")))
    )
    versions: tuple[PaperVersion, ...] = (PaperVersion(1, published),)
    if ident.version > 1:
        versions += (PaperVersion(ident.version, updated),)
    return Paper(
        arxiv_id=ident.base,
        version=ident.version,
        title=title,
        abstract=_collapse(entry.findtext(f"{_A}summary")),
        authors=authors,
        categories=categories,
        published=published,
        updated=updated,
        versions=versions,
        comments=_optional(entry.findtext(f"{_X}comment")),
        journal_ref=_optional(entry.findtext(f"{_X}journal_ref")),
        doi=_doi(entry.findtext(f"{_X}doi")),
        withdrawn=None,  # the API has no withdrawn flag (notes §2.2)
    )


# -- OAI-PMH ----------------------------------------------------------------------------------------


def _child(el: ET.Element, name: str) -> ET.Element | None:
    """The first child with this local name, whatever its namespace (rendered records have none)."""
    for child in el:
        if _local(child.tag) == name:
            return child
    return None


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in el if _local(child.tag) == name]


def _text(el: ET.Element | None, name: str) -> str | None:
    if el is None:
        return None
    child = _child(el, name)
    return None if child is None else (child.text or "")


def parse_oai(data: bytes, *, dropped: DroppedCategories | None = None) -> OaiPage:
    """Parse an OAI-PMH ListRecords or GetRecord response (or one bare <record>).

    `arXiv` records carry no version numbers: `version` is 1 there (a lower bound) and `updated` is the
    record's last metadata change. Use `arXivRaw` for exact versions, dates and withdrawals. Category
    codes that are not arXiv categories are left out (and counted in `dropped`).
    """
    expected = "an OAI-PMH response"
    root = _parse_xml(data, expected)
    tag = _local(root.tag)
    if tag == "record":  # a bare rendered record, as in the shared withdrawn-paper samples
        return _oai_page([root], None, None, None, None, None, dropped)
    if root.tag != f"{{{OAI}}}OAI-PMH":
        raise WireFormatError(f"{_describe_root(root)}, not {expected}")
    response_date: dt.datetime | None = None
    stamp = _text(root, "responseDate")
    if stamp:
        try:
            response_date = dt.datetime.fromisoformat(stamp.strip())
        except ValueError:
            response_date = None
    error = _child(root, "error")
    if error is not None:
        return OaiPage(
            papers=(),
            rejected=(),
            deleted=(),
            resumption_token=None,
            complete_list_size=None,
            error_code=error.get("code") or "unknown",
            error_message=_collapse(error.text) or None,
            response_date=response_date,
        )
    body = _child(root, "ListRecords")
    if body is None:
        body = _child(root, "GetRecord")
    if body is None:
        verbs = [_local(c.tag) for c in root if _local(c.tag) not in ("responseDate", "request")]
        raise WireFormatError(
            f"an OAI-PMH {verbs[0] if verbs else 'empty'} response, not ListRecords or GetRecord"
        )
    token_el = _child(body, "resumptionToken")
    token = None if token_el is None else (token_el.text or "").strip()
    size = None if token_el is None else _int(token_el.get("completeListSize"))
    return _oai_page(_children(body, "record"), token, size, None, None, response_date, dropped)


def _oai_page(
    records: list[ET.Element],
    token: str | None,
    size: int | None,
    code: str | None,
    message: str | None,
    response_date: dt.datetime | None,
    dropped: DroppedCategories | None,
) -> OaiPage:
    papers: list[Paper] = []
    rejected: list[Rejected] = []
    deleted: list[str] = []
    for number, record in enumerate(records, start=1):
        header = _child(record, "header")
        identifier = (_text(header, "identifier") or "").strip()
        where = f"record {identifier}" if identifier else f"record {number}"
        try:
            if header is not None and header.get("status") == "deleted":
                deleted.append(_arxiv_id(identifier).base)
                continue
            papers.append(_oai_paper(record, dropped))
        except _Reject as exc:
            rejected.append(Rejected(where, str(exc)))
    return OaiPage(
        papers=tuple(papers),
        rejected=tuple(rejected),
        deleted=tuple(deleted),
        resumption_token=token,
        complete_list_size=size,
        error_code=code,
        error_message=message,
        response_date=response_date,
    )


def _oai_paper(record: ET.Element, dropped: DroppedCategories | None) -> Paper:
    metadata = _child(record, "metadata")
    if metadata is None or not len(metadata):
        raise _Reject("no metadata")
    meta = metadata[0]
    kind = _local(meta.tag)
    if kind == "arXivRaw":
        return _arxiv_raw_paper(meta, dropped)
    if kind == "arXiv":
        return _arxiv_oai_paper(meta, dropped)
    raise _Reject(f"metadata format {kind!r} is not supported (harvest with arXiv or arXivRaw)")


def _common_fields(meta: ET.Element, dropped: DroppedCategories | None) -> dict[str, Any]:
    return {
        "title": _title(_text(meta, "title")),
        "abstract": _collapse(_text(meta, "abstract")),
        "categories": arxiv_categories((_text(meta, "categories") or "").split(), dropped),
        "comments": _optional(_text(meta, "comments")),
        "journal_ref": _optional(_text(meta, "journal-ref")),
        "doi": _doi(_text(meta, "doi")),
    }


def _arxiv_oai_paper(meta: ET.Element, dropped: DroppedCategories | None) -> Paper:
    ident = _arxiv_id(_text(meta, "id"))
    created = _iso_date(_text(meta, "created"), "created")
    updated_text = _text(meta, "updated")
    updated = _iso_date(updated_text, "updated") if updated_text else created
    authors: list[str] = []
    authors_el = _child(meta, "authors")
    for author in _children(authors_el, "author") if authors_el is not None else []:
        parts = (_text(author, "forenames"), _text(author, "keyname"), _text(author, "suffix"))
        name = _collapse(" ".join(p for p in parts if p))
        if name:
            authors.append(name)
    return Paper(
        arxiv_id=ident.base,
        version=1,  # the arXiv format has no version numbers; 1 is a lower bound
        authors=tuple(authors),
        published=created,
        updated=max(updated, created),
        versions=(PaperVersion(1, created),),
        withdrawn=None,
        **_common_fields(meta, dropped),
    )


_VERSION_ATTR = re.compile(r"^v(\d+)$")


def _arxiv_raw_paper(meta: ET.Element, dropped: DroppedCategories | None) -> Paper:
    ident = _arxiv_id(_text(meta, "id"))
    versions: dict[int, PaperVersion] = {}
    latest_el: ET.Element | None = None
    for el in _children(meta, "version"):
        m = _VERSION_ATTR.match((el.get("version") or "").strip())
        if not m:
            raise _Reject(f"bad version attribute {el.get('version')!r}")
        date_text = (_text(el, "date") or "").strip()
        if not date_text:
            continue  # only versions with a date are recorded
        number = int(m[1])
        versions[number] = PaperVersion(number, _rfc822_date(date_text))
        if latest_el is None or number >= max(versions):
            latest_el = el
    if not versions or latest_el is None:
        raise _Reject("no dated <version>")
    ordered = tuple(versions[k] for k in sorted(versions))
    # A withdrawal is a new version whose source is flagged I (or is empty); notes §2.2.
    source_type = (_text(latest_el, "source_type") or "").strip()
    size = (_text(latest_el, "size") or "").strip().lower()
    return Paper(
        arxiv_id=ident.base,
        version=ordered[-1].number,
        authors=split_authors(_text(meta, "authors") or ""),
        published=versions[1].date if 1 in versions else ordered[0].date,
        updated=ordered[-1].date,
        versions=ordered,
        withdrawn="I" in source_type or size == "0kb",
        **_common_fields(meta, dropped),
    )


# -- rss.arxiv.org feeds ----------------------------------------------------------------------------

_ANNOUNCE = re.compile(r"^\s*arXiv:(\S+?v\d+)\s+Announce Type:\s*(\S+)", re.IGNORECASE)
_ABSTRACT = re.compile(r"\bAbstract:\s*", re.IGNORECASE)
# A tag starts with a letter right after "<", so TeX such as `$x < y$` or `$a<b$` is not a tag.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")


def parse_feed(data: bytes, *, dropped: DroppedCategories | None = None) -> FeedPage:
    """Parse an rss.arxiv.org RSS 2.0 or Atom announcement feed; category codes that are not arXiv
    categories are left out (and counted in `dropped`)."""
    expected = "an rss.arxiv.org feed"
    root = _parse_xml(data, expected)  # defusedxml first: refuse DTDs, HTML, truncation
    is_rss = _local(root.tag) == "rss"
    if not (is_rss or root.tag == f"{_A}feed"):
        raise WireFormatError(f"{_describe_root(root)}, not {expected}")
    if not is_rss and root.find(f"{_OS}totalResults") is not None:
        raise WireFormatError(f"an arXiv API response, not {expected}")

    import feedparser  # lazily: 70 ms to import, and only feeds need it

    # sanitize_html=False keeps `$x < y$` in descriptions; tags are stripped below instead.
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if parsed.get("version") not in ("rss20", "atom10"):
        raise WireFormatError(f"an unrecognised feed ({parsed.get('version')!r}), not {expected}")
    feed = parsed.feed
    title = _collapse(feed.get("title"))
    announced = _announced_day(feed.get("published"))
    if announced is None and parsed.entries:
        announced = _announced_day(parsed.entries[0].get("published"))
    items: list[FeedItem] = []
    rejected: list[Rejected] = []
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            items.append(_feed_item(entry, announced, dropped))
        except _Reject as exc:
            guid = entry.get("id")
            rejected.append(Rejected(f"item {number}" + (f" ({guid})" if guid else ""), str(exc)))
    return FeedPage(
        title=title,
        items=tuple(items),
        rejected=tuple(rejected),
        announced=announced,
        is_error_feed=title.lower().startswith("feed error"),
    )


def _announced_day(text: str | None) -> dt.date | None:
    """The arXiv (US Eastern) day of an RFC 822 or ISO-8601 timestamp."""
    if not text:
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            when = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            return None
    if when.tzinfo is None:
        return when.date()
    return when.astimezone(ARXIV_TZ).date()


def _id_month(ident: ArxivId) -> dt.date:
    """The first day of the month an id was assigned in (YYMM in both id styles)."""
    digits = ident.base.split("/")[-1]
    yy, mm = int(digits[0:2]), int(digits[2:4])
    return dt.date(1900 + yy if yy >= 91 else 2000 + yy, mm, 1)


def _feed_item(entry: Any, announced: dt.date | None, dropped: DroppedCategories | None) -> FeedItem:
    summary = str(entry.get("summary") or "")
    m = _ANNOUNCE.match(summary)
    versioned = m[1] if m else str(entry.get("id") or "")
    ident = _arxiv_id(versioned)
    if ident.version is None:
        raise _Reject(f"no version in {versioned!r}")
    kind = str(entry.get("arxiv_announce_type") or (m[2] if m else "")).strip().lower()
    if not kind:
        raise _Reject("no announce type")
    title = _title(entry.get("title"))
    parts = _ABSTRACT.split(summary, maxsplit=1)
    abstract_html = parts[1] if len(parts) == 2 else ("" if m else summary)
    abstract = _collapse(html.unescape(_TAG.sub(" ", abstract_html)))
    day = announced or _announced_day(entry.get("published"))
    if day is None:
        raise _Reject("no announcement date (neither the feed nor the item has one)")
    # RSS gives no v1 date. A new or cross-listed paper was first announced today; anything else
    # (a replacement) gets the first day of its id's month, so an old paper never looks new.
    is_new = kind in ("new", "cross")
    published = day if is_new else min(_id_month(ident), day)
    # Record the announced version with today's date, except when that would invent a date: an
    # absonly item changed only the abstract (no new version today), and a v1 that is not new was
    # announced earlier (the store takes a v1 date as the first-version date).
    versions: tuple[PaperVersion, ...] = ()
    if kind != "absonly" and (is_new or ident.version > 1):
        versions = (PaperVersion(ident.version, day),)
    terms = (t for tag in entry.get("tags") or () if (t := _collapse(tag.get("term"))))
    categories = arxiv_categories(terms, dropped)
    return FeedItem(
        paper=Paper(
            arxiv_id=ident.base,
            version=ident.version,
            title=title,
            abstract=abstract,
            authors=split_authors(str(entry.get("author") or "")),
            categories=categories,
            published=published,
            updated=day,
            versions=versions,
            comments=None,
            journal_ref=_optional(entry.get("arxiv_journal_reference")),
            doi=_doi(entry.get("arxiv_doi")),
            withdrawn=None,
        ),
        announce_type=kind,
    )


# -- bulk snapshot (JSON lines) ---------------------------------------------------------------------


def iter_snapshot(
    lines: Iterable[str | bytes], *, dropped: DroppedCategories | None = None
) -> Iterator[Paper | Rejected]:
    """Map arXiv bulk-snapshot JSON lines to Papers; a bad line becomes a Rejected ("line N").

    Blank lines are skipped. Lines may be bytes (decoded as UTF-8 by json). Category codes that are
    not arXiv categories (ACM/MSC classes) are left out of the papers and counted in `dropped`.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            yield Rejected(f"line {number}", f"not valid JSON ({exc})")
            continue
        if not isinstance(record, dict):
            yield Rejected(f"line {number}", f"not a JSON object but {type(record).__name__}")
            continue
        try:
            yield snapshot_paper(record, dropped)
        except _Reject as exc:
            label = record.get("id")
            yield Rejected(f"line {number}" + (f" ({label})" if isinstance(label, str) else ""), str(exc))


def _str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Reject(f"{key!r} is {type(value).__name__}, not a string")
    return value


def snapshot_paper(record: dict[str, Any], dropped: DroppedCategories | None = None) -> Paper:
    """One decoded snapshot record -> Paper; raises _Reject (caught by iter_snapshot)."""
    ident = _arxiv_id(_str(record, "id"))
    title = _title(_str(record, "title"))
    raw_versions = record.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        raise _Reject("no versions")
    versions: dict[int, PaperVersion] = {}
    for v in raw_versions:
        if not isinstance(v, dict):
            raise _Reject(f"bad versions entry {v!r}")
        m = _VERSION_ATTR.match(str(v.get("version", "")))
        created = v.get("created")
        if not m or not isinstance(created, str):
            raise _Reject(f"bad versions entry {v!r}")
        number = int(m[1])
        versions[number] = PaperVersion(number, _rfc822_date(created))
    ordered = tuple(versions[k] for k in sorted(versions))
    return Paper(
        arxiv_id=ident.base,
        version=ordered[-1].number,
        title=title,
        abstract=_collapse(_str(record, "abstract")),
        authors=_snapshot_authors(record),
        categories=arxiv_categories((_str(record, "categories") or "").split(), dropped),
        published=versions[1].date if 1 in versions else ordered[0].date,
        updated=ordered[-1].date,
        versions=ordered,
        comments=_optional(_str(record, "comments")),
        journal_ref=_optional(_str(record, "journal-ref")),
        doi=_doi(_str(record, "doi")),
        withdrawn=None,
    )


def _snapshot_authors(record: dict[str, Any]) -> tuple[str, ...]:
    raw = record.get("authors")
    # Fast path: a plain "A, B, C" list (the common case) splits in C. Anything with "and",
    # parentheses (affiliations), suffixes or odd spacing goes through authors_parsed / split_authors.
    if (
        isinstance(raw, str)
        and raw
        and "(" not in raw
        and " and " not in raw
        and "Jr" not in raw
        and "  " not in raw
        and "\n" not in raw
    ):
        plain = tuple(n for n in raw.split(", ") if n)
        if all("," not in n for n in plain):
            return plain
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names: list[str] = []
        for entry in parsed:  # [keyname, forenames, suffix, (affiliation...)]
            if not isinstance(entry, list) or not entry or not all(isinstance(p, str) for p in entry[:3]):
                break
            name = f"{entry[1]} {entry[0]}" if len(entry) > 1 and entry[1] else entry[0]
            if len(entry) > 2 and entry[2]:
                name = f"{name} {entry[2]}"
            if name := _collapse(name):
                names.append(name)
        else:
            return tuple(names)
    return split_authors(_str(record, "authors") or "")
