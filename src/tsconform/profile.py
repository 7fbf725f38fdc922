"""ICS/PIXIT profiles: what the target implements and the values to test with.

A profile is YAML, read into typed models (pydantic), one per section. Every key is checked:
an unknown key, a wrong type or a value outside its choices is named with its key path, the
value given and what is allowed, all of them at once. ``tsconform profile schema`` writes the
JSON Schema of the models, for editors.

>>> p = Profile.from_dict({"pixit": {"dns": {"guest": 5101}}})
>>> p.dn("guest"), p.option("accode-name"), p.pixit.timeouts.answer
('5101', 'AccountCode', 2.0)
>>> try:
...     Profile.from_dict({"pixit": {"timeouts": {"quiet": -1}, "dnss": {}}}, "lab.yaml")
... except ProfileError as exc:
...     print(exc)  # doctest: +ELLIPSIS
profile lab.yaml: 2 problems
  pixit.timeouts.quiet: -1 - must be >= 0
  pixit.dnss: {} - unknown key; allowed here: account_code, device_actions, dns, ...
"""
from __future__ import annotations

import json
import os
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, ValidationError,
                      create_model)

from .capture.scenario import MODES as CAPTURE_MODES
from .csta.private import DEFAULT_PRIVATE_NAMESPACE, ESCAPE_NAMES
from .csta.session import HANDSHAKES
from .csta.xml import namespace_uri
from .driver import DEVICE_ACTIONS, parse_tserver
from .errors import TestSystemError, UsageError
from .sim.csta_link import parse_url
from .spec import EVENTS, FEATURES, SERVICES, Service

ACCODE_DATA = ("none", "udata", "ext")
SENSITIVE = {"sensitive": True}  # json_schema_extra of a field whose value must never show


class ProfileError(TestSystemError, ValueError):
    """A profile that cannot be used; the message names the file, and each bad key, its value
    and what is allowed."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source, self.problems = source, problems
        if len(problems) == 1:
            text = f"profile {source}: {problems[0]}"
        else:
            text = f"profile {source}: {len(problems)} problems\n" + "\n".join(f"  {p}" for p in problems)
        super().__init__(text)


@dataclass(frozen=True)
class Problem:
    """One bad key: its path (``pixit.timeouts.quiet``), the value given, and what is allowed."""

    path: str
    value: object
    allowed: str

    def given(self) -> str:
        """The value as the file wrote it ('' when the problem is the file itself)."""
        return "" if self.value is _ABSENT else repr(self.value) if isinstance(self.value, str) else str(self.value)

    def __str__(self) -> str:
        if self.value is _ABSENT:
            return f"{self.path} - {self.allowed}" if self.path else self.allowed
        return f"{self.path or '(top level)'}: {self.given()} - {self.allowed}"


_ABSENT = object()  # a problem about the file itself, not about a value in it


# ---------------------------------------------------------------- field types

def _choices(values) -> type:
    """A Literal of another module's constants, so the choices are written once."""
    return Literal[tuple(values)]  # type: ignore[return-value]


def _tserver(value: str) -> str:
    try:
        return value if value == "sim" else parse_tserver(value) and value
    except ValueError:
        raise UsageError("must be 'sim' or tlib://HOST:PORT") from None


def _switch(value: str) -> str:
    try:
        return value if value in ("sim", "local") else parse_url(value) and value
    except ValueError:
        raise UsageError("must be sim, local, csta://HOST[:PORT] or cstas://HOST[:PORT]") from None


def _namespace(value: str) -> str:
    namespace_uri(value)
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise UsageError("must not be empty")
    return value


def _hex_conn_id(value: str) -> str:
    if not re.fullmatch(r"[0-9a-fA-F]{1,16}", value):
        raise UsageError("must be a ConnID of 1 to 16 hex digits")
    return value


Seconds = Annotated[float, Field(ge=0, strict=True)]
DN = Annotated[str, Field(min_length=1)]


