"""Profiles are typed: a bad key or value is named with its path, the value given and what is
allowed, all at once; secrets come from the fields marked sensitive; the committed JSON Schema
is what `tsconform profile schema` writes; each xdist worker can have its own DNs."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tsconform.profile import Profile, ProfileError, is_sensitive, schema_text, sensitive_values

ROOT = Path(__file__).resolve().parent.parent


def problems(raw) -> list[str]:
    with pytest.raises(ProfileError) as info:
        Profile.from_dict(raw, "p.yaml")
    assert str(info.value).startswith("profile p.yaml: ")
    return [str(p) for p in info.value.problems]


def test_the_default_profile_loads():
    p = Profile.load(ROOT / "profiles" / "sim.yaml")
    assert p.dn("guest") == "5001" and p.option("accode-name") == "AccountCode"
    assert p.features == ["account_codes", "call_recording", "hot_desking"]
    assert p.pixit.account_code == "4711" and p.target.capture.mode == "auto" and p.sim.busy == ["6099"]


@pytest.mark.parametrize("raw,problem", [
    ({"pixit": {"options": {"accode-data": "both"}}},
     "pixit.options.accode-data: 'both' - must be one of: 'none', 'udata' or 'ext'"),
    ({"pixit": {"timeouts": {"quiet": -1}}}, "pixit.timeouts.quiet: -1 - must be >= 0"),
    ({"ics": {"features": ["hot_desking", "parking"]}},
     "ics.features[1]: 'parking' - must be one of: 'account_codes', 'call_recording' or 'hot_desking'"),
    ({"ics": {"services": [1, 99]}}, "ics.services[1]: 99 - must be one of: 1, 2, 501, 3013, 3014, 3015 or 3016"),
    ({"target": {"tserver": "http://x"}}, "target.tserver: 'http://x' - must be 'sim' or tlib://HOST:PORT"),
    ({"target": {"capture": {"mode": "sniff"}}},
     "target.capture.mode: 'sniff' - must be one of: 'auto', 'live', 'recorder', 'pcap' or 'none'"),
    ({"csta": {"handshake": "hello"}},
     "csta.handshake: 'hello' - must be one of: 'system-status' or 'start-application-session'"),
    ({"csta": {"escape_name": "Esc"}}, "csta.escape_name: 'Esc' - must be one of: 'Escape' or 'EscapeService'"),
    ({"pixit": {"device_actions": "robot"}},
     "pixit.device_actions: 'robot' - must be one of: 'sim', 'prompt' or 'none'"),
    ({"pixit": {"workers": [{"dns": {"guest": ""}}]}},
     "pixit.workers[0].dns.guest: '' - String should have at least 1 character"),
    ({"target": {"capture": {"mode": "pcap"}}},
     "target.capture.pcap: '' - must name the capture file when target.capture.mode is pcap"),
    ({"csta": {"tls": {"ca": "ca.pem"}}},
     "csta.tls: {'ca': 'ca.pem'} - is for a cstas:// switch only, and target.switch is 'sim'"),
])
def test_a_bad_value_is_named_with_its_path_the_value_and_what_is_allowed(raw, problem):
    assert problems(raw) == [problem]


@pytest.mark.parametrize("raw,problem", [
    ({"target": "sim"}, "target: 'sim' - must be a mapping"),
    ({"pixit": {"options": {"accode-privateservice": "yes"}}},
     "pixit.options.accode-privateservice: 'yes' - must be a valid boolean"),
    ({"pixit": {"timeouts": {"answer": "2s"}}}, "pixit.timeouts.answer: '2s' - must be a valid number"),
    ({"sim": {"devices": "5001"}}, "sim.devices: '5001' - must be a valid list"),
])
def test_a_wrong_type_is_named(raw, problem):
    assert problems(raw) == [problem]


@pytest.mark.parametrize("raw,problem", [
    ({"pixit": {"optoins": {}}}, "pixit.optoins: {} - unknown key; allowed here: account_code, device_actions, "
                                 "dns, options, timeouts, unknown_conn_id, workers"),
    ({"pixit": {"options": {"accode_name": "x"}}},
     "pixit.options.accode_name: 'x' - unknown key; allowed here: accode-data, accode-name, accode-privateservice"),
    ({"pixit": {"dns": {"gest": "4101"}}}, "pixit.dns.gest: '4101' - unknown key; allowed here: agent, busy_host, "
                                           "caller, guest, host, other, unconfigured, unknown_host"),
    ({"pixit": {"workers": [{"dns": {}}, {"dn": {}}]}}, "pixit.workers[1].dn: {} - unknown key; allowed here: dns"),
    ({"capture": {}}, "capture: {} - unknown key; allowed here: application, csta, ics, pixit, sim, target"),
])
def test_an_unknown_key_is_an_error_that_lists_the_keys_allowed_there(raw, problem):
    assert problems(raw) == [problem]


def test_every_problem_is_named_at_once():
    found = problems({"target": {"tserver": "http://x", "capture": {"mode": "sniff"}},
                      "pixit": {"timeouts": {"answer": -1, "quiet": "x"}, "dnss": {}},
                      "csta": {"namespace": "ed5"}})
    assert [f.split(":")[0] for f in found] == ["target.tserver", "target.capture.mode", "pixit.timeouts.answer",
                                                "pixit.timeouts.quiet", "pixit.dnss", "csta.namespace"]
    assert "csta.namespace: 'ed5' - unknown CSTA namespace 'ed5'" in found[-1]


def test_numbers_where_strings_are_meant_read_as_those_strings():
    p = Profile.from_dict({"pixit": {"dns": {"guest": 4101}, "account_code": 4711}, "sim": {"devices": [4101]}})
    assert p.dn("guest") == "4101" and p.pixit.account_code == "4711" and p.sim.devices == ["4101"]


def test_a_role_no_profile_gives_is_a_profile_error():
    with pytest.raises(ProfileError, match=r"pixit\.dns\.visitor - no such DN role"):
        Profile.from_dict({}).dn("visitor")


def test_a_missing_or_broken_file_is_named(tmp_path):
    with pytest.raises(ProfileError, match="nope.yaml: no such file"):
        Profile.load(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("pixit: [unclosed")
    with pytest.raises(ProfileError, match="not valid YAML"):
        Profile.load(bad)
    bad.write_text("- a list\n")
    with pytest.raises(ProfileError, match="the top level must be a mapping"):
        Profile.load(bad)
    with pytest.raises(ProfileError, match="cannot read it"):
        Profile.load(tmp_path)


def test_profile_check_prints_every_problem_and_exits_3(tmp_path):
    bad = tmp_path / "lab.yaml"
    bad.write_text("pixit:\n  timeouts: {quiet: -1}\n  dnss: {}\n")
    out = subprocess.run([sys.executable, "-m", "tsconform.cli", "profile", "check", str(bad)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 3 and out.stdout == ""
    assert "2 problem(s)" in out.stderr and "lab.yaml" in out.stderr
    for text in ("pixit.timeouts.quiet", "-1", "must be >= 0", "pixit.dnss", "unknown key"):
        assert text in out.stderr
    good = subprocess.run([sys.executable, "-m", "tsconform.cli", "profile", "check", "profiles/sim.yaml"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert good.returncode == 0 and "valid" in good.stdout


def test_the_password_comes_from_the_environment_and_never_shows(monkeypatch):
    monkeypatch.setenv("TSCONFORM_APP_PASSWORD", "s3cret-marker")
    p = Profile.from_dict({"csta": {"password": "csta-marker"}})
    assert p.app_password == "s3cret-marker"
    for text in (repr(p), str(p), repr(p.application), repr(p.csta)):
        assert "s3cret-marker" not in text and "csta-marker" not in text


def test_the_fields_marked_sensitive_are_what_is_masked(monkeypatch):
    marked = {f"{section}.{name}" for section, model in Profile.model_fields.items()
              for name in model.annotation.model_fields if is_sensitive(model.annotation, name)}
    assert marked == {"application.password", "csta.password"}
    monkeypatch.delenv("TSCONFORM_APP_PASSWORD", raising=False)
    monkeypatch.setenv("TSCONFORM_CSTA_PASSWORD", "csta-from-env")
    p = Profile.from_dict({"application": {"password": "app-in-file"}, "csta": {"password": "csta-in-file"}})
    assert sensitive_values(p) == ["app-in-file", "csta-from-env"]
    assert sensitive_values(Profile.from_dict({})) == ["csta-from-env"]
    monkeypatch.delenv("TSCONFORM_CSTA_PASSWORD")
    assert sensitive_values(Profile.from_dict({})) == []
    assert problems({"csta": {"password": ["pw-in-a-list"]}}) == ["csta.password: '***' - must be a valid string"]


def test_the_live_template_is_a_valid_profile():
    p = Profile.load(ROOT / "profiles" / "example-live.yaml")
    assert p.tserver.startswith("tlib://") and p.switch.startswith("csta://")
    assert p.pixit.device_actions == "prompt" and p.csta.handshake == "start-application-session"
    assert p.exclusion({"ACC-SVC-501"}) and not p.exclusion({"HD-SVC-1", "hot_desking"})
    assert "# yaml-language-server: $schema=profile.schema.json" in (ROOT / "profiles" / "example-live.yaml").read_text()


def test_with_switch_keeps_the_rest_and_validates():
    p = Profile.from_dict({"pixit": {"dns": {"guest": "4101"}}}, "lab.yaml")
    q = p.with_switch("csta://10.0.0.9:1040")
    assert q.switch == "csta://10.0.0.9:1040" and q.dn("guest") == "4101" and q.source == "lab.yaml"
    with pytest.raises(ProfileError, match="target.switch: 'ftp://x'"):
        p.with_switch("ftp://x")


def test_the_committed_schema_is_what_profile_schema_writes(tmp_path):
    committed = (ROOT / "profiles" / "profile.schema.json").read_text()
    assert committed == schema_text(), "regenerate: tsconform profile schema -o profiles/profile.schema.json"
    out = subprocess.run([sys.executable, "-m", "tsconform.cli", "profile", "schema", "-o", str(tmp_path / "s.json")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "s.json").read_text() == committed
    schema = json.loads(committed)
    assert set(schema["properties"]) == {"target", "application", "ics", "pixit", "csta", "sim"}
    assert schema["additionalProperties"] is False
    assert all(d["additionalProperties"] is False for d in schema["$defs"].values())
    assert schema["$defs"]["Csta"]["properties"]["password"]["sensitive"] is True
    assert schema["$defs"]["Timeouts"]["properties"]["quiet"]["description"]


# ---------------------------------------------------------------- per-worker DNs

WORKERS = {"pixit": {"workers": [{"dns": {"guest": "5101", "agent": "5101"}}, {"dns": {"guest": "5201"}}]}}


def test_each_worker_takes_its_own_dns_over_the_shared_ones():
    p = Profile.from_dict(WORKERS)
    gw0, gw1 = p.for_worker("gw0", 2), p.for_worker("gw1", 2)
    assert (gw0.dn("guest"), gw0.dn("agent"), gw0.dn("host")) == ("5101", "5101", "6001")
    assert (gw1.dn("guest"), gw1.dn("agent"), gw1.dn("host")) == ("5201", "5001", "6001")
    assert p.for_worker(None).dn("guest") == "5001"
    assert p.for_worker("gw2", 3).dn("guest") == "5001"  # the embedded simulator: one set serves all


def test_more_workers_than_dn_sets_against_a_live_target_is_an_error():
    live = Profile.from_dict({**WORKERS, "target": {"tserver": "tlib://lab:7000"}}, "lab.yaml")
    assert live.for_worker("gw1", 2).dn("guest") == "5201"
    with pytest.raises(ProfileError, match=r"pixit.workers: '2 DN set\(s\)' - 3 workers against the live target"):
        live.for_worker("gw0", 3)
    behind_live_switch = Profile.from_dict({"target": {"switch": "csta://pbx:1040"}})
    with pytest.raises(ProfileError, match="gw0 to gw1"):
        behind_live_switch.check_workers(2)
    behind_live_switch.check_workers(1)
    Profile.from_dict({}).check_workers(8)
    with pytest.raises(ProfileError):
        Profile.from_dict({}).check_workers(2, tserver="tlib://lab:7000")


def test_a_parallel_run_against_a_live_switch_without_worker_dns_stops_before_it_starts(tmp_path):
    out = subprocess.run([sys.executable, "-m", "tsconform.cli", "run", "--no-html", "-n", "2",
                          "--switch", "csta://127.0.0.1:1", f"--alluredir={tmp_path / 'allure'}",
                          f"--html={tmp_path / 'html'}"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 3, out.stdout[-2000:] + out.stderr[-2000:]
    assert "pixit.workers" in out.stdout + out.stderr and "need one DN set each" in out.stdout + out.stderr


def test_a_parallel_run_gives_each_worker_its_own_dns(tmp_path):
    """Two workers on their own simulators, each with the DNs pixit.workers gives it."""
    (tmp_path / "profile.yaml").write_text(
        f"target:\n  capture:\n    mode: recorder\n    dir: {tmp_path / 'captures'}\n"
        "pixit:\n  timeouts: {answer: 0.4, quiet: 0.3}\n  workers:\n"
        "    - dns: {guest: '5101', host: '6101'}\n    - dns: {guest: '5201', host: '6201'}\n"
        "sim:\n  devices: ['5002', '5101', '5201', '6101', '6201', '6099']\n")
    out = subprocess.run([sys.executable, "-m", "tsconform.cli", "run", "--no-html", "-n", "2", "-m", "hot_desking",
                          f"--profile={tmp_path / 'profile.yaml'}", f"--alluredir={tmp_path / 'allure'}",
                          f"--html={tmp_path / 'html'}"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "17 pass, 0 fail" in out.stdout
    attachments = " ".join(p.read_text(errors="replace") for p in (tmp_path / "allure").glob("*-attachment*"))
    assert "5101" in attachments and "5201" in attachments and "6101" in attachments and "6201" in attachments
