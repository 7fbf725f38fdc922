"""Offline verification of a recorded trace (`tsconform verify`): the T-Lib sessions and the CSTA
link rebuilt from pcap/pcapng files and judged by the checks the scenarios use.

>>> import os, tempfile
>>> from tsconform.profile import Profile
>>> from tsconform.capture import PcapRecorder
>>> path = os.path.join(tempfile.mkdtemp(), "empty.pcap")
>>> PcapRecorder(path).close()
>>> r = verify_file(path, Profile.from_dict({}))
>>> r.counts, r.exit_code()
({}, 4)
"""
from __future__ import annotations

from .results import CAPTURE, Outcome, Results
from .run import verify_file

__all__ = ["CAPTURE", "Outcome", "Results", "verify_file"]
