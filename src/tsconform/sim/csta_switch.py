"""The simulated switch as a CSTA server (ECMA-323 XML over TCP), holding a SwitchState.

Each connection runs the configured session start, then answers MonitorStart, MakeCall,
AnswerCall, ClearConnection, RecordMessage, Stop, Suspend, Resume, AssociateData and Escape
(guestAssociatedExtension) from the switch state; a failed precondition is answered with
the CSTAErrorCode of its SwitchError. State changes become events for the connections that
monitor the device, after the response to the request that caused them. Device-side
actions (a keypad entry: ``server.state.set_account_code``) reach the monitors the same way.

Events sent per SwitchEvent kind (see tsconform.csta.events for the element names):
originated -> ServiceInitiatedEvent + OriginatedEvent; delivered -> DeliveredEvent;
established -> EstablishedEvent; cleared -> ConnectionClearedEvent; record -> RecordEvent;
resume -> RecordEvent with recordingResumed; stop -> StopEvent; suspend -> SuspendRecordEvent;
associated/dissociated -> PrivateEvent with guestAssociatedEvent; account_code ->
CallInformationEvent with accountInfo.
"""
from __future__ import annotations

import asyncio
import hmac
import itertools
import logging
import ssl as ssl_module

from ..csta import Dialect
from ..csta import events as ev_xml
from ..csta import private, services as svc, session as sess
from ..csta.account_codes import call_information_event, parse_associate_data
from ..csta.endpoint import DEFAULT_BACKLOG, FRAME_TIMEOUT, CstaClosed, CstaEndpoint, CstaTimeout
from ..csta.errors import CstaError
from ..csta.services import ConnectionID
from ..csta.xml import CstaMessage
from ..errors import UsageError
from .switch_state import SwitchError, SwitchEvent, SwitchState

log = logging.getLogger("tsconform.sim.csta_switch")

DEFAULT_PORT = 1040
# request -> the SwitchState operation it runs on its connection
CONNECTION_OPS = {"AnswerCall": "answer_call", "ClearConnection": "clear_connection",
                  "RecordMessage": "record", "Stop": "stop", "Suspend": "suspend", "Resume": "resume"}
CALL_KINDS = ("originated", "delivered", "established", "cleared")  # the call model's state changes
RECORDING_EVENTS = {"record": "RecordEvent", "resume": "RecordEvent", "stop": "StopEvent",
                    "suspend": "SuspendRecordEvent"}


def _same(got: sess.Credentials | None, want: sess.Credentials) -> bool:  # pragma: no mutate block (transport)
    return got is not None and hmac.compare_digest(got.user.encode(), want.user.encode()) \
        and hmac.compare_digest(got.password.encode(), want.password.encode())


def message_id(device: str, call_id: str) -> str:
    """The recorded message's identifier for a recording of call_id at device."""
    return f"rec-{call_id}-{device}"


