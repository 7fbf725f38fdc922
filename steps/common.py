"""Steps shared by every feature: clients, private-service requests, answers, attributes, delivery.

DNs come from the profile ("the guest extension" is pixit.dns.guest); documented values
come from the tsconform.spec catalogue.
"""
from __future__ import annotations

import yaml
from pytest_bdd import given, parsers, when

from tsconform import checks, spec, wire
from tsconform.csta.xml import namespace_uri
from tsconform.tlib.model import Attr, ConnID, Message, MessageType as M

from .verdicts import then


def dn(profile, role: str) -> str:
    """The DN the profile gives for a role such as 'guest' or 'busy host'."""
    return profile.dn(role.replace(" ", "_").replace("-", "_"))


def is_private_info(m: Message) -> bool:
    return m.type == M.EventPrivateInfo


def check_copy(msg: Message, driver, profile, number: int, where: str) -> None:
    """A copy of private event `number` for `where` to a client that did not request it
    carries the whole seed row, filled in from the scenario, and no ReferenceID."""
    call = driver.calls.get("the call")
    checks.seed_row(msg, number, where, conn_id=call.conn_id if call else None, other_dn=driver.hosts.get(where),
                    options=driver.options, account_code=profile.pixit.account_code)
    checks.absent(msg, Attr.ReferenceID, "a copy to a client that sent no request for it")


# ---------------------------------------------------------------- Given

@given(parsers.parse('a client "{name}" registered on the {role} extension'))
@given(parsers.parse('a client "{name}" registered only on the {role} extension'))
def _(driver, profile, name, role):
    driver.client(name, dn(profile, role))


@given(parsers.parse('T-Server option "{option}" is "{value}"'))
def _(driver, option, value):
    driver.set_option(option, yaml.safe_load(value))


@given("the link between T-Server and the switch is down")
def _(driver):
    driver.device_action("taking the switch link down").set_link(False)


# ---------------------------------------------------------------- When

@when(parsers.re(r'"(?P<client>[^"]+)" requests private service (?P<number>\d+) on the (?P<role>(?:(?! with ).)+) extension$'),
      converters={"number": int}, target_fixture="exchange")
def _(driver, profile, client, number, role):
    return driver.private_service(client, number, dn(profile, role))


@when(parsers.parse('"{client}" requests private service {number:d} without ThisDN'),
      target_fixture="exchange")
def _(driver, client, number):
    return driver.private_service(client, number, None)


@when(parsers.parse('"{client}" requests private service {number:d} on the {role} extension for the call'),
      target_fixture="exchange")
def _(driver, profile, client, number, role):
    return driver.private_service(client, number, dn(profile, role), driver.calls["the call"].conn_id)


@when(parsers.parse('"{client}" requests private service {number:d} on the {role} extension '
                    'for an unknown ConnID'), target_fixture="exchange")
def _(driver, profile, client, number, role):
    return driver.private_service(client, number, dn(profile, role),
                                  ConnID(profile.pixit.unknown_conn_id))


# ---------------------------------------------------------------- Then: answers

@then(parsers.parse('T-Server answers "{client}" with EventPrivateInfo {number:d}'), target_fixture="message")
def _(exchange, client, number):
    assert exchange.client == client, f"the last request was sent by {exchange.client}, not {client}"
    with checks.answer_to(exchange.request):
        checks.private_info(exchange.answer, number,
                            f"{client} requesting private service {exchange.request.get(Attr.PrivateMsgID)}")
    return exchange.answer


@then(parsers.parse('T-Server answers "{client}" with the EventError of {req_id}'), target_fixture="message")
def _(exchange, client, req_id):
    assert exchange.client == client, f"the last request was sent by {exchange.client}, not {client}"
    with checks.answer_to(exchange.request):
        checks.error_row(exchange.answer, req_id, f"{client} sending {exchange.request.summary()}")
        checks.echoes_request(exchange.answer, exchange.request, (Attr.ThisDN, Attr.ConnID))
    return exchange.answer


