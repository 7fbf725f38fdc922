"""The reader's TCP reassembly: every PDU exactly once, at the frame that completes it."""
from __future__ import annotations

import pytest

from tsconform.capture.packets import tcp_packet
from tsconform.capture.pcap_file import PcapFileWriter
from tsconform.dissect import CaptureError, read_capture
from tsconform.dissect.samples import csta_frame, tlib_frame
from tsconform.tlib.model import MessageType

C, S = ("10.0.0.1", 40000), ("10.0.0.2", 1040)


class Seg:
    """A packet to write: from the client (or server) at a sequence offset."""

    def __init__(self, off: int, data: bytes = b"", *, server: bool = False, flags: str = "PA",
                 isn: int = 1000):
        self.off, self.data, self.server, self.flags, self.isn = off, data, server, flags, isn

    def raw(self, client=C, server=S) -> bytes:
        src, dst = (server, client) if self.server else (client, server)
        return tcp_packet(src, dst, seq=self.isn + self.off, ack=1, flags=self.flags,
                          payload=self.data)


def write(path, segs, *, syn=True, client=C, server=S, isn=1000):
    with open(path, "wb") as f:
        w = PcapFileWriter(f)
        t = 100.0
        if syn:
            w.write(tcp_packet(client, server, seq=isn - 1, flags="S"), t)
        for s in segs:
            t += 0.001
            w.write(s.raw(client, server) if isinstance(s, Seg) else s, t)
    return path


def ids(path, **kw):
    d = read_capture(path, **kw)
    return [(p.frame, p.id, p.message) for p in d], [str(w) for w in d.warnings]


F1 = csta_frame("0001", "MakeCall")
F2 = csta_frame("0002", "Escape", "<private>" + "x" * 500 + "</private>")
F3 = csta_frame("9999", "PrivateEvent")


def test_one_pdu_per_segment(tmp_path):
    p = write(tmp_path / "a.pcap", [Seg(0, F1), Seg(len(F1), F2)])
    assert ids(p) == ([(2, "0001", "MakeCall"), (3, "0002", "Escape")], [])


def test_split_pdu_is_reported_at_the_completing_frame(tmp_path):
    p = write(tmp_path / "a.pcap", [Seg(0, F2[:3]), Seg(3, F2[3:100]), Seg(100, F2[100:])])
    assert ids(p) == ([(4, "0002", "Escape")], [])


def test_several_pdus_in_one_segment(tmp_path):
    p = write(tmp_path / "a.pcap", [Seg(0, F1 + F2 + F3[:10]), Seg(len(F1 + F2) + 10, F3[10:])])
    assert ids(p)[0] == [(2, "0001", "MakeCall"), (2, "0002", "Escape"),
                         (3, "9999", "PrivateEvent")]


def test_retransmission_is_dropped(tmp_path):
    p = write(tmp_path / "a.pcap", [Seg(0, F1), Seg(0, F1), Seg(len(F1), F2), Seg(0, F1)])
    assert ids(p) == ([(2, "0001", "MakeCall"), (4, "0002", "Escape")], [])


def test_overlapping_retransmission_delivers_only_new_bytes(tmp_path):
    both = F1 + F2
    p = write(tmp_path / "a.pcap", [Seg(0, both[:50]), Seg(0, both[:len(F1) + 20]),
                                    Seg(len(F1) + 20, both[len(F1) + 20:])])
    assert ids(p) == ([(3, "0001", "MakeCall"), (4, "0002", "Escape")], [])


def test_loopback_duplicates_give_each_pdu_once(tmp_path):
    segs = [Seg(0, F1), Seg(len(F1), F2[:200]), Seg(len(F1) + 200, F2[200:] + F3)]
    doubled = []
    for s in segs:
        doubled += [s, s]
    p = write(tmp_path / "a.pcap", doubled)
    # Frame 1 is the SYN; each data packet appears twice: 2/3, 4/5, 6/7.
    assert ids(p) == ([(2, "0001", "MakeCall"), (6, "0002", "Escape"),
                       (6, "9999", "PrivateEvent")], [])


def test_out_of_order_segment_waits_for_the_gap(tmp_path):
    both = F1 + F2
    p = write(tmp_path / "a.pcap", [Seg(100, both[100:]), Seg(0, both[:100])])
    assert ids(p) == ([(3, "0001", "MakeCall"), (3, "0002", "Escape")], [])


