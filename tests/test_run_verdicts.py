"""`tsconform run`: verdicts, not-applicable scenarios, and the exit codes CI gates on."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(tmp_path, *args, profile: str | None = None):
    cmd = [sys.executable, "-m", "tsconform.cli", "run", "--no-html",
           f"--alluredir={tmp_path / 'allure'}", f"--html={tmp_path / 'html'}", *args]
    if profile is not None:
        p = tmp_path / "profile.yaml"
        p.write_text(profile)
        cmd.append(f"--profile={p}")
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def allure_results(tmp_path):
    return [json.loads(p.read_text()) for p in (tmp_path / "allure").glob("*-result.json")]


def test_a_clean_run_exits_0_with_one_allure_result_per_scenario(tmp_path):
    proc = run(tmp_path, "-m", "hot_desking")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = allure_results(tmp_path)
    assert len(results) == 17 and all(r["status"] == "passed" for r in results)
    for r in results:
        labels = {(lab["name"], lab["value"]) for lab in r["labels"]}
        assert ("epic", "T-Server private services") in labels and ("feature", "Hot Desking") in labels
        assert any(n == "requirement" for n, _ in labels) and any(n == "story" for n, _ in labels)
        assert r["description"]
    assert (tmp_path / "allure" / "categories.json").exists()
    assert "17 pass, 0 fail, 0 inconclusive, 0 error; 0 not applicable" in proc.stdout
    assert (tmp_path / "traceability.md").exists()


def test_an_ics_excluding_call_recording_reports_not_applicable_and_exits_0(tmp_path):
    proc = run(tmp_path, profile="ics:\n  features: [account_codes, hot_desking]\n")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "29 pass, 0 fail, 0 inconclusive, 0 error; 25 not applicable" in proc.stdout
    assert "not applicable: the ICS of" in proc.stdout and "excludes feature call_recording" in proc.stdout
    skipped = [r for r in allure_results(tmp_path) if r["status"] == "skipped"]
    assert len(skipped) == 25 and all("not applicable" in r["statusDetails"]["message"] for r in skipped)


def test_a_device_action_nobody_can_do_is_inconclusive_exit_2(tmp_path):
    proc = run(tmp_path, "-k", "walkaway", profile="pixit:\n  device_actions: none\n")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "0 pass, 0 fail, 1 inconclusive" in proc.stdout
    [result] = allure_results(tmp_path)
    assert result["status"] == "skipped" and "inconclusive: " in result["statusDetails"]["message"]


def test_a_failure_exits_1(tmp_path):
    proc = run(tmp_path, "-m", "hot_desking", "--sim-fault", "other-dn-wrong")
    assert proc.returncode == 1
    assert "OtherDN: expected '6001', observed '5001'" in proc.stdout


@pytest.mark.parametrize("args,profile,code", [
    (("-k", "no_scenario_has_this_name"), None, 4),
    ((), "pixit:\n  dnss: {}\n", 3),
    (("--tserver", "tlib://127.0.0.1:1"), None, 3),
    (("--tserver", "http://x"), None, 3),
])
def test_nothing_ran_or_the_test_system_broke_never_exits_0(tmp_path, args, profile, code):
    proc = run(tmp_path, *args, profile=profile)
    assert proc.returncode == code, proc.stdout + proc.stderr


def test_junitxml_passes_through(tmp_path):
    proc = run(tmp_path, "-m", "account_codes", "--junitxml", str(tmp_path / "j.xml"))
    assert proc.returncode == 0
    assert "<testsuite" in (tmp_path / "j.xml").read_text()


def test_a_parallel_run_gives_what_a_serial_run_gives(tmp_path):
    """`tsconform run -n 2`: the same verdicts, catalogue rows, per-scenario captures, Allure
    results and traceability matrix as a serial run of the same scenarios."""
    out = {}
    for label, extra in (("serial", []), ("parallel", ["-n", "2"])):
        d = tmp_path / label
        d.mkdir()
        (d / "profile.yaml").write_text(f"target:\n  capture:\n    mode: recorder\n    dir: {d / 'captures'}\n"
                                        "pixit:\n  timeouts:\n    answer: 0.4\n    quiet: 0.3\n")
        proc = run(d, "-m", "hot_desking", f"--verdicts-json={d / 'v.json'}", f"--profile={d / 'profile.yaml'}", *extra)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        verdicts = sorted((v["scenario"], v["verdict"], sorted(v["rows"].items()))
                          for v in json.loads((d / "v.json").read_text()))
        results = sorted((r["name"], r["status"], len(r.get("steps", []))) for r in allure_results(d))
        pcaps = sorted(p.name for p in (d / "captures").glob("run-*/*.pcap*"))
        run_dirs = [p.name for p in (d / "captures").glob("run-*")]
        assert len(run_dirs) == 1, f"{label}: one capture directory per run, not {run_dirs}"
        matrix = (d / "traceability.md").read_text()
        out[label] = verdicts, results, pcaps, matrix
    assert len(out["serial"][0]) == 17 and len(out["serial"][2]) == 17
    assert out["parallel"] == out["serial"]


def test_workers_share_the_run_directory_and_prune_nothing(tmp_path):
    """Old capture directories are pruned once, by whoever names the run's directory; a worker
    given that name by the xdist controller prunes nothing (with more workers than runs kept,
    workers used to delete each other's captures)."""
    import conftest

    base = tmp_path / "captures"
    for i in range(conftest.KEEP_RUNS + 3):
        (base / f"run-20260101-0000{i:02d}-1").mkdir(parents=True)

    class Config:
        pass

    controller = Config()
    run_dir = conftest._run_dir(controller, base)
    assert conftest._run_dir(controller, base) == run_dir
    assert len(list(base.glob("run-*"))) == conftest.KEEP_RUNS - 1
    run_dir.mkdir()
    for i in range(5):
        (base / f"run-20260101-0001{i:02d}-2").mkdir()
    worker = Config()
    worker.workerinput = {conftest.RUN_DIR: str(run_dir)}
    assert conftest._run_dir(worker, base) == run_dir
    assert len(list(base.glob("run-*"))) == conftest.KEEP_RUNS + 5
