"""Independent cross-check: tshark with the project's Lua dissector sees the same PDUs.

Skipped (never passed) where tshark is not installed.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from scapy.utils import RawPcapReader

from tsconform.capture.pcap_file import PcapFileWriter
from tsconform.dissect import read_capture
from tsconform.dissect.samples import write_bulk_csta_capture, write_mixed_capture
from tsconform.dissect.tshark import tshark_path, tshark_pdus

pytestmark = pytest.mark.skipif(tshark_path() is None,
                                reason="tshark is not installed: the cross-check cannot run")

TLIB_PORT = 7000
ROOT = Path(__file__).resolve().parents[1]


def _ours(path, **ports):
    d = read_capture(path, **ports)
    assert d.warnings == []
    return [(p.frame, p.link, p.id, p.message) for p in d]


def _theirs(path, **ports):
    return [(x["frame"], x["link"], x.get("invoke_id", x.get("reference_id")), x["message"])
            for x in tshark_pdus(path, **ports)]


def _doubled(src: Path, dst: Path) -> Path:
    """Every packet twice, as a loopback capture shows it."""
    with RawPcapReader(str(src)) as r, open(dst, "wb") as f:
        w = PcapFileWriter(f)
        for data, meta in r:
            for _ in range(2):
                w.write(data, meta.sec + meta.usec / 1e6)
    return dst


def test_same_pdus_as_tshark(tmp_path):
    path = tmp_path / "mixed.pcap"
    expected = write_mixed_capture(path, tlib_port=TLIB_PORT)
    ours = _ours(path, tlib_ports=[TLIB_PORT])
    theirs = _theirs(path, tlib_ports=[TLIB_PORT])
    assert [x[1:] for x in ours] == expected
    assert len(theirs) == len(ours)
    assert theirs == ours               # frames, links, invoke/reference IDs, names


def test_same_pdus_as_tshark_with_loopback_duplicates(tmp_path):
    path = tmp_path / "mixed.pcap"
    write_mixed_capture(path, tlib_port=TLIB_PORT)
    doubled = _doubled(path, tmp_path / "doubled.pcap")
    ours = _ours(doubled, tlib_ports=[TLIB_PORT])
    assert [x[1:] for x in ours] == [x[1:] for x in _ours(path, tlib_ports=[TLIB_PORT])]
    assert _theirs(doubled, tlib_ports=[TLIB_PORT]) == ours


def test_same_pdus_as_tshark_on_many_split_and_shared_segments(tmp_path):
    path = tmp_path / "bulk.pcap"
    write_bulk_csta_capture(path, count=2000)
    ours = _ours(path)
    assert len(ours) == 2000
    assert _theirs(path) == ours


def _run_captures() -> list[Path]:
    base = Path(os.environ.get("TSCONFORM_CROSSCHECK_CAPTURES", ROOT / "captures"))
    return sorted(p for p in base.rglob("*") if p.suffix in (".pcap", ".pcapng")) \
        if base.is_dir() else []


@pytest.mark.parametrize("capture", _run_captures() or [None],
                         ids=lambda p: p.name if p else "none")
def test_same_pdus_as_tshark_on_run_captures(capture):
    """Every capture a run left under captures/ (or $TSCONFORM_CROSSCHECK_CAPTURES)."""
    if capture is None:
        pytest.skip("no captures from a run to cross-check")
    d = read_capture(capture)           # the framings are found by heuristic on any port
    ours = [(p.frame, p.link, p.id, p.message) for p in d]
    assert _theirs(capture) == ours