def test_sequence_numbers_wrap(tmp_path):
    isn = (1 << 32) - 30
    segs = [Seg(0, F1[:20], isn=isn), Seg(20, F1[20:] + F2, isn=isn), Seg(0, F1[:20], isn=isn)]
    p = write(tmp_path / "a.pcap", segs, isn=isn)
    assert ids(p) == ([(3, "0001", "MakeCall"), (3, "0002", "Escape")], [])


def test_both_directions_are_separate_streams(tmp_path):
    p = write(tmp_path / "a.pcap", [Seg(0, F1[:30]), Seg(0, F3, server=True),
                                    Seg(30, F1[30:])])
    d = read_capture(p)
    assert [(x.frame, x.message, x.src, x.dst) for x in d] == [
        (3, "PrivateEvent", "10.0.0.2:1040", "10.0.0.1:40000"),
        (4, "MakeCall", "10.0.0.1:40000", "10.0.0.2:1040")]


def test_gap_never_filled_is_reported_and_later_pdus_are_found(tmp_path):
    both = F1 + F2 + F3
    # The bytes 0..50 are missing from the capture: F1 is lost, F2 and F3 are found.
    p = write(tmp_path / "a.pcap", [Seg(50, both[50:])], syn=True)
    found, warnings = ids(p)
    assert found == [(2, "0002", "Escape"), (2, "9999", "PrivateEvent")]
    assert len(warnings) == 1 and warnings[0].startswith("frame 2: 50 bytes")


def test_capture_starting_mid_stream_resynchronises(tmp_path):
    p = write(tmp_path / "a.pcap", [Seg(0, F1[40:] + F2), Seg(len(F1) - 40 + len(F2), F3)],
              syn=False)
    found, warnings = ids(p)
    assert found == [(1, "0002", "Escape"), (2, "9999", "PrivateEvent")]
    assert len(warnings) == 1 and "frame 1: no csta frame header" in warnings[0]


def test_port_reuse_starts_a_new_stream(tmp_path):
    segs = [Seg(0, F1[:30])]
    second = [tcp_packet(C, S, seq=5000 - 1, flags="S"), Seg(0, F3, isn=5000)]
    p = write(tmp_path / "a.pcap", segs + second)
    found, warnings = ids(p)
    assert found == [(4, "9999", "PrivateEvent")]
    assert len(warnings) == 1 and "ends inside a csta PDU" in warnings[0]


def test_snaplen_cut_packet_is_reported(tmp_path):
    raw = Seg(len(F1), F2).raw()
    p = write(tmp_path / "a.pcap", [Seg(0, F1), raw[:120], Seg(len(F1) + len(F2), F3)])
    found, warnings = ids(p)
    assert found == [(2, "0001", "MakeCall"), (4, "9999", "PrivateEvent")]
    assert len(warnings) == 1 and warnings[0].startswith("frame 3: ")
    assert "missing from the capture" in warnings[0]


def test_truncated_file_keeps_earlier_pdus(tmp_path):
    p = write(tmp_path / "a.pcap", [Seg(0, F1), Seg(len(F1), F2)])
    data = p.read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[:-100])
    found, warnings = ids(cut)
    assert found == [(2, "0001", "MakeCall")]
    assert warnings and warnings[0].startswith("frame 3: the capture file is cut")


def test_file_cut_inside_a_record_header(tmp_path):
    p = write(tmp_path / "a.pcap", [Seg(0, F1)])
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(p.read_bytes() + b"\x01\x02\x03")
    found, warnings = ids(cut)
    assert found == [(2, "0001", "MakeCall")]
    assert warnings == ["frame 3: the capture file is cut inside this packet record "
                        "(3 bytes of it present); it is ignored"]


