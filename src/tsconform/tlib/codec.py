"""The open T-Lib framing (docs/protocol.md): encode and decode, with precise errors.

>>> from tsconform.tlib.model import Message, MessageType, Attr
>>> raw = encode(Message(MessageType.EventACK, {Attr.ReferenceID: 3}))
>>> raw[:2], len(raw)
(b'TL', 19)
>>> decode(raw)
EventACK(ReferenceID=3)
"""
from __future__ import annotations

import asyncio
import struct

from ..errors import ProductFailure, UnsupportedType, UsageError
from .model import (ATTR_TYPES, AttrType, ConnID, KVList, KVType, Message, Unicode, attr_name,
                    kv_type, type_of)

MAGIC = b"TL"
VERSION = 1
HEADER = struct.Struct(">2sBBIHH")  # magic, version, flags, length, message type, attribute count
HEADER_LEN = HEADER.size  # 12
MAX_FRAME = 1 << 20  # 1 MiB: larger frames are refused before they are buffered
MAX_DEPTH = 8  # nesting of KV lists, the attribute's own list being depth 1


class FrameError(ProductFailure, ValueError):
    """A malformed frame: names the byte offset (from the start of the frame) and the reason."""

    def __init__(self, offset: int, reason: str):
        super().__init__(f"malformed T-Lib frame at offset {offset}: {reason}")
        self.offset = offset
        self.reason = reason


# ---------------------------------------------------------------- encoding

def encode(msg: Message) -> bytes:
    body = bytearray()
    for attr, value in msg.attrs.items():
        wire = ATTR_TYPES.get(attr) or type_of(value)
        body += struct.pack(">HB", int(attr), wire)
        _encode_value(body, wire, value, attr)
    length = HEADER_LEN + len(body)
    if length > MAX_FRAME:
        raise UsageError(f"{msg.name} encodes to {length} bytes, over the {MAX_FRAME}-byte limit")
    return HEADER.pack(MAGIC, VERSION, 0, length, int(msg.type), len(msg.attrs)) + bytes(body)


def _encode_value(out: bytearray, wire: AttrType, value, attr: int) -> None:
    if wire == AttrType.INT:
        out += struct.pack(">i", value)
    elif wire == AttrType.STRING:
        _put_bytes(out, str(value).encode())
    elif wire == AttrType.CONNID:
        out += struct.pack(">Q", ConnID(value))
    elif wire == AttrType.BINARY:
        _put_bytes(out, bytes(value))
    elif wire == AttrType.KVLIST:
        _encode_kv(out, value if isinstance(value, KVList) else KVList(value), 1, attr_name(attr))
    else:  # pragma: no cover - AttrType is closed
        raise UnsupportedType(f"{attr_name(attr)}: unknown wire type {wire}")


def _put_bytes(out: bytearray, data: bytes) -> None:
    out += struct.pack(">I", len(data))
    out += data


def _encode_kv(out: bytearray, kv: KVList, depth: int, where: str) -> None:
    if depth > MAX_DEPTH:  # the decoder refuses such a frame, so never produce one
        raise UsageError(f"KV list nesting deeper than {MAX_DEPTH} in {where}")
    out += struct.pack(">H", len(kv))
    for key, value in kv:
        k = key.encode()
        out += struct.pack(">H", len(k))
        out += k
        t = kv_type(value)
        out.append(t)
        if t == KVType.INT:
            out += struct.pack(">i", value)
        elif t in (KVType.STRING, KVType.UNICODE):
            _put_bytes(out, value.encode())
        elif t == KVType.BINARY:
            _put_bytes(out, value)
        else:
            _encode_kv(out, value, depth + 1, f"{where}[{key!r}]")


# ---------------------------------------------------------------- decoding

def check_header(buf: bytes, offset: int = 0) -> tuple[int, int, int]:
    """Validate the 12-byte header at offset; return (length, message type, attribute count)."""
    have = len(buf) - offset
    if have < HEADER_LEN:
        raise FrameError(0, f"short header: {have} of {HEADER_LEN} bytes")
    magic, version, flags, length, mtype, count = HEADER.unpack_from(buf, offset)
    if magic != MAGIC:
        raise FrameError(0, f"bad magic {magic!r}, expected {MAGIC!r}")
    if version != VERSION:
        raise FrameError(2, f"unsupported version {version}, expected {VERSION}")
    if flags:
        raise FrameError(3, f"reserved flags byte is {flags:#04x}, must be 0")
    if length < HEADER_LEN:
        raise FrameError(4, f"length {length} is shorter than the {HEADER_LEN}-byte header")
    if length > MAX_FRAME:
        raise FrameError(4, f"length {length} exceeds the {MAX_FRAME}-byte frame limit")
    return length, mtype, count


def decode(buf: bytes) -> Message:
    """Decode exactly one frame."""
    msg, end = decode_frame(buf)
    if end != len(buf):
        raise FrameError(end, f"{len(buf) - end} bytes after the end of the frame")
    return msg


