"""What the steps talk to: T-Lib client sessions on a target, behind a synchronous facade.

The network code is asyncio and runs in one background event-loop thread; steps call plain
methods that wait for it, each wait bounded by the profile's timeouts.
"""
from __future__ import annotations

import asyncio
import logging
import select
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from . import checks, ledger, observation
from .capture.scenario import ScenarioCapture
from .errors import TestSystemTimeout, UsageError
from .sim import SimControl, SimStack
from .tlib.model import Attr, ConnID, KVList, Message, MessageType as M
from .tlib.session import TLibLinkError, TLibSession, TLibUnreachable, Traffic
from .verdict import Inconclusive

if TYPE_CHECKING:  # the profile types its fields from this module's constants
    from .profile import Profile

log = logging.getLogger("tsconform.driver")

# pixit.device_actions: who performs a device-side action (Driver.device_action)
DEVICE_ACTIONS = ("sim", "prompt", "none")


class LoopThread:
    """An asyncio event loop in a daemon thread; run() executes a coroutine there and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="tsconform-loop", daemon=True)
        self._thread.start()

    def run(self, coro, timeout: float = 30.0):
        fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return fut.result(timeout)
        except TimeoutError:
            fut.cancel()
            raise TestSystemTimeout(f"test system: operation did not finish within {timeout:.0f} s") from None

    def close(self) -> None:
        async def cancel_all():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            self.run(cancel_all(), 5)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5)


@dataclass
class Target:
    """Where the T-Server is, and (for the simulator) its control interface."""

    host: str
    port: int
    control: SimControl | None = None
    description: str = ""


def parse_tserver(url: str) -> tuple[str, int]:
    u = urlparse(url)
    if u.scheme != "tlib" or not u.hostname or not u.port:
        raise UsageError(f"--tserver must be 'sim' or tlib://HOST:PORT, not {url!r}")
    return u.hostname, u.port


class EmbeddedSim:
    """The reference simulator started on an ephemeral loopback port."""

    def __init__(self, loop: LoopThread, profile: Profile, faults=(), capture: ScenarioCapture | None = None):
        self.loop = loop
        self.stack = SimStack(profile, faults)
        recorder = capture.start_recorder() if capture else None
        host, port = loop.run(self.stack.start("127.0.0.1", 0, recorder=recorder))
        if capture:
            capture.tlib_ports.add(self.stack.address[1])
            if self.stack.switch_address:
                capture.csta_ports.add(self.stack.switch_address[1])
            capture.start_live()
        behind = ("CSTA switch at %s:%d" % self.stack.switch_address) if self.stack.switch_address \
            else f"switch {self.stack.switch}"
        self.target = Target(host, port, SimControl(self.stack, loop.run),
                             f"embedded simulator at {host}:{port} ({behind})")

    def close(self) -> None:
        self.loop.run(self.stack.stop())


@dataclass
class Call:
    conn_id: ConnID
    caller: str
    callee: str
    released: bool = False


@dataclass
class Exchange:
    """A request a client sent and its answer: the first answer-type message after it.

    ack is an EventACK that came first, when the T-Server sent one; the answer then is the
    first EventPrivateInfo or EventError after it.
    """

    client: str
    request: Message
    answer: Message
    ack: Message | None = None
    sent_at: float = 0.0  # epoch seconds, just before the request was sent


@dataclass
class Driver:
    """One scenario's sessions and state on a target."""

    loop: LoopThread
    profile: Profile
    target: Target
    sessions: dict[str, TLibSession] = field(default_factory=dict)
    traffic: list[Traffic] = field(default_factory=list)
    calls: dict[str, Call] = field(default_factory=dict)
    capture: ScenarioCapture | None = None
    options: dict = field(default_factory=dict)
    associations: set = field(default_factory=set)  # (client, guest DN) this scenario associated
    hosts: dict[str, str] = field(default_factory=dict)  # guest DN -> the host it was associated with
    background: list[observation.Background] = field(default_factory=list)  # traffic no check judges

    def __post_init__(self) -> None:
        self.options = self.profile.options()

    def __repr__(self) -> str:
        return f"Driver({self.target.description})"

    @property
    def timeout(self) -> float:
        return self.profile.timeout("answer")

    def _run(self, coro):
        return self.loop.run(coro, self.timeout * 4 + 5)

    # ------------------------------------------------------------ sessions
    def client(self, name: str, *dns: str) -> TLibSession:
        """Open (or reuse) a client session and register it on the given DNs."""
        s = self.sessions.get(name)
        if s is None:
            s = TLibSession(name, self.timeout, self.traffic.append)
            self.sessions[name] = s
            self._run(s.connect(self.target.host, self.target.port))
            try:
                answer = self._run(s.register_client(self.profile.app_name, self.profile.app_password))
            except TLibLinkError as exc:  # a bridge or relay that cannot reach the T-Server
                raise TLibUnreachable(f"the T-Server at {self.target.description} closed the connection "
                                      f"before opening a session: {exc}") from None
            checks.message_type(answer, M.EventServerConnected, f"{name} registering as a client")
        for dn in dns:
            answer = self._run(s.register_dn(dn))
            checks.message_type(answer, M.EventRegistered, f"{name} registering DN {dn}")
            checks.attribute(answer, Attr.ThisDN, dn)
        return s

    def client_on(self, dn: str) -> str:
        """The first client of the scenario registered on dn."""
        for name, s in self.sessions.items():
            if dn in s.registered:
                return name
        raise UsageError(f"the scenario has no client registered on {dn}")

    def close(self) -> None:
        """Undo what the scenario left on the target (a live one outlives it), then disconnect."""
        try:
            self._clean_up()
        finally:
            for s in self.sessions.values():
                self.loop.run(s.close(), 5)

    def _clean_up(self) -> None:
        for (name, dn) in list(self.associations):
            self._quietly(name, Message(M.RequestPrivateService, {Attr.PrivateMsgID: 2, Attr.ThisDN: dn}))
        for call in self.calls.values():
            if call.released:
                continue
            owner = next((n for n, s in self.sessions.items() if call.callee in s.registered), None)
            if owner:
                self._quietly(owner, Message(M.RequestReleaseCall, {Attr.ThisDN: call.callee, Attr.ConnID: call.conn_id}))

    def _quietly(self, name: str, msg: Message) -> None:
        s = self.sessions[name]
        if s.closed_reason:
            return
        try:
            self.loop.run(s.request(msg, self.timeout), self.timeout + 5)
        except Exception as exc:  # noqa: BLE001 - clean-up is best effort; the verdict is already made
            log.warning("clean-up %s on %s failed: %s", msg.summary(), name, exc)

    # ------------------------------------------------------------ requests
    def request(self, name: str, msg: Message) -> Message:
        return self._run(self.sessions[name].request(msg))

    def exchange(self, name: str, msg: Message) -> Exchange:
        """A request and its final answer (an EventACK first is allowed; the answer follows it)."""
        s = self.sessions[name]
        mark, sent_at = s.received, time.time()
        answer = self.request(name, msg)
        sent, ack = s.last_request, None
        if answer.type == M.EventACK and msg.type == M.RequestPrivateService:
            ack = answer
            answer = self._run(s.wait(lambda m: m.type in (M.EventPrivateInfo, M.EventError),
                                      f"the answer after EventACK to {sent.summary()}", after=mark))
        return Exchange(name, sent, answer, ack, sent_at)

    def unregister(self, name: str, dn: str) -> Exchange:
        ex = self.exchange(name, Message(M.RequestUnregisterAddress, {Attr.ThisDN: dn}))
        if ex.answer.type == M.EventUnregistered:
            self.sessions[name].registered.discard(dn)
        return ex

    def private_service(self, name: str, number: int, dn: str | None, conn_id: ConnID | None = None,
                        extensions: KVList | None = None) -> Exchange:
        attrs: dict = {Attr.PrivateMsgID: number}
        if dn is not None:
            attrs[Attr.ThisDN] = dn
        if conn_id is not None:
            attrs[Attr.ConnID] = conn_id
        if extensions:
            attrs[Attr.Extensions] = extensions
        ex = self.exchange(name, Message(M.RequestPrivateService, attrs))
        if ex.answer.type == M.EventPrivateInfo and number in (1, 2):
            (self.associations.add if number == 1 else self.associations.discard)((name, dn))
            if number == 1:
                self.hosts[dn] = extensions.get("HOST_DN")
        return ex

    def wait_event(self, name: str, what: str, match) -> Message:
        return self._run(self.sessions[name].wait(match, what))

    def not_received_yet(self, name: str, what: str, match) -> None:
        """Nothing matching has arrived at this client so far (what arrives later is left for
        the end of the scenario, which fails on every message no check consumed)."""
        hits = self.sessions[name].take_all(match)
        if hits:
            ledger.record(ledger.event_rows(hits[0]), "fail")
            raise checks.CheckFailed(f"{name} received {what}, which it must not: {hits[0].summary()}")

    def unaccounted(self) -> list[observation.Leftover]:
        """What the clients received and no check consumed, after a round trip on every
        session and then one settle period (pixit.timeouts.quiet)."""
        async def settle():
            trips = await asyncio.gather(*(s.barrier() for s in self.sessions.values()))
            await asyncio.sleep(self.profile.timeout("quiet"))
            return trips

        for sent, answer in self._run(settle()):
            checks.echoes_reference(answer, sent)
        return observation.unexpected({n: (frozenset(s.registered), list(s.inbox)) for n, s in self.sessions.items()},
                                      self.background)

    # ------------------------------------------------------------ calls
    def establish_call(self, label: str, caller_client: str, caller: str, callee_client: str,
                       callee: str) -> Call:
        """Dial from caller to callee and answer at the callee; both clients see the call."""
        dialing = self.request(caller_client, Message(M.RequestMakeCall, {Attr.ThisDN: caller, Attr.OtherDN: callee}))
        checks.message_type(dialing, M.EventDialing, f"{caller_client} making a call to {callee}")
        conn = dialing[Attr.ConnID]
        ringing = self.wait_event(callee_client, f"EventRinging on {callee}",
                                  lambda m: m.type == M.EventRinging and m.get(Attr.ThisDN) == callee)
        answered = self.request(callee_client, Message(M.RequestAnswerCall, {Attr.ThisDN: callee, Attr.ConnID: conn}))
        checks.message_type(answered, M.EventEstablished, f"{callee_client} answering the call")
        established = self.wait_event(caller_client, f"EventEstablished on {caller}",
                                      lambda m: m.type == M.EventEstablished and m.get(Attr.ThisDN) == caller)
        # the precondition: one call, the same ConnID at both ends, each end naming the other
        for event, this, other in ((dialing, caller, callee), (ringing, callee, caller),
                                   (answered, callee, caller), (established, caller, callee)):
            checks.attribute(event, Attr.ThisDN, this)
            checks.attribute(event, Attr.OtherDN, other)
            checks.attribute(event, Attr.ConnID, conn)
        call = Call(conn, caller, callee)
        self.calls[label] = call
        self.background += [observation.Background.call_state(dn, f"{label}, set up by the scenario")
                            for dn in (caller, callee)]
        return call

    def release(self, name: str, label: str, dn: str) -> Exchange:
        """This client releases a call the scenario made, at its DN on the call."""
        call = self.calls[label]
        ex = self.exchange(name, Message(M.RequestReleaseCall, {Attr.ThisDN: dn, Attr.ConnID: call.conn_id}))
        call.released = ex.answer.type == M.EventReleased
        return ex

    # ------------------------------------------------------------ device side and options
    def set_option(self, name: str, value) -> None:
        """Set a T-Server option for this scenario (simulator), or confirm the target has it."""
        if self.target.control is not None:
            self.target.control.set_option(name, value)
        elif self.options.get(name) != value:
            raise Inconclusive(f"the scenario needs T-Server option {name}={value!r}; the profile says "
                               f"the target has {self.options.get(name)!r}, and a live T-Server's "
                               f"options cannot be changed by the suite")
        self.options[name] = value

    def device_action(self, purpose: str):
        """Who performs a device-side action: the simulator, a person at the device, or nobody."""
        how = self.profile.pixit.device_actions
        if self.target.control is not None and how == "sim":
            return self.target.control
        if how == "prompt":
            return PromptControl(self.profile.timeout("prompt"))
        raise Inconclusive(f"{purpose} needs a device-side action, and the profile's "
                           f"pixit.device_actions is {how!r} for target {self.target.description}")


class PromptControl:
    """Device-side actions done by a person at the device, asked for on the terminal."""

    def __init__(self, timeout: float):
        self.timeout = timeout

    def _ask(self, action: str) -> None:
        if not sys.stdin or not sys.stdin.isatty():
            raise Inconclusive(f"{action} must be done by a person, and there is no terminal to ask one")
        print(f"\n>>> {action}, then press Enter (within {self.timeout:.0f} s) ", end="", flush=True)
        ready, _, _ = select.select([sys.stdin], [], [], self.timeout)
        if not ready:
            raise Inconclusive(f"nobody confirmed '{action}' within {self.timeout:.0f} s")
        sys.stdin.readline()

    def enter_account_code(self, device: str, code: str) -> None:
        self._ask(f"Enter account code {code} on the keypad of device {device}")

    def set_option(self, name: str, value) -> None:
        raise Inconclusive(f"T-Server option {name} cannot be changed from the suite")

    def set_link(self, up: bool) -> None:
        self._ask(f"{'Restore' if up else 'Break'} the link between T-Server and the switch")

