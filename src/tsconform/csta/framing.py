"""The 8-byte header that carries ECMA-323 XML over TCP.

A frame is ``00 00`` (format indicator: no SOAP), a 2-byte big-endian LENGTH of the whole
frame including the header, 4 ASCII decimal digits of invoke ID, then the XML document.
A response reuses its request's invoke ID; unsolicited events carry 9999.

>>> f = encode_frame(2, b"<x/>")
>>> f[:8], len(f)
(b'\\x00\\x00\\x00\\x0c0002', 12)
>>> FrameDecoder().feed(f)[0].invoke_id
2
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ..errors import ProductFailure, ToolError, UsageError

HEADER_SIZE = 8
FORMAT = b"\x00\x00"
MAX_FRAME = 0xFFFF  # the 16-bit length caps a frame, header included
EVENT_INVOKE_ID = 9999


class CstaFrameError(ProductFailure):
    """A frame that cannot be read. ``fatal``: the stream can no longer be trusted."""

    def __init__(self, reason: str, offset: int | None = None, invoke_id: int | None = None,
                 fatal: bool = True):
        where = f" at offset {offset}" if offset is not None else ""
        ident = f" (invoke ID {invoke_id:04d})" if invoke_id is not None else ""
        super().__init__(f"CSTA frame error{where}{ident}: {reason}")
        self.reason, self.offset, self.invoke_id, self.fatal = reason, offset, invoke_id, fatal


@dataclass(frozen=True)
class Frame:
    invoke_id: int
    xml: bytes

    def encode(self) -> bytes:
        return encode_frame(self.invoke_id, self.xml)


def _invoke_text(invoke_id: int | str) -> bytes:
    text = f"{invoke_id:04d}" if isinstance(invoke_id, int) else str(invoke_id)
    if len(text) != 4 or not text.isdigit() or not text.isascii():
        raise UsageError(f"invoke ID must be 0..9999 (4 decimal digits), got {invoke_id!r}")
    return text.encode("ascii")


def encode_frame(invoke_id: int | str, xml: bytes, max_frame: int = MAX_FRAME) -> bytes:
    """Header plus XML; ValueError when the frame would exceed the limit."""
    length = HEADER_SIZE + len(xml)
    if length > min(max_frame, MAX_FRAME):
        raise UsageError(f"frame of {length} bytes exceeds the limit of {min(max_frame, MAX_FRAME)}")
    return FORMAT + length.to_bytes(2, "big") + _invoke_text(invoke_id) + xml


def parse_header(header: bytes, offset: int | None = None, max_frame: int = MAX_FRAME) -> tuple[int, int]:
    """(length, invoke_id) of an 8-byte header; CstaFrameError (fatal) when it is not one.

    A length over max_frame is reported as a non-fatal error: the body can be skipped.
    """
    invoke_raw = header[4:8]
    invoke_id = int(invoke_raw) if invoke_raw.isdigit() and len(invoke_raw) == 4 else None
    if header[:2] != FORMAT:
        raise CstaFrameError(f"format indicator is {header[:2].hex()}, expected 0000", offset, invoke_id)
    if invoke_id is None:
        raise CstaFrameError(f"invoke ID {invoke_raw!r} is not 4 ASCII decimal digits", offset)
    length = int.from_bytes(header[2:4], "big")
    if length < HEADER_SIZE:
        raise CstaFrameError(f"length {length} is shorter than the 8-byte header", offset, invoke_id)
    if length > max_frame:
        raise CstaFrameError(f"length {length} exceeds the frame limit of {max_frame}", offset,
                             invoke_id, fatal=False)
    return length, invoke_id


class FrameDecoder:
    """Incremental decoder for a byte stream; bounded by one frame's worth of buffer."""

    def __init__(self, max_frame: int = MAX_FRAME):
        self.max_frame = max_frame
        self._buf = bytearray()
        self._offset = 0  # stream offset of the start of _buf
        self._skip = 0  # bytes of an oversized frame still to discard

    def feed(self, data: bytes) -> list[Frame]:
        """Frames completed by data. A fatal CstaFrameError leaves the decoder unusable;
        an oversized frame raises a non-fatal one and is skipped."""
        self._buf += data
        frames: list[Frame] = []
        while True:
            if self._skip:
                n = min(self._skip, len(self._buf))
                del self._buf[:n]
                self._offset += n
                self._skip -= n
                if self._skip:
                    return frames
            if len(self._buf) < HEADER_SIZE:
                return frames
            try:
                length, invoke_id = parse_header(bytes(self._buf[:HEADER_SIZE]), self._offset, self.max_frame)
            except CstaFrameError as exc:
                if not exc.fatal:
                    self._skip = int.from_bytes(self._buf[2:4], "big")
                raise
            if len(self._buf) < length:
                return frames
            frames.append(Frame(invoke_id, bytes(self._buf[HEADER_SIZE:length])))
            del self._buf[:length]
            self._offset += length

    @property
    def pending(self) -> int:
        """Bytes held for an incomplete frame."""
        return len(self._buf)