class Section(BaseModel):
    """A profile section: unknown keys are errors, and a number where a string is meant is read
    as that string (YAML reads ``guest: 5001`` as a number)."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, validate_default=True)


# ---------------------------------------------------------------- target

class Capture(Section):
    mode: _choices(CAPTURE_MODES) = Field(
        "auto", description="auto: live when this process may capture, else recording relays; live: sniff "
                            "`interface`; recorder: relays in front of the T-Server (and the simulated switch); "
                            "pcap: read `pcap`; none: no capture (wire checks are then inconclusive)")
    interface: str = Field("lo", description="network interface for live capture")
    pcap: str = Field("", description="capture file written by your own tcpdump (mode: pcap)")
    dir: str = Field("captures", description="directory of the per-scenario captures")


class Target(Section):
    tserver: Annotated[str, AfterValidator(_tserver)] = Field(
        "sim", description="the T-Server under test: 'sim' (the embedded reference T-Server) or tlib://HOST:PORT")
    switch: Annotated[str, AfterValidator(_switch)] = Field(
        "sim", description="behind the embedded T-Server, or the switch link to capture: sim (simulated CSTA "
                           "switch), local (in process), csta://HOST:PORT or cstas://HOST:PORT (TLS)")
    capture: Capture = Field(default_factory=Capture, description="how each scenario's traffic is captured")


# ---------------------------------------------------------------- application and ICS

class Application(Section):
    name: Annotated[str, AfterValidator(_not_blank)] = Field(
        "tsconform", description="application name the T-Lib clients register with")
    password: str = Field("", repr=False, json_schema_extra=SENSITIVE,
                          description="application password; prefer the environment variable named by password_env")
    password_env: str = Field("TSCONFORM_APP_PASSWORD",
                              description="environment variable that, when set, gives the application password")


class Ics(Section):
    features: list[_choices(FEATURES)] = Field(
        default_factory=lambda: list(FEATURES),
        description="feature tags the target implements; scenarios of the others are not applicable")
    services: list[_choices(sorted(SERVICES))] = Field(
        default_factory=lambda: sorted(SERVICES), description="private service numbers the target implements")
    events: list[_choices(sorted(EVENTS))] = Field(
        default_factory=lambda: sorted(EVENTS), description="private event numbers the target sends")


# ---------------------------------------------------------------- PIXIT

class Dns(Section):
    guest: DN = Field("5001", description="hot desking: the guest extension")
    host: DN = Field("6001", description="hot desking: the host device")
    other: DN = Field("5002", description="a DN registered by a client that must not receive the events")
    agent: DN = Field("5001", description="call recording and account codes: the monitored DN")
    caller: DN = Field("7001", description="the other party of the recorded call")
    busy_host: DN = Field("6099", description="a device the switch refuses as a host")
    unknown_host: DN = Field("6999", description="a number that is not a device of the switch")
    unconfigured: DN = Field("9999", description="a DN the T-Server does not configure")


WorkerDns = create_model(  # the roles of Dns, each optional: a role a worker leaves out is shared
    "WorkerDns", __base__=Section, __doc__="The DNs one pytest-xdist worker uses instead of pixit.dns.",
    **{role: (DN | None, Field(None, description=f.description)) for role, f in Dns.model_fields.items()})


class Worker(Section):
    dns: WorkerDns = Field(default_factory=WorkerDns,
                           description="this worker's DNs; the roles given replace those of pixit.dns")


class Options(Section):
    accode_name: Annotated[str, AfterValidator(_not_blank)] = Field(
        "AccountCode", alias="accode-name", description="key of the account code in the Extensions")
    accode_data: _choices(ACCODE_DATA) = Field(
        "ext", alias="accode-data", description="where T-Server reports the account code: none, udata or ext")
    accode_privateservice: StrictBool = Field(
        True, alias="accode-privateservice", description="whether private service 501 (account code) is enabled")


class Timeouts(Section):
    answer: Seconds = Field(2.0, description="seconds to wait for any answer or event")
    quiet: Seconds = Field(1.2, description="settle period at the end of each scenario: a message that arrives "
                                            "by then and no check consumed fails the scenario")
    prompt: Seconds = Field(120.0, description="seconds a person has for a device-side action "
                                               "(device_actions: prompt)")


class Pixit(Section):
    dns: Dns = Field(default_factory=Dns, description="the DN of each role the scenarios name")
    workers: list[Worker] = Field(
        default_factory=list,
        description="one entry per pytest-xdist worker (gw0, gw1, ...), each overriding pixit.dns, so that "
                    "parallel workers against a live target do not share DNs")
    options: Options = Field(default_factory=Options, description="the T-Server options as configured on the target")
    timeouts: Timeouts = Field(default_factory=Timeouts, description="timeouts, in seconds")
    device_actions: _choices(DEVICE_ACTIONS) = Field(
        "sim", description="who performs a device-side action: sim (the simulator's control interface), "
                           "prompt (a person at the device), none (those scenarios are inconclusive)")
    account_code: Annotated[str, Field(min_length=1)] = Field(
        "4711", description="account code entered on the keypad in the account-code scenarios")
    unknown_conn_id: Annotated[str, AfterValidator(_hex_conn_id)] = Field(
        "7fffffffffffffff", description="a ConnID T-Server never issued, in hex")


# ---------------------------------------------------------------- CSTA and simulator

class Tls(Section):
    ca: str = Field("", description="CA file to verify the switch with (system CAs when empty)")
    cert: str = Field("", description="client certificate file")
    key: str = Field("", description="client key file")


class Csta(Section):
    handshake: _choices(HANDSHAKES) = Field("system-status", description="how the CSTA session starts")
    namespace: Annotated[str, AfterValidator(_namespace)] = Field(
        "ed4", description="CSTA namespace: ed3, ed4, ed6 or a CSTA namespace URI")
    escape_name: _choices(ESCAPE_NAMES) = Field("Escape", description="root element of the Escape service")
    private_namespace: Annotated[str, AfterValidator(_not_blank)] = Field(
        DEFAULT_PRIVATE_NAMESPACE, description="namespace of the Genesys private elements")
    heartbeat: Seconds = Field(0, description="seconds between SystemStatus heartbeats of the simulated switch; "
                                              "0: none")
    user: str = Field("", description="CSTA user for StartApplicationSession; the variable user_env wins")
    password: str = Field("", repr=False, json_schema_extra=SENSITIVE,
                          description="CSTA password; prefer the environment variable named by password_env")
    user_env: str = Field("TSCONFORM_CSTA_USER", description="environment variable that gives the CSTA user")
    password_env: str = Field("TSCONFORM_CSTA_PASSWORD",
                              description="environment variable that gives the CSTA password")
    tls: Tls = Field(default_factory=Tls, description="TLS files, for a cstas:// switch only")


class Sim(Section):
    devices: list[DN] = Field(default_factory=lambda: ["5001", "5002", "6001", "6002", "6099", "7001", "7002"],
                              description="the devices the simulated switch configures")
    busy: list[DN] = Field(default_factory=lambda: ["6099"], description="devices the simulated switch refuses "
                                                                         "as hosts")


# ---------------------------------------------------------------- the profile

class Profile(Section):
    """An ICS/PIXIT profile: the target, what it implements, and the values to test with."""

    model_config = ConfigDict(title="tsconform ICS/PIXIT profile", json_schema_extra={
        "$schema": "https://json-schema.org/draft/2020-12/schema"})

    target: Target = Field(default_factory=Target, description="the T-Server and switch under test")
    application: Application = Field(default_factory=Application, description="the T-Lib application")
    ics: Ics = Field(default_factory=Ics, description="what the target implements")
    pixit: Pixit = Field(default_factory=Pixit, description="the values to test with")
    csta: Csta = Field(default_factory=Csta, description="the CSTA link behind the T-Server")
    sim: Sim = Field(default_factory=Sim, description="the embedded simulator's switch")
    _source: str = PrivateAttr("<defaults>")

    def _cross_problems(self) -> list[Problem]:
        """What no single key can say: the keys that must agree with each other."""
        problems = []
        cap = self.target.capture
        if cap.mode == "pcap" and not cap.pcap:
            problems.append(Problem("target.capture.pcap", cap.pcap,
                                    "must name the capture file when target.capture.mode is pcap"))
        tls = self.csta.tls.model_dump()
        if any(tls.values()) and not self.switch.startswith("cstas://"):
            problems.append(Problem("csta.tls", {k: v for k, v in tls.items() if v},
                                    f"is for a cstas:// switch only, and target.switch is {self.switch!r}"))
        return problems

    # -------------------------------------------------------------- loading
    @classmethod
    def load(cls, path: str | os.PathLike) -> Profile:
        p = Path(path)
        try:
            raw = yaml.safe_load(p.read_text())
        except FileNotFoundError:
            raise ProfileError(str(p), [Problem("", _ABSENT, "no such file")]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileError(str(p), [Problem("", _ABSENT, f"cannot read it: {exc}")]) from None
        except yaml.YAMLError as exc:
            raise ProfileError(str(p), [Problem("", _ABSENT, f"not valid YAML: {exc}")]) from None
        return cls.from_dict({} if raw is None else raw, str(p))

    @classmethod
    def from_dict(cls, raw: dict, source: str = "<dict>") -> Profile:
        if not isinstance(raw, dict):
            raise ProfileError(source, [Problem("", raw, "the top level must be a mapping")])
        try:
            profile = cls.model_validate(raw)
        except ValidationError as exc:
            raise ProfileError(source, [_problem(e) for e in exc.errors()]) from None
        profile._source = source
        problems = profile._cross_problems()
        if problems:
            raise ProfileError(source, problems)
        return profile

    @property
    def source(self) -> str:
        """The file the profile came from."""
        return self._source

    def __repr__(self) -> str:  # short, and never the password
        return f"Profile({self.source!r})"

    __str__ = __repr__

    # -------------------------------------------------------------- accessors
    def dn(self, role: str) -> str:
        if role not in Dns.model_fields:
            raise ProfileError(self.source, [Problem(f"pixit.dns.{role}", _ABSENT,
                                                     f"no such DN role; roles: {', '.join(Dns.model_fields)}")])
        return getattr(self.pixit.dns, role)

    def option(self, name: str):
        return self.options()[name]

    def options(self) -> dict:
        """The T-Server options by their option names (``accode-name``), a copy."""
        return self.pixit.options.model_dump(by_alias=True)

    def timeout(self, name: str = "answer") -> float:
        return float(getattr(self.pixit.timeouts, name))

    @property
    def features(self) -> list[str]:
        return list(self.ics.features)

    def exclusion(self, tags) -> str | None:
        """Why the ICS excludes a scenario with these tags, or None when it applies."""
        for tag in tags:
            if tag in FEATURES and tag not in self.ics.features:
                return f"the ICS of {self.source} excludes feature {tag}"
        for row in (*SERVICES.values(), *EVENTS.values()):
            if row.req_id in tags:
                kind = "services" if isinstance(row, Service) else "events"
                if row.number not in getattr(self.ics, kind):
                    return f"the ICS of {self.source} excludes {kind[:-1]} {row.number} ({row.req_id})"
        return None

    def _revalidated(self, raw: dict) -> Profile:
        return Profile.from_dict(raw, self.source)

    def with_switch(self, switch: str) -> Profile:
        """The same profile with target.switch replaced (validated)."""
        raw = self.model_dump(by_alias=True, exclude_defaults=True)
        raw.setdefault("target", {})["switch"] = switch
        return self._revalidated(raw)

    def is_live(self, tserver: str | None = None) -> bool:
        """Whether the DNs are on a real T-Server or switch, shared by whoever runs against it."""
        return (tserver or self.tserver) != "sim" or self.switch not in ("sim", "local")

    def for_worker(self, worker: str | None, count: int = 1, tserver: str | None = None) -> Profile:
        """The profile a pytest-xdist worker (``gw0``, ``gw1``, ...) uses: pixit.workers[i] over pixit.dns.

        A serial run (worker None) uses pixit.dns. Against a live target every worker of a
        parallel run needs its own entry; the embedded simulator (one per worker) does not.

        >>> p = Profile.from_dict({"pixit": {"workers": [{}, {"dns": {"guest": "5101"}}]}})
        >>> p.for_worker("gw1", 2).dn("guest"), p.for_worker("gw1", 2).dn("host"), p.for_worker(None).dn("guest")
        ('5101', '6001', '5001')
        """
        if worker is None:
            return self
        index = int(worker.removeprefix("gw"))
        self.check_workers(count, tserver)
        if index >= len(self.pixit.workers):
            return self
        raw = self.model_dump(by_alias=True, exclude_defaults=True)
        dns = raw.setdefault("pixit", {}).setdefault("dns", {})
        dns.update(self.pixit.workers[index].dns.model_dump(exclude_none=True))
        return self._revalidated(raw)

    def check_workers(self, count: int, tserver: str | None = None) -> None:
        """A ProfileError when `count` parallel workers against a live target lack their own DNs."""
        given = len(self.pixit.workers)
        if count > 1 and self.is_live(tserver) and given < count:
            raise ProfileError(self.source, [Problem(
                "pixit.workers", f"{given} DN set(s)",
                f"{count} workers against the live target {tserver or self.tserver} (switch {self.switch}) "
                f"need one DN set each (gw0 to gw{count - 1}); give more, or run fewer workers")])

    @property
    def switch(self) -> str:
        return self.target.switch

    @property
    def tserver(self) -> str:
        return self.target.tserver

    @property
    def app_name(self) -> str:
        return self.application.name

    @property
    def app_password(self) -> str:
        return _effective(self.application, "password")

    def csta_credentials(self) -> tuple[str, str] | None:
        """(user, password) for the CSTA session, environment first; None when no user is set."""
        user = os.environ.get(self.csta.user_env) or self.csta.user
        return (user, _effective(self.csta, "password")) if user else None


# ---------------------------------------------------------------- sensitive fields

def _effective(model: BaseModel, name: str) -> str:
    """A field's value, or the environment variable its sibling ``<name>_env`` names, when set."""
    env = getattr(model, f"{name}_env", "")
    return (os.environ.get(env) if env else "") or str(getattr(model, name) or "")


