"""Link, IPv4/IPv6 and TCP headers, parsed with struct: the fast path of the reader.

``tcp_segment(linktype, data)`` returns a :class:`Segment` tuple for a TCP packet, or
None for anything else (ARP, UDP, IP fragments, unsupported link types).

>>> from tsconform.capture.packets import tcp_packet
>>> raw = tcp_packet(("10.0.0.1", 5000), ("10.0.0.2", 1040), seq=7, ack=1, flags="PA", payload=b"hi")
>>> seg = tcp_segment(LINKTYPE_ETHERNET, raw)
>>> endpoint(seg.src, seg.sport), endpoint(seg.dst, seg.dport), seg.seq, seg.payload
('10.0.0.1:5000', '10.0.0.2:1040', 7, b'hi')
"""
from __future__ import annotations

import ipaddress
import struct
from typing import NamedTuple

LINKTYPE_NULL = 0          # BSD loopback: 4-byte address family in host byte order
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101         # raw IPv4/IPv6 (also 12 and 14 on some systems)
LINKTYPE_LOOP = 108        # OpenBSD loopback: address family in network byte order
LINKTYPE_LINUX_SLL = 113   # Linux cooked capture ("any" interface)
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

SUPPORTED_LINKTYPES = frozenset({LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, 12, 14,
                                 LINKTYPE_LOOP, LINKTYPE_LINUX_SLL, LINKTYPE_IPV4,
                                 LINKTYPE_IPV6, LINKTYPE_LINUX_SLL2})

FIN, SYN, RST = 0x01, 0x02, 0x04

_ETH_IPV4, _ETH_IPV6 = 0x0800, 0x86DD
_VLAN_TAGS = (0x8100, 0x88A8, 0x9100)
_BSD_AF_INET6 = (10, 24, 28, 30)   # AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD, macOS
_IPV6_EXT = (0, 43, 60)            # hop-by-hop, routing, destination options
_TCP = struct.Struct("!HHIIBB")    # ports, seq, ack, data offset, flags


class Segment(NamedTuple):
    src: bytes          # packed IP address
    sport: int
    dst: bytes
    dport: int
    seq: int
    flags: int
    payload: bytes
    missing: int        # payload bytes the IP header announces but the capture lacks


def endpoint(addr: bytes, port: int) -> str:
    """'ip:port' for IPv4, '[ip]:port' for IPv6."""
    ip = ipaddress.ip_address(addr)
    return f"{ip}:{port}" if ip.version == 4 else f"[{ip}]:{port}"


def tcp_segment(linktype: int, data: bytes) -> Segment | None:
    """Parse a captured packet down to its TCP segment; None if it carries no TCP."""
    if linktype == LINKTYPE_ETHERNET:
        if len(data) < 14:
            return None
        etype = (data[12] << 8) | data[13]
        off = 14
        while etype in _VLAN_TAGS and len(data) >= off + 4:
            etype = (data[off + 2] << 8) | data[off + 3]
            off += 4
        if etype == _ETH_IPV4:
            return _ipv4(data, off)
        if etype == _ETH_IPV6:
            return _ipv6(data, off)
        return None
    if linktype == LINKTYPE_LINUX_SLL:
        if len(data) < 16:
            return None
        return _by_ethertype(data, (data[14] << 8) | data[15], 16)
    if linktype == LINKTYPE_LINUX_SLL2:
        if len(data) < 20:
            return None
        return _by_ethertype(data, (data[0] << 8) | data[1], 20)
    if linktype in (LINKTYPE_NULL, LINKTYPE_LOOP):
        if len(data) < 4:
            return None
        le, be = int.from_bytes(data[:4], "little"), int.from_bytes(data[:4], "big")
        fam = be if linktype == LINKTYPE_LOOP else (le if le < 0x10000 else be)
        if fam == 2:
            return _ipv4(data, 4)
        if fam in _BSD_AF_INET6:
            return _ipv6(data, 4)
        return None
    if linktype in (LINKTYPE_RAW, 12, 14, LINKTYPE_IPV4, LINKTYPE_IPV6):
        if not data:
            return None
        version = data[0] >> 4
        if version == 4:
            return _ipv4(data, 0)
        if version == 6:
            return _ipv6(data, 0)
    return None


def _by_ethertype(data: bytes, etype: int, off: int) -> Segment | None:
    if etype == _ETH_IPV4:
        return _ipv4(data, off)
    if etype == _ETH_IPV6:
        return _ipv6(data, off)
    return None


def _ipv4(data: bytes, off: int) -> Segment | None:
    if len(data) < off + 20 or data[off] >> 4 != 4 or data[off + 9] != 6:
        return None
    ihl = (data[off] & 0x0F) * 4
    total = (data[off + 2] << 8) | data[off + 3]
    if (data[off + 6] & 0x3F) or data[off + 7]:   # more fragments, or a fragment offset
        return None
    if total == 0:                                 # TSO: length left to the NIC
        total = len(data) - off
    return _tcp(data, data[off + 12:off + 16], data[off + 16:off + 20], off + ihl, off + total)


def _ipv6(data: bytes, off: int) -> Segment | None:
    if len(data) < off + 40 or data[off] >> 4 != 6:
        return None
    plen = (data[off + 4] << 8) | data[off + 5]
    nxt = data[off + 6]
    src, dst = data[off + 8:off + 24], data[off + 24:off + 40]
    end = off + 40 + plen
    pos = off + 40
    while nxt in _IPV6_EXT and len(data) >= pos + 8:
        nxt, pos = data[pos], pos + (data[pos + 1] + 1) * 8
    if nxt != 6:  # not TCP, or a fragment (44)
        return None
    return _tcp(data, src, dst, pos, end)


def _tcp(data: bytes, src: bytes, dst: bytes, off: int, end: int) -> Segment | None:
    if len(data) < off + 20:
        return None
    sport, dport, seq, _ack, doff, flags = _TCP.unpack_from(data, off)
    start = off + (doff >> 4) * 4
    have = min(end, len(data))
    if start > have:
        return None
    return Segment(src, sport, dst, dport, seq, flags, data[start:have], max(0, end - have))
