"""titles: a cited title against arXiv's, by similarity and word by word."""

from __future__ import annotations

import pytest

from freshness.models import AnchorStatus
from freshness.titles import TITLE_THRESHOLD, grade_title, normalise_title, title_similarity


@pytest.mark.parametrize(
    ("cited", "actual"),
    [
        ("attention is all you need.", "Attention Is All You Need"),
        ("$\\alpha$-Divergence Preference Optimization", "\u03b1-Divergence Preference Optimization"),
        ('\\emph{Schr\\"odinger} Bridges', "Schr\u00f6dinger Bridges"),
        ("ProRL", "ProRL: Prolonged Reinforcement Learning Expands Reasoning Boundaries in LLMs"),
        ("Chain of thought prompting elicits reasoning", "Chain-of-Thought Prompting Elicits Reasoning"),
        (
            "Optimizing Retrieval for RAG viaReinforced Contrastive Learning",
            "Optimizing Retrieval for RAG via Reinforced Contrastive Learning",
        ),
    ],
)
def test_title_variants_of_the_same_paper_match(cited: str, actual: str) -> None:
    assert title_similarity(cited, actual) >= TITLE_THRESHOLD


@pytest.mark.parametrize(
    ("cited", "actual"),
    [
        (
            "MMAU: A Massive Multi-Task Audio Understanding and Reasoning Benchmark",
            "MMTU: A Massive Multi-Task Table Understanding and Reasoning Benchmark",
        ),
        ("Kwai Keye-VL 1.5 Technical Report", "Kwai Keye-VL-2.0 Technical Report"),
        ("Heat-bath random walks with Markov bases", "Scaling Laws for Neural Language Models"),
    ],
)
def test_titles_of_different_papers_do_not(cited: str, actual: str) -> None:
    assert title_similarity(cited, actual) < TITLE_THRESHOLD


def test_normalise_title() -> None:
    assert (
        normalise_title("  $\\mathcal{O}(n)$ Sparse-Attention, R\u00e9sum\u00e9!")
        == "o n sparse attention resume"
    )


def test_graded_titles() -> None:
    mirage = grade_title(
        "Chain-of-Thought Reasoning as Data Distribution Mirage",
        "Is Chain-of-Thought Reasoning of LLMs a Mirage? A Data Distribution Lens",
    )
    assert mirage.status is AnchorStatus.TITLE_DIFFERS
    assert mirage.in_title == ("chain", "thought", "reasoning", "data", "distribution", "mirage")
    difficulty = grade_title(
        "Sample Difficulty in RLVR and Degenerate Shortcuts",
        "Mechanistically Interpreting the Role of Sample Difficulty in RLVR for LLMs",
        "Training on overly hard problems makes the policy degenerate into shortcuts.",
    )
    assert difficulty.status is AnchorStatus.TITLE_DIFFERS
    assert difficulty.in_title == ("sample", "difficulty", "rlvr")
    assert difficulty.in_abstract == ("degenerate", "shortcuts")
    unrelated = grade_title(
        "Base Models Know How to Reason, Thinking Models Learn When",
        "Mechanistically Interpreting the Role of Sample Difficulty in RLVR for LLMs",
        "We study how reasoning models learn from hard samples.",
    )
    assert unrelated.status is AnchorStatus.TITLE_MISMATCH
    assert "the id may point at another paper" in unrelated.describe("a", "b")
    same = grade_title("Scaling laws for neural language models", "Scaling Laws for Neural Language Models")
    assert same.status is AnchorStatus.OK
