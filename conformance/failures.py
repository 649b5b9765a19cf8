"""Why a check failed, as data: re-exported from `conformance.checks.failure`, its home."""

from __future__ import annotations

from conformance.checks.failure import ConformanceFailure, Violation

__all__ = ["ConformanceFailure", "Violation"]
