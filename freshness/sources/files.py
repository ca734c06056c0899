"""`freshness import`: load arXiv metadata files (snapshot lines, API Atom, OAI-PMH, feeds) into the store.

The format is detected from the content, plain or gzipped. Snapshot files are streamed and written in
batches of BATCH_SIZE papers, one transaction each, so memory stays flat in the file size and a fault
part-way (a truncated gzip stream, a cut-off last line) keeps every record read before it. XML files
are small (one API or OAI page, one day's feed) and are parsed whole.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from freshness.errors import ImportFileError, WireFormatError
from freshness.models import Paper
from freshness.sources.wire import (
    KEEP_DROPPED_EXAMPLES,
    DroppedCategories,
    Rejected,
    iter_snapshot,
    parse_atom,
    parse_feed,
    parse_oai,
)
from freshness.store import Store, UpsertCounts
from freshness.totals import Total

BATCH_SIZE = 2000  # papers per transaction: big enough to amortise the commit, small enough to lose little
KEEP_REJECTIONS = 5  # how many rejection reasons a FileImport keeps (all are counted)
_SNIFF_BYTES = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_NOT_JSON = "not valid JSON"  # the reason iter_snapshot gives a line that does not parse


class FileFormat(StrEnum):
    SNAPSHOT = "snapshot"  # arXiv bulk metadata snapshot, one JSON object a line
    API = "api"  # export.arxiv.org/api/query Atom response
    OAI = "oai"  # OAI-PMH ListRecords / GetRecord (arXiv or arXivRaw)
    RSS = "rss"  # rss.arxiv.org RSS 2.0 feed
    ATOM_FEED = "atom-feed"  # rss.arxiv.org Atom feed


# What the store's `source` column records for papers from each format.
_STORE_SOURCE = {
    FileFormat.SNAPSHOT: "snapshot",
    FileFormat.API: "api",
    FileFormat.OAI: "oai",
    FileFormat.RSS: "rss",
    FileFormat.ATOM_FEED: "rss",
}


@dataclass(frozen=True)
class ImportProgress:
    """Sent to the progress callback after every batch: how far through which file."""

    path: Path
    done_bytes: int  # of the file on disk (compressed bytes for a gzip file)
    total_bytes: int
    records: int  # records read so far in this file
    stage: str | None = None  # after the files: what the import is doing now (the index merge)


ProgressCallback = Callable[[ImportProgress], None]


@dataclass(frozen=True)
class FileImport:
    """What importing one file did. `error` is set when the file could not be read to its end."""

    path: Path
    format: FileFormat | None
    compressed: bool = False
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: tuple[Rejected, ...] = ()  # the first KEEP_REJECTIONS, with where and why
    # Category codes left out because they are not arXiv categories (ACM/MSC classes); papers kept.
    dropped_categories: int = 0
    dropped_category_records: int = 0
    dropped_category_examples: tuple[str, ...] = ()
    error: str | None = None
    tip: str | None = None
    # The days (and how many categories) this file counts as covering in the store: a snapshot the
    # first-submission days its records span, a feed or an OAI-PMH page the days its records changed;
    # None for API responses (a search or an id lookup is not a listing) and for a file not read to
    # its end.
    covered: tuple[dt.date, dt.date] | None = None
    covered_categories: int = 0

    @property
    def stored(self) -> int:
        return self.added + self.updated + self.unchanged


@dataclass(frozen=True)
class ImportResult:
    files: tuple[FileImport, ...] = field(default=())
    optimized: bool = False  # the full-text index was merged after a bulk import (OPTIMIZE_FROM)

    # Over the files:
    added = Total("files")
    updated = Total("files")
    unchanged = Total("files")
    rejected = Total("files")
    dropped_categories = Total("files")
    dropped_category_records = Total("files")

    @property
    def failed(self) -> tuple[FileImport, ...]:
        return tuple(f for f in self.files if f.error is not None)


OPTIMIZE_FROM = 50_000  # papers added by one import from which the full-text index is merged


def import_files(
    store: Store,
    paths: Iterable[Path],
    *,
    now: dt.datetime,
    progress: ProgressCallback | None = None,
    optimize_from: int = OPTIMIZE_FROM,
) -> ImportResult:
    """Import each file in turn. A file that cannot be read to its end gets `error` set (what was read
    before the fault stays stored) and the next file is still imported; store errors propagate.
    After a bulk import (`optimize_from` papers added or more) the full-text index is merged into one
    segment, so the matcher's queries read one segment instead of tens; a night's few hundred papers
    are left to FTS5's own incremental merging."""
    results: list[FileImport] = []
    for path in paths:
        importer = _FileImporter(store, path, now, progress)
        try:
            importer.run()
        except ImportFileError as exc:
            importer.error, importer.tip = str(exc), exc.tip
        results.append(importer.result())
    result = ImportResult(tuple(results))
    if result.added >= optimize_from:
        if progress is not None and results:  # minutes at a million papers: say what it is doing
            last = results[-1]
            progress(ImportProgress(last.path, 0, 0, 0, stage="merging the full-text index"))
        store.optimize_index()
        return ImportResult(tuple(results), optimized=True)
    return result


