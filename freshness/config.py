"""Settings: a flag beats a FRESHNESS_* environment variable, which beats the default."""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from freshness.errors import ConfigError

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_RSS_URL = "https://rss.arxiv.org/rss"
DEFAULT_OAI_URL = "https://oaipmh.arxiv.org/oai"
DEFAULT_CONTACT = "https://github.com/freshness-dev/freshness"
DEFAULT_S2_URL = "https://api.semanticscholar.org/graph/v1"
DEFAULT_OPENALEX_URL = "https://api.openalex.org"
# Semantic Scholar: 1 request per second is what a key grants (docs: "1 RPS on all endpoints"); without
# a key the shared pool rate-limits harder, so no faster. OpenAlex allows 10 per second; 1 is plenty.
CITATION_MIN_DELAY = 1.0
# arXiv's terms of use: "no more than one request every three seconds ... a single connection".
ARXIV_MIN_DELAY = 3.0
# The largest response (after gzip decompression) read into memory: an OAI-PMH page of 2,500 arXivRaw
# records is ~5 MB, a day's RSS for a whole archive ~3 MB. Anything past this is refused, not stored.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    claims_path: Path
    db_path: Path
    api_url: str = DEFAULT_API_URL
    rss_url: str = DEFAULT_RSS_URL
    oai_url: str = DEFAULT_OAI_URL
    contact: str = DEFAULT_CONTACT
    request_delay: float = ARXIV_MIN_DELAY
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_poll_seconds: float = 1800.0  # cap on the total time one poll may take
    s2_url: str = DEFAULT_S2_URL
    openalex_url: str = DEFAULT_OPENALEX_URL
    s2_api_key: str | None = field(default=None, repr=False)  # a secret: never in logs or reprs
    mailto: str | None = None  # OpenAlex's "polite pool" contact address
    citation_delay: float = CITATION_MIN_DELAY  # seconds between two requests to one citation service
    max_citation_seconds: float = 600.0  # cap on the time each citation service may take per run
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES  # cap on one response, after decompression

    @property
    def user_agent(self) -> str:
        from freshness import __version__

        return f"freshness/{__version__} (+{self.contact})"


def default_db_path(claims_path: Path) -> Path:
    """The store lives beside the claims file it serves, in .freshness/ (git-ignored)."""
    return claims_path.resolve().parent / ".freshness" / "store.sqlite"


