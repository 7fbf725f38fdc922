"""Progress of a long run or dissection: drawn on a terminal, quiet when the output is not a
terminal or CI is set; with -n N the xdist controller draws it from the workers' reports."""
import io
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from tsconform import progress
from tsconform.capture import PcapRecorder
from tsconform.dissect.csta_framing import make_frame
from tsconform.report.run_progress import RunProgress
from tsconform.report.verdicts import FACTS, VerdictCollector

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Tty(io.StringIO):
    def isatty(self):
        return True


def fake_console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(force_terminal=True, file=out, width=120), out


def report(nodeid, when, verdict=None):
    facts = {"scenario": nodeid, "template": nodeid, "requirements": ["HD-SVC-1"]} if when == "setup" else {}
    if verdict:
        facts.update(verdict=verdict, reason="r", step="", step_type="")
    return SimpleNamespace(nodeid=nodeid, when=when, duration=0.1, user_properties=[(FACTS, facts)])


@pytest.mark.parametrize("stream, env, shown", [
    (io.StringIO(), {}, False),             # a pipe or a file
    (Tty(), {}, True),
    (Tty(), {"CI": "true"}, False),
    (Tty(), {"CI": "1"}, False),
    (Tty(), {"CI": "false"}, True),
])
def test_progress_is_wanted_on_a_terminal_outside_ci(stream, env, shown):
    assert progress.wanted(stream, env) is shown


def test_the_run_display_counts_scenarios_done_and_their_verdicts_as_the_controller_sees_them():
    console, out = fake_console()
    collector, display = VerdictCollector(), progress.RunDisplay(console)
    plugin = RunProgress(collector, display)
    plugin.pytest_xdist_node_collection_finished(node=None, ids=["a", "b", "c"])  # the xdist controller's total
    for nodeid, verdict in (("a", None), ("b", "fail")):
        for when in ("setup", "call", "teardown"):
            rep = report(nodeid, when, verdict if when == "call" else None)
            collector.pytest_runtest_logreport(rep)
            plugin.pytest_runtest_logreport(rep)
    display.stop()
    text = ANSI.sub("", out.getvalue())
    assert "2/3" in text and "1 pass" in text and "1 fail" in text, text
    assert "scenarios" in text


def test_while_the_display_draws_pytest_prints_no_letter_per_test():
    console, _ = fake_console()
    display = progress.RunDisplay(console)
    plugin = RunProgress(VerdictCollector(), display)

    def status(rep):
        gen = plugin.pytest_report_teststatus(rep, None)
        next(gen)
        with pytest.raises(StopIteration) as stop:
            gen.send(("failed", "F", "FAILED"))
        return stop.value.value

    assert status(report("a", "call")) == ("failed", "F", "FAILED")  # not drawing yet
    display.start(1)
    assert status(report("a", "call")) == ("failed", "", "FAILED")
    display.stop()


def test_the_read_display_shows_bytes_frames_and_pdus():
    console, out = fake_console()
    with progress.ReadDisplay(console, 2_000_000, "big.pcap") as shown:
        shown.update(1_000_000, 5000, 4321)
    text = ANSI.sub("", out.getvalue())
    assert "big.pcap" in text and "1.0/2.0 MB" in text and "5000 frames, 4321 PDUs" in text, text


# ---------------------------------------------------------------- the commands, on a pseudo-terminal

def on_pty(cmd: list[str], env: dict, stdout=None, timeout: float = 240) -> str:
    """Run a command with a pseudo-terminal as its stderr (and stdout, unless given); what it drew there."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=stdout or slave, stderr=slave,
                            env={**os.environ, **env})
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the other end closed: the command is done
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return ANSI.sub("", b"".join(chunks).decode(errors="replace"))


def run_cmd(tmp_path, *args):
    return [sys.executable, "-m", "tsconform.cli", "run", "--no-html", f"--alluredir={tmp_path / 'allure'}",
            f"--html={tmp_path / 'html'}", *args]


def no_ci():
    return {"CI": ""}


def test_a_parallel_run_on_a_terminal_shows_scenarios_done_and_verdicts(tmp_path):
    text = on_pty(run_cmd(tmp_path, "-n", "2", "-k", "HOST_DN or unknown"), no_ci())
    assert "3 pass, 0 fail" in text, text[-3000:]
    assert re.search(r"scenarios.*3/3.*3 pass", text), text[-3000:]


def test_a_run_stays_quiet_in_ci_and_when_not_on_a_terminal(tmp_path):
    text = on_pty(run_cmd(tmp_path, "-k", "HOST_DN"), {"CI": "true"})
    assert "1 pass, 0 fail" in text and not re.search(r"scenarios.*\d+/\d+", text), text
    piped = subprocess.run(run_cmd(tmp_path, "-k", "HOST_DN"), cwd=ROOT, capture_output=True, text=True,
                           timeout=240, env={**os.environ, **no_ci()})
    assert "1 pass, 0 fail" in piped.stdout and "1/1" not in piped.stdout + piped.stderr


@pytest.fixture
def capture_file(tmp_path) -> Path:
    path = tmp_path / "big.pcap"
    with PcapRecorder(path) as rec:
        flow = rec.open_flow(("10.0.0.1", 40000), ("10.0.0.2", 1040))
        for i in range(600):
            flow.client_sent(make_frame(f"{i % 9999 + 1:04d}", "<MakeCall/>"))
    return path


def test_dissecting_into_a_file_shows_progress_on_the_terminal(tmp_path, capture_file):
    listing = tmp_path / "listing.txt"
    with listing.open("w") as out:
        text = on_pty([sys.executable, "-m", "tsconform.cli", "dissect", str(capture_file)], no_ci(), stdout=out)
    assert len(listing.read_text().splitlines()) == 600
    assert re.search(r"big\.pcap.*\d+ frames, 600 PDUs", text), text


@pytest.mark.parametrize("env, to_file", [({"CI": "true"}, True), ({"CI": ""}, False)],
                         ids=["in CI", "listing on the terminal"])
def test_dissecting_stays_quiet_in_ci_or_when_the_listing_is_on_the_terminal(tmp_path, capture_file, env, to_file):
    listing = tmp_path / "listing.txt"
    with listing.open("w") as out:
        text = on_pty([sys.executable, "-m", "tsconform.cli", "dissect", str(capture_file)], env,
                      stdout=out if to_file else None)
    assert "PDUs" not in text and "frames," not in text
