"""Files beside the Allure results: environment, verdict categories, CI executor."""
from __future__ import annotations

import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

SPINE = ("tsconform", "pytest", "pytest-bdd", "allure-pytest-bdd", "scapy")

# Verdicts as Allure categories: pass -> passed, fail -> failed (product defect),
# error -> broken (test-system error), inconclusive and not applicable -> skipped.
CATEGORIES = [
    {"name": "Product defect (fail)", "matchedStatuses": ["failed"],
     "description": "The target's behaviour differs from the catalogue."},
    {"name": "Test-system error", "matchedStatuses": ["broken"],
     "description": "The test system broke: bad profile, unreachable target, simulator crash."},
    {"name": "Inconclusive", "matchedStatuses": ["skipped"], "messageRegex": "(?s).*inconclusive:.*",
     "description": "The test could not reach its purpose on this target."},
    {"name": "Not applicable", "matchedStatuses": ["skipped"], "messageRegex": "(?s).*not applicable:.*",
     "description": "The target's ICS excludes the scenario."},
]

CI_VARIABLES = {  # executor type -> (detecting variable, build URL variable, build name variable)
    "github": ("GITHUB_ACTIONS", "GITHUB_SERVER_URL", "GITHUB_RUN_ID"),
    "gitlab": ("GITLAB_CI", "CI_JOB_URL", "CI_JOB_ID"),
    "jenkins": ("JENKINS_URL", "BUILD_URL", "BUILD_NUMBER"),
}


def versions() -> dict[str, str]:
    out = {}
    for name in SPINE:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def write(alluredir: str | os.PathLike, environment: dict[str, str]) -> None:
    """Write environment.properties, categories.json and (in CI) executor.json."""
    d = Path(alluredir)
    d.mkdir(parents=True, exist_ok=True)
    env = {**environment, **{f"version.{k}": v for k, v in versions().items()}}
    (d / "environment.properties").write_text(
        "".join(f"{k}={_escape(str(v))}\n" for k, v in env.items()))
    (d / "categories.json").write_text(json.dumps(CATEGORIES, indent=1))
    executor = executor_info()
    if executor:
        (d / "executor.json").write_text(json.dumps(executor, indent=1))


def executor_info() -> dict | None:
    """Executor information when running in CI (CI=true or a known CI's variables)."""
    for kind, (flag, url, build) in CI_VARIABLES.items():
        if os.environ.get(flag):
            return {"name": kind, "type": kind, "buildName": os.environ.get(build, ""),
                    "buildUrl": os.environ.get(url, "")}
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        return {"name": "CI", "type": "ci", "buildName": os.environ.get("BUILD_ID", "")}
    return None


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("=", "\\=").replace(":", "\\:")
