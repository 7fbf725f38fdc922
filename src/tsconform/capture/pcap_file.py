"""A minimal classic-pcap writer (microsecond timestamps, Ethernet link type).

>>> import io
>>> buf = io.BytesIO(); w = PcapFileWriter(buf); w.write(b"\\x00" * 14, 1.5); len(buf.getvalue())
54
"""
from __future__ import annotations

import struct
from typing import BinaryIO

LINKTYPE_ETHERNET = 1
SNAPLEN = 262144
_GLOBAL = struct.Struct("<IHHiIII")
_RECORD = struct.Struct("<IIII")


class PcapFileWriter:
    """Write packets to a binary file object; the caller owns the file and any locking."""

    def __init__(self, f: BinaryIO, linktype: int = LINKTYPE_ETHERNET):
        self.f = f
        f.write(_GLOBAL.pack(0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, linktype))

    def write(self, packet: bytes, ts: float) -> None:
        sec = int(ts)
        usec = int(round((ts - sec) * 1_000_000))
        if usec >= 1_000_000:
            sec, usec = sec + 1, usec - 1_000_000
        self.f.write(_RECORD.pack(sec, usec, len(packet), len(packet)))
        self.f.write(packet)