def detect_format(head: bytes) -> FileFormat:
    """The format of a (decompressed) file from its first bytes; raise WireFormatError if none fits."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise WireFormatError("an empty file")
    if text.startswith(b"{"):
        return FileFormat.SNAPSHOT
    m = _ROOT.match(text)
    if not m:
        raise WireFormatError(f"not an arXiv metadata file (it starts with {text[:40]!r})")
    root = m[1].rsplit(b":", 1)[-1]
    if root.lower() == b"html":
        raise WireFormatError("an HTML page, not an arXiv metadata file")
    if root == b"rss":
        return FileFormat.RSS
    if root in (b"OAI-PMH", b"record"):
        return FileFormat.OAI
    if root == b"feed":
        # API entries have <id>http://arxiv.org/abs/...</id> and opensearch counts; feed entries
        # have oai:arXiv.org: ids.
        if b"a9.com/-/spec/opensearch" in text or _API_ID.search(text):
            return FileFormat.API
        return FileFormat.ATOM_FEED
    raise WireFormatError(f"an XML <{root.decode(errors='replace')}> document, not an arXiv metadata file")


_ROOT = re.compile(
    rb"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^[>]*(?:\[.*?\])?\s*>)*<([A-Za-z_][\w:.-]*)", re.DOTALL
)
_API_ID = re.compile(rb"<id>\s*https?://arxiv\.org/abs/")
_TIP = "Check the file (download it again if it is truncated), then rerun; records already stored stay."


class _FileImporter:
    """Imports one file, keeping counts so a fault part-way still reports what was stored."""

    def __init__(self, store: Store, path: Path, now: dt.datetime, progress: ProgressCallback | None) -> None:
        self.store = store
        self.path = path
        self.name = str(path)
        self.now = now
        self.progress = progress
        self.format: FileFormat | None = None
        self.compressed = False
        self.counts = UpsertCounts()
        self.rejected = 0
        self.rejections: list[Rejected] = []
        self.dropped = DroppedCategories()
        self.error: str | None = None
        self.tip: str | None = None
        self.total_bytes = 0
        self.days: tuple[dt.date, dt.date] | None = None
        self.categories: set[str] = set()
        self.covered: tuple[dt.date, dt.date] | None = None

    def result(self) -> FileImport:
        return FileImport(
            path=self.path,
            format=self.format,
            compressed=self.compressed,
            added=self.counts.added,
            updated=self.counts.updated,
            unchanged=self.counts.unchanged,
            rejected=self.rejected,
            rejections=tuple(self.rejections),
            dropped_categories=self.dropped.codes,
            dropped_category_records=self.dropped.records,
            dropped_category_examples=tuple(self.dropped.examples),
            error=self.error,
            tip=self.tip,
            covered=self.covered,
            covered_categories=len(self.categories) if self.covered else 0,
        )

    def fail(self, message: str, tip: str = _TIP) -> ImportFileError:
        return ImportFileError(f"{self.name}: {message}", tip=tip)

    def run(self) -> None:
        try:
            self.total_bytes = self.path.stat().st_size
            if self.path.is_dir():
                raise self.fail("is a directory, not a file", tip="Name the metadata files to import.")
            with self.path.open("rb") as raw:
                self.compressed = raw.read(2) == _GZIP_MAGIC
            head = self._read(_SNIFF_BYTES)
        except FileNotFoundError:
            raise self.fail("no such file", tip="Check the path and try again.") from None
        except PermissionError:
            raise self.fail("permission denied", tip="Check the file's permissions.") from None
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise self.fail(f"corrupt gzip file ({exc}); nothing was stored") from None
        except OSError as exc:
            raise self.fail(f"cannot read it: {exc.strerror or exc}") from None
        try:
            self.format = detect_format(head)
        except WireFormatError as exc:
            raise self.fail(
                str(exc), tip="Import arXiv snapshot JSON lines, API, OAI-PMH or feed files."
            ) from None
        if self.format is FileFormat.SNAPSHOT:
            self._import_snapshot()
        else:
            self._import_xml(self.format)
        self._cover(self.format)

    def _cover(self, fmt: FileFormat) -> None:
        """Record the coverage of a file read to its end (see `FileImport.covered`)."""
        if fmt is FileFormat.API or self.days is None or not self.categories:
            return
        self.store.add_coverage(self.categories, *self.days, source=_STORE_SOURCE[fmt], now=self.now)
        self.covered = self.days

    def _read(self, size: int = -1) -> bytes:
        opener = gzip.open if self.compressed else open
        with opener(self.path, "rb") as f:
            return f.read(size)

    # -- snapshot: streamed, batched --------------------------------------------------------------

    def _import_snapshot(self) -> None:
        records = 0
        batch: list[Paper] = []
        held: Rejected | None = None  # an unparsable line, held until we know it is not the last
        with self.path.open("rb") as raw:
            stream: Iterable[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if self.compressed else raw
            try:
                for item in iter_snapshot(stream, dropped=self.dropped):
                    if held is not None:
                        self._reject(held)
                        held = None
                    if isinstance(item, Rejected):
                        if item.reason.startswith(_NOT_JSON):
                            held = item
                        else:
                            self._reject(item)
                        continue
                    batch.append(item)
                    records += 1
                    if len(batch) >= BATCH_SIZE:
                        self._store(batch, FileFormat.SNAPSHOT)
                        batch = []
                        self._report(raw.tell(), records)
            except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
                self._store(batch, FileFormat.SNAPSHOT)
                if isinstance(exc, EOFError):
                    raise self.fail(
                        f"truncated gzip stream after record {records}; {self._kept(records)}"
                    ) from None
                # gzip checks its CRC only at the end, so damaged data may have been read as records.
                raise self.fail(
                    f"corrupt gzip data ({exc}) after record {records}; {self._kept(records)}, "
                    "but some may be damaged: download the file again and import it again"
                ) from None
            except OSError as exc:
                self._store(batch, FileFormat.SNAPSHOT)
                raise self.fail(f"read error after record {records} ({exc}); {self._kept(records)}") from None
            self._store(batch, FileFormat.SNAPSHOT)
            self._report(self.total_bytes, records)
        if held is not None:  # the last line does not parse: the file was cut off mid-record
            raise self.fail(f"the file ends mid-record at {held.where} (truncated?); {self._kept(records)}")
        if records == 0 and self.rejected == 0:
            raise self.fail("holds no records")

    def _kept(self, records: int) -> str:
        return f"the {records} records before it are stored"

    # -- XML: one page or feed, parsed whole ------------------------------------------------------

    def _import_xml(self, fmt: FileFormat) -> None:
        try:
            data = self._read()
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise self.fail(f"truncated or corrupt gzip file ({exc}); nothing was stored") from None
        except OSError as exc:
            raise self.fail(f"cannot read it: {exc.strerror or exc}") from None
        papers: tuple[Paper, ...]
        try:
            if fmt is FileFormat.API:
                page = parse_atom(data, dropped=self.dropped)
                if page.api_errors and not page.papers:
                    raise self.fail(f"an arXiv API error response: {'; '.join(page.api_errors)}")
                papers, rejected = page.papers, page.rejected
            elif fmt is FileFormat.OAI:
                oai = parse_oai(data, dropped=self.dropped)
                if oai.error_code is not None and oai.error_code != "noRecordsMatch":
                    raise self.fail(f"an OAI-PMH error response ({oai.error_code}: {oai.error_message})")
                deleted = tuple(Rejected(f"record {i}", "deleted on arXiv; not stored") for i in oai.deleted)
                papers, rejected = oai.papers, oai.rejected + deleted
            else:
                feed = parse_feed(data, dropped=self.dropped)
                if feed.is_error_feed:
                    raise self.fail(f"an rss.arxiv.org error feed ({feed.title})")
                papers, rejected = tuple(i.paper for i in feed.items), feed.rejected
        except WireFormatError as exc:
            raise self.fail(f"{exc}; nothing was stored") from None
        for r in rejected:
            self._reject(r)
        for start in range(0, len(papers), BATCH_SIZE):
            self._store(list(papers[start : start + BATCH_SIZE]), fmt)
        self._report(self.total_bytes, len(papers))

    # -- shared ------------------------------------------------------------------------------------

    def _store(self, batch: list[Paper], fmt: FileFormat) -> None:
        if batch:
            # A snapshot lists papers by first submission; a feed or an OAI page by last change (an
            # old paper's new version is in it), so its span is that of the latest versions.
            days = [p.published if fmt is FileFormat.SNAPSHOT else p.updated for p in batch]
            first, last = min(days), max(days)
            if self.days is not None:
                first, last = min(first, self.days[0]), max(last, self.days[1])
            self.days = (first, last)
            for paper in batch:
                self.categories.update(paper.categories)
            self.counts += self.store.upsert_papers(batch, source=_STORE_SOURCE[fmt], now=self.now)

    def _reject(self, rejected: Rejected) -> None:
        self.rejected += 1
        if len(self.rejections) < KEEP_REJECTIONS:
            self.rejections.append(rejected)

    def _report(self, done: int, records: int) -> None:
        if self.progress is not None:
            self.progress(ImportProgress(self.path, min(done, self.total_bytes), self.total_bytes, records))


def describe_import(result: ImportResult) -> list[str]:
    """Plain-text lines for the CLI: counts per file (and in total), then the first rejections.

    File names and reasons come from the files: the caller strips control characters before printing.
    """

    def counts(x: FileImport | ImportResult) -> str:
        text = f"{x.added:,} added, {x.updated:,} updated, {x.unchanged:,} unchanged, {x.rejected:,} rejected"
        if x.dropped_categories:
            n, records = x.dropped_categories, x.dropped_category_records
            text += f"; {n:,} non-arXiv categor{'y' if n == 1 else 'ies'} dropped ({records:,} record"
            text += "s)" if records != 1 else ")"
        return text

    lines: list[str] = []
    for f in result.files:
        kind = "not read" if f.format is None else f.format.value + (", gzip" if f.compressed else "")
        lines.append(f"{f.path} ({kind}): {counts(f)}")
    if len(result.files) > 1:
        lines.append(f"total: {counts(result)}")
    if result.optimized:
        lines.append("full-text index merged into one segment (faster matching after a bulk import)")
    shown = [(f, r) for f in result.files for r in f.rejections][:KEEP_REJECTIONS]
    if shown:
        total = result.rejected
        lines.append(
            f"rejected records (first {len(shown)} of {total:,}):"
            if total > len(shown)
            else "rejected records:"
        )
        lines.extend(f"  {f.path} {r.where}: {r.reason}" for f, r in shown)
    if result.dropped_categories:
        examples = list(dict.fromkeys(c for f in result.files for c in f.dropped_category_examples))
        lines.append(
            "dropped categories are not arXiv categories (ACM/MSC classes, stray words), e.g. "
            + ", ".join(repr(c) for c in examples[:KEEP_DROPPED_EXAMPLES])
            + "; the papers are stored with their arXiv categories"
        )
    covered = [f.covered for f in result.files if f.covered is not None]
    if covered:
        n = max(f.covered_categories for f in result.files)
        lines.append(
            f"coverage recorded: {min(a for a, _ in covered)} to {max(b for _, b in covered)}, "
            f"{n} categor{'y' if n == 1 else 'ies'}"
        )
    return lines
