"""A member downloads everything held about them, and is erased with the ledger kept whole."""

from __future__ import annotations

import json

from council.support_world import linked_council, officer_of
from money.treasury_support import received_round, settled_round
from sqlalchemy import func, select
from support import PASSWORD, count_rows, text

from coop.domain.household import Fact
from coop.domain.notifications import NotificationKind
from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db
from coop.models import (
    Account,
    Allocation,
    Announcement,
    CatalogueImport,
    HouseholdFact,
    JobRun,
    LedgerTransaction,
    Login,
    Membership,
    NotificationOptOut,
    OrderRequest,
    OutboxMessage,
    Posting,
    PriceChange,
    ShareScope,
    SupportKind,
    SupportRecordChange,
    User,
    VolunteerEntry,
)
from coop.services.catalogue.feed import create_feed
from coop.services.money.ledger import balances, household_balance_pence
from coop.services.money.settlement import settle_round
from coop.services.money.treasury import Carrier, Method, correct_bill, record_payment
from coop.services.notices.announcements import post_announcement
from coop.services.people.household import Answer, update_facts
from coop.services.people.invitations import create_invitation
from coop.services.people.my_data import erase_person
from coop.services.people.volunteering import log_hours
from coop.services.rounds.allocations import set_allocation
from coop.services.rounds.packing import record_collection
from coop.services.support.records import (
    SupportDetails,
    decide_support_record,
    propose_support_record,
)


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


# --- what a person did for a co-op or council ------------------------------------------

HANA, HANA_EMAIL = "Hana Hughes", "hana.hughes@example.org"
NEWCOMER = "newcomer@example.org"


def _a_coordinator_who_did_everything(rounds):  # type: ignore[no-untyped-def]
    """The coordinator runs a round, takes a payment, corrects a bill, writes, logs and invites."""
    household = rounds.households[0]
    household.user.name, household.user.email = HANA, HANA_EMAIL
    coordinator = rounds.coordinator
    round_ = received_round(rounds, 2, 3, 1)
    allocation = db.session.scalar(
        select(Allocation).where(
            Allocation.round_id == round_.id, Allocation.membership_id == household.id
        )
    )
    set_allocation(
        round_id=round_.id,
        allocation_id=allocation.id,
        units=1,
        reason=f"{HANA} asked for one only",
        by=coordinator,
    )
    record_collection(
        round_id=round_.id, membership_id=household.id, collected=True, by=coordinator
    )
    db.session.commit()
    settle_round(round_id=round_.id, by=coordinator)
    record_payment(
        coop=rounds.coop,
        membership_id=household.id,
        amount_pence=500,
        method=Method.CASH,
        note="",
        by=coordinator,
    )
    correct_bill(
        round_=round_,
        membership=household,
        round_item_id=None,
        amount_pence=-100,
        carrier=Carrier.FUND,
        reason="Bag torn",
        by=coordinator,
    )
    post_announcement(
        coop=rounds.coop,
        author=coordinator,
        subject="Packing on Saturday",
        body=f"Thank you, {HANA}, for packing last week.",
    )
    log_hours(
        coop=rounds.coop,
        membership_id=household.id,
        task_name="Driving",
        worked_on=rounds.clock.date(),
        minutes=60,
        logged_by=coordinator,
        today=rounds.clock.date(),
    )
    create_invitation(
        coop=rounds.coop, created_by=coordinator, email=NEWCOMER, link_for=lambda t: t
    )
    db.session.add_all(
        [
            OutboxMessage(
                recipient=coordinator.email,
                subject=f"{HANA} has joined Fishwick Food",
                body=f"{HANA} ({HANA_EMAIL}) is now a member.\n",
                status="stored",
            ),
            OutboxMessage(
                recipient=coordinator.email,
                subject="Reset your password",
                body="Open https://coop.example/reset/SECRET-TOKEN\n",
                status="stored",
                secret=True,
            ),
        ]
    )
    db.session.commit()
    return round_


def _download(client, auth, user):  # type: ignore[no-untyped-def]
    auth.logout()
    auth.login_as(user)
    response = client.get("/account/data.json")
    body = response.get_data(as_text=True)
    return json.loads(body), body


