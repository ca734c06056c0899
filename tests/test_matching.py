"""The matcher on crafted papers: filters, directed challenges and what is not, anchors, safe FTS queries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

import pytest

from freshness.arxiv_ids import parse_arxiv_id
from freshness.flagging import FlagRule
from freshness.matching import (
    DEFAULT_SETTINGS,
    Matcher,
    fts_near,
    fts_phrase,
    fts_topic,
    match_claim,
    match_claims,
    short_name,
    topic_velocity,
)
from freshness.models import Anchor, Claim, Paper, Stance
from freshness.store import Store
from tests.conftest import NOW, make_paper

CLAIM_DATE = dt.date(2025, 1, 1)
MARCH = dt.date(2025, 3, 1)  # when the crafted papers of most tests appear
# A flag rule fixed for these tests, whatever the shipped rule is fitted to: confidence 0.5, top 20.
RULE_05 = dataclasses.replace(
    DEFAULT_SETTINGS, flag_rule=FlagRule(min_confidence=0.5, max_rank=20, min_score=0.0)
)
FILLER = (
    "We describe the experimental setup in detail, list the datasets used, report the hardware, the "
    "optimiser settings and the number of random seeds, and release all code and checkpoints. "
)


# The anchor two tests give the claim: the paper that named model collapse, with its short name.
CURSE_ANCHOR = Anchor(
    "2305.17493",
    parse_arxiv_id("2305.17493"),
    "The Curse of Recursion: Training on Generated Data Makes Models Forget",
    3,
    5,
)


def _claim(**fields: object) -> Claim:
    values: dict[str, object] = {
        "id": "collapse",
        "text": "Training generative models recursively on their own output leads to model collapse.",
        "date": CLAIM_DATE,
        "topics": ("model collapse", "recursive training"),
    }
    values.update(fields)
    return Claim(**values)  # type: ignore[arg-type]


def _march_paper(arxiv_id: str, title: str, abstract: str, *, then: str = "") -> Paper:
    """A paper of 2025-03-01 whose abstract is `abstract`, the setup sentences (FILLER), then `then`."""
    return make_paper(arxiv_id, title=title, abstract=abstract + FILLER + then, published=MARCH)


def _unrelated(n: int) -> list[Paper]:
    """Background papers, so that document frequencies look like a real corpus's."""
    subjects = ["image segmentation", "protein folding", "robot grasping", "speech recognition"]
    return [
        make_paper(
            f"2502.{10000 + i:05d}",
            title=f"Better {subjects[i % 4]} number {i}",
            abstract=f"We improve {subjects[i % 4]} with a new architecture. " + FILLER,
            published=dt.date(2025, 2, 1),
        )
        for i in range(n)
    ]


def _fill(store: Store, *papers: Paper) -> None:
    store.upsert_papers([*papers, *_unrelated(12)], source="test", now=NOW)


def test_a_directed_challenge_is_flagged_with_its_sentence_and_a_cue_elsewhere_is_not(store: Store) -> None:
    challenge = _march_paper(
        "2503.00001",
        "Model collapse under recursive training, measured again",
        "Prior work reports that recursive training leads to model collapse. We challenge this "
        "view: when real data is kept, model collapse does not occur. ",
    )
    elsewhere = _march_paper(
        "2503.00002",
        "Model collapse under recursive training, measured once more",
        "Model collapse is studied here. ",
        then="We revisit the optimiser defaults too.",
    )
    _fill(store, challenge, elsewhere)

    matches = {m.arxiv_id: m for m in match_claim(store, _claim(), settings=RULE_05)}

    flagged = matches["2503.00001"]
    assert flagged.superseding is True
    assert flagged.stance is Stance.CHALLENGES
    assert flagged.stance_sentence == (
        "We challenge this view: when real data is kept, model collapse does not occur."
    )
    assert flagged.stance_target == "topic 'model collapse'"
    assert flagged.confidence >= 0.8  # explicit, answers a stated belief
    assert matches["2503.00002"].superseding is False
    assert matches["2503.00002"].stance is Stance.RELATED  # "we revisit" aimed at nothing of the claim


