"""Structural validation of CSTA documents against a JSON model of the ECMA-323/ECMA-354 schemas.

No official ECMA-323 XSD is shipped with the project. A model file (JSON, not part of the
project) gives what the schema says of each message:

- ``namespace``: the target namespace;
- ``roots``: global element name -> type name;
- ``types``: type name -> ``sequence`` (items in order; a nested list is a choice among its
  items), ``enum`` (the allowed texts), ``simpleContent`` (text) with ``attributes``,
  ``anyAttribute``, or ``base`` (the type it extends); ``{}`` is an empty type.
  An item has ``name`` (``*`` with type ``any`` is an ``xs:any`` wildcard), ``type`` or
  ``listOf`` (``{item name: item type}``: a wrapper of repeated items), ``repeat``.

The check covers element names, namespaces, order, repetition, choices, enumerations,
attributes, empty elements and simple values. The model does not keep minOccurs, so no
element is required. ``validate`` returns the problems, each naming the element's path.

>>> model = SchemaModel({"namespace": "urn:x", "roots": {"R": "R"}, "types": {
...     "R": {"sequence": [{"name": "a", "type": "Colour"}, {"name": "b", "type": "Empty"},
...                        [{"name": "c", "type": "string"}, {"name": "d", "type": "long"}],
...                        {"name": "x", "type": "Any"}]},
...     "Colour": {"enum": ["red", "blue"]}, "Empty": {},
...     "Any": {"sequence": [{"name": "*", "type": "any", "repeat": True}]}}})
>>> model.validate(b'<R xmlns="urn:x"><a>red</a><b/><d>4</d><x><p xmlns="urn:p"/></x></R>')
[]
>>> model.validate(b'<R xmlns="urn:x"><a>green</a><b>no</b><d>x</d></R>')
["/R/a: 'green' is not one of red, blue", '/R/b: text in an empty element', "/R/d: 'x' is not an integer"]
>>> model.validate(b'<R xmlns="urn:x"><b/><a>red</a><c/><d>4</d><y/></R>')
['/R/a: out of order (after b)', '/R/d: a second choice after c', '/R/y: unknown element; R holds a, b, c, d, x']
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree as SafeET

from ..errors import UsageError
from .xml import APPL_SESSION, ED3, ED6, edition, local, ns_of

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MODEL_FILES = {"ed3": "ecma-323-ed3.model.json", "ed6": "ecma-323-ed6.model.json",
               "appl_session": "ecma-354-appl_session.model.json"}
_INTEGER = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})*")
SIMPLE = {
    "string": None,
    "bool": ("a boolean", re.compile(r"true|false|1|0")),
    "long": ("an integer", _INTEGER), "integer": ("an integer", _INTEGER),
    "short": ("an integer", _INTEGER), "float": ("a number", _FLOAT),
    "hex": ("hexBinary", _HEX),
}
WILDCARDS = ("any", "System.Xml.XmlElement")


class SchemaModelError(UsageError):
    """A model file that cannot be read or is not a schema model (a test-system error)."""


@dataclass(frozen=True)
class _Item:
    name: str
    type: str | None
    repeat: bool
    list_of: tuple[str, str] | None  # (item element, item type)

    @classmethod
    def of(cls, raw: dict) -> "_Item":
        list_of = raw.get("listOf")
        pair = next(iter(list_of.items())) if isinstance(list_of, dict) and list_of else None
        return cls(str(raw.get("name", "*")), raw.get("type"), bool(raw.get("repeat")), pair)

    @property
    def wildcard(self) -> bool:
        return self.name == "*"


@dataclass(frozen=True)
class _Particle:
    """One position of a sequence: one item, or a choice among several."""

    items: tuple[_Item, ...]
    choice: bool

    @property
    def repeat(self) -> bool:
        return any(i.repeat for i in self.items)

    def match(self, name: str) -> _Item | None:
        named = next((i for i in self.items if i.name == name), None)
        return named or next((i for i in self.items if i.wildcard), None)


class SchemaModel:
    """One schema model: ``SchemaModel.load(path)`` or ``SchemaModel(data)``."""

    def __init__(self, data: dict, source: str = "model"):
        if not isinstance(data, dict) or not isinstance(data.get("types"), dict) \
                or not isinstance(data.get("roots"), dict):
            raise SchemaModelError(f"{source}: not a schema model (needs roots and types)")
        self.source = source
        self.namespace: str = data.get("namespace", "")
        self.roots: dict[str, str] = data["roots"]
        self.types: dict[str, dict] = data["types"]
        self._sequences: dict[str, tuple[_Particle, ...]] = {}

    @classmethod
    def load(cls, path: str | Path) -> "SchemaModel":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SchemaModelError(f"cannot read the schema model {path.name}: {exc}") from None
        return cls(data, path.name)

    def __repr__(self) -> str:
        return f"SchemaModel({self.source}, {self.namespace})"

    # ------------------------------------------------------------ the types
    def _type(self, name: str | None) -> dict | None:
        seen = set()
        t = self.types.get(name) if name else None
        while t is not None and "base" in t and not ({"sequence", "enum", "simpleContent"} & t.keys()):
            if t["base"] in seen:
                break
            seen.add(t["base"])
            t = self.types.get(t["base"])
        return t

    def _sequence(self, name: str) -> tuple[_Particle, ...]:
        if name not in self._sequences:
            t = self.types.get(name) or {}
            particles: list[_Particle] = []
            base = t.get("base")
            if base and base in self.types and "sequence" in t:
                particles.extend(self._sequence(base))
            for raw in self._type(name).get("sequence", []) if self._type(name) else []:
                if isinstance(raw, list):
                    items = tuple(_Item.of(x) for x in _flat(raw))
                    particles.append(_Particle(items, True))
                elif isinstance(raw, dict):
                    particles.append(_Particle((_Item.of(raw),), False))
            self._sequences[name] = tuple(particles)
        return self._sequences[name]

    # ------------------------------------------------------------ checking
    def validate(self, doc: bytes | str | ET.Element, namespace: str | None = None) -> list[str]:
        """Problems of doc, each as 'path: what'; [] when it is valid.

        namespace: the namespace the document's CSTA elements are in when it is not the
        model's own (an ed4 document checked against the ed6 model).
        """
        root = doc if isinstance(doc, ET.Element) else _parse(doc)
        ns = self.namespace if namespace is None else namespace
        problems: list[str] = []
        name = local(root.tag)
        path = "/" + name
        if ns_of(root.tag) != ns:
            problems.append(f"{path}: namespace {ns_of(root.tag) or '(none)'!r}, expected {ns!r}")
        if name not in self.roots:
            problems.append(f"{path}: no global element {name} in {self.source}")
            return problems
        self._element(root, self.roots[name], path, ns, problems)
        return problems

    def _element(self, el: ET.Element, type_name: str | None, path: str, ns: str, out: list[str]) -> None:
        if type_name in WILDCARDS:
            return
        if type_name in SIMPLE:
            self._attributes(el, None, path, out)
            self._simple(el, type_name, path, out)
            return
        t = self._type(type_name)
        if t is None:                      # a type the model lacks: nothing to check against
            return
        self._attributes(el, t, path, out)
        if "enum" in t:
            text = self._no_children(el, path, out)
            if text is not None and text not in t["enum"]:
                out.append(f"{path}: {text!r} is not one of {_listed(t['enum'])}")
        elif "simpleContent" in t:
            self._no_children(el, path, out)
        elif not t.get("sequence") and "base" not in t:
            text = self._no_children(el, path, out)
            if text:
                out.append(f"{path}: text in an empty element")
        else:
            if (el.text or "").strip() or any((c.tail or "").strip() for c in el):
                out.append(f"{path}: text in an element that holds elements")
            self._children(el, type_name, path, ns, out)

    def _children(self, el: ET.Element, type_name: str, path: str, ns: str, out: list[str]) -> None:
        particles = self._sequence(type_name)
        pos, count, last = 0, 0, None      # the particle reached, its matches, the last name matched
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = local(child.tag)
            cpath = f"{path}/{name}"
            here = particles[pos].match(name) if pos < len(particles) else None
            if here is not None and (count == 0 or particles[pos].repeat):
                item = here
                count += 1
            else:
                ahead = next(((j, particles[j].match(name)) for j in range(pos + 1, len(particles))
                              if particles[j].match(name) is not None), None)
                if ahead is None:
                    if here is not None:
                        out.append(f"{cpath}: a second choice after {last}" if particles[pos].choice
                                   and last != name else f"{cpath}: repeated")
                    elif any(p.match(name) for p in particles[:pos]):
                        out.append(f"{cpath}: out of order (after {last})")
                    else:
                        allowed = [i.name for p in particles for i in p.items]
                        out.append(f"{cpath}: unknown element; {type_name} holds "
                                   f"{', '.join(allowed) if allowed else 'no elements'}")
                    continue
                pos, item = ahead
                count = 1
            last = name
            if item.wildcard:
                continue
            if ns_of(child.tag) != ns:
                out.append(f"{cpath}: namespace {ns_of(child.tag) or '(none)'!r}, expected {ns!r}")
            if item.list_of is not None:
                self._list(child, item.list_of, cpath, ns, out)
            else:
                self._element(child, item.type, cpath, ns, out)

    def _list(self, el: ET.Element, list_of: tuple[str, str], path: str, ns: str, out: list[str]) -> None:
        item_name, item_type = list_of
        self._attributes(el, None, path, out)
        if (el.text or "").strip():
            out.append(f"{path}: text in an element that holds elements")
        for child in el:
            if not isinstance(child.tag, str):
                continue
            cpath = f"{path}/{local(child.tag)}"
            if local(child.tag) != item_name:
                out.append(f"{cpath}: unknown element; a list of {item_name}")
                continue
            if ns_of(child.tag) != ns:
                out.append(f"{cpath}: namespace {ns_of(child.tag) or '(none)'!r}, expected {ns!r}")
            self._element(child, item_type, cpath, ns, out)

    @staticmethod
    def _no_children(el: ET.Element, path: str, out: list[str]) -> str | None:
        kids = [c for c in el if isinstance(c.tag, str)]
        if kids:
            out.append(f"{path}: holds elements ({local(kids[0].tag)}), expected a value")
            return None
        return (el.text or "").strip()

    def _simple(self, el: ET.Element, type_name: str, path: str, out: list[str]) -> None:
        text = self._no_children(el, path, out)
        rule = SIMPLE[type_name]
        if text is not None and rule is not None and not rule[1].fullmatch(text):
            out.append(f"{path}: {text!r} is not {rule[0]}")

    @staticmethod
    def _attributes(el: ET.Element, t: dict | None, path: str, out: list[str]) -> None:
        allowed = set((t or {}).get("attributes", ()))
        for attr in el.attrib:
            ns = ns_of(attr)
            if ns in (XSI, XML_NS) or (t or {}).get("anyAttribute"):
                continue
            if ns or attr not in allowed:
                out.append(f"{path}: attribute {local(attr)} is not allowed")


def _listed(values: list[str], most: int = 8) -> str:
    """values joined, the first few of a long enumeration and how many there are."""
    if len(values) <= most:
        return ", ".join(values)
    return f"{', '.join(values[:most])}, ... ({len(values)} values)"


def _flat(items: list) -> list[dict]:
    out: list[dict] = []
    for x in items:
        out.extend(_flat(x) if isinstance(x, list) else [x] if isinstance(x, dict) else [])
    return out


def _parse(doc: bytes | str) -> ET.Element:
    return SafeET.fromstring(doc, forbid_dtd=True, forbid_entities=True, forbid_external=True)


class Schemas:
    """The models of a directory, and which of them a document is checked against.

    A document in ECMA-354's namespace is checked against that model; an ECMA-323 ed3 or
    ed6 document against its edition's model; any other edition (ed2, ed4, ed5) against
    both the ed3 and the ed6 model with the namespace rewritten, and must pass both.
    """

    def __init__(self, models: dict[str, SchemaModel]):
        self.models = models

    @classmethod
    def load(cls, directory: str | Path) -> "Schemas":
        directory = Path(directory)
        models = {key: SchemaModel.load(directory / name) for key, name in MODEL_FILES.items()
                  if (directory / name).is_file()}
        if not models:
            raise SchemaModelError(f"no schema model ({', '.join(MODEL_FILES.values())}) in {directory}")
        return cls(models)

    def validate(self, doc: bytes | str | ET.Element) -> list[str]:
        root = doc if isinstance(doc, ET.Element) else _parse(doc)
        ns = ns_of(root.tag)
        if ns == APPL_SESSION:
            keys = ["appl_session"]
        elif edition(ns) in ("ed3", "ed6") and ns in (ED3, ED6):
            keys = [edition(ns)]
        elif edition(ns):
            keys = ["ed6", "ed3"]
        else:
            return [f"/{local(root.tag)}: namespace {ns or '(none)'!r} is neither ECMA-323 nor ECMA-354"]
        missing = [k for k in keys if k not in self.models]
        if missing:
            return [f"/{local(root.tag)}: no {MODEL_FILES[missing[0]]} to check against"]
        problems: list[str] = []
        for key in keys:
            found = self.models[key].validate(root, namespace=ns)
            problems.extend(f"{p} [{key}]" if len(keys) > 1 else p for p in found)
        return problems
