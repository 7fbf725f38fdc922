"""The simulated CSTA switch and the CSTA switch link, over real TCP on loopback."""
from __future__ import annotations

import asyncio
import logging
import shutil
import ssl
import subprocess
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from tsconform.csta import errors, services, session as sess
from tsconform.csta.framing import encode_frame, read_frame
from tsconform.csta.xml import ED4, ED6, CstaMessage, document, parse
from tsconform.sim.csta_link import CstaLinkTimeout, CstaSwitchLink, parse_url
from tsconform.sim.csta_switch import CstaSwitchServer
from tsconform.sim.local_link import LocalSwitchLink
from tsconform.sim.switch_state import SwitchError, SwitchState

DEVICES = ["5001", "5002", "6001", "6002", "6099", "7001"]
BUSY = ["6099"]
WAIT = 5.0  # upper bound of any wait; tests never depend on how fast things are


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


async def until(cond, what: str, timeout: float = WAIT) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.01)


@dataclass
class Chain:
    state: SwitchState
    server: CstaSwitchServer
    link: CstaSwitchLink
    events: list = field(default_factory=list)
    statuses: list = field(default_factory=list)

    def seen(self):
        return [(e.kind, e.device, e.call_id, e.other, e.data) for e in self.events]


@asynccontextmanager
async def chain(handshake="system-status", server_kw=None, link_kw=None, url_scheme="csta", ssl_server=None):
    state = SwitchState(DEVICES, BUSY)
    server = CstaSwitchServer(state, handshake, **(server_kw or {}))
    host, port = await server.start("127.0.0.1", 0, ssl=ssl_server)
    kw = dict(handshake=handshake, backoff_initial=0.02, backoff_max=0.1)
    kw.update(link_kw or {})
    link = CstaSwitchLink(f"{url_scheme}://{host}:{port}", **kw)
    c = Chain(state, server, link)
    link.on_event(c.events.append)
    link.on_status(c.statuses.append)
    await link.start()
    try:
        yield c
    finally:
        await link.close()
        await server.stop()


class Raw:
    """A bare CSTA peer, to see the switch's frames as they are."""

    async def open(self, address):
        self.reader, self.writer = await asyncio.open_connection(*address)
        return self

    def send(self, invoke_id, xml: bytes):
        self.writer.write(encode_frame(invoke_id, xml))

    async def recv(self) -> tuple[int, CstaMessage]:
        frame = await asyncio.wait_for(read_frame(self.reader), WAIT)
        assert frame is not None, "the switch closed the connection"
        return frame.invoke_id, parse(frame.xml)

    async def request(self, invoke_id, xml) -> CstaMessage:
        self.send(invoke_id, xml)
        while True:
            got, msg = await self.recv()
            if got == invoke_id:
                return msg

    async def system_status_start(self):
        invoke_id, msg = await self.recv()
        assert msg.name == "SystemStatus" and msg["systemStatus"] == "normal" and invoke_id != 9999
        self.send(invoke_id, document("SystemStatusResponse"))
        reg = await self.request(1, sess.system_register())
        assert reg.name == "SystemRegisterResponse"

    def close(self):
        self.writer.close()


# ---------------------------------------------------------------- session starts
def test_system_status_session_start_on_the_wire():
    async def go():
        server = CstaSwitchServer(SwitchState(DEVICES))
        address = await server.start("127.0.0.1", 0)
        raw = await Raw().open(address)
        try:
            invoke_id, msg = await raw.recv()
            assert msg.name == "SystemStatus" and msg.namespace == ED4 and msg["systemStatus"] == "normal"
            raw.send(invoke_id, document("SystemStatusResponse"))
            early = await raw.request(7, services.monitor_start("5001"))
            assert early.name == "CSTAErrorCode", "MonitorStart before SystemRegister must be refused"
            reg = await raw.request(8, sess.system_register())
            assert reg.name == "SystemRegisterResponse" and reg["sysStatRegisterID"]
            mon = await raw.request(9, services.monitor_start("5001"))
            assert mon.name == "MonitorStartResponse" and mon["monitorCrossRefID"]
            again = await raw.request(10, services.monitor_start("5001"))
            assert again["monitorCrossRefID"] == mon["monitorCrossRefID"]
        finally:
            raw.close()
            await server.stop()
    run(go())


