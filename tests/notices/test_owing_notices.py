"""Households that owe hear how much, with their bill and how to pay, as often as the co-op says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from money.statement_support import pay, settle
from sqlalchemy import update
from support import PASSWORD, field_error, text

from coop.domain.money import format_pence
from coop.domain.notifications import NotificationKind
from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db
from coop.models import LedgerTransaction, Membership, NotificationSent, Round
from coop.models.types import utcnow
from coop.services import notices
from coop.services.money.ledger import household_balance_pence
from coop.services.notices.owing import owing_key, owing_reminders, send_owing_reminders
from coop.services.people.my_data import ERASED_DOMAIN, erase_person

ABOUT = "you owe"
UNSUBSCRIBE = re.compile(r"Stop \"[^\"]+\" emails: (\S+)")


@dataclass
class Owing:
    round_: Round
    owes: Membership  # billed and never paid
    nearly_paid: Membership  # owes 50p, below the co-op's £1.00


def bills_days_ago(days: int = 2) -> None:
    """Move every ledger transaction *days* back, as if the bills went out then."""
    db.session.execute(update(LedgerTransaction).values(created_at=utcnow() - timedelta(days=days)))
    db.session.commit()


@pytest.fixture
def owing(rounds, mailbox) -> Owing:
    rounds.coop.owing_reminder_days = 7
    rounds.coop.owing_reminder_from_pence = 100
    db.session.commit()
    oats = rounds.product(name="Porridge oats", case_size=6, case_price_pence=1200)
    round_ = rounds.round(oats, title="December order")
    owes, nearly_paid = rounds.households[:2]
    rounds.ask(round_, oats, owes, 3)
    rounds.ask(round_, oats, nearly_paid, 3)
    settle(round_)
    pay(nearly_paid, -household_balance_pence(membership=nearly_paid) - 50)
    bills_days_ago()
    mailbox.messages.clear()
    return Owing(round_, owes, nearly_paid)


def reminded(mailbox) -> list[str]:
    return sorted(m["To"] for m in mailbox.messages if ABOUT in m["Subject"])


def test_a_household_owing_the_amount_hears_how_much_its_bill_and_how_to_pay_once(
    owing, rounds, mailbox, runner
):
    owed = -household_balance_pence(membership=owing.owes)
    assert owed == 600

    first = runner.invoke(args=["tick"])
    second = runner.invoke(args=["tick"])

    assert first.exit_code == 0, first.output
    assert first.output == f"Co-op {rounds.coop.id}: 1 household(s) reminded of what they owe.\n"
    assert reminded(mailbox) == [owing.owes.user.email]
    message = mailbox.to(owing.owes.user.email, ABOUT)[0]
    body = mailbox.body(message)
    assert "£6.00" in message["Subject"]
    assert f"shows {format_pence(owed)} owed" in body
    assert "Your latest bill, for 'December order', came to £6.00." in body
    assert f"/coops/fishwick/rounds/{owing.round_.id}/bill" in body
    assert "/coops/fishwick/statement" in body
    assert "in cash" in body and "bank transfer" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (second.exit_code, second.output) == (0, "")
    assert reminded(mailbox) == [owing.owes.user.email]


def test_reminders_are_off_until_the_co_op_turns_them_on(owing, rounds, mailbox, runner):
    rounds.coop.owing_reminder_days = None
    db.session.commit()

    assert runner.invoke(args=["tick"]).output == ""
    assert reminded(mailbox) == []


def test_nobody_below_the_co_ops_amount_is_reminded(owing, rounds, mailbox, runner):
    rounds.coop.owing_reminder_from_pence = 601
    db.session.commit()

    assert runner.invoke(args=["tick"]).output == ""

    rounds.coop.owing_reminder_from_pence = 50
    db.session.commit()
    runner.invoke(args=["tick"])
    assert reminded(mailbox) == sorted([owing.owes.user.email, owing.nearly_paid.user.email])


def test_a_bill_charged_within_the_day_holds_the_reminder_back(owing, mailbox, runner):
    bills_days_ago(0)

    assert runner.invoke(args=["tick"]).output == ""

    bills_days_ago(1)
    runner.invoke(args=["tick"])
    assert reminded(mailbox) == [owing.owes.user.email]


def test_the_reminder_comes_again_after_the_co_ops_days_and_not_before(
    owing, rounds, mailbox, runner
):
    runner.invoke(args=["tick"])
    now = utcnow()
    # The reminder, moved six days back, then eight.
    for days, output in ((6, ""), (8, f"Co-op {rounds.coop.id}: 1 household(s) reminded")):
        db.session.execute(
            update(NotificationSent)
            .where(NotificationSent.kind == NotificationKind.OWING_REMINDER)
            .values(sent_at=now - timedelta(days=days), key=owing_key(now - timedelta(days=days)))
        )
        db.session.commit()
        assert runner.invoke(args=["tick"]).output.startswith(output)
    assert len(mailbox.to(owing.owes.user.email, ABOUT)) == 2

    # The same by the clock the service is given: a week on, and then some.
    assert send_owing_reminders(coop=rounds.coop, now=now + timedelta(days=6)) == []
    assert send_owing_reminders(coop=rounds.coop, now=now + timedelta(days=8)) == [owing.owes]
    db.session.commit()
    assert len(mailbox.to(owing.owes.user.email, ABOUT)) == 3


def test_a_household_that_left_still_owing_is_reminded_with_its_statement(owing, mailbox, runner):
    owing.owes.status = MembershipStatus.LEFT
    db.session.commit()

    runner.invoke(args=["tick"])

    body = mailbox.body(mailbox.to(owing.owes.user.email, ABOUT)[0])
    assert "You have left Fishwick Food, but your account with it still shows £6.00 owed." in body
    assert "came to £6.00." in body
    # A household that left still reads its statement and bills.
    assert "/coops/fishwick/statement" in body and "/bill" in body
    assert "bank transfer" in body


def test_the_foot_of_a_reminder_to_a_household_that_left_says_it_was_a_member(
    owing, mailbox, runner
):
    owing.owes.status = MembershipStatus.LEFT
    db.session.commit()

    runner.invoke(args=["tick"])

    body = mailbox.body(mailbox.to(owing.owes.user.email, ABOUT)[0])
    assert "You get this because you were a member of Fishwick Food." in body
    assert "you are a member" not in body


def test_a_household_whose_person_was_erased_is_not_written_to_though_it_still_owes(
    owing, mailbox, runner
):
    erase_person(user=owing.owes.user, password=PASSWORD)
    db.session.commit()
    mailbox.messages.clear()
    assert -household_balance_pence(membership=owing.owes) == 600

    runner.invoke(args=["tick"])

    assert reminded(mailbox) == []
    assert not [m for m in mailbox.messages if ERASED_DOMAIN in m["To"]]


def test_unsubscribing_from_owing_reminders_stops_them_and_not_the_deadline_reminder(
    owing, rounds, mailbox, runner, client
):
    runner.invoke(args=["tick"])
    found = UNSUBSCRIBE.search(mailbox.body(mailbox.to(owing.owes.user.email, ABOUT)[0]))
    assert found
    assert client.post(urlsplit(found.group(1)).path).status_code == 200
    mailbox.messages.clear()

    assert send_owing_reminders(coop=rounds.coop, now=utcnow() + timedelta(days=8)) == []
    round_ = rounds.round(rounds.product(), title="January order")
    round_.closes_at = utcnow() + timedelta(hours=12)
    round_.opened_at = utcnow() - timedelta(days=3)
    db.session.commit()
    runner.invoke(args=["tick"])

    assert reminded(mailbox) == []
    assert mailbox.to(owing.owes.user.email, "January order")  # the deadline is near
    assert notices.choices(membership=owing.owes) == frozenset(NotificationKind) - {
        NotificationKind.OWING_REMINDER
    }


def test_a_job_for_a_co_op_that_is_gone_or_has_reminders_off_is_a_logged_no_op(
    owing, rounds, mailbox, caplog
):
    assert owing_reminders(coop_id=987654) == 0
    rounds.coop.owing_reminder_days = None
    db.session.commit()
    assert owing_reminders(coop_id=rounds.coop.id) == 0
    db.session.commit()

    assert mailbox.messages == []
    assert "co-op 987654 no longer exists" in caplog.text


# --- the co-op's settings -----------------------------------------------------------------


def settings(**changes: str) -> dict[str, str]:
    data = {
        "name": "Fishwick Food",
        "pickup_address": "Church hall, Fishwick Parade",
        "household_cap": "20",
        "joining_policy": "approval",
        "deadline_reminder_hours": "24",
        "owing_reminder_days": "",
        "owing_reminder_from_pence": "1.00",
    }
    data.update(changes)
    return data


SETTINGS = "/coops/fishwick/admin/settings"


def shown(page: str, name: str) -> str:
    """Return the value the page's input named *name* shows."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def test_the_settings_page_shows_the_reminders_deadline_on_and_owing_off(rounds, client, auth):
    auth.login_as(rounds.coordinator)

    page = text(client.get(SETTINGS))

    assert "Reminders by email" in page
    assert (
        shown(page, "deadline_reminder_hours"),
        shown(page, "owing_reminder_days"),
        shown(page, "owing_reminder_from_pence"),
    ) == ("24", "", "1.00")


