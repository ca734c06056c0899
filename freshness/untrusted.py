"""Untrusted text (titles, abstracts, feeds, arXiv's error pages) made inert: the one set of unsafe
characters and the ways each kind of output removes or escapes them. Pure: no rich, no I/O.

Every output draws on the same set, UNSAFE: C0/C1 controls except tab and newline (ESC starts ANSI
sequences, BEL rings, CR overwrites, 0x9b is CSI on some terminals), bidirectional overrides and
isolates ("Trojan Source": a title that displays in another order than it is stored) and the line
and paragraph separators U+2028/U+2029 (line breaks to JavaScript and many viewers).
"""

from __future__ import annotations

import re

CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
LINE_SEPARATORS = "\u2028\u2029"
UNSAFE = re.compile(f"[{CONTROL}{BIDI}{LINE_SEPARATORS}]")

_CONTROL = re.compile(f"[{CONTROL}]")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
# What a JSON string encoder (ensure_ascii=False) leaves raw: UNSAFE but the C0 controls it escapes.
_RAW_IN_JSON = re.compile(f"[\x7f-\x9f{BIDI}{LINE_SEPARATORS}]")
_SEPARATORS_AS_SPACE = {ord(c): " " for c in LINE_SEPARATORS}


def strip_control(text: str) -> str:
    """Remove ANSI escape sequences and other control characters from untrusted text."""
    return _CONTROL.sub("", _ANSI.sub("", text))


def one_line(text: str) -> str:
    """Untrusted text as one plain line: every UNSAFE character removed (a line separator, like any
    other whitespace, becomes one space), whitespace collapsed.

    arXiv titles and abstracts keep the line breaks and indentation of their source.
    """
    if text.isprintable():
        # No control, format (bidi) or line-break character, no whitespace but the space: nothing to
        # strip (the regular expressions cost more than the rest of a 1,000-claim terminal report).
        return " ".join(text.split())
    return " ".join(UNSAFE.sub("", _ANSI.sub("", text.translate(_SEPARATORS_AS_SPACE))).split())


def one_line_cut(text: str, limit: int) -> str:
    """`one_line(text)`, cut to `limit` characters with "..." when longer."""
    flat = one_line(text)
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def escape_raw_in_json(encoded: str) -> str:
    """JSON text with the UNSAFE characters its encoder leaves raw written as \\uXXXX (the decoded
    value is unchanged), so that `cat file.json` is inert."""
    return _RAW_IN_JSON.sub(escape_char, encoded)


def escape_char(m: re.Match[str]) -> str:
    return f"\\u{ord(m[0]):04x}"
