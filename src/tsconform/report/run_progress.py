"""`tsconform run`'s progress on a terminal: a pytest plugin in the process that sees every
report (the run itself, or the controller of a pytest-xdist run), feeding a RunDisplay."""
from __future__ import annotations

from collections import Counter

import pytest

from ..progress import RunDisplay
from .verdicts import VerdictCollector


class RunProgress:
    """Scenarios done of the total, and the verdicts of those done, as the collector judged them.

    The display starts with the first report, once the run's total is known (and xdist has
    brought its workers up). While it draws, pytest's own one-letter-per-test output is left
    out (the display says the same); its summary and failures print after the display is gone.
    """

    def __init__(self, collector: VerdictCollector, display: RunDisplay):
        self.collector, self.display = collector, display
        self.total: int | None = None
        self.done: Counter = Counter()

    @pytest.hookimpl
    def pytest_collection_finish(self, session):
        if session.items:  # a serial run; an xdist controller collects nothing itself
            self.total = len(session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids):
        self.total = len(ids)

    @pytest.hookimpl(trylast=True)  # after the collector has read the report
    def pytest_runtest_logreport(self, report):
        if not self.display.started:
            self.display.start(self.total)
        if report.when == "teardown":
            v = self.collector.verdicts.get(report.nodeid)
            self.done[v.verdict if v else "error"] += 1
            self.display.update(sum(self.done.values()), self.done)

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report, config):
        status = yield
        if status and self.display.started:
            category, _letter, word = status
            return category, "", word
        return status

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session):
        self.display.stop()  # before pytest prints its summary
