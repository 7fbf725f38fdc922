"""The Genesys private elements, defined by this project in a namespace of its own.

The element names ``guestAssociatedExtension`` and ``guestAssociatedEvent`` are public;
their schema and namespace are not, so the project defines them (default namespace
``urn:tsconform:genesys-private:1``, configurable):

- ``guestAssociatedExtension`` travels in Escape's ``privateData/private``; children
  ``guest``, ``host`` (absent for dissociate) and ``action`` = ``associate`` | ``dissociate``.
- ``guestAssociatedEvent`` travels in PrivateEvent's ``privateData/private``; children
  ``guest``, ``host`` (when known) and ``action`` = ``associated`` | ``dissociated``.
- ``recordingResumed`` (empty) marks a RecordEvent that reports a resumption: ECMA-269 has
  no resume event, so a resumed recording is reported by a RecordEvent again. It travels in
  the RecordEvent's ``extensions/privateData/private``.

Where the schema puts private data: Escape and PrivateEvent hold ``privateData`` themselves;
every other message holds it in ``extensions`` (``CSTACommonArguments``). ``find_private``
looks in both places.

Escape's root element is ``Escape`` per the schema; some vendors say ``EscapeService``.
The name emitted is configurable; parsing accepts both. Parsing matches private elements
by local name whatever their namespace, so a vendor namespace is understood too.

>>> from .xml import parse, serialize
>>> el = guest_extension("5001", "6001", "associate")
>>> msg = parse(serialize(escape_request(el)))
>>> msg.name, parse_guest(find_private(msg, EXTENSION))
('Escape', GuestAssociation(guest='5001', host='6001', action='associate'))
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..errors import UsageError
from .xml import DEFAULT_NAMESPACE, CstaMessage, CstaXmlError, build, local

DEFAULT_PRIVATE_NAMESPACE = "urn:tsconform:genesys-private:1"
ESCAPE_NAMES = ("Escape", "EscapeService")
EXTENSION = "guestAssociatedExtension"
EVENT = "guestAssociatedEvent"
RESUMED = "recordingResumed"
REQUEST_ACTIONS = ("associate", "dissociate")
EVENT_ACTIONS = ("associated", "dissociated")


@dataclass(frozen=True)
class GuestAssociation:
    guest: str
    host: str | None
    action: str


def _element(name: str, guest: str, host: str | None, action: str, namespace: str) -> ET.Element:
    return build(name, {"guest": guest, "host": host, "action": action}, namespace)


def guest_extension(guest: str, host: str | None, action: str,
                    namespace: str = DEFAULT_PRIVATE_NAMESPACE) -> ET.Element:
    if action not in REQUEST_ACTIONS:
        raise UsageError(f"action must be one of {REQUEST_ACTIONS}, got {action!r}")
    return _element(EXTENSION, guest, host, action, namespace)


def guest_event(guest: str, host: str | None, action: str,
                namespace: str = DEFAULT_PRIVATE_NAMESPACE) -> ET.Element:
    if action not in EVENT_ACTIONS:
        raise UsageError(f"action must be one of {EVENT_ACTIONS}, got {action!r}")
    return _element(EVENT, guest, host, action, namespace)


def resumed_marker(namespace: str = DEFAULT_PRIVATE_NAMESPACE) -> ET.Element:
    return build(RESUMED, None, namespace)


def private_data(element: ET.Element) -> dict:
    """Content for a ``privateData`` child holding element in ``private`` (Escape, PrivateEvent)."""
    return {"privateData": {"private": element}}


def extensions(element: ET.Element) -> dict:
    """Content for ``extensions/privateData/private`` holding element (every other message)."""
    return {"extensions": private_data(element)}


HOLDERS = ("privateData/private", "extensions/privateData/private")


def private_holder(msg: CstaMessage) -> ET.Element | None:
    """The ``private`` element of msg, directly under ``privateData`` or in ``extensions``."""
    return next((h for h in map(msg.find, HOLDERS) if h is not None), None)


def escape_request(element: ET.Element, name: str = "Escape",
                   namespace: str = DEFAULT_NAMESPACE) -> ET.Element:
    if name not in ESCAPE_NAMES:
        raise UsageError(f"Escape's root element is one of {ESCAPE_NAMES}, got {name!r}")
    return build(name, private_data(element), namespace)


def find_private(msg: CstaMessage, name: str) -> ET.Element | None:
    """The element called name inside [extensions/]privateData/private, any namespace.

    >>> from .xml import document, parse
    >>> doc = document("RecordEvent", {"monitorCrossRefID": "1", **extensions(resumed_marker())})
    >>> find_private(parse(doc), RESUMED) is not None, find_private(parse(doc), EVENT)
    (True, None)
    """
    holder = private_holder(msg)
    if holder is None:
        return None
    return next((c for c in holder if local(c.tag) == name), None)


def parse_guest(el: ET.Element | None) -> GuestAssociation:
    """guest, host, action of a guestAssociatedExtension or guestAssociatedEvent."""
    if el is None:
        raise CstaXmlError(f"no {EXTENSION} or {EVENT} in privateData/private")
    fields = {local(c.tag): (c.text or "").strip() for c in el}
    allowed = REQUEST_ACTIONS if local(el.tag) == EXTENSION else EVENT_ACTIONS
    if not fields.get("guest"):
        raise CstaXmlError(f"{local(el.tag)} has no guest")
    if fields.get("action") not in allowed:
        raise CstaXmlError(f"{local(el.tag)} action {fields.get('action')!r} is not one of {allowed}")
    return GuestAssociation(fields["guest"], fields.get("host") or None, fields["action"])
