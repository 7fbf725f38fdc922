"""Mutation testing of the reference behaviour, judged by the features: `make mutation`.

Runs mutmut (configured in pyproject.toml, [tool.mutmut]) over the reference T-Server, the
switch state and the connector translation of the switch link, with the feature suite as the
test command: a mutant is killed when a scenario fails. Then prints the score and every
surviving mutant with its diff.

A survivor is set aside only by a rule of the table in docs/fault-matrix.md ("Mutation
testing", "Rules"): the mutant's name matches the rule's function glob and its diff the rule's
pattern, and the rule says why (equivalent, or unreachable from any request). A mutant no
feature reaches ("no tests") is a survivor like the others. With --write-docs the list of
set-aside mutants and the score of this run are written into that section.

Usage: python tools/mutation.py [--max-children N] [--write-docs] [--no-run] [MUTANT ...]
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "fault-matrix.md"
MUTMUT = [sys.executable, "-m", "mutmut"]
RULE = re.compile(r"^\| (?P<kind>equivalent|unreachable) \| `(?P<glob>[^`]+)` \| `(?P<pattern>[^`]+)` \| "
                  r"(?P<why>[^|]+) \|$", re.M)
LIST_HEADING = "### Mutants set aside in the last run"


@dataclass(frozen=True)
class Rule:
    kind: str
    glob: str
    pattern: str
    why: str

    def covers(self, name: str, diff: str) -> bool:
        return fnmatch.fnmatchcase(name, self.glob) and re.search(self.pattern, diff) is not None


def rules(doc: Path = DOC) -> list[Rule]:
    """The set-aside rules of the fault matrix's mutation section."""
    section = doc.read_text().partition("## Mutation testing")[2].partition(LIST_HEADING)[0]
    return [Rule(m["kind"], m["glob"], m["pattern"], m["why"].strip()) for m in RULE.finditer(section)]


def statuses() -> dict[str, str]:
    out = subprocess.run([*MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True).stdout
    return dict(ln.strip().rsplit(": ", 1) for ln in out.splitlines() if ": " in ln)


def diff(name: str) -> str:
    """The mutant's changed lines, '-' then '+', joined on one line."""
    out = subprocess.run([*MUTMUT, "show", name], cwd=ROOT, capture_output=True, text=True).stdout
    return " / ".join(" ".join(ln.split()) for ln in out.splitlines()
                      if ln[:1] in "+-" and not ln.startswith(("+++", "---")))


def write_docs(score_line: str, set_aside: dict[str, tuple[Rule, str]]) -> None:
    text = DOC.read_text()
    head = text.partition(LIST_HEADING)[0].rstrip("\n")
    lines = [head, "", LIST_HEADING, "", score_line, "", "| Mutant | Set aside as | Diff |", "|---|---|---|"]
    for name, (rule, d) in sorted(set_aside.items()):
        lines.append(f"| `{name}` | {rule.kind}: {rule.why} | `{d[:160].replace('|', '/')}` |")
    DOC.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-children", type=int, default=8, help="mutants run at once (they mostly wait)")
    ap.add_argument("--write-docs", action="store_true", help="write the set-aside list into the fault matrix")
    ap.add_argument("--no-run", action="store_true", help="report on the results mutmut already has")
    ap.add_argument("mutants", nargs="*", help="run only these mutants (mutmut names or globs)")
    args = ap.parse_args(argv)
    if not args.no_run:
        run = subprocess.run([*MUTMUT, "run", "--max-children", str(args.max_children), *args.mutants], cwd=ROOT)
        if run.returncode not in (0, 1):
            print(f"mutmut run failed (exit {run.returncode})", file=sys.stderr)
            return 3
    results = statuses()
    if args.mutants:
        results = {k: v for k, v in results.items() if any(fnmatch.fnmatchcase(k, g) for g in args.mutants)}
    table = rules()
    killed = [k for k, v in results.items() if v in ("killed", "timeout")]
    survivors, set_aside = {}, {}
    for name, status in sorted(results.items()):
        if status in ("survived", "no tests", "suspicious"):
            d = diff(name)
            rule = next((r for r in table if r.covers(name, d)), None)
            if rule:
                set_aside[name] = (rule, d)
            else:
                survivors[name] = (status, d)
    judged = len(killed) + len(survivors)
    score = 100.0 * len(killed) / judged if judged else 0.0
    score_line = (f"Mutation score {score:.1f} %: {len(killed)} killed of {judged} judged; "
                  f"{len(set_aside)} set aside by the rules; {len(results)} mutants in all.")
    print(f"\n{score_line}")
    for name, (status, d) in survivors.items():
        print(f"  {status:9} {name}: {d}")
    (ROOT / "mutants").mkdir(exist_ok=True)
    (ROOT / "mutants" / "score.json").write_text(json.dumps(
        {"score": score, "killed": len(killed), "judged": judged, "set_aside": sorted(set_aside),
         "survivors": sorted(survivors)}, indent=1))
    if args.write_docs:
        write_docs(score_line, set_aside)
    return 0 if score >= 95.0 else 1


if __name__ == "__main__":
    sys.exit(main())
