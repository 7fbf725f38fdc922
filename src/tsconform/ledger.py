"""The catalogue rows that the checks of a scenario verified, each with its outcome.

A check records the row of the message it judged (an event's attribute, a service's request,
an error-table row) as it runs, and whether it passed. The traceability matrix is built from
these records, never from the wording of a step. A row keeps its worst outcome.

>>> from tsconform.tlib.model import Attr, Message, MessageType as M
>>> established = Message(M.EventPrivateInfo, {Attr.PrivateMsgID: 1, Attr.OtherDN: "6001"})
>>> event_rows(established, "OtherDN")
['HD-EVT-1/OtherDN']
>>> record(["HD-EVT-1/OtherDN"], "pass"); record(["HD-EVT-1/OtherDN"], "fail")
>>> take()
{'HD-EVT-1/OtherDN': 'fail'}
>>> take()
{}
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from contextlib import contextmanager

from . import spec
from .tlib.model import Attr, KVList, Message, MessageType as M

OUTCOMES = ("pass", "inconclusive", "fail")  # from best to worst

_rows: dict[str, str] = {}


def record(row_ids: Iterable[str], outcome: str) -> None:
    """Note that a check on these rows ran with this outcome (a row keeps its worst)."""
    for row in row_ids:
        if OUTCOMES.index(outcome) >= OUTCOMES.index(_rows.get(row, "pass")):
            _rows[row] = outcome


def take() -> dict[str, str]:
    """The rows recorded since the last take, with their outcomes (and forget them)."""
    out = dict(_rows)
    _rows.clear()
    return out


def event_rows(msg: Message, attr: str | None = None, *, keyed: bool | None = None) -> list[str]:
    """The catalogue rows a check on this message verifies: the event's own row, or the rows of
    one attribute (for Extensions, `keyed` picks the row of a documented key or the keyless one)."""
    if msg.type != M.EventPrivateInfo or msg.get(Attr.PrivateMsgID) not in spec.EVENTS:
        return []
    return list(_event_rows(msg[Attr.PrivateMsgID], attr, keyed))


@functools.lru_cache(maxsize=256)
def _event_rows(number: int, attr: str | None, keyed: bool | None) -> tuple[str, ...]:
    event = spec.EVENTS[number]
    if attr is None:
        return (event.req_id,)
    return tuple(row_id(event.req_id, a) for a in event.attributes
                 if a.name == attr and (keyed is None or bool(a.key) == keyed))


def request_rows(request: Message) -> list[str]:
    """The service's own row and the rows of the attributes this request carried (or, for a
    documented "no Extensions", left out)."""
    service = spec.SERVICES.get(request.get(Attr.PrivateMsgID))
    if request.type != M.RequestPrivateService or service is None:
        return []
    ext = request.get(Attr.Extensions)
    rows = [service.req_id]
    for a in service.attributes:
        if a.name != "Extensions":
            carried = Attr[a.name] in request
        elif a.key:
            carried = isinstance(ext, KVList) and len(ext) > 0
        else:
            carried = ext is None
        if carried:
            rows.append(row_id(service.req_id, a))
    return rows


@contextmanager
def judging(row_ids: Iterable[str]):
    """Record these rows as pass if the block's checks pass, as fail if one fails."""
    rows = list(row_ids)
    try:
        yield
    except AssertionError:
        record(rows, "fail")
        raise
    record(rows, "pass")


def row_id(req_id: str, a: spec.AttrRow) -> str:
    """The traceability row of an attribute row of the catalogue, e.g. `HD-SVC-1/Extensions[HOST_DN]`."""
    return f"{req_id}/{a.name}" + (f"[{a.key}]" if a.key else "")
