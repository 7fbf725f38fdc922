"""The traceability matrix covers every seed row, and shows a gap when a row loses its scenario."""
import shutil
from pathlib import Path

from tsconform import spec
from tsconform.report import traceability

FEATURES = Path(__file__).resolve().parent.parent / "features"


def test_the_features_leave_no_gap():
    rows = traceability.build(FEATURES)
    gaps = [r.req_id for r in rows if r.gap]
    assert not gaps, f"seed rows no scenario covers: {gaps}"
    ids = {r.req_id for r in rows}
    assert set(spec.requirement_ids()) <= ids
    assert "HD-EVT-1/OtherDN" in ids and "ACC-EVT-501/Extensions[@accode-name]" in ids


def test_a_row_without_a_checking_step_is_a_gap(tmp_path):
    shutil.copytree(FEATURES, tmp_path / "features")
    hd = tmp_path / "features" / "hot_desking.feature"
    hd.write_text("\n".join(ln for ln in hd.read_text().splitlines() if "its OtherDN is" not in ln))
    gaps = {r.req_id for r in traceability.build(tmp_path / "features") if r.gap}
    assert gaps == {"HD-EVT-1/OtherDN", "HD-EVT-2/OtherDN"}


def test_verdicts_are_the_worst_of_the_covering_scenarios(tmp_path):
    rows = traceability.build(FEATURES, {
        "Hot-desking established reports the guest and its host": ["fail"],
        "Hot-desking established reaches every client registered on the guest extension": ["pass"],
    })
    by_id = {r.req_id: r for r in rows}
    assert by_id["HD-EVT-1/OtherDN"].verdict == "fail"
    assert by_id["HD-SVC-2"].verdict == "not run"
    traceability.write(tmp_path, FEATURES, {}, "run")
    assert "HD-ERR-ALREADY" in (tmp_path / "traceability.html").read_text()
