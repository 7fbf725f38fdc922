"""The CSTA codec: framing, namespaces, safe parsing, errors, private elements, events."""
from __future__ import annotations

import asyncio

import pytest

from tsconform.csta import Dialect, account_codes, devices, errors, events, private, services, session
from tsconform.csta.framing import (
    EVENT_INVOKE_ID, MAX_FRAME, CstaFrameError, FrameDecoder, InvokeIds, encode_frame, read_frame)
from tsconform.csta.services import ConnectionID
from tsconform.csta.events import parse_event
from tsconform.csta.xml import (APPL_SESSION, AVAYA, ED2, ED3, ED4, ED6, Accepted, CstaXmlError, document,
                                namespace_uri, parse)

# The real OpenScape Voice frame of the domain notes, with the callID shortened.
MAKE_CALL_RESPONSE = (
    b'<?xml version="1.0" encoding="UTF-8"?><MakeCallResponse xmlns="http://www.ecma-international.org/'
    b'standards/ecma-323/csta/ed4"><callingDevice><callID>FF0001</callID><deviceID>302118840100</deviceID>'
    b'</callingDevice></MakeCallResponse>')


# ---------------------------------------------------------------- framing
def test_frame_header_layout():
    frame = encode_frame(2, MAKE_CALL_RESPONSE)
    assert frame[:2] == b"\x00\x00"
    assert int.from_bytes(frame[2:4], "big") == len(frame) == 8 + len(MAKE_CALL_RESPONSE)
    assert frame[4:8] == b"0002"
    assert encode_frame("0002", MAKE_CALL_RESPONSE) == frame


def test_frame_round_trip_split_and_batched():
    frames = [encode_frame(i, f"<x{i}/>".encode()) for i in (1, 42, 9999)]
    stream = b"".join(frames)
    dec = FrameDecoder()
    got = []
    for i in range(len(stream)):  # one byte at a time
        got += dec.feed(stream[i:i + 1])
    assert [(f.invoke_id, f.xml) for f in got] == [(1, b"<x1/>"), (42, b"<x42/>"), (9999, b"<x9999/>")]
    assert [f.invoke_id for f in FrameDecoder().feed(stream)] == [1, 42, 9999]
    assert dec.pending == 0


def test_decode_real_frame():
    (frame,) = FrameDecoder().feed(encode_frame(2, MAKE_CALL_RESPONSE))
    msg = parse(frame.xml)
    assert services.parse_make_call_response(msg) == ConnectionID("FF0001", "302118840100")


@pytest.mark.parametrize("header, reason", [
    (b"\x00\x01\x00\x100001", "format indicator"),
    (b"\x00\x00\x00\x0700001", "shorter than the 8-byte header"),
    (b"\x00\x00\x00\x1000a1", "not 4 ASCII decimal digits"),
])
def test_bad_headers_are_fatal(header, reason):
    with pytest.raises(CstaFrameError) as exc:
        FrameDecoder().feed(b"\x00\x00\x00\x0d0001<ok/>" + header)
    assert reason in str(exc.value) and exc.value.fatal
    assert exc.value.offset == 13


def test_error_names_invoke_id_when_known():
    with pytest.raises(CstaFrameError, match=r"invoke ID 0007"):
        FrameDecoder().feed(b"\x00\x00\x00\x050007")


def test_oversized_frame_is_skipped():
    dec = FrameDecoder(max_frame=32)
    big = encode_frame(5, b"<x>" + b"a" * 40 + b"</x>")
    with pytest.raises(CstaFrameError) as exc:
        dec.feed(big + encode_frame(6, b"<ok/>"))
    assert not exc.value.fatal and exc.value.invoke_id == 5
    assert [f.invoke_id for f in dec.feed(b"")] == [6]


def test_encode_refuses_what_the_header_cannot_say():
    with pytest.raises(ValueError, match="exceeds"):
        encode_frame(1, b"x" * MAX_FRAME)
    for bad in (-1, 10000, "12", "abcd"):
        with pytest.raises(ValueError):
            encode_frame(bad, b"<x/>")


def test_invoke_ids_wrap_below_9999():
    ids = InvokeIds(start=9997)
    assert [ids.next() for _ in range(4)] == [9997, 9998, 1, 2]
    assert ids.next(in_use={3, 4}) == 5
    assert EVENT_INVOKE_ID == 9999


