"""Links to the other pages of a paged list (`templates/admin/catalogue/_pages.html`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import request, url_for

from coop.domain.numbers import whole_number


def page_number(text: str | None) -> int:
    """Return the page a query string asks for: 1 unless it is a whole number from 1 up.

    ASCII digits only, and no larger than the database counts, so "²" or
    ``page=10**30`` shows the first page instead of reaching a query.
    """
    return max(1, whole_number(text) or 1)


def this_page_with(args: dict[str, Any]) -> str:
    """Return the address of the page being shown, with *args* as its query string."""
    values: dict[str, Any] = {**(request.view_args or {}), **args}
    return url_for(request.endpoint or "", **values)


def page_url_keeping(keys: Iterable[str]) -> Callable[[int], str]:
    """Return a builder of this list's address for another page, keeping the search in *keys*."""
    kept: dict[str, Any] = {name: request.args[name] for name in keys if name in request.args}

    def page_url(page: int) -> str:
        return this_page_with({**kept, "page": page})

    return page_url
