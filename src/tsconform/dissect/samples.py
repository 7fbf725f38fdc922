"""Sample PDUs and captures for the project's tests, the tshark cross-check and benchmarks.

>>> len(csta_frame("0004", "MakeCall")) > 8, tlib_frame(138, ReferenceID=1)[:2]
(True, b'TL')
"""
from __future__ import annotations

import os

from ..tlib import codec
from ..tlib.model import Attr, ConnID, KVList, Message, MessageType
from .csta_framing import make_frame

CSTA_NS = "http://www.ecma-international.org/standards/ecma-323/csta/ed4"


def csta_xml(root: str, body: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><{root} xmlns="{CSTA_NS}">{body}'
            f"</{root}>")


def csta_frame(invoke_id: str, root: str, body: str = "") -> bytes:
    return make_frame(invoke_id, csta_xml(root, body))


def tlib_frame(msg_type: int, **attrs) -> bytes:
    return codec.encode(Message(msg_type, {Attr[k]: v for k, v in attrs.items()}))


def write_mixed_capture(path: str | os.PathLike, *, tlib_port: int = 7000,
                        csta_port: int = 1040) -> list[tuple[str, object, str]]:
    """A T-Lib and a CSTA connection with split PDUs and PDUs sharing a segment.

    Returns the expected PDUs in order: (link, invoke ID or ReferenceID, message).
    """
    from ..capture import PcapRecorder
    expected: list[tuple[str, object, str]] = []
    with PcapRecorder(path) as rec:
        t = rec.open_flow(("127.0.0.1", 50001), ("127.0.0.1", tlib_port))
        c = rec.open_flow(("127.0.0.1", 50002), ("127.0.0.1", csta_port))

        def tl(mtype, **attrs):
            expected.append(("tlib", attrs.get("ReferenceID"), MessageType(mtype).name))
            return tlib_frame(mtype, **attrs)

        def cs(inv, root, body=""):
            expected.append(("csta", inv, root))
            return csta_frame(inv, root, body)

        t.client_sent(tl(MessageType.RequestRegisterClient, ReferenceID=1,
                         ApplicationName="tsconform", ApplicationPassword="secret"))
        t.server_sent(tl(MessageType.EventServerConnected, ReferenceID=1))
        t.client_sent(tl(MessageType.RequestPrivateService, ReferenceID=2, ThisDN="5001",
                         PrivateMsgID=3001, Extensions=KVList([("HOST_DN", "6001")])))
        c.client_sent(cs("0001", "Escape", "<privateData><private><guestAssociatedExtension>"
                                           "<guest>5001</guest><host>6001</host>"
                                           "</guestAssociatedExtension></private></privateData>"))
        # Two responses in one segment.
        c.server_sent(cs("0001", "EscapeResponse") + cs("9999", "PrivateEvent"))
        # A PDU split over three segments, the last shared with the next PDU.
        big = tl(MessageType.EventPrivateInfo, ReferenceID=2, ThisDN="5001",
                 ConnID=ConnID(0x6D0001), PrivateMsgID=3015,
                 UserData=KVList([("pad", "u" * 3000), ("n", KVList([("x", 1)]))]))
        ack = tl(MessageType.EventACK, ReferenceID=3)
        t.server_sent(big[:1000], mss=1000)
        t.server_sent(big[1000:] + ack, mss=1500)
        # A CSTA PDU split in a tiny first segment (inside the header).
        rec_msg = cs("0002", "RecordMessage", "<callToBeRecorded><callID>6d0001</callID>"
                                              "<deviceID>5001</deviceID></callToBeRecorded>")
        c.client_sent(rec_msg[:5])
        c.client_sent(rec_msg[5:])
        c.server_sent(cs("0002", "RecordMessageResponse", "<resultingMessage/>" + "p" * 2000)
                      + cs("9999", "RecordEvent"))
        t.server_sent(tl(MessageType.EventError, ReferenceID=4, ErrorCode=53,
                         ErrorMessage="invalid attribute value"))
    return expected


def bulk_csta_frames(count: int, pad: int = 200) -> list[bytes]:
    """count CSTA frames of about 350 bytes, invoke IDs cycling 0001..9998 and 9999."""
    roots = ("MakeCall", "MakeCallResponse", "DeliveredEvent", "EstablishedEvent",
             "Escape", "EscapeResponse", "PrivateEvent", "RecordEvent")
    frames = []
    for i in range(count):
        root = roots[i % len(roots)]
        inv = "9999" if root.endswith("Event") else f"{i % 9998 + 1:04d}"
        frames.append(csta_frame(inv, root, f"<seq>{i}</seq><pad>{'x' * pad}</pad>"))
    return frames


def write_bulk_csta_capture(path: str | os.PathLike, count: int = 100_000,
                            csta_port: int = 1040) -> dict[str, int]:
    """A capture of count CSTA frames: most one per segment, every 10th split over two
    segments, every 7th sharing a segment with the next. Returns counts: packets, frames,
    split (frames over two segments), shared (frames sharing a segment)."""
    from ..capture import PcapRecorder
    frames = bulk_csta_frames(count)
    split = shared = 0
    with PcapRecorder(path) as rec:
        flow = rec.open_flow(("127.0.0.1", 50100), ("127.0.0.1", csta_port))
        i = 0
        while i < count:
            send = flow.client_sent if i % 2 == 0 else flow.server_sent
            if i % 7 == 0 and i + 1 < count:
                send(frames[i] + frames[i + 1])
                shared += 2
                i += 2
            elif i % 10 == 3:
                send(frames[i][:100])
                send(frames[i][100:])
                split += 1
                i += 1
            else:
                send(frames[i])
                i += 1
    return {"packets": rec.packets, "frames": count, "split": split, "shared": shared}
