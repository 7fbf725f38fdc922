"""Traceability matrix: every seed row (service, event, attribute, error) -> scenarios -> verdict.

A service, event or error row is covered by the scenarios that carry its requirement ID. An
attribute row is covered by the scenarios whose checks verified it when they ran (the ledger
of each verdict), never by the wording of a step; before a run it shows "not run". A row no
scenario covers is a gap.
"""
from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import ledger, spec

_SEVERITY = ("pass", "not applicable", "inconclusive", "fail", "error")


@dataclass
class Row:
    req_id: str
    what: str
    parent: str
    attribute: bool = False  # covered only by the checks that ran on it
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
                rows.append(Row(ledger.row_id(item.req_id, a), f"{a.name}: {a.meaning}", item.req_id,
                                attribute=True))
    for e in spec.ERRORS.values():
        origin = "documented by the seed" if e.documented else "defined by the suite"
        rows.append(Row(e.req_id, f"Error ({origin}): {e.precondition}", e.req_id))
    return rows


def scenarios(features_dir: Path) -> list[tuple[str, set[str]]]:
    """(name, tags) of every scenario in the feature files."""
    from pytest_bdd.parser import FeatureParser  # here: seed_rows serves runtime code without the test stack

    out = []
    for path in sorted(features_dir.glob("*.feature")):
        feature = FeatureParser(str(features_dir), path.name).parse()
        for sc in feature.scenarios.values():
            out.append((sc.name, set(sc.tags) | set(feature.tags)))
    return out


def build(features_dir: Path, runs: Iterable | None = None) -> list[Row]:
    """Rows with their covering scenarios. `runs` are the verdicts of a run (each with
    `template`, the Gherkin name, `verdict`, and `rows`, what its checks verified); with them,
    each row gets its worst verdict, and an attribute row only the scenarios whose checks verified it."""
    tagged = scenarios(features_dir)
    order = {name: i for i, (name, _) in enumerate(tagged)}  # scenarios listed as in the feature files
    runs = None if runs is None else list(runs)
    rows = seed_rows()
    for row in rows:
        row.scenarios = [name for name, tags in tagged if row.parent in tags]
        if runs is None:
            continue
        tagged_runs = [r.verdict for r in runs if r.template in row.scenarios]
        outcomes = tagged_runs
        if row.attribute:
            verified = [(r.template, r.rows[row.req_id]) for r in runs if row.req_id in r.rows]
            if verified or "pass" in tagged_runs:  # a scenario passed without checking it: a gap
                row.scenarios = sorted({name for name, _ in verified}, key=lambda n: (order.get(n, len(order)), n))
                outcomes = [v for _, v in verified]
        worst = max(outcomes, key=_SEVERITY.index, default=None)
        row.verdict = worst or ("gap" if row.gap else "not run")
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
