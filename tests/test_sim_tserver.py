"""The reference T-Server over real TCP: registration, the call model, bad input, its own process."""
import asyncio
import re
import socket
import subprocess
import sys

import pytest

from tsconform.driver import Driver, EmbeddedSim
from tsconform.profile import Profile
from tsconform.tlib import codec
from tsconform.tlib.model import Attr, KVList, Message, MessageType as M
from tsconform.tlib.session import TLibLinkError, TLibSession, TLibTimeout


def make_driver(loop, **options):
    profile = Profile.from_dict({"pixit": {"options": options}} if options else {})
    sim = EmbeddedSim(loop, profile)
    return sim, Driver(loop, profile, sim.target)


@pytest.fixture
def drv(loop):
    sim, d = make_driver(loop)
    yield d
    d.close()
    sim.close()


def test_registration_and_unregistration(drv):
    drv.client("a", "5001")
    ex = drv.exchange("a", Message(M.RequestUnregisterAddress, {Attr.ThisDN: "5001"}))
    assert ex.answer.type == M.EventUnregistered and ex.answer[Attr.ReferenceID] == ex.request[Attr.ReferenceID]
    again = drv.exchange("a", Message(M.RequestUnregisterAddress, {Attr.ThisDN: "5001"}))
    assert again.answer.type == M.EventError and again.answer[Attr.ErrorCode] == 41


def test_call_model_gives_real_connids_to_both_parties(drv):
    drv.client("agent", "5001")
    drv.client("caller", "7001")
    call = drv.establish_call("c", "caller", "7001", "agent", "5001")
    assert 0 < call.conn_id < 1 << 64
    ex = drv.exchange("agent", Message(M.RequestReleaseCall, {Attr.ThisDN: "5001", Attr.ConnID: call.conn_id}))
    assert ex.answer.type == M.EventReleased and ex.answer[Attr.ConnID] == call.conn_id
    other = drv.wait_event("caller", "EventReleased", lambda m: m.type == M.EventReleased)
    assert other[Attr.ThisDN] == "7001" and other[Attr.OtherDN] == "5001"
    gone = drv.private_service("agent", 3013, "5001", call.conn_id)
    assert gone.answer[Attr.ErrorCode] == 56, "a released call's ConnID must be unknown"


@pytest.mark.parametrize("where,attr", [("udata", Attr.UserData), ("ext", Attr.Extensions)])
def test_accode_data_attaches_the_code_to_the_released_call(loop, where, attr):
    sim, d = make_driver(loop, **{"accode-data": where, "accode-name": "Acc"})
    try:
        d.client("agent", "5001")
        d.client("caller", "7001")
        call = d.establish_call("c", "caller", "7001", "agent", "5001")
        sim.target.control.enter_account_code("5001", "99")
        ex = d.exchange("agent", Message(M.RequestReleaseCall, {Attr.ThisDN: "5001", Attr.ConnID: call.conn_id}))
        assert ex.answer[attr] == KVList([("Acc", "99")])
    finally:
        d.close()
        sim.close()


def test_the_server_answers_a_malformed_frame_and_survives(drv):
    s = drv.client("a", "5001")
    bad = codec.HEADER.pack(codec.MAGIC, codec.VERSION, 0, 16, M.RequestPrivateService, 1) + bytes([0, 20, 9, 0])
    drv.loop.run(_raw_write(s, bad))
    err = drv.wait_event("a", "EventError", lambda m: m.type == M.EventError)
    assert err[Attr.ErrorCode] == 53 and "unknown attribute type 9" in err[Attr.ErrorMessage]
    ok = drv.private_service("a", 1, "5001", extensions=KVList([("HOST_DN", "6001")]))
    assert ok.answer.type == M.EventPrivateInfo


def test_a_bad_header_closes_only_that_connection(drv):
    drv.client("good", "5001")
    bad = drv.client("bad", "5002")
    drv.loop.run(_raw_write(bad, b"XX" + bytes(10)))
    with pytest.raises(TLibLinkError, match="closed the connection"):
        drv.loop.run(bad.wait(lambda m: False, "anything", 2.0))
    ok = drv.private_service("good", 1, "5001", extensions=KVList([("HOST_DN", "6001")]))
    assert ok.answer.type == M.EventPrivateInfo


async def _raw_write(session, data):
    session._writer.write(data)
    await session._writer.drain()


def test_a_timeout_says_what_was_awaited_and_what_arrived(drv):
    s = drv.client("a", "5001")
    with pytest.raises(TLibTimeout) as exc:
        drv.loop.run(s.wait(lambda m: m.type == M.EventLinkConnected, "EventLinkConnected", 0.2))
    text = str(exc.value)
    assert "no EventLinkConnected within 0.2 s" in text and "EventRegistered" in text


def test_an_unreachable_target_is_a_clear_error(loop):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s = TLibSession("x", timeout=1.0)
    with pytest.raises(TLibLinkError, match=rf"cannot reach T-Server at 127.0.0.1:{port}"):
        loop.run(s.connect("127.0.0.1", port))


def test_sim_runs_as_its_own_process_and_logs_requests_and_answers(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "tsconform.cli", "sim", "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        port = int(re.search(r"tlib://127.0.0.1:(\d+)", line).group(1))

        async def talk():
            s = TLibSession("cli", 2.0)
            await s.connect("127.0.0.1", port)
            await s.register_client("cli")
            await s.register_dn("5001")
            answer = await s.request(Message(M.RequestPrivateService, {
                Attr.PrivateMsgID: 1, Attr.ThisDN: "5001", Attr.Extensions: KVList([("HOST_DN", "6001")])}))
            await s.close()
            return answer

        answer = asyncio.run(talk())
        assert answer.type == M.EventPrivateInfo and answer[Attr.OtherDN] == "6001"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert re.search(r"<- RequestPrivateService PrivateMsgID=1 ReferenceID=\d+ ThisDN='5001'", err), err
    assert re.search(r"-> EventPrivateInfo PrivateMsgID=1 ReferenceID=\d+ ThisDN='5001' OtherDN='6001'", err), err


def test_sim_lists_its_faults():
    out = subprocess.run([sys.executable, "-m", "tsconform.cli", "sim", "--list-faults"],
                         capture_output=True, text=True, check=True).stdout
    assert "wrong-private-msg-id" in out and "OtherDN" in out


def test_an_unknown_fault_is_refused(loop):
    with pytest.raises(ValueError, match="unknown fault no-such-fault"):
        EmbeddedSim(loop, Profile.from_dict({}), ["no-such-fault"])
