"""CSTA requests and their positive responses (ECMA-269 services, ECMA-323 elements).

>>> from .xml import parse
>>> req = parse(connection_request("Suspend", ConnectionID("0001", "5001")))
>>> req.name, request_connection(req)
('Suspend', ConnectionID(call_id='0001', device_id='5001'))
"""
from __future__ import annotations

from dataclasses import dataclass

from . import devices
from .xml import DEFAULT_NAMESPACE, CstaMessage, CstaXmlError, document

# Requests whose one parameter is a ConnectionID, and the element that carries it.
CONNECTION_REQUESTS = {
    "AnswerCall": "callToBeAnswered",
    "ClearConnection": "connectionToBeCleared",
    "RecordMessage": "callToBeRecorded",
    "Stop": "connection",
    "Suspend": "connection",
    "Resume": "connection",
}


@dataclass(frozen=True)
class ConnectionID:
    """A call at a device: callID + deviceID (either may be absent in CSTA)."""

    call_id: str | None
    device_id: str | None

    def content(self) -> dict:
        return {"callID": self.call_id, "deviceID": self.device_id}


def connection_of(msg: CstaMessage, path: str) -> ConnectionID:
    """The ConnectionID at path; CstaXmlError when it is missing or empty."""
    el = msg.find(path)
    if el is None:
        raise CstaXmlError(f"{msg.name} has no {path}")
    call_id, device_id = msg.get(f"{path}/callID"), msg.get(f"{path}/deviceID")
    if not call_id and not device_id:
        raise CstaXmlError(f"{msg.name} {path} has neither callID nor deviceID")
    return ConnectionID(call_id or None, devices.dn(device_id) if device_id else None)


def required(msg: CstaMessage, path: str) -> str:
    value = msg.get(path)
    if not value:
        raise CstaXmlError(f"{msg.name} has no {path}")
    return value


def response(name: str, content=None, ns: str = DEFAULT_NAMESPACE) -> bytes:
    """A positive response such as AnswerCallResponse (usually empty)."""
    return document(name, content, ns)


# ---------------------------------------------------------------- monitoring
def monitor_start(device: str, ns: str = DEFAULT_NAMESPACE) -> bytes:
    return document("MonitorStart", {"monitorObject": {"deviceObject": device}}, ns)


def monitor_start_device(msg: CstaMessage) -> str:
    return devices.dn(required(msg, "monitorObject/deviceObject"))


def monitor_start_response(xref: str, ns: str = DEFAULT_NAMESPACE) -> bytes:
    return document("MonitorStartResponse", {"monitorCrossRefID": xref}, ns)


# ---------------------------------------------------------------- calls
def make_call(calling: str, called: str, ns: str = DEFAULT_NAMESPACE) -> bytes:
    return document("MakeCall", {"callingDevice": calling, "calledDirectoryNumber": called}, ns)


def parse_make_call(msg: CstaMessage) -> tuple[str, str]:
    return devices.dn(required(msg, "callingDevice")), devices.dn(required(msg, "calledDirectoryNumber"))


def make_call_response(conn: ConnectionID, ns: str = DEFAULT_NAMESPACE) -> bytes:
    return document("MakeCallResponse", {"callingDevice": conn.content()}, ns)


def parse_make_call_response(msg: CstaMessage) -> ConnectionID:
    return connection_of(msg, "callingDevice")


# ---------------------------------------------------------------- connection requests
def connection_request(name: str, conn: ConnectionID, ns: str = DEFAULT_NAMESPACE) -> bytes:
    """AnswerCall, ClearConnection, RecordMessage, Stop, Suspend or Resume on a connection."""
    return document(name, {CONNECTION_REQUESTS[name]: conn.content()}, ns)


def request_connection(msg: CstaMessage) -> ConnectionID:
    return connection_of(msg, CONNECTION_REQUESTS[msg.name])


def record_message_response(message_id: str, ns: str = DEFAULT_NAMESPACE) -> bytes:
    return document("RecordMessageResponse", {"resultingMessage": message_id}, ns)
