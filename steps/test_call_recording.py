"""Steps of features/call_recording.feature (and the call set-up account codes share)."""
from pytest_bdd import given, parsers, scenarios

from tsconform import checks

from .common import dn

scenarios("call_recording.feature")


@given(parsers.parse("recording of the call is {state} on the {role} extension"))
def _(driver, profile, state, role):
    steps = {"active": (3013,), "suspended": (3013, 3015)}[state]
    where = dn(profile, role)
    owner = driver.client_on(where)
    for number in steps:
        ex = driver.private_service(owner, number, where, driver.calls["the call"].conn_id)
        checks.private_info(ex.answer, number, f"setting up a recording that is {state}")
