"""A member downloads everything held about them, and is erased with the ledger kept whole."""

from __future__ import annotations

import json

from money.treasury_support import received_round, settled_round
from sqlalchemy import func, select
from support import PASSWORD, count_rows, text

from coop.domain.household import Fact
from coop.domain.notifications import NotificationKind
from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db
from coop.models import (
    Account,
    HouseholdFact,
    LedgerTransaction,
    Login,
    Membership,
    NotificationOptOut,
    OrderRequest,
    OutboxMessage,
    Posting,
    User,
    VolunteerEntry,
)
from coop.services.money.ledger import balances, household_balance_pence
from coop.services.money.settlement import settle_round
from coop.services.money.treasury import Carrier, Method, correct_bill, record_payment
from coop.services.people.household import Answer, update_facts
from coop.services.people.invitations import create_invitation
from coop.services.people.volunteering import log_hours


def _postings_by_account() -> dict[int, int]:
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(Posting.account_id, func.sum(Posting.amount_pence)).group_by(Posting.account_id)
        ).all()
    )


def _a_household_with_history(rounds):  # type: ignore[no-untyped-def]
    """Settle a round, take a payment, give facts, log time and turn a notice off."""
    settled_round(rounds, 2, 3, 1)
    household = rounds.households[0]
    record_payment(
        coop=rounds.coop,
        membership_id=household.id,
        amount_pence=500,
        method=Method.CASH,
        note="",
        by=rounds.coordinator,
    )
    update_facts(
        membership=household,
        answers={
            Fact.POSTCODE: Answer("pr1 5xx", consent=True),
            Fact.HOUSEHOLD_SIZE: Answer(4, consent=True),
            Fact.DISABILITY: Answer(1, consent=True),
        },
    )
    log_hours(
        coop=rounds.coop,
        membership_id=household.id,
        task_name="Packing",
        worked_on=rounds.clock.date(),
        minutes=90,
        logged_by=household.user,
        today=rounds.clock.date(),
    )
    db.session.add(
        NotificationOptOut(membership_id=household.id, kind=NotificationKind.ANNOUNCEMENT)
    )
    db.session.commit()
    return household


def test_a_member_downloads_everything_held_about_them_as_json(client, auth, rounds):
    household = _a_household_with_history(rounds)
    auth.login_as(household.user)

    response = client.get("/account/data.json")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == household.user.email
    assert [m["coop"] for m in data["memberships"]] == [rounds.coop.name]
    facts = {row["fact"]: row for row in data["household_facts"]}
    assert facts["postcode"]["value"] == "PR1 5XX"
    assert facts["disability"]["value"] == 1, "their own special-category fact is theirs to see"
    assert facts["household_size"]["consent_version"] == 1
    assert "I agree" in facts["household_size"]["consent_text"]
    assert data["orders"] and data["allocations"] and data["bills"]
    assert (
        sum(row["amount_pence"] for row in data["ledger"])
        == sum(row["amount_pence"] for row in data["bills"]) * -1 + 500
    )
    assert [(row["task"], row["minutes"]) for row in data["volunteer_hours"]] == [("Packing", 90)]
    assert [row["turned_off"] for row in data["notification_choices"]] == ["announcement"]
    assert data["logins"], "the device just used to sign in"


def test_the_readable_page_shows_the_same_data(client, auth, rounds):
    household = _a_household_with_history(rounds)
    auth.login_as(household.user)

    response = client.get("/account/data")
    page = text(response)

    assert response.headers["Cache-Control"] == "no-store"
    assert "PR1 5XX" in page and "Packing" in page
    assert "What your household told its co-op, and the consent it gave" in page
    assert 'href="/account/data.json"' in page


def test_the_account_page_links_to_your_data(client, auth, rounds):
    auth.login_as(rounds.households[0].user)
    page = text(client.get("/account"))
    assert 'href="/account/data"' in page and 'href="/account/erase"' in page


def test_a_member_is_erased_and_every_ledger_total_is_unchanged(client, auth, rounds, mailbox):
    household = _a_household_with_history(rounds)
    user_id, email, name = household.user.id, household.user.email, household.user.name
    before = _postings_by_account()
    auth.login_as(household.user)

    response = client.post("/account/erase", data={"password": PASSWORD})

    assert response.status_code == 302
    assert _postings_by_account() == before
    user = db.session.get(User, user_id)
    assert user.name == f"Former household #{user_id}"
    assert user.erased_at is not None and email not in user.email
    assert db.session.scalars(select(HouseholdFact)).all() == []
    assert db.session.scalars(select(Login).where(Login.user_id == user_id)).all() == []
    assert db.session.scalars(select(NotificationOptOut)).all() == []
    membership = db.session.get(Membership, household.id)
    assert membership.status is MembershipStatus.LEFT
    account = db.session.scalar(select(Account).where(Account.membership_id == household.id))
    assert account is not None, "the household account stays, under the former household's name"
    (former,) = [b for b in balances(coop=rounds.coop) if b.account_id == account.id]
    assert (former.name, former.balance_pence) == (
        f"Former household #{user_id}",
        before[account.id],
    )
    assert db.session.scalars(select(VolunteerEntry)).all(), "the co-op's hours stay"
    memos = db.session.scalars(select(LedgerTransaction.memo)).all()
    assert f"Cash from Former household #{user_id}" in memos
    assert not any(name in memo for memo in memos)
    kept = db.session.scalars(select(OutboxMessage)).all()
    assert all(message.recipient != email for message in kept)
    assert not any(name in message.body or email in message.body for message in kept)
    (notice,) = mailbox.to(rounds.coordinator.email)
    body = mailbox.body(notice)
    assert f"Former household #{user_id}" in body and name not in body
    assert client.get("/account").status_code == 302, "signed out"
    assert auth.login(email, PASSWORD).status_code == 200, "cannot sign in"


