"""Independent cross-check: tshark with the project's Lua dissector sees the same PDUs.

Skipped (never passed) where tshark is not installed.
"""
from __future__ import annotations

import subprocess
import sys
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


@pytest.fixture(scope="module")
def run_captures(tmp_path_factory) -> list[Path]:
    """The per-scenario captures of a full run of the feature suite (live or recorded)."""
    tmp = tmp_path_factory.mktemp("run")
    profile = tmp / "profile.yaml"
    profile.write_text(f"target:\n  capture:\n    dir: {tmp / 'captures'}\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "steps"), f"--rootdir={ROOT}", "-q",
                           "-p", "no:cacheprovider", f"--profile={profile}", f"--alluredir={tmp / 'allure'}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return sorted((tmp / "captures").rglob("*.pcap"))


def test_same_pdus_as_tshark_on_a_full_run(run_captures):
    """Every scenario's capture: tshark and the reader see the same PDUs, on both links."""
    assert len(run_captures) >= 45
    links = set()
    for capture in run_captures:
        d = read_capture(capture)       # the framings are found by heuristic on any port
        ours = [(p.frame, p.link, p.id, p.message) for p in d]
        assert d.warnings == [], f"{capture.name}: {d.warnings}"
        assert ours, f"{capture.name}: no PDU"
        assert _theirs(capture) == ours, capture.name
        links |= {p.link for p in d}
    assert links == {"tlib", "csta"}
