"""Steps of features/account_codes.feature."""
from pytest_bdd import parsers, scenarios, when

from tsconform import checks, spec, wire
from tsconform.tlib.model import Attr, KVList, MessageType as M

from .common import dn
from .verdicts import then

scenarios("account_codes.feature")


@when(parsers.parse("the account code is entered on the keypad of the {role} extension"))
def _(driver, profile, role):
    driver.device_action("an account code entered on the keypad").enter_account_code(
        dn(profile, role), profile.pixit.account_code)


@when(parsers.parse('"{client}" sets the account code of the call with private service 501'),
      target_fixture="exchange")
def _(driver, profile, client):
    where = driver.sessions[client]
    code = KVList([(str(driver.options["accode-name"]), profile.pixit.account_code)])
    return driver.private_service(client, 501, sorted(where.registered)[0],
                                  driver.calls["the call"].conn_id, code)


@then("its Extensions carry the account code under the accode-name key")
def _(message, driver, profile):
    checks.extension(message, str(driver.options["accode-name"]), profile.pixit.account_code)


@then(parsers.parse("the switch sent a CallInformationEvent with the account code for the {role} extension"))
def _(driver, profile, role):
    element = spec.EVENTS[501].csta
    fields = {"deviceID": dn(profile, role),
              "accountInfo": profile.pixit.account_code.encode().hex()}
    if "the call" in driver.calls:
        fields["callID"] = wire.call_id(driver.capture, driver.calls["the call"].caller, driver.timeout)
    wire.csta(driver.capture, element, fields, from_switch=True, timeout=driver.timeout,
              what="switch event behind EventPrivateInfo 501")


@when(parsers.parse('"{client}" releases the call at the {role} extension'), target_fixture="exchange")
def _(driver, profile, client, role):
    return driver.release(client, "the call", dn(profile, role))


def released(exchange, driver, client: str):
    assert exchange.client == client, f"the last request was sent by {exchange.client}, not {client}"
    checks.message_type(exchange.answer, M.EventReleased, f"{client} releasing the call")
    call = driver.calls["the call"]
    checks.attribute(exchange.answer, Attr.ConnID, call.conn_id)
    checks.attribute(exchange.answer, Attr.OtherDN, call.caller)
    return exchange.answer, str(driver.options["accode-name"])


@then(parsers.re(r'T-Server answers "(?P<client>[^"]+)" with EventReleased carrying the account code in '
                 r'(?P<where>UserData|Extensions)$'))
def _(exchange, driver, profile, client, where):
    answer, key = released(exchange, driver, client)
    checks.key_value(answer, Attr[where], key, profile.pixit.account_code)
    other = Attr.Extensions if where == "UserData" else Attr.UserData
    checks.no_key(answer, other, key, f"accode-data is {driver.options['accode-data']}")


@then(parsers.parse('T-Server answers "{client}" with EventReleased carrying no account code'))
def _(exchange, driver, client):
    answer, key = released(exchange, driver, client)
    for attr in (Attr.UserData, Attr.Extensions):
        checks.no_key(answer, attr, key, f"accode-data is {driver.options['accode-data']}")
