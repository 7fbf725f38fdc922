"""Assertion helpers for the steps: each failure says expected, observed, and which message.

Each check records in the ledger the catalogue row it verified, and its outcome.
"""
from __future__ import annotations

from . import ledger, spec
from .errors import ProductFailure
from .tlib.model import Attr, ConnID, KVList, Message, MessageType as M


class CheckFailed(ProductFailure):
    """A conformance check failed: the target's behaviour differs from the catalogue."""


def _where(msg: Message) -> str:
    return f"in {msg.summary()}"


def message_type(msg: Message, expected: M, doing: str) -> None:
    if msg.type != expected:
        extra = f" ({msg.get(Attr.ErrorMessage)})" if Attr.ErrorMessage in msg else ""
        raise CheckFailed(f"{doing}: expected {expected.name}, observed {msg.summary()}{extra}")


def private_info(msg: Message, number: int, doing: str) -> None:
    """An EventPrivateInfo whose PrivateMsgID is the event number."""
    with ledger.judging([spec.EVENTS[number].req_id] if number in spec.EVENTS else []):
        message_type(msg, M.EventPrivateInfo, doing)
        attribute(msg, Attr.PrivateMsgID, number)


def attribute(msg: Message, attr: Attr, expected) -> None:
    with ledger.judging(ledger.event_rows(msg, attr.name, keyed=False if attr == Attr.Extensions else None)):
        _attribute(msg, attr, expected)


def _attribute(msg: Message, attr: Attr, expected) -> None:
    if attr not in msg:
        raise CheckFailed(f"{attr.name}: expected {_show(expected)}, observed no {attr.name} {_where(msg)}")
    if msg[attr] != expected:
        raise CheckFailed(f"{attr.name}: expected {_show(expected)}, observed {_show(msg[attr])} {_where(msg)}")


def absent(msg: Message, attr: Attr, why: str) -> None:
    with ledger.judging(ledger.event_rows(msg, attr.name, keyed=False if attr == Attr.Extensions else None)):
        _absent(msg, attr, why)


def _absent(msg: Message, attr: Attr, why: str) -> None:
    if attr in msg:
        raise CheckFailed(f"{attr.name}: expected none ({why}), observed {_show(msg[attr])} {_where(msg)}")


def extension(msg: Message, key: str, expected=None) -> None:
    with ledger.judging(ledger.event_rows(msg, "Extensions", keyed=True)):
        key_value(msg, Attr.Extensions, key, expected)


def key_value(msg: Message, attr: Attr, key: str, expected=None) -> None:
    """A key-value attribute (Extensions, UserData) carries this key, with this value if given."""
    kv = msg.get(attr)
    if not isinstance(kv, KVList) or key not in kv:
        keys = kv.keys() if isinstance(kv, KVList) else f"no {attr.name}"
        raise CheckFailed(f"{attr.name}: expected key {key!r}, observed {keys} {_where(msg)}")
    if expected is not None and kv.get(key) != expected:
        raise CheckFailed(f"{attr.name}[{key!r}]: expected {expected!r}, observed {kv.get(key)!r} {_where(msg)}")


def no_key(msg: Message, attr: Attr, key: str, why: str) -> None:
    """A key-value attribute, if present, does not carry this key."""
    kv = msg.get(attr)
    if isinstance(kv, KVList) and key in kv:
        raise CheckFailed(f"{attr.name}[{key!r}]: expected none ({why}), observed {kv.get(key)!r} {_where(msg)}")


def echoes_reference(answer: Message, request: Message) -> None:
    attribute(answer, Attr.ReferenceID, request[Attr.ReferenceID])


def answer_to(request: Message):
    """The checks of the answer to this request verify the service's rows that the request
    exercised (a context manager around them)."""
    return ledger.judging(ledger.request_rows(request))


def echoes_request(answer: Message, request: Message, attrs) -> None:
    """The answer carries each of these attributes the request had, with the request's value."""
    for attr in attrs:
        if attr in request:
            attribute(answer, attr, request[attr])


def error_row(msg: Message, req_id: str, doing: str) -> None:
    """An EventError with the ErrorCode and ErrorMessage of an error-table row."""
    with ledger.judging([req_id]):
        _error_row(msg, req_id, doing)


def _error_row(msg: Message, req_id: str, doing: str) -> None:
    code, text = spec.error(req_id)
    message_type(msg, M.EventError, f"{doing} ({req_id}: {spec.ERRORS[req_id].precondition})")
    if msg.get(Attr.ErrorCode) != code:
        raise CheckFailed(f"ErrorCode for {req_id}: expected {code} ({text}), "
                          f"observed {msg.get(Attr.ErrorCode)} {_where(msg)}")
    observed = str(msg.get(Attr.ErrorMessage, ""))
    if observed != text and not observed.startswith(text + ": "):  # T-Server may append ": <detail>"
        raise CheckFailed(f"ErrorMessage for {req_id}: expected {text!r} (or {text + ': <detail>'!r}), "
                          f"observed {observed!r} {_where(msg)}")


