"""Dissection rate: tsconform's reader against tshark with the project's Lua dissector.

Builds (or takes, with --file) a capture of CSTA frames, some split across segments and
some sharing a segment, then measures on that same file, in one run:

- tsconform's reader (``read_capture``: TCP reassembly by sequence number, header, invoke
  ID, XML root element and text per PDU; no scapy packet objects per frame);
- tshark with ``tsconform.lua`` (dissect_tcp_pdus, XML handed to tshark's XML dissector),
  printing the invoke ID and the XML tags of each PDU (-T fields);
- optionally (--scapy) scapy's own path: sniff(offline=..., session=TCPSession) with the
  tsconform layers, for reference.

Prints frames per second for each and the ratio. Usage:
    python bench/dissect.py [--frames 100000] [--file CAPTURE] [--repeat 1] [--scapy]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from tsconform.dissect import CSTAFrame, read_capture
from tsconform.dissect.samples import write_bulk_csta_capture
from tsconform.dissect.tshark import tshark_command, tshark_path


def best_of(repeat: int, fn):
    best, result = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best, result


def run_reader(path: str) -> int:
    d = read_capture(path)
    if d.warnings:
        print(f"  reader warnings: {len(d.warnings)}, first: {d.warnings[0]}", file=sys.stderr)
    return len(d.select(link="csta"))


def run_tshark(path: str) -> int:
    cmd = tshark_command(path, output=["-T", "fields", "-e", "frame.number",
                                       "-e", "tsconform_csta.invoke_id", "-e", "xml.tag"])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    count = 0
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) > 1 and parts[1]:
            count += parts[1].count(",") + 1
    return count


def run_scapy(path: str) -> int:
    from scapy.sendrecv import sniff
    from scapy.sessions import TCPSession
    count = 0

    def on(pkt):
        nonlocal count
        layer = pkt.getlayer(CSTAFrame)
        while isinstance(layer, CSTAFrame):
            count += 1
            layer = layer.payload

    sniff(offline=path, session=TCPSession, prn=on, store=False)
    return count


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=100_000, help="CSTA frames to build")
    ap.add_argument("--file", help="measure this capture instead of building one")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool; the best is kept")
    ap.add_argument("--scapy", action="store_true", help="also time scapy's TCPSession path")
    args = ap.parse_args(argv)

    tmp = None
    if args.file:
        path = args.file
        print(f"capture: {path} ({os.path.getsize(path):,} bytes)")
    else:
        tmp = tempfile.TemporaryDirectory()
        path = os.path.join(tmp.name, "csta-bulk.pcap")
        t0 = time.perf_counter()
        stats = write_bulk_csta_capture(path, args.frames)
        print(f"capture: {stats['frames']:,} CSTA frames in {stats['packets']:,} packets "
              f"({stats['split']:,} split over two segments, {stats['shared']:,} sharing a "
              f"segment), {os.path.getsize(path):,} bytes, built in "
              f"{time.perf_counter() - t0:.1f} s")

    rows = []
    dt, n = best_of(args.repeat, lambda: run_reader(path))
    rows.append(("tsconform reader", dt, n))
    if tshark_path():
        dt, n = best_of(args.repeat, lambda: run_tshark(path))
        rows.append(("tshark + tsconform.lua", dt, n))
    else:
        print("tshark: not installed, not measured")
    if args.scapy:
        dt, n = best_of(args.repeat, lambda: run_scapy(path))
        rows.append(("scapy TCPSession + layers", dt, n))

    for name, dt, n in rows:
        print(f"{name:<27} {dt:8.2f} s {n / dt:>12,.0f} frames/s   ({n:,} CSTA frames)")
    if len(rows) > 1 and rows[1][0].startswith("tshark"):
        ours, theirs = rows[0][2] / rows[0][1], rows[1][2] / rows[1][1]
        print(f"ratio tsconform / tshark: {ours / theirs:.2f}")
        if rows[0][2] != rows[1][2]:
            print(f"note: the two saw different frame counts ({rows[0][2]} vs {rows[1][2]})")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
