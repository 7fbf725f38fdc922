"""Property-based tests of the CSTA codec: round trips, and arbitrary bytes give only its errors."""
import string

from hypothesis import given, settings, strategies as st

from tsconform.csta.framing import HEADER_SIZE, MAX_FRAME, CstaFrameError, FrameDecoder, encode_frame
from tsconform.csta.xml import DEFAULT_NAMESPACE, CstaXmlError, document, parse

invoke_ids = st.integers(min_value=0, max_value=9999)
payloads = st.binary(max_size=2000)
names = st.text(alphabet=string.ascii_letters, min_size=1, max_size=12)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co")), max_size=40)
content = st.dictionaries(names, texts, max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(invoke_ids, payloads), min_size=1, max_size=6), st.data())
def test_frames_round_trip_through_any_chunking(frames, data):
    stream = b"".join(encode_frame(i, p) for i, p in frames)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    decoder, got = FrameDecoder(), []
    for a, b in zip([0, *cuts], [*cuts, len(stream)]):
        got += decoder.feed(stream[a:b])
    assert [(f.invoke_id, f.xml) for f in got] == frames
    assert decoder.pending == 0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_only_frame_errors(data):
    try:
        frames = FrameDecoder().feed(data)
    except CstaFrameError as exc:
        assert exc.reason
        return
    assert all(len(f.xml) + HEADER_SIZE <= MAX_FRAME for f in frames)


@settings(max_examples=200, deadline=None)
@given(names, content)
def test_documents_round_trip(name, fields):
    msg = parse(document(name, fields))
    assert msg.name == name and msg.namespace == DEFAULT_NAMESPACE
    for key, value in fields.items():
        # XML turns line ends into \n; the codec strips surrounding whitespace from values
        assert msg.get(key) == value.replace("\r\n", "\n").replace("\r", "\n").strip()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300),
                 st.builds(lambda head, tail: head + tail,
                           st.sampled_from([b"<?xml version='1.0'?>", b"<!DOCTYPE x [", b"<a xmlns='urn:x'>", b"<"]),
                           st.binary(max_size=200))))
def test_arbitrary_xml_gives_only_xml_errors(data):
    try:
        parse(data)
    except CstaXmlError as exc:
        assert str(exc)
