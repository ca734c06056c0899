"""Pure parsers for arXiv's wire formats: API Atom, OAI-PMH, rss.arxiv.org feeds, bulk snapshot lines.

Bytes (or lines) in, frozen values out; no I/O. XML goes through defusedxml with DTDs forbidden, so an
XXE or billion-laughs document is refused. A body that is not the expected format (an HTML maintenance
page served with 200, an empty body, truncated XML, the wrong root element) raises WireFormatError:
it must never read as "zero papers". A single bad record becomes a `Rejected` and the rest is kept.

One module a format: `atom` (the API), `oai` (OAI-PMH), `feed` (rss.arxiv.org), `snapshot` (the bulk
JSON lines); `xmldoc` (refusing what is not the expected XML) and `fields` (reading one field of a
record, the dropped-category tally) serve them all. This module is the public API.
"""

from __future__ import annotations

from freshness.sources.wire.atom import AtomPage, api_versions, parse_atom
from freshness.sources.wire.feed import FeedItem, FeedPage, parse_feed
from freshness.sources.wire.fields import (
    ARXIV_TZ,
    KEEP_DROPPED_EXAMPLES,
    DroppedCategories,
    Rejected,
    arxiv_categories,
    split_authors,
)
from freshness.sources.wire.oai import OaiPage, parse_oai
from freshness.sources.wire.snapshot import iter_snapshot, snapshot_paper

__all__ = [
    "ARXIV_TZ",
    "KEEP_DROPPED_EXAMPLES",
    "AtomPage",
    "DroppedCategories",
    "FeedItem",
    "FeedPage",
    "OaiPage",
    "Rejected",
    "api_versions",
    "arxiv_categories",
    "iter_snapshot",
    "parse_atom",
    "parse_feed",
    "parse_oai",
    "snapshot_paper",
    "split_authors",
]
