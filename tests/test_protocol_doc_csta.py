"""docs/protocol.md ("CSTA link") and the CSTA codec cannot drift: every example frame is decoded here.

Each ```csta block of the section is one frame as ``tsconform.csta.examples.hexdump`` prints
it: a header line (format indicator, length in hex and in decimal, invoke ID), then the XML
document exactly as sent. The nearest ``**CSTA frame:**`` line before the block names the
entry of ``EXAMPLES``, the root element, the invoke ID and the length. Every entry of
``EXAMPLES`` must appear, and the connector table must name the requests the T-Server sends.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tsconform import spec
from tsconform.csta import errors, events, private, session
from tsconform.csta.examples import EXAMPLES, hexdump
from tsconform.csta.framing import EVENT_INVOKE_ID, HEADER_SIZE, FrameDecoder
from tsconform.csta.xml import KNOWN_NAMESPACES, parse
from tsconform.sim.csta_link import CstaSwitchLink
from tsconform.sim.tserver import SERVICE_OPS

DOC = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"
TEXT = DOC.read_text(encoding="utf-8")
HEADING = "\n## CSTA link\n"
SECTION = TEXT.split(HEADING, 1)[1] if HEADING in TEXT else ""

BLOCK = re.compile(r"^```csta\n(.*?)\n```$", re.S | re.M)
LABEL = re.compile(r"^\*\*CSTA frame:\*\* `([\w-]+)`: `(\w+)`, invoke ID `(\d{4})`, (\d+) bytes\.$", re.M)
HEAD = re.compile(r"^([0-9a-f]{2} [0-9a-f]{2}) \| ([0-9a-f]{2} [0-9a-f]{2}) \(length (\d+)\) \| (\d{4}) \(invoke ID\)$")


def _frame(block: str) -> bytes:
    """The frame bytes of a block: the header line, then the document as written."""
    head, _, xml = block.partition("\n")
    m = HEAD.match(head)
    assert m, f"first line of a csta block is not a hexdump header: {head!r}"
    fmt, length, length_dec, invoke = m.groups()
    raw = bytes.fromhex(fmt) + bytes.fromhex(length) + invoke.encode("ascii") + xml.encode("utf-8")
    assert int(length.replace(" ", ""), 16) == int(length_dec), f"{head}: hex and decimal lengths differ"
    return raw


def _examples() -> list[tuple[str, str, int, int, str, bytes]]:
    """(key, root, invoke ID, length, block text, frame) for every csta block of the section."""
    found, start = [], 0
    for block in BLOCK.finditer(SECTION):
        labels = LABEL.findall(SECTION, start, block.start())
        assert labels, f"csta block at character {block.start()} of the section has no **CSTA frame:** line before it"
        key, root, invoke, length = labels[-1]
        found.append((key, root, int(invoke), int(length), block.group(1), _frame(block.group(1))))
        start = block.end()
    return found


DOC_EXAMPLES = _examples() if SECTION else []


def test_section_exists_and_holds_every_example():
    assert SECTION, "docs/protocol.md has no '## CSTA link' section"
    keys = [e[0] for e in DOC_EXAMPLES]
    assert sorted(set(keys)) == sorted(keys), f"an example appears twice: {keys}"
    missing = sorted(set(EXAMPLES) - set(keys))
    assert not missing, f"EXAMPLES entries missing from docs/protocol.md: {missing}"
    unknown = sorted(set(keys) - set(EXAMPLES))
    assert not unknown, f"docs/protocol.md shows frames that are not in EXAMPLES: {unknown}"


def test_every_csta_block_is_labelled():
    blocks = SECTION.count("```csta\n")
    assert blocks == len(DOC_EXAMPLES) == len(LABEL.findall(SECTION)), (
        "every ```csta block needs exactly one **CSTA frame:** line before it")


@pytest.mark.parametrize("key,root,invoke,length,block,raw", DOC_EXAMPLES, ids=[e[0] for e in DOC_EXAMPLES])
def test_example_frame_decodes_to_what_its_label_says(key, root, invoke, length, block, raw):
    assert len(raw) == length, f"{key}: the block holds {len(raw)} bytes, the label says {length}"
    decoder = FrameDecoder()
    frames = decoder.feed(raw)
    assert len(frames) == 1 and decoder.pending == 0, f"{key}: not exactly one whole frame"
    frame = frames[0]
    assert int.from_bytes(raw[2:4], "big") == len(raw), "the length field counts the whole frame"
    assert len(frame.xml) == len(raw) - HEADER_SIZE
    assert frame.invoke_id == invoke, f"{key}: invoke ID {frame.invoke_id:04d}, the label says {invoke:04d}"
    msg = parse(frame.xml)
    assert msg.name == root, f"{key}: root element {msg.name}, the label says {root}"
    assert msg.namespace in KNOWN_NAMESPACES
    assert (invoke == EVENT_INVOKE_ID) == root.endswith("Event"), (
        f"{key}: events carry invoke ID {EVENT_INVOKE_ID}, requests and responses never do")


@pytest.mark.parametrize("key,root,invoke,length,block,raw", DOC_EXAMPLES, ids=[e[0] for e in DOC_EXAMPLES])
def test_example_frame_is_the_one_the_code_builds(key, root, invoke, length, block, raw):
    assert key in EXAMPLES, f"{key} is not an entry of tsconform.csta.examples.EXAMPLES"
    assert raw == EXAMPLES[key][1], f"{key}: the page shows other bytes than the code builds"
    assert block == hexdump(EXAMPLES[key][1])


def test_responses_reuse_the_invoke_id_of_a_request_shown():
    requests = {(e[1], e[2]) for e in DOC_EXAMPLES
                if not e[1].endswith(("Event", "Response")) and e[1] != errors.ROOT}
    for key, root, invoke, *_ in DOC_EXAMPLES:
        if root == errors.ROOT:
            assert any(i == invoke for _, i in requests), f"{key}: answers no request shown"
        elif root.endswith("Response"):
            assert (root.removesuffix("Response"), invoke) in requests, (
                f"{key}: no {root.removesuffix('Response')} with invoke ID {invoke:04d} on the page")


def _msg(key: str):
    return parse(EXAMPLES[key][1][HEADER_SIZE:])


def test_examples_carry_what_the_prose_says():
    ext = private.parse_guest(private.find_private(_msg("escape-associate"), private.EXTENSION))
    assert ext == private.GuestAssociation("5001", "6001", "associate")
    assert private.parse_guest(private.find_private(_msg("escape-dissociate"), private.EXTENSION)).host is None
    ev = events.parse_event(_msg("private-event-associated"))
    assert private.parse_guest(ev.private).action == "associated" and ev.xref
    assert events.parse_event(_msg("record-event-resumed")).resumed
    assert not events.parse_event(_msg("record-event")).resumed
    info = events.parse_event(_msg("call-information-event"))
    assert info.account_code == "4711" and info.connection.call_id
    assert _msg("associate-data")["accountCode"] == "34373131"
    assert errors.parse_error(_msg("csta-error")) == ("stateIncompatibility", "invalidObjectState")
    creds = session.parse_start_application_session(_msg("start-application-session")).credentials
    assert creds is not None and creds.password == "***", "the page shows the password masked"
    assert b"secret" not in EXAMPLES["start-application-session"][1]


def _table(heading: str) -> list[list[str]]:
    part = SECTION.split(heading, 1)[1].split("\n#", 1)[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in part.splitlines() if line.startswith("|")]
    return rows[2:]


def test_connector_table_names_the_requests_the_tserver_sends():
    rows = {int(r[0]): r for r in _table("### Private services and their connector functions")}
    assert set(rows) == set(spec.SERVICES), "one row per private service of the catalogue"
    link = CstaSwitchLink("csta://127.0.0.1:1040")
    args = {1: ("5001", "6001"), 2: ("5001",), 501: ("5001", "4711", "0001")}
    for number, (service, _seed, request, _response, _event, tlib) in ((n, r[:6]) for n, r in rows.items()):
        op = SERVICE_OPS[number][0]
        xml = link._request_for(op, *args.get(number, ("5001", "0001")))
        sent = parse(xml).name
        assert request.startswith(f"`{sent}`"), f"service {number}: the T-Server sends {sent}, the table says {request}"
        catalogued = getattr(spec.SERVICES[number], "csta", "")
        if catalogued:
            assert catalogued == sent, f"service {number}: the catalogue says {catalogued}"
        assert _seed == spec.SERVICES[number].connector
        assert tlib == f"EventPrivateInfo {spec.SERVICES[number].event}"


def test_namespace_table_matches_the_codec():
    from tsconform.csta import xml

    uris = {r[1].strip("`") for r in _table("### Namespaces")}
    assert uris == set(KNOWN_NAMESPACES)
    for name, uri in xml.EDITIONS.items():
        assert any(r[0] == f"`{name}`" and r[1] == f"`{uri}`" for r in _table("### Namespaces"))
    assert f"`{private.DEFAULT_PRIVATE_NAMESPACE}`" in SECTION


def test_error_categories_are_the_codecs():
    listed = re.search(r"The nine categories of the schema:\n\n(.*?)\.\n", SECTION, re.S)
    assert listed, "the CSTAErrorCode categories are listed"
    assert [c.strip().strip("`") for c in listed.group(1).replace("\n", " ").split(",")] == list(errors.CATEGORIES)
