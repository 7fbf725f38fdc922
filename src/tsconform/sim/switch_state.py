"""The simulated switch's state: devices, calls, recordings, hot-desking associations, account codes.

Operations check their preconditions and raise SwitchError with a CSTAErrorCode
(category, value); state changes are announced as SwitchEvents to every listener.

>>> s = SwitchState(["5001", "6001"])
>>> seen = []; s.listeners.append(seen.append)
>>> s.associate("5001", "6001"); seen[-1].kind, seen[-1].other
('associated', '6001')
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable

from ..errors import TestSystemError


class SwitchError(TestSystemError):
    """A failed precondition, as the CSTAErrorCode the switch answers with.

    The T-Server turns it into an EventError; one that reaches a scenario is the simulator's
    own problem, so it is a test-system error."""

    def __init__(self, category: str, value: str, detail: str = ""):
        super().__init__(f"{category}/{value}" + (f": {detail}" if detail else ""))
        self.category, self.value, self.detail = category, value, detail


@dataclass
class SwitchEvent:
    kind: str  # originated delivered established cleared record stop suspend resume
    #            associated dissociated account_code
    device: str
    call_id: str | None = None
    other: str | None = None  # the other party, or the host for hot desking
    data: dict = field(default_factory=dict)


@dataclass
class Call:
    call_id: str
    origin: str
    dest: str
    state: dict[str, str] = field(default_factory=dict)  # device -> initiated|alerting|connected


class SwitchState:
    def __init__(self, devices, busy=(), faults=()):
        self.devices = set(devices)
        self.faults = frozenset(faults)
        self.busy = set(busy)  # devices that exist but cannot be a hot-desking host
        self.calls: dict[str, Call] = {}
        self.recordings: dict[tuple[str, str], str] = {}  # (device, call) -> active|suspended
        self.associations: dict[str, str] = {}  # guest -> host
        self.account_codes: dict[str, str] = {}  # call -> code
        self.listeners: list[Callable[[SwitchEvent], None]] = []
        self._ids = itertools.count(1)  # pragma: no mutate (the switch's choice of call IDs)

    # ------------------------------------------------------------ helpers
    def _emit(self, event: SwitchEvent) -> None:
        for listener in list(self.listeners):
            listener(event)

    def check_device(self, device: str) -> None:
        if device not in self.devices:
            raise SwitchError("operation", "invalidDeviceID", f"device {device} not configured")  # pragma: no mutate (T-Server answers a refused MonitorStart with 59 whatever its CSTAErrorCode)

    def _call_on(self, device: str, call_id: str) -> Call:
        call = self.calls.get(call_id)
        if call is None or device not in call.state:  # pragma: no mutate block (robustness: the reference T-Server refuses a ConnID it does not know on ThisDN itself)
            raise SwitchError("operation", "invalidConnectionID",
                              f"no call {call_id} at device {device}")
        return call

    # ------------------------------------------------------------ calls
    def make_call(self, origin: str, dest: str) -> str:
        self.check_device(origin)
        self.check_device(dest)
        call_id = f"{next(self._ids):04X}"
        call = Call(call_id, origin, dest, {origin: "initiated", dest: "alerting"})
        self.calls[call_id] = call
        self._emit(SwitchEvent("originated", origin, call_id, dest))
        self._emit(SwitchEvent("delivered", dest, call_id, origin))
        return call_id

    def answer_call(self, device: str, call_id: str) -> None:
        call = self._call_on(device, call_id)
        if call.state[device] != "alerting":
            raise SwitchError("stateIncompatibility", "invalidConnectionState",
                              f"call {call_id} is not alerting at {device}")
        for d in call.state:
            call.state[d] = "connected"
        for d in call.state:
            self._emit(SwitchEvent("established", d, call_id, call.dest if d == call.origin else call.origin))

    def clear_connection(self, device: str, call_id: str) -> None:
        call = self._call_on(device, call_id)
        del self.calls[call_id]
        code = self.account_codes.pop(call_id, None)
        for d in list(call.state):
            self.recordings.pop((d, call_id), None)
            data = {"account_code": code} if code else {}
            self._emit(SwitchEvent("cleared", d, call_id, call.dest if d == call.origin else call.origin, data))

    def last_active_call(self, device: str) -> str | None:
        active = [c.call_id for c in self.calls.values() if device in c.state]
        return active[-1] if active else None

    # ------------------------------------------------------------ recording
    def record(self, device: str, call_id: str) -> None:
        self._call_on(device, call_id)
        if (device, call_id) in self.recordings:
            raise SwitchError("systemResourceAvailibility", "resourceBusy",
                              f"call {call_id} is already recorded at {device}")
        self.recordings[(device, call_id)] = "active"
        self._emit(SwitchEvent("record", device, call_id))

    def stop(self, device: str, call_id: str) -> None:
        self._call_on(device, call_id)
        if (device, call_id) not in self.recordings:
            raise SwitchError("stateIncompatibility", "incorrectMsgState",
                              f"no recording of call {call_id} at {device}")
        del self.recordings[(device, call_id)]
        self._emit(SwitchEvent("stop", device, call_id))

    def suspend(self, device: str, call_id: str) -> None:
        self._call_on(device, call_id)
        if self.recordings.get((device, call_id)) != "active":
            raise SwitchError("stateIncompatibility", "incorrectMsgState",
                              f"recording of call {call_id} at {device} is not active")
        self.recordings[(device, call_id)] = "suspended"
        self._emit(SwitchEvent("suspend", device, call_id))

    def resume(self, device: str, call_id: str) -> None:
        self._call_on(device, call_id)
        state = self.recordings.get((device, call_id))
        if state != "suspended" and not (state and "resume-not-suspended" in self.faults):
            raise SwitchError("stateIncompatibility", "notAbleToResume",
                              f"recording of call {call_id} at {device} is not suspended")
        self.recordings[(device, call_id)] = "active"
        self._emit(SwitchEvent("resume", device, call_id))

    # ------------------------------------------------------------ hot desking
    def associate(self, guest: str, host: str | None) -> None:
        self.check_device(guest)
        if guest in self.associations:
            raise SwitchError("stateIncompatibility", "invalidObjectState",
                              f"{guest} is already associated with {self.associations[guest]}")
        if host not in self.devices or host in self.busy or host == guest \
                or host in self.associations.values():
            raise SwitchError("operation", "invalidDeviceID", f"host {host} cannot be associated")
        self.associations[guest] = host
        self._emit(SwitchEvent("associated", guest, other=host))

    def dissociate(self, guest: str) -> None:
        self.check_device(guest)
        if guest not in self.associations:
            raise SwitchError("stateIncompatibility", "noActiveCall", f"{guest} has no association")
        host = self.associations.pop(guest)
        self._emit(SwitchEvent("dissociated", guest, other=host))

    # ------------------------------------------------------------ account codes
    def set_account_code(self, device: str, code: str, call_id: str | None = None) -> None:
        """A code entered on the device (keypad) or set by a service; goes to the last active call."""
        self.check_device(device)
        if call_id is None:
            call_id = self.last_active_call(device)
        else:
            self._call_on(device, call_id)
        if call_id is not None:  # a code entered while idle (a walk-away code) belongs to no call
            self.account_codes[call_id] = code
        self._emit(SwitchEvent("account_code", device, call_id, data={"code": code}))