def test_only_newer_papers_and_only_in_the_claims_categories(store: Store) -> None:
    before = make_paper("2412.00001", title="Model collapse in 2024", published=dt.date(2024, 12, 30))
    same_day = make_paper("2501.00001", title="Model collapse on the day", published=CLAIM_DATE)
    newer_cl = make_paper(
        "2501.00002", title="Model collapse, newer", published=dt.date(2025, 1, 2), categories=("cs.CL",)
    )
    newer_cv = make_paper(
        "2501.00003", title="Model collapse in images", published=dt.date(2025, 1, 3), categories=("cs.CV",)
    )
    _fill(store, before, same_day, newer_cl, newer_cv)

    every = {m.arxiv_id for m in match_claim(store, _claim())}
    only_cl = {m.arxiv_id for m in match_claim(store, _claim(categories=("cs.CL",)))}

    assert every == {"2501.00002", "2501.00003"}
    assert only_cl == {"2501.00002"}


def test_a_paper_naming_the_anchor_says_so_by_id_and_by_short_name(store: Store) -> None:
    anchor = CURSE_ANCHOR
    by_id = _march_paper(
        "2503.00010", "Recursive training revisited", "Following arXiv:2305.17493 we study model collapse. "
    )
    by_name = _march_paper(
        "2503.00011",
        "Breaking the curse of recursion",
        "The Curse of Recursion described model collapse; we test it. ",
    )
    _fill(store, by_id, by_name)

    matches = {m.arxiv_id: m for m in match_claim(store, _claim(anchors=(anchor,)))}

    assert "names anchor 2305.17493 by id" in matches["2503.00010"].evidence
    # A short name is only what the claims file calls the anchor: the id may be another paper.
    assert (
        "mentions 'The Curse of Recursion' (the short name the claims file gives anchor 2305.17493)"
        in matches["2503.00011"].evidence
    )
    assert not any(e.startswith("names anchor") for e in matches["2503.00011"].evidence)


def test_evidence_quotes_the_title_topic_and_the_original_abstract_text(store: Store) -> None:
    paper = _march_paper(
        "2503.00020",
        "Model collapse: a survey",
        "Recursive-training loops (so-called Model Collapse) degrade quality. ",
    )
    _fill(store, paper)

    [match] = [m for m in match_claim(store, _claim()) if m.arxiv_id == "2503.00020"]

    assert "title matches topic 'model collapse' (score 100)" in match.evidence
    assert any("(so-called Model Collapse)" in e for e in match.evidence if e.startswith("abstract: "))
    assert "covers 2 of 2 topics" in match.evidence
    assert 0 < match.score <= 100
    assert match.title == "Model collapse: a survey"
    assert match.published == dt.date(2025, 3, 1)


def test_results_are_best_first_and_limited(store: Store) -> None:
    strong = _march_paper(
        "2503.00030",
        "Model collapse in recursive training",
        "Model collapse and recursive training: model collapse again. ",
    )
    weak = _march_paper("2503.00031", "A note on generative models", "We mention model collapse once. ")
    _fill(store, strong, weak)

    matches = match_claim(store, _claim())
    assert [m.arxiv_id for m in matches][:2] == ["2503.00030", "2503.00031"]
    assert matches[0].score > matches[1].score
    assert len(match_claim(store, _claim(), limit=1)) == 1


def test_a_hyphenated_topic_also_finds_the_closed_compound(store: Store) -> None:
    paper = _march_paper(
        "2503.00040", "Efficient finetuning of adapters", "We study finetuning with few parameters. "
    )
    _fill(store, paper)

    claim = _claim(topics=("fine-tuning",), text="Fine-tuning adapters is cheap.")
    assert [m.arxiv_id for m in match_claim(store, claim)] == ["2503.00040"]


def test_a_hyphenated_topic_counts_when_its_closed_compound_is_near_its_other_words(store: Store) -> None:
    # "full fine-tuning comparison" is not a phrase papers write; "we compare LoRA and full finetuning"
    # says it with the compound closed and the words apart: the words-near fallback reads both forms.
    closed = _march_paper(
        "2503.00041", "LoRA on two domains", "We compare LoRA and full finetuning on code and mathematics. "
    )
    other = _march_paper(
        "2503.00042", "LoRA on two domains", "We apply LoRA to code and mathematics and report the results. "
    )
    _fill(store, closed, other)

    claim = _claim(topics=("LoRA", "full fine-tuning comparison"), text="LoRA matches full fine-tuning.")
    matches = match_claim(store, claim)

    assert [m.arxiv_id for m in matches] == ["2503.00041", "2503.00042"]
    assert "covers 2 of 2 topics" in matches[0].evidence
    assert "covers 1 of 2 topics" in matches[1].evidence
    assert any("compare LoRA and full finetuning" in e for e in matches[0].evidence)


