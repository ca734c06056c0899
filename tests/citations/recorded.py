"""The recorded citation-API responses in ../shared/data/citations/ (read at test time, never copied),
and a loopback session for the citation services (fake clock: nothing sleeps)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import yaml

from freshness.http import PoliteSession
from freshness.pacing import RateLimiter
from tests.conftest import FakeClock, shared_path
from tests.fakearxiv import Reply

JSON_CT = (("Content-Type", "application/json"),)


def s2_file(name: str) -> Path:
    return shared_path("data", "citations", "semanticscholar-danielnsilva", name)


def cassette_bodies(path: Path) -> list[tuple[str, int, str]]:
    """(request uri, status, body text) of each interaction of a vcrpy cassette."""
    data = yaml.safe_load(path.read_text())
    out = []
    for it in data["interactions"]:
        resp = it["response"]
        status = resp.get("status_code") or resp["status"]["code"]
        body: Any = resp.get("content")
        if body is None:
            body = resp["body"]["string"]
        if isinstance(body, bytes):
            body = gzip.decompress(body).decode() if body[:2] == b"\x1f\x8b" else body.decode()
        out.append((it["request"]["uri"], int(status), body))
    return out


def s2_citation_pages() -> dict[int, str]:
    """The 19 recorded pages of /paper/CorpusID:14514057/citations, by offset."""
    pages = {}
    for _, status, body in cassette_bodies(s2_file("test_get_paper_citations.yaml")):
        assert status == 200
        pages[json.loads(body)["offset"]] = body
    return pages


def s2_embedded_citations() -> list[dict[str, Any]]:
    """Paper.json's 1,000 embedded citing papers (real records, 243 with externalIds.ArXiv)."""
    records: list[dict[str, Any]] = json.loads(s2_file("Paper.json").read_text())["citations"]
    return records


def s2_citation_item() -> dict[str, Any]:
    """Citation.json: one /citations element with contexts, intents, isInfluential."""
    item: dict[str, Any] = json.loads(s2_file("Citation.json").read_text())
    return item


def openalex_response(name: str) -> dict[str, Any]:
    path = shared_path("data", "citations", "openalex-responses", name)
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def openalex_work() -> dict[str, Any]:
    path = shared_path("data", "citations", "openalex-python", "W2741809807.json")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def reply(body: str | bytes | dict[str, Any] | list[Any], status: int = 200, **headers: str) -> Reply:
    raw = (
        body
        if isinstance(body, bytes)
        else body.encode()
        if isinstance(body, str)
        else json.dumps(body).encode()
    )
    return Reply(status, raw, JSON_CT + tuple(headers.items()))


def session(clock: FakeClock, *, delay: float = 1.0, max_retries: int = 3) -> PoliteSession:
    return PoliteSession(
        user_agent="freshness/test (+mailto:curator@example.org)",
        limiter=RateLimiter(delay, None, clock=clock, sleep=clock.sleep),
        max_retries=max_retries,
        backoff=5.0,
        max_backoff=120.0,
        max_total=600.0,
    )
