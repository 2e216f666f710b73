"""Fixtures for the co-op management pages."""

from __future__ import annotations

import pytest
from members.support import World, build_world


@pytest.fixture
def world(factory) -> World:
    return build_world(factory)
