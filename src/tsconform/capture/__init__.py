"""Captures of the T-Lib and CSTA links, written as pcap.

- :class:`PcapRecorder` / :class:`Flow`: write what a TCP connection carries (handshake,
  sequence numbers, segments of at most 1460 bytes, FIN), from the suite's own sockets;
- :class:`RecordingProxy`: a TCP relay that records every connection through it;
- :class:`LiveCapture`: scapy's AsyncSniffer with a BPF filter, where the process may
  capture; :func:`capture_mode` says which of live or recorder is usable, and why.
"""
from .proxy import RecordingProxy
from .recorder import Flow, PcapRecorder
from .sniffer import CaptureMode, LiveCapture, capture_mode

__all__ = ["CaptureMode", "Flow", "LiveCapture", "PcapRecorder", "RecordingProxy",
           "capture_mode"]
