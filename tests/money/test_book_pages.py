"""The opening-balances and write-off pages, through the web client."""

from __future__ import annotations

from support import count_rows, field_error, layout_problems, text

from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import LedgerTransaction, OpeningBalance
from coop.services.money.ledger import household_balance_pence
from money.treasury_support import settled_round, treasurer

BASE = "/coops/fishwick/admin"
OPENING = f"{BASE}/money/opening-balances"


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert not layout_problems(response.get_data(as_text=True))
    return text(response)


def opening_data(rounds, **extra: str) -> dict[str, str]:
    owes, in_credit = rounds.households[0], rounds.households[1]
    data = {
        "as_of": "2026-04-01",
        "cash": "80",
        "bank": "25",
        "bank-way": "overdrawn",
        f"household-{owes.id}": "12.50",
        f"household-{owes.id}-way": "owes",
        f"household-{in_credit.id}": "4",
        f"household-{in_credit.id}-way": "credit",
    }
    return {**data, **extra}


def test_only_the_treasurer_keeps_the_books(rounds, client, auth):
    auth.login_as(rounds.coordinator)
    assert client.get(OPENING).status_code == 403
    household = rounds.households[0]
    assert client.get(f"{BASE}/money/households/{household.id}/write-off").status_code == 403
    assert f'href="{OPENING}"' not in text(client.get(f"{BASE}/money"))


def test_the_treasurer_enters_opening_balances_once(rounds, client, auth, factory):
    auth.login_as(treasurer(rounds))
    gone = factory.membership(coop=rounds.coop, status=MembershipStatus.LEFT)
    form = page_of(client.get(OPENING))
    assert f"{gone.user.name} (left): amount" in form
    assert f'href="{OPENING}"' in page_of(client.get(f"{BASE}/money"))

    response = client.post(OPENING, data=opening_data(rounds), follow_redirects=True)

    page = page_of(response)
    assert "The opening balances as at 1 April 2026 are posted." in page
    assert "They are entered once." in page
    owes, in_credit = rounds.households[0], rounds.households[1]
    assert household_balance_pence(membership=owes) == -1250
    assert household_balance_pence(membership=in_credit) == 400
    balances = page_of(client.get(f"{BASE}/money"))
    assert "reserves brought forward £63.50" in balances

    again = client.post(OPENING, data=opening_data(rounds), follow_redirects=True)
    assert "The opening balances were entered already, as at 1 April 2026." in text(again)
    assert count_rows(LedgerTransaction) == 1


def test_the_household_reads_its_opening_balance(rounds, client, auth):
    user = treasurer(rounds)
    auth.login_as(user)
    client.post(OPENING, data=opening_data(rounds))
    auth.logout()
    auth.login_as(rounds.households[0].user)

    page = page_of(client.get("/coops/fishwick/statement"))

    assert "Opening balance as at 1 April 2026" in page
    assert "You owe: £12.50" in page


def test_bad_opening_balances_are_refused_at_the_field(rounds, client, auth):
    auth.login_as(treasurer(rounds))
    household = rounds.households[0]
    cases = [
        ({"as_of": "2999-01-01"}, "as_of", "The date cannot be in the future."),
        ({"cash": "abc"}, "cash", "Enter an amount in pounds and pence, such as 12.50."),
        (
            {"cash": "1.234"},
            "cash",
            "Use at most two digits after the decimal point, such as 12.50.",
        ),
        (
            {f"household-{household.id}": "-3"},
            f"household-{household.id}",
            "The amount cannot be negative.",
        ),
        (
            {"bank": "900"},
            "confirm-bank",
            "£900.00 is more than £500.00: type £900.00 again to confirm it.",
        ),
    ]
    for extra, field, message in cases:
        page = text(client.post(OPENING, data=opening_data(rounds, **extra)))
        assert field_error(page, field) == message, (extra, page)
        assert count_rows(OpeningBalance) == 0

    zero = {key: "" for key in opening_data(rounds) if key != "as_of" and not key.endswith("-way")}
    page = text(client.post(OPENING, data=opening_data(rounds, **zero)))
    assert "every amount is £0.00" in page
    assert count_rows(LedgerTransaction) == 0


def test_a_large_bank_balance_is_typed_again_and_posted(rounds, client, auth):
    auth.login_as(treasurer(rounds))
    page = page_of(
        client.post(OPENING, data=opening_data(rounds, bank="900", **{"bank-way": "credit"}))
    )
    assert "Type £900.00 again to confirm it" in page

    client.post(
        OPENING,
        data=opening_data(rounds, bank="900", **{"bank-way": "credit", "confirm-bank": "900.00"}),
    )

    assert count_rows(OpeningBalance) == 1


def test_writing_off_a_debt_from_the_balances_page(rounds, client, auth, mailbox):
    settled_round(rounds, 6)
    household = rounds.households[0]
    auth.login_as(treasurer(rounds))
    balances = page_of(client.get(f"{BASE}/money"))
    link = f"{BASE}/money/households/{household.id}/write-off"
    assert f'href="{link}"' in balances

    form = page_of(client.get(link))
    assert "Household 1 owes £12.00." in form
    assert 'value="12.00"' in form  # the whole debt, to start with

    refused = text(client.post(link, data={"amount": "12.01", "reason": "gone"}))
    assert field_error(refused, "amount") == "Household 1 owes £12.00: write off at most that."
    refused = text(client.post(link, data={"amount": "5", "reason": ""}))
    assert field_error(refused, "reason") == "Say why the debt is written off."

    response = client.post(
        link, data={"amount": "5", "reason": "Hard times"}, follow_redirects=True
    )

    assert "£5.00 of Household 1's debt is written off." in page_of(response)
    assert household_balance_pence(membership=household) == -700
    auth.logout()
    auth.login_as(household.user)
    statement = page_of(client.get("/coops/fishwick/statement"))
    assert "Written off: Hard times" in statement


def test_a_household_that_owes_nothing_has_no_write_off(rounds, client, auth):
    household = rounds.households[0]
    auth.login_as(treasurer(rounds))
    link = f"{BASE}/money/households/{household.id}/write-off"

    assert "owes nothing, so there is nothing to write off" in page_of(client.get(link))
    refused = text(client.post(link, data={"amount": "5", "reason": "x"}))
    assert field_error(refused, "amount") == (
        "Household 1 owes nothing, so there is nothing to write off."
    )
    assert count_rows(LedgerTransaction) == 0


def test_a_pending_household_has_no_write_off_page(rounds, client, auth, factory):
    waiting = factory.membership(coop=rounds.coop, status=MembershipStatus.PENDING)
    auth.login_as(treasurer(rounds))
    assert client.get(f"{BASE}/money/households/{waiting.id}/write-off").status_code == 404
    db.session.rollback()