def test_read_frame_from_stream():
    async def go():
        r = asyncio.StreamReader()
        r.feed_data(encode_frame(12, b"<a/>") + b"\x00\x00\x00")
        r.feed_eof()
        first = await read_frame(r)
        with pytest.raises(CstaFrameError, match="inside a header"):
            await read_frame(r)
        r2 = asyncio.StreamReader()
        r2.feed_eof()
        return first, await read_frame(r2)
    first, eof = asyncio.run(go())
    assert (first.invoke_id, first.xml) == (12, b"<a/>") and eof is None


# ---------------------------------------------------------------- namespaces
@pytest.mark.parametrize("edition, uri", [("ed3", ED3), ("ed4", ED4), ("ed6", ED6)])
def test_namespaces_emitted(edition, uri):
    doc = services.monitor_start("5001", namespace_uri(edition))
    assert f'xmlns="{uri}"'.encode() in doc
    assert parse(doc).namespace == uri
    assert Dialect(edition).namespace == uri


@pytest.mark.parametrize("uri", [ED2, ED3, ED4, ED6, "http://www.ecma.ch/standards/ecma-323/csta/ed6",
                                 "http://www.ecma-international.org/standards/ecma-323/csta/ed5",
                                 ED3 + "/priv6", AVAYA, ""])
def test_editions_on_both_hosts_vendor_uris_and_none_accepted(uri):
    assert parse(document("SystemStatus", {"systemStatus": "normal"}, uri or None)).namespace == uri


def test_unknown_namespaces_refused():
    with pytest.raises(ValueError):
        namespace_uri("ed5")
    for uri in ("urn:other", "http://www.ecma-international.org/standards/ecma-323/csta/ed7",
                "http://www.ecma-international.org/standards/ecma-323/csta/ed4x", "http://example.com/csta/ed4"):
        with pytest.raises(CstaXmlError, match="not a known CSTA namespace"):
            parse(document("MonitorStart", None, uri))
    with pytest.raises(CstaXmlError, match="not a known CSTA namespace"):
        parse(b"<MonitorStart/>", accept=Accepted(none=False))


def test_soap_envelope_opened():
    doc = (b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Header/><e:Body>'
           b'<c:MonitorStop xmlns:c="' + ED6.encode() + b'"><c:monitorCrossRefID>7</c:monitorCrossRefID>'
           b'</c:MonitorStop></e:Body></e:Envelope>')
    msg = parse(doc)
    assert (msg.name, msg.namespace, msg["monitorCrossRefID"]) == ("MonitorStop", ED6, "7")
    with pytest.raises(CstaXmlError, match="no message in its Body"):
        parse(b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>')
    with pytest.raises(CstaXmlError, match="not a known CSTA namespace"):
        parse(b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><x xmlns="urn:o"/>'
              b'</e:Body></e:Envelope>')


@pytest.mark.parametrize("ident, dn", [("5001", "5001"), ("N<302118840100>;noa=nk", "302118840100"),
                                       ("N<5001>", "5001"), ("5001:CM1:10.0.0.1:0", "5001"),
                                       ("N<+4930123>;noa=intl", "+4930123")])
def test_device_identifiers_give_the_dn(ident, dn):
    ev = parse_event(parse(events.call_event("DeliveredEvent", "7", services.ConnectionID("0001", ident),
                                             calling=ident, called="6001", alerting=ident)))
    assert ev.connection.device_id == dn and ev.devices["callingDevice"] == dn
    assert services.monitor_start_device(parse(services.monitor_start(ident))) == dn
    for form in devices.FORMS:
        assert devices.dn(devices.identifier(dn, form)) == dn
    with pytest.raises(devices.DeviceFormError):
        devices.identifier(dn, "other")


# ---------------------------------------------------------------- untrusted XML
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<SystemStatus xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed4"><systemStatus>&lol3;</systemStatus></SystemStatus>"""


def test_billion_laughs_refused():
    with pytest.raises(CstaXmlError, match="DTD"):
        parse(BILLION_LAUGHS)


def test_external_entity_refused_and_never_read(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("SENTINEL-CONTENT")
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda f, *a, **k: opened.append(str(f)) or real_open(f, *a, **k))
    for target in ("file:///etc/passwd", secret.as_uri()):
        doc = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "{target}">]>'
               f'<MonitorStart xmlns="{ED4}"><monitorObject><deviceObject>&xxe;</deviceObject>'
               f'</monitorObject></MonitorStart>').encode()
        with pytest.raises(CstaXmlError) as exc:
            parse(doc)
        assert "DTD" in str(exc.value) and "SENTINEL" not in str(exc.value) and "root:" not in str(exc.value)
    assert not [f for f in opened if "passwd" in f or "secret" in f]


