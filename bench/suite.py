"""Wall time of the whole feature suite against the embedded simulator.

Runs the suite N times (default 5) in fresh processes and prints the median wall time of a
run and the median time of each scenario. Usage: python bench/suite.py [N]
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run(tmp: Path, i: int) -> tuple[float, list[dict]]:
    out = tmp / f"verdicts-{i}.json"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "steps"), f"--rootdir={ROOT}", "-q",
                           "-p", "no:cacheprovider", f"--verdicts-json={out}", f"--alluredir={tmp}/allure-{i}"],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"suite run {i} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}")
    return wall, json.loads(out.read_text())


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    walls, per = [], defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            wall, verdicts = one_run(Path(tmp), i)
            walls.append(wall)
            for v in verdicts:
                per[v["scenario"]].append(v["duration"])
            print(f"run {i + 1}/{n}: {wall:.2f} s wall, {len(verdicts)} scenarios", flush=True)
    print(f"\nwhole suite: median {statistics.median(walls):.2f} s wall over {n} runs "
          f"(min {min(walls):.2f}, max {max(walls):.2f}); {len(per)} scenarios")
    print("per scenario (median s), slowest first:")
    for name, ds in sorted(per.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {statistics.median(ds):7.3f}  {name}")


if __name__ == "__main__":
    main()
