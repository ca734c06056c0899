"""rss.arxiv.org announcement feeds (RSS 2.0 or Atom) -> FeedPage of FeedItems."""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
from dataclasses import dataclass
from typing import Any

from freshness.arxiv_ids import ArxivId
from freshness.errors import WireFormatError
from freshness.models import Paper, PaperVersion
from freshness.sources.wire.atom import ATOM_NS, OPENSEARCH_NS
from freshness.sources.wire.fields import (
    ARXIV_TZ,
    DroppedCategories,
    RecordError,
    Rejected,
    arxiv_categories,
    bare_doi,
    collapse,
    optional_text,
    record_id,
    record_title,
    split_authors,
)
from freshness.sources.wire.xmldoc import describe_root, local_name, parse_xml


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


_ANNOUNCE = re.compile(r"^\s*arXiv:(\S+?v\d+)\s+Announce Type:\s*(\S+)", re.IGNORECASE)
_ABSTRACT = re.compile(r"\bAbstract:\s*", re.IGNORECASE)
# A tag starts with a letter right after "<", so TeX such as `$x < y$` or `$a<b$` is not a tag.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")


def parse_feed(data: bytes, *, dropped: DroppedCategories | None = None) -> FeedPage:
    """Parse an rss.arxiv.org RSS 2.0 or Atom announcement feed; category codes that are not arXiv
    categories are left out (and counted in `dropped`)."""
    expected = "an rss.arxiv.org feed"
    root = parse_xml(data, expected)  # defusedxml first: refuse DTDs, HTML, truncation
    is_rss = local_name(root.tag) == "rss"
    if not (is_rss or root.tag == f"{ATOM_NS}feed"):
        raise WireFormatError(f"{describe_root(root)}, not {expected}")
    if not is_rss and root.find(f"{OPENSEARCH_NS}totalResults") is not None:
        raise WireFormatError(f"an arXiv API response, not {expected}")

    import feedparser  # lazily: 70 ms to import, and only feeds need it

    # sanitize_html=False keeps `$x < y$` in descriptions; tags are stripped below instead.
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if parsed.get("version") not in ("rss20", "atom10"):
        raise WireFormatError(f"an unrecognised feed ({parsed.get('version')!r}), not {expected}")
    feed = parsed.feed
    title = collapse(feed.get("title"))
    announced = _announced_day(feed.get("published"))
    if announced is None and parsed.entries:
        announced = _announced_day(parsed.entries[0].get("published"))
    items: list[FeedItem] = []
    rejected: list[Rejected] = []
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            items.append(_feed_item(entry, announced, dropped))
        except RecordError as exc:
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
    ident = record_id(versioned)
    if ident.version is None:
        raise RecordError(f"no version in {versioned!r}")
    kind = str(entry.get("arxiv_announce_type") or (m[2] if m else "")).strip().lower()
    if not kind:
        raise RecordError("no announce type")
    title = record_title(entry.get("title"))
    parts = _ABSTRACT.split(summary, maxsplit=1)
    abstract_html = parts[1] if len(parts) == 2 else ("" if m else summary)
    abstract = collapse(html.unescape(_TAG.sub(" ", abstract_html)))
    day = announced or _announced_day(entry.get("published"))
    if day is None:
        raise RecordError("no announcement date (neither the feed nor the item has one)")
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
    terms = (t for tag in entry.get("tags") or () if (t := collapse(tag.get("term"))))
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
            journal_ref=optional_text(entry.get("arxiv_journal_reference")),
            doi=bare_doi(entry.get("arxiv_doi")),
            withdrawn=None,
        ),
        announce_type=kind,
    )
