"""Fixtures for money: the rounds world, and received rounds ready to settle."""

from __future__ import annotations

import pytest
from rounds.builders import RoundWorld, build_round_world


@pytest.fixture
def rounds(app, factory) -> RoundWorld:
    return build_round_world(factory)