class CstaSwitchServer:
    """A CSTA server in front of a SwitchState.

    handshake: "system-status" | "start-application-session"; namespace: ed3 | ed4 | ed6 or
    a URI; escape_name: "Escape" | "EscapeService" (accepted both ways); credentials: what
    StartApplicationSession must carry (None: anything); heartbeat: seconds between
    SystemStatus heartbeats (None: none); a client missing heartbeat_misses in a row is dropped.
    """

    def __init__(self, state: SwitchState, handshake: str = "system-status", namespace: str = "ed4",
                 escape_name: str = "Escape", credentials: sess.Credentials | None = None,
                 private_namespace: str = private.DEFAULT_PRIVATE_NAMESPACE,
                 heartbeat: float | None = None, heartbeat_misses: int = 3,
                 response_timeout: float = 2.0, max_backlog: int = DEFAULT_BACKLOG,
                 frame_timeout: float = FRAME_TIMEOUT):  # pragma: no mutate block (transport)
        if handshake not in sess.HANDSHAKES:
            raise UsageError(f"handshake must be one of {sess.HANDSHAKES}, got {handshake!r}")
        self.state = state
        self.handshake = handshake
        self.dialect = Dialect(namespace, private_namespace, escape_name)
        self.credentials = credentials
        self.heartbeat, self.heartbeat_misses = heartbeat, heartbeat_misses
        self.response_timeout = response_timeout
        self.max_backlog = max_backlog
        self.frame_timeout = frame_timeout
        self.sessions: list[SwitchSession] = []
        self.server: asyncio.base_events.Server | None = None
        self.address: tuple[str, int] | None = None
        self._xrefs = itertools.count(1)
        self._session_ids = itertools.count(1)

    async def start(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                    ssl: ssl_module.SSLContext | None = None) -> tuple[str, int]:  # pragma: no mutate block (transport)
        """Listen; returns the bound (host, port) (port 0 picks a free one)."""
        self.server = await asyncio.start_server(self._serve, host, port, ssl=ssl)
        self.address = self.server.sockets[0].getsockname()[:2]
        log.info("CSTA switch listening on %s:%d (%s, %s)", *self.address, self.handshake, self.dialect.namespace)
        return self.address

    async def stop(self, timeout: float = 2.0) -> None:  # pragma: no mutate block (transport)
        """Stop listening and close every connection."""
        if self.server:
            self.server.close()
        await self.drop_connections(timeout)
        if self.server:
            try:
                await asyncio.wait_for(self.server.wait_closed(), timeout)
            except asyncio.TimeoutError:
                log.warning("CSTA switch: listener did not close within %.1f s", timeout)
            self.server = None

    async def drop_connections(self, timeout: float = 2.0) -> None:  # pragma: no mutate block (transport)
        """Close every client connection (the listener stays): a link loss seen from the switch."""
        tasks = [s.task for s in self.sessions if s.task]
        for s in list(self.sessions):
            s.close("switch closed the connection")
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    def next_xref(self) -> str:
        return str(next(self._xrefs))

    async def _serve(self, reader, writer) -> None:  # pragma: no mutate block (transport)
        session = SwitchSession(self, reader, writer, next(self._session_ids))
        self.sessions.append(session)
        session.task = asyncio.current_task()
        try:
            await session.run()
        finally:
            self.sessions.remove(session)