def test_a_compound_whose_closed_stem_is_its_first_word_is_not_read_closed(store: Store) -> None:
    # Closed, "multi-turn" would stem to "multi", as "multiple" does: "multiple benchmarks" near
    # "correction" must not count as the topic "multi-turn correction".
    paper = _march_paper(
        "2503.00043",
        "Self-correction on many benchmarks",
        "Self-correction improves accuracy across multiple benchmarks; each correction is checked. ",
    )
    _fill(store, paper)

    claim = _claim(topics=("self-correction", "multi-turn correction"), text="Models cannot self-correct.")
    (match,) = match_claim(store, claim)

    assert "covers 1 of 2 topics" in match.evidence


def test_coverage_scores_the_share_of_the_claims_topics_a_paper_mentions(store: Store) -> None:
    two = _march_paper("2503.00044", "Notes", "Model collapse follows from recursive training. ")
    one = _march_paper("2503.00045", "Notes", "Model collapse, model collapse and model collapse again. ")
    _fill(store, two, one)
    claim = _claim(topics=("model collapse", "recursive training", "synthetic data"))

    weights = dict(DEFAULT_SETTINGS.weights)
    assert weights["coverage"] > 0
    assert sum(weights.values()) == pytest.approx(1.0)
    coverage_alone = dataclasses.replace(DEFAULT_SETTINGS, weights=(("coverage", 1.0),))
    scores = {m.arxiv_id: m.score for m in match_claim(store, claim, settings=coverage_alone)}

    assert scores == {"2503.00044": pytest.approx(66.7), "2503.00045": pytest.approx(33.3)}


@pytest.mark.parametrize(
    "topic",
    [
        'model "collapse',
        "model collapse AND OR NOT",
        "NEAR(model collapse)",
        "model* ^collapse (x)",
        "title:model collapse",
        "model - collapse; DROP TABLE papers",
        "\"'\\",
    ],
)
def test_fts_special_characters_in_topics_never_break_the_query(store: Store, topic: str) -> None:
    paper = _march_paper("2503.00050", "Model collapse", "Model collapse happens. ")
    _fill(store, paper)

    matches = match_claim(store, _claim(topics=(topic,), text='Model collapse (AND "quotes").'))

    if any(c.isalpha() for c in topic.replace("AND", "").replace("OR", "").replace("NOT", "")):
        assert "2503.00050" in {m.arxiv_id for m in matches}
    assert store.count_matches('"papers"') >= 0  # the table is still there


def test_fts_query_builders_quote_words_only() -> None:
    assert fts_phrase('Lost "in" the-Middle*') == '"lost in the middle"'
    assert fts_phrase("?!") is None
    assert fts_near("position of relevant information") == ('NEAR("position" "relevant" "information", 10)')
    assert fts_near("LoRA") is None


def test_short_name_is_the_title_head_before_a_colon() -> None:
    assert short_name("LoRA: Low-Rank Adaptation of Large Language Models") == "LoRA"
    assert short_name("Lost in the Middle: How Language Models Use Long Contexts") == "Lost in the Middle"
    assert short_name("Training Compute-Optimal Large Language Models") is None
    assert short_name("A Very Long Head Of Five Words: and a tail") is None


def test_match_claims_keys_by_claim_id(store: Store) -> None:
    paper = make_paper("2503.00060", title="Model collapse", published=MARCH)
    _fill(store, paper)
    other = _claim(id="other", topics=("protein folding",), text="Proteins fold.")

    out = match_claims(store, [_claim(), other])

    assert set(out) == {"collapse", "other"}
    assert "2503.00060" in {m.arxiv_id for m in out["collapse"]}
    assert "2503.00060" not in {m.arxiv_id for m in out["other"]}


def test_empty_store_gives_no_matches(store: Store) -> None:
    assert match_claim(store, _claim()) == []


