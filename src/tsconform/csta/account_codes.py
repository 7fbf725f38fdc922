"""Account codes on the CSTA link: AssociateData sets one, CallInformationEvent reports one.

Setting: ECMA-269 Associate Data (``AssociateData`` with ``existingCall`` ConnectionID and
``accountCode``, hexBinary) -> ``AssociateDataResponse``.

Reporting a code entered on a device: ECMA-269 **Call Information** event
(``CallInformationEvent`` with ``connection``, ``device`` and ``accountInfo``, hexBinary).
ECMA-269 defines that event for exactly this: call-associated information such as an
account or authorisation code has been collected at a device. A ChargingEvent reports
charges, not codes, and a private event would hide a standard fact behind a private
schema. A code entered while the device has no call (a walk-away code) is reported with a
``connection`` that holds the deviceID only.

Both hexBinary fields carry the code's UTF-8 bytes: code ``4711`` is ``34373131``.

>>> from .xml import parse
>>> from .services import ConnectionID
>>> parse_associate_data(parse(associate_data(ConnectionID("0001", "5001"), "4711")))
(ConnectionID(call_id='0001', device_id='5001'), '4711')
"""
from __future__ import annotations

from .services import ConnectionID, connection_of, required
from .xml import DEFAULT_NAMESPACE, CstaMessage, CstaXmlError, document


def to_hex(code: str) -> str:
    return code.encode("utf-8").hex().upper()


def from_hex(text: str, where: str) -> str:
    try:
        return bytes.fromhex(text).decode("utf-8")
    except ValueError:
        raise CstaXmlError(f"{where} {text!r} is not hexBinary UTF-8 text") from None


def associate_data(conn: ConnectionID, code: str, ns: str = DEFAULT_NAMESPACE) -> bytes:
    return document("AssociateData", {"existingCall": conn.content(), "accountCode": to_hex(code)}, ns)


def parse_associate_data(msg: CstaMessage) -> tuple[ConnectionID, str]:
    return connection_of(msg, "existingCall"), from_hex(required(msg, "accountCode"), "accountCode")


def call_information_event(xref: str, conn: ConnectionID, device: str, code: str,
                           ns: str = DEFAULT_NAMESPACE) -> bytes:
    return document("CallInformationEvent", {
        "monitorCrossRefID": xref, "connection": conn.content(),
        "device": {"deviceIdentifier": device}, "accountInfo": to_hex(code)}, ns)


def parse_account_info(msg: CstaMessage) -> str | None:
    """The account code of a CallInformationEvent, or None when it carries none."""
    text = msg.get("accountInfo")
    return from_hex(text, "accountInfo") if text else None
