"""The HTML report as a person sees it: headless Chromium (the system's) opens it and reads it.

Skipped, never passed, where Chromium or Node.js is missing.
"""
import functools
import http.server
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NODE = shutil.which("node")
SCENARIO = "Initiate hot-desking associates the guest extension with a host device"

pytestmark = pytest.mark.skipif(not (CHROMIUM and NODE and shutil.which("npm")),
                                reason="the browser check needs Chromium and Node.js (with npm)")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    if not (ROOT / "node_modules" / "playwright-core").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True,
                       timeout=600)
    proc = subprocess.run([sys.executable, "-m", "tsconform.cli", "run", "-m", "hot_desking",
                           f"--alluredir={tmp / 'allure'}", f"--html={tmp / 'html'}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (tmp / "html" / "index.html").exists(), proc.stdout[-2000:]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html", tmp
    server.shutdown()


def test_the_report_shows_the_tree_a_scenario_its_requirement_and_its_ladder(report):
    url, _ = report
    proc = subprocess.run([NODE, str(ROOT / "tests" / "browser" / "report_check.mjs"), url, CHROMIUM, SCENARIO],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not seen["errors"], seen["errors"]
    assert seen["tree"] == ["T-Server private services", "Hot Desking", "Service 1: Initiate hot-desking"]
    assert seen["scenarioOpened"]
    text = seen["pageText"]
    assert SCENARIO in text and "HD-SVC-1" in text and "requirement" in text
    assert "message ladder" in text and "decoded PDUs (both links)" in text and ".pcap" in text
    assert seen["ladderSvg"], "the ladder diagram did not render"


def test_the_run_wrote_the_traceability_matrix_beside_the_report(report):
    _, tmp = report
    md = (tmp / "traceability.md").read_text()
    assert "HD-SVC-1" in md and "GAP" not in md
    assert (tmp / "traceability.html").exists()