def test_start_application_session_on_the_wire():
    async def go():
        server = CstaSwitchServer(SwitchState(DEVICES), "start-application-session",
                                  credentials=sess.Credentials("app", "right"))
        address = await server.start("127.0.0.1", 0)
        raw = await Raw().open(address)
        try:
            neg = await raw.request(1, sess.start_application_session("t", sess.Credentials("app", "wrong")))
            assert neg.name == "StartApplicationSessionNegResponse"
            assert neg["errorCode/definedError"] == "invalidApplicationInfo"
            pos = await raw.request(2, sess.start_application_session("t", sess.Credentials("app", "right")))
            assert pos.name == "StartApplicationSessionPosResponse" and pos["actualProtocolVersion"] == ED4
            mon = await raw.request(3, services.monitor_start("5001"))
            assert mon.name == "MonitorStartResponse"
        finally:
            raw.close()
            await server.stop()
    run(go())


@pytest.mark.parametrize("handshake", ["system-status", "start-application-session"])
def test_link_session_starts(handshake):
    async def go():
        async with chain(handshake) as c:
            assert c.link.connected and c.statuses == [True] and c.link.sessions == 1
            await c.link.monitor("5001")
            assert await c.link.call("make_call", "5001", "6001") == "0001"
    run(go())


def test_credentials_checked_and_never_logged(caplog):
    caplog.set_level(logging.DEBUG)

    async def go():
        creds = sess.Credentials("app", "Top-Secret-1")
        frames = []
        kw = {"credentials": creds}
        async with chain("start-application-session", server_kw=kw,
                         link_kw={**kw, "on_frame": lambda d, f: frames.append(f.xml)}) as c:
            assert c.link.connected
        assert frames and not [f for f in frames if b"Top-Secret-1" in f], "on_frame sees passwords masked"
        assert b"<password>***</password>" in frames[0]
        async with chain("start-application-session", server_kw=kw,
                         link_kw={"credentials": sess.Credentials("app", "Wrong-Secret-2")}) as c:
            assert not c.link.connected
            assert "StartApplicationSessionNegResponse" in c.link.last_error
            assert "invalidApplicationInfo" in c.link.last_error
    run(go())
    assert "Top-Secret-1" not in caplog.text and "Wrong-Secret-2" not in caplog.text
    assert "do not match" in caplog.text


def test_namespace_and_escape_name_configurable():
    async def go():
        kw = {"namespace": "ed6", "escape_name": "EscapeService", "private_namespace": "urn:example:p"}
        frames = []
        async with chain(server_kw=kw, link_kw={**kw, "on_frame": lambda d, f: frames.append((d, f))}) as c:
            await c.link.monitor("5001")
            await c.link.call("associate", "5001", "6001")
            await until(lambda: c.events, "the association event")
        sent = [parse(f.xml) for d, f in frames if d == "sent"]
        escape = next(m for m in sent if m.name.startswith("Escape"))
        assert escape.name == "EscapeService" and escape.namespace == ED6
        assert escape.find("privateData/private")[0].tag == "{urn:example:p}guestAssociatedExtension"
        got = [parse(f.xml) for d, f in frames if d == "received"]
        assert {m.namespace for m in got} == {ED6}
        assert "EscapeServiceResponse" in [m.name for m in got]
    run(go())


# ---------------------------------------------------------------- connector functions
SCRIPT = [
    ("make_call", "5001", "6001"),
    ("answer_call", "6001", "0001"),
    ("record", "5001", "0001"),
    ("suspend", "5001", "0001"),
    ("resume", "5001", "0001"),
    ("stop", "5001", "0001"),
    ("record", "6001", "0001"),
    ("set_account_code", "5001", "4711", "0001"),
    ("keypad", "6001", "99"),  # a device-side entry, through the switch's control interface
    ("associate", "5002", "6002"),
    ("dissociate", "5002"),
    ("clear_connection", "5001", "0001"),
    ("keypad", "5002", "1234"),  # idle: a walk-away code
]


async def play(link, state, script):
    for op, *args in script:
        if op == "keypad":
            state.set_account_code(*args)
        else:
            await link.call(op, *args)


