"""The error services raise when a request cannot be carried out."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule stopped the use case; nothing was written.

    *message* is fit to show the person who asked; *field* names the form
    field it belongs to, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
