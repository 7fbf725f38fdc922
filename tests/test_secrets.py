"""Secrets never reach logs, terminal output, Allure attachments or decoded views."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = "MARKER-app-7f3a9c"
CSTA = "MARKER-csta-2b8e1d"


def run_suite(tmp: Path, *extra) -> subprocess.CompletedProcess:
    profile = tmp / "profile.yaml"
    profile.write_text(f"target:\n  capture:\n    dir: {tmp / 'captures'}\ncsta:\n  handshake: start-application-session\n")
    env = {**os.environ, "TSCONFORM_APP_PASSWORD": APP, "TSCONFORM_CSTA_USER": "certifier",
           "TSCONFORM_CSTA_PASSWORD": CSTA}
    return subprocess.run([sys.executable, "-m", "tsconform.cli", "run", "--no-html", f"--profile={profile}",
                           f"--alluredir={tmp / 'allure'}", f"--html={tmp / 'html'}", "-m", "hot_desking", *extra],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def files_with(root: Path, needle: str) -> list[str]:
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_a_full_run_shows_no_secret_anywhere(tmp_path):
    proc = run_suite(tmp_path, "--redact-captures")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert list((tmp_path / "captures").rglob("*.pcap")), "the run wrote no capture"
    for secret in (APP, CSTA):
        assert secret not in proc.stdout and secret not in proc.stderr
        assert not files_with(tmp_path, secret), f"{secret} found in {files_with(tmp_path, secret)}"


def test_without_redaction_the_pcaps_carry_the_secrets_but_decoded_views_do_not(tmp_path):
    proc = run_suite(tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    # the captures are evidence as sent; the check above is not vacuous
    assert files_with(tmp_path / "captures", APP) and files_with(tmp_path / "captures", CSTA)
    pcaps = [tmp_path / "captures" / f for f in files_with(tmp_path / "captures", CSTA)]
    assert not files_with(tmp_path / "allure", APP) and not files_with(tmp_path / "allure", CSTA)
    out = subprocess.run([sys.executable, "-m", "tsconform.cli", "dissect", "--json", str(pcaps[0])],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and '"StartApplicationSession"' in out.stdout
    assert APP not in out.stdout and CSTA not in out.stdout
    text = subprocess.run([sys.executable, "-m", "tsconform.cli", "dissect", str(pcaps[0])],
                          capture_output=True, text=True, timeout=60).stdout
    assert APP not in text and CSTA not in text
