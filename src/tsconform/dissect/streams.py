"""Per-direction TCP stream reassembly by sequence number.

Bytes already delivered are dropped (retransmissions, the second copy of every packet
that loopback capture shows, overlapping segments); segments ahead of a gap wait until the
gap is filled (out of order), or, when it never is, the gap is reported and skipped.
Sequence numbers wrap at 2**32.
"""
from __future__ import annotations

from .framers import Framer, guess_link, FRAMERS
from .tcpip import SYN

_MOD = 1 << 32
_HALF = 1 << 31
OUT_OF_ORDER_LIMIT = 4 << 20   # bytes held beyond a gap before the gap is declared lost


class TcpStream:
    """One direction of a TCP connection, feeding a framer (None: still to be detected)."""

    __slots__ = ("framer", "next_seq", "ooo", "ooo_bytes", "src", "dst", "out", "ignored",
                 "probe", "last_frame", "isn")

    def __init__(self, src: str, dst: str, out: list, link: str | None):
        self.src, self.dst, self.out = src, dst, out
        self.framer: Framer | None = FRAMERS[link](src, dst, out) if link else None
        self.next_seq: int | None = None
        self.ooo: dict[int, tuple[bytes, int, int, float]] = {}
        self.ooo_bytes = 0
        self.ignored = False
        self.probe = b""
        self.last_frame = 0
        self.isn: int | None = None

    def segment(self, seq: int, flags: int, payload: bytes, missing: int, frame: int,
                ts: float) -> None:
        if flags & SYN:
            if seq == self.isn:
                return                       # a copy of the SYN already seen
            if self.next_seq is not None:
                self.restart(frame)          # the ports were reused by a new connection
            self.isn, self.next_seq = seq, (seq + 1) % _MOD
            return
        if not payload and not missing:
            return
        if self.next_seq is None:
            self.next_seq = seq              # the capture started mid-connection
        d = (seq - self.next_seq) % _MOD
        if d >= _HALF:                       # starts before what was delivered
            back = _MOD - d
            if back >= len(payload) + missing:
                return                       # a retransmission or a duplicate copy
            if back >= len(payload):
                self._lose(frame, len(payload) + missing - back)
                return
            payload, d = payload[back:], 0
        if d:
            old = self.ooo.get(seq)
            if old is None or len(old[0]) + old[1] < len(payload) + missing:
                self.ooo_bytes += len(payload) - (len(old[0]) if old else 0)
                self.ooo[seq] = (payload, missing, frame, ts)
                if self.ooo_bytes > OUT_OF_ORDER_LIMIT:
                    self._skip_gap(frame, ts)
            return
        self._deliver(payload, missing, frame, ts)
        if self.ooo:
            self._drain(frame, ts)

    def _deliver(self, payload: bytes, missing: int, frame: int, ts: float) -> None:
        self.next_seq = (self.next_seq + len(payload) + missing) % _MOD
        self.last_frame = frame
        if self.framer is None:
            self._detect(payload, frame, ts)
        elif payload:
            self.framer.feed(payload, frame, ts)
        if missing and self.framer is not None:
            self.framer.lost(frame, missing)

    def _detect(self, payload: bytes, frame: int, ts: float) -> None:
        data = self.probe + payload
        link = guess_link(data)
        if link is None and len(data) < 16:
            self.probe = data                # too little to tell yet
            return
        self.probe = b""
        if link is None:
            self.ignored = True
            self.ooo.clear()
            return
        self.framer = FRAMERS[link](self.src, self.dst, self.out)
        self.framer.feed(data, frame, ts)

    def _drain(self, frame: int, ts: float) -> None:
        progressed = True
        while self.ooo and progressed and not self.ignored:
            progressed = False
            for seq in list(self.ooo):
                d = (seq - self.next_seq) % _MOD
                if d and d < _HALF:
                    continue
                payload, missing, f, t = self.ooo.pop(seq)
                self.ooo_bytes -= len(payload)
                if f > frame:                # drained at the end: its own frame completes
                    frame, ts = f, t
                back = (_MOD - d) % _MOD
                if back < len(payload):
                    self._deliver(payload[back:], missing, frame, ts)
                elif back < len(payload) + missing:
                    self._deliver(b"", len(payload) + missing - back, frame, ts)
                progressed = True

    def _skip_gap(self, frame: int, ts: float) -> None:
        """Give up on the earliest gap: report its size, continue after it."""
        seq = min(self.ooo, key=lambda s: (s - self.next_seq) % _MOD)
        gap = (seq - self.next_seq) % _MOD
        self._lose(max(frame, self.ooo[seq][2]), gap)
        self.next_seq = seq
        self._drain(frame, ts)

    def _lose(self, frame: int, nbytes: int) -> None:
        if self.framer is not None:
            self.framer.lost(frame, nbytes)

    def restart(self, frame: int) -> None:
        self.finish(frame)
        self.framer = type(self.framer)(self.src, self.dst, self.out) if self.framer else None
        self.next_seq, self.ooo, self.ooo_bytes, self.probe = None, {}, 0, b""
        self.ignored = False

    def finish(self, frame: int) -> None:
        """End of capture: report gaps never filled and a PDU in progress."""
        while self.ooo and not self.ignored:
            self._skip_gap(0, 0.0)
        if self.framer is not None:
            self.framer.finish(self.last_frame or frame)
