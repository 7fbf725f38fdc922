"""The reference T-Server: T-Lib over TCP towards clients, a switch link behind.

It implements registration, a minimal call model and the documented private services,
translating each service into a switch operation and each switch event back into T-Lib.
Errors follow the catalogue's error table.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field, replace

from ..spec import SERVICES, error, error_for_csta, resolve_key
from ..tlib import codec
from ..tlib.model import Attr, ConnID, KVList, Message, MessageType as M
from .faults import FAULTS
from .switch_state import SwitchError, SwitchEvent

log = logging.getLogger("tsconform.sim.tserver")

MAX_CLIENT_BACKLOG = 1 << 20  # bytes queued to one client before it is dropped
FRAME_TIMEOUT = 10.0  # seconds a started frame may take to arrive completely

# Switch operation and the switch event kind that completes it, per private service.
SERVICE_OPS = {1: ("associate", "associated"), 2: ("dissociate", "dissociated"),
               3013: ("record", "record"), 3014: ("stop", "stop"), 3015: ("suspend", "suspend"),
               3016: ("resume", "resume"), 501: ("set_account_code", "account_code")}
EVENT_NUMBER = {kind: n for n, (_, kind) in SERVICE_OPS.items()}
CALL_EVENTS = {"originated": M.EventDialing, "delivered": M.EventRinging,
               "established": M.EventEstablished, "cleared": M.EventReleased}


@dataclass
class Client:
    number: int
    writer: asyncio.StreamWriter
    name: str = ""
    dns: set[str] = field(default_factory=set)

    def __str__(self) -> str:  # pragma: no mutate block (transport)
        return f"client#{self.number}" + (f"({self.name})" if self.name else "")


@dataclass
class Pending:
    kind: str
    device: str
    call_id: str | None
    client: Client
    ref: int | None
    event: int | None = None  # report the switch event as this private event (a fault)
    other: str | None = None  # report this OtherDN whatever the switch said (a fault)


class TServer:
    def __init__(self, link, options: dict, faults=frozenset(), answer_timeout: float = 2.0):  # pragma: no mutate block (transport)
        self.link = link
        self.options = options
        self.faults = frozenset(faults)
        # faults written as transforms at the T-Server's seams (sim/faults.py)
        self.outbound = [FAULTS[n].outbound for n in sorted(self.faults) if FAULTS[n].outbound]
        self.inbound = [FAULTS[n].inbound for n in sorted(self.faults) if FAULTS[n].inbound]
        self.answer_timeout = answer_timeout
        self.frame_timeout = FRAME_TIMEOUT
        self.clients: list[Client] = []
        self.pending: list[Pending] = []
        self.conn_ids: dict[str, ConnID] = {}  # switch call ID -> ConnID
        self.parties: dict[ConnID, set[str]] = {}
        self.server: asyncio.base_events.Server | None = None
        self._numbers = itertools.count(1)
        self._conn_ids = itertools.count(0x006D_0A00_0000_0001)  # any ConnID will do, once each
        link.on_event(self._on_switch_event)
        link.on_status(self._on_link_status)

    # ------------------------------------------------------------ server
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:  # pragma: no mutate block (transport)
        self.server = await asyncio.start_server(self._serve, host, port)
        addr = self.server.sockets[0].getsockname()[:2]
        log.info("T-Server listening on %s:%d", *addr)
        return addr

    async def stop(self) -> None:  # pragma: no mutate block (transport)
        if self.server:
            self.server.close()
            for c in list(self.clients):
                c.writer.close()
            await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:  # pragma: no mutate block (transport)
        client = Client(next(self._numbers), writer)
        self.clients.append(client)
        peer = writer.get_extra_info("peername")
        log.info("%s connected from %s:%s", client, *(peer or ("?", "?"))[:2])
        try:
            while True:
                try:
                    raw = await codec.read_frame(reader, self.frame_timeout)
                except codec.FrameError as exc:
                    log.warning("%s sent a bad header, closing: %s", client, exc)
                    break
                except asyncio.TimeoutError:
                    log.warning("%s left a frame incomplete for %.0f s, closing", client, self.frame_timeout)
                    break
                if raw is None:
                    break
                try:
                    msg = codec.decode(raw)
                except codec.FrameError as exc:
                    log.warning("%s sent a malformed frame: %s", client, exc)
                    self._send(client, Message(M.EventError, {
                        Attr.ErrorCode: 53, Attr.ErrorMessage: f"Malformed frame: {exc.reason}"}))
                    continue
                log.info("%s <- %s", client, msg.summary())
                await self._dispatch(client, msg)
                if writer.is_closing():  # dropped while answering
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            log.info("%s: connection lost mid-frame", client)
        finally:
            self.clients.remove(client)
            self.pending = [p for p in self.pending if p.client is not client]
            writer.close()
            log.info("%s disconnected", client)

    def _send(self, client: Client, msg: Message) -> None:
        """Send to one client, through the outgoing seam: each transform turns one message into
        the (delay, client, message) triples it sends instead."""
        out = [(0.0, client, msg)]
        for transform in self.outbound:  # pragma: no mutate (a fault's seam)
            out = [t for d, c, m in out for t in ((d + d2, c2, m2) for d2, c2, m2 in transform(self, c, m))]  # pragma: no mutate
        for delay, c, m in out:
            if delay:  # pragma: no mutate (a fault's delay)
                asyncio.get_running_loop().call_later(delay, self._write, c, m)  # pragma: no mutate
            else:
                self._write(c, m)

    def _write(self, client: Client, msg: Message) -> None:  # pragma: no mutate block (transport)
        if client.writer.is_closing():
            return
        if client.writer.transport.get_write_buffer_size() > MAX_CLIENT_BACKLOG:
            log.warning("%s does not read its answers; dropping it", client)
            client.writer.transport.abort()  # close() would wait for the backlog to drain
            return
        log.info("%s -> %s", client, msg.summary())
        client.writer.write(codec.encode(msg))

    def _error(self, client: Client, req: Message, req_id: str | None = None,
               code_msg: tuple[int, str] | None = None, detail: str = "") -> None:
        code, text = code_msg or error(req_id)
        attrs = {Attr.ErrorCode: code, Attr.ErrorMessage: text + (f": {detail}" if detail else "")}
        for a in (Attr.ReferenceID, Attr.ThisDN, Attr.ConnID):
            if a in req:
                attrs[a] = req[a]
        self._send(client, Message(M.EventError, attrs))

    # ------------------------------------------------------------ requests
    async def _dispatch(self, client: Client, req: Message) -> None:
        handler = {
            M.RequestRegisterClient: self._register_client,
            M.RequestRegisterAddress: self._register_address,
            M.RequestUnregisterAddress: self._unregister_address,
            M.RequestMakeCall: self._make_call,
            M.RequestAnswerCall: self._answer_call,
            M.RequestReleaseCall: self._release_call,
            M.RequestPrivateService: self._private_service,
        }.get(req.type)
        if handler is None:
            self._error(client, req, "TS-ERR-SERVICE", detail=f"message {req.name}")
            return
        await handler(client, req)
        for transform in self.inbound:  # pragma: no mutate (a fault's seam: what a request does besides its answer)
            await transform(self, client, req)  # pragma: no mutate

    async def _register_client(self, client: Client, req: Message) -> None:  # pragma: no mutate block (transport)
        client.name = str(req.get(Attr.ApplicationName, ""))
        self._send(client, Message(M.EventServerConnected, _ref(req)))

    async def _register_address(self, client: Client, req: Message) -> None:
        dn = req.get(Attr.ThisDN)
        if not dn:
            return self._error(client, req, "TS-ERR-NO-THISDN")
        if not self.link.connected:
            return self._error(client, req, "TS-ERR-NO-LINK")
        try:
            await self.link.monitor(dn)
        except SwitchError as exc:
            row = "TS-ERR-DN-UNKNOWN" if self.link.connected else "TS-ERR-NO-LINK"  # the link may drop meanwhile
            return self._error(client, req, row, detail=f"{dn} ({exc})")
        client.dns.add(dn)
        self._send(client, Message(M.EventRegistered, {**_ref(req), Attr.ThisDN: dn}))

    async def _unregister_address(self, client: Client, req: Message) -> None:
        dn = req.get(Attr.ThisDN)
        if dn not in client.dns:
            return self._error(client, req, "TS-ERR-UNREGISTERED", detail=str(dn))
        client.dns.discard(dn)
        self._send(client, Message(M.EventUnregistered, {**_ref(req), Attr.ThisDN: dn}))

    def _precheck(self, client: Client, req: Message, need_conn: bool) -> str | None:
        """Common preconditions; returns the error-table row that failed, or None."""
        dn = req.get(Attr.ThisDN)
        if not dn:
            return "TS-ERR-NO-THISDN"
        if dn not in client.dns:
            return "TS-ERR-UNREGISTERED"
        if not self.link.connected:
            return "TS-ERR-NO-LINK"
        if need_conn and Attr.ConnID not in req:
            return "TS-ERR-NO-CONNID"
        if Attr.ConnID in req and dn not in self.parties.get(req[Attr.ConnID], ()):
            return "TS-ERR-CONNID"
        return None

    def _call_id(self, conn_id: ConnID) -> str:
        return next(k for k, v in self.conn_ids.items() if v == conn_id)

    async def _call_request(self, client, req, kind, op, *args) -> None:
        failed = self._precheck(client, req, need_conn=op != "make_call")
        if failed:
            return self._error(client, req, failed)
        dn = req[Attr.ThisDN]
        if op != "make_call":
            args = (dn, self._call_id(req[Attr.ConnID]))
        pending = Pending(kind, dn, args[1] if op != "make_call" else None, client, req.reference_id)
        self.pending.append(pending)
        try:
            await self.link.call(op, *args)
        except SwitchError as exc:
            self._drop(pending)
            if not self.link.connected:
                return self._error(client, req, "TS-ERR-NO-LINK")
            self._error(client, req, code_msg=error_for_csta(None, exc.category, exc.value))

    async def _make_call(self, client, req):
        await self._call_request(client, req, "originated", "make_call",
                                 req.get(Attr.ThisDN), str(req.get(Attr.OtherDN, "")))

    async def _answer_call(self, client, req):
        await self._call_request(client, req, "established", "answer_call")

    async def _release_call(self, client, req):
        await self._call_request(client, req, "cleared", "clear_connection")

    async def _private_service(self, client: Client, req: Message) -> None:
        number = req.get(Attr.PrivateMsgID)
        service = SERVICES.get(number)
        if service is None or (service.option and not self.options.get(service.option)):
            return self._error(client, req, "TS-ERR-SERVICE", detail=f"private service {number}")
        failed = self._precheck(client, req, need_conn=service.requires_conn_id)
        if failed:
            return self._error(client, req, failed)
        dn = req[Attr.ThisDN]
        ext = req.get(Attr.Extensions) or KVList()
        key = resolve_key(service.required_key, self.options)
        if key and not ext.get(key):
            return self._error(client, req, service.key_error)
        op, kind = SERVICE_OPS[number]
        call_id = self._call_id(req[Attr.ConnID]) if Attr.ConnID in req else None
        args = {1: (dn, str(ext.get(key))), 2: (dn,), 501: (dn, str(ext.get(key)), call_id)}.get(
            number, (dn, call_id))
        pending = Pending(kind, dn, call_id, client, req.reference_id)
        op, args = self._break_connector(number, op, args, pending)  # pragma: no mutate (a fault's seam)
        self.pending.append(pending)
        if "no-escape" in self.faults and number in (1, 2):  # answer without asking the switch
            return self._on_switch_event(SwitchEvent(kind, dn, other=args[1] if number == 1 else None))  # pragma: no mutate
        try:
            await self.link.call(op, *args)
        except SwitchError as exc:
            self._drop(pending)
            if not self.link.connected:
                return self._error(client, req, "TS-ERR-NO-LINK")
            if self._fake_success(number, exc, dn, pending, args):  # pragma: no mutate (a fault's seam)
                return
            self._error(client, req, code_msg=error_for_csta(number, exc.category, exc.value))

    def _break_connector(self, number: int, op: str, args: tuple, pending):  # pragma: no mutate block (a fault)
        """Faults on the switch link that T-Lib alone does not show."""
        if "wrong-csta-service" in self.faults and number == 3015:  # Stop sent for Suspend
            pending.kind, pending.event = "stop", 3015
            return "stop", args
        if "wrong-host-on-csta" in self.faults and number == 1:  # another host, reported as asked
            host = args[1]
            pending.other = host
            return op, (args[0], host[:-1] + str((int(host[-1]) + 1) % 10) if host[-1:].isdigit() else host + "0")
        return op, args

    def _fake_success(self, number, exc: SwitchError, dn: str, pending, args):  # pragma: no mutate block (a fault)
        """Faults that report success where the switch refused."""
        fake = {1: "success-on-existing-association", 2: "success-on-absent-association"}.get(number)
        if fake not in self.faults or exc.category != "stateIncompatibility":
            return False
        self.pending.append(pending)
        self._on_switch_event(SwitchEvent(pending.kind, dn, other=args[1] if len(args) > 1 else None))
        return True

    def _drop(self, pending: Pending) -> None:
        if pending in self.pending:
            self.pending.remove(pending)

    def _take_pending(self, kind: str, device: str, call_id: str | None) -> Pending | None:
        for p in self.pending:
            if p.kind == kind and p.device == device and p.call_id in (None, call_id):
                self.pending.remove(p)
                return p
        return None

    # ------------------------------------------------------------ switch events
    def _on_link_status(self, up: bool) -> None:
        if not up:  # a switch that comes back may number its calls afresh
            self.conn_ids.clear()
            self.parties.clear()
        msg_type = M.EventLinkConnected if up else M.EventLinkDisconnected
        for c in list(self.clients):
            self._send(c, Message(msg_type))

    def _on_switch_event(self, ev: SwitchEvent) -> None:
        pending = self._take_pending(ev.kind, ev.device, ev.call_id)
        if ev.kind in CALL_EVENTS:
            msg = self._call_event(ev)
        else:
            if pending and pending.other:  # pragma: no mutate (a fault)
                ev = replace(ev, other=pending.other)  # pragma: no mutate
            msg = self._private_event(ev, pending.event if pending else None)  # pragma: no mutate (a fault)
        self._distribute(msg, ev.device, pending)

    def _conn_id(self, call_id: str) -> ConnID:
        if call_id not in self.conn_ids:
            self.conn_ids[call_id] = ConnID(next(self._conn_ids))
        return self.conn_ids[call_id]

    def _call_event(self, ev: SwitchEvent) -> Message:
        conn = self._conn_id(ev.call_id)
        parties = self.parties.setdefault(conn, set())
        attrs = {Attr.ThisDN: ev.device, Attr.OtherDN: ev.other or "", Attr.ConnID: conn}
        if ev.kind == "cleared":
            parties.discard(ev.device)
            if not parties:
                del self.parties[conn]
                del self.conn_ids[ev.call_id]
            code = ev.data.get("account_code")
            where = {"udata": Attr.UserData, "ext": Attr.Extensions}.get(self.options.get("accode-data"))
            if code and where:
                attrs[where] = KVList([(str(self.options["accode-name"]), code)])
        else:
            parties.add(ev.device)
        return Message(CALL_EVENTS[ev.kind], attrs)

    def _private_event(self, ev: SwitchEvent, number: int | None = None) -> Message:
        number = number or EVENT_NUMBER[ev.kind]
        attrs: dict = {Attr.PrivateMsgID: number, Attr.ThisDN: ev.device}
        if ev.call_id:
            attrs[Attr.ConnID] = self._conn_id(ev.call_id)
        if number in (1, 2) and ev.other:
            attrs[Attr.OtherDN] = ev.other
        if number == 501:
            attrs[Attr.PrivateID] = 0
            attrs[Attr.Extensions] = KVList([(str(self.options["accode-name"]), ev.data["code"])])
        return Message(M.EventPrivateInfo, attrs)

    def _distribute(self, msg: Message, dn: str, pending: Pending | None) -> None:
        """Send to every client registered on dn; the requester's copy echoes its ReferenceID."""
        targets = [c for c in self.clients if dn in c.dns]
        if pending and pending.client not in targets and pending.client in self.clients:
            targets.append(pending.client)
        for c in targets:
            if pending and c is pending.client and pending.ref is not None:
                self._send(c, Message(msg.type, {Attr.ReferenceID: pending.ref, **msg.attrs}))
            else:
                self._send(c, msg)


def _ref(req: Message) -> dict:
    return {Attr.ReferenceID: req[Attr.ReferenceID]} if Attr.ReferenceID in req else {}
