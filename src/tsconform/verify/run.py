"""Verify one capture file: stream its PDUs through a Verifier; warnings about the file itself
(cut inside a record, bytes missing) make the `capture` pseudo requirement inconclusive."""
from __future__ import annotations

import os

from ..dissect import CaptureError, CaptureReader, DissectWarning, StreamEnd
from .results import CAPTURE, Outcome, Results
from .trace import Verifier


def verify_file(path: str | os.PathLike, profile, progress=None) -> Results:
    """The results of one file; a file that cannot be read is an error in them, never a crash.

    progress, if given, is called with the number of the frame reached, now and then.
    """
    path = os.fspath(path)
    results = Results(files=[path])
    try:
        reader = CaptureReader(path, closes=True)
    except CaptureError as exc:
        results.errors.append(str(exc))
        return results
    verifier = Verifier(profile, results, path)
    damaged: list[DissectWarning] = []
    try:
        for n, item in enumerate(reader):
            if isinstance(item, DissectWarning):
                if len(damaged) < 20:
                    damaged.append(item)
                continue
            if isinstance(item, StreamEnd):
                verifier.closed(item)
                continue
            verifier.feed(item)
            if progress is not None and n % 4096 == 0:
                progress(item.frame)
    except CaptureError as exc:
        results.errors.append(str(exc))
    verifier.finish(reader.last_time)
    for w in damaged:
        results.add(Outcome(CAPTURE, "inconclusive", os.path.basename(path), (w.frame,) if w.frame else (),
                            f"{w}: what it hides cannot be judged", path))
    return results
