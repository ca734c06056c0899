"""What every wire format shares: a rejected record, the tally of dropped category codes, and the
field readers (white space, DOIs, dates, ids, titles, authors) that refuse a bad value with RecordError.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from freshness.arxiv_ids import ArxivId, ArxivIdError, parse_arxiv_id
from freshness.categories import is_arxiv_category

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


class RecordError(Exception):
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


_UNICODE_SPACE = re.compile(r"[\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def collapse(text: str | None) -> str:
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


def optional_text(text: str | None) -> str | None:
    value = collapse(text)
    return value or None


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def bare_doi(text: str | None) -> str | None:
    """A bare DOI: no resolver URL, no `doi:` prefix."""
    value = collapse(text)
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


def rfc822_date(text: str) -> dt.date:
    """The day of "Mon, 01 Jan 2024 00:00:00 GMT" (arXiv's version dates are GMT)."""
    m = _RFC822_DAY.match(text)
    if m:  # the fast path: 139k snapshot records, two dates each
        month = _MONTHS.get(m[2].lower())
        if month is not None:
            try:
                return dt.date(int(m[3]), month, int(m[1]))
            except ValueError as exc:
                raise RecordError(f"bad date {text!r}: {exc}") from None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise RecordError(f"bad date {text!r}") from None
    return when.date() if when.tzinfo is None else when.astimezone(dt.UTC).date()


def iso_date(text: str | None, what: str) -> dt.date:
    """The UTC day of an ISO-8601 timestamp or a plain YYYY-MM-DD."""
    value = (text or "").strip()
    if not value:
        raise RecordError(f"no {what} date")
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"bad {what} date {value!r}") from None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return when.date()


def optional_int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def record_id(text: str | None) -> ArxivId:
    value = (text or "").strip()
    if not value:
        raise RecordError("no arXiv id")
    if value.startswith(OAI_PREFIX):
        value = value[len(OAI_PREFIX) :]
    try:
        return parse_arxiv_id(value)
    except ArxivIdError as exc:
        raise RecordError(f"bad arXiv id: {exc}") from None


def record_title(text: str | None) -> str:
    title = collapse(text)
    if not title:
        raise RecordError("no title")
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
        name = collapse(part)
        if not name:
            continue
        if names and name.lower() in _SUFFIXES:  # "John Smith, Jr." is one author
            names[-1] = f"{names[-1]} {name}"
        else:
            names.append(name)
    return tuple(names)


VERSION_ATTR = re.compile(r"^v(\d+)$")
