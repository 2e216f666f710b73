"""Helpers for the platform tests.

This folder is not a package: as one it would be named ``platform`` and
clash with the standard library module, so its modules have unique names.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import event, func, select

from coop.extensions import db


def count_rows(model) -> int:
    """Return how many rows *model*'s table holds, as the database sees it."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


class QueryCounter:
    """Count the SQL statements sent while the block runs."""

    def __init__(self) -> None:
        self.count = 0

    def _count(self, *args) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(db.engine, "before_cursor_execute", self._count)


def field_error(page: str, field: str) -> str | None:
    """Return the error shown next to a form field on *page*, if any."""
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else None


def text(response) -> str:
    """Return a response's page with entities unescaped, for plain-text checks."""
    return html.unescape(response.get_data(as_text=True))
