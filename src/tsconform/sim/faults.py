"""Named faults: each breaks one documented behaviour of the reference simulators.

The suite must fail against every one of them (the kill matrix, docs/fault-matrix.md).
"""
from __future__ import annotations

FAULTS: dict[str, str] = {
    "wrong-private-msg-id": "EventPrivateInfo carries a PrivateMsgID other than the event number",
    "other-dn-missing": "hot-desking events carry no OtherDN",
    "other-dn-wrong": "hot-desking events carry the guest, not the host, as OtherDN",
    "no-delivery-to-others": "private events reach the requester only, not other clients registered on ThisDN",
    "delivery-to-other-dn": "private events also reach clients registered only on other DNs",
    "reference-id-not-echoed": "answers do not echo the request's ReferenceID",
    "success-on-existing-association": "hot-desking on an associated guest succeeds instead of EventError",
    "success-on-absent-association": "cancel hot-desking without an association succeeds instead of EventError",
    "wrong-error-code": "EventError carries an ErrorCode other than the error table's",
    "accode-name-ignored": "the account-code Extensions key is always 'AccountCode', whatever accode-name says",
    "private-id-nonzero": "EventPrivateInfo 501 carries PrivateID 1 instead of 0",
    "wrong-connid-recording": "recording events carry a ConnID other than the recorded call's",
    "resume-not-suspended": "the switch accepts Resume while the recording is not suspended",
    "answer-delayed": "T-Server answers private services after the profile's answer timeout",
    "drop-connection": "T-Server drops the client connection on a private service request",
    "malformed-frame": "T-Server answers a private service with a malformed frame",
}

# Faults that live in the switch rather than in the T-Server.
SWITCH_FAULTS = frozenset({"resume-not-suspended"})


def check(names) -> frozenset[str]:
    """Validate fault names; ValueError names the unknown one and lists the known ones."""
    names = frozenset(names or ())
    unknown = names - FAULTS.keys()
    if unknown:
        raise ValueError(f"unknown fault {', '.join(sorted(unknown))}; "
                         f"known faults: {', '.join(FAULTS)}")
    return names
