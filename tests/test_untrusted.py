"""One set of unsafe characters, removed from a line of text and escaped in JSON alike."""

import json

from freshness.untrusted import UNSAFE, escape_raw_in_json, one_line, strip_control

HOSTILE = "a\x1b[31mred\x1b[0m\u202eevil\u2066x\u2069\x9bb\u2028c\u2029d\re\x07"


def test_one_line_drops_every_unsafe_character_and_breaks_on_separators() -> None:
    assert one_line(HOSTILE) == "aredevilxb c de"
    assert UNSAFE.search(one_line(HOSTILE)) is None


def test_strip_control_keeps_layout_characters() -> None:
    assert strip_control("x\ty\nz\x00\x1b]8;;http://x\x07w") == "x\ty\nzw"


def test_json_escape_covers_the_same_set_and_keeps_the_value() -> None:
    encoded = json.dumps(HOSTILE, ensure_ascii=False)
    escaped = escape_raw_in_json(encoded)
    assert json.loads(escaped) == HOSTILE
    assert UNSAFE.search(escaped) is None
    for char in ("\\u2028", "\\u202e", "\\u009b"):
        assert char in escaped
