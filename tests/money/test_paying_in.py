"""Households are told how to pay, with the co-op's bank account and their own payment reference."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from support import count_rows, field_error, layout_problems, text

from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db
from coop.models import Coop, LedgerTransaction, Posting
from coop.models.types import utcnow
from coop.services.money.ledger import household_balance_pence
from coop.services.money.paying_in import reference_of
from coop.services.notices.owing import send_owing_reminders
from money.statement_support import pay, settle
from money.treasury_support import treasurer

BASE = "/coops/fishwick"
STATEMENT = f"{BASE}/statement"
BANK_PAGE = f"{BASE}/admin/settings/bank"
PAYMENT = f"{BASE}/admin/money/payments/new"
NO_CARDS = (
    "Card payment is not available: Fishwick Food takes payments in cash or by bank transfer."
)
ACCOUNT = {
    "bank_account_name": "Fishwick Food Co-op",
    "bank_sort_code": "40 11 62",
    "bank_account_number": "31926819",
    "bank_roll_number": "",
    "cash_instructions": "At pickup, to the treasurer, in an envelope with your name.",
}


def with_bank(coop: Coop) -> Coop:
    coop.bank_account_name = "Fishwick Food Co-op"
    coop.bank_sort_code = "401162"
    coop.bank_account_number = "31926819"
    db.session.commit()
    return coop


def bill_url(round_) -> str:  # type: ignore[no-untyped-def]
    return f"{BASE}/rounds/{round_.id}/bill"


@pytest.fixture
def billed(rounds):  # type: ignore[no-untyped-def]
    """A settled round in which the first two households were billed."""
    oats = rounds.product(name="Porridge oats", case_size=6, case_price_pence=1200)
    round_ = rounds.round(oats, title="December order")
    for household in rounds.households[:2]:
        rounds.ask(round_, oats, household, 3)
    return settle(round_)


def reference(rounds, household) -> str:  # type: ignore[no-untyped-def]
    return reference_of(coop=rounds.coop, membership_id=household.id)


# --- the treasurer enters the bank details -----------------------------------------------------


def test_a_treasurer_enters_the_bank_details_and_every_organiser_is_told(
    rounds, client, auth, mailbox
):
    tess = treasurer(rounds)
    auth.login_as(tess)

    response = client.post(BANK_PAGE, data=ACCOUNT)

    assert response.status_code == 302
    db.session.expire_all()
    coop = rounds.coop
    assert (coop.bank_account_name, coop.bank_sort_code, coop.bank_account_number) == (
        "Fishwick Food Co-op",
        "401162",
        "31926819",
    )
    assert coop.cash_instructions.startswith("At pickup, to the treasurer")
    told = sorted(m["To"] for m in mailbox.messages if "bank details" in m["Subject"])
    assert told == sorted([tess.email, rounds.coordinator.email])
    body = mailbox.body(mailbox.to(rounds.coordinator.email, "bank details")[0])
    assert "Tess Urer changed the bank account" in body
    assert "Sort code: 40-11-62" in body
    assert "Account number: ending 6819" in body
    assert "31926819" not in body
    page = text(client.get(BANK_PAGE))
    assert 'value="40-11-62"' in page
    assert not layout_problems(page)


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("bank_sort_code", "12-34 56", "Enter the sort code as 6 digits, such as 12-34-56."),
        ("bank_sort_code", "1234567", "Enter the sort code as 6 digits, such as 12-34-56."),
        ("bank_sort_code", "ab-cd-ef", "Enter the sort code as 6 digits, such as 12-34-56."),
        (
            "bank_account_number",
            "1234567",
            "Enter the account number as 8 digits, such as 12345678.",
        ),
        (
            "bank_account_number",
            "1234567X",
            "Enter the account number as 8 digits, such as 12345678.",
        ),
        ("bank_roll_number", "<b>roll</b>", "Enter the roll number as your building society"),
        ("bank_account_name", "", "Enter the account name, sort code and account number together"),
        ("bank_account_name", "x" * 71, "Use at most 70 characters."),
    ],
)
def test_bad_bank_details_are_refused_at_their_field_and_nothing_is_saved(
    rounds, client, auth, mailbox, field, typed, message
):
    auth.login_as(treasurer(rounds))

    response = client.post(BANK_PAGE, data={**ACCOUNT, field: typed})

    assert response.status_code == 200  # the form again, with the error
    error = field_error(text(response), field)
    assert error is not None and error.startswith(message)
    assert f'value="{typed}"' in text(response) or not typed  # what was typed is kept
    db.session.expire_all()
    assert rounds.coop.bank_sort_code is None and rounds.coop.bank_account_name is None
    assert not [m for m in mailbox.messages if "bank details" in m["Subject"]]


def test_only_treasurers_change_the_bank_details_while_the_co_op_has_one(rounds, client, auth):
    treasurer(rounds)
    auth.login_as(rounds.coordinator)

    page = text(client.get(BANK_PAGE))
    refused = client.post(BANK_PAGE, data=ACCOUNT)

    assert "Only Fishwick Food's treasurers (Tess Urer) can change the bank details" in page
    assert refused.status_code == 403
    db.session.expire_all()
    assert rounds.coop.bank_sort_code is None


def test_coordinators_of_a_co_op_without_a_treasurer_change_them(rounds, client, auth):
    auth.login_as(rounds.coordinator)

    assert client.post(BANK_PAGE, data=ACCOUNT).status_code == 302
    db.session.expire_all()
    assert rounds.coop.bank_sort_code == "401162"


def test_members_cannot_reach_the_bank_details_page(rounds, client, auth):
    auth.login_as(rounds.households[0].user)

    assert client.get(BANK_PAGE).status_code == 403
    assert client.post(BANK_PAGE, data=ACCOUNT).status_code == 403


# --- households read how to pay ----------------------------------------------------------------


def test_the_statement_shows_the_bank_account_and_the_household_s_own_reference(
    rounds, billed, client, auth
):
    with_bank(rounds.coop)
    own, other = rounds.households[:2]
    auth.login_as(own.user)

    response = client.get(STATEMENT)
    page = text(response)

    assert not layout_problems(response.get_data(as_text=True))
    assert "How to pay" in page
    assert "Fishwick Food Co-op" in page and "40-11-62" in page and "31926819" in page
    assert reference(rounds, own) in page
    assert reference(rounds, other) not in page
    assert NO_CARDS in page


def test_every_bill_shows_the_bank_account_and_the_household_s_own_reference(
    rounds, billed, client, auth
):
    with_bank(rounds.coop)
    own, other = rounds.households[:2]
    auth.login_as(own.user)

    page = text(client.get(bill_url(billed)))

    assert "40-11-62" in page and "31926819" in page
    assert f"giving your payment reference {reference(rounds, own)}" in page
    assert reference(rounds, other) not in page
    assert NO_CARDS in page


def test_without_bank_details_households_are_told_to_ask_the_treasurer(
    rounds, billed, client, auth
):
    treasurer(rounds)
    own = rounds.households[0]
    auth.login_as(own.user)

    page = text(client.get(bill_url(billed)))

    assert "In cash, to Tess Urer (the co-op's treasurer), at a pickup for instance." in page
    assert (
        "By bank transfer: ask Tess Urer for Fishwick Food's bank details, and give your "
        f"payment reference {reference(rounds, own)} with the transfer."
    ) in page
    assert "Sort code" not in page


def test_the_co_op_s_cash_instructions_are_shown_in_its_words(rounds, billed, client, auth):
    rounds.coop.cash_instructions = "At pickup, to the treasurer, in an envelope."
    db.session.commit()
    auth.login_as(rounds.households[0].user)

    assert "In cash: At pickup, to the treasurer, in an envelope." in text(client.get(STATEMENT))


def test_a_household_that_left_reads_how_to_pay_what_it_still_owes(rounds, billed, client, auth):
    with_bank(rounds.coop)
    own = rounds.households[0]
    own.status = MembershipStatus.LEFT
    own.left_at = utcnow()
    db.session.commit()
    auth.login_as(own.user)

    page = text(client.get(STATEMENT))

    assert "Your household has left Fishwick Food" in page
    assert "31926819" in page and reference(rounds, own) in page


def test_the_credit_limit_notice_shows_the_bank_account_instead_of_asking_for_it(
    rounds, billed, client, auth
):
    with_bank(rounds.coop)
    rounds.coop.credit_limit_pence = 0
    db.session.commit()
    rice = rounds.product(name="Rice")
    round_ = rounds.round(rice, title="Next week")
    own = rounds.households[0]
    auth.login_as(own.user)

    page = text(client.get(f"{BASE}/rounds/{round_.id}"))

    assert 'id="credit-limit"' in page
    notice = page[page.index('id="credit-limit"') :]
    assert "31926819" in notice and reference(rounds, own) in notice
    assert "ask the treasurer for" not in notice


def test_with_no_stripe_keys_the_app_runs_card_payment_is_off_and_the_bill_shows_the_bank(
    app, rounds, billed, client, auth
):
    assert not app.config["STRIPE_SECRET_KEY"] and not app.config["STRIPE_PUBLISHABLE_KEY"]
    with_bank(rounds.coop)
    auth.login_as(rounds.households[0].user)

    response = client.get(bill_url(billed))

    assert response.status_code == 200
    page = text(response)
    assert "Pay Fishwick Food in cash or by bank transfer." in page
    assert NO_CARDS in page
    assert "Sort code" in page and "40-11-62" in page


def test_with_a_stripe_key_the_page_no_longer_says_card_payment_is_off(
    app, rounds, billed, client, auth
):
    auth.login_as(rounds.households[0].user)
    app.config["STRIPE_SECRET_KEY"] = "sk_test_not_used_here"
    try:
        page = text(client.get(bill_url(billed)))
    finally:
        app.config["STRIPE_SECRET_KEY"] = ""

    assert "Pay Fishwick Food by card, in cash or by bank transfer." in page
    assert NO_CARDS not in page


# --- emails ------------------------------------------------------------------------------------


def test_the_bill_email_says_how_to_pay_with_the_household_s_reference(rounds, mailbox):
    with_bank(rounds.coop)
    oats = rounds.product(name="Porridge oats", case_size=6, case_price_pence=1200)
    round_ = rounds.round(oats, title="January order")
    own, other = rounds.households[:2]
    rounds.ask(round_, oats, own, 3)
    rounds.ask(round_, oats, other, 3)
    mailbox.messages.clear()

    settle(round_)

    body = mailbox.body(mailbox.to(own.user.email, "your bill")[0])
    assert "Sort code: 40-11-62" in body
    assert "Account number: 31926819" in body
    assert f"Payment reference: {reference(rounds, own)}" in body
    assert reference(rounds, other) not in body
    assert NO_CARDS in body


def test_the_owing_reminder_says_how_to_pay_with_the_household_s_reference(rounds, billed, mailbox):
    with_bank(rounds.coop)
    rounds.coop.owing_reminder_days = 7
    own, other = rounds.households[:2]
    pay(other, -household_balance_pence(membership=other))
    db.session.execute(update(LedgerTransaction).values(created_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    mailbox.messages.clear()

    send_owing_reminders(coop=rounds.coop)
    db.session.commit()

    body = mailbox.body(mailbox.to(own.user.email, "you owe")[0])
    assert "Account name: Fishwick Food Co-op" in body
    assert f"Payment reference: {reference(rounds, own)}" in body
    assert reference(rounds, other) not in body
    assert NO_CARDS in body


# --- the treasurer records a payment by its reference ------------------------------------------


@pytest.fixture
def signed_in(rounds, auth):  # type: ignore[no-untyped-def]
    user = treasurer(rounds)
    auth.login_as(user)
    return user


def payment(reference_typed: str, **more: str) -> dict[str, str]:
    return {
        "household": "",
        "reference": reference_typed,
        "kind": "payment",
        "amount": "6",
        "method": "bank",
        **more,
    }


@pytest.mark.parametrize(
    "style", [str, str.lower, lambda r: r.replace("-", ""), lambda r: r.replace("-", " ")]
)
def test_the_treasurer_records_a_payment_by_the_household_s_reference(
    rounds, billed, client, signed_in, style
):
    own = rounds.households[0]
    before = household_balance_pence(membership=own)

    response = client.post(PAYMENT, data=payment(style(reference(rounds, own))))

    assert response.status_code == 302, field_error(text(response), "reference")
    db.session.expire_all()
    assert household_balance_pence(membership=own) == before + 600


def swapped(reference: str) -> str:
    """Swap the first two different neighbours among the reference's digits."""
    at = next(i for i in range(4, len(reference) - 2) if reference[i] != reference[i + 1])
    return reference[:at] + reference[at + 1] + reference[at] + reference[at + 2 :]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("swap", "The check character does not match"),
        ("typo", "The check character does not match"),
        ("RIBB-0042-7", "This is not one of this co-op's payment references: they start with FISH"),
        ("hello", "This is not a payment reference"),
        ("unknown", "No household of Fishwick Food has the payment reference"),
    ],
)
def test_a_mistyped_or_unknown_reference_is_refused_at_its_field_and_nothing_is_posted(
    rounds, billed, client, signed_in, typed, message
):
    right = reference(rounds, rounds.households[0]).replace("-", "")
    typed = {
        "swap": swapped(right),
        "typo": right[:6] + ("1" if right[6] != "1" else "2") + right[7:],
        "unknown": reference_of(coop=rounds.coop, membership_id=999_999),
    }.get(typed, typed)
    postings = count_rows(Posting)

    response = client.post(PAYMENT, data=payment(typed))

    assert response.status_code == 200  # the form again, with the error
    error = field_error(text(response), "reference")
    assert error is not None and error.startswith(message), error
    assert f'value="{typed}"' in text(response)
    assert count_rows(Posting) == postings