def test_size_limit_and_garbage():
    with pytest.raises(CstaXmlError, match="exceeds the limit of 100"):
        parse(document("X", {"a": "b" * 200}), max_size=100)
    with pytest.raises(CstaXmlError, match="not well-formed"):
        parse(b"<MakeCall><unclosed></MakeCall>")
    with pytest.raises(CstaXmlError, match="empty"):
        parse(b"  ")


def test_message_access():
    msg = parse(MAKE_CALL_RESPONSE)
    assert msg.name == "MakeCallResponse" and msg.namespace == ED4
    assert msg["callingDevice/deviceID"] == "302118840100"
    assert "callingDevice/callID" in msg and msg.get("nothing") is None
    assert msg.to_dict() == {"callingDevice": {"callID": "FF0001", "deviceID": "302118840100"}}
    with pytest.raises(KeyError):
        msg["nothing"]


# ---------------------------------------------------------------- CSTAErrorCode
@pytest.mark.parametrize("category", errors.CATEGORIES)
def test_error_categories_round_trip(category):
    value = "unspecified" if category == "unspecified" else "generic"
    assert errors.parse_error(parse(errors.error_document(category, "generic"))) == (category, value)


def test_unspecified_is_emitted_empty_and_read_whatever_it_holds():
    doc = errors.error_document("unspecified", "unspecified")
    assert parse(doc).find("unspecified").text is None
    for body in ("<unspecified/>", "<unspecified>unspecified</unspecified>", "<unspecified>x</unspecified>"):
        assert errors.parse_error(parse(f'<CSTAErrorCode xmlns="{ED4}">{body}</CSTAErrorCode>'.encode())) \
            == ("unspecified", "unspecified")


def test_both_spellings_of_system_resource():
    emitted = errors.error_document("systemResourceAvailability", "resourceBusy")
    assert b"<systemResourceAvailibility>resourceBusy" in emitted
    for spelling in ("systemResourceAvailibility", "systemResourceAvailability"):
        doc = f'<CSTAErrorCode xmlns="{ED4}"><{spelling}>resourceBusy</{spelling}></CSTAErrorCode>'.encode()
        assert errors.parse_error(parse(doc)) == ("systemResourceAvailibility", "resourceBusy")


def test_error_code_must_hold_one_known_category():
    with pytest.raises(CstaXmlError, match="exactly one"):
        errors.parse_error(parse(f'<CSTAErrorCode xmlns="{ED4}"><operation>a</operation>'
                                 f'<unspecified>b</unspecified></CSTAErrorCode>'.encode()))
    with pytest.raises(CstaXmlError, match="not a CSTAErrorCode category"):
        errors.parse_error(parse(f'<CSTAErrorCode xmlns="{ED4}"><bogus>a</bogus></CSTAErrorCode>'.encode()))
    with pytest.raises(ValueError):
        errors.error_document("bogus", "x")


# ---------------------------------------------------------------- private elements
@pytest.mark.parametrize("name", private.ESCAPE_NAMES)
def test_escape_with_guest_associated_extension(name):
    el = private.guest_extension("5001", "6001", "associate", "urn:example:private")
    doc = private.escape_request(el, name, ED6)
    from tsconform.csta.xml import serialize
    msg = parse(serialize(doc))
    assert msg.name == name and msg.namespace == ED6
    found = private.find_private(msg, private.EXTENSION)
    assert found.tag == "{urn:example:private}guestAssociatedExtension"
    assert private.parse_guest(found) == private.GuestAssociation("5001", "6001", "associate")


def test_private_event_with_guest_associated_event():
    el = private.guest_event("5001", None, "dissociated")
    info = events.parse_event(parse(events.private_event("3", el)))
    assert info.xref == "3" and events.private_name(info) == private.EVENT
    assert info.private.tag == f"{{{private.DEFAULT_PRIVATE_NAMESPACE}}}guestAssociatedEvent"
    assert private.parse_guest(info.private) == private.GuestAssociation("5001", None, "dissociated")


def test_private_actions_checked():
    with pytest.raises(ValueError):
        private.guest_extension("5001", "6001", "associated")
    with pytest.raises(ValueError):
        private.escape_request(private.guest_extension("5001", None, "dissociate"), "EscapeRequest")
    bad = private.guest_event("5001", "6001", "associated")
    bad.find("action").text = "associate"
    with pytest.raises(CstaXmlError, match="action"):
        private.parse_guest(bad)


# ---------------------------------------------------------------- services and events
@pytest.mark.parametrize("name", list(services.CONNECTION_REQUESTS))
def test_connection_requests(name):
    msg = parse(services.connection_request(name, ConnectionID("0001", "5001")))
    assert msg.name == name and services.request_connection(msg) == ConnectionID("0001", "5001")
    assert msg.find(services.CONNECTION_REQUESTS[name]) is not None


