"""The reference T-Server keeps serving well-behaved clients while another misbehaves."""
import socket
import struct
import time

import pytest

from tsconform.driver import Driver, EmbeddedSim
from tsconform.profile import Profile
from tsconform.sim import tserver
from tsconform.tlib import codec
from tsconform.tlib.model import Attr, KVList, Message, MessageType as M

from .rawsock import closed_by_peer, connect


@pytest.fixture
def sim(loop):
    s = EmbeddedSim(loop, Profile.from_dict({}))
    s.stack.tserver.frame_timeout = 0.3
    yield s
    s.close()


def good_client_works(loop, sim):
    d = Driver(loop, Profile.from_dict({}), sim.target)
    try:
        d.client("good", "5001")
        ex = d.private_service("good", 1, "5001", extensions=KVList([("HOST_DN", "6001")]))
        assert ex.answer.type == M.EventPrivateInfo and ex.answer[Attr.OtherDN] == "6001"
        d.private_service("good", 2, "5001")
    finally:
        d.close()


def raw(sim, rcvbuf=None) -> socket.socket:
    return connect(sim.target.port, rcvbuf, sim.target.host)


def header(length: int) -> bytes:
    return struct.pack(">2sBBIHH", b"TL", 1, 0, length, M.RequestPrivateService, 0)


@pytest.mark.parametrize("data", [
    pytest.param(b"\x00garbage\xff" * 50, id="garbage"),
    pytest.param(b"TL\x01\x00\xff\xff\xff\xff\x00\x95\x00\x00", id="length-2^32-1"),
    pytest.param(b"TL\x01\x00\x00\x00\x00\x05\x00\x95\x00\x00", id="length-below-header"),
])
def test_a_bad_header_closes_that_connection_only(loop, sim, data):
    bad = raw(sim)
    bad.sendall(data)
    assert closed_by_peer(bad)
    good_client_works(loop, sim)


@pytest.mark.parametrize("data", [
    pytest.param(header(100) + b"\x00" * 20, id="truncated"),
    pytest.param(header(65535), id="length-65535-and-nothing"),
])
def test_an_incomplete_frame_is_dropped_after_the_frame_timeout(loop, sim, data):
    bad = raw(sim)
    bad.sendall(data)
    good_client_works(loop, sim)  # served while the bad frame is pending
    assert closed_by_peer(bad, within=3)


def test_endless_slow_bytes_cannot_hold_a_connection(loop, sim):
    frame = codec.encode(Message(M.RequestRegisterClient, {Attr.ReferenceID: 1, Attr.ApplicationName: "x" * 40}))
    bad = raw(sim)
    bad.settimeout(0.05)
    t0 = time.monotonic()
    closed = False
    for byte in frame:
        try:
            bad.sendall(bytes([byte]))
            if bad.recv(100) == b"":
                closed = True
                break
        except socket.timeout:
            pass
        except (ConnectionResetError, BrokenPipeError):
            closed = True
            break
    assert closed, "the server waited for a frame trickling in over its frame timeout"
    assert time.monotonic() - t0 < 3
    good_client_works(loop, sim)


def test_a_client_that_never_reads_is_bounded_and_dropped(loop, sim):
    greedy = raw(sim, rcvbuf=4096)
    # each request draws an EventError about twice its size (ThisDN echoed, and named in the message)
    req = codec.encode(Message(M.RequestRegisterAddress, {Attr.ReferenceID: 7, Attr.ThisDN: "9" * 1000}))
    greedy.settimeout(10)
    sent = 0
    try:
        for _ in range(40):
            greedy.sendall(req * 200)
            sent += 200
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        pass
    good_client_works(loop, sim)
    clients = sim.stack.tserver.clients
    deadline = time.monotonic() + 20  # it may still be working through the requests
    while clients and time.monotonic() < deadline:
        time.sleep(0.05)
    backlog = [c.writer.transport.get_write_buffer_size() for c in clients]
    assert all(b <= tserver.MAX_CLIENT_BACKLOG + 4096 for b in backlog), backlog
    assert len(clients) == 0, f"the non-reading client was not dropped after {sent} requests"
