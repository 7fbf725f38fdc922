"""The simulated switch keeps serving a well-behaved CSTA client while another misbehaves."""
import asyncio
import socket
import time

import pytest

from tsconform.csta.framing import encode_frame
from tsconform.sim.csta_link import CstaSwitchLink
from tsconform.sim.csta_switch import CstaSwitchServer
from tsconform.sim.switch_state import SwitchState

from .rawsock import closed_by_peer, connect

NS = "http://www.ecma-international.org/standards/ecma-323/csta/ed4"
MONITOR = (f'<?xml version="1.0" encoding="UTF-8"?><MonitorStart xmlns="{NS}"><monitorObject>'
           f'<deviceObject>{"9" * 400}</deviceObject></monitorObject></MonitorStart>').encode()


async def serve(misbehave):
    """Start a switch, let `misbehave(port)` run in a thread, and check a good client meanwhile."""
    server = CstaSwitchServer(SwitchState(["5001", "6001"]), frame_timeout=0.3, max_backlog=64 * 1024)
    host, port = await server.start("127.0.0.1", 0)
    bad = asyncio.get_running_loop().run_in_executor(None, misbehave, port)
    link = CstaSwitchLink(f"csta://127.0.0.1:{port}", request_timeout=2.0)
    try:
        await link.start()
        assert link.connected
        for _ in range(3):
            await link.call("associate", "5001", "6001")
            await link.call("dissociate", "5001")
        return await asyncio.wait_for(bad, 60), server
    finally:
        await link.close()
        await server.stop()


@pytest.mark.parametrize("data", [
    pytest.param(b"\xffgarbage!" * 40, id="garbage"),
    pytest.param(b"\x00\x00\xff\xff0001", id="length-65535-and-nothing"),
    pytest.param(b"\x00\x00\x01\x000001<?xml", id="truncated"),
])
def test_bad_input_closes_that_connection_only(data):
    def misbehave(port):
        with connect(port) as s:
            s.sendall(data)
            return closed_by_peer(s, 3)

    closed, _ = asyncio.run(serve(misbehave))
    assert closed


def test_endless_slow_bytes_cannot_hold_a_connection():
    frame = encode_frame(1, MONITOR)

    def misbehave(port):
        with connect(port) as s:
            s.settimeout(0.05)
            t0 = time.monotonic()
            for byte in frame:
                try:
                    s.sendall(bytes([byte]))
                    if s.recv(4096) == b"" and time.monotonic() - t0 > 0.25:
                        return True
                except socket.timeout:
                    continue
                except (ConnectionResetError, BrokenPipeError):
                    return True
            return False

    closed, _ = asyncio.run(serve(misbehave))
    assert closed, "the switch waited for a frame trickling in over its frame timeout"


def test_a_client_that_never_reads_is_dropped():
    monitor = (f'<?xml version="1.0" encoding="UTF-8"?><MonitorStart xmlns="{NS}"><monitorObject>'
               f'<deviceObject>5001</deviceObject></monitorObject></MonitorStart>').encode()

    def misbehave(port):
        with connect(port, rcvbuf=4096) as s:
            s.settimeout(5)
            status = s.recv(8)  # the switch opens the session: SystemStatus
            s.recv(int.from_bytes(status[2:4], "big") - 8, socket.MSG_WAITALL)
            s.sendall(encode_frame(int(status[4:8]), f'<SystemStatusResponse xmlns="{NS}"/>'.encode())
                      + encode_frame(1, f'<SystemRegister xmlns="{NS}"/>'.encode()))
            try:
                for i in range(40000):  # answers pile up once the socket buffers are full
                    s.sendall(encode_frame(i % 9998 + 1, monitor))
            except (ConnectionResetError, BrokenPipeError):
                return True
            except socket.timeout:  # the switch is behind on reading: see whether it drops us
                pass
            return closed_by_peer(s, 30)  # the switch may still be working through the backlog

    dropped, server = asyncio.run(serve(misbehave))
    assert dropped, "the switch kept queueing answers for a client that does not read"


def test_a_client_that_never_completes_the_session_start_is_dropped():
    def misbehave(port):
        with connect(port) as s:
            return closed_by_peer(s, 5)

    closed, _ = asyncio.run(serve(misbehave))
    assert closed
