"""Errors the lib layer raises for bad input; views turn them into 4xx answers."""

from __future__ import annotations


class PeterSSLersError(Exception):
    """Base of the application's own errors."""


class InvalidRequest(PeterSSLersError):
    """Input the application cannot accept; nothing was changed.

    ``form_errors`` maps field names to messages, shown next to the field (HTML) or in
    the ``form_errors`` member of the JSON error body.
    """

    status = 400

    def __init__(self, message: str, form_errors: dict[str, str] | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.form_errors = form_errors or {}
        self.status = status


class NotFound(InvalidRequest):
    """An id or name that names nothing."""

    def __init__(self, message: str):
        super().__init__(message, status=404)


class Conflict(InvalidRequest):
    """The object is not in a state that allows the action."""

    def __init__(self, message: str, form_errors: dict[str, str] | None = None):
        super().__init__(message, form_errors, status=409)


MAX_ID = 2**31 - 1  # INTEGER primary keys (PostgreSQL int4)


def is_id(raw) -> bool:
    """A database id as text: ASCII digits only (``"²".isdigit()`` is true) and within INTEGER."""
    text = str(raw)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID
