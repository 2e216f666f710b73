"""Bad input on every form that writes the books: a message at its field, nothing written.

Each case posts one money form through the test client with one value made
bad (an amount of 0, negative, letters, three decimals, above the ceiling,
above the co-op's large amount without typing it again; a date in the
future; a receipt that is not one; a write-off beyond the debt), then checks
the message beside the field that caused it and that no ledger row, fund
entry, opening balance, reconciliation, receipt or stock movement was written.
Stock is sold and written off in units, not typed amounts, and on the day it
is recorded: those forms have no amount or date to get wrong, but their units
are checked as amounts are, and never more than are in stock.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from support import count_rows, field_error, layout_problems, text

from coop.extensions import db
from coop.models import (
    FundEntry,
    LedgerTransaction,
    OpeningBalance,
    Posting,
    Receipt,
    Reconciliation,
    StockMovement,
)
from coop.services.money.fund import local_today
from coop.services.money.treasury import Method, record_payment
from money.fund_support import NOT_A_PDF, PNG, category
from money.support import surplus_round
from money.treasury_support import settled_round, treasurer

BASE = "/coops/fishwick/admin"
# Days are worked out when posted, in the app's time zone.
FUTURE, TODAY = "<tomorrow>", "<today>"

ZERO = "Enter an amount of more than £0.00."
NEGATIVE = "The amount cannot be negative."
LETTERS = "Enter an amount in pounds and pence, such as 12.50."
DECIMALS = "Use at most two digits after the decimal point, such as 12.50."
CEILING = "at most £1,000,000"
LARGE = "£600.00 is more than £500.00: type £600.00 again to confirm it."


@dataclass(frozen=True)
class Form:
    """Where a form posts and what a good submission of it holds."""

    url: str
    data: dict[str, object]
    multipart: bool = False


def spending(rounds) -> Form:
    paid_in(rounds, Method.BANK)
    return Form(
        f"{BASE}/money/fund/spend",
        {
            "category": str(category(rounds.coop, "hall_hire").id),
            "amount": "12.00",
            "method": "bank",
            "occurred_on": TODAY,
            "reference": "INV-12",
        },
        multipart=True,
    )


def income(rounds) -> Form:
    return Form(
        f"{BASE}/money/fund/income",
        {
            "category": str(category(rounds.coop, "donations").id),
            "amount": "45.00",
            "method": "bank",
            "occurred_on": TODAY,
            "reference": "",
        },
        multipart=True,
    )


def opening(rounds) -> Form:
    owes = rounds.households[0]
    return Form(
        f"{BASE}/money/opening-balances",
        {
            "as_of": "2026-04-01",
            "cash": "80",
            "bank": "25",
            "bank-way": "credit",
            f"household-{owes.id}": "12.50",
            f"household-{owes.id}-way": "owes",
        },
    )


def write_off(rounds) -> Form:
    settled_round(rounds, 6, case_price_pence=120_000)  # the first household owes £1,200
    return Form(
        f"{BASE}/money/households/{rounds.households[0].id}/write-off",
        {"amount": "5", "reason": "Moved away"},
    )


def payment(rounds) -> Form:
    return Form(
        f"{BASE}/money/payments/new",
        {
            "household": str(rounds.households[0].id),
            "kind": "payment",
            "amount": "12",
            "method": "cash",
            "note": "",
        },
    )


def paid_in(rounds, method: Method) -> None:
    """A household's £12 paid in, so that paying £12 out takes nothing below zero."""
    record_payment(
        coop=rounds.coop,
        membership_id=rounds.households[0].id,
        amount_pence=1200,
        method=method,
        note="",
        by=rounds.coordinator,
    )


def refund(rounds) -> Form:
    paid_in(rounds, Method.CASH)
    form = payment(rounds)
    return Form(form.url, {**form.data, "kind": "refund"})


def supplier_payment(rounds) -> Form:
    settled_round(rounds, 6)
    paid_in(rounds, Method.BANK)
    return Form(
        f"{BASE}/money/suppliers/pay",
        {"supplier": str(rounds.supplier.id), "amount": "12", "method": "bank", "note": ""},
    )


def reconciliation(rounds) -> Form:
    return Form(
        f"{BASE}/money/reconcile/bank",
        {"as_of": TODAY, "statement_balance": "0", "note": "", "action": "save"},
    )


FORMS: dict[str, Callable[..., Form]] = {
    "spending": spending,
    "income": income,
    "opening": opening,
    "write_off": write_off,
    "payment": payment,
    "refund": refund,
    "supplier_payment": supplier_payment,
    "reconciliation": reconciliation,
}

