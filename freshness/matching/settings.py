"""The matcher's tunables as one frozen, picklable value (docs/matching.md; measurements: docs/dev/)."""

from __future__ import annotations

from dataclasses import dataclass

from freshness.flagging import DEFAULT_RULE, FlagRule

# How the features add up to a score (out of 1; docs/dev/matching-log.md has the before/after figures), in the
# order they are added up: (feature, weight) pairs, so that the settings stay hashable and picklable.
WEIGHTS: tuple[tuple[str, float], ...] = (
    ("topics", 0.28),  # rarity-weighted, saturated mentions of the claim's topics
    ("coverage", 0.15),  # the share of the claim's topics it covers ("covers 3 of 9 topics")
    ("words", 0.20),  # the same for the claim's own content words
    ("title", 0.0),  # the title names a topic (evidence only: it did not improve the ranking)
    ("focus", 0.14),  # the title is about the claim's subject, not about something else too
    ("prior", 0.05),  # discusses prior findings near a topic
    ("anchor", 0.04),  # names an anchor by id, title or short name
    ("proximity", 0.14),  # early responses: 1 at the claim's date, 1/2 a year later, 1/3 two years later
)


@dataclass(frozen=True)
class MatchSettings:
    """Every figure the matcher is tuned by. Passed down to whatever uses one, and to the worker
    processes; `dataclasses.replace(DEFAULT_SETTINGS, ...)` makes a variant (tests, experiments)."""

    # Retrieval
    topic_query_limit: int = 80  # candidates per topic
    titles_when_more: float = 5.0  # a topic in more papers than this many times its limit: titles only
    near_when_fewer: float = 0.25  # a topic in fewer papers than this many times its limit: its words
    # near each other (any order, within 10 words) are searched too
    words_query_limit: int = 100  # candidates from the OR of the claim's distinctive words ...
    distinctive_share: float = 0.005  # ... words in at most this share of papers (or distinctive_min:
    distinctive_min: int = 1000  # in a small store every word is distinctive) ...
    distinctive_max: int = 5  # ... at most this many of them, the rarest
    anchor_query_limit: int = 40  # candidates naming an anchor (id, title, short name)
    few_rows: int = 2 * 80  # a term in at most this many papers is retrieved whole, unranked
    exact_below: int = 20_000  # a term in fewer papers (by a sampled estimate) is counted exactly
    page_cache_mib: int = 64  # SQLite page cache of a connection the matcher reads (SQLite's: 2 MiB)
    # Scoring
    phrase_cutoff: float = 88.0  # partial_ratio at which a topic with a typo still counts as its phrase
    near_words: int = 12  # words within which a topic's words in another order still count (weaker)
    near_score: float = 75.0  # how a topic found only by its words near each other counts, out of 100
    cue_words: int = 20  # words either side of a topic mention within which a cue counts as near
    snippet_context: int = 50  # characters of context either side of a quoted span in the evidence
    min_score: float = 10.0  # below this a candidate is not reported as related at all
    related_score: float = 20.0  # velocity counts papers scoring this much, closeness in time left out
    # Judgement: the stance of a claim's `stance_depth` best matches is read (stance.py), and the
    # flag rule says which of them are flagged superseding (flagging.py; docs/matching.md section 3:
    # the rule is fitted on the dev sets and cross-validated claim by claim).
    stance_depth: int = 20
    flag_rule: FlagRule = DEFAULT_RULE
    weights: tuple[tuple[str, float], ...] = WEIGHTS
    # Citations (docs/matching.md): a candidate a citation service says cites an anchor gains this many
    # points (of 100), and a citing sentence that argues with the anchor is a challenge this sure.
    cites_bonus: float = 8.0
    cites_challenge: float = 0.75
    cites_result_intent: float = 0.1  # ... this much surer when the service's intent for it is "result"
    # Pruning: a candidate is scored in full only when an upper bound of its score can still reach the
    # claim's best (relevance._rank); `prune=False` scores every candidate (the tests compare both).
    prune: bool = True
    prune_ratio: int = 10  # prune when the claim has this many times more candidates than places
    # Worker processes
    parallel_from: int = 64  # match_claims shares claims among one worker per CPU from this many on
    worker_batch: int = 4  # tasks handed to a worker at a time

    def weight(self, feature: str) -> float:
        """The weight of one feature (0 when it has none)."""
        for name, weight in self.weights:
            if name == feature:
                return weight
        return 0.0


DEFAULT_SETTINGS = MatchSettings()
