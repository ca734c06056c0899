"""The named errors the core raises; only the command line (the freshness/cli/ package) turns them into
messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass


class FreshnessError(Exception):
    """Base of every error freshness raises on purpose. `tip` says what the user can do."""

    tip: str | None = None

    def __init__(self, message: str, *, tip: str | None = None) -> None:
        super().__init__(message)
        if tip is not None:
            self.tip = tip


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, located at a 1-based line and column."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        if self.line == 0:  # the file as a whole (missing, unreadable): no line to point at
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class ClaimsError(FreshnessError):
    """The claims file is missing, unreadable or invalid; carries every problem found."""

    tip = "Fix the lines above, then run `freshness validate` again."
    file_level = False  # True: the file as a whole is the problem (missing, unreadable), no line to fix

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        # A missing or unreadable file has no lines to fix: the error is the problem itself.
        self.file_level = bool(problems) and all(p.line == 0 for p in problems)
        if self.file_level:
            super().__init__("; ".join(str(p) for p in problems))
            self.tip = (
                "The claims file is --claims FILE, else $FRESHNESS_CLAIMS, else ./claims.yaml: run from "
                "the folder that holds yours or pass its path. To start one, see docs/claims.md (or "
                "draft one from a research note with `freshness extract NOTE`)."
            )
        else:
            super().__init__(f"{len(problems)} problem(s) in the claims file")


class ImportFileError(FreshnessError):
    """An import file is unreadable, truncated or corrupt (records before the fault are kept)."""


class StoreError(FreshnessError):
    """The SQLite store cannot be opened, is corrupt, or is locked by another writer."""


class StoreBusyError(StoreError):
    """Another freshness process holds the writer lock on this store."""

    tip = "Another freshness command is writing to this store; wait for it to finish and retry."


class StoreDamagedError(StoreError):
    """The store file is damaged (pages overwritten, truncated); nothing is written to it."""

    tip = (
        "Restore the store from a backup; or salvage it with `sqlite3 STORE .recover | sqlite3 NEW` "
        "and point --db at NEW; or start afresh: move it aside and run `freshness import` on the bulk "
        "snapshot, then `freshness poll`."
    )


class LocalFaultError(FreshnessError):
    """The machine refused a file operation: disk full, read-only, permission, missing directory.

    Not a bug in freshness: the message names the file and the cause, the tip what to do.
    """


class Interrupted(FreshnessError):
    """A stop was requested (a second signal to `freshness schedule`) between two requests."""


class SourceUnavailable(FreshnessError):
    """arXiv could not be reached or answered wrongly; never means 'not found' or 'nothing new'."""

    tip = "arXiv may be down or rate-limiting; try again later (the store is unchanged)."


class ConfigError(FreshnessError):
    """A setting (flag or FRESHNESS_* variable) has an invalid value."""


class WireFormatError(FreshnessError):
    """A response or file is not the arXiv format it should be (an HTML page, truncated XML, ...).

    Never to be read as "no papers": the caller reports it as arXiv answering wrongly.
    """


class NoteError(FreshnessError):
    """A research note cannot be read, holds no finding, or its draft would overwrite a file."""


class CitationsUnavailable(FreshnessError):
    """A citation service (Semantic Scholar, OpenAlex) could not be asked or answered wrongly; never
    means "no citations": the anchor's citing papers are then reported incomplete or stale."""

    tip = "The citation service may be down or rate-limiting; the next run tries again."