def test_a_coordinator_finds_what_they_did_for_the_co_op_in_their_download(client, auth, rounds):
    round_ = _a_coordinator_who_did_everything(rounds)

    data, _ = _download(client, auth, rounds.coordinator)

    recorded = {(row["kind"], row["amount_pence"], row["memo"]) for row in data["ledger_recorded"]}
    assert ("payment", 500, "Cash from a household") in recorded
    assert ("adjustment", 100, f"{round_.title}: correction for a household: Bag torn") in (
        recorded
    )
    assert any(row["kind"] == "settlement" for row in data["ledger_recorded"])
    (announcement,) = data["announcements_written"]
    assert announcement["subject"] == "Packing on Saturday"
    assert announcement["body"] == "Thank you, [someone else], for packing last week."
    assert {(row["round"], row["what"]) for row in data["rounds_run"]} >= {
        (round_.title, "created"),
        (round_.title, "settled"),
    }
    (manual,) = data["allocations_set"]
    assert (manual["household"], manual["units"], manual["reason"]) == (
        "a household",
        1,
        "a household asked for one only",
    )
    assert [row["household"] for row in data["collections_recorded"]] == ["a household"]
    assert [
        (r["household"], r["task"], r["minutes"]) for r in data["volunteer_logged_for_others"]
    ] == [("a household", "Driving", 60)]
    assert [row["coop"] for row in data["invitations_created"]] == [rounds.coop.name]


def test_the_download_holds_the_emails_bodies_with_nobody_elses_name(client, auth, rounds):
    _a_coordinator_who_did_everything(rounds)

    data, _ = _download(client, auth, rounds.coordinator)

    by_subject = {row["subject"]: row for row in data["emails"]}
    joined = by_subject["[someone else] has joined Fishwick Food"]
    assert joined["body"] == "[someone else] ([someone else]) is now a member.\n"
    assert joined["status"] == "stored" and joined["written_at"]
    reset = by_subject["Reset your password"]
    assert "SECRET-TOKEN" not in reset["body"] and "sign-in link" in reset["body"]


def test_a_coordinators_download_names_no_household_nor_the_person_invited(client, auth, rounds):
    _a_coordinator_who_did_everything(rounds)

    _, whole = _download(client, auth, rounds.coordinator)

    assert rounds.coordinator.name in whole, "their own name is theirs"
    for other in (HANA, HANA_EMAIL, NEWCOMER, *(h.user.name for h in rounds.households)):
        assert other.casefold() not in whole.casefold()


def test_an_erased_household_is_a_household_in_the_coordinators_download(client, auth, rounds):
    _a_coordinator_who_did_everything(rounds)
    household = rounds.households[0]
    erase_person(user=household.user, password=PASSWORD)
    db.session.commit()

    data, whole = _download(client, auth, rounds.coordinator)

    assert "Cash from a household" in [row["memo"] for row in data["ledger_recorded"]]
    assert "Former household" not in whole and HANA not in whole


def test_officers_and_coordinators_find_the_support_records_they_proposed_changed_or_decided(
    client, auth, rounds
):
    council = linked_council(rounds)
    officer = officer_of(rounds, council)
    rounds.households[0].user.name = HANA
    record = propose_support_record(
        coop=rounds.coop,
        details=SupportDetails(
            programme="Household Support Fund",
            kind=SupportKind.GRANT,
            value_pence=60_000,
            awarded_on=rounds.clock.date(),
        ),
        by=rounds.coordinator,
    )
    decide_support_record(
        record=record, confirm=True, note=f"Agreed with {rounds.coordinator.name}.", by=officer
    )
    db.session.commit()

    coordinators, coordinators_text = _download(client, auth, rounds.coordinator)
    officers, officers_text = _download(client, auth, officer)

    assert [(r["programme"], r["you"], r["status"]) for r in coordinators["support_records"]] == [
        ("Household Support Fund", "proposed", "active")
    ]
    assert [(r["programme"], r["you"]) for r in officers["support_records"]] == [
        ("Household Support Fund", "decided")
    ]
    assert [(r["field"], r["old"], r["new"]) for r in officers["support_changes"]] == [
        ("status", "proposed", "active"),
        ("decision_note", "", "Agreed with [someone else]."),
    ]
    assert ("status", "", "proposed") in [
        (r["field"], r["old"], r["new"]) for r in coordinators["support_changes"]
    ]
    assert officer.name not in coordinators_text and officer.email not in coordinators_text
    for other in (rounds.coordinator.name, rounds.coordinator.email, HANA):
        assert other not in officers_text


