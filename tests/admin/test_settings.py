"""Coordinators changing their co-op's settings."""

from __future__ import annotations

from support import text

from coop.domain.roles import JoiningPolicy
from coop.extensions import db


def settings(**changes: str) -> dict[str, str]:
    data = {
        "name": "Fishwick Food Co-op",
        "pickup_address": "Community Centre, 1 Market Street",
        "household_cap": "20",
        "joining_policy": "approval",
    }
    data.update(changes)
    return data


def test_the_form_shows_the_current_settings(client, auth, world):
    auth.login_as(world.coordinator)

    page = text(client.get("/coops/fishwick/admin/settings"))

    assert 'value="Fishwick Food Co-op"' in page
    assert 'value="20"' in page
    assert '<option selected value="approval">' in page


def test_changing_the_settings(client, auth, world):
    auth.login_as(world.coordinator)

    response = client.post(
        "/coops/fishwick/admin/settings",
        data=settings(
            name="Fishwick Food Club",
            pickup_address="St Teresa's Hall",
            household_cap="12",
            joining_policy="open",
        ),
        follow_redirects=True,
    )

    assert "The co-op's settings are saved." in text(response)
    db.session.expire_all()
    coop = world.coop
    assert (coop.name, coop.pickup_address, coop.household_cap, coop.joining_policy) == (
        "Fishwick Food Club",
        "St Teresa's Hall",
        12,
        JoiningPolicy.OPEN,
    )


def test_a_cap_below_the_active_households_is_refused_at_the_cap_field(client, auth, world):
    auth.login_as(world.coordinator)

    response = client.post(
        "/coops/fishwick/admin/settings", data=settings(name="Renamed", household_cap="2")
    )

    assert response.status_code == 200
    assert (
        'id="household_cap-error">The co-op already has 3 active households; '
        "the cap cannot be lower.</p>"
    ) in text(response)
    db.session.expire_all()
    assert (world.coop.name, world.coop.household_cap) == ("Fishwick Food Co-op", 20)


def test_an_empty_name_is_refused_at_the_name_field(client, auth, world):
    auth.login_as(world.coordinator)

    response = client.post("/coops/fishwick/admin/settings", data=settings(name="  "))

    assert 'id="name-error">Enter the co-op\'s name.</p>' in text(response)
    db.session.expire_all()
    assert world.coop.name == "Fishwick Food Co-op"