class SwitchSession:
    """One client connection to the simulated switch."""

    def __init__(self, server: CstaSwitchServer, reader, writer, number: int):  # pragma: no mutate block (transport)
        self.server = server
        self.state = server.state
        self.d = server.dialect
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.name = f"switch-session#{number}({peer[0]}:{peer[1]})"
        self.ep = CstaEndpoint(reader, writer, name=self.name, namespace=self.d.namespace,
                               on_request=self._on_request, on_event=self._on_event,
                               max_backlog=server.max_backlog, frame_timeout=server.frame_timeout)
        self.established = False
        self.monitors: dict[str, str] = {}  # device -> monitorCrossRefID
        self.task: asyncio.Task | None = None
        self._held: list[tuple[bytes, str]] | None = None  # events held until a response is out
        self._tasks: list[asyncio.Task] = []

    async def run(self) -> None:  # pragma: no mutate block (transport)
        log.info("%s connected", self.name)
        self.state.listeners.append(self._on_switch_event)
        if self.server.handshake == "system-status":
            self._spawn(self._system_status())
        try:
            reason = await self.ep.run()
        finally:
            self.state.listeners.remove(self._on_switch_event)
            for t in self._tasks:
                t.cancel()
        log.info("%s ended: %s", self.name, reason)

    def close(self, reason: str) -> None:  # pragma: no mutate block (transport)
        self.ep.close(reason)

    def _spawn(self, coro) -> None:  # pragma: no mutate block (transport)
        self._tasks.append(asyncio.create_task(coro))

    # ------------------------------------------------------------ session start and heartbeat
    async def _system_status(self) -> None:  # pragma: no mutate block (transport)
        try:
            await self.ep.request(sess.system_status("normal", self.d.namespace), "SystemStatus",
                                  self.server.response_timeout)
        except (CstaTimeout, CstaError, CstaClosed) as exc:
            log.warning("%s: session start: %s", self.name, exc)
            self.close(f"no session start: {exc}")
            return
        if self.server.heartbeat:
            await self._heartbeats()

    async def _heartbeats(self) -> None:  # pragma: no mutate block (transport)
        misses = 0
        while not self.ep.closed_reason:
            await asyncio.sleep(self.server.heartbeat)
            try:
                await self.ep.request(sess.system_status("normal", self.d.namespace), "SystemStatus heartbeat",
                                      self.server.response_timeout)
                misses = 0
            except CstaClosed:
                return
            except (CstaTimeout, CstaError) as exc:
                misses += 1
                log.warning("%s: heartbeat %d/%d missed: %s", self.name, misses, self.server.heartbeat_misses, exc)
                if misses >= self.server.heartbeat_misses:
                    self.close(f"{misses} heartbeats unanswered")
                    return

    def _start_application_session(
            self, invoke_id: int, msg: CstaMessage) -> None:  # pragma: no mutate block (transport)
        req = sess.parse_start_application_session(msg)
        want = self.server.credentials
        if want and not _same(req.credentials, want):
            log.warning("%s: StartApplicationSession refused: credentials for user %r do not match",
                        self.name, req.credentials.user if req.credentials else None)
            return self.ep.respond(invoke_id, sess.start_application_session_neg("invalidApplicationInfo"),
                                   "StartApplicationSessionNegResponse")
        if req.protocols and self.d.namespace not in req.protocols:
            return self.ep.respond(invoke_id,
                                   sess.start_application_session_neg("requestedProtocolVersionNotSupported"),
                                   "StartApplicationSessionNegResponse")
        self.established = True
        if self.server.heartbeat:
            self._spawn(self._heartbeats())
        self.ep.respond(invoke_id, sess.start_application_session_pos(self.name, self.d.namespace),
                        "StartApplicationSessionPosResponse")

    # ------------------------------------------------------------ requests
    def _on_event(self, msg: CstaMessage) -> None:  # pragma: no mutate block (transport)
        log.warning("%s: ignoring %s sent by the client", self.name, msg.name)

    def _on_session_request(self, invoke_id: int, msg: CstaMessage) -> bool:  # pragma: no mutate block (transport)
        """Answer a request of the session (its start, a heartbeat); False for any other."""
        name = msg.name
        if name == "SystemStatus":
            self.ep.respond(invoke_id, svc.response("SystemStatusResponse", None, self.d.namespace))
        elif name == "SystemRegister" and self.server.handshake == "system-status":
            self.established = True
            self.ep.respond(invoke_id, sess.system_register_response("1", self.d.namespace))
        elif name == "StartApplicationSession" and self.server.handshake == "start-application-session":
            self._start_application_session(invoke_id, msg)
        elif not self.established:
            log.warning("%s: %s [%04d] before the session start (%s)", self.name, name, invoke_id,
                        self.server.handshake)
            self.ep.respond_error(invoke_id, "operation", "generic")
        else:
            return False
        return True

    def _on_request(self, invoke_id: int, msg: CstaMessage) -> None:
        name = msg.name
        if self._on_session_request(invoke_id, msg):
            return
        handler = self._call_model_handlers().get(name) or {
            "AssociateData": self._associate_data, "Escape": self._escape, "EscapeService": self._escape}.get(name)
        if handler is None and name in CONNECTION_OPS:
            handler = self._connection_request
        if handler is None:  # pragma: no mutate block (robustness: a request the reference T-Server never sends)
            log.warning("%s: %s [%04d] is not supported", self.name, name, invoke_id)
            return self.ep.respond_error(invoke_id, "operation", "serviceNotSupported")
        self._held = []
        try:
            answer = handler(msg)
        except SwitchError as exc:
            log.info("%s: %s [%04d] refused: %s", self.name, name, invoke_id, exc)
            self.ep.respond_error(invoke_id, exc.category, exc.value)
        else:
            self.ep.respond(invoke_id, answer)
        finally:
            held, self._held = self._held, None
            for xml in held:
                self.ep.send_event(xml)

    def _call_model_handlers(self) -> dict:
        return {"MonitorStart": self._monitor_start, "MonitorStop": self._monitor_stop, "MakeCall": self._make_call}

    def _monitor_start(self, msg: CstaMessage) -> bytes:
        device = svc.monitor_start_device(msg)
        self.state.check_device(device)
        if device not in self.monitors:
            self.monitors[device] = self.server.next_xref()
        return svc.monitor_start_response(self.monitors[device], self.d.namespace)

    def _monitor_stop(self, msg: CstaMessage) -> bytes:
        xref = svc.required(msg, "monitorCrossRefID")
        device = next((d for d, x in self.monitors.items() if x == xref), None)
        if device is None:
            raise SwitchError("operation", "invalidCrossRefID", f"no monitor {xref}")
        del self.monitors[device]
        return svc.response("MonitorStopResponse", None, self.d.namespace)

    def _make_call(self, msg: CstaMessage) -> bytes:
        calling, called = svc.parse_make_call(msg)
        call_id = self.state.make_call(calling, called)
        return svc.make_call_response(ConnectionID(call_id, calling), self.d.namespace)

    def _connection_request(self, msg: CstaMessage) -> bytes:
        conn = svc.request_connection(msg)
        if not conn.call_id or not conn.device_id:  # pragma: no mutate block (robustness: a request the reference T-Server never sends)
            raise SwitchError("operation", "invalidConnectionID", f"{msg.name} needs callID and deviceID")
        getattr(self.state, CONNECTION_OPS[msg.name])(conn.device_id, conn.call_id)
        if msg.name == "RecordMessage":
            return svc.record_message_response(message_id(conn.device_id, conn.call_id), self.d.namespace)
        return svc.response(msg.name + "Response", None, self.d.namespace)

    def _associate_data(self, msg: CstaMessage) -> bytes:
        conn, code = parse_associate_data(msg)
        if not conn.device_id:  # pragma: no mutate block (robustness: a request the reference T-Server never sends)
            raise SwitchError("operation", "invalidConnectionID", "AssociateData needs a deviceID")
        self.state.set_account_code(conn.device_id, code, conn.call_id)
        return svc.response("AssociateDataResponse", None, self.d.namespace)

    def _escape(self, msg: CstaMessage) -> bytes:
        el = private.find_private(msg, private.EXTENSION)
        if el is None:  # pragma: no mutate block (robustness: a request the reference T-Server never sends)
            raise SwitchError("operation", "privateDataNotSupported",
                              f"{msg.name} without {private.EXTENSION}")
        req = private.parse_guest(el)
        if req.action == "associate":
            self.state.associate(req.guest, req.host)
        else:
            self.state.dissociate(req.guest)
        return svc.response(msg.name + "Response", None, self.d.namespace)

    # ------------------------------------------------------------ events
    def _on_switch_event(self, ev: SwitchEvent) -> None:
        xref = self.monitors.get(ev.device)
        if xref is None:
            return
        for xml in self._events_for(ev, xref):
            if self._held is not None:
                self._held.append(xml)
            else:
                self.ep.send_event(xml)

    def _events_for(self, ev: SwitchEvent, xref: str) -> list[bytes]:
        """The CSTA events of a state change: the call model's, or a connector function's."""
        return (self._call_events if ev.kind in CALL_KINDS else self._connector_events)(ev, xref)

    def _call_events(self, ev: SwitchEvent, xref: str) -> list[bytes]:
        ns, conn = self.d.namespace, ConnectionID(ev.call_id, ev.device)
        if ev.kind == "originated":
            return [ev_xml.call_event("ServiceInitiatedEvent", xref, conn, ns, initiating=ev.device),
                    ev_xml.call_event("OriginatedEvent", xref, conn, ns, calling=ev.device, called=ev.other)]
        if ev.kind == "delivered":
            return [ev_xml.call_event("DeliveredEvent", xref, conn, ns, alerting=ev.device,
                                      calling=ev.other, called=ev.device)]
        if ev.kind == "established":
            call = self.state.calls.get(ev.call_id)
            calling, called = (call.origin, call.dest) if call else (ev.other, ev.device)
            return [ev_xml.call_event("EstablishedEvent", xref, ConnectionID(ev.call_id, called), ns,
                                      answering=called, calling=calling, called=called)]
        return [ev_xml.call_event("ConnectionClearedEvent", xref, conn, ns, releasing=ev.device)]

    def _connector_events(self, ev: SwitchEvent, xref: str) -> list[bytes]:
        ns, conn = self.d.namespace, ConnectionID(ev.call_id, ev.device)
        if ev.kind in RECORDING_EVENTS:
            name = RECORDING_EVENTS[ev.kind]
            return [ev_xml.recording_event(name, xref, conn, message_id(ev.device, ev.call_id),
                                           resumed=ev.kind == "resume", ns=ns, private_ns=self.d.private_namespace)]
        if ev.kind in ("associated", "dissociated"):
            el = private.guest_event(ev.device, ev.other, ev.kind, self.d.private_namespace)
            return [ev_xml.private_event(xref, el, ns)]
        if ev.kind == "account_code":
            return [call_information_event(xref, conn, ev.device, ev.data["code"], ns)]
        log.warning("%s: no CSTA event for switch event %s", self.name, ev.kind)
        return []


