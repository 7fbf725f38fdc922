"""The T-Server's link to a switch over CSTA (ECMA-323 XML over TCP or TLS).

CstaSwitchLink offers the LocalSwitchLink interface (connected, on_event, on_status, start,
close, monitor, call) so that the T-Server cannot tell the two apart: each switch operation
becomes its CSTA request, each CSTA event becomes the SwitchEvent the local link would
produce (call IDs are the CSTA callIDs), a CSTAErrorCode becomes SwitchError(category, value).

When the link drops: connected goes False and on_status(False) is called; the link
reconnects with exponential backoff, runs the session start again, monitors the same
devices again, then sets connected and calls on_status(True).

What CSTA events do not say, the link remembers from earlier ones (bounded, forgotten on
each new session): a call's parties (the OtherDN of a cleared connection), the account code
reported for a call (attached to its cleared events, as the local link does), and whether a
recording was last seen suspended (a RecordEvent then means resumed, even without the
recordingResumed marker).
"""
from __future__ import annotations

import asyncio
import logging
import ssl as ssl_module
import time
from collections import OrderedDict
from typing import Callable
from urllib.parse import urlsplit

from ..csta import Dialect
from ..csta import events as ev_xml
from ..csta import private, services as svc, session as sess
from ..csta.account_codes import associate_data
from ..csta.endpoint import CstaClosed, CstaEndpoint, CstaTimeout
from ..csta.errors import CstaError
from ..csta.framing import Frame
from ..csta.services import ConnectionID
from ..csta.xml import CstaMessage, CstaXmlError, serialize
from ..errors import TestSystemError, UsageError
from .switch_state import SwitchError, SwitchEvent

log = logging.getLogger("tsconform.sim.csta_link")

DEFAULT_PORT = 1040
OUT_OF_SERVICE = ("systemResourceAvailibility", "resourceOutOfService")
UNSPECIFIED = ("unspecified", "unspecified")  # a response the link cannot use: T-Lib ErrorCode 1199
CONNECTION_OPS = {"answer_call": "AnswerCall", "clear_connection": "ClearConnection",
                  "record": "RecordMessage", "stop": "Stop", "suspend": "Suspend", "resume": "Resume"}
CALL_EVENTS = ("OriginatedEvent", "DeliveredEvent", "EstablishedEvent", "ConnectionClearedEvent")
OPERATIONS = (*CONNECTION_OPS, "make_call", "associate", "dissociate", "set_account_code", "check_device")


class CstaLinkTimeout(SwitchError):
    """The switch did not answer a request in time."""

    def __init__(self, detail: str):  # pragma: no mutate block (transport)
        super().__init__(*OUT_OF_SERVICE, detail)


class CstaSessionRefused(TestSystemError, ConnectionError):
    """The switch refused the session start (credentials, application ID, handshake): the link
    cannot be used, as with an unreachable target."""


def parse_url(url: str) -> tuple[bool, str, int]:  # pragma: no mutate block (transport)
    """csta://HOST[:PORT] or cstas://HOST[:PORT] -> (tls, host, port); port defaults to 1040."""
    parts = urlsplit(url)
    if parts.scheme not in ("csta", "cstas") or not parts.hostname:
        raise UsageError(f"switch address {url!r} must look like csta://HOST:PORT or cstas://HOST:PORT")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise UsageError(f"switch address {url!r} has a bad port") from None
    return parts.scheme == "cstas", parts.hostname, port


def tls_context(cafile: str | None = None, certfile: str | None = None,
                keyfile: str | None = None) -> ssl_module.SSLContext:  # pragma: no mutate block (transport)
    """Client TLS: verify the switch against cafile (system CAs if None), present certfile/keyfile."""
    ctx = ssl_module.create_default_context(cafile=cafile)
    if certfile:
        ctx.load_cert_chain(certfile, keyfile)
    return ctx


