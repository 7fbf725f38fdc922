"""Profiles are validated, and a bad key or value is named."""
from pathlib import Path

import pytest

from tsconform.profile import Profile, ProfileError

ROOT = Path(__file__).resolve().parent.parent


def test_the_default_profile_loads():
    p = Profile.load(ROOT / "profiles" / "sim.yaml")
    assert p.dn("guest") == "5001" and p.option("accode-name") == "AccountCode"
    assert p.features == ["account_codes", "call_recording", "hot_desking"]


@pytest.mark.parametrize("raw,named", [
    ({"pixit": {"optoins": {}}}, "pixit.optoins"),
    ({"pixit": {"options": {"accode-data": "both"}}}, "pixit.options.accode-data"),
    ({"pixit": {"options": {"accode-privateservice": "yes"}}}, "pixit.options.accode-privateservice"),
    ({"pixit": {"timeouts": {"answer": -1}}}, "pixit.timeouts.answer"),
    ({"ics": {"features": ["hot_desking", "parking"]}}, "ics.features"),
    ({"target": {"tserver": "http://x"}}, "target.tserver"),
    ({"target": "sim"}, "target"),
])
def test_a_bad_key_or_value_is_named(raw, named):
    with pytest.raises(ProfileError, match=f"'{named}'"):
        Profile.from_dict(raw, "p.yaml")


def test_a_missing_or_broken_file_is_named(tmp_path):
    with pytest.raises(ProfileError, match="no such file"):
        Profile.load(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("pixit: [unclosed")
    with pytest.raises(ProfileError, match="not valid YAML"):
        Profile.load(bad)


def test_the_password_comes_from_the_environment_and_never_shows(monkeypatch):
    monkeypatch.setenv("TSCONFORM_APP_PASSWORD", "s3cret-marker")
    p = Profile.from_dict({})
    assert p.app_password == "s3cret-marker"
    assert "s3cret-marker" not in repr(p)


def test_the_live_template_is_a_valid_profile():
    p = Profile.load(ROOT / "profiles" / "example-live.yaml")
    assert p.tserver.startswith("tlib://") and p.switch.startswith("csta://")
    assert p.exclusion({"ACC-SVC-501"}) and not p.exclusion({"HD-SVC-1", "hot_desking"})
