"""The JSON the store keeps in TEXT columns (a paper's authors, a run's reasons and matches, the match
cache's matches and velocity): written and read here only, so every table spells a value the same way.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from freshness.models import Match, Stance, Velocity


def to_text(value: object) -> str:
    """`value` as the store's JSON text; non-ASCII characters are kept as they are."""
    return json.dumps(value, ensure_ascii=False)


def from_text(text: object) -> Any:
    """The value `to_text` wrote."""
    return json.loads(str(text))


def matches_to_text(matches: Iterable[Match]) -> str:
    return to_text([match_to_json(m) for m in matches])


def matches_from_text(text: object) -> tuple[Match, ...]:
    return tuple(match_from_json(m) for m in from_text(text))


def match_to_json(m: Match) -> dict[str, object]:
    """A match as the store keeps it in JSON (run history, match cache)."""
    return {
        "arxiv_id": m.arxiv_id,
        "title": m.title,
        "published": m.published.isoformat(),
        "score": m.score,
        "superseding": m.superseding,
        "evidence": list(m.evidence),
        "stance": m.stance.value,
        "confidence": m.confidence,
        "stance_sentence": m.stance_sentence,
        "stance_target": m.stance_target,
    }


def match_from_json(d: dict[str, Any]) -> Match:
    """The match `match_to_json` wrote. Called ~30 times a claim by a report, so it takes the cheapest
    checks that still refuse a damaged value (KeyError, TypeError or ValueError).

    Rows written before matches had a stance lack its four keys: they read as the Match defaults
    (related, confidence 0, no sentence, no target)."""
    evidence = d["evidence"]
    if not isinstance(evidence, list):
        raise TypeError("evidence is not a list")
    sentence = d.get("stance_sentence")
    target = d.get("stance_target")
    return Match(
        arxiv_id=str(d["arxiv_id"]),
        title=str(d["title"]),
        published=dt.date.fromisoformat(d["published"]),
        score=float(d["score"]),
        superseding=d["superseding"] is True,
        evidence=tuple(map(str, evidence)),
        stance=Stance(d.get("stance", Stance.RELATED)),
        confidence=float(d.get("confidence", 0.0)),
        stance_sentence=None if sentence is None else str(sentence),
        stance_target=None if target is None else str(target),
    )


def velocity_to_text(v: Velocity) -> str:
    """A topic's velocity as the match cache keeps it."""
    return to_text(
        {
            "since": v.since.isoformat(),
            "until": v.until.isoformat(),
            "related": v.related,
            "challenging": v.challenging,
            "by_month": [list(pair) for pair in v.by_month],
        }
    )


def velocity_from_text(text: object) -> Velocity:
    """The velocity `velocity_to_text` wrote."""
    d = from_text(text)
    months = d["by_month"] if isinstance(d["by_month"], list) else []
    return Velocity(
        since=dt.date.fromisoformat(str(d["since"])),
        until=dt.date.fromisoformat(str(d["until"])),
        related=int(str(d["related"])),
        challenging=int(str(d["challenging"])),
        by_month=tuple((str(k), int(n)) for k, n in months),
    )