def test_topic_velocity_counts_related_papers_in_the_window_and_challenges(store: Store) -> None:
    today = dt.date(2025, 6, 30)
    recent = [
        make_paper(
            f"2505.{i:05d}",
            title="Model collapse in recursive training",
            abstract=(
                "It is widely believed that recursive training causes model collapse. Our results refute "
                "this belief: model collapse is not inevitable. "
                if i == 1
                else "Model collapse under recursive training is confirmed. "
            )
            + FILLER,
            published=dt.date(2025, 5, 1) + dt.timedelta(days=10 * i),
        )
        for i in range(1, 5)
    ]
    old = make_paper(
        "2502.00001",
        title="Model collapse in recursive training, early",
        abstract="Model collapse under recursive training. " + FILLER,
        published=dt.date(2025, 2, 1),
    )
    _fill(store, *recent, old)

    v = topic_velocity(store, _claim(), today=today, window_days=90, settings=RULE_05)

    assert v.since == dt.date(2025, 4, 1)
    assert v.until == today
    assert v.related == 4
    assert v.challenging == 1  # the claim's flagged matches in the window, as its report shows them
    assert v.by_month == (("2025-05", 3), ("2025-06", 1))
    assert v.per_month == pytest.approx(4 * 30.44 / 90)

    since_claim = topic_velocity(store, _claim(date=dt.date(2025, 5, 15)), today=today)
    assert since_claim.since == dt.date(2025, 5, 15)
    assert since_claim.related == 3


def test_a_title_that_argues_with_a_topic_is_a_challenge_and_one_that_only_asks_is_a_weak_one(
    store: Store,
) -> None:
    question = _march_paper(
        "2503.00070",
        "Is model collapse real at scale?",
        "We train generators on their own samples for many generations. ",
    )
    argues = _march_paper(
        "2503.00071",
        "The myth of model collapse",
        "We train generators on their own samples for many generations. ",
    )
    plain = _march_paper(
        "2503.00072",
        "Model collapse in generators",
        "We train generators on their own samples for many generations. ",
    )
    _fill(store, question, argues, plain)

    matches = {m.arxiv_id: m for m in match_claim(store, _claim(), settings=RULE_05)}

    asks, myth, plain_match = matches["2503.00070"], matches["2503.00071"], matches["2503.00072"]
    assert (asks.stance, asks.stance_sentence) == (Stance.CHALLENGES, "Is model collapse real at scale?")
    assert asks.confidence < 0.5
    assert not asks.superseding
    assert (myth.stance, myth.stance_sentence, myth.superseding) == (
        Stance.CHALLENGES,
        "The myth of model collapse",
        True,
    )
    assert plain_match.stance is Stance.RELATED
    assert not plain_match.superseding


def test_a_paper_that_names_the_anchor_and_argues_with_it_is_superseding(store: Store) -> None:
    anchor = CURSE_ANCHOR
    paper = _march_paper(
        "2503.00080",
        "Generators that stay stable on their own output",
        "The curse of recursion is widely considered a fundamental limitation of generators. We "
        "show that it is not an inherent failure: generators trained on their own output stay stable. ",
    )
    _fill(store, paper)

    [match] = match_claim(store, _claim(anchors=(anchor,), topics=("model collapse",)), settings=RULE_05)

    assert match.arxiv_id == "2503.00080"
    assert match.superseding
    assert match.stance_target == "anchor 2305.17493"
    assert match.stance_sentence is not None
    assert match.stance_sentence.startswith("We show that it is not an inherent failure")


def test_a_claims_own_anchor_is_never_among_its_matches(store: Store) -> None:
    anchor_paper = _march_paper(
        "2503.00081",
        "Model collapse under recursive training",
        "Recursive training leads to model collapse. ",
    )
    _fill(store, anchor_paper)
    anchor = Anchor("2503.00081v2", parse_arxiv_id("2503.00081v2"), anchor_paper.title, 3, 5)

    assert match_claim(store, _claim()) != []
    assert match_claim(store, _claim(anchors=(anchor,))) == []


def test_fts_topic_leaves_function_words_to_near_and_trims_generic_ends() -> None:
    assert fts_topic("lost in the middle") == 'NEAR("lost" "middle", 2)'
    assert fts_topic("position of relevant information") == 'NEAR("position" "relevant information", 1)'
    assert fts_topic("model collapse") == '"model collapse"'  # "model" stays: one other word left
    assert fts_topic("graph guided fine tuning of language models") == '"graph guided fine tuning"'
    assert fts_topic("large language models") == '"large language models"'  # nothing else to keep
    assert fts_topic("the") == '"the"'
    assert fts_topic('NEAR(x "y")') == '"near x y"'
    assert fts_topic("?!") is None


