"""The T-Lib client session (asyncio): connect, register, request, await events.

Every wait has a timeout; a timeout names what was awaited and what arrived instead.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import time
from dataclasses import dataclass
from typing import Callable

from . import codec
from ..errors import ProductFailure, TestSystemError
from .model import ANSWERS, Attr, Message, MessageType as M

log = logging.getLogger("tsconform.tlib.session")


class TLibTimeout(ProductFailure):
    """Nothing matching arrived in time."""


class TLibLinkError(ConnectionError):
    """A problem with the connection to the T-Server."""


class TLibUnreachable(TLibLinkError, TestSystemError):
    """The T-Server cannot be reached, or drops a session it never opened (a test-system problem)."""


class TLibConnectionLost(TLibLinkError, ProductFailure):
    """The T-Server closed an open session, or sent what ends it: a product failure."""


@dataclass
class Traffic:
    """One message on the link, as this session saw it."""

    time: float
    direction: str  # "sent" or "received"
    session: str
    message: Message | None
    error: str | None = None  # a frame that could not be decoded

    def text(self) -> str:
        arrow = "->" if self.direction == "sent" else "<-"
        body = self.message.pretty() if self.message else f"undecodable frame: {self.error}"
        return f"[{self.session}] {arrow} {body}"


Matcher = Callable[[Message], bool]


class TLibSession:
    """One client connection to a T-Server."""

    _refs = itertools.count(1)

    def __init__(self, name: str, timeout: float = 2.0, on_traffic: Callable[[Traffic], None] | None = None):
        self.name = name
        self.timeout = timeout
        self.on_traffic = on_traffic
        self.inbox: list[Message] = []  # received and not yet consumed, in arrival order
        self._arrivals: list[int] = []  # the arrival number of each inbox message
        self.received = 0  # messages received so far
        self.history: list[Traffic] = []
        self.closed_reason: str | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task | None = None
        self._arrived = asyncio.Event()
        self.local_address: tuple[str, int] | None = None
        self.registered: set[str] = set()
        self.last_request: Message | None = None

    # ------------------------------------------------------------ connection
    async def connect(self, host: str, port: int) -> None:
        try:
            self._reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), self.timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            raise TLibUnreachable(f"cannot reach T-Server at {host}:{port}: "
                                f"{exc or 'no answer within %.1f s' % self.timeout}") from None
        self.local_address = self._writer.get_extra_info("sockname")[:2]
        self._task = asyncio.create_task(self._read_loop(), name=f"tlib-{self.name}")

    async def close(self) -> None:
        if self._writer:
            self._writer.close()
            try:
                await asyncio.wait_for(self._writer.wait_closed(), 1.0)
            except (asyncio.TimeoutError, ConnectionError):
                pass
        if self._task:
            self._task.cancel()

    async def _read_loop(self) -> None:
        assert self._reader
        try:
            while True:
                raw = await codec.read_frame(self._reader)
                if raw is None:
                    self.closed_reason = "T-Server closed the connection"
                    break
                try:
                    msg = codec.decode(raw)
                except codec.FrameError as exc:
                    self._record("received", None, str(exc))
                    continue
                self._record("received", msg)
                self.received += 1
                self.inbox.append(msg)
                self._arrivals.append(self.received)
                self._arrived.set()
        except codec.FrameError as exc:
            self.closed_reason = f"T-Server sent a bad frame header: {exc}"
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self.closed_reason = f"connection lost: {exc.__class__.__name__}"
        finally:
            self._arrived.set()

    def _record(self, direction: str, msg: Message | None, error: str | None = None) -> None:
        t = Traffic(time.time(), direction, self.name, msg, error)
        self.history.append(t)
        if self.on_traffic:
            self.on_traffic(t)

    # ------------------------------------------------------------ sending
    async def send(self, msg: Message) -> Message:
        """Send a request, giving it a fresh ReferenceID unless it has one."""
        if self._writer is None or self._writer.is_closing() or self.closed_reason:
            raise TLibConnectionLost(f"{self.name}: not connected ({self.closed_reason or 'never connected'})")
        if Attr.ReferenceID not in msg and msg.type not in (M.EventError,):
            msg = Message(msg.type, {Attr.ReferenceID: next(self._refs), **msg.attrs})
        self._record("sent", msg)
        self._writer.write(codec.encode(msg))
        await self._writer.drain()
        return msg

    async def request(self, msg: Message, timeout: float | None = None) -> Message:
        """Send a request and await its answer.

        The answer is the first message of an answer type of the request (tlib.model.ANSWERS)
        that arrives after the request was sent. It is not picked by its ReferenceID: whether
        it echoes the request's is for a check to judge.
        """
        mark = self.received
        sent = await self.send(msg)
        self.last_request = sent
        kinds = ANSWERS.get(sent.type, frozenset({M.EventError}))
        return await self.wait(lambda m: m.type in kinds, f"answer to {sent.summary()}", timeout, after=mark)

    # ------------------------------------------------------------ waiting
    async def wait(self, match: Matcher, what: str, timeout: float | None = None, after: int = 0) -> Message:
        """Consume and return the first received message that matches (of those that arrived
        after the first `after` messages)."""
        timeout = self.timeout if timeout is None else timeout
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for i, m in enumerate(self.inbox):
                if self._arrivals[i] > after and match(m):
                    return self._take(i)
            if self.closed_reason:
                raise TLibConnectionLost(f"{self.name}: {self.closed_reason} while waiting for {what}; "
                                         f"received instead: {self._seen()}")
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TLibTimeout(f"{self.name}: no {what} within {timeout:.1f} s; "
                                  f"received instead: {self._seen()}")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except asyncio.TimeoutError:
                pass

    def _take(self, i: int) -> Message:
        del self._arrivals[i]
        return self.inbox.pop(i)

    def _seen(self) -> str:
        got = [t for t in self.history if t.direction == "received"][-5:]
        if not got:
            return "nothing"
        return "; ".join(t.message.summary() if t.message else f"undecodable frame ({t.error})"
                         for t in got)

    async def barrier(self, timeout: float | None = None) -> tuple[Message, Message]:
        """Round-trip to the T-Server, so that everything it sent before has arrived.

        The round trip re-registers a registered DN (or the client, with none): it returns the
        request and the first EventRegistered (EventServerConnected) after it. Anything else stays
        in the inbox for the checks.
        """
        dn = next(iter(sorted(self.registered)), None)
        if dn is None:
            msg, kind = Message(M.RequestRegisterClient, {Attr.ApplicationName: self.name}), M.EventServerConnected
        else:
            msg, kind = Message(M.RequestRegisterAddress, {Attr.ThisDN: dn, Attr.RegisterMode: 0}), M.EventRegistered
        mark = self.received
        sent = await self.send(msg)
        answer = await self.wait(lambda m: m.type == kind, f"{kind.name}, the answer to the round trip "
                                 f"{sent.summary()}", timeout, after=mark)
        return sent, answer

    def take_all(self, match: Matcher) -> list[Message]:
        """Consume every received message that matches."""
        hits = [i for i, m in enumerate(self.inbox) if match(m)]
        return [self._take(i) for i in reversed(hits)][::-1]

    # ------------------------------------------------------------ conveniences
    async def register_client(self, app_name: str, password: str = "") -> Message:
        attrs = {Attr.ApplicationName: app_name}
        if password:
            attrs[Attr.ApplicationPassword] = password
        return await self.request(Message(M.RequestRegisterClient, attrs))

    async def register_dn(self, dn: str) -> Message:
        answer = await self.request(Message(M.RequestRegisterAddress, {Attr.ThisDN: dn, Attr.RegisterMode: 0}))
        if answer.type == M.EventRegistered:
            self.registered.add(dn)
        return answer