UNKNOWN = object()  # an expected value the evidence does not give: its row is left to the caller


def seed_row(msg: Message, number: int, where: str, *, conn_id=None, other_dn=None, options=None,
             account_code=None) -> None:
    """An EventPrivateInfo `number` for ThisDN `where` carries its event's whole seed row: the
    ConnID of the call (none when conn_id is None), the OtherDN, the documented PrivateID, the
    Extensions key the row names (under the option it names, with account_code if given) and
    no Extensions where the row says None. A row whose expected value is UNKNOWN is not checked."""
    private_info(msg, number, f"the copy of EventPrivateInfo {number} for {where}")
    attribute(msg, Attr.ThisDN, where)
    for row in spec.EVENTS[number].attributes:
        if {"ConnID": conn_id, "OtherDN": other_dn}.get(row.name, row) is UNKNOWN:
            continue
        if row.name == "ConnID" and conn_id is not None:
            attribute(msg, Attr.ConnID, conn_id)
        elif row.name == "ConnID":
            absent(msg, Attr.ConnID, "no call was active on the device")
        elif row.name == "OtherDN":
            attribute(msg, Attr.OtherDN, other_dn)
        elif row.name == "PrivateID":
            attribute(msg, Attr.PrivateID, row.value)
        elif row.name == "Extensions" and row.key:
            extension(msg, spec.resolve_key(row.key, options or {}), account_code)
        elif row.name == "Extensions":
            absent(msg, Attr.Extensions, "the seed documents no Extensions key for this event")


def delivered(number: int, where: str, copies: dict[str, int], registered: dict[str, str],
              others: dict[str, str]) -> None:
    """EventPrivateInfo `number` for ThisDN `where` reached every client registered on it, once
    each, and no other client. `copies`: client -> copies received; `registered`: client ->
    since when it is registered on ThisDN; `others`: client -> what it is registered on.

    >>> delivered(1, "5001", {"a": 1, "c": 1}, {"a": "frame 3", "b": "frame 5"}, {"c": "5002"})
    Traceback (most recent call last):
    ...
    tsconform.checks.CheckFailed: delivery of EventPrivateInfo 1 for 5001: no EventPrivateInfo 1 reached b, registered on 5001 (frame 5); c, registered on 5002, must not receive it
    """
    with ledger.judging([spec.EVENTS[number].req_id] if number in spec.EVENTS else []):
        wrong = [f"no EventPrivateInfo {number} reached {c}, registered on {where} ({since})"
                 for c, since in registered.items() if not copies.get(c)]
        wrong += [f"{c} received it {n} times, expected exactly once"
                  for c, n in copies.items() if n > 1 and c in registered]
        wrong += [f"{c}, registered on {others.get(c) or 'nothing'}, must not receive it"
                  for c in copies if c not in registered]
        if wrong:
            raise CheckFailed(f"delivery of EventPrivateInfo {number} for {where}: " + "; ".join(wrong))


def documented_value(event_number: int, attr_name: str, stated) -> object:
    """The value the catalogue documents for an event attribute; the feature must agree."""
    row = next((a for a in spec.EVENTS[event_number].attributes if a.name == attr_name), None)
    if row is None or row.value is None:
        raise CheckFailed(f"the catalogue documents no fixed {attr_name} for event {event_number}")
    if row.value != stated:
        raise CheckFailed(f"feature file says {attr_name} {stated!r} for event {event_number}, "
                          f"the catalogue says {row.value!r}")
    return row.value


def _show(value) -> str:
    return str(value) if isinstance(value, ConnID) else repr(value)


def event_number(number: int) -> int:
    """A private event number the catalogue documents."""
    if number not in spec.EVENTS:
        raise CheckFailed(f"event {number} is not in the catalogue (known: {sorted(spec.EVENTS)})")
    return spec.EVENTS[number].number


def connector_request(service_number: int, stated: str) -> spec.Service:
    """The service whose connector request the feature names; the catalogue must agree."""
    service = spec.SERVICES.get(service_number)
    if service is None or service.csta != stated:
        raise CheckFailed(f"the feature names {stated} for service {service_number}; the catalogue's "
                          f"connector request is {service.csta if service else 'none'}")
    return service


def connector_event(service_number: int, stated: str) -> spec.Event:
    """The event a service produces whose CSTA event the feature names; the catalogue must agree."""
    event = spec.event_for_service(service_number)
    if event.csta != stated:
        raise CheckFailed(f"the feature names {stated} for event {event.number}; the catalogue's "
                          f"CSTA event is {event.csta}")
    return event
