"""Then steps are checks, and their verdicts accumulate over the scenario (TTCN-3 style).

A check that fails ends the scenario with fail: nothing can overwrite it. A check that is
inconclusive (its evidence is out of reach here, for example a link that is not captured)
records its verdict and the scenario goes on, so that the checks after it still judge the
target. The scenario's verdict is the worst of its checks: fail, then inconclusive, then pass.

Use `then` from this module instead of pytest_bdd's for every Then step. conftest.py takes
each recorded verdict after the step (`take`) and decides the scenario's verdict at its end.
"""
from __future__ import annotations

import functools

import pytest_bdd

from tsconform.verdict import Inconclusive

_recorded: list[str] = []  # inconclusive reasons of the step that just ran, until conftest takes them


def then(name, **kwargs):
    """pytest_bdd.then for a check whose inconclusive verdict does not end the scenario."""
    def decorate(func):
        @functools.wraps(func)
        def check(*args, **kw):
            try:
                return func(*args, **kw)
            except Inconclusive as exc:
                _recorded.append(exc.reason)
                return None
        pytest_bdd.then(name, stacklevel=2, **kwargs)(check)
        return func
    return decorate


def take() -> str | None:
    """The inconclusive reason the step that just ran recorded, if any (and forget it)."""
    reason = "; ".join(_recorded) or None
    _recorded.clear()
    return reason
