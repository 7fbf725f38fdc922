"""Wire checks: assertions on the dissected capture of a scenario, naming frame numbers.

A check that has no capture to read is inconclusive, never passed.
"""
from __future__ import annotations

from .capture.scenario import CaptureUnavailable, ScenarioCapture
from .checks import CheckFailed
from .csta.devices import dn as device_dn
from .csta.xml import APPL_SESSION, local, ns_of
from .dissect import Pdu
from .tlib.model import Attr, MessageType as M
from .verdict import Inconclusive

ESCAPE_NAMES = ("Escape", "EscapeService")
PRESENT, ABSENT = "(present)", "(absent)"  # expectations on an element rather than its text


def _capture(capture: ScenarioCapture | None, link: str) -> ScenarioCapture:
    """The capture, if it holds this link with its direction known (the port of its server)."""
    if capture is None:
        raise Inconclusive("wire check without a capture")
    ports = capture.csta_ports if link == "csta" else capture.tlib_ports
    if not ports:
        name = "CSTA" if link == "csta" else "T-Lib"
        raise Inconclusive(f"the {name} link is not in this capture, or its server port is not known, "
                           f"so the direction of its frames is not known")
    return capture


def _names(message: str) -> tuple[str, ...]:
    return ESCAPE_NAMES if message in ESCAPE_NAMES else (message,)


# Elements that hold a device identifier: compared by the DN taken from it (csta.devices), so
# a switch's own form (N<5001>;noa=nk, 5001:CM1:10.0.0.1:0) matches the DN of the profile.
DEVICE_FIELDS = frozenset({"deviceID", "deviceIdentifier", "deviceObject", "guest", "host"})


def _text(p: Pdu, key: str) -> str:
    """The element's text; for a device identifier, the DN taken from it.

    >>> _text(Pdu(1, 0.0, "a:1", "b:2", "csta", "X", xml="<X><deviceID>N&lt;5001&gt;;noa=nk</deviceID></X>"),
    ...       "deviceID")
    '5001'
    """
    text = p.find_text(key) or ""
    return device_dn(text.strip()) if key in DEVICE_FIELDS and text.strip() else text


def _has(p: Pdu, key: str, want: str) -> bool:
    if want in (PRESENT, ABSENT):
        return bool(p.findall(key)) == (want == PRESENT)
    return _text(p, key).casefold() == want.casefold()


def _fields(pdu: Pdu, keys) -> str:
    return ", ".join(f"{k} {pdu.find_text(k) if pdu.findall(k) else ABSENT}" for k in keys)


def csta(capture: ScenarioCapture | None, message: str, fields: dict[str, str], *,
         from_switch: bool, what: str, timeout: float) -> Pdu:
    """The CSTA PDU with this root element whose named elements have these texts.

    fields maps an element's local name to its expected text (compared without regard to
    case), or to PRESENT / ABSENT for the element itself.
    """
    cap = _capture(capture, "csta")
    names = _names(message)

    def sent_by_party(p: Pdu) -> bool:
        return p.link == "csta" and (p.src_port if from_switch else p.dst_port) in cap.csta_ports

    def match(p: Pdu) -> bool:
        return sent_by_party(p) and p.message in names and all(_has(p, k, v) for k, v in fields.items())

    hit, d = _wait(cap, match, timeout)
    if hit:
        return hit
    return connector([p for p in d.pdus if sent_by_party(p)], message, fields, from_switch=from_switch,
                     what=what)


def connector(sent, message: str, fields: dict[str, str], *, from_switch: bool, what: str) -> Pdu:
    """The first of the CSTA PDUs one party sent (`sent`) with this root element and these
    fields (as for :func:`csta`); CheckFailed naming what it sent instead.

    >>> esc = Pdu(7, 0.0, "a:1", "b:1040", "csta", "Escape", invoke_id="0003",
    ...           xml="<Escape><guest>5001</guest><host>6002</host></Escape>")
    >>> connector([esc], "Escape", {"guest": "5001", "host": "6001"}, from_switch=False, what="hot desking")
    Traceback (most recent call last):
    ...
    tsconform.checks.CheckFailed: hot desking: expected Escape with guest 5001, host 6001; observed frame 7 Escape (guest 5001, host 6002)
    """
    names = _names(message)

    same = [p for p in sent if p.message in names]
    for p in same:
        if all(_has(p, k, v) for k, v in fields.items()):
            return p
    side = "the switch sent" if from_switch else "T-Server sent"
    expected = ", ".join(f"{k} {v}" for k, v in fields.items())
    if same:
        seen = "; ".join(f"frame {p.frame} {p.message} ({_fields(p, fields)})" for p in same)
        raise CheckFailed(f"{what}: expected {message} with {expected}; observed {seen}")
    others = "; ".join(f"frame {p.frame} {p.message}" for p in sent) or "nothing"
    raise CheckFailed(f"{what}: expected {message} with {expected}, but {side} no {message} "
                      f"on the CSTA link; what it sent: {others}")


