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
