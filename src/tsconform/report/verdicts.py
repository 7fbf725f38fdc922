"""Per-scenario verdicts of a run, the table printed at its end, and the run's exit code."""
from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table

from .. import ledger
from ..errors import ProductFailure
from ..exit_codes import EXIT_ERROR, EXIT_FAIL, EXIT_INCONCLUSIVE, EXIT_NOTHING_RAN, EXIT_PASS
from ..verdict import Inconclusive
from .allure_meta import scenario_requirements

VERDICTS = ("pass", "fail", "inconclusive", "error", "not applicable")


@dataclass
class Verdict:
    nodeid: str
    scenario: str
    requirements: list[str]
    template: str = ""  # the Gherkin name, before outline parameters are filled in
    verdict: str = "pass"  # pass | fail | inconclusive | error | not applicable
    duration: float = 0.0
    reason: str = ""
    step: str = ""  # the step that ended the scenario with its verdict ("" for the end-of-scenario checks)
    step_type: str = ""  # given | when | then ("" for the end-of-scenario checks)
    rows: dict[str, str] = field(default_factory=dict)  # catalogue rows its checks verified -> outcome


FACTS = "tsconform"  # the key of a report's user property that carries its phase's verdict
FAILED_STEP = pytest.StashKey[tuple]()  # (type, text) of the step that raised


class ScenarioFacts:
    """A pytest plugin where the tests run (the process itself, or each xdist worker): it
    reads each phase's outcome and attaches the verdict facts to the report, which xdist
    carries to the controller. VerdictCollector reads only the reports."""

    @pytest.hookimpl
    def pytest_bdd_step_error(self, request, feature, scenario, step, step_func, step_func_args, exception):
        request.node.stash[FAILED_STEP] = (step.type, f"{step.keyword} {step.name}")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = (yield).get_result()
        facts: dict = {}
        if call.when == "setup":
            ledger.take()  # forget what checks outside a scenario recorded
            name, template = scenario_name(item)
            facts.update(scenario=name, template=template,
                         requirements=scenario_requirements({m.name for m in item.iter_markers()}))
        elif call.when == "call":
            facts["rows"] = ledger.take()  # the catalogue rows this scenario's checks verified
        exc = call.excinfo
        if exc is not None:
            facts["step_type"], facts["step"] = item.stash.get(FAILED_STEP, ("", ""))
            if exc.errisinstance((pytest.skip.Exception, Inconclusive)):
                text = str(exc.value.msg if hasattr(exc.value, "msg") else exc.value)
                # only an ICS exclusion is not applicable; any other skip could not reach its purpose
                facts["verdict"] = "not applicable" if text.startswith("not applicable") else "inconclusive"
                facts["reason"] = text
            else:
                product = exc.errisinstance(ProductFailure)  # failed checks, timeouts, a session dropped
                facts["verdict"] = "fail" if product and call.when == "call" else "error"
                facts["reason"] = f"{exc.typename}: {exc.value}"[:2000]
        report.user_properties.append((FACTS, facts))


@dataclass
class VerdictCollector:
    """A pytest plugin: records one verdict per scenario and prints the table at the end.

    It reads the facts ScenarioFacts attached to each report, so it works the same in a
    serial run and in the controller of a pytest-xdist run (`tsconform run -n N`).
    """

    console: Console = field(default_factory=lambda: Console(highlight=False, width=None if sys.stdout.isatty() else 140))
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    collect_errors: int = 0
    json_path: str | None = None

    @pytest.hookimpl
    def pytest_collectreport(self, report):
        if report.failed:
            self.collect_errors += 1

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report):
        facts = dict(report.user_properties).get(FACTS)
        if facts is None:
            return
        if report.when == "setup":
            self.verdicts.setdefault(report.nodeid, Verdict(report.nodeid, facts["scenario"],
                                                            facts["requirements"], facts["template"]))
        v = self.verdicts.get(report.nodeid)
        if v is None:
            return
        v.duration += report.duration
        v.rows.update(facts.get("rows", {}))
        if "verdict" in facts and v.verdict == "pass":  # the first non-pass verdict stands
            v.verdict, v.reason = facts["verdict"], facts["reason"]
            v.step_type, v.step = facts["step_type"], facts["step"]

    @pytest.hookimpl
    def pytest_sessionfinish(self, session, exitstatus):
        if self.json_path:
            Path(self.json_path).write_text(json.dumps([asdict(v) for v in self.verdicts.values()], indent=1))

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(VERDICTS, 0)
        for v in self.verdicts.values():
            out[v.verdict] += 1
        return out

    def exit_code(self, pytest_code: int) -> int:
        c = self.counts()
        if pytest_code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR,
                           pytest.ExitCode.INTERRUPTED) or self.collect_errors or c["error"]:
            return EXIT_ERROR
        if c["fail"]:
            return EXIT_FAIL
        if c["inconclusive"]:
            return EXIT_INCONCLUSIVE
        if c["pass"] == 0:
            return EXIT_NOTHING_RAN
        return EXIT_PASS

    def print_table(self) -> None:
        if not self.verdicts:
            self.console.print("no scenario ran")
            return
        table = Table(title="tsconform verdicts", show_lines=False)
        for col in ("Requirement", "Scenario", "Verdict", "Time (s)"):
            table.add_column(col, justify="right" if col.startswith("Time") else "left")
        style = dict(zip(VERDICTS, ("green", "bold red", "yellow", "magenta", "dim")))
        for v in self.verdicts.values():
            table.add_row(" ".join(v.requirements) or "-", v.scenario,
                          f"[{style[v.verdict]}]{v.verdict}[/]", f"{v.duration:.3f}")
        self.console.print(table)
        for v in self.verdicts.values():
            if v.verdict != "pass" and v.reason:
                self.console.print(f"[{style[v.verdict]}]{v.verdict}[/] {v.scenario}: {v.reason}",
                                   markup=True, highlight=False)
        c = self.counts()
        self.console.print(f"{c['pass']} pass, {c['fail']} fail, {c['inconclusive']} inconclusive, "
                           f"{c['error']} error; {c['not applicable']} not applicable (counted apart)")


def scenario_name(item) -> tuple[str, str]:
    """The Gherkin scenario name of a pytest-bdd item, with outline parameters filled in and as written."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    obj = getattr(item, "obj", None)
    template = scenario_wrapper_template_registry.get(obj) if obj is not None else None
    if template is None:
        return item.name, item.name
    example = getattr(item, "callspec", None)
    params = example.params.get("_pytest_bdd_example", {}) if example else {}
    return template.render(params).name, template.name


def _error_text(text: str) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    errs = [ln[1:].strip() for ln in lines if ln.startswith("E ")]
    return (" ".join(errs) if errs else (lines[-1] if lines else ""))[:1000]
