"""tsconform verify on traces written here, message by message: what the trace shows is judged,
what it does not show is inconclusive, and a client that left is not expected to get copies."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from tsconform.capture import PcapRecorder
from tsconform.exit_codes import EXIT_FAIL
from tsconform.profile import Profile
from tsconform.tlib.codec import encode
from tsconform.tlib.model import Attr, KVList, Message, MessageType as M
from tsconform.verify import verify_file

ROOT = Path(__file__).resolve().parent.parent
SERVER = ("10.0.0.1", 7000)
PROFILE = Profile.from_dict({"pixit": {"timeouts": {"answer": 0.5, "quiet": 0.3}}})


class Clock:
    def __init__(self):
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        self.t += 0.001
        return self.t


def _client(rec, port, dn, ref, register_client=True):
    """A client registered on dn; without register_client, one whose session began before the
    capture and that registers another DN in it."""
    flow = rec.open_flow(("10.0.0.9", port), SERVER)
    if not register_client:
        dn = "5002"
    if register_client:
        flow.client_sent(encode(Message(M.RequestRegisterClient, {Attr.ReferenceID: ref})))
        flow.server_sent(encode(Message(M.EventServerConnected, {Attr.ReferenceID: ref})))
    flow.client_sent(encode(Message(M.RequestRegisterAddress, {Attr.ReferenceID: ref + 1, Attr.ThisDN: dn})))
    flow.server_sent(encode(Message(M.EventRegistered, {Attr.ReferenceID: ref + 1, Attr.ThisDN: dn})))
    return flow


def _associate(path, *, other_dn="6001", copy_to_supervisor=True, supervisor_leaves=False, supervisor_known=True):
    clock = Clock()
    with PcapRecorder(str(path), clock=clock) as rec:
        agent = _client(rec, 40001, "5001", 10)
        supervisor = _client(rec, 40002, "5001", 20, register_client=supervisor_known)
        if supervisor_leaves:
            supervisor.close()
        agent.client_sent(encode(Message(M.RequestPrivateService, {
            Attr.ReferenceID: 30, Attr.PrivateMsgID: 1, Attr.ThisDN: "5001",
            Attr.Extensions: KVList([("HOST_DN", "6001")])})))
        event = {Attr.PrivateMsgID: 1, Attr.ThisDN: "5001", Attr.OtherDN: other_dn}
        agent.server_sent(encode(Message(M.EventPrivateInfo, {Attr.ReferenceID: 30, **event})))
        if copy_to_supervisor and not supervisor_leaves:
            supervisor.server_sent(encode(Message(M.EventPrivateInfo, event)))
        clock.t += 2.0  # the trace goes on past the answer timeout and the settle period
        agent.client_sent(encode(Message(M.RequestRegisterAddress, {Attr.ReferenceID: 40, Attr.ThisDN: "5001"})))
    return verify_file(path, PROFILE)


def _failures(results) -> dict[str, str]:
    return {r: " ".join(o.text for o in kept if o.outcome == "fail") for r, kept in results.kept.items()
            if results.counts[r]["fail"]}


def test_a_conforming_exchange_passes_but_the_connector_is_inconclusive_without_the_csta_link(tmp_path):
    r = _associate(tmp_path / "ok.pcap")
    assert not _failures(r)
    assert r.counts["HD-EVT-1"]["pass"] and r.counts["HD-SVC-1"]["inconclusive"]
    assert "CSTA link is not in this capture" in r.kept["HD-SVC-1"][0].text


def test_a_wrong_other_dn_fails_on_every_copy(tmp_path):
    r = _associate(tmp_path / "wrong.pcap", other_dn="5001")
    assert r.exit_code() == EXIT_FAIL
    assert "OtherDN: expected '6001', observed '5001'" in _failures(r)["HD-EVT-1"]
    assert r.rows["HD-EVT-1/OtherDN"] == "fail"


def test_a_missing_copy_fails_and_names_the_client(tmp_path):
    r = _associate(tmp_path / "missing.pcap", copy_to_supervisor=False)
    assert "no EventPrivateInfo 1 reached 10.0.0.9:40002, registered on 5001" in _failures(r)["HD-EVT-1"]


def test_a_client_that_left_is_not_expected_to_get_copies(tmp_path):
    r = _associate(tmp_path / "left.pcap", supervisor_leaves=True)
    assert "HD-EVT-1" not in _failures(r), _failures(r)


def test_a_client_connected_before_the_capture_makes_delivery_inconclusive(tmp_path):
    r = _associate(tmp_path / "before.pcap", copy_to_supervisor=False, supervisor_known=False)
    assert not _failures(r)
    reasons = " ".join(o.text for o in r.kept["HD-EVT-1"] if o.outcome == "inconclusive")
    assert "began before the capture" in reasons


def test_a_service_whose_option_is_off_must_be_refused(tmp_path):
    clock = Clock()
    path = tmp_path / "option.pcap"
    with PcapRecorder(str(path), clock=clock) as rec:
        agent = _client(rec, 40001, "5001", 10)
        agent.client_sent(encode(Message(M.RequestPrivateService, {
            Attr.ReferenceID: 30, Attr.PrivateMsgID: 501, Attr.ThisDN: "5001", Attr.ConnID: 7,
            Attr.Extensions: KVList([("AccountCode", "4711")])})))
        agent.server_sent(encode(Message(M.EventPrivateInfo, {
            Attr.ReferenceID: 30, Attr.PrivateMsgID: 501, Attr.ThisDN: "5001", Attr.ConnID: 7, Attr.PrivateID: 0,
            Attr.Extensions: KVList([("AccountCode", "4711")])})))
        clock.t += 2.0
        agent.client_sent(encode(Message(M.RequestRegisterAddress, {Attr.ReferenceID: 40, Attr.ThisDN: "5001"})))
    off = Profile.from_dict({"pixit": {"timeouts": {"answer": 0.5, "quiet": 0.3},
                                       "options": {"accode-privateservice": False}}})
    r = verify_file(path, off)
    assert "expected EventError" in _failures(r)["TS-ERR-SERVICE"]


def test_the_benchmark_trace_verifies_with_no_fail(tmp_path):
    """Many clients, calls and services interleaved on both links, as bench/verify.py writes them."""
    spec = importlib.util.spec_from_file_location("bench_verify", ROOT / "bench" / "verify.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "bench.pcap"
    bench.generate(str(path), 8000, 100)
    r = verify_file(path, Profile.from_dict({}))
    assert not r.errors and not _failures(r), _failures(r)
    assert {"REC-SVC-3013", "REC-SVC-3016", "HD-SVC-2", "ACC-SVC-501", "ACC-EVT-501"} <= {
        k for k, c in r.counts.items() if c["pass"]}
