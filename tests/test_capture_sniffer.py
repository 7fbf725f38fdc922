"""Which capture mode is usable, and (where this process may capture) a live loopback capture."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from tsconform.capture import sniffer
from tsconform.capture.sniffer import LiveCapture, bpf_for_ports, capture_mode
from tsconform.dissect import read_capture
from tsconform.dissect.samples import tlib_frame
from tsconform.tlib.model import MessageType


def test_bpf_filter():
    assert bpf_for_ports([7000, 1040, 7000]) == "tcp and (port 1040 or port 7000)"
    assert bpf_for_ports([]) == "tcp"


def test_mode_says_why(monkeypatch):
    mode = capture_mode("lo")
    assert mode.mode in ("live", "recorder") and mode.reason
    monkeypatch.setattr(sniffer, "can_capture_raw", lambda: (False, "neither root nor X"))
    assert capture_mode("lo") == sniffer.CaptureMode(
        "recorder", "no live capture: neither root nor X")
    monkeypatch.setattr(sniffer, "can_capture_raw", lambda: (True, "running as root"))
    monkeypatch.setattr(sniffer, "libpcap_available", lambda: (False, "libpcap is not available"))
    assert capture_mode("lo").reason == "no live capture: libpcap is not available"
    monkeypatch.setattr(sniffer, "libpcap_available", lambda: (True, "libpcap is available"))
    assert capture_mode("no-such-if0").reason == "no live capture: no interface 'no-such-if0'"


def test_live_loopback_capture_gives_each_pdu_once(tmp_path):
    mode = capture_mode("lo")
    if mode.mode != "live":
        pytest.skip(mode.reason)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]

    def echo():
        conn, _ = srv.accept()
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    t = threading.Thread(target=echo, daemon=True)
    t.start()
    path = tmp_path / "live.pcap"
    with LiveCapture(path, [port]):
        with socket.create_connection(("127.0.0.1", port)) as s:
            for i in range(5):
                s.sendall(tlib_frame(MessageType.RequestPrivateService, ReferenceID=i,
                                     ThisDN="5" * (i * 2000)))
                got = 0
                want = len(tlib_frame(MessageType.RequestPrivateService, ReferenceID=i,
                                      ThisDN="5" * (i * 2000)))
                while got < want:
                    got += len(s.recv(65536))
            s.shutdown(socket.SHUT_WR)
            s.recv(1)
        time.sleep(0.3)              # let the sniffer see the last packets
    t.join(2)
    srv.close()
    d = read_capture(path, tlib_ports=[port])
    assert d.warnings == []
    assert [p.reference_id for p in d] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert {p.src for p in d} == {f"127.0.0.1:{port}", d.pdus[0].src}
