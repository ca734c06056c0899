#!/usr/bin/env python3
"""Cut the small arXiv sample the demo uses when ../shared is absent (data/sample/README.md).

    python3 tools/cut_sample.py ../shared/data/arxiv/arxiv-metadata-2024-2026.jsonl.gz

Deterministic: the same snapshot and claims.yaml give the same file, byte for byte. Records are copied
verbatim (arXiv's bulk metadata, CC0), never edited. Chosen:
1. every anchor paper of claims.yaml present in the snapshot;
2. per claim, up to PER_CLAIM papers in its categories first submitted after its date whose title
   or abstract contains one of its topics (case-insensitive), newest first;
3. BACKGROUND papers from the same categories chosen by a hash of their id (no topic needed), so the
   matcher sees papers that are not about any claim, as in a real store.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from freshness.claims import load_claims  # noqa: E402 - after the path is set

OUT = ROOT / "data" / "sample" / "arxiv-sample.jsonl.gz"
PER_CLAIM = 400
BACKGROUND = 1500


def _v1(record: dict[str, object]) -> dt.date:
    versions = record.get("versions") or []
    created = versions[0]["created"] if versions else record["update_date"]  # type: ignore[index]
    try:
        return dt.datetime.strptime(str(created), "%a, %d %b %Y %H:%M:%S %Z").date()
    except ValueError:
        return dt.date.fromisoformat(str(record["update_date"]))


def main(snapshot: Path) -> None:
    claims = load_claims(ROOT / "claims.yaml", today=dt.date.today())
    anchors = {a.arxiv_id.base for c in claims for a in c.anchors if a.arxiv_id is not None}
    watched = {cat for c in claims for cat in c.categories}
    picked: dict[str, str] = {}
    per_claim: dict[str, list[tuple[dt.date, str, str]]] = {c.id: [] for c in claims}
    background: list[tuple[str, str, str]] = []
    with gzip.open(snapshot, "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            ident = str(record["id"])
            if ident in anchors:
                picked[ident] = line
            cats = set(str(record.get("categories", "")).split())
            if not cats & watched:
                continue
            text = f"{record.get('title', '')} {record.get('abstract', '')}".lower()
            published = _v1(record)
            for claim in claims:
                on_topic = any(t.lower() in text for t in claim.topics)
                if cats & set(claim.categories) and published > claim.date and on_topic:
                    per_claim[claim.id].append((published, ident, line))
            background.append((hashlib.sha256(ident.encode()).hexdigest(), ident, line))
    for rows in per_claim.values():
        for _, ident, line in sorted(rows, reverse=True)[:PER_CLAIM]:
            picked[ident] = line
    for _, ident, line in sorted(background)[:BACKGROUND]:
        picked.setdefault(ident, line)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 and a fixed name: the same input gives the same bytes.
    with OUT.open("wb") as raw, gzip.GzipFile("arxiv-sample.jsonl", "wb", 9, raw, mtime=0) as out:
        for ident in sorted(picked):
            out.write(picked[ident].encode("utf-8"))
    print(f"{OUT.relative_to(ROOT)}: {len(picked):,} papers, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
