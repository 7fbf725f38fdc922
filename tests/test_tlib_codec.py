"""The open T-Lib framing (docs/protocol.md, "T-Lib link"): round trips, limits, every
malformed-frame case with its offset and reason, and stream reassembly."""
from __future__ import annotations

import asyncio
import random
import struct

import pytest

from tsconform.tlib.codec import (HEADER, HEADER_LEN, MAGIC, MAX_DEPTH, MAX_FRAME, VERSION,
                                  FrameBuffer, FrameError, check_header, decode, decode_frame,
                                  encode, read_frame)
from tsconform.tlib.model import (ATTR_TYPES, Attr, AttrType, ConnID, KVList, KVType, Message,
                                  MessageType as M, Unicode)

CONN = ConnID(0x006D_0A00_0000_0001)

# Representative attributes for every message type, as the reference T-Server and client use them.
REPRESENTATIVE: dict[M, dict] = {
    M.RequestRegisterClient: {Attr.ReferenceID: 1, Attr.ApplicationName: "suite",
                              Attr.ApplicationPassword: "secret", Attr.ProtocolVersion: 1},
    M.RequestRegisterAddress: {Attr.ReferenceID: 2, Attr.ThisDN: "5001", Attr.RegisterMode: 0},
    M.RequestUnregisterAddress: {Attr.ReferenceID: 3, Attr.ThisDN: "5001"},
    M.RequestMakeCall: {Attr.ReferenceID: 4, Attr.ThisDN: "5001", Attr.OtherDN: "5002",
                        Attr.CallType: 2, Attr.UserData: KVList([("AccountCode", "4711")])},
    M.RequestAnswerCall: {Attr.ReferenceID: 5, Attr.ThisDN: "5002", Attr.ConnID: CONN},
    M.RequestReleaseCall: {Attr.ReferenceID: 6, Attr.ThisDN: "5002", Attr.ConnID: CONN,
                           Attr.Reason: KVList([("cause", 16)])},
    M.EventServerConnected: {Attr.ReferenceID: 1},
    M.EventServerDisconnected: {},
    M.EventError: {Attr.ErrorCode: 1161, Attr.ErrorMessage: "Association already present",
                   Attr.ReferenceID: 7, Attr.ThisDN: "5001", Attr.ConnID: CONN,
                   Attr.Extensions: KVList([("HOST_DN", "6001")])},
    M.EventRegistered: {Attr.ReferenceID: 2, Attr.ThisDN: "5001"},
    M.EventUnregistered: {Attr.ReferenceID: 3, Attr.ThisDN: "5001"},
    M.EventRinging: {Attr.ThisDN: "5002", Attr.OtherDN: "5001", Attr.ConnID: CONN,
                     Attr.CallID: 77, Attr.ThisDNRole: 2, Attr.OtherDNRole: 1},
    M.EventDialing: {Attr.ReferenceID: 4, Attr.ThisDN: "5001", Attr.OtherDN: "5002",
                     Attr.ConnID: CONN, Attr.CallState: 0},
    M.EventEstablished: {Attr.ThisDN: "5002", Attr.OtherDN: "5001", Attr.ConnID: CONN},
    M.EventReleased: {Attr.ThisDN: "5001", Attr.OtherDN: "5002", Attr.ConnID: CONN,
                      Attr.UserData: KVList([("AccountCode", "4711")])},
    M.EventLinkDisconnected: {},
    M.EventLinkConnected: {},
    M.EventACK: {Attr.ReferenceID: 8},
    M.RequestPrivateService: {Attr.ReferenceID: 9, Attr.PrivateMsgID: 501, Attr.ThisDN: "5001",
                              Attr.ConnID: CONN, Attr.Extensions: KVList([("AccountCode", "1234")])},
    M.EventPrivateInfo: {Attr.ReferenceID: 9, Attr.PrivateMsgID: 501, Attr.ThisDN: "5001",
                         Attr.ConnID: CONN, Attr.PrivateID: 0,
                         Attr.Extensions: KVList([("AccountCode", "1234")])},
}


def frame(mtype: int = M.EventPrivateInfo, count: int = 0, body: bytes = b"", *,
          magic: bytes = MAGIC, version: int = VERSION, flags: int = 0,
          length: int | None = None) -> bytes:
    """A hand-built frame, so that tests can break any field."""
    if length is None:
        length = HEADER_LEN + len(body)
    return HEADER.pack(magic, version, flags, length, mtype, count) + body


def attr(number: int, wire: int, value: bytes) -> bytes:
    return struct.pack(">HB", number, wire) + value


