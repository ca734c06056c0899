"""Untrusted XML in: parsed with defusedxml (DTDs forbidden), or refused with a WireFormatError that
says what the bytes are instead (an HTML page, an empty or truncated body, another document).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree as SafeET

from freshness.errors import WireFormatError


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sniff(data: bytes) -> bytes:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]


def parse_xml(data: bytes, expected: str) -> ET.Element:
    """Parse untrusted XML; raise WireFormatError saying what the bytes are instead of `expected`."""
    head = _sniff(data)
    if not head:
        raise WireFormatError(f"an empty body, not {expected}")
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:200]:
        raise WireFormatError(f"an HTML page, not {expected}")
    if not head.startswith(b"<"):
        raise WireFormatError(f"not XML (it starts with {head[:40]!r}), not {expected}")
    try:
        root: ET.Element = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise WireFormatError(
            f"refused: the document declares a DTD or entities ({exc.__class__.__name__}), as an XXE "
            f"or billion-laughs attack would; not {expected}"
        ) from None
    except ET.ParseError as exc:
        line, col = exc.position
        # expat: 3 "no element found", 5 "unclosed token", 6 "partial character", 20 "unclosed CDATA"
        if exc.code in (3, 5, 6, 20):
            raise WireFormatError(
                f"truncated XML at line {line}: the document ends before it is closed"
            ) from None
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise WireFormatError(f"invalid XML at line {line}, column {col + 1}: {reason}") from None
    if local_name(root.tag).lower() == "html":
        raise WireFormatError(f"an HTML page, not {expected}")
    return root


def describe_root(root: ET.Element) -> str:
    tag = local_name(root.tag)
    if tag == "rss":
        return "an RSS feed"
    if tag == "OAI-PMH":
        return "an OAI-PMH response"
    if tag == "feed":
        return "an Atom feed"
    return f"a <{tag}> document"
