"""The T-Server's link to a switch held in the same process (no CSTA on the wire)."""
from __future__ import annotations

from typing import Callable

from .switch_state import SwitchError, SwitchEvent, SwitchState


class LocalSwitchLink:
    """Calls SwitchState directly; a control switch takes the link up and down."""

    def __init__(self, state: SwitchState):
        self.state = state
        self.connected = True
        self._listeners: list[Callable[[SwitchEvent], None]] = []
        self._status: list[Callable[[bool], None]] = []
        state.listeners.append(self._relay)

    def on_event(self, callback: Callable[[SwitchEvent], None]) -> None:
        self._listeners.append(callback)

    def on_status(self, callback: Callable[[bool], None]) -> None:
        self._status.append(callback)

    def _relay(self, event: SwitchEvent) -> None:
        if self.connected:
            for cb in self._listeners:
                cb(event)

    def set_connected(self, up: bool) -> None:
        if up != self.connected:
            self.connected = up
            for cb in self._status:
                cb(up)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def monitor(self, device: str) -> None:
        """Start monitoring a device; SwitchError when the switch does not configure it."""
        await self.call("check_device", device)

    async def call(self, operation: str, *args):
        """Run one switch operation; SwitchError on a failed precondition."""
        if not self.connected:
            raise SwitchError("systemResourceAvailibility", "resourceOutOfService", "link down")
        return getattr(self.state, operation)(*args)