def s(text: bytes) -> bytes:
    """u32 length + bytes."""
    return struct.pack(">I", len(text)) + text


def nested(depth: int) -> KVList:
    """A KV list `depth` lists deep (the list itself counting as 1)."""
    kv = KVList([("leaf", "x")])
    for level in range(depth - 1):
        kv = KVList([(f"level{depth - 1 - level}", kv)])
    return kv


def depth_of(kv: KVList) -> int:
    return 1 + max((depth_of(v) for _, v in kv if isinstance(v, KVList)), default=0)


# ---------------------------------------------------------------- round trips

def test_every_message_type_has_a_representative():
    assert set(REPRESENTATIVE) == set(M)


@pytest.mark.parametrize("mtype", list(M), ids=lambda m: m.name)
def test_round_trip_every_message_type(mtype):
    msg = Message(mtype, REPRESENTATIVE[mtype])
    raw = encode(msg)
    assert raw[:4] == b"TL\x01\x00"
    assert int.from_bytes(raw[4:8], "big") == len(raw)
    assert int.from_bytes(raw[8:10], "big") == mtype
    assert int.from_bytes(raw[10:12], "big") == len(msg.attrs)
    back = decode(raw)
    assert back == msg
    assert list(back.attrs) == list(msg.attrs), "attribute order is kept"
    assert back.name == mtype.name
    assert encode(back) == raw


def test_round_trip_every_known_attribute_in_one_message():
    values = {AttrType.INT: -7, AttrType.STRING: "Zoë ∑ 5001", AttrType.CONNID: CONN,
              AttrType.KVLIST: KVList([("k", "v")])}
    msg = Message(M.EventPrivateInfo, {a: values[t] for a, t in ATTR_TYPES.items()})
    back = decode(encode(msg))
    assert back == msg
    for a, t in ATTR_TYPES.items():
        assert type(back[a]) is {AttrType.INT: int, AttrType.STRING: str, AttrType.CONNID: ConnID,
                                 AttrType.KVLIST: KVList}[t], a.name


def test_unknown_attribute_and_message_numbers_round_trip_with_any_wire_type():
    msg = Message(4242, {700: 5, 701: "text", 702: ConnID(1), 703: KVList([("a", 1)]),
                         704: b"\x00\x01\xfe\xff"})
    raw = encode(msg)
    wires = [raw[i + 2] for i in (12, 19, 30, 41, 54)]
    assert wires == [AttrType.INT, AttrType.STRING, AttrType.CONNID, AttrType.KVLIST, AttrType.BINARY]
    back = decode(raw)
    assert back == msg and back.name == "Message4242"
    assert type(back[702]) is ConnID and type(back[704]) is bytes


@pytest.mark.parametrize("value", [0, -1, 2**31 - 1, -(2**31)])
def test_int_edges(value):
    msg = Message(M.EventACK, {Attr.ReferenceID: value})
    assert decode(encode(msg))[Attr.ReferenceID] == value


def test_empty_string_and_empty_kv_list():
    msg = Message(M.EventError, {Attr.ErrorMessage: "", Attr.Extensions: KVList()})
    raw = encode(msg)
    assert raw[HEADER_LEN:] == attr(Attr.ErrorMessage, 1, s(b"")) + attr(Attr.Extensions, 3, b"\x00\x00")
    assert decode(raw) == msg


# ---------------------------------------------------------------- KV lists

def test_kv_list_with_all_five_value_types_keeps_types_and_order():
    kv = KVList([("s", "text"), ("i", -42), ("b", b"\x00\xff"), ("l", KVList([("x", 1)])),
                 ("u", Unicode("Zoë")), ("s", "repeated key")])
    raw = encode(Message(M.RequestMakeCall, {Attr.UserData: kv}))
    body = raw[HEADER_LEN + 3:]
    assert body[:2] == b"\x00\x06"
    # Genesys numbering of KV value types: String 0, Int 1, Binary 2, List 3, Unicode 4
    assert body[2:8] == b"\x00\x01s" + bytes([KVType.STRING]) + b"\x00\x00"
    back = decode(raw)[Attr.UserData]
    assert back == kv and back.keys() == ["s", "i", "b", "l", "u", "s"]
    assert [type(v) for _, v in back] == [str, int, bytes, KVList, Unicode, str]


