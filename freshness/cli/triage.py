"""A person's triage of the claims: `history` to read how a claim changed and what it learned, and
the decisions `dismiss`, `confirm`, `mark`, `undo`, `snooze` and `reviewed`, recorded under the
writer lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click

from freshness.cli.app import Context, cli, handle_errors, lock_wait_option, open_store, pass_ctx


@cli.command("history")
@click.argument("claim_id", metavar="CLAIM")
@click.option(
    "--all", "show_all", is_flag=True, help="Show every run, not only those where something changed."
)
@handle_errors
@pass_ctx
def history_command(ctx: Context, claim_id: str, show_all: bool) -> None:
    """How CLAIM's status and evidence changed from run to run, and the decisions taken on it.

    Exit codes: 0 shown; 2 unknown claim, or bad claims file.
    """
    from freshness.claims import load_claims
    from freshness.decisions import TriageError
    from freshness.history import claim_history
    from freshness.views.history import history_lines

    known = {c.id for c in load_claims(ctx.settings.claims_path, today=ctx.today)}
    with open_store(ctx) as store:
        history = claim_history(store, claim_id)
    if claim_id not in known and not history.entries:
        raise TriageError(f"no claim {claim_id!r} in the claims file, and no run has judged one")
    for line in history_lines(history, claim_id, show_all=show_all):
        click.echo(line)


def _decide(
    ctx: Context,
    claim_id: str,
    kind: str,
    lock_wait: float,
    *,
    reason: str | None,
    arxiv_id: str | None = None,
    until: dt.date | None = None,
) -> None:
    """Record one triage decision and say what it does; under the writer lock, so it never lands in
    the middle of a nightly run."""
    from freshness.claims import load_claims
    from freshness.decisions import check_decision, describe_decision, record_decision
    from freshness.models import DecisionKind

    claims = load_claims(ctx.settings.claims_path, today=ctx.today)
    decision = DecisionKind(kind)
    # Checked before the store is opened: bad input creates no store.
    base, until = check_decision(claims, claim_id, decision, today=ctx.today, arxiv_id=arxiv_id, until=until)
    with open_store(ctx, writer=kind, lock_wait=lock_wait) as store:
        recorded = record_decision(
            store, claim_id, decision, now=ctx.now, arxiv_id=base, until=until, reason=reason
        )
    click.echo(describe_decision(recorded))


_REASON = click.option("--reason", metavar="TEXT", help="Why; shown in `freshness history`.")
_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _decision(
    name: str, *options: Callable[[Callable[..., Any]], Callable[..., Any]], paper: bool = True
) -> Callable[[Callable[..., None]], click.Command]:
    """Register a decision command: CLAIM (and ARXIV_ID with `paper`), then `options`, --reason and
    --lock-wait, in that order in its help; its body says which decision it records."""

    def register(body: Callable[..., None]) -> click.Command:
        func: Callable[..., Any] = _REASON(lock_wait_option(handle_errors(pass_ctx(body))))
        for option in reversed(options):
            func = option(func)
        if paper:
            func = click.argument("arxiv_id", metavar="ARXIV_ID")(func)
        return cli.command(name)(click.argument("claim_id", metavar="CLAIM")(func))

    return register


@_decision("dismiss")
def dismiss_command(ctx: Context, claim_id: str, arxiv_id: str, reason: str | None, lock_wait: float) -> None:
    """ARXIV_ID does not bear on CLAIM: never flag it for this claim again (any version).

    Exit codes: 0 recorded; 2 unknown claim, malformed arXiv id, bad claims file, or another writer
    (run, schedule, poll, import) holds the store.
    """
    _decide(ctx, claim_id, "dismiss", lock_wait, arxiv_id=arxiv_id, reason=reason)


@_decision("confirm")
def confirm_command(ctx: Context, claim_id: str, arxiv_id: str, reason: str | None, lock_wait: float) -> None:
    """ARXIV_ID supersedes CLAIM: keep it at the top of the claim's matches, counted as superseding.

    Exit codes: 0 recorded; 2 unknown claim, malformed arXiv id, bad claims file, or another writer
    (run, schedule, poll, import) holds the store.
    """
    _decide(ctx, claim_id, "confirm", lock_wait, arxiv_id=arxiv_id, reason=reason)


@_decision(
    "snooze",
    click.option(
        "--until", "until", type=_DATE, required=True, metavar="YYYY-MM-DD", help="Quiet until this day."
    ),
    paper=False,
)
def snooze_command(
    ctx: Context, claim_id: str, until: dt.datetime, reason: str | None, lock_wait: float
) -> None:
    """CLAIM keeps showing its status but needs no attention (exit code 1 of `run`) until a date.

    Exit codes: 0 recorded; 2 unknown claim, a date in the past, bad claims file, or another writer
    (run, schedule, poll, import) holds the store.
    """
    _decide(ctx, claim_id, "snooze", lock_wait, until=until.date(), reason=reason)


@_decision(
    "reviewed",
    click.option(
        "--date", "on", type=_DATE, metavar="YYYY-MM-DD", help="When it was re-checked. [default: today]"
    ),
    paper=False,
)
def reviewed_command(
    ctx: Context, claim_id: str, on: dt.datetime | None, reason: str | None, lock_wait: float
) -> None:
    """A person re-checked CLAIM: its age and "newer papers" count from the review date.

    Earlier confirmations are settled by the review; dismissals stay.

    Exit codes: 0 recorded; 2 unknown claim, a date in the future, bad claims file, or another writer
    (run, schedule, poll, import) holds the store.
    """
    _decide(ctx, claim_id, "reviewed", lock_wait, until=on.date() if on else None, reason=reason)


@_decision(
    "mark",
    click.option(
        "--relevant/--not-relevant",
        "relevant",
        default=None,
        help="On the claim's topic but not a challenge / off the claim's topic.",
    ),
)
def mark_command(
    ctx: Context, claim_id: str, arxiv_id: str, relevant: bool | None, reason: str | None, lock_wait: float
) -> None:
    """Teach CLAIM about ARXIV_ID: --relevant (on topic, not a challenge: it stays listed, is never
    flagged, and challenges like it are not flagged) or --not-relevant (off topic: it leaves the
    claim's matches and papers like it rank lower).

    The claim learns from its own decisions only; `freshness history CLAIM` lists them and
    `freshness undo CLAIM ARXIV_ID` takes one back.

    Exit codes: 0 recorded; 2 neither option given, unknown claim, malformed arXiv id, bad claims
    file, or another writer (run, schedule, poll, import) holds the store.
    """
    if relevant is None:
        raise click.UsageError(
            "say which: --relevant (on topic, not a challenge) or --not-relevant (off topic)"
        )
    kind = "relevant" if relevant else "not_relevant"
    _decide(ctx, claim_id, kind, lock_wait, arxiv_id=arxiv_id, reason=reason)


@_decision("undo")
def undo_command(ctx: Context, claim_id: str, arxiv_id: str, reason: str | None, lock_wait: float) -> None:
    """Take back the decision in force on ARXIV_ID for CLAIM (confirm, dismiss or mark): the paper is
    judged by the matcher again and what the claim learned from it is gone. The decision stays in
    `freshness history`, with the undo after it.

    Exit codes: 0 recorded; 2 no decision on that paper to undo, unknown claim, malformed arXiv id,
    bad claims file, or another writer (run, schedule, poll, import) holds the store.
    """
    _decide(ctx, claim_id, "undo", lock_wait, arxiv_id=arxiv_id, reason=reason)
