"""Money at pickup: what each household owes, cash taken at the sheet, a QR code to pay by card."""

from __future__ import annotations

import html
import re

import pytest
import segno
from money.support import receive_as_ordered
from money.treasury_support import received_round, settled_round, treasurer
from support import count_rows, field_error, layout_problems, text

from coop.domain.money import format_pence
from coop.extensions import db
from coop.models import LedgerTransaction, Posting
from coop.services.money.ledger import household_balance_pence
from coop.services.money.pickup_payments import pickup_money
from coop.web.links import site_url_for
from rounds.receiving_support import words

ADMIN = "/coops/fishwick/admin"


def sheet_url(round_) -> str:
    return f"{ADMIN}/rounds/{round_.id}/pickup"


def cash_url(round_, household) -> str:
    return f"{sheet_url(round_)}/{household.id}/cash"


def row(page: str, household) -> str:
    """The household's row of the sheet, as HTML."""
    match = re.search(rf'<tr id="household-{household.id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for household {household.id}"
    return match.group(1)


def seen(page: str, household) -> str:
    match = re.search(rf'name="cash-{household.id}-seen"[^>]*value="(\d*)"', row(page, household))
    assert match
    return match.group(1)


def cash(client, round_, household, amount: str, **more: str):
    page = client.get(sheet_url(round_)).get_data(as_text=True)
    data = {
        f"cash-{household.id}-amount": amount,
        f"cash-{household.id}-seen": seen(page, household),
    }
    data.update({f"cash-{household.id}-{name}": value for name, value in more.items()})
    return client.post(cash_url(round_, household), data=data, follow_redirects=True)


def payments() -> int:
    return count_rows(LedgerTransaction)


def owes(household) -> int:
    db.session.expire_all()
    return -household_balance_pence(membership=household)


@pytest.fixture
def settled(rounds):
    """A settled round: the first household got 4 oats, the second 2."""
    round_ = settled_round(rounds, 4, 2)
    for household, name in zip(rounds.households, ("Zara Quinn", "Adam Ant"), strict=False):
        household.user.name = name
    db.session.commit()
    return round_


@pytest.fixture
def cards_on(app):
    app.config.update(STRIPE_SECRET_KEY="sk_test_coop")
    yield
    app.config.update(STRIPE_SECRET_KEY=None)


# --- what each household owes ------------------------------------------------------------


def test_the_sheet_shows_what_each_household_owes_once_settled(rounds, settled, client, auth):
    zara, adam = rounds.households[:2]
    auth.login_as(rounds.coordinator)

    page = client.get(sheet_url(settled)).get_data(as_text=True)

    assert owes(zara) > 0 and owes(adam) > 0
    assert format_pence(owes(zara)) in html.unescape(row(page, zara))
    assert format_pence(owes(adam)) in html.unescape(row(page, adam))
    assert "What a household owes is in its balance, this round's bill included." in text(
        client.get(sheet_url(settled))
    )


def test_before_settling_what_settling_would_charge_counts(rounds, client, auth):
    round_ = received_round(rounds, 4, 2)
    zara = rounds.households[0]
    auth.login_as(rounds.coordinator)

    page = html.unescape(row(client.get(sheet_url(round_)).get_data(as_text=True), zara))

    money = pickup_money(coop=rounds.coop, round_=round_, membership_ids=[zara.id])[zara.id]
    assert owes(zara) == 0 and money.this_round_pence and money.this_round_pence > 0
    assert format_pence(money.this_round_pence) in page
    assert f"with {format_pence(money.this_round_pence)} for this round" in page


# --- cash at pickup ------------------------------------------------------------------------


def test_cash_taken_at_pickup_is_one_posting_and_the_sheet_says_so(rounds, settled, client, auth):
    zara = rounds.households[0]
    before, transactions = owes(zara), payments()
    auth.login_as(rounds.coordinator)

    response = cash(client, settled, zara, "5.00")

    assert f"Recorded: Cash from Zara Quinn (at pickup: {settled.title}), £5.00." in text(response)
    assert owes(zara) == before - 500
    assert payments() == transactions + 1
    posting = db.session.scalars(db.select(Posting).order_by(Posting.id.desc()).limit(1)).one()
    assert sum(p.amount_pence for p in posting.transaction.postings) == 0
    assert format_pence(before - 500) in html.unescape(row(response.get_data(as_text=True), zara))


def test_the_same_form_sent_twice_posts_once(rounds, settled, client, auth):
    zara = rounds.households[0]
    before, transactions = owes(zara), payments()
    auth.login_as(rounds.coordinator)
    page = client.get(sheet_url(settled)).get_data(as_text=True)
    data = {f"cash-{zara.id}-amount": "5", f"cash-{zara.id}-seen": seen(page, zara)}

    client.post(cash_url(settled, zara), data=data)
    again = client.post(cash_url(settled, zara), data=data)

    assert payments() == transactions + 1
    assert owes(zara) == before - 500
    assert "account has changed since this sheet was shown" in field_error(
        text(again), f"cash-{zara.id}-amount"
    )


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("0", "Enter an amount of more than £0.00."),
        ("-5", ""),
        ("abc", ""),
        ("1.234", ""),
        ("", "Enter an amount, such as 12.50."),
    ],
)
def test_a_bad_amount_is_refused_at_the_field_and_nothing_is_written(
    rounds, settled, client, auth, typed, says
):
    zara = rounds.households[0]
    before, transactions = owes(zara), payments()
    auth.login_as(rounds.coordinator)

    response = cash(client, settled, zara, typed)

    error = field_error(response.get_data(as_text=True), f"cash-{zara.id}-amount")
    assert error and says in error
    assert payments() == transactions and owes(zara) == before


