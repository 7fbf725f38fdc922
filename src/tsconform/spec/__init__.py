"""The documented services, events and error table (see catalogue)."""
from .catalogue import (  # noqa: F401
    CSTA_ERROR_CODES, EPIC, ERRORS, EVENTS, FEATURES, SERVICES, AttrRow, ErrorCase, Event,
    Service, csta_to_tlib_error, error, error_for_csta, event_for_service, requirement, requirement_ids,
    resolve_key,
)
