"""Bind the T-Lib and CSTA layers into scapy: by port, and by a heuristic on any port.

Importing this module binds CSTA to port 1040 and enables the heuristic; T-Lib ports are
the caller's (``bind_ports(tlib_ports=[port])``).

>>> from scapy.layers.inet import IP, TCP
>>> from tsconform.dissect.csta_framing import make_frame
>>> pkt = IP(bytes(IP() / TCP(sport=40000, dport=1040) / make_frame("9999", "<PrivateEvent/>")))
>>> pkt[CSTAFrame].invoke_id, pkt[CSTAFrame].root
('9999', 'PrivateEvent')
>>> pkt = IP(bytes(IP() / TCP(sport=40000, dport=7777) / make_frame("0001", "<Escape/>")))
>>> pkt[CSTAFrame].root
'Escape'
"""
from __future__ import annotations

from scapy.config import conf
from scapy.layers.inet import TCP
from scapy.packet import Packet, bind_layers, split_layers

from ..tlib import codec
from . import csta_framing as cf
from .csta_layer import CSTAFrame
from .tlib_layer import TLibFrame

_TLIB_START = codec.MAGIC + bytes([codec.VERSION, 0])
_bound: set[tuple[type, int]] = set()
_heuristic = False


def _guess(data: bytes):
    if cf.looks_like_csta(data):
        return CSTAFrame
    if data[:4] == _TLIB_START:
        return TLibFrame
    return None


class LinkHeuristic(Packet):
    """Stands for "a T-Lib or CSTA frame on any port": instantiation picks the layer."""

    name = "T-Lib/CSTA heuristic"

    @classmethod
    def dispatch_hook(cls, _pkt=None, *args, **kargs):
        return (_guess(bytes(_pkt)) if _pkt else None) or conf.raw_layer

    @classmethod
    def tcp_reassemble(cls, data: bytes, metadata: dict, session=None):
        layer = _guess(data)
        if layer is not None:
            return layer.tcp_reassemble(data, metadata, session)
        if len(data) < cf.HEADER_LEN + 1 and (cf.FORMAT_XML.startswith(data[:2])
                                               or _TLIB_START.startswith(data[:4])):
            return None                     # too short to tell yet
        return conf.raw_layer(data)


def bind_ports(tlib_ports=(), csta_ports=(1040,), heuristic: bool = True) -> None:
    """Bind the layers to TCP ports (either end); idempotent. heuristic: any other port."""
    global _heuristic
    for layer, ports in ((TLibFrame, tlib_ports), (CSTAFrame, csta_ports)):
        for port in ports:
            if (layer, int(port)) not in _bound:
                _bound.add((layer, int(port)))
                bind_layers(TCP, layer, dport=int(port))
                bind_layers(TCP, layer, sport=int(port))
    if heuristic and not _heuristic:
        bind_layers(TCP, LinkHeuristic)
    elif not heuristic and _heuristic:
        split_layers(TCP, LinkHeuristic)
    _heuristic = heuristic


bind_ports()