def test_a_large_amount_is_typed_twice(rounds, settled, client, auth):
    zara = rounds.households[0]
    rounds.coop.large_amount_pence = 10_000
    db.session.commit()
    before, transactions = owes(zara), payments()
    auth.login_as(rounds.coordinator)

    first = cash(client, settled, zara, "150")

    assert "£150.00 is more than £100.00: type £150.00 again to confirm it." in text(first)
    assert f'id="cash-{zara.id}-confirm-amount"' in first.get_data(as_text=True)
    assert payments() == transactions
    cash(client, settled, zara, "150", **{"confirm-amount": "150"})
    assert payments() == transactions + 1 and owes(zara) == before - 15_000


# --- paying by card ------------------------------------------------------------------------


def test_with_card_payments_on_a_household_that_owes_gets_a_qr_code_of_its_pay_link(
    rounds, settled, client, auth, cards_on, app
):
    zara = rounds.households[0]
    auth.login_as(rounds.coordinator)
    link = site_url_for("members.pay_bill", slug="fishwick", round_id=settled.id)

    cells = row(client.get(sheet_url(settled)).get_data(as_text=True), zara)

    label = f"QR code: pay {format_pence(owes(zara))} by card at {link}"
    assert f'role="img" aria-label="{html.escape(label)}"' in cells
    assert segno.make(link, error="m", micro=False).svg_inline(omitsize=True) in cells
    assert f'<a href="{link}">{link}</a>' in cells


def test_a_household_that_owes_nothing_gets_no_qr_code(rounds, settled, client, auth, cards_on):
    zara, adam = rounds.households[:2]
    auth.login_as(rounds.coordinator)
    cash(client, settled, zara, format_pence(owes(zara)).lstrip("£"))

    page = client.get(sheet_url(settled)).get_data(as_text=True)

    assert "<svg" not in row(page, zara) and "<svg" in row(page, adam)


def test_with_card_payments_off_the_sheet_says_how_to_pay_instead(rounds, settled, client, auth):
    zara = rounds.households[0]
    auth.login_as(rounds.coordinator)

    response = client.get(sheet_url(settled))
    page = response.get_data(as_text=True)

    assert "<svg" not in page
    assert "In cash here, or by bank transfer with reference" in text(response)
    assert "Card payment is not available" in words(response)
    assert "FISH-" in row(page, zara)


# --- who ---------------------------------------------------------------------------------


def test_a_treasurer_takes_cash_too(rounds, settled, client, auth):
    zara = rounds.households[0]
    transactions = payments()
    auth.login_as(treasurer(rounds))

    response = cash(client, settled, zara, "2")

    assert response.status_code == 200 and payments() == transactions + 1


def test_a_member_can_neither_see_the_sheet_nor_record_cash(rounds, settled, client, auth):
    zara = rounds.households[0]
    transactions = payments()
    auth.login_as(zara.user)

    assert client.get(sheet_url(settled)).status_code == 403
    response = client.post(
        cash_url(settled, zara), data={f"cash-{zara.id}-amount": "5", f"cash-{zara.id}-seen": "0"}
    )
    assert response.status_code == 403
    assert payments() == transactions


def test_a_household_of_another_coop_is_not_found(rounds, settled, client, auth, factory):
    stranger = factory.membership(coop=factory.coop(slug="elsewhere"))
    transactions = payments()
    auth.login_as(rounds.coordinator)

    response = client.post(
        cash_url(settled, stranger),
        data={f"cash-{stranger.id}-amount": "5", f"cash-{stranger.id}-seen": "0"},
    )

    assert response.status_code == 404 and payments() == transactions


# --- layout and queries -------------------------------------------------------------------


def test_the_sheet_with_money_follows_the_layout(rounds, settled, client, auth, cards_on):
    zara = rounds.households[0]
    auth.login_as(rounds.coordinator)

    pages = {
        "sheet": client.get(sheet_url(settled)),
        "refused": cash(client, settled, zara, "abc"),
    }

    problems = {name: layout_problems(page.get_data(as_text=True)) for name, page in pages.items()}
    assert problems == {"sheet": [], "refused": []}


def test_a_received_round_sheet_takes_as_many_queries_for_twelve_households_as_for_two(
    rounds, client, auth, factory, count_queries, cards_on
):
    oats = rounds.product(name="Porridge oats", case_size=2)
    sheets = []
    for many in (2, 12):
        round_ = rounds.round(oats)
        for household in factory.households(rounds.coop, many):
            rounds.ask(round_, oats, household, 2)
        sheets.append(sheet_url(receive_as_ordered(round_)))
    auth.login_as(rounds.coordinator)
    counted = []

    for sheet in sheets:
        client.get(sheet)  # the login and the co-op, read once
        with count_queries() as statements:
            assert "<svg" in client.get(sheet).get_data(as_text=True)
        counted.append(len(statements))

    assert counted[0] == counted[1]
