"""A TCP relay that records every connection through it into a :class:`PcapRecorder`.

Put it between two parties when live capture is not available: the client connects to the
proxy, the proxy connects to the target, and both directions are written to the pcap as
one flow between the client's address and the target's.

    rec = PcapRecorder("captures/run/HD-SVC-1-guest.pcap")
    proxy = RecordingProxy(rec, ("127.0.0.1", 1040))
    host, port = await proxy.start()      # connect the client here
    ...
    await proxy.close(); rec.close()
"""
from __future__ import annotations

import asyncio
import contextlib

from .recorder import PcapRecorder

CHUNK = 65536


class RecordingProxy:
    def __init__(self, recorder: PcapRecorder, target: tuple[str, int]):
        self.recorder = recorder
        self.target = (target[0], int(target[1]))
        self.address: tuple[str, int] | None = None
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Listen; return the (host, port) clients should connect to."""
        self._server = await asyncio.start_server(self._accept, host, port)
        self.address = self._server.sockets[0].getsockname()[:2]
        return self.address

    async def _accept(self, c_reader: asyncio.StreamReader,
                      c_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            try:
                s_reader, s_writer = await asyncio.open_connection(*self.target)
            except OSError:
                c_writer.close()
                return
            client = c_writer.get_extra_info("peername")[:2]
            server = s_writer.get_extra_info("peername")[:2]
            flow = self.recorder.open_flow(client, server)
            try:
                await asyncio.gather(self._pump(c_reader, s_writer, flow.client_sent),
                                     self._pump(s_reader, c_writer, flow.server_sent))
            finally:
                with contextlib.suppress(ValueError):
                    flow.close()
        finally:
            self._tasks.discard(task)

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record) -> None:
        try:
            while data := await reader.read(CHUNK):
                with contextlib.suppress(ValueError):   # the recorder may be closed already
                    record(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                if writer.can_write_eof():
                    writer.write_eof()
                else:
                    writer.close()

    async def close(self) -> None:
        """Stop listening and end the relayed connections."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
