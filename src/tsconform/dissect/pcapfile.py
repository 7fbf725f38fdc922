"""Read the packet records of a pcap or pcapng file (scapy's raw readers, no dissection).

``records(path)`` yields ``(linktype, time, data)`` per packet and, as its last item when
the file is cut inside a record, a :class:`Truncated` marker naming the frame. Given a
:class:`ReadPosition`, it keeps there the bytes of the file read so far (for progress).
"""
from __future__ import annotations

import gzip
import os
from typing import Iterator, NamedTuple

from scapy.error import Scapy_Exception
from scapy.utils import RawPcapNgReader, RawPcapReader

from ..errors import TestSystemError

MAX_PACKET = 1 << 20   # scapy's default cuts records at 65535 bytes; loopback can exceed it


class CaptureError(TestSystemError):
    """The file is not a readable pcap or pcapng capture."""


class Truncated(NamedTuple):
    frame: int          # 1-based number of the packet the file is cut inside
    have: int           # bytes of that record present
    want: int           # bytes the record announces


class ReadPosition:
    """How far records() has read its file: `offset` bytes of `size` (None for a gzip file)."""

    def __init__(self) -> None:
        self.offset, self.size = 0, None


def open_capture(path: str | os.PathLike):
    """A scapy raw reader for path; CaptureError with a clear message otherwise."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CaptureError(f"{path}: no such file")
    try:
        return RawPcapReader(path)   # the metaclass picks the pcapng reader by magic
    except Scapy_Exception as exc:
        raise CaptureError(f"{path}: not a pcap or pcapng capture ({exc})") from None
    except (EOFError, OSError) as exc:
        raise CaptureError(f"{path}: not a readable capture ({exc})") from None


def records(path: str | os.PathLike,
            at: ReadPosition | None = None) -> Iterator[tuple[int, float, bytes] | Truncated]:
    reader = open_capture(path)
    at = at or ReadPosition()
    try:
        f = reader.f
        size = None if isinstance(f, gzip.GzipFile) else os.path.getsize(path)
        at.size = size
        read = reader._read_packet
        if isinstance(reader, RawPcapNgReader):
            yield from _pcapng(reader, read, f, size, at)
        else:
            yield from _pcap(reader, read, f, size, at)
        at.offset = size if size is not None else at.offset
    finally:
        reader.close()


def _pcap(reader, read, f, size, at):
    lt = reader.linktype
    scale = 1e-9 if reader.nano else 1e-6
    frame = 0
    while True:
        at.offset = pos = f.tell()
        try:
            data, (sec, usec, _wirelen, caplen) = read(MAX_PACKET)
        except EOFError:
            if size is not None and pos < size:
                yield Truncated(frame + 1, size - pos, 16)
            return
        frame += 1
        if len(data) < caplen and len(data) < MAX_PACKET:
            yield Truncated(frame, len(data), caplen)
            return
        yield lt, sec + usec * scale, data


def _pcapng(reader, read, f, size, at):
    frame = 0
    while True:
        at.offset = pos = f.tell()
        try:
            data, meta = read(MAX_PACKET)
        except EOFError:
            if size is not None and pos < size:
                yield Truncated(frame + 1, size - pos, 0)
            return
        frame += 1
        yield meta.linktype, ((meta.tshigh << 32) | meta.tslow) / meta.tsresol, data
