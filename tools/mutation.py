"""Mutation testing of the reference behaviour, judged by the features: `make mutation`.

Runs mutmut (configured in pyproject.toml, [tool.mutmut]) over the reference T-Server, the
switch state and the connector translation of the switch link, with the feature suite as
the test command. Then prints the score and every surviving mutant with its diff. Mutants
recorded as equivalent in docs/fault-matrix.md ("Equivalent mutants") are set aside, with
their reason; a mutant no feature reaches ("no tests") counts as a survivor.

Usage: python tools/mutation.py [--max-children N] [MUTANT-GLOB ...]
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = [sys.executable, "-m", "mutmut"]
EQUIVALENT = re.compile(r"^\| `(?P<name>[^`]+)` \| (?P<why>[^|]+) \|", re.M)


def equivalent_mutants(doc: Path = ROOT / "docs" / "fault-matrix.md") -> dict[str, str]:
    """Mutant name -> why it is equivalent, from the fault matrix's table."""
    text = doc.read_text()
    section = text.split("## Equivalent mutants", 1)[1] if "## Equivalent mutants" in text else ""
    return {m["name"]: m["why"].strip() for m in EQUIVALENT.finditer(section)}


def statuses() -> dict[str, str]:
    out = subprocess.run([*MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True).stdout
    return dict(ln.strip().rsplit(": ", 1) for ln in out.splitlines() if ": " in ln)


def diff(name: str) -> str:
    out = subprocess.run([*MUTMUT, "show", name], cwd=ROOT, capture_output=True, text=True).stdout
    return " / ".join(ln for ln in out.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument("mutants", nargs="*", help="run only these mutants (mutmut names or globs)")
    args = ap.parse_args(argv)
    run = subprocess.run([*MUTMUT, "run", "--max-children", str(args.max_children), *args.mutants], cwd=ROOT)
    if run.returncode not in (0, 1):
        print(f"mutmut run failed (exit {run.returncode})", file=sys.stderr)
        return 3
    results = statuses()
    if args.mutants:
        results = {k: v for k, v in results.items() if any(Path(k).match(g) or k == g for g in args.mutants)}
    equivalent = equivalent_mutants()
    killed = sum(v in ("killed", "timeout") for v in results.values())
    survivors = {k: v for k, v in results.items() if v in ("survived", "no tests", "suspicious") and k not in equivalent}
    set_aside = [k for k in results if k in equivalent]
    judged = killed + len(survivors)
    score = 100.0 * killed / judged if judged else 0.0
    print(f"\nmutation score: {score:.1f} % ({killed} killed of {judged}; "
          f"{len(set_aside)} equivalent set aside, {len(results)} mutants in all)")
    for name, status in sorted(survivors.items()):
        print(f"  {status:9} {name}: {diff(name)}")
    (ROOT / "mutants" / "score.json").write_text(json.dumps(
        {"score": score, "killed": killed, "judged": judged, "equivalent": len(set_aside),
         "survivors": sorted(survivors)}, indent=1))
    return 0 if score >= 95.0 else 1


if __name__ == "__main__":
    sys.exit(main())
