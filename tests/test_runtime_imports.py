"""Runtime code does not load the test stack: the simulator, the dissector, the codecs and the
CLI run without importing pytest or allure."""
import subprocess
import sys

import pytest

MODULES = ["tsconform.cli", "tsconform.sim", "tsconform.sim.stack", "tsconform.dissect", "tsconform.tlib.codec",
           "tsconform.csta.framing", "tsconform.csta.xml", "tsconform.driver", "tsconform.checks", "tsconform.wire",
           "tsconform.verdict", "tsconform.exit_codes", "tsconform.ledger", "tsconform.observation",
           "tsconform.verify", "tsconform.verify.cli", "tsconform.verify.report"]


@pytest.mark.parametrize("module", MODULES)
def test_importing_it_loads_neither_pytest_nor_allure(module):
    code = (f"import sys, {module}; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pytest', '_pytest', 'allure', 'pytest_bdd')); "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"{module} loads {out.stdout.strip()}"
