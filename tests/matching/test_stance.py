"""Stance, sentence by sentence: what counts as a directed challenge, what is support, what is neither.

The abstracts are real ones from the shared corpus (shortened where marked) or written to isolate one
rule; the claim side and names are built the way the matcher builds them.
"""

from __future__ import annotations

import pytest

from freshness.matching.sentences import ANCHOR_AIM, FIELD_AIM, TOPIC_AIM, Name, sentence_spans
from freshness.matching.stance import ClaimSide, claim_side, judge_stance
from freshness.matching.text import _STEMS, _Text
from freshness.models import Stance


def _name(label: str, text: str, strength: float) -> Name:
    stems = frozenset(_STEMS[w] for w in _Text(text).words)
    return Name(label, stems, len(stems), strength)


REVERSAL = claim_side(
    "LLMs trained on facts of the form 'A is B' do not automatically generalise to the reverse 'B is A'.",
    frozenset(_STEMS[w] for w in ("generalise", "reverse", "facts", "trained")),
)
REVERSAL_NAMES = [
    _name("anchor 2309.12288", "reversal curse", ANCHOR_AIM),
    _name("topic 'reverse relation'", "reverse relation", TOPIC_AIM),
    _name("topic 'knowledge generalization'", "knowledge generalization", FIELD_AIM),
]


def _judge(
    abstract: str, title: str = "A study", side: ClaimSide = REVERSAL, names: list[Name] | None = None
):  # type: ignore[no-untyped-def]
    return judge_stance(side, _Text(title), _Text(abstract), REVERSAL_NAMES if names is None else names)


def test_sentences_do_not_end_at_abbreviations_or_decimals() -> None:
    text = "Prior work (Smith et al. 2023) found 2.5x gains, e.g. on QA. We disagree. Really?"
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Prior work (Smith et al. 2023) found 2.5x gains, e.g. on QA.",
        "We disagree.",
        "Really?",
    ]


def test_a_challenge_that_answers_a_stated_belief_about_the_anchor_is_sure() -> None:
    # 2602.02470, shortened.
    st = _judge(
        "Autoregressive LLMs can still fail in very simple logical reasoning such as the reversal curse. "
        "Extensive prior research suggests that this failure is an inherent, fundamental limit of "
        "autoregressive causal LLMs. In this paper, we challenge this view by showing that this seemingly "
        "fundamental limit can be mitigated by slightly tweaking the training data."
    )
    assert st.stance is Stance.CHALLENGES
    assert st.confidence >= 0.8
    assert st.sentence is not None
    assert st.sentence.startswith("In this paper, we challenge this view")
    assert st.target == "anchor 2309.12288"


def test_not_an_inherent_failure_is_a_challenge() -> None:
    # 2509.21993, first two sentences.
    st = _judge(
        "The reversal curse -- a language model's inability to infer an unseen fact B is A from a learned "
        "fact A is B -- is widely considered a fundamental limitation. We show that this is not an inherent "
        "failure but an artifact of how models encode knowledge."
    )
    assert (st.stance, st.sentence) == (
        Stance.CHALLENGES,
        "We show that this is not an inherent failure but an artifact of how models encode knowledge.",
    )
    assert st.confidence >= 0.8


@pytest.mark.parametrize(
    "abstract",
    [
        # A method paper describing its own contribution: contrastive words, no verdict on the claim.
        "We propose a permutation training method that overcomes the reversal curse and avoids the "
        "limitations of prior approaches.",
        # Background that restates the claim, in no one's voice.
        "LLMs suffer from the reversal curse, and such failures cast doubt on their reasoning.",
        # Disagreement aimed at something the claim does not name.
        "Contrary to previous findings, we show that the optimal learning rate grows with batch size.",
        # A problem statement: 'challenges' as a noun.
        "Knowledge editing faces challenges such as the reversal curse and ripple effects.",
    ],
)
def test_what_is_not_a_directed_challenge(abstract: str) -> None:
    st = _judge(abstract)
    assert not (st.stance is Stance.CHALLENGES and st.confidence >= 0.45), st


