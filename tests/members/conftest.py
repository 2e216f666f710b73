"""Fixtures for the household-facing pages and the membership services."""

from __future__ import annotations

import pytest

from members.support import World, build_world


@pytest.fixture
def world(factory) -> World:
    return build_world(factory)
