"""Fixtures for the account tests."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.models import User

RESET_LINK = re.compile(r"https?://[^\s/]+(/password/reset/\S+)")


@pytest.fixture
def count_users() -> Callable[[], int]:
    """Return a function counting the rows in the users table."""
    return lambda: db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def reset_path() -> Callable[[str], str]:
    """Return a function finding the path of the reset link in an email body."""

    def find(body: str) -> str:
        match = RESET_LINK.search(body)
        assert match, f"no reset link in:\n{body}"
        return match.group(1)

    return find


@pytest.fixture
def person(factory) -> User:
    return factory.user(email="sam@example.org", name="Sam Patel")


@pytest.fixture
def field_error() -> Callable[[str, str], str | None]:
    """Return a function reading the error shown next to a field on a page."""

    def find(page: str, field: str) -> str | None:
        match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
        return html.unescape(match.group(1)) if match else None

    return find
