"""ECMA-323 (CSTA XML) on the switch link: framing, documents, services, events, sessions.

Modules: framing (8-byte header, invoke IDs), xml (namespaces, safe parsing), errors
(CSTAErrorCode), services (requests and responses), events, account_codes, private (the
Genesys private elements), session (handshakes, credentials), endpoint (one link end), devices
(device identifier forms), schema (structural check against a JSON model of the schemas).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from .errors import CstaError  # noqa: F401
from .framing import CstaFrameError, Frame, FrameDecoder, InvokeIds, encode_frame, read_frame  # noqa: F401
from .private import DEFAULT_PRIVATE_NAMESPACE, ESCAPE_NAMES
from .session import HANDSHAKES, Credentials  # noqa: F401
from .xml import DEFAULT_NAMESPACE, CstaMessage, CstaXmlError, namespace_uri, parse  # noqa: F401


@dataclass(frozen=True)
class Dialect:
    """What varies between CSTA peers: namespace (ed3/ed4/ed6 or a URI), private namespace,
    Escape's root element name."""

    namespace: str = DEFAULT_NAMESPACE
    private_namespace: str = DEFAULT_PRIVATE_NAMESPACE
    escape_name: str = "Escape"

    def __post_init__(self):
        object.__setattr__(self, "namespace", namespace_uri(self.namespace))
        if self.escape_name not in ESCAPE_NAMES:
            raise UsageError(f"escape_name must be one of {ESCAPE_NAMES}, got {self.escape_name!r}")
        if not self.private_namespace:
            raise UsageError("the private namespace must not be empty")