async def read_frame(reader: asyncio.StreamReader, max_frame: int = MAX_FRAME,
                     frame_timeout: float | None = None) -> Frame | None:
    """The next frame, or None on a clean end of stream between frames.

    Waiting for a frame to start is unbounded; once its first byte has arrived, the rest
    must arrive within frame_timeout seconds (asyncio.TimeoutError otherwise).
    CstaFrameError: fatal for a bad header or a stream cut mid-frame; non-fatal for an
    oversized frame, whose body has then been read and discarded.
    """
    first = await reader.read(1)
    if not first:
        return None
    return await asyncio.wait_for(_rest_of_frame(reader, first, max_frame), frame_timeout)


async def _rest_of_frame(reader: asyncio.StreamReader, first: bytes, max_frame: int) -> Frame:
    try:
        header = first + await reader.readexactly(HEADER_SIZE - 1)
    except asyncio.IncompleteReadError as exc:
        raise CstaFrameError(f"stream ended inside a header ({1 + len(exc.partial)} of 8 bytes)") from None
    try:
        length, invoke_id = parse_header(header, max_frame=max_frame)
    except CstaFrameError as exc:
        if not exc.fatal:
            await _discard(reader, int.from_bytes(header[2:4], "big") - HEADER_SIZE, exc.invoke_id)
        raise
    try:
        body = await reader.readexactly(length - HEADER_SIZE)
    except asyncio.IncompleteReadError as exc:
        raise CstaFrameError(f"stream ended after {len(exc.partial)} of {length - HEADER_SIZE} body bytes",
                             invoke_id=invoke_id) from None
    return Frame(invoke_id, body)


async def _discard(reader: asyncio.StreamReader, n: int, invoke_id: int | None) -> None:
    try:
        await reader.readexactly(n)
    except asyncio.IncompleteReadError:
        raise CstaFrameError("stream ended inside an oversized frame", invoke_id=invoke_id) from None


class InvokeIds:
    """Invoke IDs for requests: 1..9998, wrapping; 9999 is reserved for unsolicited events.

    >>> ids = InvokeIds(start=9998); ids.next(), ids.next()
    (9998, 1)
    """

    LAST = EVENT_INVOKE_ID - 1

    def __init__(self, start: int = 1):
        if not 1 <= start <= self.LAST:
            raise UsageError(f"start must be 1..{self.LAST}")
        self._next = start

    def next(self, in_use=()) -> int:
        """The next ID not in in_use; RuntimeError when all 9998 are in use."""
        for _ in range(self.LAST):
            value = self._next
            self._next = 1 if value == self.LAST else value + 1
            if value not in in_use:
                return value
        raise ToolError("all 9998 invoke IDs are awaiting a response")
