"""Conformance suite for the Test Payments API, and the reference server it is measured against."""

__version__ = "0.1.0"

__all__ = ["__version__"]
