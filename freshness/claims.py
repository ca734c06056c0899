"""Load and validate claims.yaml (schema version 1) into Claims, locating every problem at line:col.

The public loading API: `read_claims` never raises for bad input, `load_claims` and `load_claims_file`
raise ClaimsError. Malformed anchor ids are *soft* problems: the claim still loads, with an
`Anchor(arxiv_id=None, error=...)` that the anchor checks report as `malformed`. The reading itself is
claims_reader.py's, the schema claims_schema.py's, durations durations.py's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from freshness.claims_reader import ClaimsReader
from freshness.errors import ClaimsError, Problem
from freshness.models import CitationSettings, Claim


@dataclass(frozen=True)
class ClaimsFile:
    """What one read of a claims file found: the claims (empty if any hard problem) and every problem."""

    claims: tuple[Claim, ...]
    problems: tuple[Problem, ...]  # hard and anchor-syntax problems, sorted by line and column
    hard: bool  # True when the claims could not be loaded
    citations: CitationSettings | None = None  # the top-level `citations:` setting (None: off)

    @property
    def anchor_count(self) -> int:
        return sum(len(c.anchors) for c in self.claims)


def read_claims(path: Path, *, today: dt.date | None = None) -> ClaimsFile:
    """Read and validate `path`; never raises for bad input (everything becomes a Problem)."""
    reader = ClaimsReader(path, today or dt.date.today())
    claims = reader.read()
    problems = sorted({*reader.hard, *reader.soft}, key=lambda p: (p.line, p.col, p.message))
    hard = bool(reader.hard)
    return ClaimsFile(
        claims=() if hard else tuple(claims),
        problems=tuple(problems),
        hard=hard,
        citations=None if hard else reader.citations,
    )


def load_claims(path: Path, *, today: dt.date | None = None) -> list[Claim]:
    """The claims in `path`; raise ClaimsError (with every problem) if the file has any hard problem.

    Malformed anchor ids are not hard: those claims load with `Anchor(arxiv_id=None, error=...)`.
    """
    result = read_claims(path, today=today)
    if result.hard:
        raise ClaimsError(list(result.problems))
    return list(result.claims)


def load_claims_file(path: Path, *, today: dt.date | None = None) -> ClaimsFile:
    """`read_claims`, raising ClaimsError (with every problem) if the file has any hard problem: the
    claims and the file's settings (`citations:`)."""
    result = read_claims(path, today=today)
    if result.hard:
        raise ClaimsError(list(result.problems))
    return result
