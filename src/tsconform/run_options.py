"""The options of a run, declared once: `tsconform run`'s parser, pytest's options
(conftest.py) and the forwarding from the one to the other all read ``OPTIONS``.

Each option has an owner:

- ``SUITE``: the suite's own option; conftest.py declares it to pytest, `tsconform run`
  declares it too and forwards it;
- ``PYTEST``: an option pytest or one of its plugins (xdist, allure) already declares;
  `tsconform run` declares it and forwards it;
- ``CLI``: what `tsconform run` itself does after pytest (the HTML report, the suite
  directory); it is not forwarded.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_to_argparse(parser)
>>> args = parser.parse_args(["--sim-fault", "no-escape", "-n", "2", "-m", "hot_desking", "--no-html"])
>>> forward(args)
['--sim-fault=no-escape', '--alluredir=reports/allure-results', '-m', 'hot_desking', '--numprocesses=2']
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any, Callable

SUITE, PYTEST, CLI = "suite", "pytest", "cli"


@dataclass(frozen=True)
class RunOption:
    flags: tuple[str, ...]  # as written on the command line; the first long one is forwarded
    help: str
    owner: str = SUITE
    action: str = "store"  # store | store_true | append
    type: Callable[[str], Any] | None = None
    default: Any = None
    metavar: str | None = None

    @property
    def dest(self) -> str:
        """The attribute name, as argparse and pytest derive it from the first long flag."""
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def flag(self) -> str:
        """The flag forwarded to pytest: the first long one, else the first."""
        return next((f for f in self.flags if f.startswith("--")), self.flags[0])

    def kwargs(self) -> dict:
        out: dict[str, Any] = {"action": self.action, "help": self.help, "dest": self.dest}
        if self.action == "append":
            out["default"] = list(self.default or [])
        elif self.action == "store":
            out["default"] = self.default
        else:
            out["default"] = False
        if self.type is not None:
            out["type"] = self.type
        if self.metavar:
            out["metavar"] = self.metavar
        return out

    def forward(self, value) -> list[str]:
        """The pytest arguments that carry `value`; none for an empty one (None, False, 0, no items)."""
        if self.owner == CLI or not value:
            return []
        if self.action == "store_true":
            return [self.flag]
        values = value if self.action == "append" else [value]
        if self.flag.startswith("--"):
            return [f"{self.flag}={v}" for v in values]
        return [a for v in values for a in (self.flag, str(v))]


OPTIONS: tuple[RunOption, ...] = (
    RunOption(("--tserver",), "'sim' (the embedded simulator, default) or tlib://HOST:PORT", metavar="TARGET"),
    RunOption(("--switch",), "behind the embedded T-Server: sim (default), local, csta://HOST:PORT or "
                             "cstas://HOST:PORT", metavar="SWITCH"),
    RunOption(("--profile",), "ICS/PIXIT profile (YAML; default profiles/sim.yaml)", metavar="FILE"),
    RunOption(("--sim-fault",), "break the embedded simulator with a named fault (repeatable; see "
                                "`tsconform sim --list-faults`)", action="append", metavar="NAME"),
    RunOption(("--redact-captures",), "mask the application password and CSTA credentials in the pcaps written",
              action="store_true"),
    RunOption(("--verdicts-json",), "also write one verdict per scenario (requirement IDs, verdict, reason, "
                                    "catalogue rows) as JSON", metavar="PATH"),
    RunOption(("--alluredir",), "directory of the Allure results (cleared first)", PYTEST,
              default="reports/allure-results", metavar="DIR"),
    RunOption(("-k",), "select scenarios by keyword expression", PYTEST, metavar="EXPR"),
    RunOption(("-m",), "select scenarios by tag expression, e.g. 'hot_desking'", PYTEST, metavar="EXPR"),
    RunOption(("--junit-xml", "--junitxml"), "also write a JUnit XML report", PYTEST, metavar="PATH"),
    RunOption(("-x", "--exitfirst"), "stop at the first scenario that does not pass", PYTEST, action="store_true"),
    RunOption(("-n", "--numprocesses"), "run the scenarios on N pytest-xdist workers, each with its own "
                                        "simulator or sessions", PYTEST, type=int, default=0, metavar="N"),
    RunOption(("--tx",), "an execnet gateway per pytest-xdist worker, e.g. 2*popen or "
                         "ssh=HOST//python=PYTHON//chdir=DIR (repeatable; README: several machines)", PYTEST,
              action="append", metavar="SPEC"),
    RunOption(("--html",), "directory of the HTML report (Allure 3)", CLI, default="reports/html", metavar="DIR"),
    RunOption(("--no-html",), "write the Allure results only", CLI, action="store_true"),
    RunOption(("--suite",), "directory holding features/ and steps/ (default: .)", CLI, default=".", metavar="DIR"),
)


def add_to_argparse(parser: argparse.ArgumentParser) -> None:
    """Declare every option on `tsconform run`'s parser."""
    for opt in OPTIONS:
        parser.add_argument(*opt.flags, **opt.kwargs())


def add_to_pytest(group, defaults: dict[str, Any] | None = None) -> None:
    """Declare the suite's options on a pytest option group (conftest.py's pytest_addoption);
    `defaults` replaces the table's default by dest, e.g. the profile's path."""
    for opt in OPTIONS:
        if opt.owner == SUITE:
            kwargs = opt.kwargs()
            if defaults and opt.dest in defaults:
                kwargs["default"] = defaults[opt.dest]
            group.addoption(*opt.flags, **kwargs)


def forward(args: argparse.Namespace) -> list[str]:
    """The pytest arguments that carry every forwarded option given to `tsconform run`."""
    return [a for opt in OPTIONS for a in opt.forward(getattr(args, opt.dest))]
