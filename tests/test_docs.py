"""The README and the reference docs link only to files and headings that exist.

A relative link [text](path#anchor) in README.md or docs/*.md must name a file of the repository,
and its #anchor a heading of that file, spelled as GitHub spells heading anchors: lower case,
punctuation dropped but hyphens and underscores, each space a hyphen, a repeated heading numbered -1, -2.
docs/dev/ (dated experiment logs) is left as written.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from freshness.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def _prose(text: str) -> str:
    """The text without code blocks and code spans (a link inside them is not a link)."""
    return _CODE.sub("", _FENCE.sub("", text))


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown text."""
    seen: dict[str, int] = {}
    found = set()
    for heading in _HEADING.findall(_FENCE.sub("", text)):
        heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text stays
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def relative_links(path: Path) -> list[str]:
    """The links of a Markdown file that point inside the repository (not http:, mailto: ...)."""
    links = _LINK.findall(_prose(path.read_text()))
    return [link for link in links if not re.match(r"[a-z][a-z0-9+.-]*:", link)]


def _targets() -> list[tuple[Path, str]]:
    return [(doc, link) for doc in DOCS for link in relative_links(doc)]


@pytest.mark.parametrize(
    ("doc", "link"), _targets(), ids=lambda value: value.name if isinstance(value, Path) else value
)
def test_a_relative_link_names_a_file_and_a_heading_that_exist(doc: Path, link: str) -> None:
    file_part, _, anchor = link.partition("#")
    target = (doc.parent / file_part).resolve() if file_part else doc
    assert target.exists(), f"{doc.relative_to(ROOT)}: {link}: no file {file_part}"
    assert ROOT in target.parents or target == ROOT, f"{doc.relative_to(ROOT)}: {link} leaves the repository"
    if anchor and target.suffix == ".md":
        assert anchor in anchors(target.read_text()), f"{doc.relative_to(ROOT)}: {link}: no heading #{anchor}"


def test_the_anchor_spelling_is_githubs() -> None:
    text = (
        "# Exit codes\n## Recorded citations (`--citations FILE`)\n## A, b: c\n## A, b: c\n```\n# not\n```\n"
    )
    assert anchors(text) == {"exit-codes", "recorded-citations---citations-file", "a-b-c", "a-b-c-1"}


# -- the README's table of commands ----------------------------------------------------------------


def _long_options(command: click.Command) -> set[str]:
    """The options a command's --help shows (long spellings only; hidden ones left out)."""
    return {
        name
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden
        for name in (*param.opts, *param.secondary_opts)
        if name.startswith("--") and name != "--help"
    }


def _command_rows() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    return [line.split(" | ", 1)[0] for line in table.splitlines() if line.startswith("| `")]


def test_the_readme_command_table_lists_each_commands_options() -> None:
    commands = cli.commands
    listed: set[str] = set()
    for cell in _command_rows():
        spans = re.findall(r"`([^`]+)`", cell)
        names = {span.removeprefix("freshness ").split()[0] for span in spans}
        names &= set(commands)
        wanted = {option for name in names - {"run"} for option in _long_options(commands[name])}
        written = {option for part in re.findall(r"--[a-z][a-z-]*", cell) for option in part.split("/")}
        if "`run`'s options" in cell:  # schedule takes every option of run
            written |= _long_options(commands["run"])
        else:
            wanted |= _long_options(commands["run"]) if "run" in names else set()
        assert written == wanted, f"README, Commands, {sorted(names)}"
        listed |= names
    assert listed == {name for name, command in commands.items() if not command.hidden}


# -- reference docs, not lab notebooks -------------------------------------------------------------


@pytest.mark.parametrize("name", ["matching.md", "benchmarks.md"])
def test_the_long_reference_docs_stay_under_20_kb(name: str) -> None:
    assert (ROOT / "docs" / name).stat().st_size < 20_000, f"docs/{name}: move history to docs/dev/"


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_a_reference_doc_keeps_no_lab_notebook(doc: Path) -> None:
    """Rounds of an experiment and commit hashes belong in docs/dev/, the dated logs."""
    text = doc.read_text()
    assert not re.search(r"\bround \d", text, re.I), f"{doc.name}: a round of an experiment"
    hashes = re.findall(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b", text)
    assert not hashes, f"{doc.name}: commit hashes {hashes}"


# -- the code's citations of the docs --------------------------------------------------------------

_CITED = re.compile(r"(docs/[\w/.-]+?\.md)(?:,? (?:section (\d+)|\"([^\"]+)\"))?")


def _code_citations() -> list[tuple[str, str, str, str]]:
    found = []
    for path in sorted((ROOT / "freshness").rglob("*.py")):
        text = re.sub(r"\s*\n\s*(?:# )?", " ", path.read_text())  # a citation may wrap a comment line
        for doc, number, title in _CITED.findall(text):
            found.append((str(path.relative_to(ROOT)), doc, number, title))
    return found


@pytest.mark.parametrize(("module", "doc", "number", "title"), _code_citations())
def test_the_code_cites_docs_and_sections_that_exist(module: str, doc: str, number: str, title: str) -> None:
    target = ROOT / doc
    assert target.exists(), f"{module} cites {doc}, which does not exist"
    headings = [h.replace("`", "") for h in _HEADING.findall(_FENCE.sub("", target.read_text()))]
    if number:
        assert any(h.startswith(f"{number}. ") for h in headings), f"{module}: {doc} has no section {number}"
    if title:
        assert any(h.startswith(title) for h in headings), f"{module}: {doc} has no section {title!r}"
