"""Fixtures for the account tests."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from coop.models import User

RESET_LINK = re.compile(r"https?://[^\s/]+(/password/reset/\S+)")


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