def test_not_a_capture(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello, this is not a capture\n")
    with pytest.raises(CaptureError, match="not a pcap or pcapng capture"):
        read_capture(bad)
    with pytest.raises(CaptureError, match="no such file"):
        read_capture(tmp_path / "missing.pcap")


def test_undecodable_tlib_pdu_warns_and_dissection_goes_on(tmp_path):
    good = tlib_frame(MessageType.EventACK, ReferenceID=7)
    bad = bytearray(tlib_frame(MessageType.EventACK, ReferenceID=8))
    bad[14] = 9                       # the ReferenceID's wire type: unknown
    p = write(tmp_path / "a.pcap", [Seg(0, bytes(bad) + good)])
    d = read_capture(p, tlib_ports=[1040])
    assert [(x.frame, x.reference_id) for x in d] == [(2, 7)]
    assert len(d.warnings) == 1
    assert str(d.warnings[0]).startswith("frame 2: T-Lib PDU (19 bytes) from 10.0.0.1:40000")
    assert "unknown attribute type 9" in str(d.warnings[0])


def test_undecodable_csta_pdus_warn(tmp_path):
    no_root = b"\x00\x00\x00\x0f0003garbage"
    bad_inv = F1[:4] + b"00x1" + F1[8:]
    p = write(tmp_path / "a.pcap", [Seg(0, no_root + bad_inv + F3)])
    found, warnings = ids(p)
    assert found == [(2, "9999", "PrivateEvent")]
    assert [w.split(":", 1)[0] for w in warnings] == ["frame 2", "frame 2"]
    assert "no XML root element" in warnings[0] and "invoke ID" in warnings[1]


def test_heuristic_finds_csta_on_any_port(tmp_path):
    p = write(tmp_path / "a.pcap", [Seg(0, F1)], client=("10.0.0.1", 40000),
              server=("10.0.0.2", 5555))
    assert ids(p)[0] == [(2, "0001", "MakeCall")]
    assert ids(p, heuristics=False)[0] == []
    assert ids(p, csta_ports=[5555], heuristics=False)[0] == [(2, "0001", "MakeCall")]


def test_heuristic_finds_tlib_and_ignores_other_traffic(tmp_path):
    t = tlib_frame(MessageType.EventACK, ReferenceID=3)
    http = Seg(0, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", isn=77)
    p = write(tmp_path / "a.pcap", [Seg(0, t), http.raw(("10.0.0.1", 40001), ("10.0.0.2", 80))],
              server=("10.0.0.2", 7000))
    assert ids(p) == ([(2, 3, "EventACK")], [])


def test_ipv6(tmp_path):
    c6, s6 = ("2001:db8::1", 40000), ("2001:db8::2", 1040)
    p = write(tmp_path / "a.pcap", [Seg(0, F1[:10]), Seg(10, F1[10:])], client=c6, server=s6)
    d = read_capture(p)
    assert [(x.frame, x.src, x.dst, x.message) for x in d] == [
        (3, "[2001:db8::1]:40000", "[2001:db8::2]:1040", "MakeCall")]


def test_linux_cooked_capture_and_pcapng(tmp_path):
    from scapy.layers.inet import IP, TCP
    from scapy.layers.l2 import CookedLinux
    from scapy.utils import PcapNgWriter, wrpcap
    pkts = []
    for i, (off, data) in enumerate([(0, F1[:25]), (25, F1[25:] + F3)]):
        pkt = (CookedLinux(proto=0x0800) / IP(src="10.0.0.1", dst="10.0.0.2")
               / TCP(sport=40000, dport=1040, seq=1000 + off, flags="PA") / data)
        pkt.time = 10 + i
        pkts.append(pkt)
    sll = tmp_path / "sll.pcap"
    wrpcap(str(sll), pkts)
    assert ids(sll)[0] == [(2, "0001", "MakeCall"), (2, "9999", "PrivateEvent")]
    ng = tmp_path / "a.pcapng"
    with PcapNgWriter(str(ng)) as w:
        for pkt in pkts:
            w.write(pkt)
    d = read_capture(ng)
    assert [(x.frame, x.message) for x in d] == [(2, "MakeCall"), (2, "PrivateEvent")]
    assert d.pdus[0].time == pytest.approx(11.0)


def test_pdu_times_and_frame_count(tmp_path):
    p = write(tmp_path / "a.pcap", [Seg(0, F1[:20]), Seg(20, F1[20:]), Seg(0, b"", flags="A")])
    d = read_capture(p)
    assert d.frames == 4 and d.first_time == pytest.approx(100.0)
    assert d.pdus[0].time == pytest.approx(100.002)
