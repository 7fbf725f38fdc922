"""``tsconform dissect FILE [--json] [--csta-port N] [--tlib-port N]``.

One readable line per PDU, or with ``--json`` one JSON object per line. A PDU that
cannot be decoded gives a warning on stderr naming its frame; dissection goes on.
Exit status: 0, or 2 when FILE is not a pcap/pcapng capture (or the usage is wrong).
While the listing goes to a file or a pipe, a terminal on stderr shows the bytes read, the
frames and the PDUs so far (not in CI).
``argv`` holds the arguments after ``dissect``.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from .. import progress
from .pcapfile import CaptureError
from .pdu import Pdu
from .reader import CSTA_PORT, CaptureReader


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tsconform dissect",
                                description="List the T-Lib and CSTA PDUs of a capture.")
    p.add_argument("file", metavar="FILE", help="a pcap or pcapng file")
    p.add_argument("--json", action="store_true", help="one JSON object per PDU and line")
    p.add_argument("--csta-port", type=int, action="append", metavar="N",
                   help=f"TCP port of the CSTA link (repeatable; default {CSTA_PORT})")
    p.add_argument("--tlib-port", type=int, action="append", metavar="N", default=[],
                   help="TCP port of the T-Lib link (repeatable)")
    p.add_argument("--no-heuristic", action="store_true",
                   help="only the given ports: do not look for the framings on other ports")
    return p


def _line(pdu: Pdu, t0: float) -> str:
    return f"{pdu.frame:>7} {pdu.time - t0:11.6f} {pdu.src} -> {pdu.dst}  {pdu.summary()}"


class _Quiet:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return None


def _display(reader: CaptureReader):
    """Progress on stderr while the listing goes elsewhere; nothing otherwise."""
    if not progress.wanted(sys.stderr) or progress.wanted(sys.stdout):
        return _Quiet()
    return progress.ReadDisplay(progress.terminal_console(sys.stderr), os.path.getsize(reader.path),
                                os.path.basename(reader.path))


def _list(reader: CaptureReader, as_json: bool, shown: progress.ReadDisplay | None) -> None:
    out = sys.stdout
    pdus = 0
    for item in reader:
        if isinstance(item, Pdu):
            pdus += 1
            if as_json:
                out.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
            else:
                out.write(_line(item, reader.first_time or 0.0) + "\n")
            if shown and not pdus % 256:
                shown.update(reader.position.offset, reader.frames, pdus)
        else:
            out.flush()
            if shown:
                shown.progress.console.print(f"warning: {item}", markup=False, highlight=False)
            else:
                print(f"warning: {item}", file=sys.stderr)
    out.flush()
    if shown:
        shown.update(reader.position.offset, reader.frames, pdus)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    scapy_log = logging.getLogger("scapy.runtime")
    level = scapy_log.level
    scapy_log.setLevel(logging.ERROR)      # the reader reports truncation itself
    try:
        reader = CaptureReader(args.file, tlib_ports=args.tlib_port,
                               csta_ports=args.csta_port or [CSTA_PORT],
                               heuristics=not args.no_heuristic)
        with _display(reader) as shown:
            _list(reader, args.json, shown)
    except CaptureError as exc:
        print(f"tsconform dissect: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        sys.stderr.close()                  # the reader of our output went away
        return 0
    finally:
        scapy_log.setLevel(level)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
