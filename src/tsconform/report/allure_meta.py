"""Allure labels (epic, feature, story, requirement ID) and per-step message attachments."""
from __future__ import annotations

import tempfile
from pathlib import Path

import allure
import pytest

from .. import spec

STEP_MARK = pytest.StashKey[int]()


def scenario_requirements(tags) -> list[str]:
    """The catalogue's requirement IDs among a scenario's tags, in catalogue order."""
    ids = spec.requirement_ids()
    return sorted((t for t in tags if t in ids), key=ids.index)


def label_scenario(feature, scenario) -> None:
    tags = set(scenario.tags) | set(feature.tags)
    reqs = scenario_requirements(tags)
    allure.dynamic.epic(spec.EPIC)
    feature_tag = next((t for t in tags if t in spec.FEATURES), None)
    if feature_tag:
        allure.dynamic.feature(spec.FEATURES[feature_tag])
    for req_id in reqs:
        row = spec.requirement(req_id)
        allure.dynamic.story(story_of(row))
        allure.dynamic.label("requirement", req_id)
        allure.dynamic.link(f"#{req_id}", name=req_id, link_type="requirement")
    allure.dynamic.description(description_of(scenario, reqs))


def story_of(row) -> str:
    if isinstance(row, spec.Service):
        return f"Service {row.number}: {row.title}"
    if isinstance(row, spec.Event):
        return f"Event {row.number}: {row.title}"
    return f"Error: {row.precondition}"


def description_of(scenario, reqs: list[str]) -> str:
    lines = [scenario.description.strip()] if scenario.description else []
    for req_id in reqs:
        row = spec.requirement(req_id)
        text = getattr(row, "description", None) or getattr(row, "precondition", "")
        lines.append(f"**{req_id}**: {text}")
    return "\n\n".join(lines)


def stop_step_inconclusive(step, reason: str) -> None:
    """End a Gherkin step's Allure result as skipped with the reason: a check that was
    inconclusive, while the scenario went on (allure-pytest-bdd would report it passed)."""
    from allure_commons import plugin_manager
    from allure_commons.model2 import Status, StatusDetails
    from allure_pytest_bdd.pytest_bdd_listener import PytestBDDListener
    from allure_pytest_bdd.steps import get_step_uuid, stop_step

    for plugin in plugin_manager.get_plugins():
        if isinstance(plugin, PytestBDDListener):
            stop_step(plugin.lifecycle, get_step_uuid(step), status=Status.SKIPPED,
                      status_details=StatusDetails(message=reason))


def attach_step_traffic(traffic) -> None:
    if traffic:
        allure.attach("\n\n".join(t.text() for t in traffic), name="T-Lib messages",
                      attachment_type=allure.attachment_type.TEXT)


def attach_capture(capture) -> None:
    """The scenario's pcap, its decoded PDUs and a message ladder drawn from them."""
    from ..capture.redact import redacted_copy
    from ..capture.scenario import CaptureUnavailable
    from . import ladder

    if capture is None or capture.path is None:
        return
    capture.settle()
    try:
        d = capture.dissect()
    except CaptureUnavailable as exc:
        allure.attach(f"no capture: {exc}", name="capture", attachment_type=allure.attachment_type.TEXT)
        return
    lines = [f"capture mode: {capture.mode} ({capture.reason})", f"file: {capture.path.name}", ""]
    lines += [f"frame {p.frame:>5}  {p.src} -> {p.dst}  {p.summary()}" for p in d.pdus]
    lines += [f"warning: {w}" for w in d.warnings]
    allure.attach("\n".join(lines), name="decoded PDUs (both links)", attachment_type=allure.attachment_type.TEXT)
    allure.attach(ladder.render(d.pdus, capture.tlib_ports, capture.csta_ports, capture.path.stem),
                  name="message ladder", attachment_type=allure.attachment_type.SVG)
    if capture.mode != "pcap":  # a shared user capture is not copied into every result
        with tempfile.TemporaryDirectory() as tmp:  # attachments never carry a secret in clear
            copy = Path(tmp) / capture.path.name
            redacted_copy(capture.path, copy, capture.secrets)
            allure.attach.file(str(copy), name=capture.path.name, extension="pcap")
