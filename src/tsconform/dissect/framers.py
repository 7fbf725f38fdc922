"""Cut one direction's reassembled byte stream into PDUs and decode them.

A framer is fed contiguous stream bytes with the frame number and time of the packet
that carried them; it appends :class:`Pdu` and :class:`DissectWarning` objects to ``out``.
Bytes are only joined once a whole PDU is there, so a large PDU over many segments costs
linear time. After a bad header (a capture that starts mid-stream, lost data) the framer
warns once and skips to the next plausible header.
"""
from __future__ import annotations

import re

from ..errors import ProductFailure
from ..tlib import codec
from . import csta_framing as cf
from .pdu import DissectWarning, Pdu

_TLIB_HEADER_AT = re.compile(re.escape(codec.MAGIC + bytes([codec.VERSION, 0])))


class HeaderError(ProductFailure, ValueError):
    """The bytes where a frame should start are no frame header: a malformed frame on the wire."""


class Framer:
    link = ""
    header_len = 1

    def __init__(self, src: str, dst: str, out: list):
        self.src, self.dst, self.out = src, dst, out
        self.chunks: list[bytes] = []
        self.have = 0                  # bytes held in chunks
        self.need = self.header_len    # bytes needed before it is worth looking again
        self.resync = False

    def feed(self, data: bytes, frame: int, ts: float) -> None:
        have = self.have + len(data)
        if have < self.need:
            self.chunks.append(data)
            self.have = have
            return
        if self.chunks:
            self.chunks.append(data)
            data = b"".join(self.chunks)
            self.chunks = []
        off, end, hl = 0, len(data), self.header_len
        if self.resync:
            off = self._find(data, 0, frame)
        while end - off >= hl:
            try:
                length = self.frame_length(data, off)
            except HeaderError as exc:
                self._warn(frame, f"no {self.link} frame header in the stream from {self.src} "
                                  f"to {self.dst} ({exc}); skipping to the next header")
                off = self._find(data, off + 1, frame)
                continue
            if end - off < length:
                self.need = length
                break
            self.decode(data, off, off + length, frame, ts)
            off += length
        else:
            self.need = hl
        if off < end:
            rest = data[off:] if off else data
            self.chunks, self.have = [rest], end - off
        else:
            self.have = 0

    def _find(self, data: bytes, start: int, frame: int) -> int:
        pos = self.find_header(data, start)
        if pos < 0:
            self.resync = True
            return max(start, len(data) - self.header_len + 1)   # a header may straddle
        self.resync = False
        return pos

    def lost(self, frame: int, nbytes: int) -> None:
        """nbytes of the stream were not captured: drop the PDU in progress, resynchronise."""
        self._warn(frame, f"{nbytes} bytes from {self.src} to {self.dst} are missing from the "
                          f"capture before this frame"
                   + (f"; the {self.link} PDU in progress ({self.have} bytes) is dropped"
                      if self.have else ""))
        self.chunks, self.have, self.need, self.resync = [], 0, self.header_len, True

    def finish(self, frame: int) -> None:
        """End of capture: a PDU in progress is reported as incomplete."""
        if self.have and not self.resync:
            self._warn(frame, f"the capture ends inside a {self.link} PDU from {self.src} to "
                              f"{self.dst} ({self.have} of {max(self.need, self.have)} bytes)")
        self.chunks, self.have = [], 0

    def _warn(self, frame: int, text: str) -> None:
        self.out.append(DissectWarning(frame, text))

    # Per framing.
    def frame_length(self, data: bytes, off: int) -> int:
        raise NotImplementedError

    def find_header(self, data: bytes, start: int) -> int:
        raise NotImplementedError

    def decode(self, data: bytes, start: int, end: int, frame: int, ts: float) -> None:
        raise NotImplementedError


class CstaFramer(Framer):
    link = "csta"
    header_len = cf.HEADER_LEN

    def frame_length(self, data: bytes, off: int) -> int:
        if data[off] or data[off + 1]:
            raise HeaderError(f"format indicator {data[off:off + 2].hex()}, expected 0000")
        length = (data[off + 2] << 8) | data[off + 3]
        if length <= cf.HEADER_LEN:
            raise HeaderError(f"length {length} leaves no room for an XML document")
        return length

    def find_header(self, data: bytes, start: int) -> int:
        return cf.find_header(data, start)

    def decode(self, data: bytes, start: int, end: int, frame: int, ts: float) -> None:
        inv = data[start + 4:start + 8]
        body = data[start + 8:end]
        what = f"CSTA PDU ({end - start} bytes) from {self.src} to {self.dst}"
        if not inv.isdigit():
            self._warn(frame, f"{what}: invoke ID {inv!r} is not 4 ASCII digits")
            return
        root = cf.root_name(body)
        if root is None:
            self._warn(frame, f"{what}: no XML root element")
            return
        try:
            xml = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            self._warn(frame, f"{what}: XML is not UTF-8 (byte {exc.start})")
            return
        self.out.append(Pdu(frame, ts, self.src, self.dst, "csta", root,
                            invoke_id=inv.decode("ascii"), xml=xml, raw=data[start:end]))


class TlibFramer(Framer):
    link = "tlib"
    header_len = codec.HEADER_LEN

    def frame_length(self, data: bytes, off: int) -> int:
        try:
            return codec.check_header(data, off)[0]
        except codec.FrameError as exc:
            raise HeaderError(exc.reason) from None

    def find_header(self, data: bytes, start: int) -> int:
        m = _TLIB_HEADER_AT.search(data, start)
        return m.start() if m else -1

    def decode(self, data: bytes, start: int, end: int, frame: int, ts: float) -> None:
        raw = data[start:end]
        try:
            msg = codec.decode(raw)
        except codec.FrameError as exc:
            self._warn(frame, f"T-Lib PDU ({end - start} bytes) from {self.src} to {self.dst} "
                              f"cannot be decoded: {exc}")
            return
        ref = msg.reference_id
        self.out.append(Pdu(frame, ts, self.src, self.dst, "tlib", msg.name,
                            reference_id=ref, tlib=msg, raw=raw))


FRAMERS = {"csta": CstaFramer, "tlib": TlibFramer}


def guess_link(data: bytes) -> str | None:
    """Which framing a stream that starts with data uses, by heuristic; None if neither."""
    if cf.looks_like_csta(data):
        return "csta"
    if data[:4] == codec.MAGIC + bytes([codec.VERSION, 0]) and len(data) >= codec.HEADER_LEN:
        return "tlib"
    return None
