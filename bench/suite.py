"""Wall time and verdict stability of the whole feature suite against the embedded simulator,
serial and parallel side by side.

Each of N runs (default 20) runs the suite in fresh processes, with the same profile: once
serially and, with --workers W, once more on W pytest-xdist workers (tsconform run -n W).
It prints, one column per mode:
- the wall time of a run (median, min, max);
- how many scenarios changed verdict between runs (a flaky verdict is a defect: it must be 0);
and then the scenarios whose verdict differs between the serial and the parallel runs (it
must be none) and the median time of each scenario.

Usage: python bench/suite.py [--runs N] [--workers W] [--profile P]
  --workers W  also run each time on W pytest-xdist workers (default 4; 0: serial only)
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTED = ("pass", "fail", "inconclusive", "error")


def one_run(tmp: Path, name: str, workers: int, profile: str | None) -> tuple[float, list[dict]]:
    out = tmp / f"verdicts-{name}.json"
    cmd = [sys.executable, "-m", "pytest", str(ROOT / "steps"), f"--rootdir={ROOT}", "-q", "-p", "no:cacheprovider",
           f"--verdicts-json={out}", f"--alluredir={tmp}/allure-{name}"]
    if workers:
        cmd += ["-n", str(workers)]
    if profile:
        cmd.append(f"--profile={profile}")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - t0
    if not out.exists():
        sys.exit(f"suite run {name} wrote no verdicts (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}")
    return wall, json.loads(out.read_text())


def changed(verdicts: dict[str, list[str]]) -> dict[str, list[str]]:
    """The scenarios whose verdict was not the same in every run.

    >>> changed({"a": ["pass", "pass"], "b": ["pass", "fail"]})
    {'b': ['pass', 'fail']}
    """
    return {name: vs for name, vs in verdicts.items() if len(set(vs)) > 1}


def side_by_side(modes: list[str], walls: dict[str, list[float]], verdicts: dict[str, dict]) -> list[str]:
    """The figures of each mode in one column.

    >>> print("\\n".join(side_by_side(["serial", "-n 2"], {"serial": [10.0, 12.0], "-n 2": [6.0, 7.0]},
    ...                               {"serial": {"a": ["pass", "pass"]}, "-n 2": {"a": ["pass", "fail"]}})))
                                      serial        -n 2
    wall time, median (s)              11.00        6.50
    wall time, min (s)                 10.00        6.00
    wall time, max (s)                 12.00        7.00
    speed-up over serial               1.00x       1.69x
    verdict changes between runs           0           1
    """
    base = statistics.median(walls[modes[0]])
    rows = [("", modes),
            ("wall time, median (s)", [f"{statistics.median(walls[m]):.2f}" for m in modes]),
            ("wall time, min (s)", [f"{min(walls[m]):.2f}" for m in modes]),
            ("wall time, max (s)", [f"{max(walls[m]):.2f}" for m in modes]),
            ("speed-up over serial", [f"{base / statistics.median(walls[m]):.2f}x" for m in modes]),
            ("verdict changes between runs", [str(len(changed(verdicts[m]))) for m in modes])]
    return [f"{label:<28}" + "".join(f"{v:>12}" for v in values) for label, values in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--profile", default=None)
    args = ap.parse_args()
    modes = {"serial": 0, **({f"-n {args.workers}": args.workers} if args.workers else {})}
    walls: dict[str, list[float]] = defaultdict(list)
    verdicts: dict[str, dict[str, list[str]]] = {m: defaultdict(list) for m in modes}
    durations: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            for mode, workers in modes.items():
                wall, run = one_run(Path(tmp), f"{i}-{workers}", workers, args.profile)
                walls[mode].append(wall)
                for v in run:
                    verdicts[mode][v["scenario"]].append(v["verdict"])
                    if not workers:
                        durations[v["scenario"]].append(v["duration"])
                counts = {k: sum(v["verdict"] == k for v in run) for k in COUNTED}
                print(f"run {i + 1}/{args.runs} {mode:>7}: {wall:6.2f} s wall, {len(run)} scenarios, "
                      + ", ".join(f"{n} {k}" for k, n in counts.items()), flush=True)
    names = list(modes)
    print(f"\nwhole suite over {args.runs} runs, {len(verdicts['serial'])} scenarios:")
    print("\n".join(side_by_side(names, walls, verdicts)))
    flaky = {m: changed(verdicts[m]) for m in names}
    for mode, scenarios in flaky.items():
        for name, vs in scenarios.items():
            print(f"  changed ({mode}): {name}: " + ", ".join(f"{v} x{vs.count(v)}" for v in sorted(set(vs))))
    differ = {}
    if len(names) > 1:
        parallel = verdicts[names[1]]
        differ = {n: (sorted(set(vs)), sorted(set(parallel.get(n, ["missing"]))))
                  for n, vs in verdicts["serial"].items() if sorted(set(vs)) != sorted(set(parallel.get(n, ["missing"])))}
        differ.update({n: (["missing"], sorted(set(vs))) for n, vs in parallel.items() if n not in verdicts["serial"]})
        print(f"serial vs {names[1]}: {len(differ)} scenario(s) with different verdicts")
        for name, (s, p) in differ.items():
            print(f"  {name}: serial {'/'.join(s)}, {names[1]} {'/'.join(p)}")
    print("per scenario, serial (median s), slowest first:")
    for name, ds in sorted(durations.items(), key=lambda kv: -statistics.median(kv[1]))[:15]:
        print(f"  {statistics.median(ds):7.3f}  {name}")
    sys.exit(1 if any(flaky.values()) or differ else 0)


if __name__ == "__main__":
    main()
