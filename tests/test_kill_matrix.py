"""Every named fault is caught: the suite fails, in the expected scenarios, naming the behaviour.

The suite runs once per fault, in a subprocess; the runs spend most of their time in the
settle period at the end of each scenario, so a few run at once.
"""
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tsconform.report import fault_matrix
from tsconform.sim.faults import FAULTS

ROOT = Path(__file__).resolve().parent.parent
FAST = ROOT / "tests" / "profiles_fast.yaml"
RUNS: dict[str, fault_matrix.FaultRun] = {}
PARALLEL = 3


@pytest.fixture(scope="module")
def fault_runs(request):
    """The suite run of every fault selected in this session, started together."""
    names = [item.callspec.params["name"] for item in request.session.items
             if getattr(item, "module", None) is request.module and hasattr(item, "callspec") and "name" in item.callspec.params]
    with ThreadPoolExecutor(PARALLEL) as pool:
        yield {n: pool.submit(fault_matrix.run_fault, n, ROOT, FAST) for n in names}


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_is_caught(name, fault_runs):
    run = fault_runs[name].result()
    RUNS[name] = run
    assert run.returncode == 1, f"suite exit {run.returncode} against fault {name}"
    assert run.failed, f"no scenario failed by its own check against fault {name}: a check is missing"
    assert not run.missed(), (
        f"fault {name} ({run.fault.behaviour}) was not caught, with a failure matching "
        f"{run.fault.evidence!r}, by the scenarios of {run.missed()}; failures seen: "
        + "; ".join(f"{v['scenario']}: {v['reason'][:200]}" for v in run.failed[:5]))


def test_fault_matrix_doc_matches_the_run():
    if len(RUNS) != len(FAULTS):
        pytest.skip("needs the whole kill matrix in this session")
    doc = ROOT / "docs" / "fault-matrix.md"
    expected = fault_matrix.render([RUNS[n] for n in FAULTS])
    generated, marker, by_hand = doc.read_text().partition(fault_matrix.MUTATION_SECTION)
    if os.environ.get("TSCONFORM_WRITE_DOCS"):
        doc.write_text(expected + marker + by_hand)
        generated = expected
    assert generated == expected, "docs/fault-matrix.md is stale: rerun with TSCONFORM_WRITE_DOCS=1"
