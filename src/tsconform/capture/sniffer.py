"""Live capture with scapy's AsyncSniffer and a BPF filter, and which capture mode is usable.

Live capture needs root or CAP_NET_RAW and libpcap (scapy compiles BPF filters with it);
otherwise the suite records its own sockets with :class:`~tsconform.capture.PcapRecorder`.
On the loopback interface every packet is seen twice (outgoing and incoming copy); the
reader drops the second copy by sequence number.

>>> capture_mode("lo").mode in ("live", "recorder")
True
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Iterable

from ..errors import ToolError

LIVE, RECORDER = "live", "recorder"
CAP_NET_RAW = 13


@dataclass(frozen=True)
class CaptureMode:
    mode: str          # "live" or "recorder"
    reason: str        # why, in words a report can show


def can_capture_raw() -> tuple[bool, str]:
    """Root or CAP_NET_RAW in the effective capability set."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return True, "running as root"
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    if int(line.split()[1], 16) >> CAP_NET_RAW & 1:
                        return True, "CAP_NET_RAW is effective"
                    break
    except OSError:
        pass
    return False, "neither root nor CAP_NET_RAW"


def libpcap_available() -> tuple[bool, str]:
    """Whether scapy can compile a BPF filter (it uses libpcap for that)."""
    try:
        from scapy.arch.common import compile_filter
        compile_filter("tcp", linktype=1)
    except ImportError as exc:
        return False, f"libpcap is not available ({exc})"
    except Exception as exc:  # scapy raises Scapy_Exception for compile errors
        return False, f"libpcap cannot compile a filter ({exc})"
    return True, "libpcap is available"


def capture_mode(iface: str = "lo") -> CaptureMode:
    """"live" when this process can sniff iface with a BPF filter, else "recorder"."""
    ok, why = can_capture_raw()
    if not ok:
        return CaptureMode(RECORDER, f"no live capture: {why}")
    pcap_ok, pcap_why = libpcap_available()
    if not pcap_ok:
        return CaptureMode(RECORDER, f"no live capture: {pcap_why}")
    if not os.path.exists(f"/sys/class/net/{iface}") and os.path.isdir("/sys/class/net"):
        return CaptureMode(RECORDER, f"no live capture: no interface {iface!r}")
    return CaptureMode(LIVE, f"live capture on {iface}: {why}, {pcap_why}")


def bpf_for_ports(ports: Iterable[int]) -> str:
    """'tcp and (port A or port B)'; plain 'tcp' for no ports."""
    ports = sorted({int(p) for p in ports})
    if not ports:
        return "tcp"
    return "tcp and (" + " or ".join(f"port {p}" for p in ports) + ")"


class LiveCapture:
    """Sniff TCP on the given ports of an interface into a pcap until stopped.

    ``with LiveCapture(path, [1040, 7000]):`` ... traffic ... (the file is complete after exit).
    """

    def __init__(self, path: str | os.PathLike, ports: Iterable[int], iface: str = "lo",
                 start_timeout: float = 5.0):
        self.path = os.fspath(path)
        self.iface = iface
        self.filter = bpf_for_ports(ports)
        self.start_timeout = start_timeout
        self.packets = 0
        self._sniffer = None
        self._writer = None
        self._lock = threading.Lock()

    def start(self) -> "LiveCapture":
        from scapy.sendrecv import AsyncSniffer
        from scapy.utils import PcapWriter
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        self._writer = PcapWriter(self.path, sync=True)
        started = threading.Event()
        self._sniffer = AsyncSniffer(iface=self.iface, filter=self.filter, store=False,
                                     prn=self._write, started_callback=started.set)
        self._sniffer.start()
        if not started.wait(self.start_timeout):
            self.stop()
            raise ToolError(f"live capture on {self.iface} did not start")
        return self

    def _write(self, pkt) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.write(pkt)
                self.packets += 1

    def stop(self) -> None:
        if self._sniffer is not None:
            sniffer, self._sniffer = self._sniffer, None
            if sniffer.running:
                sniffer.stop()
        with self._lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None

    def __enter__(self) -> "LiveCapture":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
