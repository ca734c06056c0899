"""The command line, `freshness`: the Click group (app.py) and its commands, one module per concern.

Importing this package registers every command on the group; `freshness.cli:main` is the entry point.
"""

from __future__ import annotations

from freshness.cli import authoring, cycle, reading, triage, writing
from freshness.cli.app import cli, main

__all__ = ["authoring", "cli", "cycle", "main", "reading", "triage", "writing"]
