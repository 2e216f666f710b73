"""How much of a request body is read: a file upload's worth only where files are sent."""

from __future__ import annotations

from flask import Request, current_app


class SizedRequest(Request):
    """A request whose body limit depends on what it carries.

    ``multipart/form-data`` (the price-list upload) may be up to
    ``MAX_CONTENT_LENGTH``; anything else, a plain form or JSON, up to
    ``MAX_FORM_CONTENT_LENGTH``. Werkzeug applies ``MAX_FORM_MEMORY_SIZE`` to
    each text part of a multipart body only, so a plain form needs its own
    limit. A larger body is answered 413 before any of it is parsed.
    """

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if self._max_content_length is not None or not current_app:
            return limit
        if self.mimetype == "multipart/form-data":
            return limit
        plain: int | None = current_app.config.get("MAX_FORM_CONTENT_LENGTH")
        if limit is None or plain is None:
            return limit if plain is None else plain
        return min(limit, plain)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
