"""Named faults: each breaks one documented behaviour of the reference simulators.

The suite must fail against every one of them, in the scenarios of `caught_by`, with a
failure message matching `evidence` (the kill matrix, docs/fault-matrix.md).

Faults with an `outbound` or `inbound` transform break the T-Server at a seam, without a
branch in its code: `outbound(server, client, message)` returns the (delay, client, message)
triples the T-Server sends instead of one message; `inbound(server, client, request)` runs
after the T-Server has handled a request.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Awaitable, Callable

from ..errors import UsageError
from ..tlib import codec
from ..tlib.model import Attr, ConnID, KVList, Message, MessageType as M

_EVENTS = ("HD-EVT-1", "HD-EVT-2", "REC-EVT-3013", "REC-EVT-3014", "REC-EVT-3015", "REC-EVT-3016",
           "ACC-EVT-501")


@dataclass(frozen=True)
class Fault:
    name: str
    behaviour: str  # the documented behaviour the fault breaks
    caught_by: tuple[str, ...]  # requirement IDs whose scenarios must fail
    evidence: str  # a regular expression the failing check's message must match
    switch: bool = False  # the fault lives in the switch, not in the T-Server
    outbound: Callable[..., list] | None = None  # transform of each message the T-Server sends
    inbound: Callable[..., Awaitable[None]] | None = None  # what a request does besides its answer


def _private(msg: Message, number: int | None = None) -> bool:
    return msg.type == M.EventPrivateInfo and number in (None, msg.get(Attr.PrivateMsgID))


def _without(msg: Message, *attrs: Attr, **changes) -> Message:
    kept = {k: v for k, v in msg.attrs.items() if k not in attrs}
    return Message(msg.type, {**kept, **{Attr[k]: v for k, v in changes.items()}})


def _first_copy(server, client, msg: Message) -> bool:
    """Whether this is the first copy of a distributed event (so a fault acts once per event)."""
    return client is next((c for c in server.clients if msg.get(Attr.ThisDN) in c.dns), client)


def _changed(test, change):
    """An outbound transform: messages passing `test` are sent as `change(server, message)`."""
    def transform(server, client, msg):
        return [(0.0, client, change(server, msg) if test(msg) else msg)]
    return transform


def _is_answer(msg: Message) -> bool:
    """The answer to a private service request: it echoes a ReferenceID."""
    return msg.type in (M.EventPrivateInfo, M.EventACK, M.EventError) and Attr.ReferenceID in msg


def _hot_desking(msg: Message) -> bool:
    return _private(msg, 1) or _private(msg, 2)


def _recording(msg: Message) -> bool:
    return _private(msg) and msg.get(Attr.PrivateMsgID, 0) >= 3013 and Attr.ConnID in msg


def _renamed_keys(server, msg: Message) -> Message:
    ext = msg.get(Attr.Extensions) or KVList()
    return _without(msg, Extensions=KVList([("AccountCode", v) for _, v in ext]))


def _drop_connection(server, client, msg):
    if _is_answer(msg):
        client.writer.close()
        return []
    return [(0.0, client, msg)]


def _malformed_frame(server, client, msg):
    if _is_answer(msg):  # a good header, then an attribute of unknown wire type 9
        client.writer.write(codec.HEADER.pack(codec.MAGIC, codec.VERSION, 0, 16, M.EventPrivateInfo, 1)
                            + bytes([0, Attr.ThisDN, 9, 0]))
        return []
    return [(0.0, client, msg)]


def _answer_delayed(server, client, msg):
    return [(server.answer_timeout * 1.5 if _is_answer(msg) else 0.0, client, msg)]


def _to_every_client(server, client, msg):
    out = [(0.0, client, msg)]
    if _private(msg) and _first_copy(server, client, msg):
        this = msg.get(Attr.ThisDN)
        out += [(0.0, c, _without(msg, Attr.ReferenceID)) for c in server.clients if this not in c.dns]
    return out


def _requester_only(server, client, msg):
    return [] if _private(msg) and Attr.ReferenceID not in msg else [(0.0, client, msg)]


def _answered_twice(server, client, msg):
    out = [(0.0, client, msg)]
    if _private(msg) and Attr.ReferenceID in msg:
        out.append((0.0, client, Message(M.EventError, {Attr.ReferenceID: msg[Attr.ReferenceID],
                                                        Attr.ErrorCode: 52, Attr.ErrorMessage: "Internal error"})))
    return out


def _extra_resume(server, client, msg):
    out = [(0.0, client, msg)]
    if _private(msg, 3013):
        out.append((0.0, client, _without(msg, Attr.ReferenceID, PrivateMsgID=3016)))
    return out


def _to_other_party(server, client, msg):
    out = [(0.0, client, msg)]
    if _private(msg) and Attr.ConnID in msg and _first_copy(server, client, msg):
        this = msg.get(Attr.ThisDN)
        others = server.parties.get(msg[Attr.ConnID], set()) - {this}
        out += [(0.0, c, _without(msg, Attr.ReferenceID)) for c in server.clients
                if c.dns & others and this not in c.dns]
    return out


def _late_leak(server, client, msg):
    out = [(0.0, client, msg)]
    if _private(msg) and _first_copy(server, client, msg):
        this = msg.get(Attr.ThisDN)
        out += [(server.answer_timeout / 2, c, _without(msg, Attr.ReferenceID)) for c in server.clients
                if this not in c.dns]
    return out


def _broken_501_copies(server, client, msg):
    if _private(msg, 501) and Attr.ReferenceID not in msg and not _first_copy(server, client, msg):
        msg = _without(msg, Attr.Extensions, PrivateID=7)
    return [(0.0, client, msg)]


def _answer_501_without_this_dn(server, client, msg):
    if _private(msg, 501) and Attr.ReferenceID in msg:
        msg = _without(msg, Attr.ThisDN)
    return [(0.0, client, msg)]


def _switch_code_for_foreign_connid(server, client, msg):
    """A ConnID T-Server issued on another DN is passed to the switch, whose answer it relays."""
    if msg.type == M.EventError and msg.get(Attr.ErrorCode) == 56 and msg.get(Attr.ConnID) in server.parties:
        msg = _without(msg, ErrorCode=1152, ErrorMessage="CSTA error operation/invalidConnectionID")
    return [(0.0, client, msg)]


class _Discard:
    """A writer that sends nowhere: the T-Server acts for a client that is not there."""

    class transport:  # noqa: N801 - the shape of asyncio's transport, as the T-Server reads it
        @staticmethod
        def get_write_buffer_size() -> int:
            return 0

    def is_closing(self) -> bool:
        return False

    def write(self, data: bytes) -> None:
        pass


async def _refused_but_done(server, client, req: Message) -> None:
    """A private service on a DN the client did not register is refused, then performed anyway."""
    dn = req.get(Attr.ThisDN)
    if req.type == M.RequestPrivateService and dn and dn not in client.dns:
        await server._private_service(replace(client, dns={dn}, writer=_Discard()), req)


_FAULTS = (
    Fault("wrong-private-msg-id", "EventPrivateInfo carries a PrivateMsgID other than the event number",
          ("HD-SVC-1", "HD-EVT-1", "REC-EVT-3013", "ACC-EVT-501"), "PrivateMsgID",
          outbound=_changed(_private, lambda s, m: _without(m, PrivateMsgID=m[Attr.PrivateMsgID] + 1000))),
    Fault("other-dn-missing", "hot-desking events carry no OtherDN", ("HD-EVT-1", "HD-EVT-2"), "OtherDN",
          outbound=_changed(_hot_desking, lambda s, m: _without(m, Attr.OtherDN))),
    Fault("other-dn-wrong", "hot-desking events carry the guest, not the host, as OtherDN",
          ("HD-EVT-1", "HD-EVT-2"), "OtherDN",
          outbound=_changed(_hot_desking, lambda s, m: _without(m, OtherDN=m.get(Attr.ThisDN)))),
    Fault("no-delivery-to-others",
          "private events reach the requester only, not other clients registered on ThisDN",
          ("HD-EVT-1", "HD-EVT-2", "REC-EVT-3013", "REC-EVT-3014", "REC-EVT-3015", "REC-EVT-3016"),
          "no EventPrivateInfo", outbound=_requester_only),
    Fault("delivery-to-other-dn", "private events also reach clients registered only on other DNs",
          _EVENTS, "must not", outbound=_to_every_client),
    Fault("reference-id-not-echoed", "answers do not echo the request's ReferenceID",
          ("HD-SVC-1", "HD-SVC-2", "REC-SVC-3013"), "ReferenceID",
          outbound=_changed(lambda m: Attr.ReferenceID in m, lambda s, m: _without(m, Attr.ReferenceID))),
    Fault("success-on-existing-association",
          "hot-desking on an associated guest succeeds instead of EventError",
          ("HD-ERR-ALREADY",), "expected EventError"),
    Fault("success-on-absent-association",
          "cancel hot-desking without an association succeeds instead of EventError",
          ("HD-ERR-ABSENT",), "expected EventError"),
    Fault("wrong-error-code", "EventError carries an ErrorCode other than the error table's",
          ("HD-ERR-ALREADY", "HD-ERR-CANNOT", "HD-ERR-ABSENT", "REC-ERR-NOT-RECORDING",
           "REC-ERR-NOT-SUSPENDED", "TS-ERR-UNREGISTERED", "TS-ERR-CONNID"), "ErrorCode",
          outbound=_changed(lambda m: m.type == M.EventError, lambda s, m: _without(m, ErrorCode=m[Attr.ErrorCode] + 1))),
    Fault("accode-name-ignored",
          "the account-code Extensions key is always 'AccountCode', whatever accode-name says",
          ("ACC-EVT-501",), "Extensions", outbound=_changed(lambda m: _private(m, 501), _renamed_keys)),
    Fault("private-id-nonzero", "EventPrivateInfo 501 carries PrivateID 1 instead of 0",
          ("ACC-EVT-501", "ACC-SVC-501"), "PrivateID",
          outbound=_changed(lambda m: _private(m, 501), lambda s, m: _without(m, PrivateID=1))),
    Fault("wrong-connid-recording", "recording events carry a ConnID other than the recorded call's",
          ("REC-EVT-3013", "REC-EVT-3014", "REC-EVT-3015", "REC-EVT-3016"), "ConnID",
          outbound=_changed(_recording, lambda s, m: _without(m, ConnID=ConnID(m[Attr.ConnID] + 1)))),
    Fault("resume-not-suspended", "the switch accepts Resume while the recording is not suspended",
          ("REC-ERR-NOT-SUSPENDED",), "expected EventError", switch=True),
    Fault("wrong-csta-service", "T-Server sends CSTA Stop for a Suspend request (and reports it as suspended)",
          ("REC-SVC-3015", "REC-EVT-3015"), "no Suspend"),
    Fault("no-escape", "T-Server answers hot-desking requests without asking the switch (no Escape)",
          ("HD-SVC-1", "HD-SVC-2"), "no Escape"),
    Fault("wrong-host-on-csta", "T-Server asks the switch for another host than the client's, "
          "and reports the client's host on T-Lib", ("HD-SVC-1", "HD-EVT-1"), "observed frame"),
    Fault("answer-delayed", "T-Server answers private services after the profile's answer timeout",
          ("HD-SVC-1", "REC-SVC-3013"), "no answer", outbound=_answer_delayed),
    Fault("drop-connection", "T-Server drops the client connection on a private service request",
          ("HD-SVC-1", "REC-SVC-3013"), "closed the connection", outbound=_drop_connection),
    Fault("malformed-frame", "T-Server answers a private service with a malformed frame",
          ("HD-SVC-1", "REC-SVC-3013"), "undecodable frame", outbound=_malformed_frame),
    Fault("answered-twice", "a successful private service is answered twice: EventPrivateInfo, then an "
          "EventError with the same ReferenceID", ("HD-SVC-1", "HD-SVC-2", "REC-SVC-3013", "ACC-SVC-501"),
          "already answered", outbound=_answered_twice),
    Fault("extra-resume-event", "an unsolicited EventPrivateInfo 3016 follows every EventPrivateInfo 3013",
          ("REC-SVC-3013", "REC-EVT-3013"), "3016", outbound=_extra_resume),
    Fault("events-to-other-party", "private events also reach the clients registered on the call's other party",
          ("REC-EVT-3013", "REC-EVT-3014", "REC-EVT-3015", "REC-EVT-3016", "ACC-EVT-501"), "must not",
          outbound=_to_other_party),
    Fault("late-leak", "private events leak to every other client, half the answer timeout later",
          _EVENTS, "must not", outbound=_late_leak),
    Fault("broken-501-copies", "the copies of EventPrivateInfo 501 to the other registered clients carry "
          "PrivateID 7 and no Extensions", ("ACC-EVT-501", "ACC-SVC-501"), "PrivateID", outbound=_broken_501_copies),
    Fault("answer-501-without-thisdn", "the answer to private service 501 carries no ThisDN",
          ("ACC-SVC-501",), "ThisDN", outbound=_answer_501_without_this_dn),
    Fault("refused-but-done", "a request on a DN the client has not registered is answered with EventError 41 "
          "and carried out all the same", ("TS-ERR-UNREGISTERED",), r"EventPrivateInfo|observed frame \d+ (Escape|RecordMessage)",
          inbound=_refused_but_done),
    Fault("foreign-connid-switch-code", "a ConnID T-Server issued on another DN is answered with the switch's "
          "1152 instead of the error table's 56", ("TS-ERR-CONNID",), "ErrorCode",
          outbound=_switch_code_for_foreign_connid),
    Fault("release-without-account-code", "EventReleased of a call with an account code carries it neither in "
          "UserData nor in Extensions, whatever accode-data says", ("ACC-EVT-501",), "expected key 'AccountCode'",
          outbound=_changed(lambda m: m.type == M.EventReleased,
                            lambda s, m: _without(m, Attr.UserData, Attr.Extensions))),
)

FAULTS: dict[str, Fault] = {f.name: f for f in _FAULTS}
SWITCH_FAULTS = frozenset(f.name for f in _FAULTS if f.switch)


def check(names) -> frozenset[str]:
    """Validate fault names; ValueError names the unknown one and lists the known ones."""
    names = frozenset(names or ())
    unknown = names - FAULTS.keys()
    if unknown:
        raise UsageError(f"unknown fault {', '.join(sorted(unknown))}; "
                         f"known faults: {', '.join(FAULTS)}")
    return names