def test_every_connector_function_matches_the_local_link():
    """The same operations give the same SwitchEvents over CSTA as over the in-process link."""
    local_state = SwitchState(DEVICES, BUSY)
    local = LocalSwitchLink(local_state)
    expected = []
    local.on_event(lambda e: expected.append((e.kind, e.device, e.call_id, e.other, e.data)))
    run(play(local, local_state, SCRIPT))
    kinds = {k for k, *_ in expected}
    assert kinds == {"originated", "delivered", "established", "record", "suspend", "resume", "stop",
                     "account_code", "associated", "dissociated", "cleared"}

    async def go():
        async with chain() as c:
            for device in ("5001", "6001", "5002"):
                await c.link.monitor(device)
            await play(c.link, c.state, SCRIPT)
            await until(lambda: len(c.events) >= len(expected), f"{len(expected)} events")
            return c.seen()
    assert run(go()) == expected


def test_connector_frames_on_the_wire():
    """Escape + PrivateEvent, RecordMessage/Stop/Suspend/Resume + their events, CallInformationEvent."""
    async def go():
        frames = []
        async with chain(link_kw={"on_frame": lambda d, f: frames.append((d, f.invoke_id, parse(f.xml)))}) as c:
            await c.link.monitor("5001")
            await play(c.link, c.state, SCRIPT[:1] + SCRIPT[2:6] + [("associate", "5001", "6001"),
                                                                    ("keypad", "5001", "4711")])
            await until(lambda: any(m.name == "CallInformationEvent" for _, _, m in frames), "CallInformationEvent")
        return frames
    frames = run(go())
    sent = [m.name for d, _, m in frames if d == "sent"]
    for name in ("MonitorStart", "MakeCall", "RecordMessage", "Suspend", "Resume", "Stop", "Escape"):
        assert name in sent
    events = [(i, m) for d, i, m in frames if d == "received" and m.name.endswith("Event")]
    assert {i for i, _ in events} == {9999}
    names = [m.name for _, m in events]
    assert names == ["ServiceInitiatedEvent", "OriginatedEvent", "RecordEvent", "SuspendRecordEvent",
                     "RecordEvent", "StopEvent", "PrivateEvent", "CallInformationEvent"]
    records = [m for _, m in events if m.name == "RecordEvent"]
    assert ["recordingResumed" in str(m.to_dict()) for m in records] == [False, True]
    private_ev = next(m for _, m in events if m.name == "PrivateEvent")
    assert private_ev.find("privateData/private")[0].tag.endswith("}guestAssociatedEvent")
    info = next(m for _, m in events if m.name == "CallInformationEvent")
    assert info["accountInfo"] == "34373131" and info["connection/callID"] == "0001"
    responses = {m.name for d, _, m in frames if d == "received" and m.name.endswith("Response")}
    assert {"RecordMessageResponse", "StopResponse", "SuspendResponse", "ResumeResponse",
            "EscapeResponse", "MakeCallResponse", "MonitorStartResponse"} <= responses


def test_events_go_only_to_the_monitoring_session():
    async def go():
        async with chain() as c:
            other = CstaSwitchLink(c.link.url, backoff_initial=0.02)
            theirs = []
            other.on_event(theirs.append)
            await other.start()
            try:
                await c.link.monitor("5001")
                await other.monitor("6001")
                await c.link.call("make_call", "5001", "6001")
                await until(lambda: theirs and len(c.events) == 1, "one event each")
                assert [(e.kind, e.device) for e in c.events] == [("originated", "5001")]
                assert [(e.kind, e.device) for e in theirs] == [("delivered", "6001")]
            finally:
                await other.close()
    run(go())


def test_events_a_real_switch_adds_are_not_mistaken_for_this_device():
    """A caller's monitor also sees the far end alerting and leaving; neither is an event of the caller."""
    from tsconform.csta import events
    from tsconform.csta.services import ConnectionID
    link = CstaSwitchLink("csta://127.0.0.1:1")
    seen = []
    link.on_event(seen.append)
    link._xrefs = {"1": "5001"}
    far = ConnectionID("0001", "6001")
    for doc in (events.call_event("OriginatedEvent", "1", ConnectionID("0001", "5001"), calling="5001", called="6001"),
                events.call_event("DeliveredEvent", "1", far, alerting="6001", calling="5001", called="6001"),
                events.call_event("EstablishedEvent", "1", far, answering="6001", calling="5001", called="6001"),
                events.call_event("ConnectionClearedEvent", "1", far, releasing="6001"),
                events.call_event("ConnectionClearedEvent", "1", ConnectionID("0001", "5001"), releasing="5001")):
        link._on_event(parse(doc))
    assert [(e.kind, e.device, e.other) for e in seen] == [
        ("originated", "5001", "6001"), ("established", "5001", "6001"), ("cleared", "5001", "6001")]


