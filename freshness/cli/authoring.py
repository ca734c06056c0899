"""Tools for the claims' author: `extract` drafts a claims file from a note, `eval` measures the
matcher on labeled claims."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from freshness.cli.app import Context, cli, handle_errors, open_store, pass_ctx

if TYPE_CHECKING:  # start-up (`freshness --help`) pays only for what it runs
    from freshness.evaluation import Evaluation


def _evaluation_as_terminal(result: Evaluation) -> None:
    from freshness.output import make_console
    from freshness.views.evaluation import render_terminal

    render_terminal(result, make_console())


def _evaluation_as_json(result: Evaluation) -> None:
    import json

    click.echo(json.dumps(result.to_json(), indent=2))


# eval --format: "text" is another name for the terminal tables.
EVAL_FORMATS: dict[str, Callable[[Evaluation], None]] = {
    "terminal": _evaluation_as_terminal,
    "text": _evaluation_as_terminal,
    "json": _evaluation_as_json,
}


@cli.command("eval")
@click.argument("labels", metavar="LABELS.yaml...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(EVAL_FORMATS)),
    default="terminal",
    show_default=True,
    help="terminal (or text): tables per claim, the headline per file, the goals; json: the stable shape "
    "documented in docs/eval.md.",
)
@click.option(
    "--k",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Recall counts a labeled paper found when it is in the claim's top k matches.",
)
@click.option(
    "--db", "db", metavar="FILE", help="The store to measure on (the same as freshness --db FILE eval)."
)
@click.option(
    "--citations",
    "citations_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="A recorded-citations file (YAML or JSON: anchor id -> citing arXiv ids, with optional citing "
    "sentences and intents; docs/eval.md) handed to the matcher as who cites the anchors.",
)
@click.option(
    "--feedback",
    "feedback",
    type=click.IntRange(min=0),
    multiple=True,
    metavar="N",
    help="Also simulate a curator making N decisions a claim, learning from each, and score the rest "
    "beside a control that learned nothing (repeatable: --feedback 0 --feedback 5; docs/eval.md).",
)
@handle_errors
@pass_ctx
def eval_command(
    ctx: Context,
    labels: tuple[str, ...],
    fmt: str,
    k: int,
    db: str | None,
    citations_file: str | None,
    feedback: tuple[int, ...],
) -> None:
    """Measure the matcher's judgement on labeled claims (LABELS.yaml, one or more files; the format is
    in docs/matching.md, the figures in docs/eval.md).

    Matches each claim once, then scores its superseding flags as shipped and with the flag rule fitted
    leave-one-claim-out on all the other claims: challengers flagged, flag precision, unknown and wrong
    flags, on-topic@10, false alarms, recall@k; per claim, per file and overall, against the goals.
    Does not read the claims file.

    Exit codes: 0 measured; 2 a labels file or the --citations file is invalid, two files share a claim
    key, or the store is missing or empty.
    """
    from pathlib import Path

    from freshness.evaluation import evaluate_files

    db_path = Path(db) if db else ctx.settings.db_path
    citations_path = Path(citations_file) if citations_file else None
    result = evaluate_files(
        [Path(p) for p in labels], db_path, k=k, citations_path=citations_path, feedback=feedback
    )
    EVAL_FORMATS[fmt](result)


@cli.command("extract")
@click.argument("note", metavar="NOTE", type=click.Path(dir_okay=False))
@click.option(
    "--output",
    "-o",
    default="claims.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write the draft (never over an existing file without --force).",
)
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@handle_errors
@pass_ctx
def extract_command(ctx: Context, note: str, output: str, force: bool) -> None:
    """Draft a claims file from a research note (plain text or Markdown).

    One claim per dated finding, with the arXiv ids the note cites placed by what they say; dates and
    titles from the store when it knows the papers. Every guess is marked in a comment: check them,
    then run `freshness validate` and `freshness check-anchors`.

    Exit codes: 0 written; 2 unreadable note, no finding in it, or the output file exists.
    """
    from pathlib import Path

    from freshness.draft_yaml import check_draft, read_note_file, render_draft, write_draft
    from freshness.errors import NoteError
    from freshness.extract import draft_claims
    from freshness.notes import read_note

    path, today = Path(note), ctx.today
    parsed = read_note(read_note_file(path))
    if not parsed.findings:
        raise NoteError(f"{note}: no dated finding (a sentence or bullet naming a year or an arXiv id)")
    ids = [p.arxiv_id.base for p in parsed.papers if p.arxiv_id is not None]
    with open_store(ctx) as store:
        draft = draft_claims(parsed, store.get_papers(ids), today=today)
    text = render_draft(draft, note_name=path.name, today=today)
    check_draft(text, today=today)
    write_draft(text, Path(output), force=force)
    anchors = sum(len(c.anchors) for c in draft.claims)
    click.echo(f"wrote {output}: {len(draft.claims)} draft claim(s), {anchors} anchor(s); check the comments")
    for unplaced in draft.unplaced:
        click.echo(
            f"note: arXiv:{unplaced.cited.arxiv_id} is tied to no finding (listed at the end)", err=True
        )
    for cited in draft.rejected:
        click.echo(f"note: {cited.raw!r} (line {cited.line}) is not an arXiv id: {cited.error}", err=True)
