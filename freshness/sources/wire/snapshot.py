"""arXiv's bulk metadata snapshot, one JSON object a line -> Papers (or Rejected lines)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from freshness.models import Paper, PaperVersion
from freshness.sources.wire.fields import (
    VERSION_ATTR,
    DroppedCategories,
    RecordError,
    Rejected,
    arxiv_categories,
    bare_doi,
    collapse,
    optional_text,
    record_id,
    record_title,
    rfc822_date,
    split_authors,
)


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
        except RecordError as exc:
            label = record.get("id")
            yield Rejected(f"line {number}" + (f" ({label})" if isinstance(label, str) else ""), str(exc))


def _str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{key!r} is {type(value).__name__}, not a string")
    return value


def snapshot_paper(record: dict[str, Any], dropped: DroppedCategories | None = None) -> Paper:
    """One decoded snapshot record -> Paper; raises RecordError (caught by iter_snapshot)."""
    ident = record_id(_str(record, "id"))
    title = record_title(_str(record, "title"))
    raw_versions = record.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        raise RecordError("no versions")
    versions: dict[int, PaperVersion] = {}
    for v in raw_versions:
        if not isinstance(v, dict):
            raise RecordError(f"bad versions entry {v!r}")
        m = VERSION_ATTR.match(str(v.get("version", "")))
        created = v.get("created")
        if not m or not isinstance(created, str):
            raise RecordError(f"bad versions entry {v!r}")
        number = int(m[1])
        versions[number] = PaperVersion(number, rfc822_date(created))
    ordered = tuple(versions[k] for k in sorted(versions))
    return Paper(
        arxiv_id=ident.base,
        version=ordered[-1].number,
        title=title,
        abstract=collapse(_str(record, "abstract")),
        authors=_snapshot_authors(record),
        categories=arxiv_categories((_str(record, "categories") or "").split(), dropped),
        published=versions[1].date if 1 in versions else ordered[0].date,
        updated=ordered[-1].date,
        versions=ordered,
        comments=optional_text(_str(record, "comments")),
        journal_ref=optional_text(_str(record, "journal-ref")),
        doi=bare_doi(_str(record, "doi")),
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
            if name := collapse(name):
                names.append(name)
        else:
            return tuple(names)
    return split_authors(_str(record, "authors") or "")
