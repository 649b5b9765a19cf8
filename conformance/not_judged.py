""" "Not judged" inside pytest: the skip a test raises when the run could not judge it.

A NotJudged error (budget spent, target silent, a setup step that failed) becomes this skip,
which Hypothesis re-raises at once instead of shrinking it as a failure; the run records it as
"not judged", never as "failed" or "skipped".
"""

from __future__ import annotations

import pytest

__all__ = ["NotJudgedSkip"]


class NotJudgedSkip(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """A skip that means 'could not judge'; Hypothesis re-raises skips without shrinking."""
