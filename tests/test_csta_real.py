"""The CSTA codec and `tsconform dissect` against real vendors' documents, read where they are
kept (never copied here): every document parses, and, framed into one capture, is listed by
the dissector (and by tshark with the Lua dissector) with its root, its invoke ID, the fields
the wire checks read, and its credentials masked.

The material (samples of OpenScape Voice, Avaya AES DMCC, Mitel via estos, Uni-tel, Lync/SIPE,
Eltex, a SOAP-wrapped request) lies beside the checkout in ``../shared/reference/csta-real``,
or where the environment variable TSCONFORM_CSTA_REAL points. Without it these tests skip,
and say so.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from tsconform import wire
from tsconform.capture import PcapRecorder
from tsconform.csta import services
from tsconform.csta.events import parse_event
from tsconform.csta.framing import FrameDecoder
from tsconform.csta.session import Credentials, parse_start_application_session, redact
from tsconform.csta.xml import edition, parse
from tsconform.dissect import read_capture
from tsconform.dissect.cli import main as dissect_main
from tsconform.dissect.csta_framing import make_frame
from tsconform.dissect.reader import CSTA_PORT
from tsconform.dissect.tshark import tshark_path, tshark_pdus

ROOT = Path(__file__).resolve().parent.parent
REAL = Path(os.environ.get("TSCONFORM_CSTA_REAL", ROOT.parent / "shared" / "reference" / "csta-real"))
SAMPLES = REAL / "samples"
DOCUMENTS = sorted(SAMPLES.rglob("*.xml")) if SAMPLES.is_dir() else []
needs_samples = pytest.mark.skipif(not DOCUMENTS, reason=f"no real CSTA samples at {REAL} (TSCONFORM_CSTA_REAL)")


def _id(p: Path) -> str:
    return str(p.relative_to(SAMPLES))


@needs_samples
def test_every_sample_is_there():
    vendors = {p.relative_to(SAMPLES).parts[0] for p in DOCUMENTS}
    assert {"avaya-dmcc", "mitel-estos", "openscape-voice", "soap-wrapped", "unitel"} <= vendors


@needs_samples
@pytest.mark.parametrize("path", DOCUMENTS, ids=_id)
def test_every_real_document_parses(path):
    msg = parse(path.read_bytes())
    assert msg.name and msg.name != "Envelope"
    if msg.name.endswith("Event"):
        ev = parse_event(msg)
        assert all("<" not in d and ":" not in d for d in ev.devices.values()), ev.devices
    if msg.name == "MonitorStart":
        device = services.monitor_start_device(msg)
        assert device and not device.startswith("N<") and ":" not in device, device
    if msg.name == "StartApplicationSession":
        parse_start_application_session(msg)


@needs_samples
def test_real_openscape_frames_decode_and_give_plain_dns():
    for name in ("01-ServiceInitiatedEvent.frame", "02-OriginatedEvent.frame"):
        data = (SAMPLES / "openscape-voice" / "captured" / name).read_bytes()
        frames = FrameDecoder().feed(data)
        assert len(frames) == 1 and frames[0].invoke_id == 9999
        ev = parse_event(parse(frames[0].xml))
        assert edition(parse(frames[0].xml).namespace) == "ed4"
        assert ev.devices and all(d.isdigit() for d in ev.devices.values()), ev.devices
        assert ev.devices.get("callingDevice", ev.devices.get("initiatingDevice")) == "302118840100"


@needs_samples
@pytest.mark.parametrize("sample, root, ed", [
    ("avaya-dmcc/MonitorStart.rendered.xml", "MonitorStart", "ed3"),
    ("mitel-estos/CSTAErrorCode.ed5-prefixed.xml", "CSTAErrorCode", "ed5"),
    ("unitel/MonitorStartResponse.xml", "MonitorStartResponse", "ed6"),
    ("openscape-voice/captured/04-StartApplicationSessionPosResponse.xml", "StartApplicationSessionPosResponse", None),
    ("openscape-voice/templates/SystemRegisterResponse.xml", "SystemRegisterResponse", None),
    ("soap-wrapped/GetPhysicalDeviceInformation.soap.xml", "GetPhysicalDeviceInformation", "ed4"),
])
def test_the_documents_the_codec_used_to_refuse(sample, root, ed):
    msg = parse((SAMPLES / sample).read_bytes())
    assert msg.name == root and edition(msg.namespace) == ed


@needs_samples
def test_avaya_device_identifiers_give_the_extension():
    msg = parse((SAMPLES / "avaya-dmcc" / "MonitorStart.rendered.xml").read_bytes())
    assert services.monitor_start_device(msg) == "5001"
    clear = parse((SAMPLES / "avaya-dmcc" / "ClearConnection.rendered.xml").read_bytes())
    assert services.connection_of(clear, "connectionToBeCleared").device_id == "5001"


# ---------------------------------------------------------------- through tsconform dissect
SECRETS = {"avaya-dmcc/StartApplicationSession.rendered.xml": ("user", "secret"),
           "eltex-ecss10/StartApplicationSession.xml": ("p.city", "1234")}
# What the suite reads of some samples, as the wire checks read it from a dissected PDU.
WIRE_FIELDS = {
    "openscape-voice/captured/01-ServiceInitiatedEvent.xml": {
        "monitorCrossRefID": "1169730059", "callID": "FF000100000000002D65C85C1C750000",
        "deviceID": "302118840100", "deviceIdentifier": "302118840100"},
    "openscape-voice/captured/02-OriginatedEvent.xml": {"deviceIdentifier": "302118840100"},
    "openscape-voice/captured/06-MonitorStartResponse.xml": {"monitorCrossRefID": "1136370025"},
    "avaya-dmcc/ClearConnection.rendered.xml": {"deviceID": "5001", "callID": "1234"},
    "avaya-dmcc/MonitorStart.rendered.xml": {"deviceObject": "5001"},
    "mitel-estos/MonitorStart.ed5-prefixed.xml": {"deviceObject": "123!98"},
    "unitel/MonitorStartResponse.xml": {"monitorCrossRefID": "12345678"},
    "soap-wrapped/GetPhysicalDeviceInformation.soap.xml": {"device": "5001"},
}


def _from_switch(root: str) -> bool:
    return root.endswith(("Event", "Response")) or root == "CSTAErrorCode"


def _framed(path: Path, number: int) -> tuple[str, bytes]:
    """(invoke ID, frame): the OpenScape frames whose header is right as captured, the others
    framed here with invoke ID number."""
    frame = path.with_suffix(".frame")
    if path.parent.name == "captured" and path.name[:2] in ("01", "02"):
        raw = frame.read_bytes()
        return raw[4:8].decode(), raw
    return f"{number:04d}", make_frame(f"{number:04d}", path.read_bytes())


@pytest.fixture(scope="module")
def dissected(tmp_path_factory):
    """Every sample framed in one capture and listed by `tsconform dissect --json`."""
    pcap = tmp_path_factory.mktemp("real") / "real-samples.pcap"
    expected = []
    with PcapRecorder(pcap) as rec:
        flow = rec.open_flow(("10.0.0.2", 50000), ("10.0.0.1", CSTA_PORT))
        for number, path in enumerate(DOCUMENTS, 1):
            invoke, frame = _framed(path, number)
            root = parse(path.read_bytes()).name
            (flow.server_sent if _from_switch(root) else flow.client_sent)(frame)
            expected.append((_id(path), invoke, root))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = dissect_main([str(pcap), "--json"])
    assert code == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return pcap, expected, lines, out.getvalue()


@needs_samples
def test_every_sample_gets_through_dissect_with_its_root_and_invoke_id(dissected):
    _, expected, listed, _ = dissected
    assert len(listed) == len(DOCUMENTS) == 44
    assert [(x["link"], x["invoke_id"], x["message"]) for x in listed] == \
        [("csta", invoke, root) for _, invoke, root in expected]


@needs_samples
def test_dissect_shows_each_document_as_sent_with_credentials_masked(dissected):
    _, expected, listed, text = dissected
    for (sample, _, _), pdu in zip(expected, listed):
        sent = (SAMPLES / sample).read_bytes().decode("utf-8")
        assert pdu["xml"] == redact(sent.encode()).decode(), sample
    for sample, (user, password) in SECRETS.items():
        xml = next(p["xml"] for (s, _, _), p in zip(expected, listed) if s == sample)
        assert f">{user}<" in xml and f">{password}<" not in xml and ":password>***</" in xml
    assert all(f"password>{password}<" not in text for _, password in SECRETS.values())


@needs_samples
def test_dissected_samples_give_the_fields_the_suite_reads(dissected):
    pcap, expected, _, _ = dissected
    pdus = read_capture(pcap).select(link="csta")
    by_sample = {sample: pdu for (sample, _, _), pdu in zip(expected, pdus)}
    for sample, fields in WIRE_FIELDS.items():
        for key, want in fields.items():
            assert wire._has(by_sample[sample], key, want), (sample, key, wire._text(by_sample[sample], key), want)


@needs_samples
def test_vendor_login_elements_are_read_as_credentials():
    for sample, (user, password) in SECRETS.items():
        req = parse_start_application_session(parse((SAMPLES / sample).read_bytes()))
        assert req.credentials == Credentials(user, password), sample
        assert req.protocols and edition(req.protocols[0]) == "ed3"


@needs_samples
@pytest.mark.skipif(tshark_path() is None, reason="tshark is not installed: the cross-check cannot run")
def test_tshark_with_the_lua_dissector_lists_the_same_samples(dissected):
    pcap, expected, _, _ = dissected
    theirs = [(x["link"], x["invoke_id"], x["message"]) for x in tshark_pdus(pcap)]
    assert theirs == [("csta", invoke, root) for _, invoke, root in expected]
