"""Every Then step can fail: fed a message that breaks its claim, it fails; fed one that keeps
it, it passes. A step that checks the value used to pick its message could not fail here.

The steps are called as pytest-bdd registered them, with the scenario's state built by hand:
client sessions whose inboxes are filled directly, and a capture of made-up PDUs.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

import pytest
from pytest_bdd.steps import step_function_context_registry

import steps.common  # noqa: F401 - registers the steps
import steps.test_account_codes  # noqa: F401
import steps.test_call_recording  # noqa: F401
import steps.test_hot_desking  # noqa: F401
from tsconform.csta.private import DEFAULT_PRIVATE_NAMESPACE
from tsconform.dissect import Pdu
from tsconform.dissect.pdu import Dissection
from tsconform.dissect.samples import csta_xml
from tsconform.driver import Call, Driver, Exchange, Target
from tsconform.profile import Profile
from tsconform.tlib.model import Attr, ConnID, KVList, Message, MessageType as M
from tsconform.tlib.session import TLibSession

CALL = ConnID(0x006D0A0000000001)
SERVER, SWITCH = 7000, 1040  # ports of the T-Lib and CSTA servers in the made-up capture
T0 = 1_000.0  # when the scenario's last request was sent


@dataclass
class FakeCapture:
    """What the wire checks read: PDUs and the server ports of each link."""

    pdus: list[Pdu]
    tlib_ports: set = None
    csta_ports: set = None

    def __post_init__(self):
        self.tlib_ports, self.csta_ports = {SERVER}, {SWITCH}

    def settle(self):
        pass

    def wait_for(self, match, timeout):
        return next((p for p in self.pdus if match(p)), None), Dissection("made-up", self.pdus)


def csta(frame, root, body, from_switch, t=T0 + 0.1):
    src, dst = (f"127.0.0.1:{SWITCH}", "127.0.0.1:50000") if from_switch else ("127.0.0.1:50000", f"127.0.0.1:{SWITCH}")
    return Pdu(frame, t, src, dst, "csta", root, invoke_id="0001", xml=csta_xml(root, body))


def tlib(frame, msg):
    return Pdu(frame, T0 + 0.1, f"127.0.0.1:{SERVER}", "127.0.0.1:50001", "tlib", msg.name, tlib=msg)


MAKE_CALL = csta(1, "MakeCallResponse", "<callingDevice><callID>C1</callID><deviceID>7001</deviceID></callingDevice>",
                 True, T0 - 1)


def epi(number, **attrs):
    return Message(M.EventPrivateInfo, {Attr.PrivateMsgID: number, **{Attr[k]: v for k, v in attrs.items()}})


def err(code, text, **attrs):
    return Message(M.EventError, {Attr.ErrorCode: code, Attr.ErrorMessage: text, **{Attr[k]: v for k, v in attrs.items()}})


def request(number, **attrs):
    return Message(M.RequestPrivateService, {Attr.PrivateMsgID: number, Attr.ReferenceID: 7,
                                             **{Attr[k]: v for k, v in attrs.items()}})


def rec_fields(device="5001", extra=""):
    return f"<connection><callID>C1</callID><deviceID>{device}</deviceID></connection>{extra}"


def escape(guest="5001", host="6001", action="associate"):
    return (f"<privateData><private><guestAssociatedExtension><action>{action}</action><guest>{guest}</guest>"
            f"<host>{host}</host></guestAssociatedExtension></private></privateData>")


def in_private_ns(body):
    return body.replace("<guestAssociatedExtension>", f'<guestAssociatedExtension xmlns="{DEFAULT_PRIVATE_NAMESPACE}">')


ACCOUNT_CODE = KVList([("AccountCode", "4711")])


def released(**attrs):
    return Message(M.EventReleased, {Attr.ThisDN: "5001", Attr.OtherDN: "7001", Attr.ConnID: CALL, **{Attr[k]: v for k, v in attrs.items()}})


# Each case: the step text, then for a message that keeps its claim and one that breaks it, the
# state the step sees: exchange (request, answer), message, inbox of a client, capture PDUs,
# or the answer to the follow-up request a step makes.
CASES = [
    ('T-Server answers "desk" with EventPrivateInfo 1',
     dict(exchange=(request(1), epi(1, ReferenceID=7))), dict(exchange=(request(1), epi(2, ReferenceID=7)))),
    ('T-Server answers "desk" with the EventError of HD-ERR-ALREADY',
     dict(exchange=(request(1, ThisDN="5001"), err(1161, "Association already present", ThisDN="5001"))),
     dict(exchange=(request(1, ThisDN="5001"), err(1161, "Association already present")))),
    ('T-Server answers "desk" with EventUnregistered for the guest extension',
     dict(exchange=(request(1), Message(M.EventUnregistered, {Attr.ThisDN: "5001"}))),
     dict(exchange=(request(1), Message(M.EventUnregistered, {Attr.ThisDN: "5002"})))),
    ("T-Server sent no connector request to the switch for it",
     dict(exchange=(request(1), epi(1)), pdus=[csta(2, "Escape", escape(), False, T0 - 0.5)]),
     dict(exchange=(request(1), epi(1)), pdus=[csta(2, "Escape", escape(), False)])),
    ("the answer echoes the request's ReferenceID",
     dict(exchange=(request(1), epi(1, ReferenceID=7))), dict(exchange=(request(1), epi(1, ReferenceID=8)))),
    ('"monitor" receives EventPrivateInfo 1 for the guest extension',
     dict(inbox=[epi(1, ThisDN="5001", OtherDN="6001")]),
     dict(inbox=[epi(1, ThisDN="5001", OtherDN="6001", ReferenceID=7)])),
    ('"monitor" does not receive EventPrivateInfo 1',
     dict(inbox=[Message(M.EventRinging, {Attr.ThisDN: "5001"})]), dict(inbox=[epi(3013, ThisDN="5001")])),
    ("every client registered on the guest extension received EventLinkDisconnected",
     dict(inbox=[Message(M.EventLinkDisconnected, {})]), dict(inbox=[Message(M.EventLinkConnected, {})])),
    ("its ThisDN is the guest extension", dict(message=epi(1, ThisDN="5001")), dict(message=epi(1, ThisDN="6001"))),
    ("its OtherDN is the host extension", dict(message=epi(1, OtherDN="6001")), dict(message=epi(1))),
    ("its PrivateMsgID is 1", dict(message=epi(1)), dict(message=epi(2))),
    ("its PrivateID is 0", dict(message=epi(501, PrivateID=0)), dict(message=epi(501, PrivateID=7))),
    ("its ConnID is the call's ConnID", dict(message=epi(3013, ConnID=CALL)),
     dict(message=epi(3013, ConnID=ConnID(CALL + 1)))),
    ("it carries no ConnID", dict(message=epi(501)), dict(message=epi(501, ConnID=CALL))),
    ("it carries no Extensions", dict(message=epi(3013)), dict(message=epi(3013, Extensions=ACCOUNT_CODE))),
    ("its ErrorCode and ErrorMessage are those of HD-ERR-ABSENT",
     dict(message=err(1163, "No association present")), dict(message=err(1161, "No association present"))),
    ("its Extensions carry the account code under the accode-name key",
     dict(message=epi(501, Extensions=ACCOUNT_CODE)),
     dict(message=epi(501, Extensions=KVList([("AccountCode", "4712")])))),
    ("the CSTA link carried RecordMessage for the call at the agent extension",
     dict(exchange=(request(3013), epi(3013)), pdus=[MAKE_CALL, csta(2, "RecordMessage", rec_fields(), False)]),
     dict(exchange=(request(3013), epi(3013)), pdus=[MAKE_CALL, csta(2, "RecordMessage", rec_fields("5002"), False)])),
    ("the switch's RecordEvent at the agent extension names the message its RecordMessageResponse created",
     dict(pdus=[csta(2, "RecordMessageResponse", "<resultingMessage>m1</resultingMessage>", True),
                csta(3, "RecordEvent", rec_fields(extra="<message>m1</message>"), True)]),
     dict(pdus=[csta(2, "RecordMessageResponse", "<resultingMessage>m1</resultingMessage>", True),
                csta(3, "RecordEvent", rec_fields(extra="<message>m2</message>"), True)])),
    ("the switch sent RecordEvent for the call at the agent extension",
     dict(exchange=(request(3016), epi(3016)),
          pdus=[MAKE_CALL, csta(2, "RecordEvent", rec_fields(extra="<recordingResumed/>"), True)]),
     dict(exchange=(request(3016), epi(3016)), pdus=[MAKE_CALL, csta(2, "RecordEvent", rec_fields(), True)])),
    ("the CSTA link carried an Escape with guestAssociatedExtension to dissociate the guest extension",
     dict(exchange=(request(2), epi(2)), pdus=[csta(2, "Escape", escape(action="dissociate"), False)]),
     dict(exchange=(request(2), epi(2)), pdus=[csta(2, "Escape", escape(), False)])),
    ("the CSTA link carried an Escape with guestAssociatedExtension to associate the guest extension "
     "and the host extension",
     dict(exchange=(request(1), epi(1)), pdus=[csta(2, "Escape", escape(), False)]),
     dict(exchange=(request(1), epi(1)), pdus=[csta(2, "Escape", escape(host="6002"), False)])),
    ("the switch sent a PrivateEvent with guestAssociatedEvent that the guest extension is associated with "
     "the host extension",
     dict(exchange=(request(1), epi(1)), pdus=[csta(2, "PrivateEvent", escape(action="associated"), True)]),
     dict(exchange=(request(1), epi(1)), pdus=[csta(2, "PrivateEvent", escape(action="dissociated"), True)])),
    ("every CSTA document of the scenario is in the profile's CSTA and private namespaces",
     dict(pdus=[MAKE_CALL, csta(2, "Escape", in_private_ns(escape()), False)]),
     dict(pdus=[MAKE_CALL, csta(2, "Escape", escape(), False)])),
    ("EventPrivateInfo 3013 on the T-Lib link has ThisDN the agent extension and the call's ConnID",
     dict(pdus=[tlib(3, epi(3013, ThisDN="5001", ConnID=CALL))]),
     dict(pdus=[tlib(3, epi(3013, ThisDN="5002", ConnID=CALL))])),
    ("EventPrivateInfo 1 on the T-Lib link has ThisDN the guest extension and OtherDN the host extension",
     dict(pdus=[tlib(3, epi(1, ThisDN="5001", OtherDN="6001"))]),
     dict(pdus=[tlib(3, epi(1, ThisDN="5001", OtherDN="5001"))])),
    ("the switch sent a CallInformationEvent with the account code for the agent extension",
     dict(pdus=[MAKE_CALL, csta(2, "CallInformationEvent", "<connection><callID>C1</callID><deviceID>5001"
                                "</deviceID></connection><accountInfo>34373131</accountInfo>", True)]),
     dict(pdus=[MAKE_CALL, csta(2, "CallInformationEvent", "<connection><callID>C1</callID><deviceID>5001"
                                "</deviceID></connection><accountInfo>34373132</accountInfo>", True)])),
    ('T-Server answers "desk" with EventReleased carrying the account code in UserData',
     dict(exchange=(request(1), released(UserData=ACCOUNT_CODE))),
     dict(exchange=(request(1), released(UserData=ACCOUNT_CODE, Extensions=ACCOUNT_CODE)))),
    ('T-Server answers "desk" with EventReleased carrying the account code in Extensions',
     dict(exchange=(request(1), released(Extensions=ACCOUNT_CODE))),
     dict(exchange=(request(1), released(Extensions=KVList([("AccountCode", "4712")]))))),
    ('T-Server answers "desk" with EventReleased carrying no account code',
     dict(exchange=(request(1), released(Extensions=KVList([("Other", "1")])))),
     dict(exchange=(request(1), released(UserData=ACCOUNT_CODE)))),
    ("the guest extension is still not associated",
     dict(follow_up=err(1163, "No association present")), dict(follow_up=epi(2, ThisDN="5001", OtherDN="6001"))),
    ("the guest extension is still associated with the host extension",
     dict(follow_up=epi(2, OtherDN="6001")), dict(follow_up=epi(2, OtherDN="6002"))),
    ("the call is still not recorded on the agent extension",
     dict(follow_up=err(1161, "Call recording not active")), dict(follow_up=epi(3014))),
    ("the recording of the call is still active on the agent extension",
     dict(follow_up=epi(3015)), dict(follow_up=err(1161, "Call recording not active"))),
    ("the recording of the call is active again on the agent extension",
     dict(follow_up=epi(3015)), dict(follow_up=epi(3014))),
]


def then_steps():
    return [c for c in step_function_context_registry.values()
            if c.type == "then" and c.step_func.__module__.startswith("steps.")]


def find_step(text: str):
    hits = [(c, c.parser.parse_arguments(text)) for c in then_steps() if c.parser.is_matching(text)]
    assert len(hits) == 1, f"{len(hits)} Then steps match {text!r}"
    return hits[0]


def call_step(loop, text: str, state: dict):
    profile = Profile.from_dict({"pixit": {"timeouts": {"answer": 0.1, "quiet": 0.01}}})
    driver = Driver(loop, profile, Target("127.0.0.1", 1), capture=FakeCapture(state.get("pdus", [])))
    driver.calls["the call"] = Call(CALL, "7001", "5001")
    driver.hosts["5001"] = "6001"
    for name in ("desk", "monitor"):
        s = driver.sessions[name] = TLibSession(name, 0.1)
        s.registered.add("5001")
    for msg in state.get("inbox", []):
        for s in driver.sessions.values():
            s.received += 1
            s.inbox.append(msg)
            s._arrivals.append(s.received)
    if "follow_up" in state:
        driver.private_service = lambda name, number, *a, **k: Exchange(name, request(number), state["follow_up"])
    fixtures = {"driver": driver, "profile": profile, "message": state.get("message")}
    if "exchange" in state:
        fixtures["exchange"] = Exchange("desk", *state["exchange"], sent_at=T0)
    context, args = find_step(text)
    params = inspect.signature(context.step_func).parameters
    context.step_func(**{k: v for k, v in {**fixtures, **args}.items() if k in params})


@pytest.mark.parametrize("text,keeps,breaks", CASES, ids=[c[0][:70] for c in CASES])
def test_a_then_step_passes_when_kept_and_fails_when_broken(loop, text, keeps, breaks):
    call_step(loop, text, keeps)
    with pytest.raises(AssertionError):
        call_step(loop, text, breaks)


def test_every_then_step_has_a_case():
    covered = {id(find_step(text)[0]) for text, _, _ in CASES}
    missing = [c.parser.name for c in then_steps() if id(c) not in covered]
    assert not missing, f"Then steps no case feeds a breaking message: {missing}"


def test_no_step_of_the_features_matches_two_definitions():
    from pathlib import Path

    from pytest_bdd.parser import FeatureParser

    features = Path(__file__).resolve().parent.parent / "features"
    contexts = [c for c in step_function_context_registry.values() if c.step_func.__module__.startswith("steps.")]
    for path in sorted(features.glob("*.feature")):
        feature = FeatureParser(str(features), path.name).parse()
        steps = [s for sc in feature.scenarios.values()
                 for params in ([c for ex in sc.examples for c in ex.as_contexts()] or [{}])
                 for s in sc.render(params).steps]
        for step in steps:
            hits = [c.parser.name for c in contexts if c.type == step.type and c.parser.is_matching(step.name)]
            assert len(hits) == 1, f"{path.name}: {step.keyword} {step.name!r} matches {hits}"
