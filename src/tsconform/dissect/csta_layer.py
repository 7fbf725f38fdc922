"""scapy layer for the CSTA XML framing: format, length, invoke ID, XML, root element.

>>> pkt = CSTAFrame(invoke_id="0004", xml=b'<MakeCall xmlns="urn:x"/>')
>>> raw = bytes(pkt); raw[:8]
b'\\x00\\x00\\x00!0004'
>>> again = CSTAFrame(raw); again.invoke_id, again.length, again.root
('0004', 33, 'MakeCall')
"""
from __future__ import annotations

from scapy.config import conf
from scapy.fields import ShortField, StrFixedLenField, StrLenField, XShortField
from scapy.packet import Packet

from . import csta_framing as cf


class AsciiFixedLenField(StrFixedLenField):
    """Fixed-length ASCII text shown and set as str (the invoke ID's four characters)."""

    def m2i(self, pkt, x):
        return x.decode("ascii", "replace")

    def i2m(self, pkt, x):
        x = b"" if x is None else x.encode("ascii") if isinstance(x, str) else bytes(x)
        return x[:self.length_from(pkt)].ljust(self.length_from(pkt), b"0")

    def any2i(self, pkt, x):
        return x.decode("ascii", "replace") if isinstance(x, bytes) else x

    def i2repr(self, pkt, x):
        return repr(x)


class CSTAFrame(Packet):
    """One CSTA frame; ``root`` is the local name of the XML root element."""

    name = "CSTA frame"
    fields_desc = [
        XShortField("format", 0),
        ShortField("length", None),
        AsciiFixedLenField("invoke_id", "0000", 4),
        StrLenField("xml", b"", length_from=lambda p: max(0, (p.length or 0) - cf.HEADER_LEN)),
    ]

    def post_build(self, pkt: bytes, pay: bytes) -> bytes:
        if self.length is None:
            pkt = pkt[:2] + len(pkt).to_bytes(2, "big") + pkt[4:]
        return pkt + pay

    def extract_padding(self, s):
        return b"", s                     # what follows the frame is the next PDU

    @property
    def root(self) -> str | None:
        return cf.root_name(self.xml)

    def mysummary(self):
        return f"CSTA {self.invoke_id} {self.root}"

    @classmethod
    def tcp_reassemble(cls, data: bytes, metadata: dict, session=None):
        """For scapy's TCPSession / StreamSocket: a frame once it is complete."""
        if len(data) < cf.HEADER_LEN:
            return None
        if data[:2] != cf.FORMAT_XML:
            return conf.raw_layer(data)
        length = int.from_bytes(data[2:4], "big")
        if length <= cf.HEADER_LEN:
            return conf.raw_layer(data)
        if len(data) < length:
            metadata["tcp_min_len"] = length
            return None
        return cls(data)
