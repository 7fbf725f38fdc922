"""Named faults: each breaks one documented behaviour of the reference simulators.

The suite must fail against every one of them, in the scenarios of `caught_by`, with a
failure message containing `evidence` (the kill matrix, docs/fault-matrix.md).
"""
from __future__ import annotations

from dataclasses import dataclass

_EVENTS = ("HD-EVT-1", "HD-EVT-2", "REC-EVT-3013", "REC-EVT-3014", "REC-EVT-3015", "REC-EVT-3016",
           "ACC-EVT-501")


@dataclass(frozen=True)
class Fault:
    name: str
    behaviour: str  # the documented behaviour the fault breaks
    caught_by: tuple[str, ...]  # requirement IDs whose scenarios must fail
    evidence: str  # text the failure message must contain
    switch: bool = False  # the fault lives in the switch, not in the T-Server


_FAULTS = (
    Fault("wrong-private-msg-id", "EventPrivateInfo carries a PrivateMsgID other than the event number",
          ("HD-SVC-1", "HD-EVT-1", "REC-EVT-3013", "ACC-EVT-501"), "PrivateMsgID"),
    Fault("other-dn-missing", "hot-desking events carry no OtherDN", ("HD-EVT-1", "HD-EVT-2"), "OtherDN"),
    Fault("other-dn-wrong", "hot-desking events carry the guest, not the host, as OtherDN",
          ("HD-EVT-1", "HD-EVT-2"), "OtherDN"),
    Fault("no-delivery-to-others",
          "private events reach the requester only, not other clients registered on ThisDN",
          ("HD-EVT-1", "HD-EVT-2", "REC-EVT-3013", "REC-EVT-3014", "REC-EVT-3015", "REC-EVT-3016"),
          "no EventPrivateInfo"),
    Fault("delivery-to-other-dn", "private events also reach clients registered only on other DNs",
          _EVENTS, "must not"),
    Fault("reference-id-not-echoed", "answers do not echo the request's ReferenceID",
          ("HD-SVC-1", "HD-SVC-2", "REC-SVC-3013"), "ReferenceID"),
    Fault("success-on-existing-association",
          "hot-desking on an associated guest succeeds instead of EventError",
          ("HD-ERR-ALREADY",), "expected EventError"),
    Fault("success-on-absent-association",
          "cancel hot-desking without an association succeeds instead of EventError",
          ("HD-ERR-ABSENT",), "expected EventError"),
    Fault("wrong-error-code", "EventError carries an ErrorCode other than the error table's",
          ("HD-ERR-ALREADY", "HD-ERR-CANNOT", "HD-ERR-ABSENT", "REC-ERR-NOT-RECORDING",
           "REC-ERR-NOT-SUSPENDED", "TS-ERR-UNREGISTERED", "TS-ERR-CONNID"), "ErrorCode"),
    Fault("accode-name-ignored",
          "the account-code Extensions key is always 'AccountCode', whatever accode-name says",
          ("ACC-EVT-501",), "Extensions"),
    Fault("private-id-nonzero", "EventPrivateInfo 501 carries PrivateID 1 instead of 0",
          ("ACC-EVT-501", "ACC-SVC-501"), "PrivateID"),
    Fault("wrong-connid-recording", "recording events carry a ConnID other than the recorded call's",
          ("REC-EVT-3013", "REC-EVT-3014", "REC-EVT-3015", "REC-EVT-3016"), "ConnID"),
    Fault("resume-not-suspended", "the switch accepts Resume while the recording is not suspended",
          ("REC-ERR-NOT-SUSPENDED",), "expected EventError", switch=True),
    Fault("wrong-csta-service", "T-Server sends CSTA Stop for a Suspend request (and reports it as suspended)",
          ("REC-SVC-3015", "REC-EVT-3015"), "no Suspend"),
    Fault("no-escape", "T-Server answers hot-desking requests without asking the switch (no Escape)",
          ("HD-SVC-1", "HD-SVC-2"), "no Escape"),
    Fault("wrong-host-on-csta", "T-Server asks the switch for another host than the client's, "
          "and reports the client's host on T-Lib", ("HD-SVC-1", "HD-EVT-1"), "observed frame"),
    Fault("answer-delayed", "T-Server answers private services after the profile's answer timeout",
          ("HD-SVC-1", "REC-SVC-3013"), "no answer"),
    Fault("drop-connection", "T-Server drops the client connection on a private service request",
          ("HD-SVC-1", "REC-SVC-3013"), "closed the connection"),
    Fault("malformed-frame", "T-Server answers a private service with a malformed frame",
          ("HD-SVC-1", "REC-SVC-3013"), "undecodable frame"),
)

FAULTS: dict[str, Fault] = {f.name: f for f in _FAULTS}
SWITCH_FAULTS = frozenset(f.name for f in _FAULTS if f.switch)


def check(names) -> frozenset[str]:
    """Validate fault names; ValueError names the unknown one and lists the known ones."""
    names = frozenset(names or ())
    unknown = names - FAULTS.keys()
    if unknown:
        raise ValueError(f"unknown fault {', '.join(sorted(unknown))}; "
                         f"known faults: {', '.join(FAULTS)}")
    return names
