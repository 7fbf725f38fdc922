"""`tsconform dissect FILE [--json] [--csta-port N] [--tlib-port N]` (dissect.cli.main)."""
from __future__ import annotations

import json

import pytest

from tsconform.capture import PcapRecorder
from tsconform.dissect.cli import main
from tsconform.dissect.samples import tlib_frame, write_mixed_capture
from tsconform.tlib.model import MessageType


@pytest.fixture
def mixed(tmp_path):
    path = tmp_path / "mixed.pcap"
    return path, write_mixed_capture(path, tlib_port=7000)


def test_json_lines_carry_the_documented_fields(mixed, capsys):
    path, expected = mixed
    assert main([str(path), "--json", "--tlib-port", "7000"]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert err == ""
    assert [(r["link"], r.get("invoke_id", r.get("reference_id")), r["message"])
            for r in rows] == expected
    for r in rows:
        assert {"frame", "time", "src", "dst", "link", "message"} <= r.keys()
        assert isinstance(r["frame"], int) and r["frame"] >= 1
        assert isinstance(r["time"], float)
        assert r["src"].startswith("127.0.0.1:") and r["dst"].startswith("127.0.0.1:")
    csta = [r for r in rows if r["link"] == "csta"]
    tlib = [r for r in rows if r["link"] == "tlib"]
    assert csta[0]["invoke_id"] == "0001" and isinstance(csta[0]["invoke_id"], str)
    assert csta[0]["xml"].startswith("<?xml") and "guestAssociatedExtension" in csta[0]["xml"]
    assert "attributes" not in csta[0] and "xml" not in tlib[0]
    assert tlib[0]["attributes"]["ApplicationPassword"] == "****"
    info = next(r for r in tlib if r["message"] == "EventPrivateInfo")
    assert info["reference_id"] == 2
    assert info["attributes"]["ConnID"] == "00000000006d0001"
    assert info["attributes"]["PrivateMsgID"] == 3015


def test_readable_lines(mixed, capsys):
    path, expected = mixed
    assert main([str(path), "--tlib-port", "7000"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(expected)
    assert "127.0.0.1:50002 -> 127.0.0.1:1040  CSTA 0001 Escape" in lines[3]
    assert "T-Lib RequestRegisterClient ReferenceID=1" in lines[0]
    assert "secret" not in "\n".join(lines)


def test_ports_select_the_framing(mixed, capsys):
    path, _ = mixed
    main([str(path), "--json", "--csta-port", "1", "--no-heuristic"])
    assert capsys.readouterr().out == ""
    main([str(path), "--json", "--csta-port", "1040", "--no-heuristic"])
    assert {json.loads(x)["link"] for x in capsys.readouterr().out.splitlines()} == {"csta"}
    main([str(path), "--json"])   # the heuristic finds the T-Lib link on 7000 too
    assert {json.loads(x)["link"] for x in capsys.readouterr().out.splitlines()} == {
        "csta", "tlib"}


def test_undecodable_pdu_warns_on_stderr_and_continues(tmp_path, capsys):
    path = tmp_path / "bad.pcap"
    bad = bytearray(tlib_frame(MessageType.EventACK, ReferenceID=1))
    bad[14] = 7                                  # an unknown wire type
    with PcapRecorder(path) as rec:
        flow = rec.open_flow(("127.0.0.1", 50001), ("127.0.0.1", 7000))
        flow.server_sent(bytes(bad))
        flow.server_sent(tlib_frame(MessageType.EventACK, ReferenceID=2))
    assert main([str(path), "--json", "--tlib-port", "7000"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(x)["reference_id"] for x in out.splitlines()] == [2]
    assert err.startswith("warning: frame 4: T-Lib PDU (19 bytes) from 127.0.0.1:7000")
    assert "unknown attribute type 7" in err


def test_not_a_capture_exits_2(tmp_path, capsys):
    bad = tmp_path / "x.pcap"
    bad.write_bytes(b"this is text, not a capture")
    assert main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not a pcap or pcapng capture" in err and str(bad) in err
    assert main([str(tmp_path / "missing.pcap")]) == 2


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["--help"]) == 0
