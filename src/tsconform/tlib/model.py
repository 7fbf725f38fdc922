"""The T-Lib message model: Genesys message and attribute numbering, KV lists, ConnIDs.

>>> m = Message(MessageType.RequestPrivateService, {Attr.ReferenceID: 7, Attr.ThisDN: "5001"})
>>> m.name, m[Attr.ThisDN]
('RequestPrivateService', '5001')
>>> str(ConnID(0x6d0001))
'00000000006d0001'
"""
from __future__ import annotations

import functools
from enum import IntEnum
from typing import Iterable, Iterator, Union

from ..errors import UnsupportedType, UsageError


class MessageType(IntEnum):
    RequestRegisterClient = 0
    RequestRegisterAddress = 3
    RequestUnregisterAddress = 4
    RequestMakeCall = 14
    RequestAnswerCall = 16
    RequestReleaseCall = 17
    EventServerConnected = 50
    EventServerDisconnected = 51
    EventError = 52
    EventRegistered = 53
    EventUnregistered = 54
    EventRinging = 60
    EventDialing = 61
    EventEstablished = 64
    EventReleased = 65
    EventLinkDisconnected = 94
    EventLinkConnected = 95
    EventACK = 138
    RequestPrivateService = 149
    EventPrivateInfo = 150


# The messages that answer each request (docs/protocol.md, "Conversation rules"). The answer to
# a request is the first of these that its session receives after sending it; whether it
# echoes the request's ReferenceID is then a check, not how the answer was found.
ANSWERS: dict[MessageType, frozenset[MessageType]] = {
    MessageType.RequestRegisterClient: frozenset({MessageType.EventServerConnected, MessageType.EventError}),
    MessageType.RequestRegisterAddress: frozenset({MessageType.EventRegistered, MessageType.EventError}),
    MessageType.RequestUnregisterAddress: frozenset({MessageType.EventUnregistered, MessageType.EventError}),
    MessageType.RequestMakeCall: frozenset({MessageType.EventDialing, MessageType.EventError}),
    MessageType.RequestAnswerCall: frozenset({MessageType.EventEstablished, MessageType.EventError}),
    MessageType.RequestReleaseCall: frozenset({MessageType.EventReleased, MessageType.EventError}),
    MessageType.RequestPrivateService: frozenset({MessageType.EventACK, MessageType.EventPrivateInfo,
                                                  MessageType.EventError}),
}

class Attr(IntEnum):
    ProtocolVersion = 0
    ErrorMessage = 1
    ReferenceID = 2
    CallID = 3
    ConnID = 9
    CallState = 13
    Reason = 17
    ThisDN = 20
    ThisDNRole = 23
    OtherDN = 24
    OtherDNRole = 27
    ErrorCode = 46
    RegisterMode = 49
    UserData = 51
    Extensions = 53
    CallType = 54
    ApplicationName = 64
    ApplicationPassword = 65
    PrivateMsgID = 105
    # Project-defined: the seed names PrivateID (account codes) but no public header numbers it.
    PrivateID = 1001


class AttrType(IntEnum):
    """Wire type of an attribute value (docs/protocol.md)."""

    INT = 0
    STRING = 1
    CONNID = 2
    KVLIST = 3
    BINARY = 4


class KVType(IntEnum):
    """Wire type of a KV-list value (Genesys numbering)."""

    STRING = 0
    INT = 1
    BINARY = 2
    LIST = 3
    UNICODE = 4


class ConnID(int):
    """A 64-bit connection ID, shown as 16 hex digits."""

    def __new__(cls, value: int | str):
        v = int(value, 16) if isinstance(value, str) else int(value)
        if not 0 <= v < 1 << 64:
            raise UsageError(f"ConnID out of 64-bit range: {value!r}")
        return super().__new__(cls, v)

    def __str__(self) -> str:
        return f"{int(self):016x}"

    def __repr__(self) -> str:
        return f"ConnID('{self}')"


class Unicode(str):
    """A KV-list value of type Unicode (as opposed to String)."""

    def __repr__(self) -> str:
        return f"Unicode({str.__repr__(self)})"


KVValue = Union[str, int, bytes, "KVList"]


class KVList(list):
    """An ordered key-value list; keys may repeat, values may be nested lists.

    >>> kv = KVList([("HOST_DN", "6001"), ("n", 3)])
    >>> kv.get("HOST_DN"), "n" in kv
    ('6001', True)
    """

    def __init__(self, pairs: Iterable[tuple[str, KVValue]] | dict = ()):
        if isinstance(pairs, dict):
            pairs = pairs.items()
        super().__init__((str(k), v) for k, v in pairs)

    def get(self, key: str, default=None):
        for k, v in self:
            if k == key:
                return v
        return default

    def __contains__(self, key) -> bool:  # type: ignore[override]
        return any(k == key for k, _ in self)

    def keys(self) -> list[str]:
        return [k for k, _ in self]


