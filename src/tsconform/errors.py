"""The two bases of the project's errors; a verdict is read from them.

- ProductFailure: the target does not conform (a failed check, an expected message that did
  not come, a session the target dropped, a malformed frame it sent). The scenario fails.
- TestSystemError: the test system or its user (an unreachable target, a bad profile or
  option, a capture that cannot be read). The scenario is an error, never a fail.

>>> issubclass(ProductFailure, AssertionError), issubclass(TestSystemError, AssertionError)
(True, False)
"""
from __future__ import annotations


class ProductFailure(AssertionError):
    """The target does not conform."""


class TestSystemError(Exception):
    """The test system, or the way it was used, kept the test from judging the target."""

    __test__ = False  # not a test class, whatever its name
