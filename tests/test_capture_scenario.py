"""A scenario's capture in each mode, as the wire checks see it."""
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tsconform.capture import PcapRecorder
from tsconform.capture.scenario import CaptureUnavailable, ScenarioCapture, file_name, resolve_mode
from tsconform.tlib import codec
from tsconform.tlib.model import Attr, Message, MessageType as M

ROOT = Path(__file__).resolve().parent.parent


def frame(ref: int) -> bytes:
    return codec.encode(Message(M.EventACK, {Attr.ReferenceID: ref}))


def test_a_users_pcap_gives_the_pdus_of_the_scenarios_time_span(tmp_path):
    now = time.time()
    clock = iter([now - 60] * 4 + [now + 1] * 20)
    path = tmp_path / "tcpdump.pcap"
    with PcapRecorder(path, clock=lambda: next(clock)) as rec:
        flow = rec.open_flow(("10.0.0.1", 40000), ("10.0.0.2", 7000))
        flow.server_sent(frame(1))  # an earlier scenario's
        flow.server_sent(frame(2))
    cap = ScenarioCapture("pcap", "user pcap", path, tlib_ports={7000}, started=now)
    assert [p.reference_id for p in cap.dissect().pdus] == [2]


def test_no_capture_is_unavailable_and_a_missing_file_too(tmp_path):
    with pytest.raises(CaptureUnavailable, match="no capture"):
        ScenarioCapture("none", "no capture wanted", None).dissect()
    with pytest.raises(CaptureUnavailable, match="does not exist"):
        ScenarioCapture("recorder", "x", tmp_path / "nope.pcap").dissect()


def test_modes_and_names():
    assert resolve_mode("recorder", "lo")[0] == "recorder"
    with pytest.raises(ValueError, match="not possible here"):
        resolve_mode("live", "no-such-interface0")
    assert file_name(["HD-SVC-1"], "Initiate hot-desking (busy host)") == "HD-SVC-1-Initiate-hot-desking-busy-host.pcap"


def test_without_capture_the_wire_checks_are_inconclusive_never_passed(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("target:\n  capture:\n    mode: none\npixit:\n  timeouts:\n    quiet: 0.05\n")
    proc = subprocess.run([sys.executable, "-m", "tsconform.cli", "run", "--no-html", f"--profile={profile}",
                           f"--alluredir={tmp_path / 'allure'}", f"--html={tmp_path / 'html'}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stdout[-2000:]
    summary = re.search(r"(\d+) pass, (\d+) fail, (\d+) inconclusive, (\d+) error", proc.stdout)
    assert summary, proc.stdout[-2000:]
    passed, failed, inconclusive, errors = map(int, summary.groups())
    assert (failed, errors) == (0, 0) and inconclusive > passed, summary.group(0)
    assert "inconclusive: " in proc.stdout and "wire check without a capture" in proc.stdout
    # each inconclusive check is skipped in Allure with its reason, and the checks after it still ran
    results = [json.loads(p.read_text()) for p in (tmp_path / "allure").glob("*-result.json")]
    went_on = [r for r in results if [s["status"] for s in r["steps"]][-3:-1] == ["skipped", "passed"]]
    assert went_on and all(r["status"] == "skipped" for r in went_on)
    step = next(s for s in went_on[0]["steps"] if s["status"] == "skipped")
    assert "wire check without a capture" in step["statusDetails"]["message"]
