"""Domain errors that handlers turn into clear 4xx responses."""

from __future__ import annotations


class DomainError(Exception):
    """A refused request: the message is shown to the user, nothing was changed."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409
