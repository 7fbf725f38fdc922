"""The recording proxy: what passes through it reads back from the pcap, PDU for PDU."""
from __future__ import annotations

import asyncio

from tsconform.capture import PcapRecorder
from tsconform.capture.proxy import RecordingProxy
from tsconform.dissect import read_capture
from tsconform.dissect.samples import csta_frame


def test_proxy_records_both_directions(tmp_path):
    path = tmp_path / "proxy.pcap"

    async def scenario():
        async def switch(reader, writer):
            while head := await reader.read(8):
                length = int.from_bytes(head[2:4], "big")
                await reader.readexactly(length - 8)
                writer.write(csta_frame(head[4:8].decode(), "EscapeResponse")
                             + csta_frame("9999", "PrivateEvent"))
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(switch, "127.0.0.1", 0)
        target = server.sockets[0].getsockname()[:2]
        rec = PcapRecorder(path)
        proxy = RecordingProxy(rec, target)
        host, port = await proxy.start()
        reader, writer = await asyncio.open_connection(host, port)
        for i in range(1, 4):
            writer.write(csta_frame(f"{i:04d}", "Escape", "<p>" + "z" * 3000 + "</p>"))
            await writer.drain()
            got = 0
            while got < 2:
                head = await reader.readexactly(8)
                await reader.readexactly(int.from_bytes(head[2:4], "big") - 8)
                got += 1
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.05)
        await proxy.close()
        rec.close()
        server.close()
        await server.wait_closed()
        return target

    target = asyncio.run(scenario())
    d = read_capture(path, csta_ports=[target[1]])
    assert d.warnings == []
    assert [(p.invoke_id, p.message) for p in d] == [
        (inv, m) for i in range(1, 4)
        for inv, m in ((f"{i:04d}", "Escape"), (f"{i:04d}", "EscapeResponse"),
                       ("9999", "PrivateEvent"))]
    assert {p.dst for p in d if p.message == "Escape"} == {f"{target[0]}:{target[1]}"}
