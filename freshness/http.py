"""Polite HTTP to arXiv, by construction: one request at a time, >= 3 s apart across every source
and every freshness process sharing a store, a real User-Agent, timeouts, backoff that honours
Retry-After, and a cap on the total time.

arXiv's terms of use: "make no more than one request every three seconds, and limit requests to a
single connection at a time" (all machines combined): the pacing shared between processes is
pacing.py's `RateLimiter`. The `arxiv` package has no timeout and a fixed delay with no backoff, so its
requests are routed through `PoliteSession` too.

Bounds that hold whatever the server does (docs/reliability.md):
- time: one response may take at most `read_timeout` seconds from request to last byte, enforced
  while reading (a body trickled one byte a second, or one that never ends, is cut there), and never
  past the poll's own deadline (`max_total`), which also bounds retries, backoff and pacing;
- memory: a body is read in chunks and refused once it passes `max_response_bytes`, before or after
  gzip decompression (a small gzip bomb inflates chunk by chunk, never whole: http_body.py);
- redirects: each hop is a request of its own, in its own rate-limit slot, at most `max_redirects`.
"""

from __future__ import annotations

import email.utils
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter

from freshness.config import DEFAULT_MAX_RESPONSE_BYTES, Settings
from freshness.errors import Interrupted, SourceUnavailable
from freshness.http_body import ReadTimedOut, ResponseTooLarge, header, read_body
from freshness.pacing import BudgetSpent, RateLimiter, pacing_path_for

