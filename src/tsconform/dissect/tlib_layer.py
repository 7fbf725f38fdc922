"""scapy layer for the open T-Lib framing: header, attributes and KV lists as fields.

>>> from tsconform.tlib.model import Attr, Message, MessageType
>>> from tsconform.tlib import codec
>>> raw = codec.encode(Message(MessageType.EventACK, {Attr.ReferenceID: 3, Attr.ThisDN: "5001"}))
>>> pkt = TLibFrame(raw)
>>> pkt.msg_type, pkt.attrs[0].int_value, pkt.attrs[1].data
(138, 3, b'5001')
>>> pkt.message
EventACK(ReferenceID=3, ThisDN='5001')
"""
from __future__ import annotations

from scapy.config import conf
from scapy.fields import (ByteEnumField, ByteField, ConditionalField, FieldLenField, IntField,
                          PacketField, PacketListField, ShortEnumField, SignedIntField,
                          StrFixedLenField, StrLenField, XLongField)
from scapy.packet import Packet

from ..tlib import codec
from ..tlib.model import Attr, AttrType, KVType, Message, MessageType

ATTR_NAMES = {int(a): a.name for a in Attr}
MESSAGE_NAMES = {int(m): m.name for m in MessageType}
WIRE_TYPES = {int(t): t.name for t in AttrType}
KV_TYPES = {int(t): t.name.capitalize() for t in KVType}


class TLibKVList(Packet):
    """A KV list: u16 pair count, then the pairs."""

    name = "T-Lib KV list"
    fields_desc = [
        FieldLenField("count", None, count_of="pairs", fmt="!H"),
        PacketListField("pairs", [], lambda s, **kw: TLibKVPair(s, **kw),
                        count_from=lambda p: p.count),
    ]

    def extract_padding(self, s):
        return b"", s


class TLibKVPair(Packet):
    """u16 key length, UTF-8 key, u8 value type, then the value (a nested list for List)."""

    name = "T-Lib KV pair"
    fields_desc = [
        FieldLenField("key_len", None, length_of="key", fmt="!H"),
        StrLenField("key", b"", length_from=lambda p: p.key_len),
        ByteEnumField("type", 0, KV_TYPES),
        ConditionalField(SignedIntField("int_value", 0), lambda p: p.type == KVType.INT),
        ConditionalField(FieldLenField("len", None, length_of="data", fmt="!I"),
                         lambda p: p.type in (KVType.STRING, KVType.BINARY, KVType.UNICODE)),
        ConditionalField(StrLenField("data", b"", length_from=lambda p: p.len),
                         lambda p: p.type in (KVType.STRING, KVType.BINARY, KVType.UNICODE)),
        ConditionalField(PacketField("list", None, TLibKVList), lambda p: p.type == KVType.LIST),
    ]

    def extract_padding(self, s):
        return b"", s


class TLibAttribute(Packet):
    """u16 attribute ID, u8 wire type, then the value."""

    name = "T-Lib attribute"
    fields_desc = [
        ShortEnumField("id", 0, ATTR_NAMES),
        ByteEnumField("wire", 0, WIRE_TYPES),
        ConditionalField(SignedIntField("int_value", 0), lambda p: p.wire == AttrType.INT),
        ConditionalField(FieldLenField("len", None, length_of="data", fmt="!I"),
                         lambda p: p.wire in (AttrType.STRING, AttrType.BINARY)),
        ConditionalField(StrLenField("data", b"", length_from=lambda p: p.len),
                         lambda p: p.wire in (AttrType.STRING, AttrType.BINARY)),
        ConditionalField(XLongField("conn_id", 0), lambda p: p.wire == AttrType.CONNID),
        ConditionalField(PacketField("kvlist", None, TLibKVList),
                         lambda p: p.wire == AttrType.KVLIST),
    ]

    def extract_padding(self, s):
        return b"", s

    def mysummary(self):
        return self.sprintf("%id%")


class TLibFrame(Packet):
    """One T-Lib frame; ``message`` decodes it with the project's codec."""

    name = "T-Lib frame"
    fields_desc = [
        StrFixedLenField("magic", codec.MAGIC, 2),
        ByteField("version", codec.VERSION),
        ByteField("flags", 0),
        IntField("length", None),
        ShortEnumField("msg_type", 0, MESSAGE_NAMES),
        FieldLenField("attr_count", None, count_of="attrs", fmt="!H"),
        PacketListField("attrs", [], TLibAttribute,
                        length_from=lambda p: max(0, (p.length or 0) - codec.HEADER_LEN)),
    ]

    def post_build(self, pkt: bytes, pay: bytes) -> bytes:
        if self.length is None:
            pkt = pkt[:4] + len(pkt).to_bytes(4, "big") + pkt[8:]
        return pkt + pay

    def extract_padding(self, s):
        return b"", s                     # what follows the frame is the next PDU

    @classmethod
    def from_message(cls, msg: Message) -> "TLibFrame":
        return cls(codec.encode(msg))

    def frame_bytes(self) -> bytes:
        """This frame's bytes alone (without any PDU that followed it)."""
        raw = bytes(self)
        return raw[:int.from_bytes(raw[4:8], "big")]

    @property
    def message(self) -> Message:
        """The decoded Message (raises codec.FrameError for a malformed frame)."""
        return codec.decode(self.frame_bytes())

    def mysummary(self):
        try:
            return "T-Lib " + self.message.summary()
        except codec.FrameError:
            return self.sprintf("T-Lib %msg_type% (malformed)")

    @classmethod
    def tcp_reassemble(cls, data: bytes, metadata: dict, session=None):
        """For scapy's TCPSession / StreamSocket: a frame once it is complete."""
        if len(data) < codec.HEADER_LEN:
            return None
        if data[:2] != codec.MAGIC:
            return conf.raw_layer(data)
        length = int.from_bytes(data[4:8], "big")
        if length < codec.HEADER_LEN:
            return conf.raw_layer(data)
        if len(data) < length:
            metadata["tcp_min_len"] = length
            return None
        return cls(data)
