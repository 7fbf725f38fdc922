"""The traceability matrix: every seed row, covered by the checks that ran on it."""
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from tsconform import spec
from tsconform.report import traceability

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"


def run(template, verdict="pass", **rows):
    return SimpleNamespace(template=template, verdict=verdict, rows={k.replace("__", "/"): v for k, v in rows.items()})


def test_every_seed_row_is_a_row_and_every_requirement_has_a_scenario():
    rows = traceability.build(FEATURES)
    assert not [r.req_id for r in rows if r.gap]
    ids = {r.req_id for r in rows}
    assert set(spec.requirement_ids()) <= ids
    assert "HD-EVT-1/OtherDN" in ids and "ACC-EVT-501/Extensions[@accode-name]" in ids
    assert all(r.verdict == "" for r in rows)  # before a run, nothing is judged


def test_an_attribute_row_is_covered_only_by_a_check_that_ran_on_it():
    established = "Hot-desking established reports the guest and its host"
    rows = {r.req_id: r for r in traceability.build(FEATURES, [
        run(established, "pass", **{"HD-EVT-1/OtherDN": "pass", "HD-EVT-1/ThisDN": "pass"}),
    ])}
    assert rows["HD-EVT-1/OtherDN"].scenarios == [established] and rows["HD-EVT-1/OtherDN"].verdict == "pass"
    # the scenario carries HD-EVT-1 and passed, but no check of it verified this attribute: a gap
    assert rows["HD-EVT-1/PrivateMsgID"].gap and rows["HD-EVT-1/PrivateMsgID"].verdict == "gap"
    assert rows["HD-EVT-1"].verdict == "pass" and rows["HD-SVC-2"].verdict == "not run"
    assert rows["HD-SVC-2/ThisDN"].verdict == "not run" and not rows["HD-SVC-2/ThisDN"].gap


def test_a_failed_check_fails_its_row_and_a_scenario_stopped_before_a_check_leaves_it_failed():
    established = "Hot-desking established reports the guest and its host"
    rows = {r.req_id: r for r in traceability.build(FEATURES, [
        run(established, "fail", **{"HD-EVT-1/OtherDN": "fail"}),
    ])}
    assert rows["HD-EVT-1/OtherDN"].verdict == "fail"
    assert rows["HD-EVT-1/PrivateMsgID"].verdict == "fail" and not rows["HD-EVT-1/PrivateMsgID"].gap


def test_a_row_keeps_the_worst_verdict_of_its_checks():
    rows = {r.req_id: r for r in traceability.build(FEATURES, [
        run("a", **{"HD-EVT-1/OtherDN": "pass"}), run("b", **{"HD-EVT-1/OtherDN": "inconclusive"}),
    ])}
    assert rows["HD-EVT-1/OtherDN"].verdict == "inconclusive" and rows["HD-EVT-1/OtherDN"].scenarios == ["a", "b"]


def test_a_full_run_verifies_every_seed_row(tmp_path):
    """The whole suite against the simulator: every row of the seed is verified by a check that ran."""
    proc = subprocess.run([sys.executable, "-m", "tsconform.cli", "run", "--no-html",
                           f"--profile={ROOT / 'tests' / 'profiles_fast.yaml'}",
                           f"--alluredir={tmp_path / 'allure'}", f"--html={tmp_path / 'html'}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 gap(s)" in proc.stdout, proc.stdout[-3000:]
    matrix = (tmp_path / "traceability.md").read_text()
    attribute_lines = [ln for ln in matrix.splitlines() if ln.startswith("| ") and "/" in ln.split("|")[1]]
    assert attribute_lines and all(ln.rstrip().endswith("| pass |") for ln in attribute_lines), matrix
