"""The pcap recorder: handshake, sequence and ack numbers, segmentation, FIN; thread-safe."""
from __future__ import annotations

import threading

import pytest
from scapy.layers.inet import IP, TCP, in4_chksum
from scapy.layers.inet6 import IPv6
from scapy.utils import rdpcap

from tsconform.capture import PcapRecorder
from tsconform.capture.packets import checksum
from tsconform.dissect import read_capture
from tsconform.dissect.samples import csta_frame, tlib_frame
from tsconform.tlib.model import MessageType

C, S = ("127.0.0.1", 40001), ("127.0.0.1", 1040)


def test_read_back_by_scapy(tmp_path):
    path = tmp_path / "r.pcap"
    big = bytes(range(256)) * 16                 # 4096 bytes: 1460 + 1460 + 1176
    with PcapRecorder(path, clock=iter(range(100, 200)).__next__) as rec:
        flow = rec.open_flow(C, S, client_isn=1000, server_isn=5000)
        flow.client_sent(big)
        flow.server_sent(b"ok")
        flow.close()
    pkts = rdpcap(str(path))
    tcp = [p[TCP] for p in pkts]
    flags = [str(t.flags) for t in tcp]
    assert flags == ["S", "SA", "A", "A", "A", "PA", "PA", "FA", "FA", "A"]
    assert [(t.sport, t.dport) for t in tcp[:2]] == [(40001, 1040), (1040, 40001)]
    assert [t.seq for t in tcp] == [1000, 5000, 1001, 1001, 2461, 3921, 5001, 5097, 5003,
                                    5098]
    assert [t.ack for t in tcp[1:]] == [1001, 5001, 5001, 5001, 5001, 5097, 5003, 5098, 5004]
    payloads = [bytes(t.payload) for t in tcp]
    assert [len(x) for x in payloads[3:6]] == [1460, 1460, 1176]
    assert b"".join(payloads[3:6]) == big and payloads[6] == b"ok"
    assert all(p[IP].src == "127.0.0.1" for p in pkts)
    assert [float(p.time) for p in pkts] == [float(t) for t in range(100, 110)]
    # Checksums as a receiver verifies them: over the wire bytes, the checksum included.
    for p in pkts:
        ip = bytes(p[IP])
        assert checksum(ip[:20]) == 0
        assert in4_chksum(6, p[IP], ip[20:]) == 0


def test_ipv6_flow_and_small_mss(tmp_path):
    path = tmp_path / "r6.pcap"
    with PcapRecorder(path, mss=100) as rec:
        rec.open_flow(("::1", 40002), ("::1", 1040)).client_sent(b"x" * 250)
    pkts = rdpcap(str(path))
    assert all(IPv6 in p for p in pkts)
    assert [len(p[TCP].payload) for p in pkts if p[TCP].payload] == [100, 100, 50]


def test_close_is_idempotent_and_writes_refused_after(tmp_path):
    rec = PcapRecorder(tmp_path / "c.pcap")
    flow = rec.open_flow(C, S)
    flow.close()
    flow.close()
    with pytest.raises(ValueError, match="closed"):
        flow.client_sent(b"late")
    rec.close()
    rec.close()
    with pytest.raises(ValueError, match="closed"):
        rec.open_flow(C, S)
    assert rec.packets == 6


def test_recorder_close_finishes_open_flows(tmp_path):
    path = tmp_path / "o.pcap"
    with PcapRecorder(path) as rec:
        rec.open_flow(C, S).client_sent(b"x")
    assert [str(p[TCP].flags) for p in rdpcap(str(path))][-3:] == ["FA", "FA", "A"]


def test_concurrent_flows_from_threads(tmp_path):
    path = tmp_path / "t.pcap"
    rec = PcapRecorder(path)

    def talk(n: int) -> None:
        flow = rec.open_flow(("127.0.0.1", 41000 + n), ("127.0.0.1", 7000))
        for i in range(50):
            flow.client_sent(tlib_frame(MessageType.RequestPrivateService,
                                        ReferenceID=n * 1000 + i, ThisDN="x" * (i * 40)))
            flow.server_sent(tlib_frame(MessageType.EventACK, ReferenceID=n * 1000 + i))
        flow.close()

    threads = [threading.Thread(target=talk, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rec.close()
    d = read_capture(path, tlib_ports=[7000])
    assert d.warnings == []
    assert sorted(p.reference_id for p in d) == sorted(
        n * 1000 + i for n in range(8) for i in range(50) for _ in range(2))


def test_recorded_csta_reads_back_with_the_reader(tmp_path):
    path = tmp_path / "csta.pcap"
    with PcapRecorder(path) as rec:
        flow = rec.open_flow(C, S)
        flow.client_sent(csta_frame("0001", "MakeCall", "<p>" + "y" * 4000 + "</p>"))
        flow.server_sent(csta_frame("0001", "MakeCallResponse"))
    d = read_capture(path)
    assert [(p.frame, p.invoke_id, p.message) for p in d] == [
        (6, "0001", "MakeCall"), (7, "0001", "MakeCallResponse")]
