"""Report values built by hand: a realistic sample covering every status, and a hostile one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest

from freshness.arxiv_ids import ArxivIdError, parse_arxiv_id
from freshness.models import (
    Anchor,
    AnchorResult,
    AnchorStatus,
    Claim,
    ClaimStatus,
    Match,
    Report,
    Stance,
    StoreSummary,
    Verdict,
)

GENERATED = dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)
CHECKED = dt.datetime(2026, 11, 26, 22, 58, 12, tzinfo=dt.UTC)
STORE = StoreSummary(papers=139126, newest_paper=dt.date(2026, 7, 1), oldest_paper=dt.date(2024, 1, 1))

# Every flavour of untrusted text the renderers must print inert.
RICH_MARKUP = "[bold red]x[/]"
ANSI_COLOUR = "\x1b[31mred\x1b[0m"
OSC8_LINK = "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\"
SCRIPT = "<script>alert(1)</script>"
MD_LINK = "[click](javascript:alert(1))"
MD_IMAGE = "![img](https://evil.example/x.png)"
BARE_URL = "https://evil.example/path and www.evil.example"
# A stance sentence quotes an abstract: as hostile as a title can be.
HOSTILE_SENTENCE = (
    f"We challenge [bold]this[/bold] view {SCRIPT} \x1b[31mred\x1b[0m, see [here](javascript:alert(2)) "
    "| *all* \u202eevil\u202c <img src=x onerror=alert(3)>"
)
HOSTILE_TITLE = (
    f"{RICH_MARKUP} {ANSI_COLOUR} {OSC8_LINK} {SCRIPT} {MD_LINK} {MD_IMAGE} | pipe *star* _under_ "
    f"`tick` # hash \\ back $x^2$ & amp \u202egnirts desrever\u202c {BARE_URL}"
)


def anchor(raw: str, line: int, col: int = 9, title: str | None = None) -> Anchor:
    try:
        parsed = parse_arxiv_id(raw)
    except ArxivIdError as exc:
        return Anchor(raw=raw, arxiv_id=None, title=title, line=line, col=col, error=str(exc))
    return Anchor(raw=raw, arxiv_id=parsed, title=title, line=line, col=col)


def result(
    a: Anchor,
    status: AnchorStatus,
    detail: str,
    title: str | None = None,
    latest_version: int | None = None,
) -> AnchorResult:
    checked = None if status in (AnchorStatus.MALFORMED, AnchorStatus.UNCHECKED) else CHECKED
    return AnchorResult(a, status, detail, title, latest_version, checked)


def match(
    arxiv_id: str, title: str, published: str, score: float, superseding: bool = False, *evidence: str
) -> Match:
    return Match(arxiv_id, title, dt.date.fromisoformat(published), score, superseding, evidence)


def stance(m: Match, kind: Stance, confidence: float, sentence: str, target: str | None = None) -> Match:
    """`m` with the stance the matcher would have found, set by hand."""
    return dataclasses.replace(
        m, stance=kind, confidence=confidence, stance_sentence=sentence, stance_target=target
    )


def sample_report(*, stale: bool = False) -> Report:
    """Five claims, one per status, with anchors of every status and a few matches."""
    cot_anchor = anchor("arXiv:2508.01191", 12)
    cot = Claim(
        id="cot-distribution-shift",
        text=("Chain-of-thought reasoning degrades predictably under shifts in task,\n    length or format."),
        date=dt.date(2025, 8, 2),
        topics=("chain-of-thought generalization under distribution shift",),
        anchors=(cot_anchor,),
        shelf_life_days=180,
        line=5,
    )
    tok_anchors = (
        anchor("2509.05486", 24),
        anchor("2508.99999", 25),
        anchor("25O8.1234", 26),
        anchor("hep-th/9901001v2", 27, title="Tokenization parity across languages"),
    )
    tok = Claim(
        id="tokenizer-language-tax",
        text="Subword tokenizers charge non-English languages more tokens for the same content.",
        date=dt.date(2025, 9, 10),
        topics=("tokenization cost across languages",),
        anchors=tok_anchors,
        line=18,
    )
    scale_anchor = anchor("2509.09677v1", 36)
    scale = Claim(
        id="long-horizon-returns",
        text="Small gains in single-step accuracy compound into large gains on long-horizon tasks.",
        date=dt.date(2025, 10, 22),
        topics=("long horizon execution",),
        anchors=(scale_anchor,),
        shelf_life_days=365,
        line=30,
    )
    icl_anchor = anchor("2508.19999", 44)
    icl = Claim(
        id="icl-demo-selection",
        text="Choosing in-context demonstrations by gradient estimates beats similarity retrieval.",
        date=dt.date(2026, 8, 1),
        topics=("demonstration selection for in-context learning",),
        anchors=(icl_anchor,),
        line=40,
    )
    fresh_anchor = anchor("2509.01363", 52)
    fresh = Claim(
        id="reasoning-vectors",
        text="Reasoning ability transfers between models by task arithmetic on weights.",
        date=dt.date(2026, 5, 1),
        topics=("task arithmetic transfer of reasoning",),
        anchors=(fresh_anchor,),
        shelf_life_days=365,
        line=48,
    )
    verdicts = (
        Verdict(
            claim=cot,
            status=ClaimStatus.POSSIBLY_SUPERSEDED,
            reasons=(
                # as judge() words it: the strongest challenge, cut to about 60 and 160 characters
                '1 newer paper challenges it: 2509.01236 "Rethinking the Chain-of-Thought: The Roles '
                'of In-Context..." (confidence 0.82): "Contrary to the view that chain-of-thought '
                "degrades predictably under distribution shift, we find that its failures are driven by "
                'pre-trained priors rather..."',
                "481 days old, shelf life 180 days",
            ),
            age_days=481,
            anchors=(
                result(
                    cot_anchor,
                    AnchorStatus.OK,
                    "resolves; title matches",
                    "Is Chain-of-Thought Reasoning of LLMs a Mirage? A Data Distribution Lens",
                    1,
                ),
            ),
            matches=(
                stance(
                    match(
                        "2509.01236",
                        # arXiv keeps the line breaks of the source in titles.
                        "Rethinking the Chain-of-Thought: The Roles of In-Context Learning and\n"
                        "  Pre-trained Priors",
                        "2025-09-01",
                        87.5,
                        True,
                        "topic 'chain-of-thought generalization under distribution shift': title has "
                        "chain-of-thought; abstract has 'distribution shift', 'contrary to'",
                        "names no anchor",
                    ),
                    Stance.CHALLENGES,
                    0.82,
                    # ... and abstracts too.
                    "Contrary to the view that chain-of-thought degrades predictably under\n  distribution "
                    "shift, we find that its failures are driven by pre-trained priors rather than by the "
                    "shift itself.",
                    "anchor 2508.01191",
                ),
                match(
                    "2508.14828",
                    "Long Chain-of-Thought Reasoning Across Languages",
                    "2025-08-20",
                    74.25,
                    False,
                    "topic 'reasoning length and format shift': title has long, chain-of-thought",
                ),
                stance(
                    match(
                        "2509.00190",
                        "Explainable Chain-of-Thought Reasoning: An Empirical Analysis on State-Aware "
                        "Reasoning Dynamics",
                        "2025-08-29",
                        61.04,
                        False,
                        "topic 'chain-of-thought generalization under distribution shift': title has "
                        "chain-of-thought, reasoning",
                    ),
                    Stance.SUPPORTS,
                    0.64,
                    "Our analysis confirms that chain-of-thought accuracy falls as task length and format "
                    "move away from training.",
                    "the claim's words",
                ),
                # A challenge too weak to flag: listed with the challengers, never a flag.
                stance(
                    match(
                        "2509.03059",
                        "Loong: Synthesize Long Chain-of-Thoughts at Scale through Verifiers",
                        "2025-09-03",
                        52.3,
                        False,
                        "topic 'reasoning length and format shift': title has long",
                    ),
                    Stance.CHALLENGES,
                    0.41,
                    "Long chains of thought trained with verifiers generalise to unseen lengths.",
                    "topic 'reasoning length and format shift'",
                ),
            ),
        ),
        Verdict(
            claim=tok,
            status=ClaimStatus.ANCHOR_BROKEN,
            reasons=(
                "anchor 2508.99999 is not on arXiv",
                "anchor '25O8.1234' is malformed",
                "anchor hep-th/9901001v2 points at another paper than the one cited",
                "no newer paper challenges it (1 related newer paper)",
            ),
            age_days=442,
            anchors=(
                result(
                    tok_anchors[0],
                    AnchorStatus.OK,
                    "resolves; title matches",
                    "The Token Tax: Systematic Bias in Multilingual Tokenization",
                    2,
                ),
                result(tok_anchors[1], AnchorStatus.NOT_FOUND, "arXiv has no paper with this id"),
                result(tok_anchors[2], AnchorStatus.MALFORMED, tok_anchors[2].error or ""),
                result(
                    tok_anchors[3],
                    AnchorStatus.TITLE_MISMATCH,
                    "arXiv's title differs from the cited one (similarity 23)",
                    "Supersymmetric Yang-Mills theory on the lattice",
                    2,
                ),
            ),
            matches=(
                match(
                    "2509.05486",
                    "The Token Tax: Systematic Bias in Multilingual Tokenization",
                    "2025-09-05",
                    66.0,
                    False,
                    "topic 'tokenization cost across languages': title has tokenization, multilingual",
                ),
            ),
        ),
        Verdict(
            claim=scale,
            status=ClaimStatus.PERISHABLE,
            reasons=(
                "no newer paper challenges it (0 related newer papers)",
                "400 days old, shelf life 365 days",
            ),
            age_days=400,
            anchors=(
                result(
                    scale_anchor,
                    AnchorStatus.REVISED,
                    "revised since the claim's date: v1 cited, now v3",
                    "The Illusion of Diminishing Returns: Measuring Long Horizon Execution in LLMs",
                    3,
                ),
            ),
        ),
        Verdict(
            claim=icl,
            status=ClaimStatus.UNCHECKED,
            reasons=("the store has no papers after 2026-07-01; the claim is dated 2026-08-01",),
            age_days=117,
            anchors=(result(icl_anchor, AnchorStatus.UNCHECKED, "offline: not in the store"),),
        ),
        Verdict(
            claim=fresh,
            status=ClaimStatus.FRESH,
            reasons=(
                "no newer paper challenges it (2 related newer papers: 1 supports it); 209 days old, "
                "shelf life 365 days",
            ),
            age_days=209,
            anchors=(
                result(
                    fresh_anchor,
                    AnchorStatus.OK,
                    "resolves; title matches",
                    "Reasoning Vectors: Transferring Chain-of-Thought Capabilities via Task Arithmetic",
                    1,
                ),
            ),
            matches=(
                match(
                    "2606.01234",
                    "Model Merging for Reasoning: A Survey",
                    "2026-06-02",
                    41.0,
                    False,
                    "topic 'task arithmetic transfer of reasoning': title has reasoning",
                ),
                stance(
                    match(
                        "2606.04321",
                        "Task Vectors Carry Reasoning Across Model Families",
                        "2026-06-15",
                        38.5,
                        False,
                        "topic 'task arithmetic transfer of reasoning': title has task, reasoning",
                    ),
                    Stance.SUPPORTS,
                    0.78,
                    "We replicate the transfer of reasoning by task arithmetic across three model families.",
                    "anchor 2509.01363",
                ),
            ),
        ),
    )
    notes = ("anchors checked offline from the store cache (checked 2026-11-26)",)
    return Report(GENERATED, STORE, verdicts, stale=stale, notes=notes)


def hostile_report() -> Report:
    """One claim whose every untrusted string (ids aside) carries markup, escapes and links."""
    a = anchor(f"2508.01191 {SCRIPT}", 7, title=HOSTILE_TITLE)
    good = anchor("2508.01191", 8, title=HOSTILE_TITLE)
    claim = Claim(
        id=f"evil-{RICH_MARKUP}",
        text=HOSTILE_TITLE,
        date=dt.date(2025, 8, 2),
        topics=("anything",),
        anchors=(a, good),
        line=3,
    )
    verdict = Verdict(
        claim=claim,
        status=ClaimStatus.POSSIBLY_SUPERSEDED,
        reasons=(HOSTILE_TITLE,),
        age_days=10,
        anchors=(
            result(a, AnchorStatus.MALFORMED, HOSTILE_TITLE),
            result(good, AnchorStatus.TITLE_MISMATCH, HOSTILE_TITLE, HOSTILE_TITLE, 1),
        ),
        matches=(
            stance(
                match("2509.01236", HOSTILE_TITLE, "2025-09-01", 90.0, True, HOSTILE_TITLE),
                Stance.CHALLENGES,
                0.9,
                HOSTILE_SENTENCE,
                HOSTILE_TITLE,
            ),
            # An id that is not an arXiv id must never become a link.
            stance(
                match("javascript:alert(1)", HOSTILE_TITLE, "2025-09-02", 80.0, False, HOSTILE_TITLE),
                Stance.SUPPORTS,
                0.5,
                HOSTILE_SENTENCE,
                f"topic '{MD_LINK}'",
            ),
        ),
    )
    return Report(GENERATED, STORE, (verdict,), stale=True, notes=(HOSTILE_TITLE,))


@pytest.fixture
def report() -> Report:
    return sample_report()


@pytest.fixture
def hostile() -> Report:
    return hostile_report()


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "report"
REGENERATE = os.environ.get("FRESHNESS_REGENERATE_FIXTURES") == "1"


def assert_matches_fixture(text: str, name: str) -> None:
    """`text` must equal tests/fixtures/report/<name> exactly.

    After a deliberate change to a renderer, regenerate with FRESHNESS_REGENERATE_FIXTURES=1 and review
    the diff before committing it.
    """
    path = FIXTURES / name
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, f"{name} differs from the expected output (see the comparison above)"