def decode_frame(buf: bytes, offset: int = 0) -> tuple[Message, int]:
    """Decode the frame at offset; return the message and the offset just past it."""
    length, mtype, count = check_header(buf, offset)
    if offset + length > len(buf):
        raise FrameError(4, f"length {length} runs past the end of the buffer "
                            f"({len(buf) - offset} bytes)")
    r = _Reader(buf, offset, offset + length)
    r.pos = offset + HEADER_LEN
    attrs: dict[int, object] = {}
    for _ in range(count):
        at = r.rel()
        attr, wire = r.unpack(">HB", "attribute header")
        if attr in attrs:
            raise FrameError(at, f"duplicate attribute {attr_name(attr)}")
        attrs[attr] = _decode_value(r, wire, attr, at)
    if r.pos != r.end:
        raise FrameError(r.rel(), f"{r.end - r.pos} bytes after the last of {count} attributes")
    return Message(mtype, attrs), r.end


_STRUCTS: dict[str, struct.Struct] = {}


class _Reader:
    __slots__ = ("buf", "start", "end", "pos")

    def __init__(self, buf: bytes, start: int, end: int):
        self.buf, self.start, self.end, self.pos = buf, start, end, start

    def rel(self) -> int:
        return self.pos - self.start

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > self.end:
            raise FrameError(self.rel(), f"{what} needs {n} bytes, {self.end - self.pos} left in frame")
        data = self.buf[self.pos:self.pos + n]
        self.pos += n
        return bytes(data)

    def unpack(self, fmt: str, what: str):
        st = _STRUCTS.get(fmt) or _STRUCTS.setdefault(fmt, struct.Struct(fmt))
        return st.unpack(self.take(st.size, what))

    def text(self, n: int, what: str) -> str:
        at = self.rel()
        data = self.take(n, what)
        try:
            return data.decode()
        except UnicodeDecodeError as exc:
            raise FrameError(at + exc.start, f"invalid UTF-8 in {what}") from None


def _decode_value(r: _Reader, wire: int, attr: int, at: int):
    name = attr_name(attr)
    expected = ATTR_TYPES.get(attr)
    if wire not in AttrType._value2member_map_:
        raise FrameError(at + 2, f"unknown attribute type {wire} for {name}")
    if expected is not None and wire != expected:
        raise FrameError(at + 2, f"{name} has type {AttrType(wire).name}, expected {expected.name}")
    if wire == AttrType.INT:
        return r.unpack(">i", f"{name} value")[0]
    if wire == AttrType.CONNID:
        return ConnID(r.unpack(">Q", f"{name} value")[0])
    if wire == AttrType.KVLIST:
        return _decode_kv(r, 1, name)
    (n,) = r.unpack(">I", f"{name} length")
    if wire == AttrType.STRING:
        return r.text(n, f"{name} value")
    return r.take(n, f"{name} value")


def _decode_kv(r: _Reader, depth: int, where: str) -> KVList:
    if depth > MAX_DEPTH:
        raise FrameError(r.rel(), f"KV list nesting deeper than {MAX_DEPTH} in {where}")
    (count,) = r.unpack(">H", f"{where} pair count")
    kv = KVList()
    for _ in range(count):
        (klen,) = r.unpack(">H", f"{where} key length")
        key = r.text(klen, f"{where} key")
        at = r.rel()
        (t,) = r.unpack(">B", f"{where}[{key!r}] type")
        what = f"{where}[{key!r}]"
        if t == KVType.INT:
            value = r.unpack(">i", what)[0]
        elif t in (KVType.STRING, KVType.UNICODE):
            (n,) = r.unpack(">I", f"{what} length")
            value = r.text(n, what)
            if t == KVType.UNICODE:
                value = Unicode(value)
        elif t == KVType.BINARY:
            (n,) = r.unpack(">I", f"{what} length")
            value = r.take(n, what)
        elif t == KVType.LIST:
            value = _decode_kv(r, depth + 1, what)
        else:
            raise FrameError(at, f"unknown KV value type {t} in {what}")
        kv.append((key, value))
    return kv


# ---------------------------------------------------------------- streams

class FrameBuffer:
    """Accumulates stream bytes and yields complete frames; bounded by MAX_FRAME.

    A bad header poisons the stream (there is no resynchronisation point) and raises
    FrameError; a frame with a good header but bad content is skipped by the caller.
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        frames = []
        while len(self._buf) >= HEADER_LEN:
            length = check_header(self._buf)[0]
            if len(self._buf) < length:
                break
            frames.append(bytes(self._buf[:length]))
            del self._buf[:length]
        return frames

    def pending(self) -> int:
        return len(self._buf)


async def read_frame(reader: asyncio.StreamReader, frame_timeout: float | None = None) -> bytes | None:
    """Read one raw frame from a stream; None at a clean end of stream.

    Waiting for a frame to start is unbounded; once its first byte has arrived, the rest must
    arrive within frame_timeout seconds (a peer trickling bytes cannot hold a reader forever).
    Raises FrameError for a bad header, asyncio.IncompleteReadError for a truncated frame and
    asyncio.TimeoutError for a frame that does not complete in time.
    """
    head = await reader.read(HEADER_LEN)
    if not head:
        return None

    async def rest() -> bytes:
        h = head if len(head) == HEADER_LEN else head + await reader.readexactly(HEADER_LEN - len(head))
        length = check_header(h)[0]
        return h + await reader.readexactly(length - HEADER_LEN)

    return await asyncio.wait_for(rest(), frame_timeout)
