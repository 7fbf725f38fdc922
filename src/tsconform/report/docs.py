"""Generated documentation pages: the error table, rendered from the catalogue.

docs/error-table.md is this module's output; `tsconform docs` rewrites it, and a test keeps
the committed page equal to the catalogue.

>>> text = render_error_table()
>>> text.splitlines()[0]
'# Error table'
>>> "| HD-ERR-ALREADY | Hot Desking |" in text
True
"""
from __future__ import annotations

from ..spec.catalogue import CSTA_ERROR_CODES, ERRORS, FEATURES, SERVICES, ErrorCase

ERROR_TABLE_PAGE = "docs/error-table.md"

_INTRO = """\
# Error table

<!-- Generated from tsconform.spec.catalogue by `tsconform docs`; do not edit by hand. -->

When T-Server cannot perform a private service it answers the RequestPrivateService with
EventError instead of EventPrivateInfo. The seed documents that an EventError is sent, and for
which hot-desking cases, but not which ErrorCode it carries. The suite therefore fixes the
ErrorCode and ErrorMessage of every failed precondition in this one table (T-Lib error codes
from the T-Library headers; CSTA errors map to codes from 1100 up), the reference T-Server
answers by it, and the error scenarios check it, row by row, under the requirement IDs below.

- **CSTAErrorCode** is the error the switch returns on the CSTA link when the switch refuses
  the operation; **T-Server** means T-Server refuses the request itself and sends nothing to
  the switch.
- **Seed** says whether the seed itself documents the case (yes) or the suite adds it (no).
- T-Server may append `: <detail>` to the ErrorMessage (for example the DN or the service
  number); the ErrorCode and the text before the detail are what a conformant T-Server sends.
- Every EventError echoes the request's ReferenceID, and carries its ThisDN and ConnID when
  the request had them.
- A frame T-Server cannot decode is answered with ErrorCode 53 and the ErrorMessage
  `Malformed frame: <reason>` (see [protocol.md](protocol.md), "Stream behaviour").
"""

_CSTA_INTRO = """\
## CSTAErrorCode to T-Lib ErrorCode

When the switch refuses an operation, T-Server answers with the row above that names the
CSTAErrorCode for the requested service. Any other CSTAErrorCode maps to a T-Lib ErrorCode by
this table, with the ErrorMessage `CSTA error <category>/<value>`; a value not listed maps to
its category's `generic` code, and a category not listed to 1199. The ECMA-323 schema spells
the category `systemResourceAvailibility`; the spelling `systemResourceAvailability` is
accepted as the same category.
"""


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _row(cells) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _feature(case: ErrorCase) -> str:
    return FEATURES[case.feature] if case.feature else "All private services"


def _services(case: ErrorCase) -> str:
    if not case.services:
        return "any"
    return ", ".join(f"{n} ({SERVICES[n].req_id})" if n in SERVICES else str(n) for n in case.services)


def _csta(case: ErrorCase) -> str:
    return f"{case.csta_error[0]} / {case.csta_error[1]}" if case.csta_error else "T-Server"


def render_error_table() -> str:
    """The error table page (Markdown): ERRORS, then the CSTA_ERROR_CODES mapping."""
    lines = [_INTRO, "## Failed preconditions", ""]
    lines.append(_row(["Req ID", "Feature", "Services", "Failed precondition", "T-Lib ErrorCode",
                       "ErrorMessage", "CSTAErrorCode (category / value)", "Seed"]))
    lines.append(_row(["---"] * 8))
    for case in ERRORS.values():
        lines.append(_row([case.req_id, _feature(case), _services(case), case.precondition,
                           case.error_code, case.error_message, _csta(case),
                           "yes" if case.documented else "no"]))
    lines += ["", _CSTA_INTRO]
    lines.append(_row(["CSTAErrorCode category", "value", "T-Lib ErrorCode", "Error-table rows"]))
    lines.append(_row(["---"] * 4))
    for (category, value), code in CSTA_ERROR_CODES.items():
        rows = [c.req_id for c in ERRORS.values() if c.csta_error == (category, value)]
        lines.append(_row([category, value, code, ", ".join(rows) or "-"]))
    return "\n".join(lines) + "\n"