@then(parsers.parse('T-Server answers "{client}" with {event} for the {role} extension'), target_fixture="message")
def _(exchange, profile, client, event, role):
    assert exchange.client == client, f"the last request was sent by {exchange.client}, not {client}"
    with checks.answer_to(exchange.request):
        checks.message_type(exchange.answer, M[event], f"{client} sending {exchange.request.summary()}")
        checks.attribute(exchange.answer, Attr.ThisDN, dn(profile, role))
    return exchange.answer


@then("T-Server sent no connector request to the switch for it")
def _(driver, exchange):
    wire.no_request(driver.capture, [s.csta for s in spec.SERVICES.values()], exchange.sent_at,
                    what=f"the refused {exchange.request.summary()}")


@then("the answer echoes the request's ReferenceID")
def _(exchange):
    for answer in filter(None, (exchange.ack, exchange.answer)):
        checks.echoes_reference(answer, exchange.request)


# ---------------------------------------------------------------- Then: delivery

@then(parsers.parse('"{client}" receives EventPrivateInfo {number:d} for the {role} extension'),
      target_fixture="message")
def _(driver, profile, client, number, role):
    where = dn(profile, role)
    msg = driver.wait_event(client, f"EventPrivateInfo {number} for {where}", is_private_info)
    check_copy(msg, driver, profile, number, where)
    return msg


@then(parsers.parse('"{client}" does not receive EventPrivateInfo {number:d}'))
def _(driver, client, number):
    driver.not_received_yet(client, "an EventPrivateInfo", is_private_info)


@when("the link between T-Server and the switch comes back")
def _(driver):
    driver.device_action("bringing the switch link back").set_link(True)


@then(parsers.parse("every client registered on the {role} extension received {event}"))
def _(driver, profile, role, event):
    where, kind = dn(profile, role), M[event]
    for name, s in driver.sessions.items():
        if where in s.registered:
            driver.wait_event(name, event, lambda m: m.type == kind)


# ---------------------------------------------------------------- Then: attributes of "the message"

@then(parsers.parse("its ThisDN is the {role} extension"))
def _(message, profile, role):
    checks.attribute(message, Attr.ThisDN, dn(profile, role))


@then(parsers.parse("its OtherDN is the {role} extension"))
def _(message, profile, role):
    checks.attribute(message, Attr.OtherDN, dn(profile, role))


@then(parsers.parse("its PrivateMsgID is {number:d}"))
def _(message, number):
    checks.attribute(message, Attr.PrivateMsgID, checks.event_number(number))


@then(parsers.parse("its PrivateID is {number:d}"))
def _(message, number):
    checks.attribute(message, Attr.PrivateID, checks.documented_value(501, "PrivateID", number))


@then("its ConnID is the call's ConnID")
def _(message, driver):
    checks.attribute(message, Attr.ConnID, driver.calls["the call"].conn_id)


@then("it carries no ConnID")
def _(message):
    checks.absent(message, Attr.ConnID, "no call was active on the device")


@then("it carries no Extensions")
def _(message):
    checks.absent(message, Attr.Extensions, "the seed documents no Extensions key for this event")


@then(parsers.parse("its ErrorCode and ErrorMessage are those of {req_id}"))
def _(message, req_id):
    checks.error_row(message, req_id, "the error")


@when(parsers.parse('"{client}" unregisters the {role} extension'), target_fixture="exchange")
def _(driver, profile, client, role):
    return driver.unregister(client, dn(profile, role))


@when(parsers.parse('"{client}" registers without ThisDN'), target_fixture="exchange")
def _(driver, client):
    return driver.exchange(client, Message(M.RequestRegisterAddress, {Attr.RegisterMode: 0}))


@when(parsers.parse('"{client}" registers the {role} extension'), target_fixture="exchange")
def _(driver, profile, client, role):
    return driver.exchange(client, Message(M.RequestRegisterAddress,
                                           {Attr.ThisDN: dn(profile, role), Attr.RegisterMode: 0}))


@given(parsers.parse("an established call from the {caller} extension to the {callee} extension"))
def _(driver, profile, caller, callee):
    callee_dn = dn(profile, callee)
    caller_dn = dn(profile, caller)
    driver.client(f"{caller} phone", caller_dn)
    driver.establish_call("the call", f"{caller} phone", caller_dn, driver.client_on(callee_dn), callee_dn)


