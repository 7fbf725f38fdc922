"""CSTA framing for the dissector: the codec's header layout, plus what a dissector adds.

A frame is ``00 00`` (format: XML, no SOAP), a 2-byte big-endian length of the whole
frame *including* the header, 4 ASCII digits of invoke ID, then the XML document
(tsconform.csta.framing). Here: a heuristic to find the framing on any port, a search for
the next plausible header after damage, and the root element's name by a scan.

>>> frame = make_frame("0004", '<?xml version="1.0"?><MakeCall xmlns="urn:x"/>')
>>> looks_like_csta(frame), root_name(frame[HEADER_LEN:])
(True, 'MakeCall')
"""
from __future__ import annotations

import re

from ..csta.framing import FORMAT as FORMAT_XML, HEADER_SIZE as HEADER_LEN, MAX_FRAME, encode_frame

__all__ = ["FORMAT_XML", "HEADER_LEN", "MAX_FRAME", "find_header", "looks_like_csta",
           "make_frame", "root_name"]

# Prolog (BOM, XML declaration, processing instructions, comments, a DOCTYPE with or
# without an internal subset), then the root start tag; the name may carry a prefix.
_ROOT = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*"
    rb"<(?:[^\s/>:!?]+:)?([^\s/>:!?]+)",
    re.S,
)
# In a SOAP envelope: the first element of its Body, past any comment or whitespace.
_SOAP_BODY = re.compile(rb"<(?:[^\s/>:!?]+:)?Body\b[^>]*>(?:\s+|<!--.*?-->)*<(?:[^\s/>:!?]+:)?([^\s/>:!?]+)", re.S)
# A plausible header anywhere in a stream: used to find the next frame after damage.
_HEADER_AT = re.compile(rb"\x00\x00[\x00-\xff]{2}[0-9]{4}<", re.S)


def make_frame(invoke_id: str, xml: str | bytes) -> bytes:
    """One frame, the invoke ID as its four characters (tests, samples, the benchmark)."""
    return encode_frame(invoke_id, xml.encode() if isinstance(xml, str) else bytes(xml))


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
    """Local name of the XML document's root element, by a scan (nothing is resolved); in a
    SOAP envelope, the message's: the first element of its Body.

    >>> root_name(b'<?xml version="1.0"?><!-- hi --><csta:EscapeResponse xmlns:csta="u"/>')
    'EscapeResponse'
    >>> root_name(b'<s:Envelope xmlns:s="u"><s:Header/><s:Body><c:MonitorStop xmlns:c="v"/></s:Body></s:Envelope>')
    'MonitorStop'
    """
    m = _ROOT.match(xml)
    if m and m.group(1) == b"Envelope":
        body = _SOAP_BODY.search(xml, m.end())
        m = body or m
    return m.group(1).decode("utf-8", "replace") if m else None
