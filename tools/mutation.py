"""Mutation testing of the reference behaviour, judged by the features: `make mutation`.

Runs mutmut (configured in pyproject.toml, [tool.mutmut]) over the reference T-Server, the
switch state and the connector translation of the switch link, with the feature suite as the
test command: a mutant is killed when a scenario fails. Then prints the score and every
surviving mutant with its diff.

A survivor is set aside only by a rule of RULES below, which compares the mutated function
with the original under mutants/ (as mutmut wrote them) after blanking what no check can
observe by the catalogue's own rules; each rule says why. A mutant no feature reaches
("no tests") is a survivor like the others. With --write-docs the score, the survivors and
the set-aside mutants of this run are written into docs/fault-matrix.md.

The score is given twice: without the call model and monitoring (CALL_MODEL below, a scope
decision with its reason), which decides the exit status, and over every mutated function.

Usage: python tools/mutation.py [--max-children N] [--fresh] [--write-docs] [--no-run] [MUTANT ...]
"""
from __future__ import annotations

import argparse
import ast
import difflib
import filecmp
import fnmatch
import json
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "fault-matrix.md"
MUTMUT = [sys.executable, "-m", "mutmut"]
LIST_HEADING = "### Mutants set aside in the last run"


class _Unobservable(ast.NodeTransformer):
    """Blanks what no check can observe, by the catalogue's own rules, so that two functions
    that differ only there compare equal:
    - the detail of a SwitchError (its third argument, or the second after a starred
      category-value pair, and its message; the one argument of CstaLinkTimeout): the switch's
      errors reach the T-Lib link as the error table's ErrorCode and ErrorMessage, never as text;
    - the `detail` T-Server appends to the error table's ErrorMessage (`: <detail>`, which
      docs/error-table.md leaves to the T-Server)."""

    def visit_Call(self, node: ast.Call):
        self.generic_visit(node)
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name == "SwitchError":  # (category, value, detail) or (*PAIR, detail)
            node.args = node.args[:1 if node.args and isinstance(node.args[0], ast.Starred) else 2]
            node.keywords = []
        if name == "CstaLinkTimeout":  # its one argument is the detail
            node.args, node.keywords = [], []
        if name == "_error":
            node.keywords = [k for k in node.keywords if k.arg != "detail"]
        if name == "__init__" and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call):
            node.args = []  # super().__init__(message) of an exception: its text is for the log
        return node

    def visit_IfExp(self, node: ast.IfExp):
        self.generic_visit(node)
        if any(isinstance(n, ast.Name) and n.id == "detail" for n in ast.walk(node.body)):
            return ast.IfExp(ast.Constant(None), ast.Constant(None), node.orelse)  # whether, and which, detail
        return node

    def visit_arguments(self, node: ast.arguments):
        names = [a.arg for a in node.args]
        defaults = dict(zip(names[len(names) - len(node.defaults):], node.defaults))
        if "detail" in defaults:
            node.defaults = [ast.Constant(None) if n == "detail" else d for n, d in defaults.items()]
        return node


@dataclass(frozen=True)
class Rule:
    name: str
    why: str


@dataclass(frozen=True)
class Scope:
    name: str
    why: str
    functions: tuple[str, ...]  # mutmut's function names, as fnmatch patterns

    def holds(self, mutant: str) -> bool:
        return any(fnmatch.fnmatchcase(mutant.rsplit("__mutmut_", 1)[0], f) for f in self.functions)


_TS, _ST, _SW, _LK = ("tsconform.sim.tserver.xǁTServerǁ", "tsconform.sim.switch_state.xǁSwitchStateǁ",
                      "tsconform.sim.csta_switch.xǁSwitchSessionǁ", "tsconform.sim.csta_link.xǁCstaSwitchLinkǁ")
