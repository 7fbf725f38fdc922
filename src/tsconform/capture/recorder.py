"""Record what TCP connections carry into a pcap that scapy and tshark both reassemble.

Each flow gets a 3-way handshake, data segments of at most ``mss`` bytes with correct
sequence and acknowledgement numbers, and a FIN exchange at close. Thread-safe: one lock
orders the packets of all flows as the calls happen.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "x.pcap")
>>> with PcapRecorder(path) as rec:
...     flow = rec.open_flow(("127.0.0.1", 40001), ("127.0.0.1", 1040))
...     flow.client_sent(b"hello"); flow.server_sent(b"world"); flow.close()
>>> rec.packets
8
"""
from __future__ import annotations

import os
import random
import threading
import time
from typing import Callable

from ..errors import UsageError
from .packets import tcp_packet
from .pcap_file import PcapFileWriter

MSS = 1460
Address = tuple  # (host, port), or a socket address tuple of more items


class PcapRecorder:
    """A pcap file fed by :class:`Flow` objects."""

    def __init__(self, path: str | os.PathLike, *, clock: Callable[[], float] = time.time,
                 mss: int = MSS):
        self.path = os.fspath(path)
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        self._f = open(self.path, "wb")
        self._w = PcapFileWriter(self._f)
        self._lock = threading.Lock()
        self._clock = clock
        self.mss = mss
        self.packets = 0
        self._ip_id = 0
        self._flows: list[Flow] = []
        self.closed = False

    def open_flow(self, client_addr: Address, server_addr: Address, *,
                  client_isn: int | None = None, server_isn: int | None = None) -> "Flow":
        """Start a connection: writes SYN, SYN-ACK, ACK."""
        flow = Flow(self, (str(client_addr[0]), int(client_addr[1])),
                    (str(server_addr[0]), int(server_addr[1])),
                    random.getrandbits(32) if client_isn is None else client_isn,
                    random.getrandbits(32) if server_isn is None else server_isn)
        with self._lock:
            self._check_open()
            self._flows.append(flow)
            flow._handshake()
        return flow

    def flush(self) -> None:
        with self._lock:
            if not self.closed:
                self._f.flush()

    def close(self) -> None:
        """Close every open flow (FIN exchange), then the file. Idempotent."""
        for flow in list(self._flows):
            flow.close()
        with self._lock:
            if not self.closed:
                self.closed = True
                self._f.close()

    def __enter__(self) -> "PcapRecorder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Called with the lock held.
    def _check_open(self) -> None:
        if self.closed:
            raise UsageError(f"recorder for {self.path} is closed")

    def _emit(self, src, dst, seq, ack, flags, payload=b"") -> None:
        self._ip_id = (self._ip_id + 1) & 0xFFFF
        self._w.write(tcp_packet(src, dst, seq=seq, ack=ack, flags=flags, payload=payload,
                                 ip_id=self._ip_id), self._clock())
        self.packets += 1


class Flow:
    """One recorded TCP connection; obtain it from :meth:`PcapRecorder.open_flow`."""

    def __init__(self, rec: PcapRecorder, client, server, client_isn: int, server_isn: int):
        self.rec = rec
        self.client, self.server = client, server
        self._next = {True: client_isn & 0xFFFFFFFF, False: server_isn & 0xFFFFFFFF}
        self.closed = False

    def client_sent(self, data: bytes, *, mss: int | None = None) -> None:
        """Record bytes the client wrote (split into segments of at most mss bytes)."""
        self.send(True, data, mss=mss)

    def server_sent(self, data: bytes, *, mss: int | None = None) -> None:
        """Record bytes the server wrote."""
        self.send(False, data, mss=mss)

    def send(self, from_client: bool, data: bytes, *, mss: int | None = None) -> None:
        mss = mss or self.rec.mss
        with self.rec._lock:
            self.rec._check_open()
            if self.closed:
                raise UsageError(f"flow {self.client} -> {self.server} is closed")
            src, dst = self._ends(from_client)
            data = bytes(data)
            for off in range(0, len(data), mss):
                chunk = data[off:off + mss]
                last = off + mss >= len(data)
                self._seg(from_client, src, dst, "PA" if last else "A", chunk)

    def close(self, *, by_client: bool = True) -> None:
        """FIN from one side, FIN-ACK from the other, final ACK. Idempotent."""
        with self.rec._lock:
            if self.closed or self.rec.closed:
                self.closed = True
                return
            self.closed = True
            a, b = self._ends(by_client)
            self._seg(by_client, a, b, "FA", b"", advance=1)
            self._seg(not by_client, b, a, "FA", b"", advance=1)
            self._seg(by_client, a, b, "A", b"")
            self.rec._flows.remove(self)

    def _ends(self, from_client: bool):
        return (self.client, self.server) if from_client else (self.server, self.client)

    def _handshake(self) -> None:
        c, s = self.client, self.server
        self.rec._emit(c, s, self._next[True], 0, "S")
        self._next[True] = (self._next[True] + 1) & 0xFFFFFFFF
        self.rec._emit(s, c, self._next[False], self._next[True], "SA")
        self._next[False] = (self._next[False] + 1) & 0xFFFFFFFF
        self.rec._emit(c, s, self._next[True], self._next[False], "A")

    def _seg(self, side: bool, src, dst, flags: str, payload: bytes, advance: int = 0) -> None:
        self.rec._emit(src, dst, self._next[side], self._next[not side], flags, payload)
        self._next[side] = (self._next[side] + len(payload) + advance) & 0xFFFFFFFF