def test_a_coordinator_turns_owing_reminders_on_and_the_deadline_reminder_off(rounds, client, auth):
    auth.login_as(rounds.coordinator)

    response = client.post(
        SETTINGS,
        data=settings(
            deadline_reminder_hours="",
            owing_reminder_days="14",
            owing_reminder_from_pence="£5.50",
        ),
        follow_redirects=True,
    )

    assert "The co-op's settings are saved." in text(response)
    db.session.expire_all()
    coop = rounds.coop
    assert (
        coop.deadline_reminder_hours,
        coop.owing_reminder_days,
        coop.owing_reminder_from_pence,
    ) == (None, 14, 550)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("deadline_reminder_hours", "0", "Enter a whole number of hours from 1 to 336"),
        ("deadline_reminder_hours", "a day", "Enter a whole number of hours from 1 to 336"),
        ("deadline_reminder_hours", "337", "Enter a whole number of hours from 1 to 336"),
        ("owing_reminder_days", "0", "Enter a whole number of days from 1 to 90"),
        ("owing_reminder_days", "2.5", "Enter a whole number of days from 1 to 90"),
        ("owing_reminder_from_pence", "five", "pounds"),
        ("owing_reminder_from_pence", "0", "Enter an amount above £0.00"),
    ],
)
def test_a_reminder_setting_that_makes_no_sense_is_refused_at_its_field(
    rounds, client, auth, field, value, message
):
    auth.login_as(rounds.coordinator)

    response = client.post(SETTINGS, data=settings(**{field: value}))

    assert response.status_code == 200
    error = field_error(text(response), field)
    assert error is not None and message in error, error
    db.session.expire_all()
    assert (rounds.coop.deadline_reminder_hours, rounds.coop.owing_reminder_days) == (24, None)


def test_a_treasurer_or_member_cannot_change_the_reminders(rounds, client, auth, factory):
    treasurer = factory.member(rounds.coop, Role.TREASURER)
    auth.login_as(treasurer)

    response = client.post(SETTINGS, data=settings(owing_reminder_days="7"))

    assert response.status_code == 403
    db.session.expire_all()
    assert rounds.coop.owing_reminder_days is None