CALL_MODEL = Scope(
    "call model and monitoring",
    "the seed's connector functions are the CSTA requests behind the private services (Escape, "
    "RecordMessage, Stop, Suspend, Resume, AssociateData) and the events behind the private events. "
    "MakeCall, AnswerCall, ClearConnection, MonitorStart and MonitorStop, with their events, are the "
    "T-Server's call model and monitoring: the suite uses them to set up its scenarios and judges them "
    "as preconditions only (the call set-up's ThisDN, OtherDN and ConnID at both ends, the release's "
    "ConnID and OtherDN, the registration's answer); no catalogue row describes them, and the error "
    "table's rows do not apply to call requests (docs/protocol.md, \"Calls\")",
    (*(_TS + f for f in ("_call_request", "_make_call", "_answer_call", "_release_call", "_call_event")),
     *(_ST + f for f in ("make_call", "answer_call", "clear_connection")),
     *(_SW + f for f in ("_call_model_handlers", "_make_call", "_monitor_start", "_monitor_stop", "_call_events")),
     *(_LK + f for f in ("monitor", "_monitor", "_translate_call")), "tsconform.sim.csta_link.xǁ_Memoryǁother"))

DETAIL = Rule("error detail", "it changes only the detail of an error (a SwitchError's text, or the "
              "`: <detail>` T-Server may append to the error table's ErrorMessage), which no check can "
              "observe by the catalogue's rules")
RULES = (DETAIL,)


class MutantSource:
    """The original and mutated functions as mutmut wrote them under mutants/."""

    def __init__(self, root: Path = ROOT / "mutants" / "src"):
        self.root, self._funcs = root, {}

    def functions(self, module: str) -> dict[str, ast.FunctionDef]:
        if module not in self._funcs:
            tree = ast.parse((self.root / (module.replace(".", "/") + ".py")).read_text())
            self._funcs[module] = {n.name: n for n in ast.walk(tree)
                                   if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        return self._funcs[module]

    def pair(self, mutant: str):
        """(original, mutated) function of a mutant, or (None, None) if mutmut wrote neither."""
        module, _, func = mutant.rpartition(".")
        funcs = self.functions(module)
        return funcs.get(func.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"), funcs.get(func)

    def rule_for(self, mutant: str) -> Rule | None:
        orig, mutated = self.pair(mutant)
        if orig is None or mutated is None:
            return None
        return DETAIL if _blanked(orig) == _blanked(mutated) else None

    def diff(self, mutant: str) -> str:
        """The mutant's changed lines, '-' then '+', joined on one line."""
        orig, mutated = self.pair(mutant)
        if orig is None or mutated is None:
            return "(no source under mutants/)"
        old, new = (ast.unparse(f).splitlines()[1:] for f in (orig, mutated))  # without the def line
        return " / ".join(" ".join(ln.split()) for ln in difflib.ndiff(old, new) if ln[:1] in "+-")


def _blanked(fn) -> str:
    copy = ast.parse(ast.unparse(fn)).body[0]
    copy.name = "f"
    return ast.dump(_Unobservable().visit(copy))


def refresh_copies() -> None:
    """mutmut copies the sources it does not mutate (the checks, the driver) only once; copy
    them again, so that a later run judges with today's checks."""
    mutated = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]["only_mutate"])
    for src in (ROOT / "src").rglob("*.py"):
        rel = src.relative_to(ROOT)
        copy = ROOT / "mutants" / rel
        if str(rel) not in mutated and copy.exists() and not filecmp.cmp(src, copy, shallow=False):
            shutil.copy2(src, copy)