def no_request(capture: ScenarioCapture | None, messages, since: float, *, what: str) -> None:
    """T-Server sent the switch none of these CSTA requests at or after `since` (epoch seconds)."""
    cap = _capture(capture, "csta")
    cap.settle()
    names = {n for m in messages for n in _names(m)}
    _, d = _wait(cap, lambda p: False, 0)
    sent = [p for p in d.pdus if p.link == "csta" and p.dst_port in cap.csta_ports and p.time >= since
            and p.message in names]
    if sent:
        seen = "; ".join(f"frame {p.frame} {p.message}" for p in sent)
        raise CheckFailed(f"{what}: expected no {' or '.join(sorted(names))} on the CSTA link; observed {seen}")


def namespaces(capture: ScenarioCapture | None, csta_ns: str, private_ns: str, *, what: str) -> None:
    """Every CSTA PDU of the scenario, either way, is in the CSTA namespace csta_ns, and every
    element it carries in privateData/private is in private_ns (ECMA-354 session documents,
    which have a namespace of their own, excepted)."""
    cap = _capture(capture, "csta")
    cap.settle()
    _, d = _wait(cap, lambda p: False, 0)
    pdus = [p for p in d.pdus if p.link == "csta" and p.element() is not None
            and ns_of(p.element().tag) != APPL_SESSION]
    if not pdus:
        raise Inconclusive(f"{what}: the scenario's capture holds no CSTA document")
    wrong = []
    for p in pdus:
        root = p.element()
        if ns_of(root.tag) != csta_ns:
            wrong.append(f"frame {p.frame} {p.message} in {ns_of(root.tag) or '(no namespace)'}")
        wrong += [f"frame {p.frame} {p.message}: {local(el.tag)} in {ns_of(el.tag) or '(no namespace)'}"
                  for priv in root.iter() if isinstance(priv.tag, str) and local(priv.tag) == "private"
                  for el in priv if ns_of(el.tag) != private_ns]
    if wrong:
        raise CheckFailed(f"{what}: expected every CSTA document in {csta_ns} and its private elements in "
                          f"{private_ns}; observed {'; '.join(wrong)}")


def tlib_private_info(capture: ScenarioCapture | None, number: int, *, what: str, timeout: float) -> Pdu:
    """The first EventPrivateInfo with this PrivateMsgID that T-Server sent (its other
    attributes are for the checks that follow)."""
    cap = _capture(capture, "tlib")

    def sent(p: Pdu) -> bool:
        return p.link == "tlib" and p.src_port in cap.tlib_ports and p.tlib is not None

    def match(p: Pdu) -> bool:
        return sent(p) and p.tlib.type == M.EventPrivateInfo and p.tlib.get(Attr.PrivateMsgID) == number

    hit, d = _wait(cap, match, timeout)
    if hit:
        return hit
    seen = "; ".join(f"frame {p.frame} {p.tlib.summary()}" for p in d.pdus
                     if sent(p) and p.tlib.type == M.EventPrivateInfo) or "no EventPrivateInfo at all"
    raise CheckFailed(f"{what}: expected EventPrivateInfo {number} on the T-Lib link; observed {seen}")


def tlib_attribute(pdu: Pdu, attr: Attr, expected) -> None:
    observed = pdu.tlib.get(attr)
    if observed != expected:
        shown = "none" if observed is None else (str(observed) if attr == Attr.ConnID else repr(observed))
        want = str(expected) if attr == Attr.ConnID else repr(expected)
        raise CheckFailed(f"frame {pdu.frame}: {pdu.tlib.name} {pdu.tlib.get(Attr.PrivateMsgID)} on the "
                          f"T-Lib link has {attr.name} {shown}, expected {want}")


def call_id(capture: ScenarioCapture | None, caller: str, timeout: float) -> str:
    """The switch's callID for the call the caller made (from its MakeCallResponse)."""
    cap = _capture(capture, "csta")
    hit, _ = _wait(cap, lambda p: p.link == "csta" and p.message == "MakeCallResponse"
                   and _text(p, "deviceID") == caller, timeout)
    if hit is None or not hit.find_text("callID"):
        raise Inconclusive(f"the capture does not show the switch's callID of the call made by {caller}")
    return hit.find_text("callID")


def _wait(cap: ScenarioCapture, match, timeout: float):
    try:
        return cap.wait_for(match, timeout)
    except CaptureUnavailable as exc:
        raise Inconclusive(f"wire check without a capture: {exc}") from None
