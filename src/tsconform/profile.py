"""ICS/PIXIT profiles: what the target implements and the values to test with.

A profile is YAML; every key is checked, and a bad one is named with its path.

>>> p = Profile.from_dict({"pixit": {"dns": {"guest": "5001"}}})
>>> p.dn("guest"), p.option("accode-name")
('5001', 'AccountCode')
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import TestSystemError
from .spec import EVENTS, FEATURES, SERVICES, Service

DEFAULTS: dict = {
    "target": {
        "tserver": "sim", "switch": "sim",
        "capture": {"mode": "auto", "interface": "lo", "pcap": "", "dir": "captures"},
    },
    "csta": {
        "handshake": "system-status", "namespace": "ed4", "escape_name": "Escape",
        "private_namespace": "urn:tsconform:genesys-private:1", "heartbeat": 0,
        "user": "", "password": "", "user_env": "TSCONFORM_CSTA_USER", "password_env": "TSCONFORM_CSTA_PASSWORD",
        "tls": {"ca": "", "cert": "", "key": ""},
    },
    "application": {"name": "tsconform", "password": "", "password_env": "TSCONFORM_APP_PASSWORD"},
    "ics": {"features": list(FEATURES), "services": sorted(SERVICES), "events": sorted(EVENTS)},
    "pixit": {
        "dns": {
            "guest": "5001", "host": "6001", "other": "5002", "agent": "5001", "caller": "7001",
            "busy_host": "6099", "unknown_host": "6999", "unconfigured": "9999",
        },
        "options": {
            "accode-name": "AccountCode", "accode-data": "ext", "accode-privateservice": True,
        },
        "timeouts": {"answer": 2.0, "quiet": 1.2, "prompt": 120.0},
        "device_actions": "sim",
        "account_code": "4711",
        "unknown_conn_id": "7fffffffffffffff",
    },
    "sim": {
        "devices": ["5001", "5002", "6001", "6002", "6099", "7001", "7002"],
        "busy": ["6099"],
    },
}

DEVICE_ACTIONS = ("sim", "prompt", "none")
ACCODE_DATA = ("none", "udata", "ext")


class ProfileError(TestSystemError, ValueError):
    """A profile that cannot be used; the message names the file and the key."""


@dataclass
class Profile:
    data: dict
    source: str = "<defaults>"
    overrides: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Profile":
        p = Path(path)
        try:
            raw = yaml.safe_load(p.read_text()) or {}
        except FileNotFoundError:
            raise ProfileError(f"profile {p}: no such file") from None
        except yaml.YAMLError as exc:
            raise ProfileError(f"profile {p}: not valid YAML: {exc}") from None
        return cls.from_dict(raw, str(p))

    @classmethod
    def from_dict(cls, raw: dict, source: str = "<dict>") -> "Profile":
        if not isinstance(raw, dict):
            raise ProfileError(f"profile {source}: top level must be a mapping")
        data = _merge(copy.deepcopy(DEFAULTS), raw, source, "")
        _validate(data, source)
        return cls(data, source)

    def __repr__(self) -> str:  # short, and never the password
        return f"Profile({self.source!r})"

    # -------------------------------------------------------------- accessors
    def dn(self, role: str) -> str:
        try:
            return str(self.data["pixit"]["dns"][role])
        except KeyError:
            raise ProfileError(f"profile {self.source}: pixit.dns.{role} is not set") from None

    def option(self, name: str):
        return self.data["pixit"]["options"][name]

    def options(self) -> dict:
        return dict(self.data["pixit"]["options"])

    def timeout(self, name: str = "answer") -> float:
        return float(self.data["pixit"]["timeouts"][name])

    @property
    def features(self) -> list[str]:
        return list(self.data["ics"]["features"])

    def exclusion(self, tags) -> str | None:
        """Why the ICS excludes a scenario with these tags, or None when it applies."""
        ics = self.data["ics"]
        for tag in tags:
            if tag in FEATURES and tag not in ics["features"]:
                return f"the ICS of {self.source} excludes feature {tag}"
        for row in (*SERVICES.values(), *EVENTS.values()):
            if row.req_id in tags:
                kind = "services" if isinstance(row, Service) else "events"
                if row.number not in ics[kind]:
                    return f"the ICS of {self.source} excludes {kind[:-1]} {row.number} ({row.req_id})"
        return None

    def with_switch(self, switch: str) -> "Profile":
        """The same profile with target.switch replaced (validated)."""
        raw = copy.deepcopy(self.data)
        raw["target"]["switch"] = switch
        return Profile.from_dict(raw, self.source)

    @property
    def switch(self) -> str:
        return str(self.data["target"]["switch"])

    def csta_credentials(self) -> tuple[str, str] | None:
        """(user, password) for the CSTA session, environment first; None when no user is set."""
        c = self.data["csta"]
        user = os.environ.get(c["user_env"]) or str(c["user"] or "")
        password = os.environ.get(c["password_env"]) or str(c["password"] or "")
        return (user, password) if user else None

    def secrets(self) -> list[str]:
        """The values that must never show: the application password and the CSTA password."""
        creds = self.csta_credentials()
        return [v for v in (self.app_password, creds[1] if creds else "") if v]

    @property
    def tserver(self) -> str:
        return str(self.data["target"]["tserver"])

    @property
    def app_name(self) -> str:
        return str(self.data["application"]["name"])

    @property
    def app_password(self) -> str:
        env = self.data["application"].get("password_env")
        return os.environ.get(env, "") if env and os.environ.get(env) else \
            str(self.data["application"]["password"] or "")


def _merge(base: dict, over: dict, source: str, path: str) -> dict:
    for key, value in over.items():
        where = f"{path}{key}"
        if key not in base:
            if path == "pixit.dns.":  # DN roles are open-ended
                base[key] = value
                continue
            raise ProfileError(f"profile {source}: unknown key '{where}'"
                               f" (expected one of: {', '.join(sorted(base))})")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ProfileError(f"profile {source}: '{where}' must be a mapping")
            _merge(base[key], value, source, where + ".")
        else:
            base[key] = value
    return base


def _validate(data: dict, source: str) -> None:
    def bad(key: str, why: str):
        raise ProfileError(f"profile {source}: '{key}' {why}")

    for f in data["ics"]["features"]:
        if f not in FEATURES:
            bad("ics.features", f"names unknown feature {f!r} (known: {', '.join(FEATURES)})")
    for kind, known in (("services", SERVICES), ("events", EVENTS)):
        for n in data["ics"][kind]:
            if n not in known:
                bad(f"ics.{kind}", f"names {n!r}, which the catalogue does not document (known: {sorted(known)})")
    opts = data["pixit"]["options"]
    if opts["accode-data"] not in ACCODE_DATA:
        bad("pixit.options.accode-data", f"must be one of {ACCODE_DATA}, not {opts['accode-data']!r}")
    if not isinstance(opts["accode-privateservice"], bool):
        bad("pixit.options.accode-privateservice", "must be true or false")
    if not str(opts["accode-name"]).strip():
        bad("pixit.options.accode-name", "must not be empty")
    for name, value in data["pixit"]["timeouts"].items():
        if not isinstance(value, (int, float)) or value < 0:
            bad(f"pixit.timeouts.{name}", f"must be a non-negative number of seconds, not {value!r}")
    if data["pixit"]["device_actions"] not in DEVICE_ACTIONS:
        bad("pixit.device_actions", f"must be one of {DEVICE_ACTIONS}")
    for role, dn in data["pixit"]["dns"].items():
        if not isinstance(dn, (str, int)) or not str(dn):
            bad(f"pixit.dns.{role}", "must be a DN string")
    cap = data["target"]["capture"]
    if cap["mode"] not in ("auto", "live", "recorder", "pcap", "none"):
        bad("target.capture.mode", f"must be auto, live, recorder, pcap or none, not {cap['mode']!r}")
    if cap["mode"] == "pcap" and not cap["pcap"]:
        bad("target.capture.pcap", "must name the capture file when target.capture.mode is pcap")
    sw = str(data["target"]["switch"])
    if sw not in ("sim", "local") and not sw.startswith(("csta://", "cstas://")):
        bad("target.switch", f"must be sim, local, csta://HOST:PORT or cstas://HOST:PORT, not {sw!r}")
    csta = data["csta"]
    if csta["handshake"] not in ("system-status", "start-application-session"):
        bad("csta.handshake", f"must be system-status or start-application-session, not {csta['handshake']!r}")
    if csta["escape_name"] not in ("Escape", "EscapeService"):
        bad("csta.escape_name", f"must be Escape or EscapeService, not {csta['escape_name']!r}")
    if not str(csta["namespace"]).startswith(("ed3", "ed4", "ed6", "http")):
        bad("csta.namespace", f"must be ed3, ed4, ed6 or a namespace URI, not {csta['namespace']!r}")
    if any(csta["tls"].values()) and not sw.startswith("cstas://"):
        bad("csta.tls", "is set, but target.switch is not a cstas:// address")
    ts = str(data["target"]["tserver"])
    if ts != "sim" and not ts.startswith("tlib://"):
        bad("target.tserver", f"must be 'sim' or tlib://HOST:PORT, not {ts!r}")
