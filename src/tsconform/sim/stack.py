"""The embedded reference simulator: switch, switch link and T-Server, started together.

target.switch in the profile says what is behind the T-Server:
- sim: the simulated switch as a CSTA server on loopback, reached over a real CSTA link;
- local: the switch state in process, no CSTA on the wire (fast unit tests);
- csta://HOST:PORT or cstas://HOST:PORT: a live switch or CSTA connector.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..capture.proxy import RecordingProxy
from ..csta.session import Credentials
from ..errors import TestSystemError, UsageError
from ..verdict import Inconclusive
from . import faults as fault_registry
from .csta_link import CstaSwitchLink, parse_url
from .csta_switch import CstaSwitchServer
from .local_link import LocalSwitchLink
from .switch_state import SwitchState
from .tserver import TServer

if TYPE_CHECKING:  # the profile imports the simulator's constants
    from ..profile import Profile


class ControlUnavailable(TestSystemError, RuntimeError):
    """A device-side action the simulator cannot perform with this configuration."""


class SimStack:
    """A reference T-Server with its switch, configured from a profile."""

    def __init__(self, profile: Profile, faults=()):
        names = fault_registry.check(faults)
        self.profile = profile
        self.switch = profile.switch
        self.tserver_faults = names - fault_registry.SWITCH_FAULTS
        self.state: SwitchState | None = None
        if self.switch in ("sim", "local"):
            self.state = SwitchState(profile.sim.devices, profile.sim.busy, names & fault_registry.SWITCH_FAULTS)
        elif names & fault_registry.SWITCH_FAULTS:
            raise UsageError(f"faults {sorted(names & fault_registry.SWITCH_FAULTS)} break the simulated "
                             f"switch, and target.switch is {self.switch}")
        creds = profile.csta_credentials()
        self.credentials = Credentials(*creds) if creds else None
        c = profile.csta
        self.switch_server = CstaSwitchServer(
            self.state, handshake=c.handshake, namespace=c.namespace, escape_name=c.escape_name,
            credentials=self.credentials, private_namespace=c.private_namespace,
            heartbeat=c.heartbeat or None) if self.switch == "sim" else None
        self.switch_address: tuple[str, int] | None = None
        self.link = None
        self.tserver: TServer | None = None
        self.address: tuple[str, int] | None = None
        self.proxies: list[RecordingProxy] = []

    def _csta_link(self, url: str) -> CstaSwitchLink:
        c = self.profile.csta
        timeout = self.profile.timeout("answer")
        return CstaSwitchLink(
            url, handshake=c.handshake, namespace=c.namespace, escape_name=c.escape_name,
            private_namespace=c.private_namespace, credentials=self.credentials,
            cafile=c.tls.ca or None, certfile=c.tls.cert or None, keyfile=c.tls.key or None,
            connect_timeout=timeout, request_timeout=timeout * 0.75, backoff_initial=0.05, backoff_max=2.0)

    async def start(self, host: str = "127.0.0.1", port: int = 0, switch_host: str = "127.0.0.1",
                    switch_port: int = 0, recorder=None) -> tuple[str, int]:
        """Start switch, link and T-Server; return the address clients connect to.

        With a recorder, recording relays sit in front of the T-Server and the switch, and
        that address is the T-Lib relay's.
        """
        if self.switch_server:
            self.switch_address = await self.switch_server.start(switch_host, switch_port)
        elif self.switch.startswith("csta://"):
            self.switch_address = parse_url(self.switch)[1:]
        if self.switch == "local":
            self.link = LocalSwitchLink(self.state)
        elif self.switch_address:
            csta_at = self.switch_address
            if recorder is not None:  # a TLS link (cstas://) is not relayed: it could not be dissected
                self.proxies.append(RecordingProxy(recorder, self.switch_address))
                csta_at = await self.proxies[-1].start(switch_host)
            self.link = self._csta_link("csta://%s:%d" % csta_at)
        else:
            self.link = self._csta_link(self.switch)
        self.tserver = TServer(self.link, self.profile.options(), self.tserver_faults,
                               answer_timeout=self.profile.timeout("answer"))
        await self.link.start()
        self.address = await self.tserver.start(host, port)
        if recorder is not None:
            self.proxies.append(RecordingProxy(recorder, self.address))
            return await self.proxies[-1].start(host)
        return self.address

    async def stop(self) -> None:
        for proxy in self.proxies:
            await proxy.close()
        if self.tserver:
            await self.tserver.stop()
        if self.link:
            await self.link.close()
        if self.switch_server:
            await self.switch_server.stop()

    # ------------------------------------------------------------ control (device side)
    async def enter_account_code(self, device: str, code: str) -> None:
        if self.state is None:
            raise ControlUnavailable(f"a keypad entry on {device} needs the simulated switch; "
                                     f"the switch here is {self.switch}")
        self.state.set_account_code(device, code)

    async def set_link(self, up: bool) -> None:
        """Take the switch link down (the switch stops listening) or bring it back."""
        if isinstance(self.link, LocalSwitchLink):
            self.link.set_connected(up)
        elif self.switch_server and not up:
            await self.switch_server.stop()
        elif self.switch_server and up:
            await self.switch_server.start(*self.switch_address)
        else:
            raise ControlUnavailable(f"the link to switch {self.switch} is not the simulator's to break")


class SimControl:
    """The simulator's control interface for the steps (synchronous; runs on the stack's loop)."""

    def __init__(self, stack: SimStack, run):
        self._stack, self._run = stack, run

    def _do(self, coro) -> None:
        try:
            self._run(coro)
        except ControlUnavailable as exc:
            raise Inconclusive(str(exc)) from None

    def enter_account_code(self, device: str, code: str) -> None:
        """A keypad entry of an account code on the device."""
        self._do(self._stack.enter_account_code(device, code))

    def set_option(self, name: str, value) -> None:
        self._stack.tserver.options[name] = value

    def set_link(self, up: bool) -> None:
        self._do(self._stack.set_link(up))
