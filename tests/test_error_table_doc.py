"""docs/error-table.md is generated from the catalogue and must stay equal to it."""
from __future__ import annotations

from pathlib import Path

from tsconform.report.docs import render_error_table
from tsconform.spec.catalogue import CSTA_ERROR_CODES, ERRORS

PAGE = Path(__file__).resolve().parents[1] / "docs" / "error-table.md"


def test_error_table_page_is_up_to_date():
    assert PAGE.exists(), "docs/error-table.md is missing; generate it with `tsconform docs`"
    assert PAGE.read_text(encoding="utf-8") == render_error_table(), (
        "docs/error-table.md differs from the catalogue's error table; "
        "regenerate it with `tsconform docs`")


def test_every_error_row_and_csta_mapping_is_rendered():
    text = render_error_table()
    lines = text.splitlines()
    for case in ERRORS.values():
        row = next((line for line in lines if line.startswith(f"| {case.req_id} |")), None)
        assert row, case.req_id
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert str(case.error_code) in cells and case.error_message in cells, row
        assert cells[-1] == ("yes" if case.documented else "no"), row
        csta = f"{case.csta_error[0]} / {case.csta_error[1]}" if case.csta_error else "T-Server"
        assert csta in cells, row
    for (category, value), code in CSTA_ERROR_CODES.items():
        assert any(line.startswith(f"| {category} | {value} | {code} |") for line in lines), (category, value)
