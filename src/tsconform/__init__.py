"""tsconform: conformance suite for T-Server private services and the CSTA switch link."""

__version__ = "0.1.0"
