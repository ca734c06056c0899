"""Reading research notes and drafting claims from them: notes written for these tests, and the seed note."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from freshness.claims import read_claims
from freshness.draft_yaml import check_draft, render_draft
from freshness.extract import draft_claims
from freshness.notes import find_ids, read_note, years_written
from tests.conftest import make_paper, shared_path

TODAY = dt.date(2026, 11, 26)

MARKDOWN_NOTE = """\
# Do reward models prefer longer answers?

Our reading of the literature so far:

- Reward models trained on human preferences favour longer responses, and RLHF policies learn to
  pad their answers ([Length Bias in Reward Models](https://arxiv.org/abs/2310.03716v2), 2023).
- Sparse autoencoders recover interpretable features from a single transformer layer, see
  [arXiv](https://arxiv.org/pdf/2309.08600.pdf) (2023).
- Later work (2024) shows the length bias shrinks when preference data is balanced for length.

## Papers

- [2402.07319](https://arxiv.org/abs/2402.07319) — ODIN: Disentangled Reward Mitigates Hacking in RLHF
"""

OLD_STYLE_NOTE = """\
Notes on string dualities.

* T-duality maps a compact dimension of radius R to one of radius 1/R in closed string theory (1999).
* The AdS/CFT correspondence relates gravity in anti-de Sitter space to a conformal field theory (1997),
  first stated in hep-th/9711200 by Maldacena.

Anchor papers:
* hep-th/9901001 (1999) — T-duality and the geometry of compact string backgrounds
"""

NO_ID_NOTE = """\
What do we know about curriculum learning for RL fine-tuning?

Training on problems of medium difficulty gives the largest gains in RL fine-tuning of language models
(2025). Very hard problems give almost no learning signal. Ordering tasks from easy to hard helped in
2024 experiments but the effect vanished at larger scale.
"""

WRONG_ID_NOTE = """\
- Chain-of-thought reasoning fails under distribution shift in task, length and format (2025).

Anchor papers:
- arXiv:2513.01191 (2025) — Is Chain-of-Thought Reasoning of LLMs a Mirage?
- arXiv:2401.00001 (2024) — Chain-of-Thought Reasoning Under Distribution Shift
"""


def _draft(text: str, papers: dict[str, object] | None = None) -> str:
    draft = draft_claims(read_note(text), papers or {}, today=TODAY)  # type: ignore[arg-type]
    out = render_draft(draft, note_name="note.md", today=TODAY)
    check_draft(out, today=TODAY)  # raises if `freshness validate` would complain
    return out


def _claims(text: str) -> list[dict[str, object]]:
    return yaml.safe_load(text)["claims"]  # type: ignore[no-any-return]


def test_ids_in_every_common_form_with_the_title_and_year_beside_them() -> None:
    found = find_ids(
        "see arXiv:2508.01191 (2025) — Is Chain-of-Thought a Mirage?; also 2508.01191v2, "
        "https://arxiv.org/abs/2402.07319 and hep-th/9901001v3 and math.GT/0309136."
    )
    assert [str(c.arxiv_id) for c in found] == [
        "2508.01191",
        "2508.01191v2",
        "2402.07319",
        "hep-th/9901001v3",
        "math/0309136",
    ]
    assert found[0].title == "Is Chain-of-Thought a Mirage?"
    assert found[0].year == 2025
    assert find_ids("77.5% of 2024 papers, version 1.2.3") == []


def test_years_written_reads_ranges() -> None:
    assert years_written("(2024\u201325)") == (2024, 2025)
    assert years_written("findings span 2023\u20132026") == (2023, 2026)
    assert years_written("no year, 77.5%") == ()


def test_markdown_note_with_links() -> None:
    note = read_note(MARKDOWN_NOTE)
    assert note.title == "Do reward models prefer longer answers?"
    assert len(note.findings) == 3
    assert [str(c.arxiv_id) for c in note.findings[0].cited] == ["2310.03716v2"]
    assert note.findings[0].cited[0].title == "Length Bias in Reward Models"
    assert note.findings[1].cited[0].title is None  # link text "arXiv" is not a title
    claims = _claims(_draft(MARKDOWN_NOTE))
    # The listed ODIN paper shares "reward" and "RLHF" with the first finding.
    assert [a["id"] for a in claims[0]["anchors"]] == ["arXiv:2310.03716v2", "arXiv:2402.07319"]  # type: ignore[index]
    assert [a["id"] for a in claims[1]["anchors"]] == ["arXiv:2309.08600"]  # type: ignore[index]
    assert "anchors" not in claims[2]


def test_old_style_ids() -> None:
    text = _draft(OLD_STYLE_NOTE)
    claims = _claims(text)
    assert len(claims) == 2
    assert claims[0]["anchors"] == [  # placed by "t-duality", "compact", "string"
        {"id": "arXiv:hep-th/9901001", "title": "T-duality and the geometry of compact string backgrounds"}
    ]
    assert claims[1]["anchors"] == [{"id": "arXiv:hep-th/9711200"}]
    assert claims[0]["date"] == dt.date(1999, 1, 1)
    assert "GUESSED from the year(s) written (1999)" in text


def test_a_note_without_ids_still_gives_dated_claims() -> None:
    text = _draft(NO_ID_NOTE)
    claims = _claims(text)
    assert [c["date"] for c in claims] == [dt.date(2025, 1, 1), dt.date(2024, 1, 1)]
    assert all("anchors" not in c for c in claims)
    assert all(c["topics"] for c in claims)


def test_a_wrong_id_is_left_out_and_said_why() -> None:
    text = _draft(WRONG_ID_NOTE)
    assert "'arXiv:2513.01191' (line 4): '2513.01191': month 13 is not 01-12" in text
    claims = _claims(text)
    assert claims[0]["anchors"] == [
        {"id": "arXiv:2401.00001", "title": "Chain-of-Thought Reasoning Under Distribution Shift"}
    ]


def test_the_store_dates_the_claim_and_names_the_categories() -> None:
    paper = make_paper("2401.00001", published=dt.date(2024, 1, 3), categories=("cs.LG", "cs.CL"))
    text = _draft(WRONG_ID_NOTE, {"2401.00001": paper})
    claim = _claims(text)[0]
    assert claim["date"] == dt.date(2024, 1, 3)
    assert claim["categories"] == ["cs.LG", "cs.CL"]
    assert "# date: v1 of arXiv:2401.00001 (2024-01-03), from the store" in text


def test_untrusted_note_text_cannot_break_the_yaml(tmp_path: Path) -> None:
    hostile = '- A "quoted" claim: with # hash and \x1b[31m colour\nversion: 2 (2025) shows a result here.\n'
    text = _draft(hostile)
    assert "\x1b" not in text
    path = tmp_path / "claims.yaml"
    path.write_text(text, encoding="utf-8")
    assert read_claims(path, today=TODAY).problems == ()


def test_seed_note_findings_and_anchors() -> None:
    note_text = shared_path("seed", "research-note.txt").read_text(encoding="utf-8")
    claims = _claims(_draft(note_text))
    assert len(claims) == 5
    where = {a["id"]: c["id"] for c in claims for a in c.get("anchors", [])}  # type: ignore[attr-defined]
    assert where == {
        "arXiv:2411.12580": claims[0]["id"],  # procedural knowledge
        "arXiv:2508.01191": claims[1]["id"],  # chain-of-thought under shift
        "arXiv:2507.14783": claims[2]["id"],  # multi-task entropy
        "arXiv:2605.28388": claims[3]["id"],  # post-training (the note's RLVR source note)
    }
    assert claims[1]["anchors"][0]["title"] == "Chain-of-Thought Reasoning as Data Distribution Mirage"  # type: ignore[index]
