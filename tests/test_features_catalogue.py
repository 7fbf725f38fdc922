"""The features and the catalogue agree: every requirement is covered, every tag is known."""
from pathlib import Path

import pytest
from pytest_bdd.parser import FeatureParser

from tsconform import spec

ROOT = Path(__file__).resolve().parent.parent
FEATURE_FILES = sorted((ROOT / "features").glob("*.feature"))


def _features():
    return [FeatureParser(str(ROOT / "features"), f.name).parse() for f in FEATURE_FILES]


def _scenarios():
    for feature in _features():
        for scenario in feature.scenarios.values():
            yield feature, scenario


def test_each_seed_feature_has_its_file():
    assert {f.stem for f in FEATURE_FILES} >= set(spec.FEATURES)


def test_every_requirement_id_is_the_tag_of_a_scenario():
    tagged = {t for _, s in _scenarios() for t in s.tags}
    missing = [r for r in spec.requirement_ids() if r not in tagged]
    assert not missing, f"requirement IDs no scenario carries as a tag: {missing}"


def test_every_tag_is_a_requirement_id_or_a_feature_tag():
    known = set(spec.requirement_ids()) | set(spec.FEATURES)
    for feature, scenario in _scenarios():
        unknown = (set(scenario.tags) | set(feature.tags)) - known
        assert not unknown, f"{scenario.name}: tags not in the catalogue: {unknown}"


@pytest.mark.parametrize("path", FEATURE_FILES, ids=lambda p: p.stem)
def test_feature_and_scenarios_have_descriptions_and_ids(path):
    feature = FeatureParser(str(ROOT / "features"), path.name).parse()
    assert feature.description.strip(), f"{path.name} has no feature description"
    assert path.stem in feature.tags, f"{path.name} lacks its feature tag @{path.stem}"
    ids = set(spec.requirement_ids())
    for scenario in feature.scenarios.values():
        assert set(scenario.tags) & ids, f"{scenario.name}: no requirement ID tag"


def test_seed_deviations_are_stated_in_the_features():
    text = (ROOT / "features" / "call_recording.feature").read_text()
    for event in spec.EVENTS.values():
        if event.deviation:
            assert "Deviation noted" in text and f"@{event.req_id}" in text


def test_every_service_and_event_of_the_seed_is_in_the_catalogue():
    assert set(spec.SERVICES) == {1, 2, 3013, 3014, 3015, 3016, 501}
    assert set(spec.EVENTS) == {1, 2, 3013, 3014, 3015, 3016, 501}
    for req in ("HD-ERR-ALREADY", "HD-ERR-CANNOT", "HD-ERR-ABSENT"):
        assert spec.ERRORS[req].documented
