"""The CSTA codec against real vendors' documents, read where they are kept (never copied here).

The material (samples of OpenScape Voice, Avaya AES DMCC, Mitel via estos, Uni-tel, Lync/SIPE,
Eltex, a SOAP-wrapped request) lies beside the checkout in ``../shared/reference/csta-real``,
or where the environment variable TSCONFORM_CSTA_REAL points. Without it these tests skip,
and say so.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tsconform.csta import services
from tsconform.csta.events import parse_event
from tsconform.csta.framing import FrameDecoder
from tsconform.csta.session import parse_start_application_session
from tsconform.csta.xml import edition, parse

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
