"""Properties of the T-Lib codec, checked with hypothesis.

- Any message built from the attribute table (and unknown attributes of any wire type, and
  nested KV lists up to the depth limit) survives encode/decode with its value types intact.
- The encoder never produces a frame the decoder refuses.
- Whatever the decoder accepts re-encodes to the same bytes.
- Arbitrary bytes, and damaged valid frames, make decode() raise FrameError and nothing else.
- FrameBuffer reassembles any chunking of a stream.
"""
from __future__ import annotations

import struct

from hypothesis import HealthCheck, given, settings, strategies as st

from tsconform.tlib.codec import HEADER, MAGIC, MAX_DEPTH, VERSION, FrameBuffer, FrameError, decode, encode
from tsconform.tlib.model import ATTR_TYPES, AttrType, ConnID, KVList, Message, MessageType, Unicode

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ints = st.integers(-(2**31), 2**31 - 1)
texts = st.text(max_size=12)
keys = st.text(max_size=8)
conn_ids = st.integers(0, 2**64 - 1).map(ConnID)
blobs = st.binary(max_size=16)
kv_scalars = st.one_of(texts, ints, blobs, texts.map(Unicode))


def kv_lists(depth: int) -> st.SearchStrategy[KVList]:
    """KV lists at most `depth` lists deep (the list itself counting as 1)."""
    values = kv_scalars if depth <= 1 else st.one_of(kv_scalars, st.deferred(lambda: kv_lists(depth - 1)))
    return st.lists(st.tuples(keys, values), max_size=4).map(KVList)


@st.composite
def deep_kv(draw, depth: int) -> KVList:
    """A KV list exactly `depth` deep, with random siblings at every level."""
    kv = draw(kv_lists(1))
    for _ in range(depth - 1):
        siblings = draw(st.lists(st.tuples(keys, kv_scalars), max_size=2))
        at = draw(st.integers(0, len(siblings)))
        kv = KVList([*siblings[:at], (draw(keys), kv), *siblings[at:]])
    return kv


KV_OK = st.one_of(kv_lists(3), st.integers(1, MAX_DEPTH).flatmap(deep_kv))
BY_WIRE = {AttrType.INT: ints, AttrType.STRING: texts, AttrType.CONNID: conn_ids,
           AttrType.KVLIST: KV_OK, AttrType.BINARY: blobs}
unknown_ids = st.integers(0, 0xFFFF).filter(lambda n: n not in ATTR_TYPES)


@st.composite
def attributes(draw) -> tuple[int, object]:
    if draw(st.booleans()):
        attr = draw(st.sampled_from(sorted(ATTR_TYPES)))
        return attr, draw(BY_WIRE[ATTR_TYPES[attr]])
    return draw(unknown_ids), draw(st.sampled_from(list(AttrType)).flatmap(BY_WIRE.__getitem__))


messages = st.builds(
    Message,
    st.one_of(st.sampled_from(list(MessageType)), st.integers(0, 0xFFFF)),
    st.lists(attributes(), max_size=6, unique_by=lambda a: a[0]).map(dict),
)


def same_shape(a, b) -> bool:
    """Equal, and of the same Python types all the way down (Unicode is not str, ConnID is not int)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(ka == kb and same_shape(va, vb) for (ka, va), (kb, vb) in zip(a, b))
    return a == b


@SETTINGS
@given(messages)
def test_encode_decode_round_trip(msg):
    raw = encode(msg)
    back = decode(raw)
    assert back == msg
    assert int(back.type) == int(msg.type)
    assert list(back.attrs) == list(msg.attrs)
    for attr, value in msg.attrs.items():
        assert same_shape(back[attr], value), attr
    assert encode(back) == raw


@SETTINGS
@given(st.integers(1, MAX_DEPTH + 3).flatmap(deep_kv))
def test_encoder_never_produces_a_frame_the_decoder_refuses(kv):
    msg = Message(MessageType.EventPrivateInfo, {53: kv})
    try:
        raw = encode(msg)
    except ValueError:
        return  # refused up front, as documented for frames over the limits
    assert decode(raw) == msg


@SETTINGS
@given(st.binary(max_size=96))
def test_arbitrary_bytes_raise_only_frame_error(data):
    _decode_or_frame_error(data)


@st.composite
def plausible_frames(draw) -> bytes:
    """A valid header (right magic, version, flags, length) over random content."""
    body = draw(st.binary(max_size=80))
    count = draw(st.integers(0, 6))
    mtype = draw(st.integers(0, 0xFFFF))
    return HEADER.pack(MAGIC, VERSION, 0, 12 + len(body), mtype, count) + body


@st.composite
def damaged_frames(draw) -> bytes:
    """A valid frame with a few bytes overwritten, inserted or removed."""
    raw = bytearray(encode(draw(messages)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["set", "insert", "delete"]))
        at = draw(st.integers(0, len(raw)))
        if op == "set" and at < len(raw):
            raw[at] = draw(st.integers(0, 255))
        elif op == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif at < len(raw):
            del raw[at:at + draw(st.integers(1, 4))]
    if draw(st.booleans()) and len(raw) >= 8:  # keep the length field consistent, to reach the content checks
        raw[4:8] = struct.pack(">I", len(raw))
    return bytes(raw)


def _decode_or_frame_error(data: bytes) -> None:
    try:
        msg = decode(data)
    except FrameError as exc:
        assert 0 <= exc.offset <= max(len(data), 12), exc
        assert exc.reason
        return
    # whatever the decoder accepts is canonical: it re-encodes to the same bytes
    assert encode(msg) == data


@SETTINGS
@given(st.one_of(plausible_frames(), damaged_frames()))
def test_damaged_frames_raise_only_frame_error(data):
    _decode_or_frame_error(data)


@SETTINGS
@given(st.lists(messages, min_size=1, max_size=4), st.data())
def test_frame_buffer_reassembles_any_chunking(msgs, data):
    raws = [encode(m) for m in msgs]
    stream = b"".join(raws)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    buf, frames = FrameBuffer(), []
    for i, j in zip([0, *cuts], [*cuts, len(stream)]):
        frames.extend(buf.feed(stream[i:j]))
    assert frames == raws
    assert buf.pending() == 0
    assert [decode(f) for f in frames] == msgs