def test_kv_value_type_bytes_follow_genesys_numbering():
    for value, code in [("a", 0), (1, 1), (b"a", 2), (KVList(), 3), (Unicode("a"), 4)]:
        raw = encode(Message(M.EventACK, {Attr.UserData: KVList([("k", value)])}))
        assert raw[HEADER_LEN + 3 + 2 + 2 + 1] == code, value


def test_nesting_to_depth_8_round_trips():
    kv = nested(MAX_DEPTH)
    assert depth_of(kv) == 8
    msg = Message(M.EventPrivateInfo, {Attr.Extensions: kv, Attr.UserData: nested(3),
                                       Attr.Reason: KVList([("u", Unicode("é")), ("n", nested(7))])})
    back = decode(encode(msg))
    assert back == msg
    assert depth_of(back[Attr.Extensions]) == 8


def test_nesting_deeper_than_8_is_refused_by_the_encoder():
    with pytest.raises(ValueError, match="deeper than 8"):
        encode(Message(M.EventPrivateInfo, {Attr.Extensions: nested(MAX_DEPTH + 1)}))


# ---------------------------------------------------------------- ConnIDs

@pytest.mark.parametrize("value,wire", [
    (0, "0000000000000000"),
    (2**64 - 1, "ffffffffffffffff"),
    (2**63, "8000000000000000"),
    (0x006D0A0000000001, "006d0a0000000001"),
])
def test_connid_64_bit_edges(value, wire):
    msg = Message(M.EventEstablished, {Attr.ConnID: ConnID(value)})
    raw = encode(msg)
    assert raw[HEADER_LEN:] == attr(Attr.ConnID, AttrType.CONNID, bytes.fromhex(wire))
    back = decode(raw)[Attr.ConnID]
    assert isinstance(back, ConnID) and back == value and str(back) == wire


@pytest.mark.parametrize("value", [-1, 2**64])
def test_connid_outside_64_bits_is_refused(value):
    with pytest.raises(ValueError, match="64-bit"):
        ConnID(value)


# ---------------------------------------------------------------- malformed frames

THIS_DN = attr(Attr.ThisDN, AttrType.STRING, s(b"5001"))  # 11 bytes

MALFORMED = {
    "short header": (b"TL\x01\x00\x00\x00", 0, "short header: 6 of 12 bytes"),
    "empty buffer": (b"", 0, "short header: 0 of 12 bytes"),
    "bad magic": (frame(magic=b"XL"), 0, "bad magic b'XL', expected b'TL'"),
    "version": (frame(version=2), 2, "unsupported version 2, expected 1"),
    "flags": (frame(flags=0x80), 3, "reserved flags byte is 0x80, must be 0"),
    "length shorter than header": (frame(length=11) + b"\x00", 4,
                                   "length 11 is shorter than the 12-byte header"),
    "length over limit": (frame(length=MAX_FRAME + 1), 4,
                          f"length {MAX_FRAME + 1} exceeds the {MAX_FRAME}-byte frame limit"),
    "length past buffer": (frame(count=1, body=THIS_DN)[:-1], 4,
                           "length 23 runs past the end of the buffer (22 bytes)"),
    "unknown attribute type": (frame(count=1, body=attr(Attr.ThisDN, 9, b"")), 14,
                               "unknown attribute type 9 for ThisDN"),
    "unknown attribute type, unknown attribute": (frame(count=1, body=attr(900, 5, b"")), 14,
                                                  "unknown attribute type 5 for Attribute900"),
    "type mismatch": (frame(count=1, body=attr(Attr.ThisDN, AttrType.INT, b"\x00\x00\x13\x89")), 14,
                      "ThisDN has type INT, expected STRING"),
    "type mismatch, second attribute": (
        frame(count=2, body=THIS_DN + attr(Attr.ConnID, AttrType.INT, b"\x00" * 4)), 25,
        "ConnID has type INT, expected CONNID"),
    "bad UTF-8 in string": (frame(count=1, body=attr(Attr.ThisDN, 1, s(b"50\xff1"))), 21,
                            "invalid UTF-8 in ThisDN value"),
    "bad UTF-8 in KV key": (
        frame(count=1, body=attr(Attr.Extensions, 3, b"\x00\x01" + b"\x00\x02\xc3\x28" + b"\x01" + b"\x00" * 4)),
        19, "invalid UTF-8 in Extensions key"),
    "bad UTF-8 in KV value": (
        frame(count=1, body=attr(Attr.Extensions, 3, b"\x00\x01\x00\x01k\x04" + s(b"ab\x80"))),
        27, "invalid UTF-8 in Extensions['k']"),
    "unknown KV value type": (
        frame(count=1, body=attr(Attr.UserData, 3, b"\x00\x01\x00\x01k\x07")), 20,
        "unknown KV value type 7 in UserData['k']"),
    "duplicate attribute": (frame(count=2, body=THIS_DN + THIS_DN), 23, "duplicate attribute ThisDN"),
    "trailing bytes in frame": (frame(count=1, body=THIS_DN + b"\x00\x00"), 23,
                                "2 bytes after the last of 1 attributes"),
    "trailing bytes after frame": (frame(count=1, body=THIS_DN) + b"TL", 23,
                                   "2 bytes after the end of the frame"),
    "attribute count too high": (frame(count=2, body=THIS_DN), 23,
                                 "attribute header needs 3 bytes, 0 left in frame"),
    "string length past frame": (frame(count=1, body=attr(Attr.ThisDN, 1, struct.pack(">I", 99) + b"5001")),
                                 19, "ThisDN value needs 99 bytes, 4 left in frame"),
    "int cut short": (frame(count=1, body=attr(Attr.ReferenceID, 0, b"\x00\x01")), 15,
                      "ReferenceID value needs 4 bytes, 2 left in frame"),
    "connid cut short": (frame(count=1, body=attr(Attr.ConnID, 2, b"\x00" * 7)), 15,
                         "ConnID value needs 8 bytes, 7 left in frame"),
}


