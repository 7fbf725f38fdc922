"""Captures of the T-Lib and CSTA links: a socket recorder and a live sniffer, both writing pcap.

``capture_mode()`` says which one this process can use and why.
"""
from .recorder import Flow, PcapRecorder

__all__ = ["Flow", "PcapRecorder"]
