"""Every CSTA document the project emits is valid against the ECMA-323 / ECMA-354 schema models.

The validator (``tsconform.csta.schema``) is tested first on small models written here. The
models of the real schemas are JSON files kept beside the checkout in
``../shared/reference/csta-real/schema-model`` (or under TSCONFORM_CSTA_REAL), never copied
into the project; without them the tests that need them skip, and say so.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tsconform import spec
from tsconform.csta import account_codes, errors, events, private, services, session
from tsconform.csta.examples import EXAMPLES
from tsconform.csta.framing import HEADER_SIZE
from tsconform.csta.schema import SchemaModel, SchemaModelError, Schemas
from tsconform.csta.services import ConnectionID
from tsconform.csta.xml import APPL_SESSION, ED3, ED4, ED6, document, serialize
from tsconform.dissect import read_capture

from .test_csta_real import REAL

ROOT = Path(__file__).resolve().parent.parent
MODELS = REAL / "schema-model"
HAVE_MODELS = (MODELS / "ecma-323-ed6.model.json").is_file()
needs_models = pytest.mark.skipif(not HAVE_MODELS, reason=f"no CSTA schema models at {MODELS} (TSCONFORM_CSTA_REAL)")

# ---------------------------------------------------------------- the validator on small models
TOY = {"namespace": "urn:toy", "roots": {"Msg": "Msg", "Err": "Failure"}, "types": {
    "Msg": {"sequence": [{"name": "id", "type": "string"}, {"name": "colour", "type": "Colour"},
                         {"name": "conn", "type": "Conn"}, {"name": "flag", "type": "bool"},
                         {"name": "items", "listOf": {"item": "long"}},
                         {"name": "dev", "type": "Dev"}, {"name": "ext", "type": "Ext"}]},
    "Colour": {"enum": ["red", "blue"]},
    "Conn": {"sequence": [[{"name": "callID", "type": "string", "repeat": True},
                           {"name": "deviceID", "type": "Dev", "repeat": True}]]},
    "Dev": {"attributes": ["typeOfNumber"], "simpleContent": "string"},
    "Ext": {"sequence": [{"name": "privateData", "type": "Private"}]},
    "Private": {"sequence": [[{"name": "private", "type": "Any"}, {"name": "string", "type": "hex"}]]},
    "Any": {"sequence": [{"name": "*", "type": "any", "repeat": True}]},
    "Failure": {"sequence": [[{"name": "operation", "type": "Colour"}, {"name": "unspecified", "type": "Empty"}]]},
    "Empty": {},
    "Sub": {"base": "Dev"},
}}
toy = SchemaModel(TOY)


def doc(body: str, root: str = "Msg", ns: str = "urn:toy") -> bytes:
    return f'<{root} xmlns="{ns}">{body}</{root}>'.encode()


def test_a_valid_document_passes():
    body = ('<id>x</id><colour>red</colour><conn><deviceID typeOfNumber="other">5001</deviceID>'
            '<callID>1</callID></conn><flag>true</flag><items><item>1</item><item>2</item></items>'
            '<dev>5001</dev><ext><privateData><private><p:any xmlns:p="urn:vendor"><p:x/></p:any>'
            '</private></privateData></ext>')
    assert toy.validate(doc(body)) == []
    assert toy.validate(doc("")) == []                 # minOccurs is unknown: nothing is required
    assert toy.validate(doc("<unspecified/>", "Err")) == []


@pytest.mark.parametrize("body, root, problem", [
    ("<colour>red</colour><id>x</id>", "Msg", "/Msg/id: out of order (after colour)"),
    ("<colour>green</colour>", "Msg", "/Msg/colour: 'green' is not one of red, blue"),
    ("<id>x</id><bogus/>", "Msg", "/Msg/bogus: unknown element; Msg holds id, colour, conn, flag, items, dev, ext"),
    ("<unspecified>unspecified</unspecified>", "Err", "/Err/unspecified: text in an empty element"),
    ("<id>x</id><id>y</id>", "Msg", "/Msg/id: repeated"),
    ("<operation>red</operation><unspecified/>", "Err", "/Err/unspecified: a second choice after operation"),
    ("<flag>yes</flag>", "Msg", "/Msg/flag: 'yes' is not a boolean"),
    ("<items><item>1</item><other>2</other></items>", "Msg", "/Msg/items/other: unknown element; a list of item"),
    ('<dev bogus="1">5001</dev>', "Msg", "/Msg/dev: attribute bogus is not allowed"),
    ("<dev><x/></dev>", "Msg", "/Msg/dev: holds elements (x), expected a value"),
    ("<conn>text<callID>1</callID></conn>", "Msg", "/Msg/conn: text in an element that holds elements"),
    ('<id xmlns="urn:other">x</id>', "Msg", "/Msg/id: namespace 'urn:other', expected 'urn:toy'"),
    ("<ext><privateData><private><a/></private><string>abc</string></privateData></ext>", "Msg",
     "/Msg/ext/privateData/string: a second choice after private"),
])
def test_each_fault_is_found_and_named_by_its_path(body, root, problem):
    assert toy.validate(doc(body, root)) == [problem]


def test_the_root_must_be_a_global_element_in_the_models_namespace():
    assert toy.validate(doc("", "Conn")) == ["/Conn: no global element Conn in model"]
    assert toy.validate(doc("", ns="urn:else")) == ["/Msg: namespace 'urn:else', expected 'urn:toy'"]
    assert toy.validate(doc("", ns="urn:else"), namespace="urn:else") == []


def test_private_data_is_not_a_child_of_a_message_that_has_extensions():
    body = "<id>x</id><privateData><private><a/></private></privateData>"
    assert toy.validate(doc(body))[0].startswith("/Msg/privateData: unknown element")


def test_bad_model_files_are_refused_clearly(tmp_path):
    with pytest.raises(SchemaModelError, match="not a schema model"):
        SchemaModel({"types": {}})
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(SchemaModelError, match="cannot read the schema model broken.json"):
        SchemaModel.load(tmp_path / "broken.json")
    with pytest.raises(SchemaModelError, match="no schema model"):
        Schemas.load(tmp_path)


def test_items_without_keys_and_unknown_types_are_tolerated():
    model = SchemaModel({"namespace": "urn:t", "roots": {"R": "R"}, "types": {
        "R": {"sequence": [{"type": "any"}, {"name": "a", "type": "NotInTheModel"}]}}})
    assert model.validate(b'<R xmlns="urn:t"><a><whatever/></a></R>') == []


def test_ed4_documents_are_checked_against_both_models_with_the_namespace_taken_as_theirs():
    ed3 = SchemaModel({**TOY, "namespace": ED3}, "ed3")
    ed6 = SchemaModel({**TOY, "namespace": ED6, "types": {**TOY["types"], "Colour": {"enum": ["red"]}}}, "ed6")
    schemas = Schemas({"ed3": ed3, "ed6": ed6})
    assert schemas.validate(doc("<colour>red</colour>", ns=ED4)) == []
    assert schemas.validate(doc("<colour>blue</colour>", ns=ED4)) == ["/Msg/colour: 'blue' is not one of red [ed6]"]
    assert schemas.validate(doc("<colour>blue</colour>", ns=ED3)) == []
    assert schemas.validate(doc("", ns="urn:x")) == ["/Msg: namespace 'urn:x' is neither ECMA-323 nor ECMA-354"]
    assert schemas.validate(doc("", ns=APPL_SESSION)) == ["/Msg: no ecma-354-appl_session.model.json to check against"]


# ---------------------------------------------------------------- what the project builds
@pytest.fixture(scope="module")
def schemas() -> Schemas:
    return Schemas.load(MODELS)


def _switch_error_pairs() -> set[tuple[str, str]]:
    """Every (category, value) the project's ends raise or answer, and the catalogue's pairs."""
    pairs = set(spec.CSTA_ERROR_CODES) | {e.csta_error for e in spec.ERRORS.values() if e.csta_error}
    call = re.compile(r'(?:SwitchError|respond_error)\((?:invoke_id, |frame\.invoke_id, )?"(\w+)", "(\w+)"')
    const = re.compile(r'= \("(systemResourceAvailibility|operation|stateIncompatibility)", "(\w+)"\)')
    for path in (ROOT / "src" / "tsconform").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        pairs |= set(call.findall(text)) | set(const.findall(text))
    return pairs


ERROR_PAIRS = sorted(_switch_error_pairs())
CALL = ConnectionID("0001", "5001")
MSG = "rec-0001-5001"


def _builders(ns: str) -> dict[str, bytes]:
    ext = private.guest_extension("5001", "6001", "associate")
    out = {
        "SystemStatus": session.system_status(ns=ns), "SystemRegister": session.system_register(ns),
        "SystemRegisterResponse": session.system_register_response("1", ns),
        "MonitorStart": services.monitor_start("5001", ns),
        "MonitorStartResponse": services.monitor_start_response("1", ns),
        "MakeCall": services.make_call("5001", "7001", ns),
        "MakeCallResponse": services.make_call_response(CALL, ns),
        "RecordMessageResponse": services.record_message_response(MSG, ns),
        "AssociateData": account_codes.associate_data(CALL, "4711", ns),
        "CallInformationEvent": account_codes.call_information_event("1", CALL, "5001", "4711", ns),
        "CallInformationEvent walk-away": account_codes.call_information_event(
            "1", ConnectionID(None, "5001"), "5001", "4711", ns),
        "Escape associate": serialize(private.escape_request(ext, "Escape", ns)),
        "Escape dissociate": serialize(private.escape_request(
            private.guest_extension("5001", None, "dissociate"), "Escape", ns)),
        "PrivateEvent": events.private_event("1", private.guest_event("5001", "6001", "associated"), ns),
        "RecordEvent resumed": events.recording_event("RecordEvent", "1", CALL, MSG, resumed=True, ns=ns),
    }
    for name in services.CONNECTION_REQUESTS:
        out[name] = services.connection_request(name, CALL, ns)
    for name in ("SystemStatusResponse", "MonitorStopResponse", "AnswerCallResponse", "ClearConnectionResponse",
                 "StopResponse", "SuspendResponse", "ResumeResponse", "AssociateDataResponse", "EscapeResponse"):
        out[name] = services.response(name, None, ns)
    for name in events.CALL_EVENTS:
        out[name] = events.call_event(name, "1", CALL, ns, initiating="5001", calling="5001", called="7001",
                                      alerting="7001", answering="7001", releasing="5001")
    out["DeliveredEvent unknown devices"] = events.call_event("DeliveredEvent", "1", CALL, ns)
    for name in events.RECORDING_EVENTS:
        out[name] = events.recording_event(name, "1", CALL, MSG, ns=ns)
    for category, value in ERROR_PAIRS:
        out[f"CSTAErrorCode {category}/{value}"] = errors.error_document(category, value, ns)
    return out


def _session_messages() -> dict[str, bytes]:
    out = {"StartApplicationSession": session.start_application_session("tsconform"),
           "StartApplicationSession with credentials": session.start_application_session(
               "tsconform", session.Credentials("app", "secret"), ED6),
           "StartApplicationSessionPosResponse": session.start_application_session_pos("sim", ED4)}
    for error in session.NEG_ERRORS:
        out[f"StartApplicationSessionNegResponse {error}"] = session.start_application_session_neg(error)
    return out


BUILT = [(f"{ed} {name}", xml) for ed, ns in (("ed3", ED3), ("ed4", ED4), ("ed6", ED6))
         for name, xml in _builders(ns).items()] + list(_session_messages().items())


def test_the_error_pairs_include_every_kind_the_switch_raises():
    assert ("systemResourceAvailibility", "resourceBusy") in ERROR_PAIRS
    assert ("unspecified", "unspecified") in ERROR_PAIRS and ("operation", "privateDataNotSupported") in ERROR_PAIRS
    assert ("systemResourceAvailibility", "resourceOutOfService") in ERROR_PAIRS
    assert not any(value == "serviceBusy" for _, value in ERROR_PAIRS)


@needs_models
@pytest.mark.parametrize("name, xml", BUILT, ids=[n for n, _ in BUILT])
def test_every_builder_output_is_schema_valid(schemas, name, xml):
    assert schemas.validate(xml) == []


@needs_models
@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_every_documented_example_frame_is_schema_valid(schemas, key):
    _, frame = EXAMPLES[key]
    assert schemas.validate(frame[HEADER_SIZE:]) == []


@needs_models
def test_the_four_kinds_once_invalid_are_caught_by_the_check(schemas):
    """What the project used to send, so the check is known to catch each kind."""
    ns = f'xmlns="{ED4}"'
    old = {
        f'<RecordEvent {ns}><monitorCrossRefID>1</monitorCrossRefID><privateData><private><recordingResumed '
        f'xmlns="urn:p"/></private></privateData></RecordEvent>': "/RecordEvent/privateData: unknown element",
        f'<CSTAErrorCode {ns}><systemResourceAvailibility>serviceBusy</systemResourceAvailibility>'
        f'</CSTAErrorCode>': "/CSTAErrorCode/systemResourceAvailibility: 'serviceBusy' is not one of",
        f'<CSTAErrorCode {ns}><unspecified>unspecified</unspecified></CSTAErrorCode>':
            "/CSTAErrorCode/unspecified: text in an empty element",
        f'<StartApplicationSessionNegResponse xmlns="{APPL_SESSION}"><errorCode><definedError>noSessionCapacity'
        f'</definedError></errorCode></StartApplicationSessionNegResponse>':
            "/StartApplicationSessionNegResponse/errorCode/definedError: 'noSessionCapacity' is not one of",
    }
    for xml, problem in old.items():
        found = schemas.validate(xml.encode())
        assert found and all(p.startswith(problem) for p in found), (xml, found)
    with pytest.raises(ValueError, match="not an ECMA-354 definedError"):
        session.start_application_session_neg("noSessionCapacity")


@needs_models
def test_escape_service_is_a_vendor_variant_outside_the_schema(schemas):
    """`EscapeService` (csta.escape_name) has no global element in ed3 or ed6; it is excluded
    from the validity claim on purpose, and this test keeps that exclusion explicit."""
    el = private.guest_extension("5001", "6001", "associate")
    for ns in (ED3, ED6):
        found = schemas.validate(serialize(private.escape_request(el, "EscapeService", ns)))
        assert found == [f"/EscapeService: no global element EscapeService in ecma-323-{ns[-3:]}.model.json"]
    assert schemas.validate(document("EscapeServiceResponse", None, ED6))


@needs_models
def test_the_models_are_the_expected_ones(schemas):
    assert set(schemas.models) == {"ed3", "ed6", "appl_session"}
    assert schemas.models["ed6"].namespace == ED6 and schemas.models["appl_session"].namespace == APPL_SESSION
    raw = json.loads((MODELS / "ecma-323-ed3.model.json").read_text())
    assert raw["roots"]["CSTAErrorCode"] == "UniversalFailure"


# ---------------------------------------------------------------- what a run puts on the wire
RUNS = {
    # the default dialect (ed4, system-status session start), every scenario
    "default": ("", []),
    # ECMA-354 session start with credentials, in ed3, the hot-desking and recording scenarios
    "ed3-ecma354": ("csta:\n  handshake: start-application-session\n  namespace: ed3\n  user: app\n"
                    "  password: pw-not-shown\n", ["-m", "hot_desking or call_recording"]),
}


def _run(tmp_path: Path, extra_profile: str, args: list[str]) -> Path:
    captures = tmp_path / "captures"
    profile = tmp_path / "profile.yaml"
    profile.write_text(f"target:\n  capture:\n    mode: recorder\n    dir: {captures}\n" + extra_profile)
    cmd = [sys.executable, "-m", "tsconform.cli", "run", "--no-html", f"--alluredir={tmp_path / 'allure'}",
           f"--html={tmp_path / 'html'}", f"--profile={profile}", "-n", "4", *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return captures


@needs_models
@pytest.mark.parametrize("run", sorted(RUNS))
def test_every_csta_pdu_of_a_run_is_schema_valid(tmp_path, schemas, run):
    captures = _run(tmp_path, *RUNS[run])
    pcaps = sorted(captures.rglob("*.pcap"))
    assert pcaps, f"the run wrote no capture under {captures}"
    seen: dict[str, int] = {}
    invalid = []
    for pcap in pcaps:
        for pdu in read_capture(pcap).select(link="csta"):
            seen[pdu.message] = seen.get(pdu.message, 0) + 1
            invalid += [f"{pcap.name} frame {pdu.frame} {pdu.message}: {p}" for p in schemas.validate(pdu.xml.encode())]
    assert not invalid, f"{len(invalid)} problems in the CSTA PDUs of the run:\n" + "\n".join(invalid[:20])
    expected = {"MonitorStart", "Escape", "PrivateEvent", "RecordMessage", "RecordEvent", "Stop", "StopEvent",
                "Suspend", "SuspendRecordEvent", "Resume", "CSTAErrorCode", "MakeCall", "DeliveredEvent"}
    if run == "default":
        expected |= {"SystemStatus", "SystemRegister", "AssociateData", "CallInformationEvent"}
    else:
        expected |= {"StartApplicationSession", "StartApplicationSessionPosResponse"}
    assert expected <= set(seen), f"the run did not carry {sorted(expected - set(seen))}"
