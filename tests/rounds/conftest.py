"""Fixtures for rounds: a co-op with households and a supplier, ready for rounds."""

from __future__ import annotations

import pytest

from rounds.builders import RoundWorld, build_round_world


@pytest.fixture
def rounds(app, factory) -> RoundWorld:
    return build_round_world(factory)