# ---------------------------------------------------------------- as a process
def parse_listen(text: str, default_port: int = DEFAULT_PORT) -> tuple[str, int]:  # pragma: no mutate block (transport)
    """HOST:PORT, HOST (the default port) or :PORT (loopback)."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = text, str(default_port)
    try:
        return host.strip("[]") or "127.0.0.1", int(port)
    except ValueError:
        raise UsageError(f"--listen {text!r}: expected HOST:PORT") from None


async def serve(listen: str, profile=None, *, ready=None, **options) -> None:  # pragma: no mutate block (transport)
    """Run a switch for the profile's sim devices until cancelled; ready(address) once bound."""
    from ..profile import Profile

    sim = (profile or Profile.from_dict({})).sim
    server = CstaSwitchServer(SwitchState(sim.devices, sim.busy), **options)
    address = await server.start(*parse_listen(listen))
    if ready:
        ready(address)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:  # pragma: no mutate block (transport)
    """python -m tsconform.sim.csta_switch --listen HOST:PORT [...]; prints the bound address."""
    import argparse
    import sys

    from ..profile import Profile, ProfileError

    p = argparse.ArgumentParser(prog="tsconform-sim-switch", description="the simulated CSTA switch")
    p.add_argument("--listen", default=f"127.0.0.1:{DEFAULT_PORT}", help="HOST:PORT (port 0: any free port)")
    p.add_argument("--profile", help="profile whose sim devices the switch configures")
    p.add_argument("--handshake", choices=sess.HANDSHAKES, default="system-status")
    p.add_argument("--namespace", default="ed4", help="ed3 | ed4 | ed6 or a CSTA namespace URI")
    p.add_argument("--escape-name", choices=private.ESCAPE_NAMES, default="Escape")
    p.add_argument("--private-namespace", default=private.DEFAULT_PRIVATE_NAMESPACE)
    p.add_argument("--heartbeat", type=float, help="seconds between SystemStatus heartbeats")
    p.add_argument("--require-credentials", action="store_true",
                   help="StartApplicationSession must carry TSCONFORM_CSTA_USER / TSCONFORM_CSTA_PASSWORD")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        profile = Profile.load(args.profile) if args.profile else None
        credentials = sess.Credentials.from_env() if args.require_credentials else None
        if args.require_credentials and credentials is None:
            p.error("--require-credentials needs TSCONFORM_CSTA_USER (and TSCONFORM_CSTA_PASSWORD) set")
        asyncio.run(serve(args.listen, profile, handshake=args.handshake, namespace=args.namespace,
                          escape_name=args.escape_name, private_namespace=args.private_namespace,
                          heartbeat=args.heartbeat, credentials=credentials,
                          ready=lambda a: print(f"listening on {a[0]}:{a[1]}", flush=True)))
    except (ProfileError, ValueError, OSError) as exc:
        print(f"tsconform-sim-switch: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