__all__ = [
    "MAX_REDIRECTS",
    "REDIRECT_STATUSES",
    "RETRY_STATUSES",
    "PoliteSession",
    "RequestLog",
    "Response",
    "connect_problem",
    "parse_retry_after",
    "polite_session",
]

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Response:
    """What a successful exchange returned (any status the caller must judge itself)."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass
class RequestLog:
    """Every request made, for `--dry-run` estimates, tests and benchmarks."""

    urls: list[str] = field(default_factory=list)


class PoliteSession:
    """GET (and POST, for batch APIs) with a User-Agent, timeouts, retries with exponential backoff
    (honouring Retry-After on 429/503), through one shared RateLimiter, within a total time budget
    and a size cap."""

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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        stop: threading.Event | None = None,
        wall_clock: Callable[[], float] = time.monotonic,
        unreachable_tip: str | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.unreachable_tip = unreachable_tip  # what to check when a host cannot be reached at all
        self.limiter = limiter
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.deadline = limiter.clock() + max_total
        self.max_response_bytes = max_response_bytes
        self.max_redirects = max_redirects
        self.stop = stop
        # Reading happens in real time whatever `limiter.clock` is (tests pass a fake one).
        self.wall_clock = wall_clock
        self.wall_deadline = wall_clock() + max_total
        self.log = RequestLog()
        self._session = requests.Session()
        # One connection, no pool: arXiv asks for a single connection at a time.
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers["User-Agent"] = user_agent
        # Only what `http_body.read_body` can inflate under a cap (requests would also offer br and zstd).
        self._session.headers["Accept-Encoding"] = "gzip"

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
        return self._request("GET", url, params, headers, max_bytes, None)

    def post(
        self,
        url: str,
        *,
        body: bytes,
        content_type: str = "application/json",
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        """POST `body` to `url` (a batch lookup: one request for many ids), with everything GET has:
        the same pacing slot, budget, size cap, retries and Retry-After. A retried POST resends the
        same body, so use it only for requests that change nothing (lookups)."""
        merged = {"Content-Type": content_type, **dict(headers or {})}
        return self._request("POST", url, params, merged, max_bytes, body)

    def _request(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        max_bytes: int | None,
        body: bytes | None,
    ) -> Response:
        problem = "no attempt made"
        unreachable = False  # the last try could not connect at all (not an HTTP answer)
        for attempt in range(self.max_retries + 1):
            self._check_stop()
            if self._past_deadline():
                raise BudgetSpent(f"gave up on {url}: the poll's time budget is spent ({problem})")
            retry_after: float | None = None
            resp, problem, unreachable = self._attempt(method, url, params, headers, body)
            if resp is not None:
                if max_bytes is not None and len(resp.body) > max_bytes:
                    raise ResponseTooLarge(f"{resp.url}: the answer is larger than {max_bytes:,} bytes")
                if resp.status not in RETRY_STATUSES:
                    return resp
                problem = f"HTTP {resp.status}"
                retry_after = parse_retry_after(header(resp.headers, "Retry-After"), now=self.limiter.clock())
            if attempt == self.max_retries:
                break
            self._back_off(url, attempt, problem, retry_after)
        raise SourceUnavailable(
            f"{url}: {problem} after {self.max_retries + 1} tries",
            tip=self.unreachable_tip if unreachable else None,
        )

    def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        body: bytes | None,
    ) -> tuple[Response | None, str, bool]:
        """One try: the response, or None with what went wrong and whether the host could not be
        reached at all (no HTTP answer). Network trouble is returned, to be retried; the size cap,
        the budget and a redirect loop are raised."""
        try:
            return self._follow(method, url, params, headers, body), "", False
        except (ResponseTooLarge, BudgetSpent):
            raise
        except ReadTimedOut as exc:
            return None, str(exc), False
        except requests.exceptions.Timeout as exc:
            return None, f"timed out ({exc.__class__.__name__})", False
        except requests.exceptions.RequestException as exc:
            return None, f"could not connect: {connect_problem(exc)}", True
        except OSError as exc:  # a socket error while reading the body ourselves
            return None, f"the connection broke ({exc.__class__.__name__}: {_short(exc)})", False

    def _back_off(self, url: str, attempt: int, problem: str, retry_after: float | None) -> None:
        """Wait before the next try: exponential backoff, or longer when Retry-After asks (even past
        `max_backoff`); BudgetSpent instead when the wait would pass the poll's time budget."""
        wait = min(self.max_backoff, self.backoff * 2**attempt)
        if retry_after is not None:
            wait = max(wait, retry_after) if retry_after <= self.max_backoff else retry_after
        if self._past_deadline(wait):
            raise BudgetSpent(
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
        self._sleep(wait)

    def _past_deadline(self, wait: float = 0.0) -> bool:
        """Whether `wait` more seconds reach the poll's deadline, by the pacing clock or in real time."""
        return self.limiter.clock() + wait >= self.deadline or self.wall_clock() + wait >= self.wall_deadline

    def _follow(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        body: bytes | None,
    ) -> Response:
        """One exchange, following redirects hop by hop: each hop is a request of its own, paced
        like any other (a redirect loop cannot make 30 requests inside one slot). A POST keeps its
        method and body through 307/308 only; 301/302/303 turn it into a GET (RFC 9110 15.4)."""
        hops = 0
        current, current_params = url, params
        while True:
            resp = self._exchange(method, current, current_params, headers, body)
            location = header(resp.headers, "Location")
            if resp.status not in REDIRECT_STATUSES or not location:
                return resp
            hops += 1
            if hops > self.max_redirects:
                raise SourceUnavailable(f"{url}: more than {self.max_redirects} redirects (a redirect loop?)")
            current, current_params = urljoin(resp.url, location), None
            if method == "POST" and resp.status not in (307, 308):
                method, body = "GET", None
                headers = {k: v for k, v in (headers or {}).items() if k.lower() != "content-type"}
            log.info("%s redirected to %s", resp.url, current)
            self._check_stop()

    def _exchange(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        body: bytes | None = None,
    ) -> Response:
        with self.limiter.slot(deadline=self.deadline):
            self._check_stop()
            started = self.wall_clock()
            limit = min(started + self.connect_timeout + self.read_timeout, self.wall_deadline)
            if limit <= started:
                raise BudgetSpent(f"gave up on {url}: the poll's time budget is spent")
            read = max(0.001, min(self.read_timeout, limit - started))
            resp = self._session.request(
                method,
                url,
                params=params,
                data=body,
                headers=dict(headers or {}),
                timeout=(min(self.connect_timeout, read), read),
                stream=True,
                allow_redirects=False,
            )
            try:
                self.log.urls.append(resp.url)
                # Read inside the slot: the connection is busy until then.
                received = read_body(
                    resp,
                    url=resp.url,
                    deadline=limit,
                    cap=self.max_response_bytes,
                    read_timeout=self.read_timeout,
                    clock=self.wall_clock,
                    check_stop=self._check_stop,
                )
            finally:
                resp.close()
        return Response(resp.url, resp.status_code, dict(resp.headers), received)

    def _check_stop(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise Interrupted("stopped by a signal between two arXiv requests; what was stored is kept")

    def _sleep(self, seconds: float) -> None:
        self.limiter.sleep(seconds)
        self._check_stop()

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


def _short(exc: BaseException, limit: int = 160) -> str:
    """The exception's text on one line, cut at a word boundary (never mid-word) when long."""
    text = " ".join(str(exc).split())
    if len(text) <= limit:
        return text
    return text[: limit - 3].rsplit(" ", 1)[0].rstrip(" ,;:(") + "..."


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what it wraps: requests wraps urllib3's MaxRetryError, which wraps the
    NewConnectionError, which wraps the socket error that says what really happened."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend(a for a in e.args if isinstance(a, BaseException))
        for linked in (getattr(e, "reason", None), e.__cause__, e.__context__):
            if isinstance(linked, BaseException):
                todo.append(linked)


def connect_problem(exc: BaseException) -> str:
    """Why a request could not connect, in words (not urllib3's repr of its connection object)."""
    causes = list(_causes(exc))
    if any(isinstance(e, socket.gaierror) for e in causes):
        return "the host name does not resolve (no network or no DNS, or a wrong host in the URL)"
    if any(isinstance(e, requests.exceptions.ProxyError) for e in causes):
        return "the proxy could not be used (check HTTPS_PROXY / HTTP_PROXY)"
    if any(isinstance(e, requests.exceptions.SSLError) for e in causes):
        root = next((e for e in reversed(causes) if "ssl" in type(e).__module__.lower()), causes[-1])
        return f"the TLS handshake failed ({_short(root, 100)})"
    if any(isinstance(e, ConnectionRefusedError) for e in causes):
        return "the connection was refused (nothing listens at that host and port)"
    if any(isinstance(e, ConnectionResetError) for e in causes):
        return "the connection was reset by the other end"
    if any(isinstance(e, (TimeoutError, socket.timeout)) for e in causes):
        return "connecting timed out"
    os_error = next((e for e in reversed(causes) if isinstance(e, OSError) and e.strerror), None)
    if os_error is not None:
        return f"{os_error.strerror} ({type(os_error).__name__})"
    return f"{type(exc).__name__}: {_short(exc, 100)}"


def _waiter(stop: threading.Event) -> Callable[[float], None]:
    def wait(seconds: float) -> None:
        stop.wait(seconds)

    return wait


def polite_session(
    settings: Settings,
    *,
    sleep: Callable[[float], None] = time.sleep,
    stop: threading.Event | None = None,
) -> PoliteSession:
    """The one way sources get an HTTP session: spacing shared through a lock file beside the store.
    `stop`: once set, the session raises Interrupted before its next request (or during a wait)."""
    if stop is not None and sleep is time.sleep:
        sleep = _waiter(stop)  # a signal ends the wait at once, not after it
    limiter = RateLimiter(settings.request_delay, pacing_path_for(settings.db_path), sleep=sleep)
    return PoliteSession(
        user_agent=settings.user_agent,
        limiter=limiter,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_total=settings.max_poll_seconds,
        max_response_bytes=settings.max_response_bytes,
        stop=stop,
        unreachable_tip=(
            "Check the network (and HTTPS_PROXY if you use a proxy). freshness asks arXiv at "
            f"FRESHNESS_ARXIV_API_URL={settings.api_url}, FRESHNESS_ARXIV_RSS_URL={settings.rss_url} "
            f"and FRESHNESS_ARXIV_OAI_URL={settings.oai_url}: fix any of them that is set wrongly. "
            "What was stored is kept; the next run catches up."
        ),
    )
