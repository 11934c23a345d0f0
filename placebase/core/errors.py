"""Stable error codes. A service raises a PlacebaseError subclass; views and the API turn the
code into a message or a status. Codes never change once published: add new ones instead."""


class PlacebaseError(Exception):
    code = "placebase.error"
    http_status = 400

    def __init__(self, message: str = "", *, code: str | None = None, **details: object) -> None:
        super().__init__(message or self.code)
        self.message = message or self.code
        if code:
            self.code = code
        self.details = details


class ValidationFailed(PlacebaseError):
    code = "placebase.validation_failed"


class PermissionDenied(PlacebaseError):
    code = "placebase.permission_denied"
    http_status = 403


class NotFound(PlacebaseError):
    """Raised by selectors when a record does not exist *or* the user may not see it."""

    code = "placebase.not_found"
    http_status = 404


class Conflict(PlacebaseError):
    """Someone else changed the record since it was read (optimistic locking)."""

    code = "placebase.conflict"
    http_status = 409


class ImportRejected(PlacebaseError):
    """An import found bad rows; nothing was written. `details["problems"]` lists them."""

    code = "placebase.import_rejected"
