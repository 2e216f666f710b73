"""Helpers any test module may import (``from support import ...``).

pytest puts ``tests/`` on the import path for ``conftest.py``, so this module
is found the same way as ``from conftest import PASSWORD``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.services.errors import ServiceError


def text(response: Any) -> str:
    """Return a response's page as a person reads it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, field: str) -> str | None:
    """Return the error shown next to a form field on *page*, if any."""
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else None


def count_rows(model: Any, *where: Any) -> int:
    """Return how many rows of *model*'s table match *where*, as the database sees it."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def refusal_message(action: Callable[[], Any], field: str | None = None) -> str:
    """Run a service that must refuse, roll back, and return its message.

    With *field*, also check the refusal names that form field.
    """
    with pytest.raises(ServiceError) as caught:
        action()
    db.session.rollback()
    if field is not None:
        assert caught.value.field == field
    return caught.value.message


# Chromium comes from Debian (``apt-get install chromium``): Playwright cannot
# download its own browsers here, so it is pointed at ``/usr/bin/chromium``.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