def load_settings(
    *,
    claims: str | None = None,
    db: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve every setting; raise ConfigError on a bad value."""
    env = os.environ if env is None else env
    claims_path = Path(claims or env.get("FRESHNESS_CLAIMS") or "claims.yaml")
    db_value = db or env.get("FRESHNESS_DB")
    db_path = Path(db_value) if db_value else default_db_path(claims_path)
    urls = _arxiv_urls(env)
    # A test server on loopback may be polled without spacing; arXiv never (nan and inf are refused
    # everywhere: nan compares false with everything, so it would space nothing).
    delay = _spacing(
        env,
        "FRESHNESS_REQUEST_DELAY",
        ARXIV_MIN_DELAY,
        urls.values(),
        below="arXiv's 3-second rule",
        unless="every endpoint is a loopback host",
    )
    citation_urls = _citation_urls(env)
    citation_delay = _spacing(
        env,
        "FRESHNESS_CITATION_DELAY",
        CITATION_MIN_DELAY,
        citation_urls.values(),
        below=f"{CITATION_MIN_DELAY:g} s",
        unless="both citation services are loopback hosts",
    )
    contact = env.get("FRESHNESS_CONTACT", DEFAULT_CONTACT)
    mailto = env.get("FRESHNESS_MAILTO") or (contact if "@" in contact else None)
    return Settings(
        s2_api_key=env.get("FRESHNESS_S2_API_KEY") or None,
        mailto=mailto,
        citation_delay=citation_delay,
        max_citation_seconds=_float(
            env, "FRESHNESS_MAX_CITATION_SECONDS", 600.0, low=0.0, high=7 * 86400.0, open_low=True
        ),
        **citation_urls,
        claims_path=claims_path,
        db_path=db_path,
        contact=contact,
        request_delay=delay,
        connect_timeout=_float(env, "FRESHNESS_CONNECT_TIMEOUT", 10.0, low=0.0, high=600.0, open_low=True),
        read_timeout=_float(env, "FRESHNESS_READ_TIMEOUT", 60.0, low=0.0, high=3600.0, open_low=True),
        max_poll_seconds=_float(
            env, "FRESHNESS_MAX_POLL_SECONDS", 1800.0, low=0.0, high=7 * 86400.0, open_low=True
        ),
        max_response_bytes=_int(
            env, "FRESHNESS_MAX_RESPONSE_BYTES", DEFAULT_MAX_RESPONSE_BYTES, low=1024, high=2**34
        ),
        **urls,
    )


# Each URL setting: its environment variable and its default.
ARXIV_URLS = {
    "api_url": ("FRESHNESS_ARXIV_API_URL", DEFAULT_API_URL),
    "rss_url": ("FRESHNESS_ARXIV_RSS_URL", DEFAULT_RSS_URL),
    "oai_url": ("FRESHNESS_ARXIV_OAI_URL", DEFAULT_OAI_URL),
}
CITATION_URLS = {
    "s2_url": ("FRESHNESS_S2_URL", DEFAULT_S2_URL),
    "openalex_url": ("FRESHNESS_OPENALEX_URL", DEFAULT_OPENALEX_URL),
}


def _arxiv_urls(env: Mapping[str, str]) -> dict[str, str]:
    """arXiv's three endpoints by setting name; ConfigError for one that is not an http(s) URL."""
    return _urls(env, ARXIV_URLS, lambda url: url)


def _citation_urls(env: Mapping[str, str]) -> dict[str, str]:
    """The two citation services' base URLs by setting name, without a trailing slash."""
    return _urls(env, CITATION_URLS, lambda url: url.rstrip("/"))


def _urls(
    env: Mapping[str, str], settings: Mapping[str, tuple[str, str]], tidy: Callable[[str], str]
) -> dict[str, str]:
    """Each URL setting from its variable (or default), tidied; ConfigError naming the variable for one
    that is not an http(s) URL."""
    urls = {}
    for name, (variable, default) in settings.items():
        url = urls[name] = tidy(env.get(variable, default))
        if not _is_http_url(url):
            raise ConfigError(f"{variable}={url!r} is not an http(s) URL")
    return urls


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _spacing(
    env: Mapping[str, str],
    name: str,
    minimum: float,
    urls: Iterable[str],
    *,
    below: str,
    unless: str,
) -> float:
    """Seconds between two requests to one service: at least `minimum`, unless `urls` are all loopback
    hosts (a test server); `below` names the rule and `unless` the exception in the error."""
    delay = _float(env, name, minimum, low=0.0, high=3600.0)
    if delay < minimum and not all(is_loopback(u) for u in urls):
        raise ConfigError(
            f"{name}={delay:g} is below {below}; a shorter delay is only allowed when {unless} "
            "(a test server)"
        )
    return delay


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _float(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    low: float,
    high: float,
    open_low: bool = False,
) -> float:
    """A finite number of seconds in [low, high] (or (low, high] with `open_low`), named when not."""
    return _number(env, name, default, float, "a number", low=low, high=high, open_low=open_low)


def check_range(
    name: str, raw: str, value: float, *, low: float, high: float, open_low: bool = False
) -> None:
    """Raise ConfigError naming the setting unless `value` is finite and in range."""
    if not math.isfinite(value):
        raise ConfigError(f"{name}={raw!r} must be a finite number")
    if value < low or (open_low and value == low) or value > high:
        bound = f"more than {_figure(low)}" if open_low else f"at least {_figure(low)}"
        raise ConfigError(f"{name}={raw!r} is out of range: it must be {bound} and at most {_figure(high)}")


def _figure(bound: float) -> str:
    """A bound as people write it: 17179869184, not 1.71799e+10; 0.5 stays 0.5."""
    return str(int(bound)) if float(bound).is_integer() else f"{bound:g}"


def _int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    return _number(env, name, default, int, "a whole number", low=low, high=high)


_N = TypeVar("_N", int, float)


def _number(
    env: Mapping[str, str],
    name: str,
    default: _N,
    parse: Callable[[str], _N],
    what: str,
    *,
    low: float,
    high: float,
    open_low: bool = False,
) -> _N:
    """The variable `name` read by `parse` (`default` when unset or blank), in range; ConfigError
    saying it is not `what` when it does not parse."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not {what}") from None
    check_range(name, raw, float(value), low=low, high=high, open_low=open_low)
    return value