def test_a_topic_matches_inflected_and_misspelled_but_not_inside_a_word(store: Store) -> None:
    inflected = _march_paper(
        "2503.00090",
        "Causal mediation in transformers",
        "Heads carry a function vector (FV) that triggers the task. ",
    )
    typo = _march_paper(
        "2503.00091",
        "Random matrices for adapters",
        "Low-rank adapation (LoRA) is a popular method. ",
        then="Adaptation is cheap.",
    )
    inside = _march_paper(
        "2503.00092", "Robot exploration", "Exploration of rewards in the space of functions. "
    )
    _fill(store, inflected, typo, inside)
    claim = _claim(topics=("function vectors", "low-rank adaptation", "lora"), text="Adapters are cheap.")

    found = {m.arxiv_id: m for m in match_claim(store, claim)}

    assert (
        "abstract: 'Heads carry a function vector (FV) that triggers the task. We describe the expe...'"
        in found["2503.00090"].evidence
    )
    assert any("Low-rank adapation (LoRA)" in e for e in found["2503.00091"].evidence)
    assert "covers 2 of 3 topics" in found["2503.00091"].evidence  # the typo and "lora"
    assert "2503.00092" not in found  # "lora" is not in "exploration", "functions" alone is no topic


def test_rare_topics_need_no_ranked_query_and_common_ones_are_ranked_in_titles(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = [
        make_paper(
            f"2504.{i:05d}",
            title=f"Model collapse study {i}" if i < 3 else f"A study {i}",
            abstract="We see model collapse here. " + FILLER,
            published=dt.date(2025, 4, 1),
        )
        for i in range(30)
    ]
    rare = _march_paper("2503.00100", "Autophagous loops", "An autophagous loop. ")
    _fill(store, rare, *many)
    searched: list[str] = []
    real_search = store.search

    def spy(query: str, **kwargs: object) -> list[tuple[int, float]]:
        searched.append(query)
        return real_search(query, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "search", spy)
    settings = dataclasses.replace(DEFAULT_SETTINGS, topic_query_limit=4, few_rows=8)  # 30: a common topic
    claim = _claim(
        topics=("autophagous loop", "model collapse"), text="Autophagous loops degrade generators."
    )

    found = [m.arxiv_id for m in match_claim(store, claim, settings=settings)]

    assert "2503.00100" in found
    assert set(found[:3]) <= {"2503.00100", "2504.00000", "2504.00001", "2504.00002"}
    assert searched == ['{title} : ("model collapse")']  # the rare topic and words came unranked


def test_match_claims_in_worker_processes_gives_the_same_matches(store: Store) -> None:
    papers = [
        make_paper(
            f"2503.{i:05d}",
            title=f"Model collapse in setting {i}",
            abstract=f"Recursive training {i} shows model collapse. " + FILLER,
            published=MARCH,
        )
        for i in range(1, 9)
    ]
    _fill(store, *papers)
    claims = [_claim(id=f"c{i}", date=dt.date(2025, 1, i + 1)) for i in range(6)]

    one = match_claims(store, claims, workers=1)
    two = match_claims(store, claims, workers=2)

    assert list(two) == [c.id for c in claims]
    assert two == one
    assert all(len(v) == 8 for v in one.values())


def test_only_the_claims_best_papers_can_be_flagged_superseding(store: Store) -> None:
    strong = _march_paper(
        "2503.00110",
        "Model collapse under recursive training",
        "Prior work argues that recursive training causes model collapse. We refute this claim. ",
    )
    weaker = _march_paper(
        "2503.00111",
        "Generators and their samples",
        "Prior work argues that model collapse is universal. We refute this claim. ",
    )
    _fill(store, strong, weaker)

    both = {m.arxiv_id: m.superseding for m in match_claim(store, _claim(), settings=RULE_05)}
    rank_1 = dataclasses.replace(RULE_05, flag_rule=dataclasses.replace(RULE_05.flag_rule, max_rank=1))
    best_only = {m.arxiv_id: m.superseding for m in match_claim(store, _claim(), settings=rank_1)}

    assert both == {"2503.00110": True, "2503.00111": True}
    assert best_only == {"2503.00110": True, "2503.00111": False}


def test_a_title_about_the_claims_subject_ranks_above_one_about_something_else(store: Store) -> None:
    abstract = "We study model collapse under recursive training of generators. "
    focused = _march_paper("2503.00120", "Recursive training and model collapse", abstract)
    elsewhere = _march_paper("2503.00121", "Malware triage, spectroscopy and model collapse", abstract)
    _fill(store, focused, elsewhere)

    first, second = match_claim(store, _claim())[:2]

    assert (first.arxiv_id, second.arxiv_id) == ("2503.00120", "2503.00121")
    assert first.score > second.score
    assert "title: 3 of its 3 words are the claim's" in first.evidence  # "model" is too common to count
    assert "title: 1 of its 4 words are the claim's" in second.evidence


def test_the_stores_cheap_counts_for_the_matcher(store: Store) -> None:
    def abstract(i: int) -> str:
        return ("Model collapse again." if i % 3 == 0 else "Something else.") + (
            " Rare edge." if i < 30 else ""
        )

    papers = [
        make_paper(f"2505.{i:05d}", title=f"Paper {i}", abstract=abstract(i), published=dt.date(2025, 5, 1))
        for i in range(2400)
    ]
    store.upsert_papers(papers, source="test", now=NOW)

    assert len(store.match_rowids('"collapse"', limit=10)) == 10
    assert len(store.match_rowids('"collapse"', limit=1000)) == 800  # every match when fewer
    assert store.estimate_matches('"collapse"') == 800  # a small store: counted exactly
    # Two windows of 1,080 rowids around 25% and 75% of the store, scaled up to all of it ...
    assert 780 <= store.estimate_matches('"collapse"', windows=2, share=0.9, exact_below=0) <= 820
    assert store.estimate_matches('"edge"', windows=2, share=0.9, exact_below=0) == 0  # outside both
    # ... and counted exactly when the estimate is below `exact_below`.
    assert store.estimate_matches('"edge"', windows=2, share=0.9, exact_below=1) == 30


def test_a_worker_that_dies_leaves_the_matching_to_this_process(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from freshness.matching import workers

    _fill(store, make_paper("2503.00130", title="Model collapse", published=MARCH))
    claims = [_claim(id=f"c{i}") for i in range(3)]
    monkeypatch.setattr(workers, "_WORKER", "import sys; sys.exit('worker broke')")

    with caplog.at_level("WARNING", logger="freshness.matching"):
        out = match_claims(store, claims, workers=2)

    assert [m.arxiv_id for m in out["c2"]] == ["2503.00130"]
    assert "matching in this process instead: a matching worker failed: worker broke" in caplog.text


def test_inflections_of_a_topic_match_it_as_a_phrase(store: Store) -> None:
    paper = _march_paper(
        "2503.00140", "How models scale when trained longer", "Training compute grows and so does loss. "
    )
    _fill(store, paper)

    [match] = match_claim(store, _claim(topics=("model scaling",), text="Scaling models is predictable."))

    assert "title matches topic 'model scaling' (score 100)" in match.evidence  # models scale


def _varied_papers(n: int) -> list[Paper]:
    """Papers that bear on the claim to different degrees: topics in the title or abstract or not,
    the claim's words more or less often, earlier or later."""
    mentions = [
        "model collapse",
        "recursive training",
        "model collapse under recursive training",
        "generative models trained on their own output",
        "collapse of the model",
        "training",
    ]
    return [
        make_paper(
            f"2503.{100 + i:05d}",
            title=f"{mentions[i % 6].capitalize()} study {i}" if i % 3 else f"Unrelated study {i}",
            abstract=f"We study {mentions[(i // 2) % 6]}. " * (1 + i % 4)
            + ("Prior work claimed it; we find no evidence. " if i % 5 == 0 else "")
            + FILLER,
            published=CLAIM_DATE + dt.timedelta(days=7 * (i % 40) + 1),
        )
        for i in range(n)
    ]


def test_pruned_ranking_gives_exactly_what_scoring_every_candidate_gives(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from freshness.matching import relevance

    _fill(store, *_varied_papers(90))
    scored: list[str] = []
    features = relevance._features

    def counting(paper: Paper, *args: object, **kwargs: object) -> object:
        if kwargs.get("explain") is False:
            scored.append(paper.arxiv_id)
        return features(paper, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(relevance, "_features", counting)
    today = dt.date(2025, 12, 31)
    results = {}
    for prune in (False, True):
        # prune_ratio=1: prune whenever there are more candidates than places
        settings = dataclasses.replace(DEFAULT_SETTINGS, prune=prune, prune_ratio=1)
        scored.clear()
        results[prune] = (
            [match_claim(store, _claim(), limit=limit, settings=settings) for limit in (3, 10, 50)],
            topic_velocity(store, _claim(), today=today, window_days=400, settings=settings),
        )
        results[prune, "scored"] = len(scored)  # type: ignore[index]

    assert results[True] == results[False]
    assert len(results[True][0][2]) > 20  # the claim has enough matches for the limits to matter
    assert results[True, "scored"] < results[False, "scored"]  # type: ignore[index]


def test_a_score_above_its_bound_turns_pruning_off_with_the_same_matches(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from freshness.matching import relevance

    _fill(store, *_varied_papers(40))
    expected = match_claim(
        store, _claim(), limit=5, settings=dataclasses.replace(DEFAULT_SETTINGS, prune=False)
    )
    # A scoring change that no longer keeps to the bound's assumptions: bounds below real scores.
    pruned = dataclasses.replace(DEFAULT_SETTINGS, prune=True, prune_ratio=1)
    monkeypatch.setattr(relevance, "_score_bound", lambda *args: pruned.min_score + 0.5)
    matcher = Matcher(store, pruned)  # its own memo: pruning not yet switched off

    with caplog.at_level("WARNING", logger="freshness.matching"):
        got = matcher.match(_claim(), limit=5)

    assert got == expected
    assert matcher.memo.pruning.broken
    assert "matching without pruning" in caplog.text


def test_match_with_velocity_in_workers_gives_what_this_process_gives(store: Store) -> None:
    from freshness.matching import match_with_velocity

    _fill(store, *_varied_papers(30))
    jobs = [(_claim(id=f"c{i}", date=dt.date(2025, 1, 1 + i)), 5 + i, dt.date(2025, 9, 1)) for i in range(6)]

    one = match_with_velocity(store, jobs, workers=1)
    two = match_with_velocity(store, jobs, workers=2)

    assert two == one
    assert list(one) == [f"c{i}" for i in range(6)]
    assert one["c0"] == (
        match_claim(store, jobs[0][0], limit=5),
        topic_velocity(store, jobs[0][0], today=dt.date(2025, 9, 1)),
    )
    assert one["c0"][1].related > 0


def test_matching_widens_the_connections_page_cache(store: Store) -> None:
    _fill(store, make_paper("2503.00001", title="Model collapse revisited", published=MARCH))
    assert store.db.execute("PRAGMA cache_size").fetchone()[0] == -2000  # SQLite's default, 2 MiB

    assert [m.arxiv_id for m in match_claim(store, _claim())] == ["2503.00001"]
    assert store.db.execute("PRAGMA cache_size").fetchone()[0] == -DEFAULT_SETTINGS.page_cache_mib * 1024


def test_settings_are_one_frozen_value_that_pickles_for_the_workers() -> None:
    stricter = dataclasses.replace(DEFAULT_SETTINGS, min_score=12.5, weights=(("coverage", 1.0),))

    assert pickle.loads(pickle.dumps(stricter)) == stricter
    assert stricter != DEFAULT_SETTINGS
    assert {stricter: 1, DEFAULT_SETTINGS: 2}[stricter] == 1  # hashable: a store's memos are kept by it
    assert DEFAULT_SETTINGS.weight("coverage") == dict(DEFAULT_SETTINGS.weights)["coverage"]
    assert stricter.weight("topics") == 0.0  # a feature without a weight counts nothing
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_SETTINGS.min_score = 0.0  # type: ignore[misc]


def test_a_stores_memo_is_shared_by_its_matchers_with_the_same_settings(store: Store) -> None:
    from freshness.matching import matcher_for

    _fill(store, make_paper("2503.00001", title="Model collapse revisited", published=MARCH))
    first = matcher_for(store)
    first.match(_claim())

    assert matcher_for(store).memo is first.memo
    assert first.memo.texts  # the candidates read as words, for the next claim
    assert matcher_for(store, dataclasses.replace(DEFAULT_SETTINGS, few_rows=8)).memo is not first.memo