def is_sensitive(model: type[BaseModel], name: str) -> bool:
    extra = model.model_fields[name].json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("sensitive"))


def sensitive_values(model: BaseModel) -> list[str]:
    """The values of the fields marked sensitive (environment first), which must never show.

    >>> sensitive_values(Profile.from_dict({"csta": {"password": "pw-1", "password_env": ""}}))
    ['pw-1']
    """
    found: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += sensitive_values(value)
        elif is_sensitive(type(model), name) and _effective(model, name):
            found.append(_effective(model, name))
    return found


# ---------------------------------------------------------------- error text

def _problem(error: dict) -> Problem:
    loc = tuple(error["loc"])
    path = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
    kind, value = error["type"], error.get("input", _ABSENT)
    parent = _model_at(loc[:-1]) if loc and isinstance(loc[-1], str) else None
    if parent and loc[-1] in parent.model_fields and is_sensitive(parent, loc[-1]):
        value = "***"  # a secret stays out of the error too
    if kind == "extra_forbidden":
        allowed = f"unknown key; allowed here: {', '.join(_keys_at(loc[:-1]))}"
    elif kind == "model_type":
        allowed = "must be a mapping"
    elif kind == "value_error":
        allowed = str(error["ctx"]["error"])
    elif kind == "literal_error":
        allowed = f"must be one of: {error['ctx']['expected']}"
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        sign = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">", "less_than": "<"}[kind]
        bound = next(iter(error["ctx"].values()))
        allowed = f"must be {sign} {bound:g}"
    else:
        allowed = error["msg"].replace("Input should be", "must be")
    return Problem(path, value, allowed)


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model at this location of a profile, or None where there is no model."""
    model: typing.Any = Profile
    for part in loc:
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        model = _model_of(field.annotation) if field else None
        if model is None:
            return None
    return model


def _keys_at(loc: tuple) -> list[str]:
    """The keys the model at this location accepts (aliases, as written in the file)."""
    model = _model_at(loc)
    return sorted(f.alias or n for n, f in model.model_fields.items()) if model else []


def _model_of(annotation) -> type[BaseModel] | None:
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def json_schema() -> dict:
    """The JSON Schema of a profile file."""
    return Profile.model_json_schema(by_alias=True)


def schema_text() -> str:
    """The JSON Schema as ``tsconform profile schema`` writes it (profiles/profile.schema.json)."""
    return json.dumps(json_schema(), indent=2) + "\n"