def test_the_readable_page_has_a_heading_and_table_for_each_thing_done(client, auth, rounds):
    _a_coordinator_who_did_everything(rounds)
    auth.login_as(rounds.coordinator)

    page = text(client.get("/account/data"))

    for heading in (
        "Money and corrections you recorded in a co-op's ledger (pence)",
        "Announcements you wrote",
        "Volunteer time you logged for other households (minutes)",
        "Invitations you created",
        "Changes you made to council support records",
    ):
        assert heading in page
    assert '<h2 id="announcements_written">' in page
    assert '<th scope="col">Memo</th>' in page
    assert "Cash from a household" in page and HANA not in page


def test_a_coordinator_finds_catalogue_work_and_long_jobs_they_started(client, auth, rounds):
    coordinator = rounds.coordinator
    oats = rounds.product(name="Porridge oats")
    rounds.supplier.share_scope = ShareScope.PLATFORM
    create_feed(supplier=rounds.supplier, label="Lancaster Larder", created_by=coordinator)
    db.session.add_all(
        [
            PriceChange(
                product_id=oats.id,
                changed_by_id=coordinator.id,
                old_case_price_pence=1200,
                new_case_price_pence=1300,
                old_vat_bp=0,
                new_vat_bp=0,
                reason="edit",
            ),
            CatalogueImport(
                supplier_id=rounds.supplier.id,
                uploaded_by_id=coordinator.id,
                filename="northern-may.csv",
                content=b"code,name\n",
                catalogue_digest="0" * 64,
            ),
            JobRun(
                kind="catalogue_import",
                title="Import northern-may.csv",
                started_by_id=coordinator.id,
            ),
        ]
    )
    db.session.commit()

    data, _ = _download(client, auth, coordinator)

    assert [
        (r["product"], r["old_case_price_pence"], r["new_case_price_pence"])
        for r in data["price_changes"]
    ] == [("Porridge oats", 1200, 1300)]
    assert [(r["supplier"], r["label"]) for r in data["catalogue_feeds"]] == [
        ("Northern Wholefoods", "Lancaster Larder")
    ]
    assert [r["file"] for r in data["catalogue_imports"]] == ["northern-may.csv"]
    assert [(r["job"], r["status"]) for r in data["jobs_started"]] == [
        ("Import northern-may.csv", "queued")
    ]
    assert "Long jobs you started" in text(client.get("/account/data"))


def test_an_invitation_the_person_accepted_is_in_their_download(client, auth, rounds, factory):
    elsewhere = factory.coop(name="Lancaster Larder", slug="lancaster")
    invitation, _ = create_invitation(
        coop=elsewhere, created_by=rounds.coordinator, email=None, link_for=lambda t: t
    )
    household = rounds.households[0]
    invitation.accepted_by_id, invitation.accepted_at = household.user.id, rounds.clock
    db.session.commit()

    data, whole = _download(client, auth, household.user)

    assert [row["coop"] for row in data["invitations"]] == ["Lancaster Larder"]
    assert rounds.coordinator.name not in whole


def test_erasure_takes_the_name_out_of_announcements_and_support_notes(rounds):
    council = linked_council(rounds)
    officer = officer_of(rounds, council)
    household = rounds.households[0]
    household.user.name = HANA
    post_announcement(
        coop=rounds.coop,
        author=rounds.coordinator,
        subject=f"Welcome {HANA}",
        body=f"Say hello to {HANA} on Saturday.",
    )
    record = propose_support_record(
        coop=rounds.coop,
        details=SupportDetails(
            programme="Household Support Fund",
            kind=SupportKind.GRANT,
            value_pence=60_000,
            awarded_on=rounds.clock.date(),
        ),
        by=rounds.coordinator,
    )
    decide_support_record(record=record, confirm=True, note=f"{HANA} told us of it.", by=officer)
    db.session.commit()

    erase_person(user=household.user, password=PASSWORD)
    db.session.commit()

    announcement = db.session.scalar(select(Announcement))
    assert (announcement.subject, announcement.body) == (
        "Welcome [erased]",
        "Say hello to [erased] on Saturday.",
    )
    assert record.decision_note == "[erased] told us of it."
    notes = db.session.scalars(select(SupportRecordChange.new_value)).all()
    assert "[erased] told us of it." in notes and not any(HANA in note for note in notes)
