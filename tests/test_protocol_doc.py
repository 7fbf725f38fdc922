"""docs/protocol.md and the codec cannot drift: every example frame in the page is decoded here.

Each ```hex block is an annotated dump (`offset  bytes  meaning`). The nearest `**Frame:**`
line before it states what the frame is: either a message (name, number, attribute count,
length, then a table of attributes in wire order) or a malformed frame (the FrameError offset
and reason). The numbering tables of the page are checked against the model as well.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tsconform.tlib.codec import FrameError, decode, encode
from tsconform.tlib.model import ATTR_TYPES, Attr, AttrType, ConnID, MessageType, attr_name

DOC = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"
TEXT = DOC.read_text(encoding="utf-8")

HEX_BLOCK = re.compile(r"^```hex\n(.*?)^```", re.S | re.M)
FRAME_OK = re.compile(r"^\*\*Frame:\*\* `(\w+)` \((\d+)\), (\d+) attributes?, (\d+) bytes\.$", re.M)
FRAME_BAD = re.compile(r"^\*\*Frame:\*\* malformed, FrameError at offset (\d+): (.+)\.$", re.M)
FRAME_ANY = re.compile(r"^\*\*Frame:\*\*.*$", re.M)
HEX_LINE = re.compile(r"^([0-9a-f]{4})  ((?:[0-9a-f]{2} ){0,7}[0-9a-f]{2})(?: *$|  +\S)")


def _dump_bytes(block: str) -> bytes:
    """The bytes of an annotated dump; the offsets must count them."""
    raw = bytearray()
    for n, line in enumerate(block.splitlines(), 1):
        m = HEX_LINE.match(line)
        assert m, f"dump line {n} is not 'offset  bytes  meaning': {line!r}"
        assert int(m.group(1), 16) == len(raw), (
            f"dump line {n} says offset {m.group(1)}, the bytes before it count {len(raw):04x}")
        raw += bytes.fromhex(m.group(2))
    return bytes(raw)


def _examples() -> list[tuple[str, str, bytes]]:
    """(description text, label, frame bytes) for every hex block of the page."""
    found, start = [], 0
    for block in HEX_BLOCK.finditer(TEXT):
        before = TEXT[start:block.start()]
        frames = FRAME_ANY.findall(before)
        assert frames, f"hex block at character {block.start()} has no **Frame:** line before it"
        described = before[before.rindex(frames[-1]):]
        found.append((described, frames[-1], _dump_bytes(block.group(1))))
        start = block.end()
    return found


EXAMPLES = _examples()


def test_page_has_the_examples_the_brief_promises():
    labels = " ".join(label for _, label, _ in EXAMPLES)
    assert "`RequestPrivateService`" in labels and "`EventPrivateInfo`" in labels
    assert len(EXAMPLES) >= 3


def _table_rows(described: str) -> list[list[str]]:
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in described.splitlines() if line.startswith("|")]
    assert rows and rows[0] == ["Attribute", "Number", "Wire type", "Value"], rows[:1]
    return rows[2:]  # past the header and the separator


@pytest.mark.parametrize("described,label,raw", [
    pytest.param(*e, id=f"{n}-{FRAME_OK.search(e[0]).group(1)}")
    for n, e in enumerate(EXAMPLES, 1) if FRAME_OK.search(e[0])])
def test_example_frame_decodes_to_the_described_message(described, label, raw):
    name, number, count, length = FRAME_OK.search(described).groups()
    msg = decode(raw)
    assert (msg.name, int(msg.type)) == (name, int(number)) == (MessageType(int(number)).name, int(number))
    assert len(raw) == int(length), f"{label}: the dump holds {len(raw)} bytes"
    assert int.from_bytes(raw[4:8], "big") == len(raw)
    assert len(msg.attrs) == int(count)

    rows = _table_rows(described)
    assert [r[0] for r in rows] == [attr_name(a) for a in msg.attrs], "attributes or their order differ"
    as_json = msg.to_json()
    for attr_text, num, wire, value in rows:
        assert int(num) == int(Attr[attr_text]), f"{attr_text} is attribute {int(Attr[attr_text])}"
        assert ATTR_TYPES[Attr[attr_text]].name == wire, f"{attr_text} has wire type {ATTR_TYPES[Attr[attr_text]].name}"
        assert value.startswith("`") and value.endswith("`")
        assert as_json[attr_text] == json.loads(value[1:-1]), f"{attr_text} decodes to {as_json[attr_text]!r}"
        if wire == AttrType.CONNID.name:
            assert isinstance(msg[Attr[attr_text]], ConnID)
    assert encode(msg) == raw, "the codec encodes the described message to other bytes"


@pytest.mark.parametrize("described,label,raw", [
    pytest.param(*e, id=f"{n}-malformed") for n, e in enumerate(EXAMPLES, 1) if FRAME_BAD.search(e[0])])
def test_malformed_example_fails_as_described(described, label, raw):
    offset, reason = FRAME_BAD.search(described).groups()
    with pytest.raises(FrameError) as err:
        decode(raw)
    assert (err.value.offset, err.value.reason) == (int(offset), reason)


def _section_table(heading: str) -> list[list[str]]:
    section = TEXT.split(heading, 1)[1].split("\n#", 1)[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in section.splitlines() if line.startswith("|")]
    return rows[2:]


def test_message_table_matches_the_model():
    rows = _section_table("### Message types")
    assert {r[0]: int(r[1]) for r in rows} == {m.name: int(m) for m in MessageType}


def test_attribute_table_matches_the_model():
    rows = _section_table("### Attribute numbers and wire types")
    assert {r[0]: (int(r[1]), r[2]) for r in rows} == {
        a.name: (int(a), ATTR_TYPES[a].name) for a in Attr}
