"""The arXiv API's Atom responses (export.arxiv.org/api/query) -> AtomPage."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from freshness.errors import WireFormatError
from freshness.models import Paper, PaperVersion
from freshness.sources.wire.fields import (
    OAI_PREFIX,
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
)
from freshness.sources.wire.xmldoc import describe_root, parse_xml

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ARXIV_ATOM = "http://arxiv.org/schemas/atom"

ATOM_NS = f"{{{ATOM}}}"
ARXIV_NS = f"{{{ARXIV_ATOM}}}"
OPENSEARCH_NS = f"{{{OPENSEARCH}}}"


@dataclass(frozen=True)
class AtomPage:
    """One arXiv API response (export.arxiv.org/api/query)."""

    papers: tuple[Paper, ...]
    rejected: tuple[Rejected, ...]
    total_results: int | None  # opensearch:totalResults
    start_index: int | None
    items_per_page: int | None
    api_errors: tuple[str, ...]  # summaries of error entries (<id> .../api/errors#...)


def parse_atom(data: bytes, *, dropped: DroppedCategories | None = None) -> AtomPage:
    """Parse an arXiv API response. Error entries (a 400's feed) land in `api_errors`; category
    codes that are not arXiv categories are left out (and counted in `dropped`)."""
    expected = "an arXiv API Atom feed"
    root = parse_xml(data, expected)
    if root.tag != f"{ATOM_NS}feed":
        raise WireFormatError(f"{describe_root(root)}, not {expected}")
    entries = root.findall(f"{ATOM_NS}entry")
    has_opensearch = root.find(f"{OPENSEARCH_NS}totalResults") is not None
    if not has_opensearch and any(
        (e.findtext(f"{ATOM_NS}id") or "").strip().startswith(OAI_PREFIX) for e in entries
    ):
        raise WireFormatError(f"an rss.arxiv.org announcement feed, not {expected}")
    papers: list[Paper] = []
    rejected: list[Rejected] = []
    errors: list[str] = []
    for number, entry in enumerate(entries, start=1):
        entry_id = (entry.findtext(f"{ATOM_NS}id") or "").strip()
        if "/api/errors" in entry_id:
            errors.append(collapse(entry.findtext(f"{ATOM_NS}summary")) or entry_id)
            continue
        try:
            papers.append(_atom_paper(entry, entry_id, dropped))
        except RecordError as exc:
            label = f"entry {number}" + (f" ({entry_id})" if entry_id else "")
            rejected.append(Rejected(label, str(exc)))
    return AtomPage(
        papers=tuple(papers),
        rejected=tuple(rejected),
        total_results=optional_int(root.findtext(f"{OPENSEARCH_NS}totalResults")),
        start_index=optional_int(root.findtext(f"{OPENSEARCH_NS}startIndex")),
        items_per_page=optional_int(root.findtext(f"{OPENSEARCH_NS}itemsPerPage")),
        api_errors=tuple(errors),
    )


def _atom_paper(entry: ET.Element, entry_id: str, dropped: DroppedCategories | None) -> Paper:
    ident = record_id(entry_id)
    if ident.version is None:
        raise RecordError(f"no version in id {entry_id!r}")
    title = record_title(entry.findtext(f"{ATOM_NS}title"))
    published = iso_date(entry.findtext(f"{ATOM_NS}published"), "published")
    updated_text = entry.findtext(f"{ATOM_NS}updated")
    updated = iso_date(updated_text, "updated") if updated_text else published
    primary = entry.find(f"{ARXIV_NS}primary_category")
    terms = [(primary.get("term") or "").strip()] if primary is not None else []
    terms += [(cat.get("term") or "").strip() for cat in entry.findall(f"{ATOM_NS}category")]
    categories = arxiv_categories(dict.fromkeys(t for t in terms if t), dropped)
    authors = tuple(
        name for a in entry.findall(f"{ATOM_NS}author") if (name := collapse(a.findtext(f"{ATOM_NS}name")))
    )
    return Paper(
        arxiv_id=ident.base,
        version=ident.version,
        title=title,
        abstract=collapse(entry.findtext(f"{ATOM_NS}summary")),
        authors=authors,
        categories=categories,
        published=published,
        updated=updated,
        versions=api_versions(ident.version, published, updated),
        comments=optional_text(entry.findtext(f"{ARXIV_NS}comment")),
        journal_ref=optional_text(entry.findtext(f"{ARXIV_NS}journal_ref")),
        doi=bare_doi(entry.findtext(f"{ARXIV_NS}doi")),
        withdrawn=None,  # the API has no withdrawn flag (docs/ci.md)
    )


def api_versions(version: int, published: dt.date, updated: dt.date) -> tuple[PaperVersion, ...]:
    """The versions an API entry dates: v1 on its `published` day and the latest (`version`, when
    later) on its `updated` day; the API dates none in between."""
    versions: tuple[PaperVersion, ...] = (PaperVersion(1, published),)
    if version > 1:
        versions += (PaperVersion(version, updated),)
    return versions
