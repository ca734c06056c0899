"""Reading one HTTP response body within a deadline and a size cap (docs/reliability.md).

The body is read in chunks straight from the socket, each read bounded by the time left, and refused
once it passes the cap, before or after gzip decompression: a compressed body is inflated chunk by
chunk, so a small gzip bomb never inflates whole. A body cut short (by its Content-Length or its gzip
stream) is a broken connection, retried like one.
"""

from __future__ import annotations

import http.client
import socket
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests
import urllib3

from freshness.errors import SourceUnavailable

_CHUNK = 64 * 1024
_COMPRESSED = ("gzip", "x-gzip", "deflate")


class ResponseTooLarge(SourceUnavailable):
    """A response (or what it inflates to) passed the size cap."""

    tip = (
        "arXiv (or whatever answered) sent far more than a feed page holds; if that is genuine, "
        "raise FRESHNESS_MAX_RESPONSE_BYTES."
    )


class ReadTimedOut(Exception):
    """A response that did not finish within its wall-clock budget (retried like a timeout)."""


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name`, whatever its case in `headers`."""
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def read_body(
    resp: requests.Response,
    *,
    url: str,
    deadline: float,
    cap: int,
    read_timeout: float,
    clock: Callable[[], float],
    check_stop: Callable[[], None],
) -> bytes:
    """The body of `resp` (opened with `stream=True`), read by `deadline` on `clock` and at most `cap`
    bytes before and after inflating. `check_stop` runs before each read. Raises ResponseTooLarge,
    ReadTimedOut, and requests' ConnectionError or ContentDecodingError for a cut or corrupt body."""
    declared = header(resp.headers, "Content-Length")
    length = int(declared) if declared and declared.strip().isdigit() else None
    if length is not None and length > cap:
        raise ResponseTooLarge(f"{url} announced a body of {length:,} bytes, over the cap of {cap:,}")
    encoding = (header(resp.headers, "Content-Encoding") or "identity").strip().lower()
    if encoding not in (*_COMPRESSED, "identity", ""):
        raise SourceUnavailable(f"{url} sent a body in an encoding it was not offered: {encoding!r}")
    body = _Body(url, cap, encoding if encoding in _COMPRESSED else None)
    received = 0
    for chunk in _chunks(resp, url, deadline, read_timeout, clock, check_stop):
        received += len(chunk)
        if received > cap:
            raise ResponseTooLarge(f"{url} sent more than {cap:,} bytes (the cap); the rest was not read")
        body.add(chunk, received)
    if length is not None and received < length:
        # http.client's read1 ends quietly at a closed connection; the length says it was cut.
        raise requests.exceptions.ConnectionError(
            f"the body of {url} was cut off after {received:,} of {length:,} bytes"
        )
    return body.finish()


def _chunks(
    resp: requests.Response,
    url: str,
    deadline: float,
    read_timeout: float,
    clock: Callable[[], float],
    check_stop: Callable[[], None],
) -> Iterator[bytes]:
    """The body's raw (still compressed) chunks as they arrive, each read bounded by the time left."""
    raw = resp.raw
    fp: Any = getattr(raw, "_fp", None)
    sock = _socket_of(fp)
    received = 0
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            raise ReadTimedOut(
                f"timed out: {url} was still sending after {read_timeout:g} s ({received:,} bytes so far)"
            )
        check_stop()
        if sock is not None:
            sock.settimeout(min(read_timeout, remaining))
        try:
            chunk = fp.read1(_CHUNK) if fp is not None else raw.read(_CHUNK, decode_content=False)
        except TimeoutError as exc:  # socket.timeout is TimeoutError since Python 3.10
            raise ReadTimedOut(f"timed out reading {url} ({received:,} bytes received)") from exc
        except (http.client.HTTPException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise requests.exceptions.ConnectionError(f"the body of {url} was cut off: {exc}") from exc
        if not chunk:
            return
        received += len(chunk)
        yield chunk


class _Body:
    """The body's bytes as they arrive: kept as they are, or inflated under the cap (`encoding`)."""

    def __init__(self, url: str, cap: int, encoding: str | None) -> None:
        self.url = url
        self.cap = cap
        self.encoding = encoding
        # wbits=47: a gzip or a zlib header, detected.
        self.inflater: Any = None if encoding is None else zlib.decompressobj(wbits=47)
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes, received: int) -> None:
        """Keep `chunk`, the last of `received` bytes read so far."""
        if self.inflater is None:
            self.parts.append(chunk)
            self.size += len(chunk)
            return
        data = chunk
        while data:
            try:
                out = self.inflater.decompress(data, self.cap - self.size + 1)
            except zlib.error as exc:
                raise requests.exceptions.ContentDecodingError(
                    f"{self.url}: bad {self.encoding} body: {exc}"
                ) from exc
            self.size += len(out)
            if self.size > self.cap:
                raise ResponseTooLarge(
                    f"{self.url} inflates to more than {self.cap:,} bytes (the cap) from {received:,} "
                    f"{self.encoding} bytes; the rest was not inflated"
                )
            self.parts.append(out)
            data = self.inflater.unconsumed_tail

    def finish(self) -> bytes:
        """The whole body; a compressed stream that did not reach its end was cut off."""
        if self.inflater is not None:
            if not self.inflater.eof:
                raise requests.exceptions.ConnectionError(
                    f"the {self.encoding} body of {self.url} was cut off"
                )
            tail = self.inflater.flush()
            self.size += len(tail)
            if self.size > self.cap:
                raise ResponseTooLarge(f"{self.url} inflates to more than {self.cap:,} bytes (the cap)")
            self.parts.append(tail)
        return b"".join(self.parts)


def _socket_of(fp: Any) -> socket.socket | None:
    """The socket under an http.client response, to bound each read by the time left. Private
    attributes of http.client and socket.SocketIO; without them each read is bounded by
    `read_timeout` alone."""
    sock = getattr(getattr(getattr(fp, "fp", None), "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None
