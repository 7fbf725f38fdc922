"""Run tshark with the project's Lua dissector: the independent cross-check of the reader.

``tshark_pdus(path, tlib_ports=[...])`` lists what tshark sees, one dict per PDU in frame
order: frame, link, message (T-Lib name, or the root element tshark's XML dissector
found; in a SOAP envelope, the first element of its Body), and invoke_id (CSTA) or
reference_id (T-Lib).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterable

from defusedxml.ElementTree import iterparse

from ..errors import ToolError, ToolMissing

LUA_DISSECTOR = Path(__file__).with_name("tsconform.lua")


def tshark_path() -> str | None:
    return shutil.which("tshark")


def tshark_command(path: str | os.PathLike, *, tlib_ports: Iterable[int] = (),
                   csta_ports: Iterable[int] = (1040,), heuristic_first: bool = True,
                   output: list[str] = ()) -> list[str]:
    """The tshark command line; heuristic_first lets the framings be found on ports that
    tshark gives to other protocols (7000 is Gryphon's, for one)."""
    exe = tshark_path()
    if exe is None:
        raise ToolMissing("tshark is not installed")
    cmd = [exe, "-n", "-r", os.fspath(path), "-X", f"lua_script:{LUA_DISSECTOR}",
           "-o", "tsconform_csta.ports:" + ",".join(str(p) for p in csta_ports),
           "-o", f"tcp.try_heuristic_first:{'TRUE' if heuristic_first else 'FALSE'}"]
    tlib = ",".join(str(p) for p in tlib_ports)
    if tlib:
        cmd += ["-o", "tsconform_tlib.ports:" + tlib]
    return cmd + list(output)


def tshark_pdus(path: str | os.PathLike, **ports) -> list[dict]:
    """Every T-Lib and CSTA PDU tshark dissects in the file (PDML output, parsed)."""
    cmd = tshark_command(path, **ports, output=["-T", "pdml"])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pdus: list[dict] = []
    try:
        for _, elem in iterparse(proc.stdout, events=("end",)):
            if elem.tag == "packet":
                pdus.extend(_packet_pdus(elem))
                elem.clear()
    finally:
        proc.stdout.close()
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.wait() != 0:
            raise ToolError(f"tshark failed ({proc.returncode}): {err.strip()}")
    return pdus


def _local(tag) -> str:
    """The local name of an xml.tag field of tshark's XML dissector."""
    qname = tag.get("showname", "").lstrip("<").split()[0].rstrip("/>")
    return qname.rpartition(":")[2]


def _packet_pdus(packet) -> list[dict]:
    frame = None
    out: list[dict] = []
    for proto in packet.findall("proto"):
        name = proto.get("name")
        if name == "geninfo":
            num = proto.find("field[@name='num']")
            frame = int(num.get("show")) if num is not None else None
        elif name == "frame" and frame is None:
            num = proto.find("field[@name='frame.number']")
            frame = int(num.get("show"))
        elif name == "tsconform_csta":
            inv = proto.find("field[@name='tsconform_csta.invoke_id']")
            out.append({"frame": frame, "link": "csta", "message": None,
                        "invoke_id": inv.get("show") if inv is not None else None})
        elif name == "xml" and out and out[-1]["link"] == "csta" and out[-1]["message"] is None:
            tag = proto.find("field[@name='xml.tag']")
            if tag is not None and _local(tag) == "Envelope":    # SOAP: the first element of its Body
                body = next((t for t in tag.findall("field[@name='xml.tag']") if _local(t) == "Body"), None)
                tag = body.find("field[@name='xml.tag']") if body is not None else tag
            if tag is not None:
                out[-1]["message"] = _local(tag)
        elif name == "tsconform_tlib":
            msg = proto.find("field[@name='tsconform_tlib.message']")
            ref = proto.find("field[@name='tsconform_tlib.reference_id']")
            out.append({"frame": frame, "link": "tlib",
                        "message": msg.get("show") if msg is not None else None,
                        "reference_id": int(ref.get("show")) if ref is not None else None})
    return out
