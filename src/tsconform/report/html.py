"""The HTML report: Allure 3 (the npm package `allure`, installed into the project)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def generate(results: Path, output: Path, project: Path, log=print) -> bool:
    """Generate output/index.html from the Allure results; False (with advice) when it cannot."""
    cli = project / "node_modules" / ".bin" / "allure"
    if not cli.exists():
        npm = shutil.which("npm")
        if not shutil.which("node") or not npm:
            log(f"HTML report skipped: Node.js and npm are not installed. The Allure results are in "
                f"{results}; view them with Allure 3 (`npx allure generate {results}` where Node "
                f"is available) or Allure 2 (`allure serve {results}`).")
            return False
        log("installing the Allure 3 report generator into node_modules (npm ci) ...")
        proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=project,
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or not cli.exists():
            log(f"HTML report skipped: `npm ci` failed ({proc.stderr.strip()[-500:]}); "
                f"the Allure results are in {results}")
            return False
    shutil.rmtree(output, ignore_errors=True)  # the generator leaves stale files of an earlier run
    proc = subprocess.run([str(cli), "generate", str(results), "--output", str(output),
                           "--config", str(project / "allurerc.mjs"),
                           "--report-name", "tsconform conformance report"],
                          cwd=project, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "NO_COLOR": "1"})
    if proc.returncode != 0 or not (output / "index.html").exists():
        log(f"HTML report failed: {proc.stdout.strip()[-500:]} {proc.stderr.strip()[-500:]}")
        return False
    log(f"HTML report: {output / 'index.html'}")
    return True