AMOUNT_FIELDS = {
    "spending": "amount",
    "income": "amount",
    "opening": "cash",
    "write_off": "amount",
    "payment": "amount",
    "refund": "amount",
    "supplier_payment": "amount",
}
CONFIRM_FIELDS = {"spending": "repeat_amount", "income": "repeat_amount"}
LARGE_FUND = "£600.00 is more than £500.00: type the amount again to confirm it."

CASES = [
    # Amounts that cannot be taken, on every form that takes one.
    *(
        pytest.param(form, {field: typed}, field, message, id=f"{form}-{name}")
        for form, field in AMOUNT_FIELDS.items()
        for name, typed, message in [
            ("negative", "-5", NEGATIVE),
            ("letters", "twelve", LETTERS),
            ("three-decimals", "1.234", DECIMALS),
            ("above-the-ceiling", "1000000.01", CEILING),
        ]
    ),
    # An amount of nothing, where an entry of nothing means nothing.
    *(
        pytest.param(form, {"amount": "0"}, "amount", ZERO, id=f"{form}-zero")
        for form in ("spending", "income", "write_off", "payment", "refund", "supplier_payment")
    ),
    # Above the co-op's large amount, not typed again: asked at the confirmation field.
    *(
        pytest.param(
            form,
            {AMOUNT_FIELDS[form]: "600"},
            CONFIRM_FIELDS.get(form, f"confirm-{AMOUNT_FIELDS[form]}"),
            LARGE_FUND if form in CONFIRM_FIELDS else LARGE,
            id=f"{form}-large",
        )
        for form in AMOUNT_FIELDS
    ),
    # Typed again, but differently.
    pytest.param(
        "payment",
        {"amount": "600", "confirm-amount": "60"},
        "confirm-amount",
        LARGE,
        id="payment-large-typed-again-wrong",
    ),
    pytest.param(
        "write_off",
        {"amount": "1300"},
        "amount",
        "Household 1 owes £1,200.00: write off at most that.",
        id="write_off-more-than-the-debt",
    ),
    # Days in the future.
    pytest.param(
        "spending",
        {"occurred_on": FUTURE},
        "occurred_on",
        "That day is in the future: enter the day the money actually moved.",
        id="spending-future",
    ),
    pytest.param(
        "income",
        {"occurred_on": FUTURE},
        "occurred_on",
        "That day is in the future: enter the day the money actually moved.",
        id="income-future",
    ),
    pytest.param(
        "opening",
        {"as_of": FUTURE},
        "as_of",
        "The date cannot be in the future.",
        id="opening-future",
    ),
    pytest.param(
        "reconciliation",
        {"as_of": FUTURE},
        "as_of",
        "That day is in the future: enter the date the statement or count is for.",
        id="reconciliation-future",
    ),
    # The statement's balance may be overdrawn, but must be an amount.
    pytest.param(
        "reconciliation",
        {"statement_balance": "lots"},
        "statement_balance",
        LETTERS,
        id="reconciliation-letters",
    ),
    pytest.param(
        "reconciliation",
        {"statement_balance": "-1.234"},
        "statement_balance",
        DECIMALS,
        id="reconciliation-three-decimals",
    ),
    # Receipts that are not receipts.
    pytest.param(
        "spending",
        {"receipt": (NOT_A_PDF, "hall.pdf")},
        "receipt",
        "not a PDF, PNG, JPEG or WebP",
        id="spending-receipt-not-a-pdf",
    ),
    pytest.param(
        "spending",
        {"receipt": (PNG + b"\0" * 4096, "big.png")},
        "receipt",
        "larger than 2 KB",
        id="spending-receipt-too-large",
    ),
]


def stock_sale(rounds) -> Form:
    """Sell one of the two units of oats a settled round left over (see `surplus_round`)."""
    _round, item = surplus_round(rounds)
    return Form(
        f"{BASE}/money/stock/sell",
        {
            "sell-item": str(item.id),
            "sell-household": str(rounds.households[1].id),
            "sell-units": "1",
            "sell-note": "",
        },
    )


def stock_write_off(rounds) -> Form:
    _round, item = surplus_round(rounds)
    return Form(
        f"{BASE}/money/stock/write-off",
        {"off-item": str(item.id), "off-units": "1", "off-kind": "spoiled", "off-note": ""},
    )


