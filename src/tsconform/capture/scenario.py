"""One scenario's capture of both links, and the dissected view the wire checks read.

Modes (profile target.capture.mode):
- live: scapy's sniffer on an interface with a BPF filter on the scenario's ports;
- recorder: recording TCP relays in front of the T-Server and the switch (embedded simulator),
  or in front of the T-Server only (a live target: its CSTA link is then not seen);
- pcap: a capture the user's own tcpdump writes; the scenario reads the PDUs of its time span;
- none: no capture; wire checks are inconclusive.
`auto` picks live when this process may capture, else recorder.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..dissect import CaptureError, Dissection, Pdu, read_capture
from ..errors import TestSystemError, UsageError
from .recorder import PcapRecorder
from .redact import redact_file
from .sniffer import LIVE, RECORDER, LiveCapture, capture_mode

MODES = ("auto", "live", "recorder", "pcap", "none")


def resolve_mode(wanted: str, iface: str) -> tuple[str, str]:
    """(mode, reason) for the profile's capture.mode."""
    if wanted == "auto":
        cm = capture_mode(iface)
        return cm.mode, cm.reason
    if wanted == LIVE:
        cm = capture_mode(iface)
        if cm.mode != LIVE:
            raise UsageError(f"capture mode 'live' is not possible here: {cm.reason}")
        return LIVE, cm.reason
    return wanted, {"recorder": "recording relays in front of the T-Server and the switch",
                    "pcap": "the profile's pcap, written by the user's own capture",
                    "none": "no capture: wire checks are inconclusive"}[wanted]


def file_name(req_ids: list[str], scenario: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", scenario).strip("-")[:80]
    return f"{(req_ids or ['NOREQ'])[0]}-{slug}.pcap"


@dataclass
class ScenarioCapture:
    mode: str
    reason: str
    path: Path | None
    iface: str = "lo"
    tlib_ports: set[int] = field(default_factory=set)
    csta_ports: set[int] = field(default_factory=set)
    recorder: PcapRecorder | None = None
    started: float = field(default_factory=time.time)
    secrets: list[str] = field(default_factory=list)  # masked in attachments, and on disk with redact
    redact: bool = False
    _live: LiveCapture | None = None

    def start_recorder(self) -> PcapRecorder | None:
        if self.mode == RECORDER and self.path is not None:
            self.recorder = PcapRecorder(self.path)
        return self.recorder

    def start_live(self) -> None:
        """Start sniffing once the ports are known."""
        if self.mode == LIVE and self.path is not None:
            logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
            self._live = LiveCapture(self.path, self.tlib_ports | self.csta_ports, self.iface).start()

    def settle(self, quiet: float = 0.04, limit: float = 1.0) -> None:
        """Live capture lags the sockets: wait until no packet arrived for `quiet` seconds."""
        if not self._live:
            return
        deadline, seen = time.monotonic() + limit, -1
        while self._live.packets != seen and time.monotonic() < deadline:
            seen = self._live.packets
            time.sleep(quiet)

    def stop(self) -> None:
        if self._live:
            self._live.stop()
            self._live = None
        if self.recorder and not self.recorder.closed:
            self.recorder.close()
        if self.redact and self.path is not None and self.mode in (LIVE, RECORDER) and self.path.exists():
            redact_file(self.path, self.secrets)

    def dissect(self) -> Dissection:
        """The PDUs captured so far (for a shared pcap: those since the scenario started)."""
        if self.mode == "none" or self.path is None:
            raise CaptureUnavailable(f"no capture ({self.reason})")
        if self.recorder and not self.recorder.closed:
            self.recorder.flush()
        if self._live and (not self.path.exists() or self.path.stat().st_size == 0):
            return Dissection(str(self.path))  # the sniffer writes the file header with its first packet
        if not self.path.exists():
            raise CaptureUnavailable(f"capture file {self.path} does not exist")
        try:
            d = read_capture(self.path, tlib_ports=self.tlib_ports, csta_ports=self.csta_ports)
        except CaptureError as exc:
            raise CaptureUnavailable(str(exc)) from None
        if self.mode == "pcap":  # a shared capture: only the frames of this scenario's time span
            d.pdus = [p for p in d.pdus if p.time >= self.started]
        return d

    def wait_for(self, match, timeout: float) -> tuple[Pdu | None, Dissection]:
        """Poll the capture until a PDU matches (live capture lags the sockets a little)."""
        deadline = time.monotonic() + timeout
        while True:
            d = self.dissect()
            hit = next((p for p in d.pdus if match(p)), None)
            if hit is not None or time.monotonic() >= deadline or self.mode == RECORDER:
                return hit, d
            time.sleep(0.02)


class CaptureUnavailable(TestSystemError):
    """The scenario has no capture to read (mode none, or the file is missing or unreadable)."""
