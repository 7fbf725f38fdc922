"""tsconform verify is honest on itself: the captures of a clean run verify with no fail, the
captures of runs against named faults fail under the requirement IDs the kill matrix lists for
the fault, and damaged or foreign files give clear errors or inconclusive verdicts, never a pass."""
from __future__ import annotations

import os
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tsconform.capture import PcapRecorder
from tsconform.exit_codes import EXIT_ERROR, EXIT_FAIL, EXIT_NOTHING_RAN, EXIT_PASS
from tsconform.profile import Profile
from tsconform.sim.faults import FAULTS
from tsconform.verify import CAPTURE, Results, verify_file
from tsconform.verify.cli import main as verify_main

ROOT = Path(__file__).resolve().parent.parent
# Faults a trace shows, each run with the feature whose scenarios exercise it.
FAULT_RUNS = {
    "other-dn-wrong": "hot_desking",
    "reference-id-not-echoed": "hot_desking",
    "no-escape": "hot_desking",
    "wrong-host-on-csta": "hot_desking",
    "delivery-to-other-dn": "hot_desking",
    "answered-twice": "hot_desking",
    "wrong-error-code": "hot_desking",
    "wrong-csta-service": "call_recording",
    "wrong-connid-recording": "call_recording",
    "no-delivery-to-others": "call_recording",
}
# Scenarios that set a T-Server option: their captures are verified with that option in the profile,
# as a user verifies a trace with the options the target had when it was taken.
OPTIONS_OF = {"non-default-accode-name": {"accode-name": "ProjectCode"},
              "does-not-exist-while-accode-privateservice-is-off": {"accode-privateservice": False}}
TIMEOUTS = {"answer": 0.4, "quiet": 0.3}


def _profile_file(tmp: Path) -> Path:
    p = tmp / "profile.yaml"
    p.write_text(f"target:\n  capture:\n    mode: recorder\n    dir: {tmp / 'captures'}\n"
                 f"pixit:\n  timeouts:\n    answer: {TIMEOUTS['answer']}\n    quiet: {TIMEOUTS['quiet']}\n")
    return p


def _suite(tmp: Path, *extra: str) -> list[Path]:
    """Run the features into tmp with the recorder capture; the pcaps written."""
    tmp.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pytest", str(ROOT / "steps"), f"--rootdir={ROOT}", "-q", "-p", "no:cacheprovider",
           "-p", "no:randomly", f"--profile={_profile_file(tmp)}", f"--alluredir={tmp / 'allure'}", *extra]
    subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600,
                   env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    return sorted((tmp / "captures").glob("run-*/*.pcap"))


def _verify(paths) -> Results:
    total = Results()
    for path in paths:
        options = next((o for k, o in OPTIONS_OF.items() if k in path.name), {})
        profile = Profile.from_dict({"pixit": {"timeouts": TIMEOUTS, "options": options}})
        total.merge(verify_file(path, profile))
    return total


