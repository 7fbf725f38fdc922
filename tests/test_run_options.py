"""The run options are declared once (tsconform.run_options): `tsconform run`'s parser,
pytest's options and the forwarding all come from that table, and an option added to it
shows up in all three."""
import subprocess
import sys
from pathlib import Path

import pytest

from tsconform import cli, run_options
from tsconform.run_options import CLI, OPTIONS, PYTEST, SUITE, RunOption

ROOT = Path(__file__).resolve().parent.parent


def sample(opt: RunOption) -> tuple[list[str], object]:
    """Command-line arguments that give the option a value, and the value they give."""
    if opt.action == "store_true":
        return [opt.flags[0]], True
    if opt.action == "append":
        return [opt.flags[0], "one", opt.flags[0], "two"], ["one", "two"]
    if opt.type is int:
        return [opt.flags[0], "3"], 3
    return [opt.flags[0], f"value-of-{opt.dest}"], f"value-of-{opt.dest}"


def run_args(*argv: str):
    return cli.build_parser().parse_args(["run", *argv])


class RecordingGroup:
    def __init__(self):
        self.added: dict[str, dict] = {}

    def addoption(self, *flags, **kwargs):
        self.added[flags[0]] = kwargs


@pytest.fixture
def root_conftest(pytestconfig):
    [module] = [p for p in pytestconfig.pluginmanager.get_plugins()
                if Path(getattr(p, "__file__", "") or "/").resolve() == ROOT / "conftest.py"]
    return module


@pytest.mark.parametrize("opt", OPTIONS, ids=lambda o: o.flag)
def test_tsconform_run_accepts_every_option_of_the_table(opt):
    argv, value = sample(opt)
    assert getattr(run_args(*argv), opt.dest) == value
    assert getattr(run_args(), opt.dest) == opt.kwargs().get("default")


@pytest.mark.parametrize("opt", [o for o in OPTIONS if o.owner != CLI], ids=lambda o: o.flag)
def test_every_option_but_the_cli_s_own_is_forwarded_with_its_value(opt):
    argv, value = sample(opt)
    forwarded = run_options.forward(run_args(*argv))
    values = value if isinstance(value, list) else [value]
    for v in values:
        carried = [opt.flag] if v is True else [f"{opt.flag}={v}"] if opt.flag.startswith("--") else [opt.flag, str(v)]
        assert any(forwarded[i:i + len(carried)] == carried for i in range(len(forwarded))), forwarded


def test_the_cli_s_own_options_and_empty_values_are_not_forwarded():
    args = run_args("--html", "out/html", "--no-html", "--suite", ".")
    assert run_options.forward(args) == ["--alluredir=reports/allure-results"]  # the one default it always passes


def test_pytest_knows_every_forwarded_option():
    """The suite's options come from conftest.py, the others from pytest and its plugins."""
    out = subprocess.run([sys.executable, "-m", "pytest", "--help", "-p", "no:cacheprovider"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    words = set(out.stdout.replace(",", " ").replace("=", " ").split())
    missing = [o.flag for o in OPTIONS if o.owner != CLI and o.flag not in words]
    assert not missing, f"pytest does not know {missing}"


def conftest_parser():
    """A stand-in for pytest's parser that records what conftest.py declares."""
    class Parser:
        group = RecordingGroup()

        def getgroup(self, name):
            return self.group

    return Parser()


def test_conftest_declares_exactly_the_suite_options_of_the_table(root_conftest):
    parser = conftest_parser()
    root_conftest.pytest_addoption(parser)
    assert set(parser.group.added) == {o.flags[0] for o in OPTIONS if o.owner == SUITE}
    assert parser.group.added["--profile"]["default"] == root_conftest.DEFAULT_PROFILE


def test_an_option_added_to_the_table_shows_up_everywhere(monkeypatch, root_conftest):
    extra = RunOption(("--call-delay",), "seconds between calls", type=float, metavar="S")
    also = RunOption(("--xdist-thing",), "an option some plugin declares", PYTEST)
    monkeypatch.setattr(run_options, "OPTIONS", (*OPTIONS, extra, also))
    args = run_args("--call-delay", "0.5", "--xdist-thing", "on")
    assert args.call_delay == 0.5
    assert "--call-delay=0.5" in run_options.forward(args) and "--xdist-thing=on" in run_options.forward(args)
    parser = conftest_parser()
    root_conftest.pytest_addoption(parser)
    assert parser.group.added["--call-delay"]["type"] is float and "--xdist-thing" not in parser.group.added


def test_owners_are_known_and_flags_unique():
    assert {o.owner for o in OPTIONS} <= {SUITE, PYTEST, CLI}
    flags = [f for o in OPTIONS for f in o.flags]
    assert len(flags) == len(set(flags))
