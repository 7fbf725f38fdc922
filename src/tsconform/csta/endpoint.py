"""One end of a CSTA link over an asyncio stream; the switch and the client both use it.

Both ends originate requests. A frame is sorted by its root element: ``CSTAErrorCode`` and
``...Response`` answer one of our requests (matched by invoke ID), ``...Event`` is an
event, anything else is a request from the peer. A malformed frame is logged with its
invoke ID and the link goes on; a bad header ends the connection.
"""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Callable

from ..errors import ProductFailure
from .errors import CstaError, error_document, parse_error
from .framing import EVENT_INVOKE_ID, HEADER_SIZE, MAX_FRAME, CstaFrameError, Frame, InvokeIds, encode_frame, read_frame
from .xml import CstaMessage, CstaXmlError, parse

log = logging.getLogger("tsconform.csta.endpoint")

DEFAULT_BACKLOG = 1 << 20  # bytes queued towards a peer that does not read
FRAME_TIMEOUT = 10.0  # seconds a started frame may take to arrive completely


class CstaTimeout(ProductFailure):
    """No response to a request in time: the peer did not answer."""


class CstaClosed(ProductFailure, ConnectionError):
    """The connection ended while a request awaited its response."""


def is_response(name: str) -> bool:
    return name == "CSTAErrorCode" or name.endswith("Response")


