"""The embedded reference simulator: switch state, switch link and T-Server, started together."""
from __future__ import annotations

from ..profile import Profile
from . import faults as fault_registry
from .local_link import LocalSwitchLink
from .switch_state import SwitchState
from .tserver import TServer


class SimControl:
    """Device-side actions and option changes the steps may ask of the simulator."""

    def __init__(self, stack: "SimStack"):
        self._stack = stack

    def enter_account_code(self, device: str, code: str) -> None:
        """A keypad entry of an account code on the device."""
        self._stack.state.set_account_code(device, code)

    def set_option(self, name: str, value) -> None:
        self._stack.tserver.options[name] = value

    def set_link(self, up: bool) -> None:
        self._stack.link.set_connected(up)


class SimStack:
    """A reference T-Server with its switch, configured from a profile."""

    def __init__(self, profile: Profile, faults=()):
        names = fault_registry.check(faults)
        sim = profile.data["sim"]
        self.state = SwitchState(sim["devices"], sim["busy"], names & fault_registry.SWITCH_FAULTS)
        self.link = LocalSwitchLink(self.state)
        self.tserver = TServer(self.link, profile.options(), names - fault_registry.SWITCH_FAULTS,
                               answer_timeout=profile.timeout("answer"))
        self.control = SimControl(self)
        self.address: tuple[str, int] | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        await self.link.start()
        self.address = await self.tserver.start(host, port)
        return self.address

    async def stop(self) -> None:
        await self.tserver.stop()
        await self.link.close()
