"""Polite HTTP to arXiv, by construction: one request at a time, >= 3 s apart across every source
and every freshness process sharing a store, a real User-Agent, timeouts, backoff that honours
Retry-After, and a cap on the total time.

arXiv's terms of use: "make no more than one request every three seconds, and limit requests to a
single connection at a time" (all machines combined). The `arxiv` package has no timeout and a fixed
delay with no backoff, so its requests are routed through `PoliteSession` too.
"""

from __future__ import annotations

import contextlib
import email.utils
import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from freshness.config import Settings
from freshness.errors import SourceUnavailable

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Response:
    """What a successful exchange returned (any status the caller must judge itself)."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


class RateLimiter:
    """At most one request per `delay` seconds, one at a time, across processes.

    The slot is a `flock` on `lock_path` (beside the store), which also holds the time of the last
    request, so a second freshness process waits its turn instead of doubling the rate.
    """

    def __init__(
        self,
        delay: float,
        lock_path: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.delay = delay
        self.lock_path = lock_path
        self.clock = clock
        self.sleep = sleep
        self._last = 0.0
        self.request_times: list[float] = []  # when each slot was entered, by `clock`

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for this process's and every other process's last request to be `delay` old, then
        hold the slot (no one else may request) until the block ends."""
        fd = self._open_lock()
        try:
            last = max(self._last, _read_stamp(fd))
            wait = last + self.delay - self.clock()
            if wait > 0:
                self.sleep(wait)
            self.request_times.append(self.clock())
            try:
                yield
            finally:
                self._last = self.clock()
                _write_stamp(fd, self._last)
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _open_lock(self) -> int | None:
        if self.lock_path is None:
            return None
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd


def _read_stamp(fd: int | None) -> float:
    if fd is None:
        return 0.0
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 64).decode("ascii", "replace").strip()
    try:
        return float(raw) if raw else 0.0
    except ValueError:
        return 0.0


def _write_stamp(fd: int | None, when: float) -> None:
    if fd is None:
        return
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, f"{when:.6f}\n".encode("ascii"))


@dataclass
class RequestLog:
    """Every request made, for `--dry-run` estimates, tests and benchmarks."""

    urls: list[str] = field(default_factory=list)


class PoliteSession:
    """GET with a User-Agent, timeouts, retries with exponential backoff (honouring Retry-After on
    429/503), through one shared RateLimiter, within a total time budget."""

    def __init__(
        self,
        *,
        user_agent: str,
        limiter: RateLimiter,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_retries: int = 4,
        backoff: float = 15.0,
        max_backoff: float = 600.0,
        max_total: float = 1800.0,
    ) -> None:
        self.user_agent = user_agent
        self.limiter = limiter
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.deadline = limiter.clock() + max_total
        self.log = RequestLog()
        self._session = requests.Session()
        # One connection, no pool: arXiv asks for a single connection at a time.
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers["User-Agent"] = user_agent

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        """GET `url`; retry 429/5xx and network errors; raise SourceUnavailable when out of tries
        or time, or (with `max_bytes`) when the body is larger. Any other status (200, 304, 400,
        404) is returned for the caller to judge."""
        problem = "no attempt made"
        for attempt in range(self.max_retries + 1):
            if self.limiter.clock() >= self.deadline:
                raise SourceUnavailable(f"gave up on {url}: the poll's time budget is spent ({problem})")
            retry_after: float | None = None
            try:
                with self.limiter.slot():
                    resp = self._session.get(
                        url,
                        params=params,
                        headers=dict(headers or {}),
                        timeout=self.timeout,
                        stream=max_bytes is not None,
                    )
                    # read inside the slot: the connection is busy until then
                    body = resp.content if max_bytes is None else _read_at_most(resp, max_bytes)
                self.log.urls.append(resp.url)
            except requests.exceptions.Timeout as exc:
                problem = f"timed out ({exc.__class__.__name__})"
            except requests.exceptions.RequestException as exc:
                problem = f"could not connect ({exc.__class__.__name__}: {_short(exc)})"
            else:
                if resp.status_code not in RETRY_STATUSES:
                    return Response(resp.url, resp.status_code, dict(resp.headers), body)
                problem = f"HTTP {resp.status_code}"
                retry_after = parse_retry_after(resp.headers.get("Retry-After"), now=self.limiter.clock())
            if attempt == self.max_retries:
                break
            wait = min(self.max_backoff, self.backoff * 2**attempt)
            if retry_after is not None:
                wait = max(wait, retry_after) if retry_after <= self.max_backoff else retry_after
            if self.limiter.clock() + wait >= self.deadline:
                raise SourceUnavailable(
                    f"gave up on {url}: {problem}, and waiting {wait:.0f} s more would pass the "
                    "poll's time budget"
                )
            log.warning(
                "%s: %s; retrying in %.0f s (try %d of %d)",
                url,
                problem,
                wait,
                attempt + 2,
                self.max_retries + 1,
            )
            self.limiter.sleep(wait)
        raise SourceUnavailable(f"{url}: {problem} after {self.max_retries + 1} tries")

    def as_requests_session(self) -> requests.Session:
        """A requests.Session whose GETs go through this polite session (for the `arxiv` package,
        which has no timeout of its own: arxiv 4.0.2 passes timeout=None to requests)."""
        return _Bridge(self)


class _Bridge(requests.Session):
    def __init__(self, polite: PoliteSession) -> None:
        super().__init__()
        self._polite = polite

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:
        # The arxiv package sets its own "arxiv.py/x" User-Agent; ours (with a contact) replaces it.
        got = self._polite.get(str(url), params=kwargs.get("params"))
        resp = requests.Response()
        resp.status_code = got.status
        resp._content = got.body
        resp.headers.update(got.headers)
        resp.url = got.url
        return resp


def _read_at_most(resp: requests.Response, max_bytes: int) -> bytes:
    """The body, or SourceUnavailable once it passes `max_bytes` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in resp.iter_content(65536):
            size += len(chunk)
            if size > max_bytes:
                raise SourceUnavailable(f"{resp.url}: the answer is larger than {max_bytes} bytes")
            chunks.append(chunk)
    finally:
        resp.close()
    return b"".join(chunks)


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) < 160 else text[:157] + "..."


def polite_session(settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> PoliteSession:
    """The one way sources get an HTTP session: spacing shared through a lock file beside the store."""
    limiter = RateLimiter(
        settings.request_delay,
        settings.db_path.parent / (settings.db_path.name + ".arxiv-lock"),
        sleep=sleep,
    )
    return PoliteSession(
        user_agent=settings.user_agent,
        limiter=limiter,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_total=settings.max_poll_seconds,
    )