def test_make_call_and_monitor():
    assert services.parse_make_call(parse(services.make_call("5001", "6001"))) == ("5001", "6001")
    assert services.monitor_start_device(parse(services.monitor_start("5001"))) == "5001"
    assert parse(services.monitor_start_response("12"))["monitorCrossRefID"] == "12"
    assert parse(services.record_message_response("m1"))["resultingMessage"] == "m1"
    with pytest.raises(CstaXmlError, match="no callingDevice"):
        services.parse_make_call(parse(document("MakeCall", {"calledDirectoryNumber": "1"})))


def test_account_code_set_and_reported():
    doc = account_codes.associate_data(ConnectionID("0001", "5001"), "4711")
    assert b"<accountCode>34373131</accountCode>" in doc
    info = events.parse_event(parse(account_codes.call_information_event(
        "4", ConnectionID(None, "5001"), "5001", "4711")))
    assert (info.name, info.account_code) == ("CallInformationEvent", "4711")
    assert info.connection == ConnectionID(None, "5001")
    with pytest.raises(CstaXmlError, match="hexBinary"):
        account_codes.parse_associate_data(parse(document("AssociateData", {
            "existingCall": {"deviceID": "5001"}, "accountCode": "zz"})))


def test_recording_events_tell_resume_from_start():
    conn = ConnectionID("0001", "5001")
    start = events.parse_event(parse(events.recording_event("RecordEvent", "1", conn, "m")))
    resume = events.parse_event(parse(events.recording_event("RecordEvent", "1", conn, "m", resumed=True)))
    assert (start.resumed, resume.resumed) == (False, True)
    assert resume.message == "m" and resume.connection == conn
    with pytest.raises(ValueError):
        events.recording_event("StopEvent", "1", conn, "m", resumed=True)


@pytest.mark.parametrize("name", list(events.CALL_EVENTS))
def test_call_events(name):
    info = events.parse_event(parse(events.call_event(
        name, "9", ConnectionID("0002", "6001"), initiating="5001", calling="5001", called="6001",
        alerting="6001", answering="6001", releasing="6001")))
    assert info.name == name and info.xref == "9" and info.connection.call_id == "0002"
    roles = events.CALL_EVENTS[name][0]
    assert set(info.devices) == set(roles)


def test_event_needs_cross_reference():
    with pytest.raises(CstaXmlError, match="monitorCrossRefID"):
        events.parse_event(parse(document("StopEvent", {"connection": {"callID": "1"}})))


# ---------------------------------------------------------------- session starts
def test_start_application_session_round_trip_and_redaction():
    creds = session.Credentials("app", "pa55word")
    doc = session.start_application_session("tsconform", creds, ED4)
    req = session.parse_start_application_session(parse(doc))
    assert req == session.SessionRequest("tsconform", creds, (ED4,))
    assert parse(doc).namespace == APPL_SESSION
    assert b"pa55word" not in session.redact(doc) and b"pa55word" in doc
    assert "pa55word" not in repr(creds)
    neg = parse(session.start_application_session_neg("invalidApplicationInfo"))
    assert neg.name == "StartApplicationSessionNegResponse"
    assert neg["errorCode/definedError"] == "invalidApplicationInfo"


def test_credentials_from_environment(monkeypatch):
    monkeypatch.setenv("TSCONFORM_CSTA_USER", "u")
    monkeypatch.setenv("TSCONFORM_CSTA_PASSWORD", "p")
    assert session.Credentials.from_env() == session.Credentials("u", "p")
    monkeypatch.delenv("TSCONFORM_CSTA_USER")
    assert session.Credentials.from_env() is None


def test_system_status_documents():
    assert parse(session.system_status("normal"))["systemStatus"] == "normal"
    assert parse(session.system_register_response("1"))["sysStatRegisterID"] == "1"


# ---------------------------------------------------------------- documented examples
def test_every_example_frame_decodes():
    from tsconform.csta.examples import EXAMPLES, hexdump
    for key, (title, frame) in EXAMPLES.items():
        (decoded,) = FrameDecoder().feed(frame)
        msg = parse(decoded.xml)
        assert title and key and hexdump(frame).startswith("00 00 |")
        if msg.name.endswith("Event"):
            assert decoded.invoke_id == EVENT_INVOKE_ID
            events.parse_event(msg)
    assert b"secret" not in EXAMPLES["start-application-session"][1]
    assert private.parse_guest(private.find_private(
        parse(EXAMPLES["escape-associate"][1][8:]), private.EXTENSION)).host == "6001"
