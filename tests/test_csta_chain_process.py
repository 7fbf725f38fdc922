"""The suite reaches a simulated switch started as its own process, over csta://."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_suite_runs_against_a_switch_process_reached_by_csta_url(tmp_path):
    switch = subprocess.Popen([sys.executable, "-m", "tsconform.cli", "sim-switch", "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"listening on 127.0.0.1:(\d+)", switch.stdout.readline()).group(1))
        proc = subprocess.run(
            [sys.executable, "-m", "tsconform.cli", "run", "--no-html", "--switch", f"csta://127.0.0.1:{port}",
             f"--alluredir={tmp_path / 'allure'}", f"--html={tmp_path / 'html'}", "-m", "hot_desking or call_recording"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
    finally:
        switch.terminate()
        _, log = switch.communicate(timeout=10)
    # Every scenario passes but the one that must break the link, which is not ours to break.
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert re.search(r"41 pass, 0 fail, 1 inconclusive, 0 error", proc.stdout), proc.stdout
    assert re.search(r"is not the\s+simulator's to break", proc.stdout), proc.stdout
    assert "Escape" in log or "connected" in log
