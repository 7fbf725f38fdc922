"""scapy layers: fields of both framings, port binding, heuristic, TCPSession reassembly."""
from __future__ import annotations

from scapy.layers.inet import IP, TCP
from scapy.packet import Raw
from scapy.sendrecv import sniff
from scapy.sessions import TCPSession

from tsconform.dissect import CSTAFrame, TLibAttribute, TLibFrame, bind_ports
from tsconform.dissect.samples import csta_frame, tlib_frame, write_mixed_capture
from tsconform.tlib import codec
from tsconform.tlib.model import Attr, ConnID, KVList, Message, MessageType


def test_tlib_frame_fields_and_kv_lists():
    msg = Message(MessageType.EventPrivateInfo, {
        Attr.ReferenceID: 9, Attr.ThisDN: "5001", Attr.ConnID: ConnID(0x6D0001),
        Attr.Extensions: KVList([("HOST_DN", "6001"), ("n", 3), ("b", b"\x01\x02"),
                                 ("sub", KVList([("x", "y")]))])})
    pkt = TLibFrame(codec.encode(msg))
    assert (pkt.magic, pkt.version, pkt.flags, pkt.msg_type, pkt.attr_count) == (
        b"TL", 1, 0, 150, 4)
    assert pkt.length == len(codec.encode(msg))
    ref, dn, conn, ext = pkt.attrs
    assert (ref.id, ref.wire, ref.int_value) == (2, 0, 9)
    assert (dn.id, dn.len, dn.data) == (20, 4, b"5001")
    assert conn.conn_id == 0x6D0001
    pairs = ext.kvlist.pairs
    assert [p.key for p in pairs] == [b"HOST_DN", b"n", b"b", b"sub"]
    assert pairs[0].data == b"6001" and pairs[1].int_value == 3 and pairs[2].data == b"\x01\x02"
    assert pairs[3].list.pairs[0].key == b"x"
    assert pkt.message == msg
    assert pkt.sprintf("%msg_type%") == "EventPrivateInfo"
    assert "EventPrivateInfo" in pkt.summary()


def test_tlib_frame_builds_what_the_codec_encodes():
    built = TLibFrame(msg_type=138, attrs=[TLibAttribute(id=2, wire=0, int_value=5)])
    assert bytes(built) == codec.encode(Message(MessageType.EventACK, {Attr.ReferenceID: 5}))
    assert TLibFrame.from_message(Message(MessageType.EventACK, {})).attr_count == 0


def test_csta_frame_fields():
    raw = csta_frame("0004", "MakeCall", "<callingDevice>5001</callingDevice>")
    pkt = CSTAFrame(raw)
    assert (pkt.format, pkt.length, pkt.invoke_id) == (0, len(raw), "0004")
    assert pkt.xml == raw[8:] and pkt.root == "MakeCall"
    assert bytes(CSTAFrame(invoke_id="9999", xml=raw[8:])) == raw[:4] + b"9999" + raw[8:]


def test_two_frames_in_one_segment_dissect_as_frame_and_padding():
    two = csta_frame("0001", "Escape") + csta_frame("0001", "EscapeResponse")
    pkt = IP(bytes(IP() / TCP(sport=40000, dport=1040) / two))
    assert pkt[CSTAFrame].root == "Escape"
    assert CSTAFrame(pkt[CSTAFrame].payload.load).root == "EscapeResponse"


def test_port_binding_and_heuristic():
    bind_ports(tlib_ports=[7123])
    ack = tlib_frame(MessageType.EventACK, ReferenceID=1)
    on_port = IP(bytes(IP() / TCP(sport=7123, dport=40000) / ack))
    assert on_port[TLibFrame].message.reference_id == 1
    anywhere = IP(bytes(IP() / TCP(sport=40000, dport=6000) / csta_frame("0002", "Stop")))
    assert anywhere[CSTAFrame].root == "Stop"
    other = IP(bytes(IP() / TCP(sport=40000, dport=6001) / b"hello world, not csta"))
    assert Raw in other and CSTAFrame not in other
    bind_ports(heuristic=False)
    try:
        again = IP(bytes(IP() / TCP(sport=40000, dport=6000) / csta_frame("0002", "Stop")))
        assert CSTAFrame not in again
    finally:
        bind_ports(heuristic=True)


def test_tcp_session_reassembles_into_the_layers(tmp_path):
    path = tmp_path / "mixed.pcap"
    expected = write_mixed_capture(path, tlib_port=7000)
    bind_ports(tlib_ports=[7000])
    seen = []
    for pkt in sniff(offline=str(path), session=TCPSession):
        layer = pkt.getlayer(CSTAFrame) or pkt.getlayer(TLibFrame)
        while isinstance(layer, (CSTAFrame, TLibFrame)):
            if isinstance(layer, CSTAFrame):
                seen.append(("csta", layer.invoke_id, layer.root))
            else:
                msg = layer.message
                seen.append(("tlib", msg.reference_id, msg.name))
            layer = layer.payload
    assert seen == expected
