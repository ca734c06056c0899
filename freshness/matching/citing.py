"""Citation evidence: a candidate a citation service says cites one of the claim's anchors is more
relevant (a modest bonus, `MatchSettings.cites_bonus`), and a sentence of it that cites the anchor
while arguing with it ("contrary to [12], we find ...", a "result" citation with contrast language)
is challenge evidence, quoted with the service that reported it. A sentence that only lists the anchor
among related work ("prior work [3, 12, 15] studied ...") is no stance at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from freshness.matching.cues import _EXPLICIT, _QUALIFY
from freshness.matching.settings import MatchSettings
from freshness.matching.stance import StanceFinding
from freshness.models import CitationContext, Citing, Stance

# Contrast aimed at the cited work itself (the citation marker is the object, so the belief nouns
# cues.py's lexicons ask for are often absent): "contrary to [12]", "unlike [12], we find",
# "in contrast to the findings of Smith et al.", "[12] claimed ..., but we show".
_CONTRAST = re.compile(
    r"\b(?:"
    r"contrary to|in (?:stark |sharp )?contrast (?:to|with)|as opposed to|at odds with|unlike"
    r"|(?:contradict|refute|challenge|dispute|overturn|question|disagree with)(?:s|ed|ing)?"
    r"|(?:does|do|did) not (?:hold|replicate|reproduce|generalize|generalise|transfer)"
    r"|(?:fail|fails|failed) to (?:replicate|reproduce|hold|generalize|generalise)"
    r"|(?:could|can|did) not (?:replicate|reproduce|confirm)"
    r"|no longer (?:holds?|true|valid)"
    r"|(?:claimed|argued|suggested|reported|hypothesi[sz]ed|posited) (?:\w+ ){0,12}"
    r"(?:but|however|whereas|yet)"
    r"|(?:but|however|whereas),? (?:we|our (?:results|experiments|findings|analysis)) "
    r"(?:find|show|observe|demonstrate|found|showed|observed|demonstrated)"
    r")\b"
)
# A listing of related work: several citation markers, or "e.g."/"such as"/"see" before them.
_MARKER = re.compile(r"\[\d+(?:\s*[,\u2013-]\s*\d+)*\]|\(\s*[A-Z][^()]{0,60}?\d{4}[a-z]?\s*\)")
_LISTING = re.compile(r"\b(?:e\.g\.|such as|see|among others|including|inter alia)\b", re.I)

MAX_QUOTED = 400


def _words(text: str) -> str:
    """Lower-case words joined by single spaces, as cues.py's lexicons are matched."""
    return " ".join(re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower()))


def _is_listing(text: str) -> bool:
    markers = _MARKER.findall(text)
    return len(markers) >= 3 or (
        bool(markers) and bool(_LISTING.search(text)) and not _CONTRAST.search(_words(text))
    )


def context_challenge(context: CitationContext, settings: MatchSettings) -> float:
    """How sure a citing sentence argues with the cited work (0: it does not)."""
    if _is_listing(context.text):
        return 0.0
    words = _words(context.text)
    if not (_CONTRAST.search(words) or _EXPLICIT.search(words) or _QUALIFY.search(words)):
        return 0.0
    confidence = settings.cites_challenge
    if "result" in context.intents:
        confidence += settings.cites_result_intent
    elif context.intents and set(context.intents) <= {"background", "methodology"}:
        confidence -= 0.2  # the service read it as background: weaker
    return min(confidence, 0.95)


def citation_stance(edges: Sequence[Citing], settings: MatchSettings) -> StanceFinding | None:
    """The strongest challenge among the citing sentences of `edges`, quoted with its source; None when
    no sentence argues with an anchor."""
    best: tuple[float, Citing, CitationContext] | None = None
    for edge in edges:
        for c in edge.contexts:
            conf = context_challenge(c, settings)
            if conf > 0 and (best is None or conf > best[0]):
                best = (conf, edge, c)
    if best is None:
        return None
    conf, edge, c = best
    quote = " ".join(c.text.split())
    quote = quote if len(quote) <= MAX_QUOTED else quote[: MAX_QUOTED - 3] + "..."
    intents = f", intent {'/'.join(c.intents)}" if c.intents else ""
    return StanceFinding(
        Stance.CHALLENGES,
        round(conf, 2),
        sentence=quote,
        target=f"anchor {edge.anchor_id} (citing sentence, {c.source}{intents})",
        cue="cites the anchor with contrast",
    )


def citation_evidence(edges: Sequence[Citing]) -> str:
    """One line of evidence: which anchors it cites, according to which services."""
    parts = []
    for e in edges:
        extra = ", influential" if e.influential else ""
        parts.append(f"{e.anchor_id} ({', '.join(e.sources)}{extra})")
    return "cites the anchor " + "; ".join(parts)
