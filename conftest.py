"""pytest wiring for the conformance suite: options, the target, the driver, Allure labels."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import allure

from tsconform import ledger, observation, run_options, spec
from tsconform.capture import scenario as scenario_capture
from tsconform.capture.proxy import RecordingProxy
from tsconform.capture.scenario import ScenarioCapture
from tsconform.checks import CheckFailed
from tsconform.driver import Driver, EmbeddedSim, LoopThread, Target, parse_tserver
from tsconform.profile import Profile, ProfileError, sensitive_values
from tsconform.report import allure_env, allure_meta
from tsconform.report.verdicts import ScenarioFacts, VerdictCollector, scenario_name
from tsconform.sim.csta_link import parse_url
from tsconform.verdict import Inconclusive, not_applicable

from steps import verdicts

pytest_plugins = ["steps.common"]
STOPPED = pytest.StashKey[bool]()  # a step raised: the scenario ended there
INCONCLUSIVE = pytest.StashKey[list]()  # the inconclusive checks of the scenario, with their reasons

KEEP_RUNS = 10  # capture directories kept under captures/
RUN_DIR = "tsconform_run_dir"  # the key of the run's capture directory in an xdist worker's input
DEFAULT_PROFILE = os.path.join(os.path.dirname(__file__), "profiles", "sim.yaml")


def pytest_addoption(parser):
    """The suite's options, from the one table `tsconform run` reads too."""
    run_options.add_to_pytest(parser.getgroup("tsconform"), defaults={"profile": DEFAULT_PROFILE})


def pytest_configure(config):
    config.pluginmanager.register(ScenarioFacts(), "tsconform-facts")  # where the tests run
    if config.getoption("--verdicts-json", None) and not hasattr(config, "workerinput"):
        config.pluginmanager.register(VerdictCollector(json_path=config.getoption("--verdicts-json")),
                                      "tsconform-verdicts-json")
    for req_id in spec.requirement_ids():
        config.addinivalue_line("markers", f"{req_id}: requirement {req_id} of the catalogue")
    for tag, title in spec.FEATURES.items():
        config.addinivalue_line("markers", f"{tag}: scenarios of the seed's {title} table")
    _check_workers(config)


def _load_profile(config) -> Profile:
    if not hasattr(config, "_tsconform_profile"):
        try:
            profile = Profile.load(config.getoption("--profile"))
            if config.getoption("--switch"):
                profile = profile.with_switch(config.getoption("--switch"))
            worker = getattr(config, "workerinput", None)
            if worker:  # a pytest-xdist worker: the DNs the PIXIT gives it, if any
                profile = profile.for_worker(worker["workerid"], worker["workercount"], config.getoption("--tserver"))
            config._tsconform_profile = profile
        except ProfileError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config._tsconform_profile


def _check_workers(config) -> None:
    """Before parallel workers start: against a live target, each needs its own DNs."""
    if hasattr(config, "workerinput") or config.getoption("dist", "no") == "no":
        return
    count = sum(int(n) if sep and n.isdigit() else 1
                for n, sep, _ in (tx.partition("*") for tx in config.getoption("tx", None) or []))
    try:
        _load_profile(config).check_workers(count, config.getoption("--tserver"))
    except ProfileError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_sessionfinish(session, exitstatus):
    alluredir = session.config.getoption("--alluredir", None)
    if alluredir and hasattr(session.config, "_tsconform_profile"):
        profile = session.config._tsconform_profile
        allure_env.write(alluredir, {
            "target": session.config.getoption("--tserver") or profile.tserver,
            "profile": profile.source,
            "ics.features": ", ".join(profile.features),
            "sim.faults": ", ".join(session.config.getoption("--sim-fault")) or "none",
            "capture": getattr(session.config, "_tsconform_capture", "no scenario ran"),
        })


@pytest.fixture(scope="session")
def profile(pytestconfig) -> Profile:
    return _load_profile(pytestconfig)


@pytest.fixture(scope="session")
def loop():
    lt = LoopThread()
    yield lt
    lt.close()


@pytest.fixture(scope="session")
def capture_setup(pytestconfig, profile):
    """(mode, reason, run directory) of this run's captures."""
    cap = profile.target.capture
    try:
        mode, reason = scenario_capture.resolve_mode(cap.mode, cap.interface)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    pytestconfig._tsconform_capture = f"{mode} ({reason})"
    return mode, reason, _run_dir(pytestconfig, Path(cap.dir))


def _run_dir(config, base: Path) -> Path:
    """This run's capture directory, named and the older runs pruned once per run: by the
    xdist controller, which hands it to every worker, so that workers share one directory and
    never prune each other's."""
    given = getattr(config, "workerinput", {}).get(RUN_DIR)
    if given:
        return Path(given)
    if not hasattr(config, "_tsconform_run_dir"):
        for old in sorted(base.glob("run-*"))[:-(KEEP_RUNS - 1)]:  # keep the last runs only
            shutil.rmtree(old, ignore_errors=True)
        config._tsconform_run_dir = base / f"{time.strftime('run-%Y%m%d-%H%M%S')}-{os.getpid()}"
    return config._tsconform_run_dir


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist controller: every worker writes its captures into the run's one directory."""
    base = Path(_load_profile(node.config).target.capture.dir)
    node.workerinput[RUN_DIR] = str(_run_dir(node.config, base))


