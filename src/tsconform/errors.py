"""The two bases of the project's errors; a verdict is read from them.

- ProductFailure: the target does not conform (a failed check, an expected message that did
  not come, a session the target dropped, a malformed frame it sent). The scenario fails.
- TestSystemError: the test system or its user (an unreachable target, a bad profile or
  option, a capture that cannot be read). The scenario is an error, never a fail.

Every exception the project raises derives from one of them (tests/test_error_bases.py);
the generic kinds below keep a built-in exception as a second base, so that a caller's
``except ValueError`` still catches what it did before.

>>> issubclass(ProductFailure, AssertionError), issubclass(TestSystemError, AssertionError)
(True, False)
>>> str(UnknownName("no requirement HD-SVC-9"))
'no requirement HD-SVC-9'
"""
from __future__ import annotations


class ProductFailure(AssertionError):
    """The target does not conform."""


class TestSystemError(Exception):
    """The test system, or the way it was used, kept the test from judging the target."""

    __test__ = False  # not a test class, whatever its name


class UsageError(TestSystemError, ValueError):
    """A value the user or the calling code gave that the project does not accept: an option,
    an address, a name, an argument out of range, a message too large to encode."""


class UnsupportedType(TestSystemError, TypeError):
    """A value of a type the called code cannot carry."""


class UnknownName(TestSystemError, KeyError):
    """A name looked up in one of the project's tables that is not there."""

    __str__ = Exception.__str__  # the message as given, not KeyError's quoted repr


class ToolError(TestSystemError, RuntimeError):
    """A tool or resource of the test system failed: tshark, the live sniffer, a suite
    subprocess, the invoke IDs of a link."""


class ToolMissing(ToolError, FileNotFoundError):
    """A tool the test system needs is not installed."""


class TestSystemTimeout(TestSystemError, TimeoutError):
    """An operation of the test system itself did not finish in time."""

    __test__ = False
