"""Steps of features/hot_desking.feature."""
from pytest_bdd import given, parsers, scenarios, when

from tsconform import checks
from tsconform.tlib.model import Attr, KVList

from .common import dn
from .verdicts import then

scenarios("hot_desking.feature")


def _associate(driver, profile, client, guest_role, host_role):
    return driver.private_service(client, 1, dn(profile, guest_role),
                                  extensions=KVList([("HOST_DN", dn(profile, host_role))]))


@when(parsers.parse('"{client}" requests private service 1 on the {role} extension '
                    'with HOST_DN the {host} extension'), target_fixture="exchange")
def _(driver, profile, client, role, host):
    return _associate(driver, profile, client, role, host)


@given(parsers.parse("the {guest} extension is associated with the {host} extension"))
def _(driver, profile, guest, host):
    ex = _associate(driver, profile, "desk", guest, host)
    checks.private_info(ex.answer, 1, f"setting up the association of the {guest} extension")


@then(parsers.parse("the {guest} extension is still not associated"))
def _(driver, profile, guest):
    where = dn(profile, guest)
    ex = driver.private_service(driver.client_on(where), 2, where)
    checks.error_row(ex.answer, "HD-ERR-ABSENT", f"cancelling hot-desking, to show that {where} has no association")


@then(parsers.parse("the {guest} extension is still associated with the {host} extension"))
def _(driver, profile, guest, host):
    where = dn(profile, guest)
    ex = driver.private_service(driver.client_on(where), 2, where)
    checks.private_info(ex.answer, 2, f"cancelling hot-desking, to show that {where} is still associated")
    checks.attribute(ex.answer, Attr.OtherDN, dn(profile, host))
