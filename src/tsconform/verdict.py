"""Verdict-bearing exceptions the steps may raise besides a failed check (no test stack here:
the pytest layer, conftest.py, reports Inconclusive as a skip whose reason starts "inconclusive:").

>>> str(Inconclusive("no capture"))
'inconclusive: no capture'
"""
from __future__ import annotations


class Inconclusive(Exception):
    """The test could not reach its purpose (a precondition could not be set up on the target).

    Reported as skipped with a message starting "inconclusive:", never as passed.
    """

    def __init__(self, reason: str):
        super().__init__(f"inconclusive: {reason}")
        self.reason = reason


def not_applicable(reason: str) -> str:
    """The skip reason of a scenario the ICS excludes."""
    return f"not applicable: {reason}"
