"""Example frames of the CSTA link, as the simulated switch and the CSTA link exchange them.

For the protocol documentation: each entry is (title, frame bytes), in the default dialect
(ed4, Escape, the project's private namespace). ``hexdump`` renders one for a page.

>>> title, frame = EXAMPLES["escape-associate"]
>>> print(hexdump(frame).splitlines()[0])
00 00 | 01 4e (length 334) | 0003 (invoke ID)
"""
from __future__ import annotations

from . import errors, events, private, services, session
from .account_codes import associate_data, call_information_event
from .framing import EVENT_INVOKE_ID, encode_frame
from .services import ConnectionID
from .xml import serialize

CALL = ConnectionID("0001", "5001")


def _examples() -> dict[str, tuple[str, bytes]]:
    ev = EVENT_INVOKE_ID
    ex = {
        "system-status": ("Switch opens the session (system-status start)", 1, session.system_status()),
        "system-register": ("Client registers after answering SystemStatus", 1, session.system_register()),
        "start-application-session": (
            "ECMA-354 session start with credentials (password shown masked)", 1,
            session.redact(session.start_application_session("tsconform", session.Credentials("app", "secret")))),
        "monitor-start": ("MonitorStart for the guest extension", 2, services.monitor_start("5001")),
        "monitor-start-response": ("MonitorStartResponse", 2, services.monitor_start_response("1")),
        "escape-associate": ("Initiate hot desking: Escape with guestAssociatedExtension", 3,
                             serialize(private.escape_request(private.guest_extension("5001", "6001", "associate")))),
        "escape-response": ("EscapeResponse", 3, services.response("EscapeResponse")),
        "private-event-associated": ("PrivateEvent with guestAssociatedEvent", ev,
                                     events.private_event("1", private.guest_event("5001", "6001", "associated"))),
        "escape-dissociate": ("Cancel hot desking: Escape with guestAssociatedExtension", 4,
                              serialize(private.escape_request(private.guest_extension("5001", None, "dissociate")))),
        "record-message": ("Start a recording", 5, services.connection_request("RecordMessage", CALL)),
        "record-message-response": ("RecordMessageResponse", 5, services.record_message_response("rec-0001-5001")),
        "record-event": ("Recording started", ev, events.recording_event("RecordEvent", "1", CALL, "rec-0001-5001")),
        "suspend": ("Suspend a recording", 6, services.connection_request("Suspend", CALL)),
        "suspend-record-event": ("Recording suspended", ev,
                                 events.recording_event("SuspendRecordEvent", "1", CALL, "rec-0001-5001")),
        "resume": ("Resume a recording", 7, services.connection_request("Resume", CALL)),
        "record-event-resumed": ("Recording resumed: RecordEvent with recordingResumed", ev,
                                 events.recording_event("RecordEvent", "1", CALL, "rec-0001-5001", resumed=True)),
        "stop": ("Stop a recording", 8, services.connection_request("Stop", CALL)),
        "stop-event": ("Recording stopped", ev, events.recording_event("StopEvent", "1", CALL, "rec-0001-5001")),
        "associate-data": ("Set an account code on a call", 9, associate_data(CALL, "4711")),
        "call-information-event": ("Account code entered on a device", ev,
                                   call_information_event("1", CALL, "5001", "4711")),
        "csta-error": ("A failed precondition: association already present", 3,
                       errors.error_document("stateIncompatibility", "invalidObjectState")),
    }
    return {key: (title, encode_frame(invoke_id, xml)) for key, (title, invoke_id, xml) in ex.items()}


EXAMPLES = _examples()


def hexdump(frame: bytes) -> str:
    """The 8-byte header in hex, then the XML as text."""
    head = frame[:8]
    return f"{head[:2].hex(' ')} | {head[2:4].hex(' ')} (length {int.from_bytes(head[2:4], 'big')}) | " \
           f"{head[4:8].decode()} (invoke ID)\n{frame[8:].decode('utf-8')}"
