"""Fixtures for catalogue sharing."""

from __future__ import annotations

import pytest

from sharing.support import SharingWorld, build_world


@pytest.fixture
def world(factory) -> SharingWorld:
    return build_world(factory)
