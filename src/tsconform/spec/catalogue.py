"""The seed's tables as data: the one source of truth for services, events and errors.

Everything else (simulator, step assertions, docs, traceability) reads this module.

>>> SERVICES[1].req_id
'HD-SVC-1'
>>> event_for_service(3015).req_id
'REC-EVT-3015'
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UnknownName

EPIC = "T-Server private services"

# Feature keys double as Gherkin feature tags.
FEATURES = {
    "account_codes": "Account Codes",
    "call_recording": "Call Recording",
    "hot_desking": "Hot Desking",
}


@dataclass(frozen=True)
class AttrRow:
    """One attribute row of a seed table: the T-Lib attribute and what the seed says of it."""

    name: str  # T-Lib attribute name (ThisDN, ConnID, OtherDN, PrivateMsgID, PrivateID, Extensions)
    meaning: str
    key: str | None = None  # Extensions key, where the row names one
    value: object = None  # fixed value the seed documents (PrivateMsgID 1, PrivateID 0)


@dataclass(frozen=True)
class Service:
    number: int
    req_id: str
    feature: str
    title: str
    description: str
    attributes: tuple[AttrRow, ...]
    connector: str  # the seed's "Connector Function" (CSTA service)
    event: int | None  # the private event a success produces
    requires_conn_id: bool = False
    required_key: str | None = None  # Extensions key the service cannot go without
    option: str | None = None  # T-Server option that must be on for the service to exist
    key_error: str | None = None  # error-table row when required_key is missing
    csta: str = ""  # root element of the CSTA request on the switch link


@dataclass(frozen=True)
class Event:
    number: int
    req_id: str
    feature: str
    title: str
    description: str
    attributes: tuple[AttrRow, ...]
    connector: str
    deviation: str | None = None  # documented quirk of the seed row
    csta: str = ""  # root element of the CSTA event the switch sends


@dataclass(frozen=True)
class ErrorCase:
    """One row of the error table: a failed precondition and what T-Server answers."""

    req_id: str
    feature: str | None  # None: applies to every private service
    precondition: str
    error_code: int
    error_message: str
    csta_error: tuple[str, str] | None = None  # (CSTAErrorCode category, value) on the switch link
    documented: bool = False  # True when the seed itself documents the case
    services: tuple[int, ...] = field(default=())


THIS_DN_GUEST = AttrRow("ThisDN", "guest extension")
CONN_ID_CALL = AttrRow("ConnID", "Connection ID of the recorded call")

SERVICES: dict[int, Service] = {
    s.number: s
    for s in (
        Service(
            1, "HD-SVC-1", "hot_desking", "Initiate hot-desking",
            "Specifies the host device number as an HOST_DN Extensions attribute. T-Server sends a "
            "corresponding EventPrivateInfo message when the association is successfully performed. "
            "If the association is already present, or cannot be performed, T-Server distributes an "
            "EventError message instead.",
            (THIS_DN_GUEST,
             AttrRow("Extensions", "A string value that identifies the host DN. Associates the guest "
                     "extension with a host device.", key="HOST_DN")),
            "escapeService / guestAssociatedExtension", event=1, required_key="HOST_DN", csta="Escape",
            key_error="HD-ERR-NO-HOST",
        ),
        Service(
            2, "HD-SVC-2", "hot_desking", "Cancel hot-desking",
            "T-Server sends the corresponding EventPrivateInfo event when the de-association is "
            "successfully performed. If an association is not present, or the de-association cannot "
            "be performed, T-Server distributes an EventError message.",
            (AttrRow("ThisDN", "guest extension. De-associates the guest extension with the host device."),),
            "escapeService / guestAssociatedExtension", event=2, csta="Escape",
        ),
        Service(
            3013, "REC-SVC-3013", "call_recording", "Initiate a call recording",
            "Initiates a call recording (CSTA Record)",
            (AttrRow("ThisDN", "Device requested to start the call recording"),
             AttrRow("ConnID", "Connection ID of the call to be recorded"),
             AttrRow("Extensions", "None")),
            "RecordMessage", event=3013, requires_conn_id=True, csta="RecordMessage",
        ),
        Service(
            3014, "REC-SVC-3014", "call_recording", "Stop a call recording",
            "Stops a call recording when the call recording is active on the DN (CSTA Stop)",
            (AttrRow("ThisDN", "Device requested to stop the call recording"),
             AttrRow("ConnID", "Connection ID of the recorded call"),
             AttrRow("Extensions", "None")),
            "Stop", event=3014, requires_conn_id=True, csta="Stop",
        ),
        Service(
            3015, "REC-SVC-3015", "call_recording", "Suspend a call recording",
            "Suspend a call recording when the call recording is active on a DN (CSTA Suspend)",
            (AttrRow("ThisDN", "Device requested to suspend the call recording"),
             AttrRow("ConnID", "Connection ID of the recorded call"),
             AttrRow("Extensions", "None")),
            "Suspend", event=3015, requires_conn_id=True, csta="Suspend",
        ),
        Service(
            3016, "REC-SVC-3016", "call_recording", "Resume a call recording",
            "Resumes a call recording when the call recording is suspended on a DN (CSTA Resume)",
            (AttrRow("ThisDN", "Device requested to resume the call recording"),
             AttrRow("ConnID", "Connection ID of the recorded call"),
             AttrRow("Extensions", "None")),
            "Resume", event=3016, requires_conn_id=True, csta="Resume",
        ),
        Service(
            501, "ACC-SVC-501", "account_codes", "Set Account Code (private service)",
            "With accode-privateservice on, a client sets the account code of a call by "
            "RequestPrivateService 501; the code travels in the Extensions key named by accode-name.",
            (AttrRow("ThisDN", "This device."),
             AttrRow("ConnID", "Connection ID of the call."),
             AttrRow("Extensions", "Must have a key name defined by the accode-name option.",
                     key="@accode-name")),
            "AssociateData / accountCode", event=501, requires_conn_id=True, csta="AssociateData",
            required_key="@accode-name", option="accode-privateservice", key_error="ACC-ERR-NO-CODE",
        ),
    )
}

EVENTS: dict[int, Event] = {
    e.number: e
    for e in (
        Event(
            501, "ACC-EVT-501", "account_codes", "Set Account Code",
            "The account code set on the device.",
            (AttrRow("ThisDN", "This device."),
             AttrRow("ConnID", "Connection ID of the call."),
             AttrRow("PrivateID", "0 (zero)", value=0),
             AttrRow("Extensions", "Must have a key name defined by the accode-name option.",
                     key="@accode-name")),
            "CallInformationEvent / accountInfo", csta="CallInformationEvent",
        ),
        Event(
            1, "HD-EVT-1", "hot_desking", "Hot-desking established",
            "Successful association between guest and host device was established.",
            (AttrRow("ThisDN", "guest extension"),
             AttrRow("OtherDN", "host extension: Host associated with the guest extension"),
             AttrRow("PrivateMsgID", "1", value=1)),
            "privateEvent / guestAssociatedEvent", csta="PrivateEvent",
        ),
        Event(
            2, "HD-EVT-2", "hot_desking", "Hot-desking cancelled",
            "Association between guest and host device was terminated.",
            (AttrRow("ThisDN", "guest extension"),
             AttrRow("OtherDN", "host extension: Host (if known) that was associated with the guest extension."),
             AttrRow("PrivateMsgID", "2", value=2)),
            "privateEvent / guestAssociatedEvent", csta="PrivateEvent",
        ),
        Event(
            3013, "REC-EVT-3013", "call_recording", "Start a private event call recording",
            "Private event call record started",
            (AttrRow("ThisDN", "Monitored DN"),
             AttrRow("ConnID", "Connection ID of the call that finished recording"),
             AttrRow("Extensions", "None")),
            "RecordEvent", csta="RecordEvent",
            deviation="The seed describes the ConnID of 'record started' as 'the call that finished "
                      "recording'; the suite reads it as the ConnID of the recorded call.",
        ),
        Event(
            3014, "REC-EVT-3014", "call_recording", "Stop a private event call recording",
            "Private event call recording stopped",
            (AttrRow("ThisDN", "Monitored DN"),
             AttrRow("ConnID", "Connection ID of the call that finished recording"),
             AttrRow("Extensions", "None")),
            "StopEvent", csta="StopEvent",
        ),
        Event(
            3015, "REC-EVT-3015", "call_recording", "Suspend a private event call recording",
            "Private event call recording suspended",
            (AttrRow("ThisDN", "Monitored DN"),
             AttrRow("ConnID", "Connection ID of the recorded call"),
             AttrRow("Extensions", "None")),
            "SuspendRecordEvent", csta="SuspendRecordEvent",
        ),
        Event(
            3016, "REC-EVT-3016", "call_recording", "Resume a private event call recording",
            "Private event call recording resumed",
            (AttrRow("ThisDN", "Monitored DN"),
             AttrRow("ConnID", "Connection ID of the recorded call"),
             AttrRow("Extensions", "None")),
            "RecordEvent (recordingResumed)", csta="RecordEvent",
            deviation="The seed describes 3016 as 'recording suspended' (a copy of the 3015 row); "
                      "the suite treats 3016 as 'recording resumed'.",
        ),
    )
}

_ERRORS = (
    ErrorCase("HD-ERR-ALREADY", "hot_desking",
              "Initiate hot-desking for a guest extension that already has an association",
              1161, "Association already present", ("stateIncompatibility", "invalidObjectState"),
              documented=True, services=(1,)),
    ErrorCase("HD-ERR-CANNOT", "hot_desking",
              "Initiate hot-desking with a host the switch cannot associate (unknown or busy device)",
              1151, "Association cannot be performed", ("operation", "invalidDeviceID"),
              documented=True, services=(1,)),
    ErrorCase("HD-ERR-ABSENT", "hot_desking",
              "Cancel hot-desking for a guest extension that has no association",
              1163, "No association present", ("stateIncompatibility", "noActiveCall"),
              documented=True, services=(2,)),
    ErrorCase("HD-ERR-NO-HOST", "hot_desking",
              "Initiate hot-desking without the HOST_DN Extensions key",
              53, "Invalid attribute value: HOST_DN missing", services=(1,)),
    ErrorCase("REC-ERR-NOT-RECORDING", "call_recording",
              "Stop or suspend a call recording that is not active on the DN",
              1161, "Call recording not active", ("stateIncompatibility", "incorrectMsgState"),
              services=(3014, 3015)),
    ErrorCase("REC-ERR-NOT-SUSPENDED", "call_recording",
              "Resume a call recording that is not suspended on the DN",
              1160, "Call recording not suspended", ("stateIncompatibility", "notAbleToResume"),
              services=(3016,)),
    ErrorCase("REC-ERR-ALREADY", "call_recording",
              "Initiate a call recording that is already active on the DN",
              1171, "Call recording already active", ("systemResourceAvailibility", "resourceBusy"),
              services=(3013,)),
    ErrorCase("ACC-ERR-NO-CODE", "account_codes",
              "Set Account Code without the Extensions key named by accode-name",
              53, "Invalid attribute value: account code missing", services=(501,)),
    ErrorCase("TS-ERR-NO-CONNID", None,
              "Request a call recording or account-code service without a ConnID",
              53, "Invalid attribute value: ConnID missing", services=(3013, 3014, 3015, 3016, 501)),
    ErrorCase("TS-ERR-CONNID", None,
              "Request a private service with a ConnID that T-Server does not know on ThisDN",
              56, "Invalid ConnectionID", services=(3013, 3014, 3015, 3016, 501)),
    ErrorCase("TS-ERR-UNREGISTERED", None,
              "Request a private service on a DN this client has not registered",
              41, "DN not registered by this client"),
    ErrorCase("TS-ERR-SERVICE", None,
              "Request a private service number T-Server does not provide",
              51, "Unsupported operation"),
    ErrorCase("TS-ERR-NO-THISDN", None,
              "Request a private service without ThisDN",
              53, "Invalid attribute value: ThisDN missing"),
    ErrorCase("TS-ERR-DN-UNKNOWN", None,
              "Register a DN the switch does not configure",
              59, "DN not configured"),
    ErrorCase("TS-ERR-NO-LINK", None,
              "Request a private service while the link to the switch is down",
              54, "No connection to switch"),
)
ERRORS: dict[str, ErrorCase] = {e.req_id: e for e in _ERRORS}

# CSTAErrorCode values not covered by a row above, mapped to T-Lib ErrorCodes (1100 + ...).
CSTA_ERROR_CODES: dict[tuple[str, str], int] = {
    ("operation", "generic"): 1140,
    ("operation", "objectNotKnown"): 1143,
    ("operation", "invalidCallID"): 1150,
    ("operation", "invalidDeviceID"): 1151,
    ("operation", "invalidConnectionID"): 1152,
    ("operation", "invalidFeature"): 1154,
    ("operation", "serviceNotSupported"): 1154,
    ("stateIncompatibility", "generic"): 1160,
    ("stateIncompatibility", "invalidObjectState"): 1161,
    ("stateIncompatibility", "incorrectMsgState"): 1161,
    ("stateIncompatibility", "noActiveCall"): 1163,
    ("stateIncompatibility", "notAbleToResume"): 1160,
    ("systemResourceAvailibility", "generic"): 1170,
    ("systemResourceAvailibility", "resourceBusy"): 1171,
    ("systemResourceAvailibility", "resourceOutOfService"): 1173,
    ("unspecified", "unspecified"): 1199,
}


def csta_to_tlib_error(category: str, value: str) -> int:
    """T-Lib ErrorCode for a CSTAErrorCode; accepts both spellings of systemResourceAvailibility."""
    if category == "systemResourceAvailability":
        category = "systemResourceAvailibility"
    code = CSTA_ERROR_CODES.get((category, value))
    if code is None:
        code = CSTA_ERROR_CODES.get((category, "generic"), 1199)
    return code


def event_for_service(number: int) -> Event:
    return EVENTS[SERVICES[number].event]


def requirement_ids() -> list[str]:
    """Every requirement ID of the catalogue, in a stable order."""
    return ([s.req_id for s in SERVICES.values()] + [e.req_id for e in EVENTS.values()]
            + list(ERRORS))


def requirement(req_id: str) -> Service | Event | ErrorCase:
    for row in (*SERVICES.values(), *EVENTS.values(), *ERRORS.values()):
        if row.req_id == req_id:
            return row
    raise UnknownName(f"unknown requirement ID {req_id!r}")


def resolve_key(key: str | None, options: dict) -> str | None:
    """Extensions keys written '@option' name a T-Server option that holds the real key."""
    if key and key.startswith("@"):
        return str(options[key[1:]])
    return key


def error_for_csta(service: int | None, category: str, value: str) -> tuple[int, str]:
    """ErrorCode and ErrorMessage T-Server reports for a CSTAErrorCode answered to a service."""
    if category == "systemResourceAvailability":
        category = "systemResourceAvailibility"
    for row in ERRORS.values():
        if row.csta_error == (category, value) and service in row.services:
            return row.error_code, row.error_message
    return csta_to_tlib_error(category, value), f"CSTA error {category}/{value}"


def error(req_id: str) -> tuple[int, str]:
    """ErrorCode and ErrorMessage of an error-table row."""
    row = ERRORS[req_id]
    return row.error_code, row.error_message
