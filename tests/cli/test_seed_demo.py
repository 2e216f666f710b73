"""``flask --app coop seed-demo``: demo data a newcomer can log in to at once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from support import count_rows

from coop.domain.household import Fact
from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from coop.extensions import db
from coop.models import Coop, Council, CouncilOfficer, Invitation, Membership, User

LOGIN_LINE = re.compile(r"^(\S+@example\.org)\s{2,}(.+?)\s{2,}(\S+)$", re.M)


def _logins(output: str) -> list[tuple[str, str, str]]:
    return LOGIN_LINE.findall(output)


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["seed-demo", "--no-history"])
    assert result.exit_code == 0, result.output
    return result


def test_seed_demo_loads_a_council_two_co_ops_and_their_people(seeded):
    council = db.session.scalar(select(Council))
    assert (council.name, council.gss_code, str(council.valid_from)) == (
        "Preston City Council",
        "E07000123",
        "1974-04-01",
    )
    coops = db.session.scalars(select(Coop).order_by(Coop.name)).all()
    assert [(coop.name, coop.joining_policy) for coop in coops] == [
        ("Fishwick Food Co-op", JoiningPolicy.APPROVAL),
        ("Ribbleton Pantry", JoiningPolicy.OPEN),
    ]
    for coop in coops:
        assert [link.council for link in coop.council_links] == [council]
        assert "Preston" in coop.pickup_address
    roles = db.session.execute(
        select(Coop.name, Membership.role, func.count())
        .join(Membership.coop)
        .where(Membership.status == MembershipStatus.ACTIVE)
        .group_by(Coop.name, Membership.role)
    ).all()
    assert set(roles) == {
        ("Fishwick Food Co-op", Role.COORDINATOR, 1),
        ("Fishwick Food Co-op", Role.TREASURER, 1),
        ("Fishwick Food Co-op", Role.MEMBER, 8),
        ("Ribbleton Pantry", Role.COORDINATOR, 1),
        ("Ribbleton Pantry", Role.MEMBER, 4),
    }
    assert count_rows(CouncilOfficer) == 1
    assert count_rows(User, User.is_platform_admin) == 1
    assert count_rows(Membership, Membership.status == MembershipStatus.PENDING) == 1
    assert count_rows(Invitation, Invitation.accepted_at.is_(None)) == 1


def test_some_demo_households_have_a_size_and_a_consented_postcode(seeded):
    rows = db.session.scalars(select(Membership)).all()
    with_postcode = [row for row in rows if row.postcode]
    assert len(with_postcode) >= 4
    assert all(
        row.fact(Fact.POSTCODE).consent_version >= 1 and row.postcode.startswith("PR")
        for row in with_postcode
    )
    assert any(row.household_size for row in rows)
    emails = db.session.scalars(select(User.email)).all()
    assert all(email.endswith("@example.org") for email in emails)


def test_seed_demo_prints_every_demo_login_with_a_readable_password(seeded):
    logins = _logins(seeded.output)
    assert len(logins) == count_rows(User)
    roles = {role for _, role, _ in logins}
    for expected in ("platform admin", "council officer", "coordinator", "treasurer", "member"):
        assert any(expected in role for role in roles), expected
    assert all(len(password) >= 10 for _, _, password in logins)
    assert "/join/" in seeded.output


def test_every_printed_demo_login_works(app, seeded):
    # More logins than the limit allows one address in a minute.
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    logins = _logins(seeded.output)
    assert logins, f"no logins in:\n{seeded.output}"
    for email, role, password in logins:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, f"{email} ({role}) could not log in"
        assert not response.headers["Location"].startswith("/login")


def test_the_demo_officer_sees_the_preston_dashboard(app, seeded, auth, client):
    logins = {role: (email, password) for email, role, password in _logins(seeded.output)}
    email, password = next(value for role, value in logins.items() if "officer" in role)
    council = db.session.scalar(select(Council))
    auth.login(email, password)

    page = client.get(f"/councils/{council.id}/").get_data(as_text=True)

    assert "Fishwick Food Co-op" in page and "Ribbleton Pantry" in page
    assert "fewer than 10" in page


def test_seed_demo_with_if_empty_loads_once_and_still_prints_the_logins(runner):
    first = runner.invoke(args=["seed-demo", "--if-empty", "--no-history"])
    users = count_rows(User)
    second = runner.invoke(args=["seed-demo", "--if-empty", "--no-history"])

    assert first.exit_code == second.exit_code == 0
    assert "Demo data loaded." in first.output
    assert "no demo data was loaded" in second.output
    assert count_rows(User) == users
    assert count_rows(Coop) == 2
    assert _logins(second.output) == _logins(first.output)


def test_seed_demo_with_if_empty_leaves_a_database_in_use_alone(runner, factory):
    factory.user(email="someone@real.example")

    result = runner.invoke(args=["seed-demo", "--if-empty", "--no-history"])

    assert result.exit_code == 0
    assert count_rows(User) == 1
    assert count_rows(Council) == 0
    assert _logins(result.output) == []


def test_seed_demo_without_if_empty_refuses_to_load_twice(runner, seeded):
    users = count_rows(User)

    result = runner.invoke(args=["seed-demo", "--no-history"])

    assert result.exit_code == 1
    assert "Error: The demo data is already loaded." in result.output
    assert count_rows(User) == users
