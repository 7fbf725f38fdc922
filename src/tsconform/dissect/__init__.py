"""Dissection of T-Lib and CSTA captures.

Two ways in, sharing the framing code:

- :func:`read_capture` / :class:`CaptureReader`: the fast reader (TCP reassembly by
  sequence number, one :class:`Pdu` per application PDU, warnings naming frames);
  the wire checks use it.
- the scapy layers :class:`TLibFrame` and :class:`CSTAFrame` (bound by :func:`bind_ports`,
  reassembled by scapy's ``TCPSession``), for interactive use and per-packet checks.
"""
from .csta_layer import CSTAFrame
from .layers import LinkHeuristic, bind_ports
from .pcapfile import CaptureError
from .pdu import Dissection, DissectWarning, Pdu, StreamEnd
from .reader import CSTA_PORT, CaptureReader, read_capture
from .tlib_layer import TLibAttribute, TLibFrame, TLibKVList, TLibKVPair

__all__ = ["CSTA_PORT", "CSTAFrame", "CaptureError", "CaptureReader", "Dissection",
           "DissectWarning", "LinkHeuristic", "Pdu", "StreamEnd", "TLibAttribute", "TLibFrame",
           "TLibKVList", "TLibKVPair", "bind_ports", "read_capture"]