# ---------------------------------------------------------------- Then: the wire (dissected capture)

@then(parsers.parse("the CSTA link carried {element} for the call at the {role} extension"))
def _(driver, profile, exchange, element, role):
    service = checks.connector_request(exchange.request.get(Attr.PrivateMsgID), element)
    call = driver.calls["the call"]
    fields = {"deviceID": dn(profile, role), "callID": wire.call_id(driver.capture, call.caller, driver.timeout)}
    if service.number == 501:
        fields["accountCode"] = profile.pixit.account_code.encode().hex()
    wire.csta(driver.capture, element, fields, from_switch=False, timeout=driver.timeout,
              what=f"connector function of service {service.number}")


@then(parsers.parse("the switch sent {element} for the call at the {role} extension"))
def _(driver, profile, exchange, element, role):
    event = checks.connector_event(exchange.request.get(Attr.PrivateMsgID), element)
    fields = {"deviceID": dn(profile, role),
              "callID": wire.call_id(driver.capture, driver.calls["the call"].caller, driver.timeout)}
    if event.number in (3013, 3016):  # a resume is a RecordEvent carrying the recordingResumed marker
        fields["recordingResumed"] = wire.PRESENT if event.number == 3016 else wire.ABSENT
    wire.csta(driver.capture, element, fields, from_switch=True, timeout=driver.timeout,
              what=f"switch event behind EventPrivateInfo {event.number}")


@then(parsers.parse("the CSTA link carried an Escape with guestAssociatedExtension to {action} "
                    "the {guest} extension and the {host} extension"))
@then(parsers.re(r"the CSTA link carried an Escape with guestAssociatedExtension to (?P<action>\w+) "
                 r"the (?P<guest>(?:(?! and the ).)+) extension$"))
def _(driver, profile, exchange, action, guest, host=None):
    checks.connector_request(exchange.request.get(Attr.PrivateMsgID), "Escape")
    fields = {"guest": dn(profile, guest), "action": action}
    if host:
        fields["host"] = dn(profile, host)
    wire.csta(driver.capture, "Escape", fields, from_switch=False, timeout=driver.timeout,
              what="connector function escapeService / guestAssociatedExtension")


@then(parsers.parse("the switch sent a PrivateEvent with guestAssociatedEvent that the {guest} extension "
                    "{action} the {host} extension"))
def _(driver, profile, exchange, guest, action, host):
    checks.connector_event(exchange.request.get(Attr.PrivateMsgID), "PrivateEvent")
    wire.csta(driver.capture, "PrivateEvent",
              {"guest": dn(profile, guest), "host": dn(profile, host),
               "action": {"is associated with": "associated", "was dissociated from": "dissociated"}[action]},
              from_switch=True, timeout=driver.timeout, what="connector function privateEvent / guestAssociatedEvent")


@then("every CSTA document of the scenario is in the profile's CSTA and private namespaces")
def _(driver, profile):
    c = profile.csta
    wire.namespaces(driver.capture, namespace_uri(c.namespace), c.private_namespace,
                    what="the CSTA edition and private namespace of the switch link")


@then(parsers.parse("EventPrivateInfo {number:d} on the T-Lib link has ThisDN the {role} extension "
                    "and the call's ConnID"))
def _(driver, profile, number, role):
    pdu = wire.tlib_private_info(driver.capture, number, timeout=driver.timeout,
                                 what=f"EventPrivateInfo {number} on the wire")
    wire.tlib_attribute(pdu, Attr.ThisDN, dn(profile, role))
    wire.tlib_attribute(pdu, Attr.ConnID, driver.calls["the call"].conn_id)


@then(parsers.parse("EventPrivateInfo {number:d} on the T-Lib link has ThisDN the {role} extension "
                    "and OtherDN the {host} extension"))
def _(driver, profile, number, role, host):
    pdu = wire.tlib_private_info(driver.capture, number, timeout=driver.timeout,
                                 what=f"EventPrivateInfo {number} on the wire")
    wire.tlib_attribute(pdu, Attr.ThisDN, dn(profile, role))
    wire.tlib_attribute(pdu, Attr.OtherDN, dn(profile, host))
