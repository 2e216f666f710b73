"""The error services raise when a request cannot be carried out."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule stopped the use case; nothing was written.

    *message* is fit to show the person who asked; *field* names the form
    field it belongs to, when there is one; *code* says which refusal it is,
    for a caller that must tell refusals apart (the codes are defined beside
    the service that raises them), since a message's wording may change.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
