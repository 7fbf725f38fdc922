"""Fixtures the project's own tests share (the suite's fixtures are in the root conftest.py)."""
import pytest

from tsconform.driver import LoopThread


@pytest.fixture(scope="module")
def loop():
    """An event loop in its own thread, for the tests of one module."""
    lt = LoopThread()
    yield lt
    lt.close()
