"""Offline verification rate: `tsconform verify` against tshark with the project's Lua dissector.

Writes (directly, without scapy) a trace of both links with many concurrent clients, calls
and private services: per DN an agent and a supervisor client, both registered on it; call
recording (3013, 3015, 3016, 3014 in turn), hot desking (1 then 2) and account codes (501) on
calls set up at the start, each service with its CSTA request, response and event, the answer
to the requester and its copy to the supervisor, and now and then a refusal (an unknown ConnID,
EventError 56). A few dozen transactions are open at any moment, interleaved PDU by PDU.

Then, in one run, it times `tsconform verify` on the trace (a process; its peak memory read
with wait4) and tshark with tsconform.lua reading the same file (-T fields, one line per
frame, counted), and prints PDUs per second and peak memory for both. It does the same for a
trace a quarter as long, to show whether verify's peak memory grows with the trace. tshark
missing is said clearly, and its figures are then absent.

Usage:
    python bench/verify.py [--pdus 1000000] [--dns 1000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
import tempfile
import time

from tsconform.csta import account_codes, events, private, services
from tsconform.csta.framing import encode_frame
from tsconform.csta.services import ConnectionID
from tsconform.csta.xml import serialize
from tsconform.dissect.tshark import tshark_command, tshark_path
from tsconform.tlib.codec import encode
from tsconform.tlib.model import Attr, ConnID, KVList, Message, MessageType as M

TSERVER, SWITCH, TS_CSTA = ("10.0.0.1", 7000), ("10.0.0.2", 1040), ("10.0.0.1", 40000)
DT = 0.00025  # seconds between PDUs: 1,000,000 PDUs are a trace of about four minutes
CONCURRENT = 48  # transactions open at once, interleaved PDU by PDU
RECORDING = (3013, 3015, 3016, 3014)
CSTA_EVENT = {3013: "RecordEvent", 3014: "StopEvent", 3015: "SuspendRecordEvent", 3016: "RecordEvent"}
CSTA_REQUEST = {3013: "RecordMessage", 3014: "Stop", 3015: "Suspend", 3016: "Resume"}
_REC = struct.Struct("<IIII")
_ETH = bytes(6) + bytes(5) + b"\x01" + b"\x08\x00"


class PcapWriter:
    """Classic pcap, Ethernet, one TCP segment per PDU, sequence numbers per direction."""

    def __init__(self, path: str):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.seq: dict[tuple, int] = {}
        self.packets = 0

    def send(self, t: float, src: tuple, dst: tuple, payload: bytes) -> None:
        key = (src, dst)
        seq = self.seq.get(key, 1000)
        self.seq[key] = (seq + len(payload)) & 0xFFFFFFFF
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 0, 0, 64, 6, 0,
                         bytes(map(int, src[0].split("."))), bytes(map(int, dst[0].split("."))))
        tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq, 0, 0x50, 0x18, 65535, 0, 0)
        frame = _ETH + ip + tcp + payload
        sec = int(t)
        self.f.write(_REC.pack(sec, int((t - sec) * 1e6), len(frame), len(frame)) + frame)
        self.packets += 1

    def close(self) -> None:
        self.f.close()


def _client(i: int, which: int) -> tuple[str, int]:
    n = 2 * i + which
    return f"10.1.{n // 250}.{n % 250 + 1}", 20000 + n % 40000


def generate(path: str, pdus: int, dns: int) -> int:
    """Write a trace of about `pdus` PDUs; the number written."""
    w = PcapWriter(path)
    t = 1_800_000_000.0
    count = 0
    ref = iter(range(1, 1 << 31))
    invoke = iter(range(1, 1 << 62))

    def tlib(src, dst, msg):
        nonlocal t, count
        t += DT
        count += 1
        w.send(t, src, dst, encode(msg))

    def csta(src, dst, inv, xml):
        nonlocal t, count
        t += DT
        count += 1
        w.send(t, src, dst, encode_frame(inv % 10000, xml))

    dn = [str(50000 + i) for i in range(dns)]
    kind = ["rec", "rec", "hd", "acc"]
    conn = {i: ConnID(0x6D0000000000 + i) for i in range(dns)}
    call = {i: f"{i % 10000:04d}" for i in range(dns)}
    for i in range(dns):  # sessions, registrations, calls
        for which in (0, 1):
            c = _client(i, which)
            r = next(ref)
            tlib(c, TSERVER, Message(M.RequestRegisterClient, {Attr.ReferenceID: r, Attr.ApplicationName: "bench"}))
            tlib(TSERVER, c, Message(M.EventServerConnected, {Attr.ReferenceID: r}))
            r = next(ref)
            tlib(c, TSERVER, Message(M.RequestRegisterAddress, {Attr.ReferenceID: r, Attr.ThisDN: dn[i],
                                                                  Attr.RegisterMode: 0}))
            tlib(TSERVER, c, Message(M.EventRegistered, {Attr.ReferenceID: r, Attr.ThisDN: dn[i]}))
        if kind[i % 4] != "hd":
            csta(SWITCH, TS_CSTA, 9999, events.call_event("EstablishedEvent", "1", ConnectionID(call[i], dn[i]),
                                                          answering=dn[i], calling="70000", called=dn[i]))
            for which in (0, 1):
                tlib(TSERVER, _client(i, which), Message(M.EventEstablished, {
                    Attr.ThisDN: dn[i], Attr.OtherDN: "70000", Attr.ConnID: conn[i]}))
    step = [0] * dns

    def transaction(i):
        """The PDUs of the next service on DN i, as (kind, args) to send in order."""
        agent, supervisor = _client(i, 0), _client(i, 1)
        r, inv = next(ref), next(invoke)
        k = kind[i % 4]
        step[i] += 1
        if step[i] % 37 == 0:  # a refusal: a ConnID T-Server never issued
            bad = ConnID(0x7FFFFFFFFFFF)
            yield "tlib", (agent, TSERVER, Message(M.RequestPrivateService, {
                Attr.ReferenceID: r, Attr.PrivateMsgID: 3013, Attr.ThisDN: dn[i], Attr.ConnID: bad}))
            yield "tlib", (TSERVER, agent, Message(M.EventError, {
                Attr.ReferenceID: r, Attr.ErrorCode: 56, Attr.ErrorMessage: "Invalid ConnectionID",
                Attr.ThisDN: dn[i], Attr.ConnID: bad}))
            return
        conn_id = ConnectionID(call[i], dn[i])
        if k == "rec":
            number = RECORDING[step[i] % 4]
            req = {Attr.ConnID: conn[i]}
            cst = services.connection_request(CSTA_REQUEST[number], conn_id)
            resp = services.response(CSTA_REQUEST[number] + "Response")
            ev = events.recording_event(CSTA_EVENT[number], "1", conn_id, f"rec-{i}", resumed=number == 3016)
            info = {Attr.ConnID: conn[i]}
        elif k == "hd":
            number = 1 if step[i] % 2 else 2
            host = str(60000 + i)
            req = {Attr.Extensions: KVList([("HOST_DN", host)])} if number == 1 else {}
            action = "associate" if number == 1 else "dissociate"
            cst = serialize(private.escape_request(private.guest_extension(dn[i], host if number == 1 else None,
                                                                            action)))
            resp = services.response("EscapeResponse")
            ev = events.private_event("1", private.guest_event(dn[i], host, action + "d"))
            info = {Attr.OtherDN: host}
        else:
            number = 501
            req = {Attr.ConnID: conn[i], Attr.Extensions: KVList([("AccountCode", "4711")])}
            cst = account_codes.associate_data(conn_id, "4711")
            resp = services.response("AssociateDataResponse")
            ev = account_codes.call_information_event("1", conn_id, dn[i], "4711")
            info = {Attr.ConnID: conn[i], Attr.PrivateID: 0, Attr.Extensions: KVList([("AccountCode", "4711")])}
        yield "tlib", (agent, TSERVER, Message(M.RequestPrivateService, {
            Attr.ReferenceID: r, Attr.PrivateMsgID: number, Attr.ThisDN: dn[i], **req}))
        yield "csta", (TS_CSTA, SWITCH, inv, cst)
        yield "csta", (SWITCH, TS_CSTA, inv, resp)
        yield "csta", (SWITCH, TS_CSTA, 9999, ev)
        event = {Attr.PrivateMsgID: number, Attr.ThisDN: dn[i], **info}
        yield "tlib", (TSERVER, agent, Message(M.EventPrivateInfo, {Attr.ReferenceID: r, **event}))
        yield "tlib", (TSERVER, supervisor, Message(M.EventPrivateInfo, event))

    nxt = 0
    open_: list = []
    send = {"tlib": tlib, "csta": csta}
    while count < pdus:
        while len(open_) < min(CONCURRENT, dns // 2):  # never two open on one DN
            open_.append(transaction(nxt % dns))
            nxt += 1
        for gen in list(open_):
            item = next(gen, None)
            if item is None:
                open_.remove(gen)
                continue
            send[item[0]](*item[1])
    for gen in open_:  # finish what is open, so the trace ends with every transaction complete
        for what, args in gen:
            send[what](*args)
    w.close()
    return count


def measure(cmd: list[str], count_lines: bool = False) -> tuple[float, float, int, int]:
    """Wall time, CPU time (user + system), peak resident memory (KiB) and output lines of a
    child process. On a shared machine the CPU time is the figure to compare."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = 0
    for chunk in iter(lambda: proc.stdout.read(1 << 20), b""):
        lines += chunk.count(b"\n") if count_lines else 0
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdus", type=int, default=1_000_000, help="PDUs in the long trace")
    ap.add_argument("--dns", type=int, default=1000, help="DNs (two clients each)")
    ap.add_argument("--keep", help="write the traces into this directory and keep them")
    args = ap.parse_args(argv)
    out = args.keep or tempfile.mkdtemp(prefix="tsconform-bench-")
    os.makedirs(out, exist_ok=True)
    verify = [sys.executable, "-m", "tsconform.cli", "verify"]
    rows = []
    for pdus in (args.pdus // 4, args.pdus):
        path = os.path.join(out, f"verify-{pdus}.pcap")
        t0 = time.perf_counter()
        n = generate(path, pdus, args.dns)
        print(f"trace: {n} PDUs, {os.path.getsize(path) / 1e6:.0f} MB, {args.dns} DNs, {2 * args.dns} clients, "
              f"written in {time.perf_counter() - t0:.1f} s")
        wall, cpu, rss, _ = measure(verify + [path, "--show", "3"])
        rows.append(("tsconform verify", n, wall, cpu, rss))
        if tshark_path():
            cmd = tshark_command(path, tlib_ports=[TSERVER[1]], output=[
                "-T", "fields", "-e", "frame.number", "-e", "tsconform_tlib.message", "-e", "tsconform_csta.invoke_id"])
            wall, cpu, rss, lines = measure(cmd, count_lines=True)
            rows.append(("tshark + tsconform.lua", n, wall, cpu, rss))
        if not args.keep:
            os.remove(path)
    if not tshark_path():
        print("tshark is not installed: its figures are missing (apt-get install tshark)")
    print(f"{'tool':<24} {'PDUs':>9} {'wall s':>8} {'CPU s':>8} {'PDUs/CPU s':>11} {'PDUs/wall s':>12} "
          f"{'peak MiB':>9}")
    for tool, n, wall, cpu, rss in rows:
        print(f"{tool:<24} {n:>9} {wall:>8.1f} {cpu:>8.1f} {n / cpu:>11.0f} {n / wall:>12.0f} {rss / 1024:>9.0f}")
    by = {(tool, n): n / cpu for tool, n, _, cpu, _ in rows}
    for n in sorted({n for _, n, *_ in rows}):
        if ("tshark + tsconform.lua", n) in by:
            print(f"{n} PDUs: verify / tshark throughput (CPU time): "
                  f"{by[('tsconform verify', n)] / by[('tshark + tsconform.lua', n)]:.2f}x")
    mem = [rss for tool, *_, rss in rows if tool == "tsconform verify"]
    print(f"verify peak memory, trace x4: {mem[0] / 1024:.0f} -> {mem[-1] / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
