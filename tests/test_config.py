"""Settings from the environment (freshness/config.py): the defaults, each FRESHNESS_* variable, and
errors that name the variable actually set. Bounds that would switch politeness off are in
test_reliability_network.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from freshness import config
from freshness.cli import cli
from freshness.config import (
    ARXIV_MIN_DELAY,
    CITATION_MIN_DELAY,
    DEFAULT_API_URL,
    DEFAULT_CONTACT,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_OAI_URL,
    DEFAULT_OPENALEX_URL,
    DEFAULT_RSS_URL,
    DEFAULT_S2_URL,
    Settings,
    default_db_path,
    load_settings,
)
from freshness.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK_ARXIV = {
    "FRESHNESS_ARXIV_API_URL": "http://127.0.0.1:9/api",
    "FRESHNESS_ARXIV_RSS_URL": "http://localhost:9/rss",
    "FRESHNESS_ARXIV_OAI_URL": "http://[::1]:9/oai",
}
LOOPBACK_CITATIONS = {
    "FRESHNESS_S2_URL": "http://127.0.0.1:9/s2",
    "FRESHNESS_OPENALEX_URL": "http://localhost:9",
}


def settings(**env: str) -> Settings:
    return load_settings(env=env)


# -- defaults ---------------------------------------------------------------------------------------


def test_an_empty_environment_gives_the_defaults() -> None:
    got = settings()
    assert got.claims_path == Path("claims.yaml")
    assert got.db_path == default_db_path(Path("claims.yaml"))
    assert got.db_path == Path.cwd() / ".freshness" / "store.sqlite"
    assert (got.api_url, got.rss_url, got.oai_url) == (DEFAULT_API_URL, DEFAULT_RSS_URL, DEFAULT_OAI_URL)
    assert (got.s2_url, got.openalex_url) == (DEFAULT_S2_URL, DEFAULT_OPENALEX_URL)
    assert got.contact == DEFAULT_CONTACT
    assert got.user_agent.endswith(f" (+{DEFAULT_CONTACT})")
    assert got.request_delay == ARXIV_MIN_DELAY == 3.0
    assert got.citation_delay == CITATION_MIN_DELAY == 1.0
    assert (got.connect_timeout, got.read_timeout) == (10.0, 60.0)
    assert (got.max_poll_seconds, got.max_citation_seconds) == (1800.0, 600.0)
    assert got.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES == 64 * 1024 * 1024
    assert (got.s2_api_key, got.mailto) == (None, None)


def test_blank_numbers_are_the_defaults() -> None:
    got = settings(FRESHNESS_READ_TIMEOUT="", FRESHNESS_MAX_RESPONSE_BYTES="  ")
    assert (got.read_timeout, got.max_response_bytes) == (60.0, DEFAULT_MAX_RESPONSE_BYTES)


# -- each variable ----------------------------------------------------------------------------------


def test_paths_a_flag_beats_the_variable_which_beats_the_default(tmp_path: Path) -> None:
    env = {"FRESHNESS_CLAIMS": str(tmp_path / "env.yaml"), "FRESHNESS_DB": str(tmp_path / "env.sqlite")}
    from_env = load_settings(env=env)
    assert (from_env.claims_path, from_env.db_path) == (tmp_path / "env.yaml", tmp_path / "env.sqlite")
    flagged = load_settings(claims=str(tmp_path / "flag.yaml"), db=str(tmp_path / "flag.sqlite"), env=env)
    assert (flagged.claims_path, flagged.db_path) == (tmp_path / "flag.yaml", tmp_path / "flag.sqlite")
    beside = load_settings(env={"FRESHNESS_CLAIMS": str(tmp_path / "notes" / "c.yaml")})
    assert beside.db_path == tmp_path / "notes" / ".freshness" / "store.sqlite"


def test_arxiv_and_citation_urls() -> None:
    got = settings(
        **LOOPBACK_ARXIV, FRESHNESS_S2_URL="https://s2.example/v1/", FRESHNESS_OPENALEX_URL="https://oa/"
    )
    assert (got.api_url, got.rss_url, got.oai_url) == tuple(LOOPBACK_ARXIV.values())
    assert (got.s2_url, got.openalex_url) == ("https://s2.example/v1", "https://oa")  # no trailing slash


def test_numbers() -> None:
    got = settings(
        FRESHNESS_CONNECT_TIMEOUT="2.5",
        FRESHNESS_READ_TIMEOUT="30",
        FRESHNESS_MAX_POLL_SECONDS="60",
        FRESHNESS_MAX_CITATION_SECONDS="5",
        FRESHNESS_MAX_RESPONSE_BYTES="2048",
        FRESHNESS_REQUEST_DELAY="4",
        FRESHNESS_CITATION_DELAY="1.5",
    )
    assert (got.connect_timeout, got.read_timeout, got.max_poll_seconds) == (2.5, 30.0, 60.0)
    assert (got.max_citation_seconds, got.max_response_bytes) == (5.0, 2048)
    assert (got.request_delay, got.citation_delay) == (4.0, 1.5)


def test_delays_below_the_rules_only_for_loopback_hosts() -> None:
    assert settings(**LOOPBACK_ARXIV, FRESHNESS_REQUEST_DELAY="0").request_delay == 0.0
    assert settings(**LOOPBACK_CITATIONS, FRESHNESS_CITATION_DELAY="0").citation_delay == 0.0


def test_contact_key_and_mailto() -> None:
    got = settings(FRESHNESS_CONTACT="me@example.org", FRESHNESS_S2_API_KEY="sekrit")
    assert got.user_agent.endswith(" (+me@example.org)")
    assert got.mailto == "me@example.org"  # the contact, when it is an address
    assert got.s2_api_key == "sekrit"
    assert "sekrit" not in repr(got)  # a secret: never in logs or reprs
    assert settings(FRESHNESS_CONTACT="me@example.org", FRESHNESS_MAILTO="ops@example.org").mailto == (
        "ops@example.org"
    )
    assert settings(FRESHNESS_CONTACT="https://example.org").mailto is None
    assert settings(FRESHNESS_S2_API_KEY="").s2_api_key is None


# -- errors name the variable actually set -----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "FRESHNESS_ARXIV_API_URL",
        "FRESHNESS_ARXIV_RSS_URL",
        "FRESHNESS_ARXIV_OAI_URL",
        "FRESHNESS_S2_URL",
        "FRESHNESS_OPENALEX_URL",
    ],
)
def test_a_url_that_is_not_http_is_refused_naming_its_variable(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(**{name: "ftp://x"})
    assert str(caught.value) == f"{name}='ftp://x' is not an http(s) URL"


def test_the_cli_names_the_arxiv_api_variable_not_a_made_up_one() -> None:
    result = CliRunner().invoke(cli, ["validate"], env={"FRESHNESS_ARXIV_API_URL": "ftp://x"})
    assert result.exit_code == 2
    assert result.output == "error: FRESHNESS_ARXIV_API_URL='ftp://x' is not an http(s) URL\n"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FRESHNESS_CONNECT_TIMEOUT", "soon", "FRESHNESS_CONNECT_TIMEOUT='soon' is not a number"),
        ("FRESHNESS_MAX_RESPONSE_BYTES", "1.5", "FRESHNESS_MAX_RESPONSE_BYTES='1.5' is not a whole number"),
        ("FRESHNESS_READ_TIMEOUT", "inf", "FRESHNESS_READ_TIMEOUT='inf' must be a finite number"),
        (
            "FRESHNESS_MAX_CITATION_SECONDS",
            "0",
            "FRESHNESS_MAX_CITATION_SECONDS='0' is out of range: it must be more than 0 and at most 604800",
        ),
        (
            "FRESHNESS_MAX_RESPONSE_BYTES",
            "10",
            "FRESHNESS_MAX_RESPONSE_BYTES='10' is out of range: it must be at least 1024 and at most "
            "17179869184",
        ),
        (
            "FRESHNESS_REQUEST_DELAY",
            "1",
            "FRESHNESS_REQUEST_DELAY=1 is below arXiv's 3-second rule; a shorter delay is only allowed "
            "when every endpoint is a loopback host (a test server)",
        ),
        (
            "FRESHNESS_CITATION_DELAY",
            "0.5",
            "FRESHNESS_CITATION_DELAY=0.5 is below 1 s; a shorter delay is only allowed when both "
            "citation services are loopback hosts (a test server)",
        ),
    ],
)
def test_a_bad_number_is_refused_naming_its_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(**{name: value})
    assert str(caught.value) == message


# -- the README's table ------------------------------------------------------------------------------


def _variables(text: str) -> set[str]:
    return set(re.findall(r"FRESHNESS_[A-Z0-9_]+", text))


def test_the_readme_table_lists_every_variable_freshness_reads_and_no_other() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    rows = {line for line in table.splitlines() if line.startswith("| `")}
    listed = _variables("\n".join(rows))
    read = _variables(Path(config.__file__).read_text())
    read |= _variables("\n".join(p.read_text() for p in (ROOT / "freshness" / "cli").glob("*.py")))
    assert listed == read
