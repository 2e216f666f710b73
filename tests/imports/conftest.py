"""Fixtures for catalogue imports."""

from __future__ import annotations

import pytest

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import Supplier
from imports.support import Shop


@pytest.fixture
def shop(factory) -> Shop:
    coop = factory.coop(name="Fishwick Food", slug="fishwick")
    supplier = Supplier(coop=coop, name="Greens Wholesale")
    db.session.add(supplier)
    db.session.commit()
    return Shop(coop, factory.member(coop, Role.COORDINATOR), supplier)
