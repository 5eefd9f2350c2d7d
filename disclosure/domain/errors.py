"""The errors a rule raises when input or a request breaks it. The web layer turns them into a
form's field errors (and keeps what was typed), the API into 4xx with field errors, the CLI into
a message and a non-zero exit. ``WorkflowError`` (a step not allowed now) is in ``workflow``."""
from __future__ import annotations


class ValidationFailed(Exception):
    """Field errors keyed by JSON path (API) — forms map them back onto their fields."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