def test_agreement_with_the_claim_is_support_and_a_negated_replication_is_not() -> None:
    agrees = _judge(
        "We replicate the reversal curse across model families: our results confirm the findings of prior "
        "work at every scale."
    )
    assert agrees.stance is Stance.SUPPORTS
    assert agrees.confidence >= 0.55
    negated = _judge(
        "Prior work reported the reversal curse. However, later studies have not consistently replicated "
        "these effects, and we find the reversal curse is not present in our models."
    )
    assert negated.stance is Stance.CHALLENGES


def test_a_paper_agreeing_with_its_own_theory_does_not_support_the_claim() -> None:
    st = _judge(
        "We prove that transformers learn the reverse relation. Finally, we present experiments supporting "
        "our theoretical results, confirming the reverse relation behaviours we predicted."
    )
    assert st.stance is not Stance.SUPPORTS


def test_evidence_too_weak_either_way_is_no_stance() -> None:
    positive = ClaimSide(negative=False, words=frozenset())
    names = [_name("topic 'memorization'", "memorization", FIELD_AIM)]
    st = judge_stance(
        positive, _Text("How much do language models memorize?"), _Text("We measure it."), names
    )
    assert st.stance is Stance.RELATED  # a question in a title about the field is no verdict


def test_a_finding_of_the_opposite_polarity_is_a_weaker_challenge_and_the_same_polarity_support() -> None:
    positive_claim = ClaimSide(negative=False, words=frozenset())
    names = [_name("topic 'sparse autoencoder'", "sparse autoencoders", TOPIC_AIM)]
    fails = _judge(
        "Our results show that sparse autoencoders fail to reach the neuron baseline.",
        side=positive_claim,
        names=names,
    )
    works = _judge(
        "Our results show that sparse autoencoders outperform the neuron baseline.",
        side=positive_claim,
        names=names,
    )
    assert fails.stance is Stance.CHALLENGES
    assert 0.3 < fails.confidence < 0.6
    assert works.stance is Stance.SUPPORTS


def test_a_title_that_disagrees_counts_and_the_claims_own_name_is_no_cue() -> None:
    mirage = claim_side(
        "Chain-of-thought reasoning is a mirage bounded by the training distribution.", frozenset()
    )
    names = [_name("topic 'reasoning mirage'", "reasoning mirage", TOPIC_AIM)]
    own_name = judge_stance(mirage, _Text("The Reasoning Mirage benchmark"), _Text("We release data."), names)
    argues = judge_stance(mirage, _Text("The reasoning mirage is a myth"), _Text("We release data."), names)
    assert own_name.stance is Stance.RELATED  # "mirage" is the topic's word, not a verdict
    assert argues.stance is Stance.CHALLENGES
    assert argues.sentence == "The reasoning mirage is a myth"


def test_a_sentence_naming_one_aspect_of_the_field_counts_less_than_one_naming_the_claim() -> None:
    field_only = [_name("topic 'scaling laws'", "scaling laws", FIELD_AIM)]
    specific = [*field_only, _name("anchor 2203.15556", "chinchilla", ANCHOR_AIM)]
    text = "Contrary to prior findings, we show that scaling laws for Chinchilla models do not hold."
    positive = ClaimSide(negative=False, words=frozenset())
    weak = judge_stance(positive, _Text("t"), _Text(text.replace(" for Chinchilla models", "")), field_only)
    strong = judge_stance(positive, _Text("t"), _Text(text), specific)
    assert weak.stance is strong.stance is Stance.CHALLENGES
    assert weak.confidence < strong.confidence
    assert strong.target == "anchor 2203.15556"


def test_untrusted_text_is_quoted_as_written() -> None:
    st = _judge("Prior work claims the reversal curse is inherent. We refute this claim [bold]<script>.")
    assert st.sentence == "We refute this claim [bold]<script>."