# ---------------------------------------------------------------- failed preconditions
MC = ("make_call", "5001", "6001")
FAILURES = {
    "make_call unknown origin": ([], ("make_call", "9999", "6001")),
    "make_call unknown destination": ([], ("make_call", "5001", "9999")),
    "answer unknown call": ([], ("answer_call", "6001", "00FF")),
    "answer a call not alerting": ([MC], ("answer_call", "5001", "0001")),
    "clear unknown call": ([], ("clear_connection", "5001", "00FF")),
    "record unknown call": ([], ("record", "5001", "00FF")),
    "record twice": ([MC, ("record", "5001", "0001")], ("record", "5001", "0001")),
    "stop without recording": ([MC], ("stop", "5001", "0001")),
    "suspend without recording": ([MC], ("suspend", "5001", "0001")),
    "suspend a suspended recording": ([MC, ("record", "5001", "0001"), ("suspend", "5001", "0001")],
                                      ("suspend", "5001", "0001")),
    "resume an active recording": ([MC, ("record", "5001", "0001")], ("resume", "5001", "0001")),
    "resume without recording": ([MC], ("resume", "5001", "0001")),
    "associate unknown guest": ([], ("associate", "9999", "6001")),
    "associate twice": ([("associate", "5001", "6001")], ("associate", "5001", "6002")),
    "associate busy host": ([], ("associate", "5001", "6099")),
    "associate unknown host": ([], ("associate", "5001", "6999")),
    "associate a taken host": ([("associate", "5001", "6001")], ("associate", "5002", "6001")),
    "associate with itself": ([], ("associate", "5001", "5001")),
    "dissociate without association": ([], ("dissociate", "5001")),
    "dissociate unknown guest": ([], ("dissociate", "9999")),
    "account code unknown device": ([], ("set_account_code", "9999", "1", None)),
    "account code unknown call": ([], ("set_account_code", "5001", "1", "00FF")),
    "monitor unknown device": ([], ("check_device", "9999")),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_each_failed_precondition_answers_its_csta_error(case):
    setup, (op, *args) = FAILURES[case]
    state = SwitchState(DEVICES, BUSY)
    for s_op, *s_args in setup:
        getattr(state, s_op)(*s_args)
    with pytest.raises(SwitchError) as local:
        getattr(state, op)(*args)
    expected = (local.value.category, local.value.value)
    assert errors.canonical(expected[0]) == expected[0]

    async def go():
        async with chain() as c:
            await play(c.link, c.state, setup)
            with pytest.raises(SwitchError) as got:
                await c.link.call(op, *args)
            assert c.link.connected
            return got.value
    got = run(go())
    assert (got.category, got.value) == expected
    assert "CSTAErrorCode" in str(got)


def test_unknown_operation_and_unknown_request():
    async def go():
        async with chain() as c:
            with pytest.raises(SwitchError, match="serviceNotSupported"):
                await c.link.call("transfer", "5001")
            raw = await Raw().open(c.server.address)
            await raw.system_status_start()
            answer = await raw.request(2, document("DeflectCall", {"callToBeDiverted": {"callID": "1"}}))
            assert errors.parse_error(answer) == ("operation", "serviceNotSupported")
            escape = await raw.request(3, document("Escape", {"privateData": {"private": {"other": "x"}}}))
            assert errors.parse_error(escape) == ("operation", "privateDataNotSupported")
            raw.close()
    run(go())


# ---------------------------------------------------------------- robustness
def test_malformed_frames_do_not_kill_the_switch(caplog):
    caplog.set_level(logging.WARNING)

    async def go():
        server = CstaSwitchServer(SwitchState(DEVICES))
        address = await server.start("127.0.0.1", 0)
        raw = await Raw().open(address)
        try:
            await raw.system_status_start()
            bad = await raw.request(5, b"<MonitorStart><oops")
            assert errors.parse_error(bad) == ("operation", "generic")
            laughs = await raw.request(6, b'<!DOCTYPE x [<!ENTITY a "aaaa">]><MonitorStart/>')
            assert laughs.name == "CSTAErrorCode"
            missing = await raw.request(7, document("MonitorStart", {"monitorObject": {}}))
            assert errors.parse_error(missing) == ("operation", "generic")
            ok = await raw.request(8, services.monitor_start("5001"))
            assert ok.name == "MonitorStartResponse"
            raw.writer.write(b"\x01\x02\x00\x100001<x/>")  # bad header: the connection ends
            assert await asyncio.wait_for(read_frame(raw.reader), WAIT) is None
            again = await Raw().open(address)  # the switch still serves
            await again.system_status_start()
            again.close()
        finally:
            raw.close()
            await server.stop()
    run(go())
    assert "malformed frame [0005]" in caplog.text
    assert "bad frame header" in caplog.text


def test_request_timeout():
    async def go():
        async with chain(link_kw={"request_timeout": 0.2}) as c:
            await c.link.monitor("5001")
            c.server.sessions[0].ep.on_request = lambda invoke_id, msg: None  # the switch goes deaf
            with pytest.raises(CstaLinkTimeout) as exc:
                await c.link.call("make_call", "5001", "6001")
            assert (exc.value.category, exc.value.value) == ("systemResourceAvailibility", "resourceOutOfService")
            assert "timeout" in str(exc.value)
    run(go())


def test_link_loss_and_reconnection():
    async def go():
        async with chain() as c:
            await c.link.monitor("5001")
            port = c.server.address[1]
            c.server.sessions[0].ep.on_request = lambda invoke_id, msg: None
            pending = asyncio.create_task(c.link.call("make_call", "5001", "6001"))
            await asyncio.sleep(0)
            await c.server.stop()
            with pytest.raises(SwitchError, match="resourceOutOfService"):
                await pending  # fails when the link drops, not at its timeout
            await until(lambda: c.statuses == [True, False], "on_status(False)")
            assert not c.link.connected
            with pytest.raises(SwitchError) as down:
                await c.link.call("make_call", "5001", "6001")
            assert (down.value.category, down.value.value) == ("systemResourceAvailibility", "resourceOutOfService")
            await asyncio.sleep(0.1)  # a few reconnection attempts fail meanwhile
            server2 = CstaSwitchServer(c.state)
            await server2.start("127.0.0.1", port)
            try:
                await until(lambda: c.link.connected, "reconnection")
                assert c.statuses == [True, False, True] and c.link.sessions == 2
                c.events.clear()
                await c.link.call("make_call", "5001", "6001")  # 5001 is monitored again
                await until(lambda: c.events, "an event after reconnection")
                assert c.events[0].kind == "originated" and c.events[0].device == "5001"
            finally:
                await server2.stop()
    run(go())


def test_switch_side_drop_and_heartbeats():
    async def go():
        received = []
        async with chain(server_kw={"heartbeat": 0.02},
                         link_kw={"idle_timeout": 2.0, "on_frame": lambda d, f: received.append(parse(f.xml).name)
                                  if d == "received" else None}) as c:
            await until(lambda: received.count("SystemStatus") >= 4, "heartbeats")
            assert c.link.connected and c.link.sessions == 1
            await c.server.drop_connections()
            await until(lambda: c.statuses == [True, False, True], "reconnection after a drop")
    run(go())


def test_unanswered_heartbeats_drop_the_client():
    async def go():
        server = CstaSwitchServer(SwitchState(DEVICES), heartbeat=0.02, heartbeat_misses=2, response_timeout=0.05)
        address = await server.start("127.0.0.1", 0)
        raw = await Raw().open(address)
        try:
            await raw.system_status_start()
            while await asyncio.wait_for(read_frame(raw.reader), WAIT) is not None:
                pass  # heartbeats, never answered, until the switch hangs up
        finally:
            raw.close()
            await server.stop()
    run(go())


def test_idle_timeout_detects_a_silent_switch():
    async def go():
        async with chain(link_kw={"idle_timeout": 0.1}) as c:
            await until(lambda: False in c.statuses, "the link declared lost")
            await until(lambda: c.link.connected, "reconnected")
    run(go())


# ---------------------------------------------------------------- addresses and TLS
def test_parse_url():
    assert parse_url("csta://10.0.0.1:1040") == (False, "10.0.0.1", 1040)
    assert parse_url("cstas://switch.example") == (True, "switch.example", 1040)
    for bad in ("tcp://x:1", "csta://", "csta://h:notaport"):
        with pytest.raises(ValueError):
            parse_url(bad)
    with pytest.raises(ValueError, match="cstas"):
        CstaSwitchLink("csta://h:1", cafile="ca.pem")


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command to make a certificate")
def test_tls_with_ca_and_client_certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    server_ctx.load_verify_locations(cert)

    async def go():
        kw = {"cafile": str(cert), "certfile": str(cert), "keyfile": str(key)}
        async with chain(url_scheme="cstas", ssl_server=server_ctx, link_kw=kw) as c:
            assert c.link.connected
            await c.link.monitor("5001")
            await c.link.call("associate", "5001", "6001")
            await until(lambda: c.events, "PrivateEvent over TLS")
        async with chain(url_scheme="cstas", ssl_server=server_ctx,
                         link_kw={"cafile": str(cert), "connect_timeout": 0.5}) as c:
            assert not c.link.connected  # no client certificate: refused
    run(go())


# ---------------------------------------------------------------- the reference T-Server over CSTA
def test_tserver_hot_desking_over_csta():
    from tsconform.profile import Profile
    from tsconform.sim.tserver import TServer
    from tsconform.tlib.model import Attr, KVList, Message, MessageType as M
    from tsconform.tlib.session import TLibSession

    async def go():
        async with chain() as c:
            tserver = TServer(c.link, Profile.from_dict({}).options())
            host, port = await tserver.start("127.0.0.1", 0)
            client = TLibSession("agent", timeout=WAIT)
            try:
                await client.connect(host, port)
                await client.register_client("tsconform")
                assert (await client.register_dn("5001")).type == M.EventRegistered
                assert (await client.register_dn("9999")).type == M.EventError
                answer = await client.request(Message(M.RequestPrivateService, {
                    Attr.PrivateMsgID: 1, Attr.ThisDN: "5001", Attr.Extensions: KVList([("HOST_DN", "6001")])}))
                assert answer.type == M.EventPrivateInfo
                assert (answer[Attr.PrivateMsgID], answer[Attr.ThisDN], answer[Attr.OtherDN]) == (1, "5001", "6001")
                again = await client.request(Message(M.RequestPrivateService, {
                    Attr.PrivateMsgID: 1, Attr.ThisDN: "5001", Attr.Extensions: KVList([("HOST_DN", "6002")])}))
                assert (again.type, again[Attr.ErrorCode]) == (M.EventError, 1161)
                cancel = await client.request(Message(M.RequestPrivateService, {
                    Attr.PrivateMsgID: 2, Attr.ThisDN: "5001"}))
                assert (cancel.type, cancel[Attr.PrivateMsgID], cancel[Attr.OtherDN]) == (M.EventPrivateInfo, 2, "6001")
                assert c.state.associations == {}

                port = c.server.address[1]
                await c.server.stop()  # link loss, as clients see it
                await client.wait(lambda m: m.type == M.EventLinkDisconnected, "EventLinkDisconnected")
                down = await client.request(Message(M.RequestPrivateService, {
                    Attr.PrivateMsgID: 1, Attr.ThisDN: "5001", Attr.Extensions: KVList([("HOST_DN", "6001")])}))
                assert (down.type, down[Attr.ErrorCode]) == (M.EventError, 54)
                c.server = CstaSwitchServer(c.state)
                await c.server.start("127.0.0.1", port)
                await client.wait(lambda m: m.type == M.EventLinkConnected, "EventLinkConnected")
                back = await client.request(Message(M.RequestPrivateService, {
                    Attr.PrivateMsgID: 1, Attr.ThisDN: "5001", Attr.Extensions: KVList([("HOST_DN", "6001")])}))
                assert back.type == M.EventPrivateInfo, "5001 is monitored again after the reconnection"
            finally:
                await client.close()
                await tserver.stop()
    run(go())


def test_switch_as_its_own_process():
    import sys
    proc = subprocess.Popen([sys.executable, "-m", "tsconform.sim.csta_switch", "--listen", "127.0.0.1:0",
                             "--namespace", "ed6"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on "), line
        address = line.split()[-1]

        async def go():
            link = CstaSwitchLink(f"csta://{address}", namespace="ed6")
            seen = []
            link.on_event(seen.append)
            await link.start()
            try:
                assert link.connected, link.last_error
                await link.monitor("5001")
                await link.call("associate", "5001", "6001")
                await until(lambda: seen, "PrivateEvent from the switch process")
                assert (seen[0].kind, seen[0].device, seen[0].other) == ("associated", "5001", "6001")
            finally:
                await link.close()
        run(go())
    finally:
        proc.terminate()
        proc.wait(10)
