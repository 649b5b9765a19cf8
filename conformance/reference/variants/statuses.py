"""Other statuses inside the sets REQUIREMENTS.md accepts."""

from __future__ import annotations

from ..model import ApiError
from .registry import Variant, variant


@variant
class Validation422(Variant):
    name = "validation-422"
    summary = "invalid bodies get 422 with message as a list of strings (PAY-VALIDATION, ERR-SHAPE)"

    def validation_error(self, messages: list[str]) -> ApiError:
        return ApiError(422, messages)
