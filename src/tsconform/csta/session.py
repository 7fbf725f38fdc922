"""Session starts seen in the wild, and the credentials one of them carries.

``system-status`` (OpenScape style): the switch sends ``SystemStatus``; the client answers
``SystemStatusResponse`` with the same invoke ID, then sends ``SystemRegister`` ->
``SystemRegisterResponse``. Later ``SystemStatus`` requests with ``normal`` are heartbeats,
answered the same way.

``start-application-session`` (ECMA-354, Avaya style): the client sends
``StartApplicationSession`` in the ECMA-354 namespace -> ``StartApplicationSessionPosResponse``
or ``...NegResponse``. This project carries optional credentials as ``userID`` and
``password`` inside ``applicationInfo/applicationSpecificInfo``.

The password never reaches a log: ``Credentials`` hides it in its repr, and ``redact``
masks it in a document before it is shown anywhere.

>>> doc = redact(start_application_session("app", Credentials("u", "s3cret")))
>>> b"s3cret" in doc, b"<password>***</password>" in doc
(False, True)
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..errors import UsageError
from .xml import APPL_SESSION, DEFAULT_NAMESPACE, CstaMessage, document

HANDSHAKES = ("system-status", "start-application-session")
# ECMA-354's definedError values of StartApplicationSessionNegResponse.
NEG_ERRORS = ("invalidApplicationInfo", "requestedProtocolVersionNotSupported", "serverResourcesBusy",
              "maxNumberSessions")


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, password=***)"

    @classmethod
    def from_env(cls, prefix: str = "TSCONFORM_CSTA_") -> "Credentials | None":
        """From PREFIX USER and PASSWORD environment variables; None when USER is unset."""
        user = os.environ.get(prefix + "USER")
        return cls(user, os.environ.get(prefix + "PASSWORD", "")) if user else None


_PASSWORD = re.compile(rb"(<(?:[\w.-]+:)?password\b[^>]*>)(.*?)(</(?:[\w.-]+:)?password\s*>)", re.S)


def redact(xml: bytes) -> bytes:
    """The document with the content of every password element replaced by ***."""
    return _PASSWORD.sub(rb"\1***\3", xml)


# ---------------------------------------------------------------- system-status
def system_status(status: str = "normal", ns: str = DEFAULT_NAMESPACE) -> bytes:
    return document("SystemStatus", {"systemStatus": status}, ns)


def system_register(ns: str = DEFAULT_NAMESPACE) -> bytes:
    return document("SystemRegister", {"requestTypes": {"systemStatus": "true"}}, ns)


def system_register_response(register_id: str, ns: str = DEFAULT_NAMESPACE) -> bytes:
    return document("SystemRegisterResponse", {"sysStatRegisterID": register_id}, ns)


# ---------------------------------------------------------------- ECMA-354
def start_application_session(application_id: str, credentials: Credentials | None = None,
                              protocol: str = DEFAULT_NAMESPACE, duration: int = 180) -> bytes:
    info: dict = {"applicationID": application_id}
    if credentials:
        info["applicationSpecificInfo"] = {"userID": credentials.user, "password": credentials.password}
    return document("StartApplicationSession", {
        "applicationInfo": info,
        "requestedProtocolVersions": {"protocolVersion": protocol},
        "requestedSessionDuration": duration,
    }, APPL_SESSION)


@dataclass(frozen=True)
class SessionRequest:
    application_id: str
    credentials: Credentials | None
    protocols: tuple[str, ...]


# Where credentials sit in applicationSpecificInfo: the project's userID and password, or a
# vendor's login element (Avaya AES's acx:SessionLoginInfo, Eltex's ns1:SessionLoginInfo).
LOGIN_FORMS = (("userID", "password"), ("SessionLoginInfo/userName", "SessionLoginInfo/password"))


def parse_start_application_session(msg: CstaMessage) -> SessionRequest:
    """The application, credentials (in the project's form or a vendor's login element) and
    requested protocol versions of a StartApplicationSession."""
    creds = None
    for user_path, password_path in LOGIN_FORMS:
        user = msg.get(f"applicationInfo/applicationSpecificInfo/{user_path}")
        if user is not None:
            creds = Credentials(user, msg.get(f"applicationInfo/applicationSpecificInfo/{password_path}", "") or "")
            break
    versions = msg.find("requestedProtocolVersions")
    protocols = tuple((v.text or "").strip() for v in versions) if versions is not None else ()
    return SessionRequest(msg.get("applicationInfo/applicationID", "") or "", creds, protocols)


def start_application_session_pos(session_id: str, protocol: str, duration: int = 180) -> bytes:
    return document("StartApplicationSessionPosResponse", {
        "sessionID": session_id, "actualProtocolVersion": protocol, "actualSessionDuration": duration,
    }, APPL_SESSION)


def start_application_session_neg(error: str) -> bytes:
    if error not in NEG_ERRORS:
        raise UsageError(f"{error!r} is not an ECMA-354 definedError; expected one of {', '.join(NEG_ERRORS)}")
    return document("StartApplicationSessionNegResponse", {"errorCode": {"definedError": error}}, APPL_SESSION)
