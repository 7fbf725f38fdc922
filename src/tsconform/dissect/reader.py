"""Dissect a pcap/pcapng of the T-Lib and CSTA links into PDUs, without scapy packets per frame.

>>> import os, tempfile
>>> from tsconform.capture import PcapRecorder
>>> from tsconform.dissect.csta_framing import make_frame
>>> path = os.path.join(tempfile.mkdtemp(), "c.pcap")
>>> with PcapRecorder(path) as rec:
...     flow = rec.open_flow(("10.0.0.1", 40000), ("10.0.0.2", 1040))
...     flow.client_sent(make_frame("0004", "<MakeCall/>"))
>>> [(p.frame, p.link, p.invoke_id, p.message) for p in read_capture(path)]
[(4, 'csta', '0004', 'MakeCall')]
"""
from __future__ import annotations

import os
from typing import Iterable, Iterator

from .pcapfile import CaptureError, ReadPosition, Truncated, open_capture, records
from .pdu import Dissection, DissectWarning, Pdu, StreamEnd
from .streams import TcpStream
from .tcpip import FIN, RST, SUPPORTED_LINKTYPES, endpoint, tcp_segment

CSTA_PORT = 1040

__all__ = ["CaptureError", "CaptureReader", "read_capture", "CSTA_PORT"]


class CaptureReader:
    """Iterates a capture's PDUs and warnings in frame order.

    ``tlib_ports`` / ``csta_ports``: TCP ports whose streams use that framing (either end).
    ``heuristics``: on other ports, a stream whose first bytes look like a CSTA or T-Lib
    header is dissected too. After iteration ``frames`` holds the number of packets read,
    ``first_time`` the first packet's time and ``last_time`` the last one's.
    ``closes``: also yield a :class:`StreamEnd` when a dissected stream carries FIN or RST.
    """

    def __init__(self, path: str | os.PathLike, *, tlib_ports: Iterable[int] = (),
                 csta_ports: Iterable[int] = (CSTA_PORT,), heuristics: bool = True, closes: bool = False):
        self.path = os.fspath(path)
        open_capture(self.path).close()      # fail early: CaptureError
        self.ports: dict[int, str] = {int(p): "csta" for p in csta_ports}
        self.ports.update({int(p): "tlib" for p in tlib_ports})
        self.heuristics = heuristics
        self.closes = closes
        self.frames = 0
        self.position = ReadPosition()
        self.first_time: float | None = None
        self.last_time: float | None = None

    def __iter__(self) -> Iterator[Pdu | DissectWarning]:
        out: list = []
        streams: dict[tuple, TcpStream] = {}
        ports, heuristics = self.ports, self.heuristics
        unsupported: set[int] = set()
        frame = 0
        for rec in records(self.path, self.position):
            if isinstance(rec, Truncated):
                out.append(DissectWarning(rec.frame, "the capture file is cut inside this "
                                          f"packet record ({rec.have} bytes of it present); "
                                          "it is ignored"))
                break
            frame += 1
            self.frames = frame
            linktype, ts, data = rec
            if frame == 1:
                self.first_time = ts
            self.last_time = ts
            seg = tcp_segment(linktype, data)
            if seg is None:
                if linktype not in SUPPORTED_LINKTYPES and linktype not in unsupported:
                    unsupported.add(linktype)
                    out.append(DissectWarning(frame, f"link type {linktype} is not supported; "
                                                     "its packets are skipped"))
                    yield from out
                    out.clear()
                continue
            key = seg[:4]
            st = streams.get(key)
            if st is None:
                link = ports.get(seg.dport) or ports.get(seg.sport)
                st = TcpStream(endpoint(seg.src, seg.sport), endpoint(seg.dst, seg.dport), out,
                               link)
                if link is None and not heuristics:
                    st.ignored = True
                streams[key] = st
            if st.ignored:
                continue
            st.segment(seg.seq, seg.flags, seg.payload, seg.missing, frame, ts)
            if self.closes and seg.flags & (FIN | RST) and st.framer is not None:
                out.append(StreamEnd(frame, ts, st.src, st.dst))
            if out:
                yield from out
                out.clear()
        self.frames = frame
        for st in streams.values():
            if not st.ignored:
                st.finish(frame)
        yield from out


def read_capture(path: str | os.PathLike, **options) -> Dissection:
    """Dissect a whole capture (options as for :class:`CaptureReader`)."""
    reader = CaptureReader(path, **options)
    result = Dissection(reader.path)
    for item in reader:
        (result.pdus if isinstance(item, Pdu) else result.warnings).append(item)
    result.pdus.sort(key=lambda p: p.frame)    # PDUs drained at the end come last otherwise
    result.frames, result.first_time = reader.frames, reader.first_time
    return result
