"""The store's full-text index as the matcher asks it: safe FTS5 queries and document frequencies."""

from __future__ import annotations

from freshness.matching.settings import MatchSettings
from freshness.matching.text import _FUNCTION_WORDS, _STOPWORDS, _WORD
from freshness.store import Store


def fts_phrase(text: str) -> str | None:
    """A safe FTS5 phrase for `text`: its words only, quoted; None when it has no words.

    Quotes, `*`, `^`, `:`, parentheses and the operators AND/OR/NOT/NEAR in user text never reach
    FTS5 as syntax: only runs of letters and digits are kept, inside one quoted phrase.
    """
    words = _WORD.findall(text.lower())
    return '"' + " ".join(words) + '"' if words else None


def fts_topic(text: str) -> str | None:
    """A safe FTS5 query for a topic that FTS5 answers without reading the positions of function
    words (on a large store, "the" or "of" inside a phrase costs more than the rest of the query):
    the phrase when it has no function word inside, else NEAR of its runs of other words, as many
    words apart as the function words took ("lost in the middle" -> NEAR("lost" "middle", 2))."""
    words = _WORD.findall(text.lower())
    # Leading and trailing stop words narrow nothing down ("... of language models"): left out while
    # at least two other words remain ("model collapse" keeps its "model").
    while len(words) > 2 and words[0] in _STOPWORDS and sum(w not in _STOPWORDS for w in words) >= 2:
        words.pop(0)
    while len(words) > 2 and words[-1] in _STOPWORDS and sum(w not in _STOPWORDS for w in words) >= 2:
        words.pop()
    while words and words[0] in _FUNCTION_WORDS:
        words.pop(0)
    while words and words[-1] in _FUNCTION_WORDS:
        words.pop()
    if not words:
        return fts_phrase(text)
    runs: list[list[str]] = [[]]
    gap = 0
    for w in words:
        if w in _FUNCTION_WORDS:
            gap += 1
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(w)
    if len(runs) == 1:
        return '"' + " ".join(runs[0]) + '"'
    return "NEAR(" + " ".join('"' + " ".join(r) + '"' for r in runs) + f", {gap})"


def fts_near(text: str, distance: int = 10) -> str | None:
    """A safe FTS5 NEAR group of the content words of `text` (any order), or None when it has
    fewer than two content words."""
    words = [w for w in dict.fromkeys(_WORD.findall(text.lower())) if w not in _STOPWORDS]
    if len(words) < 2:
        return None
    return "NEAR(" + " ".join(f'"{w}"' for w in words) + f", {distance})"


def short_name(title: str) -> str | None:
    """A distinctive short name for a cited paper, from its title: the part before a colon when it
    is 1-4 words ("LoRA", "Lost in the Middle"), else None."""
    head, sep, _ = title.partition(":")
    if sep and 1 <= len(_WORD.findall(head)) <= 4:
        return head.strip()
    return None


# Document frequencies barely move between claims or runs: remember them per store and size, and for a
# rare term (at most `few_rows` papers) also which papers: the term's retrieval then needs no ranked
# query at all, and the same claim's velocity or another claim with that term reuses it. A paper
# revised in place (same store size) is seen by these memos once the store grows again.
_DF_CACHE_MAX = 200_000  # terms, over all store sizes; past it the memo starts again
_ROWS_CACHE_MAX = 20_000  # rare terms' paper lists, over all store sizes


class _DocFreqMemo:
    """One store's document frequencies and rare terms' papers, by store size (what `_DocFreq` reads
    and fills; kept by the store's `MatchMemo` from one claim to the next)."""

    def __init__(self) -> None:
        self.counts: dict[int, dict[str, int]] = {}
        self.rows: dict[int, dict[str, tuple[int, ...]]] = {}


class _DocFreq:
    """Document frequencies from the FTS index (any date), memoised per store and size; for rare
    terms also the papers that have them."""

    def __init__(self, store: Store, memo: _DocFreqMemo, settings: MatchSettings) -> None:
        self.store = store
        self.few_rows = settings.few_rows
        self.exact_below = settings.exact_below
        # Every claim's queries walk the same upper levels of the FTS index: kept in the page cache
        # they cost ~10 % less CPU at 1M papers (docs/dev/matching-log.md 4.3).
        store.widen_page_cache(settings.page_cache_mib)
        self.n = max(1, store.summary().papers)
        if sum(len(c) for c in memo.counts.values()) > _DF_CACHE_MAX:
            memo.counts.clear()
        if sum(len(c) for c in memo.rows.values()) > _ROWS_CACHE_MAX:
            memo.rows.clear()
        self.cache = memo.counts.setdefault(self.n, {})
        self.few = memo.rows.setdefault(self.n, {})

    def __call__(self, text: str) -> int:
        q = fts_phrase(text)
        return self.n if q is None else self.query(q)

    def query(self, q: str) -> int:
        """Papers matching an FTS5 query. One unranked query that stops after `few_rows` + 1 papers
        answers a rare term whole (and remembers its papers); only a common term is counted."""
        if q not in self.cache:
            found = self.store.match_rowids(q, limit=self.few_rows + 1)
            if len(found) <= self.few_rows:
                self.cache[q] = len(found)
                self.few[q] = tuple(found)
            else:
                # Counting a term in half the store reads half the index: above `exact_below` papers
                # its count is sampled (its weight is small and barely moves with the count).
                self.cache[q] = self.store.estimate_matches(q, exact_below=self.exact_below)
        return self.cache[q]

    def rows(self, q: str) -> tuple[int, ...] | None:
        """Every paper matching `q` (any date) when it is a rare term, else None."""
        if q not in self.few and q not in self.cache:
            self.query(q)
        return self.few.get(q)
