"""Traceability matrix: every seed row (service, event, attribute, error) -> scenarios -> verdict.

A row no scenario covers is a gap. Attribute rows are covered by a scenario carrying the
parent requirement ID with a step that checks (events) or sets (services) that attribute.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from pytest_bdd.parser import FeatureParser

from .. import spec

# Step text that checks an event attribute, or sets a service attribute, per (kind, attribute, key).
_EVENT_STEPS = {
    "ThisDN": r"its ThisDN is", "OtherDN": r"its OtherDN is", "ConnID": r"its ConnID is|it carries no ConnID",
    "PrivateMsgID": r"its PrivateMsgID is", "PrivateID": r"its PrivateID is",
}
_SERVICE_STEPS = {
    "ThisDN": r"requests private service \d+ on the|sets the account code",
    "ConnID": r"for the call|sets the account code of the call",
}
_KEY_STEPS = {"HOST_DN": r"with HOST_DN", "@accode-name": r"account code"}
_NO_EXTENSIONS = {"event": r"it carries no Extensions", "service": r"requests private service \d+ on the .* for the call$"}
_SEVERITY = ("pass", "not applicable", "inconclusive", "fail", "error")


@dataclass
class Row:
    req_id: str
    what: str
    parent: str
    pattern: str | None = None  # step pattern an attribute row needs
    scenarios: list[str] = field(default_factory=list)
    verdict: str = ""

    @property
    def gap(self) -> bool:
        return not self.scenarios


def seed_rows() -> list[Row]:
    rows: list[Row] = []
    for kind, table in (("service", spec.SERVICES), ("event", spec.EVENTS)):
        for item in table.values():
            rows.append(Row(item.req_id, f"{kind.title()} {item.number}: {item.title}", item.req_id))
            for a in item.attributes:
                rows.append(Row(f"{item.req_id}/{a.name}" + (f"[{a.key}]" if a.key else ""),
                                f"{a.name}: {a.meaning}", item.req_id, _pattern(kind, a)))
    for e in spec.ERRORS.values():
        origin = "documented by the seed" if e.documented else "defined by the suite"
        rows.append(Row(e.req_id, f"Error ({origin}): {e.precondition}", e.req_id))
    return rows


def _pattern(kind: str, a: spec.AttrRow) -> str:
    if a.name == "Extensions":
        return _KEY_STEPS[a.key] if a.key else _NO_EXTENSIONS[kind]
    return (_EVENT_STEPS if kind == "event" else _SERVICE_STEPS)[a.name]


def scenarios(features_dir: Path) -> list[tuple[str, set[str], list[str]]]:
    """(name, tags, step texts) of every scenario in the feature files."""
    out = []
    for path in sorted(features_dir.glob("*.feature")):
        feature = FeatureParser(str(features_dir), path.name).parse()
        for sc in feature.scenarios.values():
            steps = [s.name for s in sc.steps]
            out.append((sc.name, set(sc.tags) | set(feature.tags), steps))
    return out


def build(features_dir: Path, verdicts: dict[str, list[str]] | None = None) -> list[Row]:
    """Rows with their covering scenarios; with verdicts (Gherkin scenario name -> verdicts of its
    runs, one per outline row), the worst one."""
    scs = scenarios(features_dir)
    rows = seed_rows()
    for row in rows:
        for name, tags, steps in scs:
            if row.parent in tags and (row.pattern is None or any(re.search(row.pattern, s) for s in steps)):
                row.scenarios.append(name)
        if verdicts is not None:
            seen = [v for name in row.scenarios for v in verdicts.get(name, [])]
            row.verdict = max(seen, key=_SEVERITY.index) if seen else ("gap" if row.gap else "not run")
    return rows


def render_markdown(rows: list[Row], run: str = "") -> str:
    gaps = sum(r.gap for r in rows)
    lines = ["# Traceability matrix", "",
             f"Every row of the seed's tables, the scenarios that cover it, and this run's verdict. "
             f"{len(rows)} rows, {gaps} gap(s). {run}".rstrip(), "",
             "| Requirement | Seed row | Scenarios | Verdict |", "|---|---|---|---|"]
    for r in rows:
        cover = "; ".join(r.scenarios) if r.scenarios else "**GAP: no scenario**"
        lines.append(f"| {r.req_id} | {_md(r.what)} | {_md(cover)} | {r.verdict or '-'} |")
    return "\n".join(lines) + "\n"


def render_html(rows: list[Row], run: str = "") -> str:
    e = html.escape
    body = "".join(
        f"<tr class='{'gap' if r.gap else r.verdict.replace(' ', '-')}'><td>{e(r.req_id)}</td><td>{e(r.what)}</td>"
        f"<td>{'<br>'.join(map(e, r.scenarios)) or '<b>GAP: no scenario</b>'}</td><td>{e(r.verdict or '-')}</td></tr>"
        for r in rows)
    return ("<!doctype html><html><head><meta charset='utf-8'><title>tsconform traceability</title>"
            "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
            "padding:4px;vertical-align:top}.gap,.fail,.error{background:#fdd}.pass{background:#efe}"
            ".inconclusive{background:#ffd}</style></head><body><h1>Traceability matrix</h1>"
            f"<p>{e(run)}</p><table><tr><th>Requirement</th><th>Seed row</th><th>Scenarios</th>"
            f"<th>Verdict</th></tr>{body}</table></body></html>\n")


def write(out_dir: Path, features_dir: Path, verdicts: dict[str, list[str]] | None, run: str = "") -> list[Row]:
    rows = build(features_dir, verdicts)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "traceability.md").write_text(render_markdown(rows, run))
    (out_dir / "traceability.html").write_text(render_html(rows, run))
    return rows


def _md(text: str) -> str:
    return text.replace("|", "\\|")
