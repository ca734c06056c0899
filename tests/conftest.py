"""Shared fixtures: a temporary store, a fixed `now`, a paper factory, and the shared-data locator."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from freshness.models import Paper, PaperVersion
from freshness.store import Store

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
NOW = dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)


def shared_path(*parts: str) -> Path:
    """A file under ../shared/; skip the test when it is absent, but fail under CI=true."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"needs the shared arXiv data at {path} (present beside the project in CI)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI=true, so its absence is an error")
        pytest.skip(reason)
    return path


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store.sqlite") as s:
        yield s


def make_paper(arxiv_id: str = "2501.00001", **fields: Any) -> Paper:
    """A small, valid Paper; any field may be overridden."""
    published = fields.pop("published", dt.date(2025, 1, 2))
    version = fields.pop("version", 1)
    updated = fields.pop("updated", published)
    values: dict[str, Any] = {
        "arxiv_id": arxiv_id,
        "version": version,
        "title": "A study of something",
        "abstract": "We study something and find a result.",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "categories": ("cs.CL", "cs.AI"),
        "published": published,
        "updated": updated,
        "versions": (PaperVersion(1, published),)
        + ((PaperVersion(version, updated),) if version > 1 else ()),
    }
    values.update(fields)
    return Paper(**values)


def cover(
    store: Store,
    first: dt.date,
    last: dt.date,
    categories: tuple[str, ...] = ("cs.AI", "cs.CL", "cs.LG"),
    *,
    source: str = "test",
) -> None:
    """Record that the store fetched every listing of `categories` from `first` to `last`: what a
    snapshot import or a poll records (freshness/coverage.py)."""
    store.add_coverage(categories, first, last, source=source, now=NOW)


@pytest.fixture
def paper_factory() -> Callable[..., Paper]:
    return make_paper
