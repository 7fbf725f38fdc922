"""Build Ethernet + IPv4/IPv6 + TCP packets as bytes, with correct lengths and checksums.

>>> raw = tcp_packet(("127.0.0.1", 40000), ("127.0.0.1", 1040), seq=1, ack=1, flags="PA", payload=b"x")
>>> len(raw), raw[12:14].hex()
(55, '0800')
"""
from __future__ import annotations

import functools
import ipaddress
import socket
import struct
from array import array

from ..errors import UsageError

ETH_IPV4, ETH_IPV6 = b"\x08\x00", b"\x86\xdd"
_FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}


@functools.lru_cache(maxsize=256)
def resolve(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An IP address for host (a literal, or a name resolved once)."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return ipaddress.ip_address(socket.getaddrinfo(host, None)[0][4][0])


def mac_for(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bytes:
    """A stable, locally administered MAC address derived from an IP address."""
    return b"\x02\x00" + ip.packed[-4:]


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071), as an int to pack big-endian."""
    if len(data) % 2:
        data += b"\x00"
    s = sum(array("H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    # The sum was taken in native order; bring the complement back to network order.
    return int.from_bytes(struct.pack("=H", ~s & 0xFFFF), "big")


def tcp_packet(src: tuple[str, int], dst: tuple[str, int], *, seq: int, ack: int = 0,
               flags: str = "PA", payload: bytes = b"", window: int = 65535,
               ip_id: int = 0) -> bytes:
    """One Ethernet frame carrying a TCP segment from src to dst ((host, port) pairs)."""
    sip, dip = resolve(src[0]), resolve(dst[0])
    if sip.version != dip.version:
        raise UsageError(f"address families differ: {sip} and {dip}")
    bits = 0
    for f in flags:
        bits |= _FLAG_BITS[f]
    tcp = bytearray(struct.pack("!HHIIBBHHH", src[1], dst[1], seq & 0xFFFFFFFF,
                                ack & 0xFFFFFFFF if "A" in flags else 0, 5 << 4, bits,
                                window, 0, 0))
    tcp += payload
    tlen = len(tcp)
    if sip.version == 4:
        pseudo = sip.packed + dip.packed + struct.pack("!BBH", 0, 6, tlen)
    else:
        pseudo = sip.packed + dip.packed + struct.pack("!IxxxB", tlen, 6)
    struct.pack_into("!H", tcp, 16, checksum(pseudo + bytes(tcp)))
    if sip.version == 4:
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + tlen, ip_id & 0xFFFF,
                                   0x4000, 64, 6, 0, sip.packed, dip.packed))
        struct.pack_into("!H", ip, 10, checksum(bytes(ip)))
        etype = ETH_IPV4
    else:
        ip = bytearray(struct.pack("!IHBB16s16s", 6 << 28, tlen, 6, 64, sip.packed, dip.packed))
        etype = ETH_IPV6
    return mac_for(dip) + mac_for(sip) + etype + bytes(ip) + bytes(tcp)
