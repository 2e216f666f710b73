"""Coordinators changing their co-op's settings."""

from __future__ import annotations

import pytest
from support import field_error, text

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


def test_the_form_shows_the_current_settings(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

    page = text(client.get("/coops/fishwick/admin/settings"))

    assert 'value="Fishwick Food Co-op"' in page
    assert 'value="20"' in page
    assert (
        '<input checked id="joining_policy-1" name="joining_policy" type="radio" value="approval">'
        in page
    )


def test_changing_the_settings(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

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
    coop = two_coops.coop
    assert (coop.name, coop.pickup_address, coop.household_cap, coop.joining_policy) == (
        "Fishwick Food Club",
        "St Teresa's Hall",
        12,
        JoiningPolicy.OPEN,
    )


def test_a_cap_below_the_active_households_is_refused_at_the_cap_field(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

    response = client.post(
        "/coops/fishwick/admin/settings", data=settings(name="Renamed", household_cap="2")
    )

    assert response.status_code == 200
    assert (
        'id="household_cap-error">The co-op already has 3 active households; '
        "the cap cannot be lower.</p>"
    ) in text(response)
    db.session.expire_all()
    assert (two_coops.coop.name, two_coops.coop.household_cap) == ("Fishwick Food Co-op", 20)


def test_an_empty_name_is_refused_at_the_name_field(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

    response = client.post("/coops/fishwick/admin/settings", data=settings(name="  "))

    assert 'id="name-error">Enter the co-op\'s name.</p>' in text(response)
    db.session.expire_all()
    assert two_coops.coop.name == "Fishwick Food Co-op"


def test_a_pickup_address_longer_than_500_characters_is_refused_at_its_field(
    client, auth, two_coops
):
    auth.login_as(two_coops.coordinator)

    response = client.post(
        "/coops/fishwick/admin/settings", data=settings(pickup_address="x" * 501)
    )

    assert field_error(text(response), "pickup_address") == "Use at most 500 characters."
    db.session.expire_all()
    assert two_coops.coop.pickup_address == "Community Centre, 1 Market Street"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12.5", "Enter a whole number from 1 to 500."),
        ("0", "Enter a whole number from 1 to 500."),
        ("", "Enter the largest number of households."),
    ],
)
def test_a_cap_that_is_not_a_whole_number_in_range_says_what_to_type(
    client, auth, two_coops, typed, message
):
    auth.login_as(two_coops.coordinator)

    response = client.post("/coops/fishwick/admin/settings", data=settings(household_cap=typed))

    assert field_error(text(response), "household_cap") == message


def test_empty_settings_say_what_is_missing(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

    blank = {"name": "", "pickup_address": "", "household_cap": "", "joining_policy": "x"}
    page = text(client.post("/coops/fishwick/admin/settings", data=blank))

    assert field_error(page, "name") == "Enter the co-op's name."
    assert field_error(page, "household_cap") == "Enter the largest number of households."
    assert field_error(page, "joining_policy") == "Choose how households join."
    assert "This field is required." not in page and "Not a valid" not in page


def test_the_joining_policy_is_chosen_with_labelled_radio_buttons(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

    page = text(client.get("/coops/fishwick/admin/settings"))

    assert "<legend>How households join</legend>" in page
    assert '<label for="joining_policy-0">Open: anyone may join</label>' in page
    assert "<select" not in page
