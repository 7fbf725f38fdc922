"""ECMA-323 documents: build them in a configurable namespace, parse untrusted ones safely.

Parsing refuses any DTD (so no entity can be declared, expanded or fetched) and any
document over the size limit, with a CstaXmlError that says which.

>>> doc = document("MonitorStart", {"monitorObject": {"deviceObject": "5001"}})
>>> msg = parse(doc); msg.name, msg["monitorObject/deviceObject"], msg.namespace == ED4
('MonitorStart', '5001', True)
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import defusedxml
import defusedxml.ElementTree as SafeET

from ..errors import ProductFailure, UsageError
from .framing import HEADER_SIZE, MAX_FRAME

ED2 = "http://www.ecma.ch/standards/ecma-323/csta/ed2"
ED3 = "http://www.ecma-international.org/standards/ecma-323/csta/ed3"
ED4 = "http://www.ecma-international.org/standards/ecma-323/csta/ed4"
ED6 = "http://www.ecma-international.org/standards/ecma-323/csta/ed6"
APPL_SESSION = "http://www.ecma-international.org/standards/ecma-354/appl_session"
EDITIONS = {"ed3": ED3, "ed4": ED4, "ed6": ED6}  # what the project emits
DEFAULT_NAMESPACE = ED4
CSTA_NAMESPACES = frozenset({ED2, ED3, ED4, ED6})  # the canonical URIs (docs/protocol.md)
KNOWN_NAMESPACES = CSTA_NAMESPACES | {APPL_SESSION}
AVAYA = "http://www.avaya.com/csta"
VENDOR_NAMESPACES = frozenset({AVAYA})  # vendor namespaces whose roots are CSTA messages
SOAP_ENVELOPES = frozenset({"http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"})
_CSTA_URI = re.compile(r"http://www\.(?:ecma\.ch|ecma-international\.org)/standards/ecma-323/csta/"
                       r"ed([2-6])(?:/[A-Za-z0-9._~-]+)*/?")


def edition(uri: str) -> str | None:
    """The ECMA-323 edition a namespace URI names, on either host and with any vendor's protocol
    suffix after it (Avaya negotiates `.../csta/ed3/priv6`); None for any other URI.

    >>> edition(ED6), edition("http://www.ecma.ch/standards/ecma-323/csta/ed6"), edition(ED3 + "/priv6")
    ('ed6', 'ed6', 'ed3')
    >>> edition("urn:other"), edition(APPL_SESSION)
    (None, None)
    """
    m = _CSTA_URI.fullmatch(uri)
    return f"ed{m.group(1)}" if m else None


class Accepted:
    """The root namespaces a receiver accepts: every CSTA edition ed2 to ed6 on both hosts
    (with a vendor protocol suffix or not), ECMA-354, the vendor namespaces, and, unless
    told otherwise, a root with no namespace at all (OpenScape Voice answers the session start
    so). `ns in accepted` tests one.

    >>> "" in DEFAULT_ACCEPT, AVAYA in DEFAULT_ACCEPT, "" in Accepted(none=False), "urn:x" in DEFAULT_ACCEPT
    (True, True, False, False)
    """

    def __init__(self, none: bool = True, vendors: frozenset[str] = VENDOR_NAMESPACES, session: bool = True):
        self.none, self.vendors, self.session = none, frozenset(vendors), session

    def __contains__(self, ns: str) -> bool:
        if not ns:
            return self.none
        return edition(ns) is not None or ns in self.vendors or (self.session and ns == APPL_SESSION)

    def __repr__(self) -> str:
        return (f"Accepted(CSTA ed2-ed6{', ECMA-354' if self.session else ''}"
                f"{''.join(', ' + v for v in sorted(self.vendors))}{', no namespace' if self.none else ''})")


DEFAULT_ACCEPT = Accepted()
MAX_XML = MAX_FRAME - HEADER_SIZE
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'


class CstaXmlError(ProductFailure, ValueError):
    """A document that is refused or cannot be parsed; reason says which."""

    def __init__(self, reason: str):
        super().__init__(f"CSTA XML refused: {reason}")
        self.reason = reason


class MissingElement(ProductFailure, KeyError):
    """A document lacks an element its reader needs (``msg[path]``)."""

    __str__ = Exception.__str__  # the message as given, not KeyError's quoted repr


def namespace_uri(edition: str) -> str:
    """'ed3' | 'ed4' | 'ed6' or a full CSTA namespace URI -> the URI."""
    if edition in EDITIONS:
        return EDITIONS[edition]
    if edition in CSTA_NAMESPACES:
        return edition
    raise UsageError(f"unknown CSTA namespace {edition!r}; use one of {', '.join(EDITIONS)} or a URI "
                     f"from {', '.join(sorted(CSTA_NAMESPACES))}")


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def ns_of(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


# ---------------------------------------------------------------- building
def build(name: str, content: Any = None, namespace: str | None = DEFAULT_NAMESPACE) -> ET.Element:
    """An element named name with content; namespace becomes its default xmlns.

    content values: str/int -> text; dict or list of (name, value) -> children;
    True -> empty element; None -> omitted; a list -> repeated elements; an Element ->
    placed inside the child as is (for privateData/private).
    """
    root = ET.Element(name)
    if namespace:
        root.set("xmlns", namespace)
    _fill(root, content)
    return root


def _fill(el: ET.Element, content: Any) -> None:
    if content is None or content is True:
        return
    if isinstance(content, ET.Element):
        el.append(content)
        return
    if isinstance(content, (str, int)):
        el.text = str(content)
        return
    items = content.items() if isinstance(content, dict) else content
    for key, value in items:
        for v in value if isinstance(value, list) else [value]:
            if v is None:
                continue
            _fill(ET.SubElement(el, key), v)


def serialize(element: ET.Element) -> bytes:
    return DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def document(name: str, content: Any = None, namespace: str | None = DEFAULT_NAMESPACE) -> bytes:
    """A whole document: the XML declaration and the element built from content."""
    return serialize(build(name, content, namespace))


# ---------------------------------------------------------------- parsing
class CstaMessage:
    """A parsed document. Paths are '/'-separated local names, namespaces ignored.

    >>> m = parse(document("X", {"a": {"b": "1"}, "c": True}))
    >>> m["a/b"], m.get("c"), m.get("d"), "a/b" in m, m.to_dict()
    ('1', '', None, True, {'a': {'b': '1'}, 'c': ''})
    """

    def __init__(self, root: ET.Element):
        self.root = root
        self.name = local(root.tag)
        self.namespace = ns_of(root.tag)

    def find(self, path: str, start: ET.Element | None = None) -> ET.Element | None:
        el = self.root if start is None else start
        for part in path.split("/"):
            el = next((c for c in el if local(c.tag) == part), None)
            if el is None:
                return None
        return el

    def get(self, path: str, default: str | None = None) -> str | None:
        el = self.find(path)
        if el is None:
            return default
        return (el.text or "").strip()

    def __getitem__(self, path: str) -> str:
        value = self.get(path)
        if value is None:
            raise MissingElement(f"{self.name} has no {path}")
        return value

    def __contains__(self, path: str) -> bool:
        return self.find(path) is not None

    def to_dict(self) -> dict:
        return _as_dict(self.root)

    def __repr__(self) -> str:
        return f"CstaMessage({self.name}, {self.to_dict()!r})"


def _as_dict(el: ET.Element) -> Any:
    children = list(el)
    if not children:
        return (el.text or "").strip()
    out: dict[str, Any] = {}
    for c in children:
        key, value = local(c.tag), _as_dict(c)
        if key in out:
            if not isinstance(out[key], list):
                out[key] = [out[key]]
            out[key].append(value)
        else:
            out[key] = value
    return out


def parse(data: bytes, max_size: int = MAX_XML, accept=DEFAULT_ACCEPT) -> CstaMessage:
    """Parse an untrusted document: no DTD, no entities, no external references.

    accept: the namespaces allowed on the root element (any container, an :class:`Accepted`,
    or None for any). A SOAP envelope is opened: the message is the first element of its Body.

    >>> parse(b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    ...       b'<MonitorStop xmlns="' + ED4.encode() + b'"/></s:Body></s:Envelope>').name
    'MonitorStop'
    """
    if len(data) > max_size:
        raise CstaXmlError(f"document of {len(data)} bytes exceeds the limit of {max_size}")
    if not data.strip():
        raise CstaXmlError("empty document")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise CstaXmlError("a DTD (DOCTYPE) is not allowed; entities are never expanded or fetched") from None
    except defusedxml.EntitiesForbidden:
        raise CstaXmlError("entity declarations are not allowed") from None
    except defusedxml.ExternalReferenceForbidden:
        raise CstaXmlError("external references are not allowed") from None
    except defusedxml.DefusedXmlException as exc:
        raise CstaXmlError(f"unsafe XML: {exc.__class__.__name__}") from None
    except ET.ParseError as exc:
        raise CstaXmlError(f"not well-formed XML ({exc})") from None
    if ns_of(root.tag) in SOAP_ENVELOPES and local(root.tag) == "Envelope":
        root = _soap_body(root)
    if accept is not None and ns_of(root.tag) not in accept:
        raise CstaXmlError(f"root element {local(root.tag)} is in namespace "
                           f"{ns_of(root.tag) or '(none)'!r}, not a known CSTA namespace")
    return CstaMessage(root)


def _soap_body(envelope: ET.Element) -> ET.Element:
    body = next((c for c in envelope if local(c.tag) == "Body"), None)
    message = next(iter(body), None) if body is not None else None
    if message is None:
        raise CstaXmlError("a SOAP envelope with no message in its Body")
    return message
