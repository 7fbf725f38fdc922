"""Wall time and verdict stability of the whole feature suite against the embedded simulator.

Runs the suite N times (default 20) in fresh processes, each with the same profile, and prints:
- the wall time of a run (median, min, max) and the median time of each scenario;
- how many scenarios changed verdict between runs (a flaky verdict is a defect: it must be 0).

Usage: python bench/suite.py [--runs N] [--workers W] [--profile P]
  --workers W  spread each run over W pytest-xdist workers (tsconform run -n W)
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


def one_run(tmp: Path, i: int, workers: int, profile: str | None) -> tuple[float, list[dict]]:
    out = tmp / f"verdicts-{i}.json"
    cmd = [sys.executable, "-m", "pytest", str(ROOT / "steps"), f"--rootdir={ROOT}", "-q", "-p", "no:cacheprovider",
           f"--verdicts-json={out}", f"--alluredir={tmp}/allure-{i}"]
    if workers:
        cmd += ["-n", str(workers)]
    if profile:
        cmd.append(f"--profile={profile}")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - t0
    if not out.exists():
        sys.exit(f"suite run {i} wrote no verdicts (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}")
    return wall, json.loads(out.read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--profile", default=None)
    args = ap.parse_args()
    walls, durations, verdicts = [], defaultdict(list), defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            wall, run = one_run(Path(tmp), i, args.workers, args.profile)
            walls.append(wall)
            for v in run:
                durations[v["scenario"]].append(v["duration"])
                verdicts[v["scenario"]].append(v["verdict"])
            counts = {k: sum(v["verdict"] == k for v in run) for k in ("pass", "fail", "inconclusive", "error")}
            print(f"run {i + 1}/{args.runs}: {wall:.2f} s wall, {len(run)} scenarios, "
                  + ", ".join(f"{n} {k}" for k, n in counts.items()), flush=True)
    changed = {name: vs for name, vs in verdicts.items() if len(set(vs)) > 1}
    print(f"\nwhole suite ({args.workers or 'no'} xdist workers): median {statistics.median(walls):.2f} s wall "
          f"over {args.runs} runs (min {min(walls):.2f}, max {max(walls):.2f}); {len(verdicts)} scenarios")
    print(f"verdict changes between runs: {len(changed)} scenario(s)")
    for name, vs in changed.items():
        print(f"  {name}: " + ", ".join(f"{v} x{vs.count(v)}" for v in sorted(set(vs))))
    print("per scenario (median s), slowest first:")
    for name, ds in sorted(durations.items(), key=lambda kv: -statistics.median(kv[1]))[:15]:
        print(f"  {statistics.median(ds):7.3f}  {name}")
    sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