def statuses() -> dict[str, str]:
    out = subprocess.run([*MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True).stdout
    return dict(ln.strip().rsplit(": ", 1) for ln in out.splitlines() if ": " in ln)


def write_docs(score_lines: list[str], set_aside: dict[str, Rule], survivors: dict[str, tuple[str, str]]) -> None:
    """Write the scores, the survivors and the set-aside mutants under the section's heading."""
    head = DOC.read_text().partition(LIST_HEADING)[0].rstrip("\n")
    lines = [head, "", LIST_HEADING, "", *(f"- {ln}" for ln in score_lines), "",
             f"The scope decision **{CALL_MODEL.name}**: {CALL_MODEL.why}.", "",
             "Rules a survivor is set aside by:", ""]
    lines += [f"- **{r.name}**: {r.why} ({sum(v is r for v in set_aside.values())} mutants)." for r in RULES]
    lines += ["", "Survivors by function (each needs a check; `make mutation` prints every one with its diff):",
              "", "| Function | Scope | Survivors | Mutants |", "|---|---|---|---|"]
    for fn, ns in _by_function(survivors).items():
        scope = CALL_MODEL.name if CALL_MODEL.holds(fn + "__mutmut_0") else "connector translation"
        lines.append(f"| `{fn}` | {scope} | {len(ns)} | {', '.join(ns)} |")
    lines += ["", "Set aside:", ""]
    lines += [f"- `{fn}`: mutants {', '.join(ns)} ({set_aside[fn + '__mutmut_' + ns[0]].name})"
              for fn, ns in _by_function(set_aside).items()]
    DOC.write_text("\n".join(lines) + "\n")


def _by_function(mutants) -> dict[str, list[str]]:
    """Function name -> the numbers of its mutants, in order."""
    out: dict[str, list[str]] = {}
    for name in sorted(mutants, key=lambda n: (n.rsplit("__mutmut_", 1)[0], int(n.rsplit("__mutmut_", 1)[1]))):
        fn, number = name.rsplit("__mutmut_", 1)
        out.setdefault(fn, []).append(number)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-children", type=int, default=8, help="mutants run at once (they mostly wait)")
    ap.add_argument("--write-docs", action="store_true", help="write the set-aside list into the fault matrix")
    ap.add_argument("--no-run", action="store_true", help="report on the results mutmut already has")
    ap.add_argument("--fresh", action="store_true",
                    help="forget every earlier result (mutants/), so that each mutant is judged by today's checks")
    ap.add_argument("mutants", nargs="*", help="run only these mutants (mutmut names or globs)")
    args = ap.parse_args(argv)
    if args.fresh and not args.no_run:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    if not args.no_run:
        refresh_copies()
        run = subprocess.run([*MUTMUT, "run", "--max-children", str(args.max_children), *args.mutants], cwd=ROOT)
        if run.returncode not in (0, 1):
            print(f"mutmut run failed (exit {run.returncode})", file=sys.stderr)
            return 3
    results = statuses()
    if args.mutants:
        results = {k: v for k, v in results.items() if any(fnmatch.fnmatchcase(k, g) for g in args.mutants)}
    source = MutantSource()
    killed = [k for k, v in results.items() if v in ("killed", "timeout")]
    survivors, set_aside = {}, {}
    for name, status in sorted(results.items()):
        if status in ("survived", "no tests", "suspicious"):
            rule = source.rule_for(name)
            if rule:
                set_aside[name] = rule
            else:
                survivors[name] = (status, source.diff(name))
    judged = len(killed) + len(survivors)
    score = 100.0 * len(killed) / judged if judged else 0.0
    k_in = [k for k in killed if not CALL_MODEL.holds(k)]
    s_in = [n for n in survivors if not CALL_MODEL.holds(n)]
    in_scope = 100.0 * len(k_in) / (len(k_in) + len(s_in)) if k_in or s_in else 0.0
    score_lines = [
        f"Mutation score {in_scope:.1f} % without the {CALL_MODEL.name} (the scope decision below): "
        f"{len(k_in)} killed of {len(k_in) + len(s_in)} judged.",
        f"Mutation score {score:.1f} % over every mutated function: {len(killed)} killed of {judged} judged; "
        f"{len(set_aside)} set aside by the rules; {len(results)} mutants in all."]
    print("\n" + "\n".join(score_lines))
    for name, (status, d) in survivors.items():
        print(f"  {status:9} {name}{' [' + CALL_MODEL.name + ']' if CALL_MODEL.holds(name) else ''}: {d}")
    (ROOT / "mutants").mkdir(exist_ok=True)
    (ROOT / "mutants" / "score.json").write_text(json.dumps(
        {"score": score, "score_without_call_model": in_scope, "killed": len(killed), "judged": judged,
         "set_aside": sorted(set_aside), "survivors": sorted(survivors)}, indent=1))
    if args.write_docs:
        write_docs(score_lines, set_aside, survivors)
    return 0 if in_scope >= 95.0 else 1


if __name__ == "__main__":
    sys.exit(main())
