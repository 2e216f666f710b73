"""The ``flask --app coop`` commands for setting up councils, co-ops and people."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from support import count_rows

from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from coop.extensions import db
from coop.models import Coop, Council, CouncilOfficer, User
from coop.services.people.passwords import verify_password


def _admin(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_create_admin_makes_a_platform_admin(runner):
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Alex@Example.org",
            "--name",
            "Alex Admin",
            "--password",
            "tea-and-biscuits",
        ]
    )

    assert result.exit_code == 0, result.output
    assert "Created platform admin alex@example.org." in result.output
    user = _admin("alex@example.org")
    assert user.is_platform_admin
    assert verify_password(user.password_hash, "tea-and-biscuits")


def test_create_admin_asks_for_the_password_twice_when_not_given(runner):
    result = runner.invoke(
        args=["create-admin", "--email", "alex@example.org", "--name", "Alex"],
        input="tea-and-biscuits\ntea-and-biscuits\n",
    )

    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert verify_password(_admin("alex@example.org").password_hash, "tea-and-biscuits")


@pytest.mark.parametrize(
    ("args", "message", "model"),
    [
        pytest.param(
            ["create-admin", "--email", "a@example.org", "--name", "A", "--password", "short"],
            "Error: Use at least 10 characters.",
            User,
            id="create-admin-short-password",
        ),
        pytest.param(
            ["create-coop", "--name", "Fishwick", "--slug", "fishwick", "--council", "E07000999"],
            "Error: There is no council with GSS code E07000999.",
            Coop,
            id="create-coop-unknown-council",
        ),
        pytest.param(
            [
                *("create-coop", "--name", "Fishwick", "--slug", "fishwick"),
                *("--coordinator", "nobody@example.org"),
            ],
            "There is no account for nobody@example.org.",
            Coop,
            id="create-coop-unknown-coordinator",
        ),
    ],
)
def test_a_refused_command_says_why_and_creates_nothing(runner, args, message, model):
    result = runner.invoke(args=args)

    assert result.exit_code == 1
    assert message in result.output
    assert count_rows(model) == 0


@pytest.mark.parametrize(
    ("given", "args", "message", "model"),
    [
        pytest.param(
            lambda factory: factory.user(email="alex@example.org"),
            [
                *("create-admin", "--email", "ALEX@example.org", "--name", "Alex"),
                *("--password", "tea-and-biscuits"),
            ],
            "An account with this email address already exists.",
            User,
            id="create-admin-address-in-use",
        ),
        pytest.param(
            lambda factory: factory.council(gss_code="E07000123"),
            [
                *("create-council", "--name", "Again", "--gss", "E07000123"),
                *("--valid-from", "2020-01-01"),
            ],
            "Error: A council with GSS code E07000123 already exists.",
            Council,
            id="create-council-gss-code-in-use",
        ),
        pytest.param(
            lambda factory: factory.coop(slug="fishwick"),
            ["create-coop", "--name", "Again", "--slug", "fishwick"],
            "The address 'fishwick' is already taken by another co-op.",
            Coop,
            id="create-coop-slug-taken",
        ),
    ],
)
def test_a_command_refuses_what_is_already_taken(runner, factory, given, args, message, model):
    given(factory)

    result = runner.invoke(args=args)

    assert result.exit_code == 1
    assert message in result.output
    assert count_rows(model) == 1


def test_create_council_adds_a_council(runner):
    result = runner.invoke(
        args=[
            *("create-council", "--name", "Preston City Council", "--gss", "e07000123"),
            *("--valid-from", "1974-04-01", "--valid-to", "2028-03-31"),
        ]
    )

    assert result.exit_code == 0, result.output
    assert "Created council Preston City Council (E07000123)." in result.output
    council = db.session.scalar(select(Council))
    assert (council.valid_from, council.valid_to) == (date(1974, 4, 1), date(2028, 3, 31))


def test_create_council_refuses_a_date_that_is_not_a_date(runner):
    result = runner.invoke(
        args=["create-council", "--name", "C", "--gss", "E07000123", "--valid-from", "1/4/1974"]
    )

    assert result.exit_code == 2
    assert "--valid-from" in result.output
    assert count_rows(Council) == 0


def test_create_coop_adds_a_co_op_in_a_council_with_a_coordinator(runner, factory):
    council = factory.council(gss_code="E07000123")
    cath = factory.user(email="cath@example.org")

    result = runner.invoke(
        args=[
            *("create-coop", "--name", "Fishwick Food Co-op", "--slug", "fishwick-food"),
            *("--council", "E07000123", "--from", "2024-04-01", "--cap", "15"),
            *("--policy", "open", "--pickup", "Community Hall, 12 Example Road"),
            *("--coordinator", "cath@example.org"),
        ]
    )

    assert result.exit_code == 0, result.output
    assert "Created co-op Fishwick Food Co-op at /coops/fishwick-food/." in result.output
    coop = db.session.scalar(select(Coop))
    assert (coop.household_cap, coop.joining_policy, coop.pickup_address) == (
        15,
        JoiningPolicy.OPEN,
        "Community Hall, 12 Example Road",
    )
    assert [(link.council, link.starts_on) for link in coop.council_links] == [
        (council, date(2024, 4, 1))
    ]
    (membership,) = coop.memberships
    assert (membership.user, membership.role, membership.status) == (
        cath,
        Role.COORDINATOR,
        MembershipStatus.ACTIVE,
    )


def test_create_coop_defaults_to_a_cap_of_20_and_approval(runner):
    result = runner.invoke(args=["create-coop", "--name", "Fishwick", "--slug", "fishwick"])

    assert result.exit_code == 0, result.output
    coop = db.session.scalar(select(Coop))
    assert (coop.household_cap, coop.joining_policy, coop.council_links) == (
        20,
        JoiningPolicy.APPROVAL,
        [],
    )


def test_appoint_coordinator_makes_a_person_coordinator(runner, factory):
    coop = factory.coop(name="Fishwick Food Co-op", slug="fishwick")
    member = factory.member(coop, user=factory.user(name="Mo Member"))

    result = runner.invoke(
        args=["appoint-coordinator", "--coop", "fishwick", "--email", member.email]
    )

    assert result.exit_code == 0, result.output
    assert "Mo Member is now a coordinator of Fishwick Food Co-op." in result.output
    db.session.expire_all()
    assert member.memberships[0].role is Role.COORDINATOR


def test_appoint_coordinator_refuses_an_unknown_co_op(runner, factory):
    person = factory.user()

    result = runner.invoke(
        args=["appoint-coordinator", "--coop", "nowhere", "--email", person.email]
    )

    assert result.exit_code == 1
    assert "Error: There is no co-op at 'nowhere'." in result.output


def test_appoint_coordinator_refuses_a_full_co_op(runner, factory):
    coop = factory.coop(name="Fishwick", slug="fishwick", household_cap=1)
    factory.member(coop)
    person = factory.user()

    result = runner.invoke(
        args=["appoint-coordinator", "--coop", "fishwick", "--email", person.email]
    )

    assert result.exit_code == 1
    assert "Error: Fishwick is full: it has 1 of 1 households." in result.output


def test_appoint_officer_makes_a_person_an_officer(runner, factory):
    factory.council(name="Preston City Council", gss_code="E07000123")
    person = factory.user(name="Olu Officer", email="olu@example.org")

    result = runner.invoke(
        args=["appoint-officer", "--council", "E07000123", "--email", "olu@example.org"]
    )

    assert result.exit_code == 0, result.output
    assert "Olu Officer is now an officer of Preston City Council." in result.output
    assert db.session.scalar(select(CouncilOfficer.user_id)) == person.id


def test_appoint_officer_refuses_someone_without_an_account(runner, factory):
    factory.council(gss_code="E07000123")

    result = runner.invoke(
        args=["appoint-officer", "--council", "E07000123", "--email", "nobody@example.org"]
    )

    assert result.exit_code == 1
    assert "Error: There is no account for nobody@example.org." in result.output
    assert count_rows(CouncilOfficer) == 0
