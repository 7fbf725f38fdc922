"""The CSTA XML framing over TCP (ECMA-323 with the 8-byte header), self-contained.

A frame is ``00 00`` (format: XML, no SOAP), a 2-byte big-endian length of the whole
frame *including* the header, 4 ASCII digits of invoke ID, then the XML document.

>>> frame = make_frame("0004", '<?xml version="1.0"?><MakeCall xmlns="urn:x"/>')
>>> parse_header(frame)
(54, '0004')
>>> looks_like_csta(frame), root_name(frame[HEADER_LEN:])
(True, 'MakeCall')
"""
from __future__ import annotations

import re

HEADER_LEN = 8
FORMAT_XML = b"\x00\x00"
MAX_FRAME = 0xFFFF
EVENT_INVOKE_ID = "9999"

# Prolog (BOM, XML declaration, processing instructions, comments, a DOCTYPE with or
# without an internal subset), then the root start tag; the name may carry a prefix.
_ROOT = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*"
    rb"<(?:[^\s/>:!?]+:)?([^\s/>:!?]+)",
    re.S,
)
# A plausible header anywhere in a stream: used to find the next frame after damage.
_HEADER_AT = re.compile(rb"\x00\x00[\x00-\xff]{2}[0-9]{4}<", re.S)


class CstaFrameError(ValueError):
    """A byte sequence that is not a CSTA frame header."""


def make_frame(invoke_id: str, xml: str | bytes) -> bytes:
    """Build one frame (used by tests, the benchmark and the recorder's callers)."""
    body = xml.encode() if isinstance(xml, str) else bytes(xml)
    inv = invoke_id.encode("ascii")
    if len(inv) != 4 or not inv.isdigit():
        raise ValueError(f"invoke ID must be 4 ASCII digits, got {invoke_id!r}")
    length = HEADER_LEN + len(body)
    if length > MAX_FRAME:
        raise ValueError(f"CSTA frame of {length} bytes exceeds {MAX_FRAME}")
    return FORMAT_XML + length.to_bytes(2, "big") + inv + body


def parse_header(buf: bytes, offset: int = 0) -> tuple[int, str]:
    """Return (length, invoke ID) of the header at offset; raise CstaFrameError if bad."""
    head = buf[offset:offset + HEADER_LEN]
    if len(head) < HEADER_LEN:
        raise CstaFrameError(f"short header: {len(head)} of {HEADER_LEN} bytes")
    if head[:2] != FORMAT_XML:
        raise CstaFrameError(f"format indicator {bytes(head[:2]).hex()}, expected 0000")
    length = int.from_bytes(head[2:4], "big")
    if length < HEADER_LEN:
        raise CstaFrameError(f"length {length} is shorter than the {HEADER_LEN}-byte header")
    inv = bytes(head[4:8])
    if not inv.isdigit():
        raise CstaFrameError(f"invoke ID {inv!r} is not 4 ASCII digits")
    return length, inv.decode("ascii")


def looks_like_csta(data: bytes) -> bool:
    """Heuristic for a stream on any port: 00 00, plausible length, 4 digits, then '<'."""
    if len(data) < HEADER_LEN + 1 or data[:2] != FORMAT_XML:
        return False
    return (int.from_bytes(data[2:4], "big") > HEADER_LEN and bytes(data[4:8]).isdigit()
            and data[8:9] == b"<")


def find_header(buf: bytes, start: int = 0) -> int:
    """Offset of the next plausible frame header at or after start, or -1."""
    m = _HEADER_AT.search(buf, start)
    return m.start() if m else -1


def root_name(xml: bytes) -> str | None:
    """Local name of the XML document's root element, by a scan (nothing is resolved).

    >>> root_name(b'<?xml version="1.0"?><!-- hi --><csta:EscapeResponse xmlns:csta="u"/>')
    'EscapeResponse'
    """
    m = _ROOT.match(xml)
    return m.group(1).decode("utf-8", "replace") if m else None
