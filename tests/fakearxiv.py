"""A loopback server that speaks arXiv's wire formats, with faults on purpose.

Routes answer from a handler (a function of the request) or from a queue of scripted replies, so a
test can say "429 with Retry-After: 7, then this real response". Builders render Atom (API), RSS 2.0
(rss.arxiv.org) and OAI-PMH (arXiv, arXivRaw) documents from `Paper` values in the layout of the real
captures in ../shared/data/arxiv/wire/.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from freshness.config import Settings
from freshness.models import Paper

# The real title of the paper the API source asks for in every id batch (sources.arxiv_api.CANARY_ID).
CANARY_TITLE = "Heat-bath random walks with Markov bases"


@dataclass(frozen=True)
class FakeRequest:
    at: float  # time.monotonic() when the request arrived
    path: str
    query: dict[str, str]  # last value of each parameter
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""  # what a POST sent


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/atom+xml; charset=utf-8"),)
    delay: float = 0.0  # seconds to wait before answering (to trip a client's read timeout)
    reset: bool = False  # close the connection without answering
    truncate_at: int | None = None  # send only this many body bytes, then close
    trickle: float = 0.0  # seconds between body bytes (a server that keeps a poll busy)
    endless: bool = False  # a chunked body that never ends (until the client hangs up)


Handler = Callable[[FakeRequest], Reply]


@dataclass
class Route:
    handler: Handler | None = None
    script: deque[Reply] = field(default_factory=deque)


class FakeArxiv:
    """Start with `with FakeArxiv() as fake:`; `fake.url("/api/query")` is the endpoint."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[FakeRequest] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- configuration ----------------------------------------------------------------------------

    def on(self, path: str, handler: Handler) -> None:
        """Answer every request to `path` with `handler(request)` (after any scripted replies)."""
        self.routes.setdefault(path, Route()).handler = handler

    def script(self, path: str, *replies: Reply) -> None:
        """Answer the next requests to `path` with these replies, in order."""
        self.routes.setdefault(path, Route()).script.extend(replies)

    def url(self, path: str) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def settings(self, claims_path: Path, db_path: Path, **fields: Any) -> Settings:
        """Settings with the three arXiv endpoints here; `fields` sets any other (request_delay ...)."""
        return Settings(
            claims_path=claims_path,
            db_path=db_path,
            api_url=self.url("/api/query"),
            rss_url=self.url("/rss"),
            oai_url=self.url("/oai"),
            **fields,
        )

    def env(self, **extra: str) -> dict[str, str]:
        """The environment that points the CLI's three arXiv endpoints here, with no delay between
        requests (allowed: every endpoint is loopback); `extra` adds or overrides variables."""
        return {
            "FRESHNESS_ARXIV_RSS_URL": self.url("/rss"),
            "FRESHNESS_ARXIV_OAI_URL": self.url("/oai"),
            "FRESHNESS_ARXIV_API_URL": self.url("/api/query"),
            "FRESHNESS_REQUEST_DELAY": "0",
            **extra,
        }

    def requests_to(self, path: str) -> list[FakeRequest]:
        return [r for r in self.requests if r.path == path]

    # -- lifecycle ----------------------------------------------------------------------------------

    def __enter__(self) -> FakeArxiv:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._answer("GET", b"")

            def do_POST(self) -> None:
                # Semantic Scholar's /paper/batch: the ids travel in a JSON body.
                length = int(self.headers.get("Content-Length") or 0)
                self._answer("POST", self.rfile.read(length) if length else b"")

            def _answer(self, method: str, sent: bytes) -> None:
                parts = urlsplit(self.path)
                req = FakeRequest(
                    at=time.monotonic(),
                    path=parts.path,
                    query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                    headers={k: v for k, v in self.headers.items()},
                    method=method,
                    body=sent,
                )
                with fake._lock:
                    fake.requests.append(req)
                    reply = fake._reply_for(req)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.reset:
                    # RST instead of FIN: SO_LINGER with a zero timeout.
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    self.close_connection = True
                    return
                body = reply.body
                if reply.trickle or reply.endless:
                    self._send_slowly(reply)
                    return
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                if reply.truncate_at is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                if reply.truncate_at is not None:
                    self.wfile.write(body[: reply.truncate_at])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def _send_slowly(self, reply: Reply) -> None:
                """Headers at once, then the body a byte at a time (`trickle`) or forever
                (`endless`), until the client hangs up; bounded at 120 s so no test can hang on it."""
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                if reply.endless:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.close_connection = True
                until = time.monotonic() + 120
                try:
                    if reply.endless:
                        chunk = reply.body or b"<feed>" + b" " * 65536
                        while time.monotonic() < until:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                            if reply.trickle:
                                self.wfile.flush()
                                time.sleep(reply.trickle)
                        return
                    for i in range(len(reply.body)):
                        if time.monotonic() >= until:
                            return
                        self.wfile.write(reply.body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(reply.trickle)
                except OSError:
                    return  # the client gave up: what the test wants

            def log_message(self, format: str, *args: object) -> None:
                pass

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that hung up (timeout tests) is expected, not noise

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _reply_for(self, req: FakeRequest) -> Reply:
        route = self.routes.get(req.path)
        if route is None:
            return Reply(404, b"not found", (("Content-Type", "text/plain"),))
        if route.script:
            return route.script.popleft()
        if route.handler is not None:
            return route.handler(req)
        return Reply(500, b"no more scripted replies", (("Content-Type", "text/plain"),))


@contextmanager
def fake_arxiv() -> Iterator[FakeArxiv]:
    with FakeArxiv() as fake:
        yield fake


# -- canned faults -------------------------------------------------------------------------------

HTML_MAINTENANCE = (
    b"<!DOCTYPE html><html><head><title>arXiv is down for maintenance</title></head>"
    b"<body><h1>We are down for maintenance</h1><p>Please try again later.</p></body></html>"
)


def too_many_requests(retry_after: str = "7") -> Reply:
    return Reply(429, b"Rate exceeded.", (("Content-Type", "text/plain"), ("Retry-After", retry_after)))


def unavailable(retry_after: str = "10") -> Reply:
    return Reply(
        503,
        b"<html><body>Retry after 10 seconds</body></html>",
        (("Content-Type", "text/html"), ("Retry-After", retry_after)),
    )


def redirect(to: str, status: int = 302) -> Reply:
    """A redirect to `to` (a loop when it points back at its own path)."""
    return Reply(status, b"", (("Location", to), ("Content-Type", "text/plain")))


def gzip_bomb(inflated: int) -> Reply:
    """A small gzip body that inflates to `inflated` bytes (zeros), served as Content-Encoding: gzip."""
    import gzip

    body = gzip.compress(b"\0" * inflated, compresslevel=9)
    return Reply(200, body, (("Content-Type", "application/rss+xml"), ("Content-Encoding", "gzip")))


def html_page() -> Reply:
    return Reply(200, HTML_MAINTENANCE, (("Content-Type", "text/html; charset=utf-8"),))


# -- wire-format builders ------------------------------------------------------------------------

ATOM_CT = (("Content-Type", "application/atom+xml; charset=utf-8"),)
RSS_CT = (("Content-Type", "application/rss+xml; charset=utf-8"),)
XML_CT = (("Content-Type", "text/xml; charset=utf-8"),)


def _ts(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def atom_feed(
    papers: Sequence[Paper],
    *,
    total_results: int | None = None,
    start: int = 0,
    items_per_page: int | None = None,
) -> bytes:
    """An API response (export.arxiv.org/api/query) in the 2026 layout."""
    entries = []
    for p in papers:
        authors = "".join(f"\n    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in p.authors)
        cats = "".join(
            f'\n    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
            for c in p.categories
        )
        extra = ""
        if p.comments:
            extra += f"\n    <arxiv:comment>{escape(p.comments)}</arxiv:comment>"
        if p.journal_ref:
            extra += f"\n    <arxiv:journal_ref>{escape(p.journal_ref)}</arxiv:journal_ref>"
        if p.doi:
            extra += f"\n    <arxiv:doi>{escape(p.doi)}</arxiv:doi>"
        vid = f"{p.arxiv_id}v{p.version}"
        entries.append(
            f"""  <entry>
    <id>http://arxiv.org/abs/{vid}</id>
    <title>{escape(p.title)}</title>
    <updated>{_ts(p.updated)}</updated>
    <link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/{vid}" rel="related" type="application/pdf" title="pdf"/>
    <summary>{escape(p.abstract)}</summary>{cats}
    <published>{_ts(p.published)}</published>{extra}
    <arxiv:primary_category term={quoteattr(p.categories[0] if p.categories else "cs.AI")}/>{authors}
  </entry>
"""
        )
    total = len(papers) if total_results is None else total_results
    per_page = len(papers) if items_per_page is None else items_per_page
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/fake</id>\n"
        "  <title>arXiv Query: fake</title>\n"
        "  <updated>2026-11-26T00:00:00Z</updated>\n"
        f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n" + "".join(entries) + "</feed>\n"
    ).encode()


def rss_feed(
    items: Iterable[tuple[Paper, str]],
    *,
    announced: dt.date,
    categories: str = "cs.CL",
) -> bytes:
    """An rss.arxiv.org RSS 2.0 feed: (paper, announce_type) items, announced on `announced`."""
    et = dt.timezone(dt.timedelta(hours=-5))
    pub = format_datetime(dt.datetime.combine(announced, dt.time(0, 0), tzinfo=et))
    out = []
    for p, kind in items:
        cats = "".join(f"\n      <category>{escape(c)}</category>" for c in p.categories)
        extra = ""
        if p.doi:
            extra += f"\n      <arxiv:DOI>{escape(p.doi)}</arxiv:DOI>"
        if p.journal_ref:
            extra += f"\n      <arxiv:journal_reference>{escape(p.journal_ref)}</arxiv:journal_reference>"
        out.append(
            f"""    <item>
      <title>{escape(p.title)}</title>
      <link>https://arxiv.org/abs/{p.arxiv_id}</link>
      <description>{escape(f"arXiv:{p.arxiv_id}v{p.version} Announce Type: {kind} ")}
{escape("Abstract: " + p.abstract)}</description>
      <guid isPermaLink="false">oai:arXiv.org:{p.arxiv_id}v{p.version}</guid>{cats}
      <pubDate>{pub}</pubDate>
      <arxiv:announce_type>{kind}</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>{escape(", ".join(p.authors))}</dc:creator>{extra}
    </item>
"""
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n'
        "  <channel>\n"
        f"    <title>{escape(categories)} updates on arXiv.org</title>\n"
        f"    <link>http://rss.arxiv.org/rss/{escape(categories)}</link>\n"
        f"    <description>{escape(categories)} updates on the arXiv.org e-print archive.</description>\n"
        "    <docs>http://www.rssboard.org/rss-specification</docs>\n"
        "    <language>en-us</language>\n"
        f"    <lastBuildDate>{pub}</lastBuildDate>\n"
        "    <managingEditor>rss-help@arxiv.org</managingEditor>\n"
        f"    <pubDate>{pub}</pubDate>\n"
        "    <skipDays>\n      <day>Saturday</day>\n      <day>Sunday</day>\n    </skipDays>\n"
        + "".join(out)
        + "  </channel>\n</rss>\n"
    ).encode()


def _oai_envelope(inner: str, request_attrs: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
        'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
        "  <responseDate>2026-11-26T23:02:06Z</responseDate>\n"
        f"  <request {request_attrs}>https://oaipmh.arxiv.org/oai</request>\n" + inner + "</OAI-PMH>\n"
    ).encode()


def oai_get_record(record: bytes) -> bytes:
    """A bare arXivRaw <record> (a rendered sample, its comments dropped, or one built by a test) inside
    an OAI-PMH GetRecord response."""
    record = re.sub(rb"<!--.*?-->", b"", record, flags=re.S).strip()
    inner = "  <GetRecord>\n" + record.decode("utf-8") + "\n  </GetRecord>\n"
    return _oai_envelope(inner, 'verb="GetRecord" metadataPrefix="arXivRaw"')


def oai_error(code: str, message: str = "") -> bytes:
    """An OAI-PMH error, which arXiv (like the protocol) returns with HTTP 200."""
    return _oai_envelope(f"  <error code='{code}'>{escape(message or code)}</error>\n", 'verb="ListRecords"')


def _comments_and_doi(p: Paper) -> str:
    """The <comments> and <doi> lines both OAI metadata formats write for a paper that has them."""
    extra = ""
    if p.comments:
        extra += f"    <comments>{escape(p.comments)}</comments>\n"
    if p.doi:
        extra += f"    <doi>{escape(p.doi)}</doi>\n"
    return extra


def _raw_record(p: Paper, withdrawn_versions: frozenset[int]) -> str:
    versions = []
    for v in p.versions or ():
        date = format_datetime(dt.datetime.combine(v.date, dt.time(12, 0), tzinfo=dt.UTC), usegmt=True)
        if v.number in withdrawn_versions:
            versions.append(
                f'    <version version="v{v.number}">\n      <date>{date}</date>\n'
                "      <size>0kb</size>\n      <source_type>I</source_type>\n    </version>\n"
            )
        else:
            versions.append(
                f'    <version version="v{v.number}">\n      <date>{date}</date>\n'
                "      <size>120kb</size>\n      <source_type>D</source_type>\n    </version>\n"
            )
    extra = _comments_and_doi(p)
    return (
        '  <arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://arxiv.org/OAI/arXivRaw/ https://oaipmh.arxiv.org/OAI/arXivRaw.xsd">\n'
        f"    <id>{p.arxiv_id}</id>\n"
        "    <submitter>Test Submitter</submitter>\n"
        + "".join(versions)
        + f"    <title>{escape(p.title)}</title>\n"
        f"    <authors>{escape(', '.join(p.authors))}</authors>\n"
        f"    <categories>{escape(' '.join(p.categories))}</categories>\n"
        + extra
        + "    <license>http://creativecommons.org/licenses/by/4.0/</license>\n"
        f"    <abstract>{escape(p.abstract)}</abstract>\n"
        "  </arXivRaw>\n"
    )


def _arxiv_record(p: Paper) -> str:
    authors = []
    for name in p.authors:
        forenames, _, keyname = name.rpartition(" ")
        fore = f"<forenames>{escape(forenames)}</forenames>" if forenames else ""
        authors.append(f"<author><keyname>{escape(keyname)}</keyname>{fore}</author>")
    updated = f"    <updated>{p.updated.isoformat()}</updated>\n" if p.updated != p.published else ""
    extra = _comments_and_doi(p)
    return (
        '  <arXiv xmlns="http://arxiv.org/OAI/arXiv/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://arxiv.org/OAI/arXiv/ https://oaipmh.arxiv.org/OAI/arXiv.xsd">\n'
        f"    <id>{p.arxiv_id}</id>\n"
        f"    <created>{p.published.isoformat()}</created>\n"
        + updated
        + "    <authors>"
        + "".join(authors)
        + "</authors>\n"
        f"    <title>{escape(p.title)}</title>\n"
        f"    <categories>{escape(' '.join(p.categories))}</categories>\n"
        + extra
        + "    <license>http://creativecommons.org/licenses/by/4.0/</license>\n"
        f"    <abstract>{escape(p.abstract)}</abstract>\n"
        "  </arXiv>\n"
    )


def oai_list_records(
    papers: Sequence[Paper],
    *,
    metadata_prefix: str = "arXivRaw",
    resumption_token: str | None = None,
    complete_list_size: int | None = None,
    cursor: int = 0,
    withdrawn: dict[str, frozenset[int]] | None = None,
) -> bytes:
    """A ListRecords page. `resumption_token=None` renders the final page's empty token."""
    withdrawn = withdrawn or {}
    records = []
    for p in papers:
        meta = (
            _raw_record(p, withdrawn.get(p.arxiv_id, frozenset()))
            if metadata_prefix == "arXivRaw"
            else _arxiv_record(p)
        )
        set_spec = (p.categories[0] if p.categories else "cs.AI").split(".")[0]
        records.append(
            "    <record>\n      <header>\n"
            f"        <identifier>oai:arXiv.org:{p.arxiv_id}</identifier>\n"
            f"        <datestamp>{p.updated.isoformat()}</datestamp>\n"
            f"        <setSpec>{set_spec}</setSpec>\n"
            "      </header>\n      <metadata>\n" + meta + "      </metadata>\n    </record>\n"
        )
    size = complete_list_size if complete_list_size is not None else len(papers)
    if resumption_token:
        token = (
            f"    <resumptionToken expirationDate='2026-11-27T00:00:00Z' completeListSize='{size}' "
            f"cursor='{cursor}'>{escape(resumption_token)}</resumptionToken>\n"
        )
    else:
        token = "    <resumptionToken/>\n"
    inner = "  <ListRecords>\n" + "".join(records) + token + "  </ListRecords>\n"
    return _oai_envelope(inner, f'verb="ListRecords" metadataPrefix="{metadata_prefix}"')
