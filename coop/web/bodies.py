"""How much of a request body is read: a file upload's worth only where files are sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Request, current_app

View = TypeVar("View", bound=Callable[..., Any])

# The memory a large upload's parser may hold at once (see `max_form_memory_size`).
LARGE_UPLOAD_MEMORY = 1024 * 1024


def large_upload(setting: str) -> Callable[[View], View]:
    """Let a view take an upload up to the size in config *setting* (the national postcode file).

    Werkzeug spools a file part of more than 500 KB to a temporary file, so
    a large upload is on disk, never in memory.
    """

    def mark(view: View) -> View:
        view.upload_limit_setting = setting  # type: ignore[attr-defined]
        return view

    return mark


class SizedRequest(Request):
    """A request whose body limit depends on what it carries.

    ``multipart/form-data`` (the price-list upload) may be up to
    ``MAX_CONTENT_LENGTH``, or a view's own `large_upload` limit; anything
    else, a plain form or JSON, up to
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
            setting = self._upload_limit_setting()
            return int(current_app.config[setting]) if setting else limit
        plain: int | None = current_app.config.get("MAX_FORM_CONTENT_LENGTH")
        if limit is None or plain is None:
            return limit if plain is None else plain
        return min(limit, plain)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        limit = super().max_form_memory_size
        if self._max_form_memory_size is not None or not current_app or limit is None:
            return limit
        # Werkzeug holds a file part's last partial line with the next 64 KB it
        # reads and checks the two against this limit, so a large upload needs room.
        return max(limit, LARGE_UPLOAD_MEMORY) if self._upload_limit_setting() else limit

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    def _upload_limit_setting(self) -> str | None:
        view = current_app.view_functions.get(self.endpoint or "")
        setting: str | None = getattr(view, "upload_limit_setting", None)
        return setting