STOCK_FORMS: dict[str, tuple[Callable[..., Form], str]] = {
    "stock_sale": (stock_sale, "sell-units"),
    "stock_write_off": (stock_write_off, "off-units"),
}
UNITS = "Enter a whole number of units, 1 or more."
STOCK_CASES = [
    *(
        pytest.param(form, typed, message, id=f"{form}-{name}")
        for form in STOCK_FORMS
        for name, typed, message in [
            ("zero", "0", UNITS),
            ("negative", "-1", UNITS),
            ("letters", "two", UNITS),
            ("decimals", "1.5", UNITS),
            ("three-decimals", "1.234", UNITS),
            ("implausibly-many", "99999999999", UNITS),
            ("more-than-in-stock", "3", "Only 2 of Porridge oats (500 g bag) are in stock."),
        ]
    )
]


def books_size() -> tuple[int, ...]:
    """How many rows of each kind the books hold."""
    return tuple(
        count_rows(model)
        for model in (
            LedgerTransaction,
            Posting,
            FundEntry,
            OpeningBalance,
            Reconciliation,
            Receipt,
            StockMovement,
        )
    )


def post(client, form: Form, changes: dict[str, object]):
    days = {TODAY: local_today(), FUTURE: local_today() + timedelta(days=1)}
    data = {
        key: days[value].isoformat() if isinstance(value, str) and value in days else value
        for key, value in {**form.data, **changes}.items()
    }
    if not form.multipart:
        return client.post(form.url, data=data)
    files = {
        key: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
        for key, value in data.items()
    }
    return client.post(form.url, data=files, content_type="multipart/form-data")


@pytest.fixture
def keeper(rounds, auth):
    user = treasurer(rounds)
    auth.login_as(user)
    return user


@pytest.mark.parametrize(("form", "changes", "field", "message"), CASES)
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(
    rounds, client, keeper, app, form, changes, field, message
):
    app.config["RECEIPT_MAX_BYTES"] = 2048
    built = FORMS[form](rounds)
    db.session.commit()
    before = books_size()

    response = post(client, built, changes)

    assert response.status_code == 200, response.status_code
    page = text(response)
    assert not layout_problems(response.get_data(as_text=True))
    assert message in (field_error(page, field) or ""), field_error(page, field)
    assert books_size() == before
    # What was typed is kept, to correct.
    typed = changes.get(field)
    if isinstance(typed, str) and typed not in (TODAY, FUTURE):
        assert f'value="{typed}"' in page


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_takes_its_good_submission(rounds, client, keeper, form):
    """The cases above change one value of a submission that would be written."""
    built = FORMS[form](rounds)
    db.session.commit()
    before = books_size()

    response = post(client, built, {})

    assert response.status_code == 302, field_error(text(response), "amount")
    assert books_size() != before


@pytest.mark.parametrize(("form", "typed", "message"), STOCK_CASES)
def test_stock_units_that_cannot_be_taken_are_refused_at_their_field(
    rounds, client, keeper, form, typed, message
):
    build, field = STOCK_FORMS[form]
    built = build(rounds)
    before = books_size()

    response = post(client, built, {field: typed})

    assert response.status_code == 400, response.status_code
    page = text(response)
    assert not layout_problems(response.get_data(as_text=True))
    assert message in (field_error(page, field) or ""), field_error(page, field)
    assert books_size() == before
    assert f'value="{typed}"' in page, "what was typed is kept"


@pytest.mark.parametrize("form", sorted(STOCK_FORMS))
def test_each_stock_form_takes_its_good_submission(rounds, client, keeper, form):
    built = STOCK_FORMS[form][0](rounds)
    before = books_size()

    response = post(client, built, {})

    assert response.status_code == 302, text(response)
    assert books_size() != before


def test_an_opening_balance_entered_twice_is_refused_and_writes_nothing(rounds, client, keeper):
    built = opening(rounds)
    assert post(client, built, {}).status_code == 302
    before = books_size()

    response = post(client, built, {"cash": "90"})
    page = text(response)

    assert not layout_problems(response.get_data(as_text=True))
    message = field_error(page, "as_of") or ""
    assert "The opening balances were entered already, as at 1 April 2026." in message
    assert "reverse them first" in message
    assert 'value="90"' in page, "what was typed is kept"
    assert books_size() == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [("abc", LETTERS), ("-5", NEGATIVE), ("1.234", DECIMALS), ("1000000.01", CEILING)],
)
def test_a_credit_limit_that_cannot_be_read_is_refused_at_its_field(
    rounds, client, auth, typed, message
):
    auth.login_as(rounds.coordinator)
    data = {
        "name": "Fishwick Food",
        "pickup_address": "Church hall",
        "household_cap": "20",
        "joining_policy": "approval",
        "credit_limit_pence": typed,
    }

    page = text(client.post(f"{BASE}/settings", data=data))

    assert message in (field_error(page, "credit_limit_pence") or "")
    db.session.refresh(rounds.coop)
    assert rounds.coop.credit_limit_pence is None