def _deep_case():
    """A depth-8 list whose innermost value is turned into a ninth list with no room for a count."""
    raw = encode(Message(M.EventACK, {Attr.Extensions: nested(MAX_DEPTH)}))
    leaf = raw.index(b"\x00\x04leaf") + 6  # the value-type byte of the innermost pair
    bad = bytearray(raw[:leaf + 1])
    bad[leaf] = KVType.LIST
    bad += b"\x00\x00"  # the ninth list's pair count
    bad[4:8] = struct.pack(">I", len(bad))
    where = "Extensions" + "".join(f"['level{n}']" for n in range(1, MAX_DEPTH)) + "['leaf']"
    return bytes(bad), leaf + 1, f"KV list nesting deeper than 8 in {where}"


MALFORMED["nesting too deep"] = _deep_case()


@pytest.mark.parametrize("raw,offset,reason", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_frame_names_offset_and_reason(raw, offset, reason):
    with pytest.raises(FrameError) as err:
        decode(raw)
    assert (err.value.offset, err.value.reason) == (offset, reason)
    assert str(err.value) == f"malformed T-Lib frame at offset {offset}: {reason}"
    assert isinstance(err.value, ValueError)


def test_depth_8_is_the_last_accepted_depth():
    raw, offset, _ = _deep_case()
    # the same frame with the ninth list replaced by a string is fine
    ok = bytearray(raw[:offset - 1]) + bytes([KVType.STRING]) + s(b"x")
    ok[4:8] = struct.pack(">I", len(ok))
    assert depth_of(decode(bytes(ok))[Attr.Extensions]) == MAX_DEPTH


def test_decode_frame_reports_the_end_and_offsets_relative_to_the_frame():
    first = encode(Message(M.EventACK, {Attr.ReferenceID: 1}))
    bad = frame(count=1, body=attr(Attr.ThisDN, 9, b""))
    msg, end = decode_frame(first + bad)
    assert msg == Message(M.EventACK, {Attr.ReferenceID: 1}) and end == len(first)
    with pytest.raises(FrameError) as err:
        decode_frame(first + bad, end)
    assert err.value.offset == 14


def test_check_header_returns_length_type_and_count():
    raw = encode(Message(M.EventRegistered, {Attr.ReferenceID: 2, Attr.ThisDN: "5001"}))
    assert check_header(raw) == (len(raw), M.EventRegistered, 2)


def test_encoder_refuses_a_frame_over_the_limit():
    with pytest.raises(ValueError, match="limit"):
        encode(Message(M.EventACK, {Attr.UserData: KVList([("big", b"\x00" * MAX_FRAME)])}))


# ---------------------------------------------------------------- streams

def _stream_messages() -> list[Message]:
    return [Message(t, REPRESENTATIVE[t]) for t in M]


def _collect(chunks) -> tuple[list[bytes], FrameBuffer]:
    buf, out = FrameBuffer(), []
    for chunk in chunks:
        out.extend(buf.feed(chunk))
    return out, buf


def test_frame_buffer_joins_frames_split_at_every_boundary():
    a = encode(Message(M.RequestPrivateService, REPRESENTATIVE[M.RequestPrivateService]))
    b = encode(Message(M.EventACK, {Attr.ReferenceID: 1}))
    data = a + b
    for cut in range(len(data) + 1):
        frames, buf = _collect([data[:cut], data[cut:]])
        assert frames == [a, b], cut
        assert buf.pending() == 0


def test_frame_buffer_splits_and_joins_across_arbitrary_chunks():
    msgs = _stream_messages()
    raws = [encode(m) for m in msgs]
    data = b"".join(raws)
    rng = random.Random(20240601)
    for _ in range(50):
        cuts = sorted(rng.sample(range(1, len(data)), rng.randint(1, 40)))
        chunks = [data[i:j] for i, j in zip([0, *cuts], [*cuts, len(data)])]
        frames, buf = _collect(chunks)
        assert frames == raws
        assert [decode(f) for f in frames] == msgs
        assert buf.pending() == 0


def test_frame_buffer_one_byte_at_a_time_and_all_at_once():
    raws = [encode(m) for m in _stream_messages()]
    data = b"".join(raws)
    assert _collect([data[i:i + 1] for i in range(len(data))])[0] == raws
    assert _collect([data])[0] == raws


def test_frame_buffer_keeps_a_partial_frame_pending():
    raw = encode(Message(M.EventACK, {Attr.ReferenceID: 1}))
    buf = FrameBuffer()
    assert buf.feed(raw + raw[:5]) == [raw]
    assert buf.pending() == 5
    assert buf.feed(raw[5:]) == [raw]
    assert buf.pending() == 0


def test_frame_buffer_bad_header_raises():
    buf = FrameBuffer()
    good = encode(Message(M.EventACK, {Attr.ReferenceID: 1}))
    with pytest.raises(FrameError) as err:
        buf.feed(good + frame(version=9))
    assert err.value.offset == 2


def test_frame_buffer_refuses_an_oversized_frame_before_buffering_it():
    buf = FrameBuffer()
    with pytest.raises(FrameError) as err:
        buf.feed(frame(length=MAX_FRAME + 1))  # header only: nothing of the body has arrived
    assert err.value.offset == 4 and "limit" in err.value.reason


def test_frame_buffer_hands_on_frames_with_bad_content():
    bad = frame(count=1, body=attr(Attr.ThisDN, 9, b""))
    good = encode(Message(M.EventACK, {Attr.ReferenceID: 1}))
    frames, _ = _collect([bad + good])
    assert frames == [bad, good]
    with pytest.raises(FrameError):
        decode(frames[0])
    assert decode(frames[1]).name == "EventACK"


async def _read_all_fed_byte_by_byte(data: bytes) -> list[bytes | None]:
    reader = asyncio.StreamReader()

    async def feed():
        for i in range(len(data)):
            reader.feed_data(data[i:i + 1])
            await asyncio.sleep(0)
        reader.feed_eof()

    feeder = asyncio.create_task(feed())
    frames = []
    while True:
        raw = await asyncio.wait_for(read_frame(reader), 5)
        frames.append(raw)
        if raw is None:
            break
    await feeder
    return frames


def test_read_frame_fed_byte_by_byte():
    raws = [encode(m) for m in _stream_messages()]
    frames = asyncio.run(_read_all_fed_byte_by_byte(b"".join(raws)))
    assert frames == [*raws, None]


def test_read_frame_bad_header_raises_frame_error():
    async def go():
        reader = asyncio.StreamReader()
        reader.feed_data(frame(magic=b"GT"))
        reader.feed_eof()
        return await read_frame(reader)

    with pytest.raises(FrameError) as err:
        asyncio.run(go())
    assert (err.value.offset, err.value.reason) == (0, "bad magic b'GT', expected b'TL'")


@pytest.mark.parametrize("cut", [1, 11, 12, 20])
def test_read_frame_truncated_stream_raises_incomplete_read(cut):
    raw = encode(Message(M.RequestRegisterAddress, REPRESENTATIVE[M.RequestRegisterAddress]))

    async def go():
        reader = asyncio.StreamReader()
        reader.feed_data(raw[:cut])
        reader.feed_eof()
        return await read_frame(reader)

    with pytest.raises(asyncio.IncompleteReadError):
        asyncio.run(go())


def test_read_frame_returns_frames_with_bad_content_for_the_caller_to_skip():
    bad = frame(count=1, body=attr(Attr.ThisDN, 9, b""))
    good = encode(Message(M.EventACK, {Attr.ReferenceID: 3}))
    frames = asyncio.run(_read_all_fed_byte_by_byte(bad + good))
    assert frames == [bad, good, None]
