"""OAI-PMH responses (ListRecords, GetRecord; metadataPrefix arXiv or arXivRaw) -> OaiPage."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from freshness.errors import WireFormatError
from freshness.models import Paper, PaperVersion
from freshness.sources.wire.fields import (
    VERSION_ATTR,
    DroppedCategories,
    RecordError,
    Rejected,
    arxiv_categories,
    bare_doi,
    collapse,
    iso_date,
    optional_int,
    optional_text,
    record_id,
    record_title,
    rfc822_date,
    split_authors,
)
from freshness.sources.wire.xmldoc import describe_root, local_name, parse_xml

OAI = "http://www.openarchives.org/OAI/2.0/"


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


def _child(el: ET.Element, name: str) -> ET.Element | None:
    """The first child with this local name, whatever its namespace (rendered records have none)."""
    for child in el:
        if local_name(child.tag) == name:
            return child
    return None


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in el if local_name(child.tag) == name]


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
    root = parse_xml(data, expected)
    tag = local_name(root.tag)
    if tag == "record":  # a bare rendered record, as in the shared withdrawn-paper samples
        return _oai_page([root], None, None, None, None, None, dropped)
    if root.tag != f"{{{OAI}}}OAI-PMH":
        raise WireFormatError(f"{describe_root(root)}, not {expected}")
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
            error_message=collapse(error.text) or None,
            response_date=response_date,
        )
    body = _child(root, "ListRecords")
    if body is None:
        body = _child(root, "GetRecord")
    if body is None:
        verbs = [local_name(c.tag) for c in root if local_name(c.tag) not in ("responseDate", "request")]
        raise WireFormatError(
            f"an OAI-PMH {verbs[0] if verbs else 'empty'} response, not ListRecords or GetRecord"
        )
    token_el = _child(body, "resumptionToken")
    token = None if token_el is None else (token_el.text or "").strip()
    size = None if token_el is None else optional_int(token_el.get("completeListSize"))
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
                deleted.append(record_id(identifier).base)
                continue
            papers.append(_oai_paper(record, dropped))
        except RecordError as exc:
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
        raise RecordError("no metadata")
    meta = metadata[0]
    kind = local_name(meta.tag)
    if kind == "arXivRaw":
        return _arxiv_raw_paper(meta, dropped)
    if kind == "arXiv":
        return _arxiv_oai_paper(meta, dropped)
    raise RecordError(f"metadata format {kind!r} is not supported (harvest with arXiv or arXivRaw)")


def _common_fields(meta: ET.Element, dropped: DroppedCategories | None) -> dict[str, Any]:
    return {
        "title": record_title(_text(meta, "title")),
        "abstract": collapse(_text(meta, "abstract")),
        "categories": arxiv_categories((_text(meta, "categories") or "").split(), dropped),
        "comments": optional_text(_text(meta, "comments")),
        "journal_ref": optional_text(_text(meta, "journal-ref")),
        "doi": bare_doi(_text(meta, "doi")),
    }


def _arxiv_oai_paper(meta: ET.Element, dropped: DroppedCategories | None) -> Paper:
    ident = record_id(_text(meta, "id"))
    created = iso_date(_text(meta, "created"), "created")
    updated_text = _text(meta, "updated")
    updated = iso_date(updated_text, "updated") if updated_text else created
    authors: list[str] = []
    authors_el = _child(meta, "authors")
    for author in _children(authors_el, "author") if authors_el is not None else []:
        parts = (_text(author, "forenames"), _text(author, "keyname"), _text(author, "suffix"))
        name = collapse(" ".join(p for p in parts if p))
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


def _arxiv_raw_paper(meta: ET.Element, dropped: DroppedCategories | None) -> Paper:
    ident = record_id(_text(meta, "id"))
    versions: dict[int, PaperVersion] = {}
    latest_el: ET.Element | None = None
    for el in _children(meta, "version"):
        m = VERSION_ATTR.match((el.get("version") or "").strip())
        if not m:
            raise RecordError(f"bad version attribute {el.get('version')!r}")
        date_text = (_text(el, "date") or "").strip()
        if not date_text:
            continue  # only versions with a date are recorded
        number = int(m[1])
        versions[number] = PaperVersion(number, rfc822_date(date_text))
        if latest_el is None or number >= max(versions):
            latest_el = el
    if not versions or latest_el is None:
        raise RecordError("no dated <version>")
    ordered = tuple(versions[k] for k in sorted(versions))
    # A withdrawal is a new version whose source is flagged I (or is empty): docs/ci.md.
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
