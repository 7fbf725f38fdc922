"""CSTAErrorCode: the negative response to any CSTA request.

It holds exactly one category element whose text is the value. The schema spells one
category ``systemResourceAvailibility``; that spelling is emitted, and the corrected
``systemResourceAvailability`` is accepted when parsing. ``unspecified`` is an empty element
in the schema: it is emitted empty, and read as the value ``unspecified`` whatever text it holds.

>>> from .xml import parse
>>> parse_error(parse(error_document("operation", "invalidDeviceID")))
('operation', 'invalidDeviceID')
>>> doc = error_document("unspecified", "unspecified"); doc.endswith(b"<unspecified /></CSTAErrorCode>")
True
>>> parse_error(parse(doc))
('unspecified', 'unspecified')
"""
from __future__ import annotations

from ..errors import TestSystemError, UsageError
from .xml import DEFAULT_NAMESPACE, CstaMessage, CstaXmlError, document, local

ROOT = "CSTAErrorCode"
SYSTEM_RESOURCE = "systemResourceAvailibility"  # sic: the schema's spelling
CATEGORIES = ("operation", "security", "stateIncompatibility", SYSTEM_RESOURCE,
              "subscribedResourceAvailability", "performanceManagement", "privateData",
              "privateErrorCode", "unspecified")
UNSPECIFIED = "unspecified"  # an empty element: the category is the whole value
ALIASES = {"systemResourceAvailability": SYSTEM_RESOURCE}


class CstaError(TestSystemError):
    """A CSTAErrorCode received in answer to a request; the switch link turns it into a
    refusal, so one that reaches a scenario is the test system's problem."""

    def __init__(self, category: str, value: str, request: str = ""):
        super().__init__(f"{request + ': ' if request else ''}CSTAErrorCode {category}/{value}")
        self.category, self.value, self.request = category, value, request


def canonical(category: str) -> str:
    category = ALIASES.get(category, category)
    if category not in CATEGORIES:
        raise UsageError(f"{category!r} is not a CSTAErrorCode category; expected one of {', '.join(CATEGORIES)}")
    return category


def error_document(category: str, value: str, namespace: str = DEFAULT_NAMESPACE) -> bytes:
    category = canonical(category)
    return document(ROOT, {category: True if category == UNSPECIFIED else value}, namespace)


def parse_error(msg: CstaMessage) -> tuple[str, str]:
    """(category, value) with the category in the schema's spelling."""
    if msg.name != ROOT:
        raise CstaXmlError(f"expected {ROOT}, got {msg.name}")
    children = list(msg.root)
    if len(children) != 1:
        raise CstaXmlError(f"{ROOT} must hold exactly one category element, found {len(children)}")
    name = local(children[0].tag)
    try:
        category = canonical(name)
    except ValueError as exc:
        raise CstaXmlError(str(exc)) from None
    if category == UNSPECIFIED:
        return category, UNSPECIFIED
    return category, (children[0].text or "").strip()
