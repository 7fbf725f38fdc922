"""Mask secrets (application password, CSTA credentials) in a written capture.

Each occurrence of a secret in the file is overwritten with as many '*' as it has bytes, so
packet and TCP lengths stay as they were (TCP checksums of the changed packets no longer
match). A secret split across two TCP segments is not found; secrets are short, and each
message is written in one segment here, so this does not arise in the suite's captures.

>>> import tempfile, os
>>> p = os.path.join(tempfile.mkdtemp(), "x.pcap"); open(p, "wb").write(b"..pw=hunter2..")
14
>>> redact_file(p, ["hunter2"]), open(p, "rb").read()
(1, b'..pw=*******..')
"""
from __future__ import annotations

import os
import shutil


def _needles(secrets) -> list[bytes]:
    return sorted({s.encode() if isinstance(s, str) else bytes(s) for s in secrets if s and len(s) >= 3},
                  key=len, reverse=True)


def redact_bytes(data: bytes, secrets) -> tuple[bytes, int]:
    count = 0
    for needle in _needles(secrets):
        count += data.count(needle)
        data = data.replace(needle, b"*" * len(needle))
    return data, count


def redact_file(path: str | os.PathLike, secrets) -> int:
    """Mask every secret in the file in place; the number of occurrences masked."""
    with open(path, "rb") as f:
        data, count = redact_bytes(f.read(), secrets)
    if count:
        with open(path, "wb") as f:
            f.write(data)
    return count


def redacted_copy(path: str | os.PathLike, dest: str | os.PathLike, secrets) -> int:
    shutil.copyfile(path, dest)
    return redact_file(dest, secrets)
