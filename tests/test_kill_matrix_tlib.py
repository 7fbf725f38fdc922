"""The faults of T-Lib behaviour are caught in the T-Lib-only set-up too.

The T-Server runs as its own process (`tsconform sim --listen --fault NAME`), the suite
reaches it with `--tserver tlib://` and recorder capture, so only the T-Lib link is captured:
every CSTA wire check is inconclusive, and the T-Lib checks after it must still fail.
"""
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tsconform.report import fault_matrix

ROOT = Path(__file__).resolve().parent.parent
SIM_PROFILE = ROOT / "tests" / "profiles_fast.yaml"
RUN_PROFILE = ROOT / "tests" / "profiles_fast_tlib.yaml"
FAULTS = ("answered-twice", "extra-resume-event", "events-to-other-party", "late-leak", "broken-501-copies",
          "answer-501-without-thisdn", "refused-but-done", "foreign-connid-switch-code",
          "reference-id-not-echoed", "wrong-private-msg-id", "delivery-to-other-dn")


def _wire_scenarios() -> set[str]:
    from pytest_bdd.parser import FeatureParser

    features = ROOT / "features"
    scenarios = [sc for path in sorted(features.glob("*.feature"))
                 for sc in FeatureParser(str(features), path.name).parse().scenarios.values()]
    return {sc.name for sc in scenarios
            if any(s.name.startswith(("the CSTA link carried", "the switch sent", "T-Server sent no connector"))
                   for s in sc.steps)}


WIRE_SCENARIOS = _wire_scenarios()


def run_against_process(name: str | None) -> tuple[fault_matrix.FaultRun, str]:
    sim = subprocess.Popen([sys.executable, "-m", "tsconform.cli", "sim", "--listen", "127.0.0.1:0",
                            f"--profile={SIM_PROFILE}", *([f"--fault={name}"] if name else [])],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = sim.stdout.readline()
        port = int(re.search(r"tlib://127\.0\.0\.1:(\d+)", line).group(1))
        return fault_matrix.run_fault(name or FAULTS[0], ROOT, RUN_PROFILE, tserver=f"tlib://127.0.0.1:{port}"), line
    finally:
        sim.terminate()
        sim.wait(10)


@pytest.fixture(scope="module")
def runs():
    with ThreadPoolExecutor(3) as pool:
        yield {n: pool.submit(run_against_process, n) for n in (None, *FAULTS)}


def test_the_clean_tserver_process_fails_nothing(runs):
    run, _ = runs[None].result()
    verdicts = {v["verdict"] for v in run.verdicts}
    assert verdicts == {"pass", "inconclusive"}, [
        (v["scenario"], v["reason"][:200]) for v in run.verdicts if v["verdict"] not in ("pass", "inconclusive")]


@pytest.mark.parametrize("name", FAULTS)
def test_fault_is_caught_with_only_the_tlib_link_captured(name, runs):
    run, _ = runs[name].result()
    assert run.returncode == 1, f"suite exit {run.returncode} against fault {name} in its own process"
    assert run.catches(), (f"no scenario failed with a message matching {run.fault.evidence!r}; failures: "
                           + "; ".join(f"{v['scenario']}: {v['reason'][:200]}" for v in run.failed[:5]))
    # the CSTA wire checks could not judge here: a scenario that has one and did not fail is
    # inconclusive, never passed
    for v in run.verdicts:
        if v["verdict"] != "fail" and v["requirements"] and v["scenario"] in WIRE_SCENARIOS:
            assert v["verdict"] == "inconclusive", v