def test_erasure_withdraws_orders_in_a_round_still_open_and_keeps_settled_ones(
    client, auth, rounds
):
    household = _a_household_with_history(rounds)
    oats = rounds.product(name="Open oats")
    open_round = rounds.round(oats)
    rounds.ask(open_round, oats, household, 2)
    settled_orders = count_rows(OrderRequest, OrderRequest.round_id != open_round.id)
    assert count_rows(OrderRequest, OrderRequest.round_id == open_round.id) == 1
    auth.login_as(household.user)

    client.post("/account/erase", data={"password": PASSWORD})

    assert count_rows(OrderRequest, OrderRequest.round_id == open_round.id) == 0
    assert count_rows(OrderRequest, OrderRequest.round_id != open_round.id) == settled_orders


def test_erasure_needs_the_right_password_and_writes_nothing_without_it(client, auth, rounds):
    household = _a_household_with_history(rounds)
    auth.login_as(household.user)

    response = client.post("/account/erase", data={"password": "wrong"})

    assert response.status_code == 200
    assert '<p class="error" id="password-error">That is not your password.</p>' in text(response)
    db.session.expire_all()
    assert db.session.get(User, household.user.id).erased_at is None
    assert len(db.session.get(Membership, household.id).facts) == 3


def test_the_last_coordinator_cannot_be_erased(client, auth, rounds):
    auth.login_as(rounds.coordinator)

    page = text(client.get("/account/erase"))
    assert f"You are the last coordinator of {rounds.coop.name}." in page
    assert "<button" not in page.split("<main", 1)[1]
    response = client.post("/account/erase", data={"password": PASSWORD})

    assert f"You are the last coordinator of {rounds.coop.name}." in text(response)
    assert db.session.get(User, rounds.coordinator.id).erased_at is None
    assert (
        db.session.scalar(
            select(Membership.role).where(Membership.user_id == rounds.coordinator.id)
        )
        is Role.COORDINATOR
    )


def test_a_former_household_is_charged_for_a_round_it_was_in_but_not_emailed(
    client, auth, rounds, mailbox
):
    round_ = received_round(rounds, 6, 6)
    household, neighbour = rounds.households[0], rounds.households[1]
    auth.login_as(household.user)
    client.post("/account/erase", data={"password": PASSWORD})
    erased = db.session.get(User, household.user.id)

    settle_round(round_id=round_.id, by=rounds.coordinator)
    db.session.commit()
    correct_bill(
        round_=round_,
        membership=household,
        round_item_id=None,
        amount_pence=-100,
        carrier=Carrier.FUND,
        reason="Bag torn",
        by=rounds.coordinator,
    )
    db.session.commit()

    assert household_balance_pence(membership=household) < 0, "the round is still charged"
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert neighbour.user.email in recipients
    assert erased.email not in recipients
    assert mailbox.to(erased.email) == []


def test_the_download_lists_invitations_sent_to_the_persons_address_and_no_one_elses(
    client, auth, rounds, factory
):
    household = rounds.households[0]
    elsewhere = factory.coop(name="Lancaster Larder", slug="lancaster")
    for email in (household.user.email, rounds.households[1].user.email):
        create_invitation(
            coop=elsewhere, created_by=rounds.coordinator, email=email, link_for=lambda t: t
        )
    db.session.commit()
    auth.login_as(household.user)

    data = json.loads(client.get("/account/data.json").get_data(as_text=True))

    assert [row["coop"] for row in data["invitations"]] == ["Lancaster Larder"]
    assert "Invitations sent to your email address" in text(client.get("/account/data"))


def test_a_household_that_left_can_still_withdraw_every_fact_it_gave(client, auth, rounds):
    household = rounds.households[0]
    update_facts(
        membership=household,
        answers={
            Fact.HOUSEHOLD_SIZE: Answer(4, consent=True),
            Fact.DISABILITY: Answer(1, consent=True),
        },
    )
    household.status = MembershipStatus.LEFT
    db.session.commit()
    auth.login_as(household.user)
    assert client.get(f"/coops/{rounds.coop.slug}/household").status_code == 403

    page = text(client.get("/account/data"))
    assert f"Withdraw everything your household told {rounds.coop.name}" in page
    response = client.post(f"/account/data/facts/{household.id}/withdraw", follow_redirects=True)

    assert "no longer holds anything your household told it (2 withdrawn)" in text(response)
    db.session.expire_all()
    assert count_rows(HouseholdFact) == 0


def test_nobody_withdraws_another_households_facts(client, auth, rounds):
    other = rounds.households[1]
    update_facts(membership=other, answers={Fact.HOUSEHOLD_SIZE: Answer(2, consent=True)})
    db.session.commit()
    auth.login_as(rounds.households[0].user)

    assert client.post(f"/account/data/facts/{other.id}/withdraw").status_code == 404
    assert count_rows(HouseholdFact) == 1
