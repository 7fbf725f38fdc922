"""CSTA events: call events, voice-unit (recording) events, PrivateEvent; one parser for all.

Every event carries ``monitorCrossRefID``, naming the monitor (and so the device) it is
reported to. A resumed recording is reported by a ``RecordEvent`` carrying the private
``recordingResumed`` marker in ``extensions/privateData/private`` (ECMA-269 has no resume
event); a RecordEvent without it
starts a recording, unless the receiver last saw that recording suspended.

>>> from .xml import parse
>>> from .services import ConnectionID
>>> ev = parse_event(parse(call_event("DeliveredEvent", "7", ConnectionID("0001", "6001"),
...                                   alerting="6001", calling="5001", called="6001")))
>>> ev.name, ev.xref, ev.connection.call_id, ev.devices["callingDevice"]
('DeliveredEvent', '7', '0001', '5001')
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ..errors import UsageError
from . import devices, private
from .account_codes import parse_account_info
from .services import ConnectionID, connection_of
from .xml import DEFAULT_NAMESPACE, CstaMessage, CstaXmlError, document, local

# Event -> the element holding its ConnectionID.
CONNECTION_ELEMENT = {
    "ServiceInitiatedEvent": "initiatedConnection",
    "OriginatedEvent": "originatedConnection",
    "DeliveredEvent": "connection",
    "EstablishedEvent": "establishedConnection",
    "ConnectionClearedEvent": "droppedConnection",
    "RecordEvent": "connection",
    "StopEvent": "connection",
    "SuspendRecordEvent": "connection",
    "CallInformationEvent": "connection",
}
# Event -> (device roles in schema order, localConnectionInfo, cause).
CALL_EVENTS = {
    "ServiceInitiatedEvent": (("initiatingDevice",), "initiated", "makeCall"),
    "OriginatedEvent": (("callingDevice", "calledDevice"), "connected", "normal"),
    "DeliveredEvent": (("alertingDevice", "callingDevice", "calledDevice"), "alerting", "newCall"),
    "EstablishedEvent": (("answeringDevice", "callingDevice", "calledDevice"), "connected", "normal"),
    "ConnectionClearedEvent": (("releasingDevice",), "null", "normalClearing"),
}
RECORDING_EVENTS = ("RecordEvent", "StopEvent", "SuspendRecordEvent")
DEVICE_ROLES = ("initiatingDevice", "callingDevice", "calledDevice", "alertingDevice",
                "answeringDevice", "releasingDevice", "device")


@dataclass
class EventInfo:
    """What a receiver needs of any event."""

    name: str
    xref: str
    connection: ConnectionID | None = None
    devices: dict[str, str] = field(default_factory=dict)  # role -> device identifier
    message: str | None = None  # voice-unit events: the recorded message
    resumed: bool = False  # RecordEvent with the recordingResumed marker
    account_code: str | None = None  # CallInformationEvent
    private: ET.Element | None = None  # PrivateEvent: the element inside privateData/private


def _device(device: str | None) -> dict:
    return {"deviceIdentifier": device} if device else {"notKnown": True}


def call_event(name: str, xref: str, conn: ConnectionID, ns: str = DEFAULT_NAMESPACE, **devices: str) -> bytes:
    """A call event; devices by role without the 'Device' suffix (calling=..., called=...)."""
    roles, local_state, cause = CALL_EVENTS[name]
    content: dict = {"monitorCrossRefID": xref, CONNECTION_ELEMENT[name]: conn.content()}
    for role in roles:
        content[role] = _device(devices.get(role.removesuffix("Device")))
    if name in ("DeliveredEvent", "EstablishedEvent"):
        content["lastRedirectionDevice"] = {"notRequired": True}
    content["localConnectionInfo"] = local_state
    content["cause"] = cause
    return document(name, content, ns)


def recording_event(name: str, xref: str, conn: ConnectionID, message: str, resumed: bool = False,
                    ns: str = DEFAULT_NAMESPACE, private_ns: str = private.DEFAULT_PRIVATE_NAMESPACE) -> bytes:
    """RecordEvent (resumed=True adds the recordingResumed marker), StopEvent, SuspendRecordEvent."""
    if name not in RECORDING_EVENTS:
        raise UsageError(f"{name} is not one of {RECORDING_EVENTS}")
    if resumed and name != "RecordEvent":
        raise UsageError("only a RecordEvent reports a resumption")
    content: dict = {"monitorCrossRefID": xref, "connection": conn.content(), "message": message}
    if resumed:
        content.update(private.extensions(private.resumed_marker(private_ns)))
    return document(name, content, ns)


def private_event(xref: str, element: ET.Element, ns: str = DEFAULT_NAMESPACE) -> bytes:
    return document("PrivateEvent", {"monitorCrossRefID": xref, **private.private_data(element)}, ns)


def _device_text(msg: CstaMessage, role: str) -> str | None:
    el = msg.find(role)
    if el is None:
        return None
    ident = msg.find("deviceIdentifier", el)
    text = ((ident.text if ident is not None else el.text) or "").strip()
    return devices.dn(text) if text else None


def parse_event(msg: CstaMessage) -> EventInfo:
    """Any event; CstaXmlError when a field it cannot go without is missing."""
    if not msg.name.endswith("Event"):
        raise CstaXmlError(f"{msg.name} is not an event")
    xref = msg.get("monitorCrossRefID")
    if not xref:
        raise CstaXmlError(f"{msg.name} has no monitorCrossRefID")
    info = EventInfo(msg.name, xref)
    if msg.name in CONNECTION_ELEMENT:
        info.connection = connection_of(msg, CONNECTION_ELEMENT[msg.name])
    for role in DEVICE_ROLES:
        device = _device_text(msg, role)
        if device:
            info.devices[role] = device
    info.message = msg.get("message") or None
    info.resumed = private.find_private(msg, private.RESUMED) is not None
    if msg.name == "CallInformationEvent":
        info.account_code = parse_account_info(msg)
    if msg.name == "PrivateEvent":
        holder = private.private_holder(msg)
        info.private = next(iter(holder), None) if holder is not None else None
        if info.private is None:
            raise CstaXmlError("PrivateEvent has no element in privateData/private")
    return info


def private_name(info: EventInfo) -> str | None:
    return local(info.private.tag) if info.private is not None else None