ATTR_TYPES: dict[int, AttrType] = {
    Attr.ProtocolVersion: AttrType.INT,
    Attr.ErrorMessage: AttrType.STRING,
    Attr.ReferenceID: AttrType.INT,
    Attr.CallID: AttrType.INT,
    Attr.ConnID: AttrType.CONNID,
    Attr.CallState: AttrType.INT,
    Attr.Reason: AttrType.KVLIST,
    Attr.ThisDN: AttrType.STRING,
    Attr.ThisDNRole: AttrType.INT,
    Attr.OtherDN: AttrType.STRING,
    Attr.OtherDNRole: AttrType.INT,
    Attr.ErrorCode: AttrType.INT,
    Attr.RegisterMode: AttrType.INT,
    Attr.UserData: AttrType.KVLIST,
    Attr.Extensions: AttrType.KVLIST,
    Attr.CallType: AttrType.INT,
    Attr.ApplicationName: AttrType.STRING,
    Attr.ApplicationPassword: AttrType.STRING,
    Attr.PrivateMsgID: AttrType.INT,
    Attr.PrivateID: AttrType.INT,
}

SECRET_ATTRS = frozenset({Attr.ApplicationPassword})


def type_of(value) -> AttrType:
    """Wire type of a value whose attribute is not in ATTR_TYPES."""
    if isinstance(value, ConnID):
        return AttrType.CONNID
    if isinstance(value, bool) or not isinstance(value, (int, str, bytes, list)):
        raise UnsupportedType(f"no T-Lib attribute type for {type(value).__name__}")
    if isinstance(value, int):
        return AttrType.INT
    if isinstance(value, str):
        return AttrType.STRING
    if isinstance(value, bytes):
        return AttrType.BINARY
    return AttrType.KVLIST


@functools.lru_cache(maxsize=1024)
def attr_name(number: int) -> str:
    try:
        return Attr(number).name
    except ValueError:
        return f"Attribute{number}"


@functools.lru_cache(maxsize=1024)
def message_name(number: int) -> str:
    try:
        return MessageType(number).name
    except ValueError:
        return f"Message{number}"


class Message:
    """A T-Lib message: a type and its attributes, in order."""

    __slots__ = ("type", "attrs")

    def __init__(self, type: int, attrs: dict[int, object] | None = None):
        self.type = type
        self.attrs: dict[int, object] = dict(attrs or {})

    @property
    def name(self) -> str:
        return message_name(self.type)

    def __getitem__(self, attr: int):
        return self.attrs[attr]

    def __setitem__(self, attr: int, value) -> None:
        self.attrs[attr] = value

    def __contains__(self, attr: int) -> bool:
        return attr in self.attrs

    def get(self, attr: int, default=None):
        return self.attrs.get(attr, default)

    def __eq__(self, other) -> bool:
        return (isinstance(other, Message) and int(self.type) == int(other.type)
                and {int(k): v for k, v in self.attrs.items()}
                == {int(k): v for k, v in other.attrs.items()})

    def __repr__(self) -> str:
        inner = ", ".join(f"{attr_name(k)}={_show(k, v)}" for k, v in self.attrs.items())
        return f"{self.name}({inner})"

    @property
    def reference_id(self) -> int | None:
        return self.attrs.get(Attr.ReferenceID)  # type: ignore[return-value]

    def summary(self) -> str:
        """One line: the message name and its identifying attributes."""
        parts = [self.name]
        for a in (Attr.PrivateMsgID, Attr.ReferenceID, Attr.ThisDN, Attr.OtherDN, Attr.ConnID, Attr.ErrorCode):
            if a in self.attrs:
                parts.append(f"{a.name}={_show(a, self.attrs[a])}")
        return " ".join(parts)

    def pretty(self) -> str:
        """Readable multi-line text; secrets are masked."""
        lines = [self.name]
        for k, v in self.attrs.items():
            if isinstance(v, KVList):
                lines.append(f"  {attr_name(k)}:")
                lines.extend(_kv_lines(v, "    "))
            else:
                lines.append(f"  {attr_name(k)}: {_show(k, v)}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        """JSON-ready dict of the attributes (names as keys); secrets are masked."""
        return {attr_name(k): _jsonable(k, v) for k, v in self.attrs.items()}


def _show(attr: int, value) -> str:
    if attr in SECRET_ATTRS:
        return "'****'"
    if isinstance(value, ConnID):
        return str(value)
    return repr(value)


def _jsonable(attr: int, value):
    if attr in SECRET_ATTRS:
        return "****"
    if isinstance(value, ConnID):
        return str(value)
    if isinstance(value, KVList):
        return [[k, _kv_type(v).name, _jsonable(-1, v)] for k, v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def _kv_type(value) -> KVType:
    if isinstance(value, KVList):
        return KVType.LIST
    if isinstance(value, Unicode):
        return KVType.UNICODE
    if isinstance(value, str):
        return KVType.STRING
    if isinstance(value, bytes):
        return KVType.BINARY
    if isinstance(value, int) and not isinstance(value, bool):
        return KVType.INT
    raise UnsupportedType(f"no KV-list type for {type(value).__name__}")


def _kv_lines(kv: KVList, indent: str) -> Iterator[str]:
    for k, v in kv:
        if isinstance(v, KVList):
            yield f"{indent}{k!r} (list):"
            yield from _kv_lines(v, indent + "  ")
        else:
            yield f"{indent}{k!r} ({_kv_type(v).name.lower()}): {v!r}"


kv_type = _kv_type
