"""freshness: keep a file of dated research claims honest against newer arXiv papers."""

__version__ = "0.1.0"