def test_another_co_op_s_household_is_not_found_by_its_reference(
    rounds, billed, client, signed_in, factory
):
    fisher = factory.coop(name="Fisher Lane", slug="fisher-lane")
    stranger = factory.membership(coop=fisher)
    postings = count_rows(Posting)

    response = client.post(
        PAYMENT, data=payment(reference_of(coop=fisher, membership_id=stranger.id))
    )

    assert response.status_code == 200  # the form again, with the error
    assert field_error(text(response), "reference").startswith(
        "No household of Fishwick Food has the payment reference FISH-"
    )
    assert count_rows(Posting) == postings


def test_a_reference_and_another_household_chosen_are_refused(rounds, billed, client, signed_in):
    own, other = rounds.households[:2]

    response = client.post(PAYMENT, data=payment(reference(rounds, own), household=str(other.id)))

    assert response.status_code == 200  # the form again, with the error
    assert field_error(text(response), "reference") == (
        "This reference is Household 1's, not the household chosen: choose one or the other."
    )


def test_neither_a_household_nor_a_reference_asks_for_one(rounds, billed, client, signed_in):
    response = client.post(PAYMENT, data=payment(""))

    assert response.status_code == 200  # the form again, with the error
    assert field_error(text(response), "household") == (
        "Choose a household, or enter the payment reference it gave."
    )


def test_the_household_s_page_shows_its_payment_reference_to_the_treasurer(
    rounds, client, signed_in
):
    own = rounds.households[0]

    page = text(client.get(f"{BASE}/admin/members/{own.id}"))

    assert f'<dd id="payment-reference">{reference(rounds, own)}</dd>' in page


def test_a_member_s_role_does_not_matter_to_its_reference(rounds):
    own = rounds.households[0]
    first = reference(rounds, own)
    own.role = Role.TREASURER
    db.session.commit()

    assert reference(rounds, own) == first
