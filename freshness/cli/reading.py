"""The commands that read: `validate`, `report` and `prompt`. None of them writes the store or takes
its writer lock; on a store that does not exist yet they read an empty one and create nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from freshness.cli.app import Context, cli, handle_errors, open_store, pass_ctx
from freshness.errors import ClaimsError, ConfigError

if TYPE_CHECKING:  # start-up (`freshness --help`) pays only for what it runs
    from freshness.models import Claim, Report


@cli.command("validate")
@handle_errors
@pass_ctx
def validate_command(ctx: Context) -> None:
    """Check the claims file; print every problem as FILE:LINE:COL: message.

    Exit codes: 0 the file is valid; 2 it has problems (all of them are listed, on stderr).
    """
    from freshness.claims import read_claims

    path = ctx.settings.claims_path
    result = read_claims(path, today=ctx.today)
    if result.problems:
        raise ClaimsError(list(result.problems))
    claims, anchors = len(result.claims), result.anchor_count
    click.echo(f"{path}: {claims} claim{'s' * (claims != 1)}, {anchors} anchor{'s' * (anchors != 1)}, OK")


@cli.command("report")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "json", "markdown", "html"]),  # report.FORMATS (test_cli)
    default="terminal",
    show_default=True,
    help="terminal: for people; json: stable, documented in docs/report-json.md; markdown: paste into "
    "an issue; html: one self-contained file.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write to FILE instead of stdout: replaced whole (a temporary file beside it, renamed), never "
    "half-written.",
)
@click.option(
    "--follow-symlinks", is_flag=True, help="With --output: if FILE is a symlink, replace what it points to."
)
@click.option("--claim", "claim_ids", multiple=True, metavar="ID", help="Only this claim (repeatable).")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Only the claims whose status or evidence changed since the run of that day (freshness run).",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(
        ["anchor-broken", "possibly-superseded", "perishable", "unchecked", "fresh"]
    ),  # ClaimStatus
    help="Only the claims with this status (repeatable).",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    metavar="N",
    help="Papers of each kind shown per claim. [default: terminal 3, markdown 5, html 3 then folded]",
)
@click.option(
    "--color",
    "color_choice",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in the terminal format; auto: on a terminal, NO_COLOR off, FORCE_COLOR on.",
)
@click.option(
    "--pager/--no-pager",
    default=None,
    help="Page long terminal output with $PAGER (less) [default: when taller than the terminal].",
)
@click.option(
    "--citations/--no-citations",
    default=None,
    help="Use the stored citation edges (who cites the anchors) as evidence [default: as the claims "
    "file's `citations:` says; see docs/polling.md]. Never asks a service.",
)
@handle_errors
@pass_ctx
def report_command(
    ctx: Context,
    fmt: str,
    output: str | None,
    follow_symlinks: bool,
    claim_ids: tuple[str, ...],
    since: dt.datetime | None,
    statuses: tuple[str, ...],
    top: int | None,
    color_choice: str,
    pager: bool | None,
    citations: bool | None,
) -> None:
    """Show each claim's status with its evidence: which newer papers, and why.

    Reads the store only (no network): run `freshness poll` or `freshness run` to bring in new papers
    and `freshness check-anchors` to refresh anchor statuses.

    Exit codes: 0 shown; 2 bad claims file, unknown --claim, or unreadable store.
    """
    from freshness.report import only_statuses

    report = _build(ctx, claim_ids, citations, since.date() if since else None)
    report = only_statuses(report, [s.replace("-", "_") for s in statuses])
    if output is None:
        _show(report, fmt, top=top, color_choice=color_choice, pager=pager)
        return
    from pathlib import Path

    from freshness.outfile import write_replacing
    from freshness.report import render

    color = fmt == "terminal" and color_choice == "always"
    text = render(report, fmt, width=100, color=color, top=top)
    click.echo(f"wrote {write_replacing(Path(output), text, follow_symlinks=follow_symlinks)}", err=True)


def _build(ctx: Context, claim_ids: tuple[str, ...], citations: bool | None, since: dt.date | None) -> Report:
    """The report on the claims asked for, from the store; with `since`, only what changed since the
    run of that day."""
    from freshness.assess import build_report
    from freshness.citations.storage import stored_citations
    from freshness.claims import load_claims_file

    claims_file = load_claims_file(ctx.settings.claims_path, today=ctx.today)
    claims = select_claims(list(claims_file.claims), claim_ids)
    use_citations = claims_file.citations is not None if citations is None else citations
    with open_store(ctx) as store:
        index = stored_citations(store, claims) if use_citations else None
        report = build_report(store, claims, now=ctx.now, today=ctx.today, citations=index)
        if since is None:
            return report
        from freshness.history import changes_since, report_since

        return report_since(report, changes_since(store, since, current=report), since)


def _show(report: Report, fmt: str, *, top: int | None, color_choice: str, pager: bool | None) -> None:
    """The report on stdout, at the terminal's width, coloured and paged as asked and as fits."""
    import shutil

    from freshness.output import make_console, should_page, stdout_is_terminal, want_color
    from freshness.report import render

    tty = stdout_is_terminal()
    color = fmt == "terminal" and want_color(color_choice, is_terminal=tty)
    text = render(report, fmt, width=make_console().width, color=color, top=top)
    if should_page(text, is_terminal=tty, height=shutil.get_terminal_size().lines, choice=pager):
        click.echo_via_pager(text)  # less gets LESS=-R (colours) unless the user set LESS
    else:
        click.echo(text, nl=False, color=color)  # click would strip the colour asked for off a terminal


def select_claims(claims: list[Claim], wanted: tuple[str, ...]) -> list[Claim]:
    """The claims named by --claim (all when none), or an error naming the unknown ids."""
    if not wanted:
        return claims
    known = {c.id for c in claims}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ConfigError(
            f"no claim {', '.join(map(repr, unknown))} in the claims file",
            tip="Known claim ids: " + ", ".join(sorted(known)),
        )
    return [c for c in claims if c.id in wanted]


@cli.command("prompt")
@click.argument("claim_id", metavar="CLAIM")
@handle_errors
@pass_ctx
def prompt_command(ctx: Context, claim_id: str) -> None:
    """Print a re-test prompt for CLAIM: the claim as dated, its anchors' arXiv status, the newer papers
    that challenge or support it, and the task. Plain text: `freshness prompt CLAIM | llm`.

    Reads the store only (no network, no LLM). Exit codes: 0 printed; 2 unknown claim or bad claims file.
    """
    from freshness.assess import build_report
    from freshness.claims import load_claims
    from freshness.retest import retest_prompt

    claims = select_claims(load_claims(ctx.settings.claims_path, today=ctx.today), (claim_id,))
    with open_store(ctx) as store:
        report = build_report(store, claims, now=ctx.now, today=ctx.today)
    click.echo(retest_prompt(report.verdicts[0]), nl=False)
