"""Fixtures for catalogue sharing."""

from __future__ import annotations

import pytest

from sharing.support import FourCoops, build_four_coops


@pytest.fixture
def four_coops(factory) -> FourCoops:
    return build_four_coops(factory)
