"""Device identifiers as switches write them, and the DN the suite compares taken from them.

ECMA-323 leaves the form of a deviceIdentifier to the switch. Forms seen on real switches:

- ``plain``: the DN itself (``5001``);
- ``noa``: a dialing number with its nature of address, as OpenScape Voice writes it
  (``N<302118840100>;noa=nk``) and Mitel through estos (``N<5001>``): the DN is inside ``N<...>``;
- ``avaya``: Avaya AES's ``extension:switch:IP address:instance`` (``5001:CM1:10.0.0.1:0``):
  the DN is the extension.

>>> [dn(x) for x in ("5001", "N<302118840100>;noa=nk", "N<5001>", "5001:CM1:10.0.0.1:0")]
['5001', '302118840100', '5001', '5001']
>>> identifier("5001", "noa"), identifier("5001", "avaya", switch="CM1", address="10.0.0.1")
('N<5001>;noa=nk', '5001:CM1:10.0.0.1:0')
"""
from __future__ import annotations

import re

from ..errors import TestSystemError

FORMS = ("plain", "noa", "avaya")
_NOA = re.compile(r"N<([^<>]*)>(?:;.*)?")
_AVAYA = re.compile(r"([^:\s]+):([^:\s]+):([^:\s]*):(\d+)")


class DeviceFormError(TestSystemError, ValueError):
    """A device identifier form the project does not know."""


def form_of(ident: str) -> str:
    """Which form an identifier is written in.

    >>> form_of("N<5001>;noa=nk"), form_of("5001:CM1:10.0.0.1:0"), form_of("5001")
    ('noa', 'avaya', 'plain')
    """
    if _NOA.fullmatch(ident):
        return "noa"
    if _AVAYA.fullmatch(ident):
        return "avaya"
    return "plain"


def dn(ident: str) -> str:
    """The DN of a device identifier in any known form (a plain one is returned as it is)."""
    m = _NOA.fullmatch(ident) or _AVAYA.fullmatch(ident)
    return m.group(1) if m else ident


def identifier(number: str, form: str = "plain", *, noa: str = "nk", switch: str = "CM1",
               address: str = "", instance: int = 0) -> str:
    """The identifier of DN number in a form, as a switch of that dialect writes it."""
    if form == "plain":
        return number
    if form == "noa":
        return f"N<{number}>;noa={noa}"
    if form == "avaya":
        return f"{number}:{switch}:{address}:{instance}"
    raise DeviceFormError(f"unknown device identifier form {form!r}; use one of {', '.join(FORMS)}")
