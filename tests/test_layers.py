"""The rules the layering keeps (docs/architecture.md), read from the package's own imports and calls.

Each rule names the modules that break it, so a change that crosses a layer fails here with the file
to look at, not in review.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import freshness

PACKAGE = Path(freshness.__file__).parent
# Where text for people is made: only these may import rich or the consoles.
PEOPLE = ("cli", "views", "report")
# The store's SQL: its package (a module a table group), its migrations and the citation tables.
SQL_HOMES = ("store/", "migrations.py", "citations/storage.py")


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(tree: ast.Module) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_core(rel: str) -> bool:
    return rel.split("/")[0] not in PEOPLE and rel not in ("output.py", "__main__.py")


def _importing(prefixes: tuple[str, ...]) -> list[str]:
    """The modules that import any of `prefixes` or a module below one."""
    return sorted(
        rel
        for rel, tree in _modules()
        if any(name == p or name.startswith(p + ".") for name in _imports(tree) for p in prefixes)
    )


def test_the_core_makes_no_text_for_people() -> None:
    """The core raises and returns values; rich and the consoles belong to the CLI, views and reports."""
    offenders = [
        rel
        for rel in _importing(("rich", "freshness.output", "freshness.views", "freshness.cli"))
        if _is_core(rel)
    ]
    assert offenders == []


def test_nothing_imports_the_command_line() -> None:
    """The CLI is the top layer: no module below it reaches back up."""
    up = [
        rel for rel in _importing(("freshness.cli",)) if not rel.startswith("cli/") and rel != "__main__.py"
    ]
    assert up == []


def test_reports_do_not_import_views_and_neither_imports_the_cli() -> None:
    report_up = [r for r in _importing(("freshness.views", "freshness.cli")) if r.startswith("report/")]
    views_up = [r for r in _importing(("freshness.cli",)) if r.startswith("views/")]
    assert report_up == views_up == []


def test_sql_stays_in_the_store() -> None:
    """Only the store, its migrations and the citation tables run SQL; others ask the store."""
    offenders = []
    for rel, tree in _modules():
        calls = {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        if calls & {"execute", "executemany", "executescript"} and not rel.startswith(SQL_HOMES):
            offenders.append(rel)
    assert offenders == []


def test_the_wire_parsers_are_pure() -> None:
    """arXiv's wire formats are parsed without the network, the store or the clock."""
    impure = ("freshness.http", "freshness.store", "freshness.poll", "urllib.request", "sqlite3", "requests")
    assert [r for r in _importing(impure) if r.startswith("sources/wire")] == []


def test_pure_judgement_reads_no_store() -> None:
    """Verdicts, flagging, coverage and titles are functions of their arguments."""
    pure = ("verdicts.py", "flagging.py", "coverage.py", "titles.py", "anchor_judging.py", "untrusted.py")
    assert [r for r in _importing(("freshness.store", "sqlite3", "freshness.http")) if r in pure] == []
