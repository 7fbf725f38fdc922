"""Compare tsconform's reader with tshark + tsconform.lua on captures (files or directories).

    python tools/crosscheck.py captures/ [--tlib-port N] [--csta-port N]

Prints one line per capture (PDU counts, and the first difference if any); exit status 1
when a capture differs, 2 when tshark is missing.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tsconform.dissect import read_capture
from tsconform.dissect.tshark import tshark_path, tshark_pdus


def captures(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        out += sorted(x for x in p.rglob("*") if x.suffix in (".pcap", ".pcapng")) \
            if p.is_dir() else [p]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--tlib-port", type=int, action="append", default=[])
    ap.add_argument("--csta-port", type=int, action="append")
    args = ap.parse_args(argv)
    if tshark_path() is None:
        print("tshark is not installed", file=sys.stderr)
        return 2
    ports = {"tlib_ports": args.tlib_port, "csta_ports": args.csta_port or [1040]}
    bad = 0
    for cap in captures(args.paths):
        d = read_capture(cap, **ports)
        ours = [(p.frame, p.link, p.id, p.message) for p in d]
        theirs = [(x["frame"], x["link"], x.get("invoke_id", x.get("reference_id")),
                   x["message"]) for x in tshark_pdus(cap, **ports)]
        if ours == theirs:
            print(f"same  {cap}: {len(ours)} PDUs, {len(d.warnings)} warnings")
            continue
        bad += 1
        first = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b),
                     min(len(ours), len(theirs)))
        print(f"DIFF  {cap}: tsconform {len(ours)} PDUs, tshark {len(theirs)}; first at "
              f"#{first}: {ours[first] if first < len(ours) else None} vs "
              f"{theirs[first] if first < len(theirs) else None}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
