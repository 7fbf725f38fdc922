"""What the reader gives: PDUs, warnings naming a frame, and a whole-file result.

>>> p = Pdu(3, 1.5, "10.0.0.1:5000", "10.0.0.2:1040", "csta", "MakeCall", invoke_id="0004",
...         xml="<MakeCall/>")
>>> p.to_json()["invoke_id"], p.id
('0004', '0004')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from ..tlib.model import Message


class Pdu:
    """One application PDU, reported at the 1-based number of the frame that completed it.

    ``link`` is "tlib" or "csta"; ``message`` the T-Lib message name or the CSTA XML root
    element's local name. T-Lib PDUs carry the decoded ``tlib`` Message and ``reference_id``;
    CSTA PDUs carry ``invoke_id`` (the four characters as on the wire) and the ``xml`` text.
    """

    __slots__ = ("frame", "time", "src", "dst", "link", "message", "invoke_id",
                 "reference_id", "xml", "tlib", "raw", "_tree")

    def __init__(self, frame: int, time: float, src: str, dst: str, link: str, message: str,
                 *, invoke_id: str | None = None, reference_id: int | None = None,
                 xml: str | None = None, tlib: Message | None = None, raw: bytes = b""):
        self.frame, self.time, self.src, self.dst = frame, time, src, dst
        self.link, self.message = link, message
        self.invoke_id, self.reference_id = invoke_id, reference_id
        self.xml, self.tlib, self.raw = xml, tlib, raw
        self._tree = None

    @property
    def src_port(self) -> int:
        return int(self.src.rpartition(":")[2])

    @property
    def dst_port(self) -> int:
        return int(self.dst.rpartition(":")[2])

    @property
    def id(self):
        """The correlation ID: invoke ID (CSTA) or ReferenceID (T-Lib)."""
        return self.invoke_id if self.link == "csta" else self.reference_id

    @property
    def attributes(self) -> dict | None:
        """T-Lib attributes as JSON-ready data (names as keys, secrets masked)."""
        return self.tlib.to_json() if self.tlib is not None else None

    def element(self):
        """The CSTA XML parsed (defusedxml: no DTD, no entities, no network); cached."""
        if self._tree is None and self.xml is not None:
            from defusedxml.ElementTree import fromstring
            self._tree = fromstring(self.xml, forbid_dtd=True)
        return self._tree

    def findall(self, local_name: str) -> list:
        """CSTA: every XML element with this local name, whatever its namespace."""
        root = self.element()
        if root is None:
            return []
        return [e for e in root.iter()
                if isinstance(e.tag, str) and e.tag.rpartition("}")[2] == local_name]

    def find_text(self, local_name: str) -> str | None:
        """CSTA: the text of the first element with this local name, or None.

        >>> Pdu(1, 0.0, "a:1", "b:2", "csta", "Escape", invoke_id="0001",
        ...     xml='<Escape xmlns="urn:x"><guest>5001</guest></Escape>').find_text("guest")
        '5001'
        """
        found = self.findall(local_name)
        return found[0].text if found else None

    def to_json(self) -> dict:
        d = {"frame": self.frame, "time": self.time, "src": self.src, "dst": self.dst,
             "link": self.link, "message": self.message}
        if self.link == "csta":
            d["invoke_id"] = self.invoke_id
            d["xml"] = redact_xml(self.xml)
        else:
            d["reference_id"] = self.reference_id
            d["attributes"] = self.attributes
        return d

    def summary(self) -> str:
        if self.link == "csta":
            return f"CSTA {self.invoke_id} {self.message}"
        return "T-Lib " + (self.tlib.summary() if self.tlib is not None else self.message)

    def __repr__(self) -> str:
        return f"<Pdu frame {self.frame} {self.src} -> {self.dst} {self.summary()}>"


def redact_xml(xml: str | None) -> str | None:
    """The XML with the content of every password element masked (decoded views show no secret)."""
    from ..csta.session import redact

    return None if xml is None else redact(xml.encode()).decode()


@dataclass(frozen=True)
class DissectWarning:
    """Something the reader could not dissect; ``frame`` is 1-based (None: the whole file)."""

    frame: int | None
    text: str

    def __str__(self) -> str:
        return f"frame {self.frame}: {self.text}" if self.frame is not None else self.text


@dataclass(frozen=True)
class StreamEnd:
    """A dissected stream carried FIN or RST in this frame: its sender closed the connection."""

    frame: int
    time: float
    src: str
    dst: str


@dataclass
class Dissection:
    """A dissected capture: PDUs in frame order, warnings, and the number of frames read."""

    path: str
    pdus: list[Pdu] = field(default_factory=list)
    warnings: list[DissectWarning] = field(default_factory=list)
    frames: int = 0
    first_time: float | None = None

    def __iter__(self) -> Iterator[Pdu]:
        return iter(self.pdus)

    def __len__(self) -> int:
        return len(self.pdus)

    def select(self, link: str | None = None, message: str | None = None) -> list[Pdu]:
        """PDUs of one link and/or with one message name."""
        return [p for p in self.pdus
                if (link is None or p.link == link) and (message is None or p.message == message)]