@pytest.fixture
def capture(request, profile, capture_setup):
    mode, reason, run_dir = capture_setup
    cap = profile.target.capture
    name, _ = scenario_name(request.node)
    reqs = allure_meta.scenario_requirements({m.name for m in request.node.iter_markers()})
    path = {"none": None, "pcap": Path(cap.pcap)}.get(mode, run_dir / scenario_capture.file_name(reqs, name))
    c = ScenarioCapture(mode, reason, path, cap.interface, redact=request.config.getoption("--redact-captures"),
                        secrets=sensitive_values(profile))
    yield c
    c.stop()


@pytest.fixture
def target(pytestconfig, profile, loop, capture):
    """A fresh embedded simulator per scenario, or the T-Server the user named."""
    where = pytestconfig.getoption("--tserver") or profile.tserver
    if where == "sim":
        sim = EmbeddedSim(loop, profile, pytestconfig.getoption("--sim-fault"), capture)
        yield sim.target
        sim.close()
        return
    host, port = parse_tserver(where)
    capture.tlib_ports.add(port)
    # a relay sees the T-Lib link only, and a TLS switch link (cstas://) cannot be dissected
    if profile.switch.startswith("csta://") and capture.mode in ("live", "pcap"):
        capture.csta_ports.add(parse_url(profile.switch)[2])
    proxy = None
    if capture.start_recorder():
        proxy = RecordingProxy(capture.recorder, (host, port))
        host, port = loop.run(proxy.start())
    capture.start_live()
    yield Target(host, port, None, f"T-Server at {where}")
    if proxy:
        loop.run(proxy.close())


@pytest.fixture
def driver(loop, profile, target, capture):
    d = Driver(loop, profile, target, capture=capture)
    yield d
    d.close()


# ---------------------------------------------------------------- Allure

@pytest.hookimpl(trylast=True)
def pytest_bdd_before_scenario(request, feature, scenario):
    """Label the Allure result; a scenario the ICS excludes stops here as not applicable."""
    allure_meta.label_scenario(feature, scenario)
    why = _load_profile(request.config).exclusion(set(scenario.tags) | set(feature.tags))
    if why:
        pytest.skip(not_applicable(why))


@pytest.hookimpl(trylast=True)
def pytest_bdd_after_scenario(request, feature, scenario):
    """The scenario's last check, then its verdict: the worst of its checks.

    Unless a step ended it, every message its clients received must have been consumed by a
    check or declared as background traffic, after one settle period. Then a scenario with an
    inconclusive check and no fail is inconclusive.
    """
    if "driver" not in request.fixturenames:
        return
    driver = request.getfixturevalue("driver")
    stopped = request.node.stash.get(STOPPED, False)
    try:
        if not stopped:
            with allure.step("Then every message the clients received was accounted for"):
                leftovers = driver.unaccounted()
                if leftovers:
                    ledger.record([row for lo in leftovers for row in ledger.event_rows(lo.message)], "fail")
                    raise CheckFailed(observation.verdict_text(leftovers))
    finally:
        allure_meta.attach_capture(driver.capture)
    reasons = request.node.stash.get(INCONCLUSIVE, [])
    if reasons and not stopped:
        raise Inconclusive("; ".join(reasons))


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_before_step(request, feature, scenario, step, step_func):
    request.node.stash[allure_meta.STEP_MARK] = len(_traffic(request))


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args):
    allure_meta.attach_step_traffic(_traffic(request)[request.node.stash.get(allure_meta.STEP_MARK, 0):])
    reason = verdicts.take()
    if reason:
        request.node.stash.setdefault(INCONCLUSIVE, []).append(f"{step.keyword} {step.name}: {reason}")
        allure_meta.stop_step_inconclusive(step, f"inconclusive: {reason}")


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception):
    allure_meta.attach_step_traffic(_traffic(request)[request.node.stash.get(allure_meta.STEP_MARK, 0):])
    verdicts.take()
    request.node.stash[STOPPED] = True
    if isinstance(exception, Inconclusive):  # a Given or When that could not set up its precondition
        allure_meta.stop_step_inconclusive(step, str(exception))


# Inconclusive is the project's own exception (runtime code does not import pytest); here it
# becomes a skip whose reason starts "inconclusive:", in the scenario and in its fixtures.
@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    try:
        return (yield)
    except Inconclusive as exc:
        pytest.skip(str(exc))


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    try:
        return (yield)
    except Inconclusive as exc:
        pytest.skip(str(exc))


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception):
    request.node.stash[STOPPED] = True


def _traffic(request) -> list:
    if "driver" not in request.fixturenames:
        return []
    return request.getfixturevalue("driver").traffic

