"""Who cites the anchors: the newer papers that cite each claim's anchor, from Semantic Scholar and
OpenAlex, mapped to arXiv ids, stored with when they were seen, refreshed at most once per anchor per
interval. Off unless the claims file has a `citations:` setting (docs/polling.md).

One concern a module: `base` (the values and the source interface), `semantic_scholar` and
`openalex` (one service each, over the polite HTTP session), `storage` (the store's citation
tables), `refresh` (the nightly step: which anchors are due, ask, store, fetch the citing papers the
store lacks from arXiv).
"""
