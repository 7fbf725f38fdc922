"""Steps of features/call_recording.feature (and the call set-up account codes share)."""
from pytest_bdd import given, parsers, scenarios

from tsconform import checks, wire

from .common import dn
from .verdicts import then

scenarios("call_recording.feature")


@given(parsers.parse("recording of the call is {state} on the {role} extension"))
def _(driver, profile, state, role):
    steps = {"active": (3013,), "suspended": (3013, 3015)}[state]
    where = dn(profile, role)
    owner = driver.client_on(where)
    for number in steps:
        ex = driver.private_service(owner, number, where, driver.calls["the call"].conn_id)
        checks.private_info(ex.answer, number, f"setting up a recording that is {state}")


@then(parsers.parse("the call is still not recorded on the {role} extension"))
def _(driver, profile, role):
    where = dn(profile, role)
    ex = driver.private_service(driver.client_on(where), 3014, where, driver.calls["the call"].conn_id)
    checks.error_row(ex.answer, "REC-ERR-NOT-RECORDING", "stopping the recording, to show that none was started")


@then(parsers.parse("the recording of the call is still {state} on the {role} extension"))
@then(parsers.parse("the recording of the call is {state} again on the {role} extension"))
def _(driver, profile, state, role):
    number = {"active": 3015, "suspended": 3016}[state]  # the service that applies only in that state
    where = dn(profile, role)
    ex = driver.private_service(driver.client_on(where), number, where, driver.calls["the call"].conn_id)
    checks.private_info(ex.answer, number, f"service {number}, to show that the recording is still {state}")


@then(parsers.parse("the switch's RecordEvent at the {role} extension names the message its RecordMessageResponse created"))
def _(driver, profile, role):
    created = wire.csta(driver.capture, "RecordMessageResponse", {"resultingMessage": wire.PRESENT},
                        from_switch=True, timeout=driver.timeout, what="the switch's answer to RecordMessage")
    wire.csta(driver.capture, "RecordEvent",
              {"deviceID": dn(profile, role), "message": created.find_text("resultingMessage") or ""},
              from_switch=True, timeout=driver.timeout, what="the recording the switch started")
