"""Household facts: each optional, each kept only with its own consent, versioned and dated."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support import text

from coop.domain.household import Fact, current_consent
from coop.extensions import db
from coop.models import HouseholdFact
from members.support import membership, snapshot

PAGE = "/coops/fishwick/household"


def _facts(two_coops, user) -> dict[Fact, HouseholdFact]:  # type: ignore[no-untyped-def]
    return {row.fact: row for row in membership(two_coops.coop, user).facts}


def test_each_consent_text_is_shown_beside_its_question(client, auth, two_coops):
    auth.login_as(two_coops.member)

    page = text(client.get(PAGE))

    for fact in Fact:
        assert current_consent(fact).text in page
        assert f'name="{fact.value}_consent"' in page


def test_every_fact_is_kept_with_the_consent_version_and_time(client, auth, two_coops, factory):
    person = factory.member(two_coops.coop)
    auth.login_as(person)

    response = client.post(
        PAGE,
        data={
            "postcode": "pr2  6ab",
            "postcode_consent": "y",
            "household_size": "4",
            "household_size_consent": "y",
            "children_under_5": "1",
            "children_under_5_consent": "y",
            "children_under_18": "2",
            "children_under_18_consent": "y",
            "pension_age": "no",
            "pension_age_consent": "y",
            "disability": "yes",
            "disability_consent": "y",
        },
        follow_redirects=True,
    )

    assert "Your household details are saved." in text(response)
    facts = _facts(two_coops, person)
    assert {fact: row.value for fact, row in facts.items()} == {
        Fact.POSTCODE: "PR2 6AB",
        Fact.HOUSEHOLD_SIZE: 4,
        Fact.CHILDREN_UNDER_5: 1,
        Fact.CHILDREN_UNDER_18: 2,
        Fact.PENSION_AGE: 0,
        Fact.DISABILITY: 1,
    }
    assert all(row.consent_version == current_consent(row.fact).version for row in facts.values())
    assert all(row.consented_at is not None for row in facts.values())


def test_a_fact_without_its_consent_is_refused_at_the_box_and_nothing_is_written(
    client, auth, two_coops
):
    auth.login_as(two_coops.member)
    before = snapshot()

    response = client.post(
        PAGE,
        data={
            "postcode": "PR1 5XX",
            "postcode_consent": "y",
            "household_size": "3",
            "household_size_consent": "y",
            "children_under_5": "1",
        },
    )

    assert (
        '<p class="error" id="children_under_5_consent-error">Tick the box to let the co-op '
        "keep this, or leave it empty.</p>"
    ) in text(response)
    assert snapshot() == before


def test_withdrawing_one_consent_removes_only_that_fact(client, auth, two_coops):
    auth.login_as(two_coops.member)

    client.post(
        PAGE,
        data={"postcode": "PR1 5XX", "postcode_consent": "y", "household_size": "3"},
    )

    facts = _facts(two_coops, two_coops.member)
    assert set(facts) == {Fact.POSTCODE}
    assert (
        db.session.scalars(
            select(HouseholdFact).where(HouseholdFact.fact == Fact.HOUSEHOLD_SIZE)
        ).all()
        == []
    )


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("PR1", "Enter a UK postcode, like PR1 5XX."),
        ("PR1 5CX", "Enter a UK postcode, like PR1 5XX."),
        ("12345", "Enter a UK postcode, like PR1 5XX."),
        ("PR1 5XX!", "Enter a UK postcode, like PR1 5XX."),
    ],
)
def test_a_malformed_postcode_is_refused_at_the_field(client, auth, two_coops, postcode, message):
    auth.login_as(two_coops.member)
    before = snapshot()

    response = client.post(PAGE, data={"postcode": postcode, "postcode_consent": "y"})

    assert f'<p class="error" id="postcode-error">{message}</p>' in text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"children_under_5": "3", "children_under_18": "2"},
            "children_under_18",
            "Count children under 5 among those under 18 too.",
        ),
        (
            {"household_size": "2", "children_under_18": "3"},
            "children_under_18",
            "That is more children than people in the household.",
        ),
        (
            {"children_under_5": "-1"},
            "children_under_5",
            "Enter a number of children from 0 to 30.",
        ),
        (
            {"children_under_18": "lots"},
            "children_under_18",
            "Enter a number of children from 0 to 30.",
        ),
    ],
)
def test_numbers_that_cannot_be_are_refused_at_the_field(
    client, auth, two_coops, factory, data, field, message
):
    person = factory.member(two_coops.coop)
    auth.login_as(person)
    ticked = {f"{name}_consent": "y" for name in data}
    before = snapshot()

    response = client.post(PAGE, data={**data, **ticked})

    assert f'<p class="error" id="{field}-error">{message}</p>' in text(response)
    assert snapshot() == before


def test_coordinators_see_the_postcode_but_never_the_disability_answer(client, auth, two_coops):
    auth.login_as(two_coops.member)
    client.post(
        PAGE,
        data={
            "postcode": "PR1 5XX",
            "postcode_consent": "y",
            "disability": "yes",
            "disability_consent": "y",
        },
    )
    auth.logout()
    auth.login_as(two_coops.coordinator)
    mina = membership(two_coops.coop, two_coops.member)

    pages = [
        text(client.get("/coops/fishwick/admin/members")),
        text(client.get(f"/coops/fishwick/admin/members/{mina.id}")),
    ]

    assert all("PR1 5XX" in page for page in pages)
    assert not any("isabilit" in page for page in pages)


def test_the_form_shows_what_the_household_gave(client, auth, two_coops):
    auth.login_as(two_coops.member)

    page = text(client.get(PAGE))

    assert 'value="PR1 5XX"' in page and 'value="3"' in page
    assert '<input checked id="postcode_consent" name="postcode_consent"' in page
    assert '<input checked id="disability_consent"' not in page