def _failures(results: Results) -> str:
    return "; ".join(f"{o.req_id} {Path(o.file).name} frames {o.frames}: {o.text}"
                     for kept in results.kept.values() for o in kept if o.outcome == "fail")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The clean run of every scenario and the runs against each fault, a few at a time."""
    base = tmp_path_factory.mktemp("verify")
    jobs = {"clean": ("-n", "2")} | {f: ("-m", feature, f"--sim-fault={f}") for f, feature in FAULT_RUNS.items()}
    with ThreadPoolExecutor(3) as pool:
        futures = {name: pool.submit(_suite, base / name, *args) for name, args in jobs.items()}
        yield {name: f.result() for name, f in futures.items()}


def test_every_capture_of_a_clean_run_verifies_with_no_fail(runs):
    captures = runs["clean"]
    assert len(captures) > 40, f"the clean run wrote {len(captures)} captures"
    results = _verify(captures)
    assert not results.errors
    assert not any(c["fail"] for c in results.counts.values()), _failures(results)
    assert results.exit_code() in (EXIT_PASS, 2)
    judged = {r for r, c in results.counts.items() if c["pass"]}
    assert {"HD-SVC-1", "HD-EVT-1", "REC-SVC-3013", "REC-EVT-3016", "ACC-SVC-501", "ACC-EVT-501",
            "HD-ERR-ALREADY", "REC-ERR-NOT-SUSPENDED", "TS-ERR-UNREGISTERED"} <= judged


@pytest.mark.parametrize("fault", list(FAULT_RUNS))
def test_the_captures_of_a_fault_run_fail_under_its_requirement_ids(runs, fault):
    captures = runs[fault]
    assert captures, f"the run with fault {fault} wrote no captures"
    results = _verify(captures)
    failed = {r for r, c in results.counts.items() if c["fail"]}
    assert results.exit_code() == EXIT_FAIL, f"fault {fault} verified as {results.exit_code()}"
    assert failed & set(FAULTS[fault].caught_by), (
        f"fault {fault}: verify failed {sorted(failed)}, the kill matrix lists {FAULTS[fault].caught_by}")


@pytest.fixture(scope="module")
def one_capture(runs):
    """A clean capture with a private service, its events and the CSTA link."""
    return next(p for p in runs["clean"] if p.name.startswith("HD-SVC-1-"))


def test_garbage_is_a_clear_error(tmp_path, capsys):
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"this is not a capture at all" * 10)
    assert verify_main([str(junk)]) == EXIT_ERROR
    assert "not a pcap or pcapng capture" in capsys.readouterr().out
    assert verify_main([str(tmp_path / "missing.pcap")]) == EXIT_ERROR


def test_non_tlib_traffic_judges_nothing(tmp_path):
    path = tmp_path / "http.pcap"
    with PcapRecorder(str(path)) as rec:
        flow = rec.open_flow(("10.0.0.1", 40000), ("10.0.0.2", 80))
        flow.client_sent(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
        flow.server_sent(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    results = verify_file(path, Profile.from_dict({}))
    assert not results.counts and not results.errors
    assert results.exit_code() == EXIT_NOTHING_RAN


def test_a_truncated_file_is_inconclusive_never_a_pass(tmp_path, one_capture):
    data = one_capture.read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 7):
        path = tmp_path / f"cut-{cut}.pcap"
        path.write_bytes(data[:cut])
        results = verify_file(path, Profile.from_dict({"pixit": {"timeouts": TIMEOUTS}}))
        assert not results.errors
        assert results.counts.get(CAPTURE, {}).get("inconclusive"), f"cut at {cut}: {results.counts}"
        assert results.exit_code() != EXIT_PASS


def test_a_trace_cut_in_the_middle_is_inconclusive_where_it_lacks_context(tmp_path, one_capture):
    """Packets from the middle on: the registrations and the start of the sessions are missing."""
    data = one_capture.read_bytes()
    records, pos = [], 24  # a classic pcap: a 24-byte header, then records of 16 bytes + caplen
    while pos < len(data):
        caplen = struct.unpack_from("<I", data, pos + 8)[0]
        records.append(data[pos:pos + 16 + caplen])
        pos += 16 + caplen
    path = tmp_path / "middle.pcap"
    path.write_bytes(data[:24] + b"".join(records[len(records) // 3:]))
    results = verify_file(path, Profile.from_dict({"pixit": {"timeouts": TIMEOUTS}}))
    assert not results.errors
    assert results.exit_code() != EXIT_PASS, results.counts
    assert any(c["inconclusive"] for c in results.counts.values()), results.counts


def test_jobs_give_the_same_verdicts_as_one_process(runs, tmp_path, capsys):
    captures = [str(p) for p in runs["clean"][:8]]
    profile = tmp_path / "p.yaml"
    profile.write_text(f"pixit:\n  timeouts:\n    answer: {TIMEOUTS['answer']}\n    quiet: {TIMEOUTS['quiet']}\n")
    serial = verify_main([*captures, "--profile", str(profile), "--junitxml", str(tmp_path / "a.xml")])
    parallel = verify_main([*captures, "--profile", str(profile), "--jobs", "3", "--junitxml", str(tmp_path / "b.xml")])
    assert serial == parallel
    assert (tmp_path / "a.xml").read_text() == (tmp_path / "b.xml").read_text()


def test_reports_one_test_per_requirement_with_frames_and_coverage(runs, tmp_path, capsys):
    """JUnit: one testcase per requirement ID judged; Allure: one result each, a step per
    transaction with its frames attached; the coverage line names the rows never touched."""
    import json
    from xml.etree import ElementTree as ET

    captures = [str(p) for p in runs["other-dn-wrong"] if p.name.startswith("HD-")]
    profile = tmp_path / "p.yaml"
    profile.write_text(f"pixit:\n  timeouts:\n    answer: {TIMEOUTS['answer']}\n    quiet: {TIMEOUTS['quiet']}\n")
    code = verify_main([*captures, "--profile", str(profile), "--junitxml", str(tmp_path / "j.xml"),
                        "--alluredir", str(tmp_path / "allure")])
    out = capsys.readouterr().out
    assert code == EXIT_FAIL
    assert "coverage:" in out and "never touched" in out and "REC-SVC-3013" in out.split("never touched")[1]
    cases = {c.get("name"): c for c in ET.parse(tmp_path / "j.xml").getroot().iter("testcase")}
    assert "HD-EVT-1" in cases and cases["HD-EVT-1"].find("failure") is not None
    assert "OtherDN" in cases["HD-EVT-1"].find("failure").text and "frames" in cases["HD-EVT-1"].find("failure").text
    assert cases["HD-ERR-ABSENT"].find("failure") is None
    results = [json.loads(p.read_text()) for p in (tmp_path / "allure").glob("*-result.json")]
    by_req = {next(lb["value"] for lb in r["labels"] if lb["name"] == "requirement"): r for r in results}
    assert set(by_req) == set(cases)
    evt = by_req["HD-EVT-1"]
    assert evt["status"] == "failed" and evt["steps"]
    failed_step = next(s for s in evt["steps"] if s["status"] == "failed")
    attachment = (tmp_path / "allure" / failed_step["attachments"][0]["source"]).read_text()
    assert "frames:" in attachment and "OtherDN" in attachment