class _Memory:
    """What the link remembers of calls from earlier events, bounded."""

    def __init__(self, size: int = 4096):  # pragma: no mutate block (transport)
        self.size = size
        self.parties: OrderedDict[str, tuple[str | None, str | None]] = OrderedDict()
        self.codes: OrderedDict[str, str] = OrderedDict()
        self.suspended: OrderedDict[tuple[str, str], bool] = OrderedDict()

    def put(self, table: OrderedDict, key, value) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > self.size:  # pragma: no mutate block (transport: the memory's bound)
            table.popitem(last=False)

    def other(self, call_id: str, device: str) -> str | None:
        calling, called = self.parties.get(call_id, (None, None))
        return called if device == calling else calling if device == called else None

    def clear(self) -> None:
        self.parties.clear()
        self.codes.clear()
        self.suspended.clear()


class CstaSwitchLink:
    """A CSTA client towards a switch or CSTA connector.

    url: csta://HOST:PORT or cstas://HOST:PORT. handshake: "system-status" |
    "start-application-session"; namespace: ed3 | ed4 | ed6 or a URI; escape_name:
    "Escape" | "EscapeService"; credentials: sent in StartApplicationSession, never logged.
    TLS: ssl_context, or one built from cafile, certfile and keyfile. Timeouts in seconds:
    connect_timeout (TCP connect and session start), request_timeout (each request),
    idle_timeout (no frame at all for that long means the link is lost; None: never).
    Reconnection waits backoff_initial, doubling up to backoff_max.
    """

    def __init__(self, url: str, *, handshake: str = "system-status", namespace: str = "ed4",
                 escape_name: str = "Escape", private_namespace: str = private.DEFAULT_PRIVATE_NAMESPACE,
                 credentials: sess.Credentials | None = None, application_id: str = "tsconform",
                 cafile: str | None = None, certfile: str | None = None, keyfile: str | None = None,
                 ssl_context: ssl_module.SSLContext | None = None, connect_timeout: float = 2.0,
                 request_timeout: float = 2.0, idle_timeout: float | None = None,
                 backoff_initial: float = 0.2, backoff_max: float = 5.0,
                 on_frame: Callable[[str, Frame], None] | None = None):  # pragma: no mutate block (transport)
        if handshake not in sess.HANDSHAKES:
            raise UsageError(f"handshake must be one of {sess.HANDSHAKES}, got {handshake!r}")
        self.tls, self.host, self.port = parse_url(url)
        if not self.tls and (ssl_context or cafile or certfile or keyfile):
            raise UsageError(f"TLS settings given for {url}; use cstas:// for TLS")
        self.ssl = (ssl_context or tls_context(cafile, certfile, keyfile)) if self.tls else None
        self.url = url
        self.handshake = handshake
        self.d = Dialect(namespace, private_namespace, escape_name)
        self.credentials = credentials
        self.application_id = application_id
        self.connect_timeout, self.request_timeout, self.idle_timeout = connect_timeout, request_timeout, idle_timeout
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.on_frame = on_frame
        self.connected = False
        self.last_error: str | None = None
        self.sessions = 0  # session starts completed
        self._listeners: list[Callable[[SwitchEvent], None]] = []
        self._status: list[Callable[[bool], None]] = []
        self._devices: list[str] = []  # monitored, in order, to monitor again after a reconnection
        self._xrefs: dict[str, str] = {}  # monitorCrossRefID -> device, this session
        self._memory = _Memory()
        self._ep: CstaEndpoint | None = None
        self._supervisor: asyncio.Task | None = None
        self._attempted = asyncio.Event()
        self._status_seen: asyncio.Event | None = None
        self._last_rx = 0.0
        self._closing = False

    def __repr__(self) -> str:  # pragma: no mutate block (transport)
        return f"CstaSwitchLink({self.url}, {self.handshake}, connected={self.connected})"

    # ------------------------------------------------------------ the LocalSwitchLink interface
    def on_event(self, callback: Callable[[SwitchEvent], None]) -> None:  # pragma: no mutate block (transport)
        self._listeners.append(callback)

    def on_status(self, callback: Callable[[bool], None]) -> None:  # pragma: no mutate block (transport)
        self._status.append(callback)

    async def start(self) -> None:  # pragma: no mutate block (transport)
        """Connect; returns once the first attempt succeeded or failed (it keeps retrying)."""
        self._closing = False
        self._attempted.clear()
        self._supervisor = asyncio.create_task(self._supervise(), name=f"csta-link-{self.host}:{self.port}")
        try:
            await asyncio.wait_for(self._attempted.wait(), self.connect_timeout * 2 + self.request_timeout * 2)
        except asyncio.TimeoutError:
            log.warning("%s: first connection attempt still running", self)

    async def close(self) -> None:  # pragma: no mutate block (transport)
        self._closing = True
        if self._ep:
            self._ep.close("link closed")
        if self._supervisor:
            self._supervisor.cancel()
            try:
                await asyncio.wait_for(self._supervisor, 2.0)
            except (asyncio.CancelledError, asyncio.TimeoutError):
                pass
        self.connected = False

    async def monitor(self, device: str) -> None:
        """MonitorStart for device (once per session); SwitchError when the switch refuses it."""
        if device in self._xrefs.values():
            return
        self._require_link()
        await self._monitor(device)
        if device not in self._devices:
            self._devices.append(device)

    async def call(self, operation: str, *args):
        """Run one switch operation as its CSTA request; SwitchError on a CSTAErrorCode."""
        if operation not in OPERATIONS:  # pragma: no mutate block (robustness: an operation the reference T-Server never asks for)
            raise SwitchError("operation", "serviceNotSupported", f"no CSTA request for {operation}")
        if operation == "check_device":
            return await self.monitor(*args)
        self._require_link()
        resp = await self._request(self._request_for(operation, *args))
        if operation == "make_call":
            return svc.parse_make_call_response(resp).call_id
        return None

    # ------------------------------------------------------------ requests
    def _require_link(self) -> None:  # pragma: no mutate block (transport)
        if not self.connected or self._ep is None:
            raise SwitchError(*OUT_OF_SERVICE, f"link to {self.host}:{self.port} is down")

    def _request_for(self, operation: str, *args) -> bytes:
        """The CSTA request of a switch operation (the endpoint's log names it by its root element)."""
        ns = self.d.namespace
        if operation in CONNECTION_OPS:
            device, call_id = args
            return svc.connection_request(CONNECTION_OPS[operation], ConnectionID(call_id, device), ns)
        if operation == "make_call":
            return svc.make_call(*args, ns=ns)
        if operation == "set_account_code":
            device, code, call_id = args
            return associate_data(ConnectionID(call_id, device), code, ns)
        if operation == "associate":
            (guest, host), action = args, "associate"
        else:
            (guest,), host, action = args, None, "dissociate"
        el = private.guest_extension(guest, host, action, self.d.private_namespace)
        return serialize(private.escape_request(el, self.d.escape_name, ns))

    async def _request(self, xml: bytes, ep: CstaEndpoint | None = None) -> CstaMessage:
        ep = ep or self._ep
        try:
            return await ep.request(xml, None, self.request_timeout)
        except CstaError as exc:
            raise SwitchError(exc.category, exc.value, str(exc)) from None
        except CstaTimeout as exc:
            raise CstaLinkTimeout(f"timeout: {exc}") from None
        except CstaClosed as exc:
            raise SwitchError(*OUT_OF_SERVICE, str(exc)) from None
        except CstaXmlError as exc:
            raise SwitchError(*UNSPECIFIED, f"malformed response: {exc.reason}") from None

    async def _monitor(self, device: str, ep: CstaEndpoint | None = None) -> None:
        resp = await self._request(svc.monitor_start(device, self.d.namespace), ep)
        xref = resp.get("monitorCrossRefID")
        if not xref:
            raise SwitchError(*UNSPECIFIED, f"MonitorStartResponse for {device} has no monitorCrossRefID")
        self._xrefs[xref] = device

    # ------------------------------------------------------------ connection life
    def _set_status(self, up: bool) -> None:  # pragma: no mutate block (transport)
        if not up:
            self._xrefs = {}
        if up != self.connected:
            self.connected = up
            log.info("%s: link %s", self, "up" if up else "down")
            for cb in list(self._status):
                cb(up)

    async def _supervise(self) -> None:  # pragma: no mutate block (transport)
        delay = self.backoff_initial
        while not self._closing:
            run = None
            try:
                run = await self._connect_once()
                delay = self.backoff_initial
                self._attempted.set()
                reason = await run
                self.last_error = reason
                log.warning("%s: link lost: %s", self, reason)
            except asyncio.CancelledError:
                raise
            except (OSError, asyncio.TimeoutError, CstaTimeout, SwitchError, CstaSessionRefused, CstaXmlError) as exc:
                self.last_error = f"{exc.__class__.__name__}: {exc}"
                log.warning("%s: cannot establish the link: %s", self, self.last_error)
            finally:
                self._set_status(False)
                self._attempted.set()
            if self._closing:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.backoff_max)

    async def _connect_once(self) -> asyncio.Task:  # pragma: no mutate block (transport)
        """Connect, start the session, monitor the devices again; the endpoint's run task."""
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, ssl=self.ssl,
                                    server_hostname=self.host if self.ssl else None),
            self.connect_timeout)
        self._status_seen = asyncio.Event()
        ep = CstaEndpoint(reader, writer, name=f"csta-link({self.host}:{self.port})",
                          namespace=self.d.namespace, on_request=lambda i, m: self._on_request(ep, i, m),
                          on_event=self._on_event, on_frame=self._seen_frame)
        self._last_rx = time.monotonic()
        run = asyncio.create_task(ep.run())
        watchdog = asyncio.create_task(self._watch(ep)) if self.idle_timeout else None
        run.add_done_callback(lambda _: watchdog and watchdog.cancel())
        try:
            await self._start_session(ep)
            self._xrefs, self._memory = {}, _Memory(self._memory.size)
            for device in list(self._devices):
                try:
                    await self._monitor(device, ep)
                except SwitchError as exc:
                    if (exc.category, exc.value) == OUT_OF_SERVICE:
                        raise
                    log.warning("%s: %s can no longer be monitored: %s", self, device, exc)
                    self._devices.remove(device)
        except BaseException:
            ep.close("session start failed")
            await asyncio.wait([run], timeout=1.0)
            raise
        self._ep = ep
        self.sessions += 1
        self._set_status(True)
        return run

    async def _start_session(self, ep: CstaEndpoint) -> None:  # pragma: no mutate block (transport)
        if self.handshake == "system-status":
            try:
                await asyncio.wait_for(self._status_seen.wait(), self.connect_timeout)
            except asyncio.TimeoutError:
                raise CstaTimeout(
                    f"no SystemStatus from the switch within {self.connect_timeout:.1f} s") from None
            await self._request(sess.system_register(self.d.namespace), ep)
            return
        doc = sess.start_application_session(self.application_id, self.credentials, self.d.namespace)
        resp = await self._request(doc, ep)
        if resp.name != "StartApplicationSessionPosResponse":
            raise CstaSessionRefused(f"{resp.name}: {resp.get('errorCode/definedError') or resp.to_dict()}")

    async def _watch(self, ep: CstaEndpoint) -> None:  # pragma: no mutate block (transport)
        while not ep.closed_reason:
            idle = time.monotonic() - self._last_rx
            if idle >= self.idle_timeout:
                ep.close(f"no frame from the switch for {idle:.1f} s")
                return
            await asyncio.sleep(self.idle_timeout - idle)

    def _seen_frame(self, direction: str, frame: Frame) -> None:  # pragma: no mutate block (transport)
        """Hands frames to on_frame, passwords masked: what it records holds no secret."""
        if direction == "received":
            self._last_rx = time.monotonic()
        if self.on_frame:
            self.on_frame(direction, Frame(frame.invoke_id, sess.redact(frame.xml)) if direction == "sent" else frame)

    # ------------------------------------------------------------ from the switch
    def _on_request(self, ep: CstaEndpoint, invoke_id: int, msg: CstaMessage) -> None:  # pragma: no mutate block (transport)
        if msg.name == "SystemStatus":
            ep.respond(invoke_id, svc.response("SystemStatusResponse", None, self.d.namespace))
            if self._status_seen:
                self._status_seen.set()
            return
        log.warning("%s: the switch asked %s [%04d]; not supported", self, msg.name, invoke_id)
        ep.respond_error(invoke_id, "operation", "serviceNotSupported")

    def _on_event(self, msg: CstaMessage) -> None:
        info = ev_xml.parse_event(msg)
        device = self._xrefs.get(info.xref)
        if device is None:
            log.warning("%s: %s for unknown monitor %s ignored", self, info.name, info.xref)
            return
        event = self._translate(info, device)
        if event is None:
            return
        log.debug("%s: %s -> %s", self, info.name, event)
        for cb in list(self._listeners):
            cb(event)

    def _translate(self, info: ev_xml.EventInfo, device: str) -> SwitchEvent | None:
        """The SwitchEvent of a CSTA event: the call model's, or a connector function's."""
        if info.name in CALL_EVENTS:
            return self._translate_call(info, device)
        return self._translate_connector(info, device)

    def _translate_call(self, info: ev_xml.EventInfo, device: str) -> SwitchEvent | None:
        mem = self._memory
        call_id = info.connection.call_id if info.connection else None
        dev = info.devices
        if info.name == "OriginatedEvent":
            mem.put(mem.parties, call_id, (device, dev.get("calledDevice")))
            return SwitchEvent("originated", device, call_id, dev.get("calledDevice"))
        if info.name == "DeliveredEvent":
            mem.put(mem.parties, call_id, (dev.get("callingDevice"), dev.get("alertingDevice") or device))
            if dev.get("alertingDevice", device) != device:
                return None  # the far end alerting, as a caller's monitor sees it: not an event here
            return SwitchEvent("delivered", device, call_id, dev.get("callingDevice"))
        if info.name == "EstablishedEvent":
            calling, answering = dev.get("callingDevice"), dev.get("answeringDevice") or dev.get("calledDevice")
            mem.put(mem.parties, call_id, (calling, answering))
            return SwitchEvent("established", device, call_id, answering if device == calling else calling)
        if info.connection.device_id not in (None, device):  # ConnectionClearedEvent
            return None  # another party left the call; this device's own clearing comes apart
        code = mem.codes.get(call_id)
        mem.suspended.pop((device, call_id), None)
        return SwitchEvent("cleared", device, call_id, mem.other(call_id, device),
                           {"account_code": code} if code else {})

    def _translate_connector(self, info: ev_xml.EventInfo, device: str) -> SwitchEvent | None:
        mem = self._memory
        call_id = info.connection.call_id if info.connection else None
        if info.name in ("RecordEvent", "StopEvent", "SuspendRecordEvent"):
            key = (device, call_id)
            if info.name == "RecordEvent":
                kind = "resume" if info.resumed or mem.suspended.get(key) else "record"
                mem.suspended.pop(key, None)
            elif info.name == "StopEvent":
                kind = "stop"
                mem.suspended.pop(key, None)
            else:
                kind = "suspend"
                mem.put(mem.suspended, key, True)
            return SwitchEvent(kind, device, call_id)
        if info.name == "PrivateEvent":
            if ev_xml.private_name(info) != private.EVENT:
                log.info("%s: PrivateEvent with %s ignored", self, ev_xml.private_name(info))
                return None
            g = private.parse_guest(info.private)
            return SwitchEvent(g.action, g.guest, other=g.host)
        if info.name == "CallInformationEvent":
            if info.account_code is None:
                return None
            if call_id:
                mem.put(mem.codes, call_id, info.account_code)
            return SwitchEvent("account_code", device, call_id, data={"code": info.account_code})
        return None  # ServiceInitiatedEvent and events this link does not use