class CstaEndpoint:
    """Frames in and out of one connection.

    on_request(invoke_id, msg) handles a peer's request (answer with respond/respond_error;
    a CstaXmlError it raises is answered with CSTAErrorCode operation/generic);
    on_event(msg) handles an event. on_frame(direction, frame), if given, sees every frame.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, name: str,
                 namespace: str, on_request: Callable[[int, CstaMessage], None],
                 on_event: Callable[[CstaMessage], None],
                 on_frame: Callable[[str, Frame], None] | None = None,
                 max_frame: int = MAX_FRAME, max_backlog: int = DEFAULT_BACKLOG,
                 frame_timeout: float | None = FRAME_TIMEOUT):
        self.reader, self.writer, self.name, self.namespace = reader, writer, name, namespace
        self.frame_timeout = frame_timeout
        self.on_request, self.on_event, self.on_frame = on_request, on_event, on_frame
        self.max_frame, self.max_backlog = max_frame, max_backlog
        self.ids = InvokeIds()
        self.pending: dict[int, tuple[str, asyncio.Future]] = {}
        self.closed_reason: str | None = None

    # ------------------------------------------------------------ sending
    def _write(self, invoke_id: int, xml: bytes, what: str | None) -> None:
        """Frame and send one document; `what` names it in the log (by default, its root element)."""
        if self.writer.is_closing():
            raise CstaClosed(f"{self.name}: connection closed ({self.closed_reason or 'closing'})")
        if self.writer.transport.get_write_buffer_size() > self.max_backlog:
            log.warning("%s: peer does not read (%d bytes queued); dropping it", self.name, self.max_backlog)
            self.close(f"peer does not read ({self.max_backlog} bytes queued)")
            raise CstaClosed(f"{self.name}: peer does not read; connection dropped")
        frame = Frame(invoke_id, xml)
        if self.on_frame:
            self.on_frame("sent", frame)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s -> %s [%04d]", self.name, what or _root(xml), invoke_id)
        self.writer.write(encode_frame(invoke_id, xml, self.max_frame))

    async def request(self, xml: bytes, what: str | None, timeout: float) -> CstaMessage:
        """Send a request; the positive response, CstaError for a CSTAErrorCode,
        CstaTimeout or CstaClosed. `what` names it in the log and errors (by default, its root
        element)."""
        what = what or _root(xml)
        invoke_id = self.ids.next(self.pending)
        fut = asyncio.get_running_loop().create_future()
        self.pending[invoke_id] = (what, fut)
        try:
            self._write(invoke_id, xml, what)
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            raise CstaTimeout(f"{self.name}: no response to {what} [{invoke_id:04d}] within {timeout:.1f} s") from None
        finally:
            self.pending.pop(invoke_id, None)

    def respond(self, invoke_id: int, xml: bytes, what: str | None = None) -> None:
        try:
            self._write(invoke_id, xml, what)
        except CstaClosed as exc:
            log.info("%s", exc)

    def respond_error(self, invoke_id: int, category: str, value: str) -> None:
        self.respond(invoke_id, error_document(category, value, self.namespace), f"CSTAErrorCode {category}/{value}")

    def send_event(self, xml: bytes, what: str | None = None) -> None:
        try:
            self._write(EVENT_INVOKE_ID, xml, what)
        except CstaClosed as exc:
            log.info("%s", exc)

    # ------------------------------------------------------------ receiving
    async def run(self) -> str:
        """Read until the connection ends; returns why. Pending requests then fail."""
        reason = "peer closed the connection"
        try:
            while True:
                try:
                    frame = await read_frame(self.reader, self.max_frame, self.frame_timeout)
                except asyncio.TimeoutError:
                    log.warning("%s: a frame stayed incomplete for %.0f s, closing", self.name, self.frame_timeout)
                    reason = "frame incomplete within the frame timeout"
                    break
                except CstaFrameError as exc:
                    if exc.fatal:
                        log.warning("%s: bad frame header, closing: %s", self.name, exc)
                        reason = f"bad frame header: {exc.reason}"
                        break
                    log.warning("%s: %s; frame skipped", self.name, exc)
                    self._fail(exc.invoke_id, exc)
                    continue
                if frame is None:
                    break
                if self.on_frame:
                    self.on_frame("received", frame)
                self._dispatch(frame)
        except (ConnectionError, OSError) as exc:
            reason = f"connection lost: {exc.__class__.__name__}"
        finally:
            self.close(reason)
        return reason

    def _dispatch(self, frame: Frame) -> None:
        try:
            msg = parse(frame.xml, self.max_frame - HEADER_SIZE)
        except CstaXmlError as exc:
            log.warning("%s: malformed frame [%04d] (%d bytes): %s", self.name, frame.invoke_id,
                        len(frame.xml), exc.reason)
            if frame.invoke_id in self.pending:
                self._fail(frame.invoke_id, exc)
            elif frame.invoke_id != EVENT_INVOKE_ID:
                self.respond_error(frame.invoke_id, "operation", "generic")
            return
        log.debug("%s <- %s [%04d]", self.name, msg.name, frame.invoke_id)
        if is_response(msg.name):
            self._resolve(frame.invoke_id, msg)
        elif msg.name.endswith("Event"):
            self._guard(frame.invoke_id, msg, self.on_event, msg)
        else:
            self._guard(frame.invoke_id, msg, self.on_request, frame.invoke_id, msg)

    def _guard(self, invoke_id: int, msg: CstaMessage, handler, *args) -> None:
        try:
            handler(*args)
        except CstaXmlError as exc:
            log.warning("%s: %s [%04d] refused: %s", self.name, msg.name, invoke_id, exc.reason)
            if not msg.name.endswith("Event"):
                self.respond_error(invoke_id, "operation", "generic")
        except Exception:  # a handler's bug must not end the link
            log.exception("%s: handling %s [%04d] failed", self.name, msg.name, invoke_id)
            if not msg.name.endswith("Event"):
                self.respond_error(invoke_id, "unspecified", "unspecified")

    def _resolve(self, invoke_id: int, msg: CstaMessage) -> None:
        entry = self.pending.get(invoke_id)
        if entry is None:
            log.warning("%s: %s [%04d] answers no pending request", self.name, msg.name, invoke_id)
            return
        what, fut = entry
        if fut.done():
            return
        if msg.name == "CSTAErrorCode":
            try:
                category, value = parse_error(msg)
            except CstaXmlError as exc:
                fut.set_exception(exc)
                return
            fut.set_exception(CstaError(category, value, what))
        else:
            fut.set_result(msg)

    def _fail(self, invoke_id: int | None, exc: Exception) -> None:
        entry = self.pending.get(invoke_id) if invoke_id is not None else None
        if entry and not entry[1].done():
            entry[1].set_exception(exc)

    def close(self, reason: str = "closed") -> None:
        if self.closed_reason is None:
            self.closed_reason = reason
        for what, fut in list(self.pending.values()):
            if not fut.done():
                fut.set_exception(CstaClosed(f"{self.name}: {self.closed_reason} while awaiting {what}"))
        if self.writer.transport.get_write_buffer_size() > self.max_backlog:
            self.writer.transport.abort()  # close() would wait for a peer that does not read
        elif not self.writer.is_closing():
            self.writer.close()


def _root(xml: bytes) -> str:
    """The root element's name of a document, for the log.

    >>> _root(b'<?xml version="1.0"?><csta:MakeCall xmlns:csta="urn:x"/>')
    'csta:MakeCall'
    """
    m = _ROOT.search(xml)
    return m.group(1).decode("ascii", "replace") if m else "a document"


_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")  # the first element (the declaration starts with "<?")
