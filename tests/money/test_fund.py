"""The fund's own income and spending: balanced entries, categories, receipts, confirmations."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select
from support import count_rows, refusal_message

from coop.extensions import db
from coop.models import (
    AccountKind,
    FundCategory,
    FundDirection,
    FundEntry,
    HeldIn,
    Posting,
    Receipt,
    TransactionKind,
)
from coop.services.money.fund import (
    BELOW_ZERO,
    LARGE_AMOUNT,
    category_totals,
    fund_entries,
    local_today,
    record_fund_entry,
)
from coop.services.money.fund_categories import (
    BUILT_IN_CATEGORIES,
    add_category,
    fund_categories,
    set_category_archived,
)
from coop.services.money.receipts import Upload
from coop.services.money.treasury import reverse_entry
from money.fund_support import NOT_A_PDF, PDF, PNG, category, kind_balances, record
from money.support import transaction_sums
from money.treasury_support import treasurer


def refused(rounds, field: str, code: str | None = None, **changes) -> str:
    """Try an entry with *changes*; check it is refused at *field* and writes nothing."""
    user = treasurer(rounds)
    hall = category(rounds.coop, "hall_hire")
    values = {
        "coop": rounds.coop,
        "direction": FundDirection.EXPENSE,
        "category_id": hall.id,
        "amount_pence": 4500,
        "method": HeldIn.BANK,
        "occurred_on": local_today(),
        "reference": "",
        "by": user,
        "below_zero_confirmed": True,
        **changes,
    }
    postings, entries, receipts = count_rows(Posting), count_rows(FundEntry), count_rows(Receipt)
    caught = {}

    def attempt():  # type: ignore[no-untyped-def]
        try:
            record_fund_entry(**values)
        except Exception as error:
            caught["code"] = getattr(error, "code", None)
            raise

    message = refusal_message(attempt, field=field)
    assert caught["code"] == code
    assert (count_rows(Posting), count_rows(FundEntry), count_rows(Receipt)) == (
        postings,
        entries,
        receipts,
    )
    return message


# --- entries post one balanced transaction -------------------------------------------------


def test_hall_hire_paid_from_the_bank_lowers_the_bank_and_the_fund(rounds):
    user = treasurer(rounds)
    record(rounds.coop, user, key="grants_received", amount_pence=20_000)

    entry = record(rounds.coop, user, key="hall_hire", amount_pence=4500, reference="INV-12")

    balances = kind_balances(rounds.coop)
    assert balances[AccountKind.BANK] == -15_500  # the bank holds £155.00
    assert balances[AccountKind.FUND] == 15_500
    transaction = entry.transaction
    assert transaction.kind is TransactionKind.FUND_EXPENSE
    assert transaction.memo == "Hall hire: paid from the bank (INV-12)"
    assert sorted(p.amount_pence for p in transaction.postings) == [-4500, 4500]
    assert transaction_sums() == [0, 0]
    assert entry.category.key == "hall_hire" and entry.occurred_on == local_today()


def test_a_donation_in_cash_raises_cash_and_the_fund(rounds):
    entry = record(
        rounds.coop, treasurer(rounds), key="donations", amount_pence=5000, method=HeldIn.CASH
    )

    assert entry.transaction.kind is TransactionKind.FUND_INCOME
    balances = kind_balances(rounds.coop)
    assert balances[AccountKind.CASH] == -5000
    assert balances[AccountKind.FUND] == 5000
    listing = fund_entries(coop=rounds.coop)
    assert [(line.category, line.entry.amount_pence) for line in listing.lines] == [
        ("Donations", 5000)
    ]
    assert (listing.income_pence, listing.spending_pence, listing.net_pence) == (5000, 0, 5000)


def test_a_reversed_entry_no_longer_counts_in_the_totals(rounds):
    user = treasurer(rounds)
    record(rounds.coop, user, key="membership_fees", amount_pence=3000)
    wrong = record(rounds.coop, user, key="bank_charges", amount_pence=500)
    assert fund_entries(coop=rounds.coop).spending_pence == 500

    reverse_entry(transaction=wrong.transaction, reason="charged twice", by=user)
    db.session.commit()

    listing = fund_entries(coop=rounds.coop)
    assert listing.spending_pence == 0 and listing.income_pence == 3000
    assert [line.reversed for line in listing.lines if line.entry.id == wrong.id] == [True]
    assert kind_balances(rounds.coop)[AccountKind.FUND] == 3000


def test_the_list_filters_by_month_and_category(rounds):
    user = treasurer(rounds)
    today = local_today()
    last_month = today.replace(day=1) - timedelta(days=1)
    record(rounds.coop, user, key="donations", amount_pence=1000, occurred_on=last_month)
    record(rounds.coop, user, key="donations", amount_pence=2000)
    record(rounds.coop, user, key="hall_hire", amount_pence=700)

    this_month = fund_entries(coop=rounds.coop, month=today)
    assert this_month.income_pence == 2000 and this_month.spending_pence == 700
    donations = fund_entries(coop=rounds.coop, category_id=category(rounds.coop, "donations").id)
    assert donations.income_pence == 3000 and donations.spending_pence == 0


# --- bad input is refused at its field, nothing written ------------------------------------


def test_an_amount_of_nothing_or_less_is_refused(rounds):
    for amount in (0, -100, None):
        message = refused(rounds, "amount", amount_pence=amount)
        assert message == "Enter an amount of more than £0.00."


def test_a_missing_or_wrong_category_is_refused(rounds):
    donations = category(rounds.coop, "donations")
    assert "Choose what kind of spending" in refused(rounds, "category", category_id=None)
    # An income category is not a kind of spending.
    refused(rounds, "category", category_id=donations.id)


def test_an_archived_category_or_another_coops_is_not_offered(rounds, factory):
    hall = category(rounds.coop, "hall_hire")
    set_category_archived(coop=rounds.coop, category_id=hall.id, archived=True)
    db.session.commit()
    refused(rounds, "category", category_id=hall.id)
    assert hall.id not in {c.id for c in fund_categories(coop=rounds.coop)}

    other = factory.coop(name="Ribbleton", slug="ribbleton")
    theirs = category(other, "equipment")
    refused(rounds, "category", category_id=theirs.id)


def test_a_day_in_the_future_is_refused(rounds):
    message = refused(rounds, "occurred_on", occurred_on=local_today() + timedelta(days=1))
    assert "in the future" in message


def test_a_large_amount_must_be_typed_again(rounds):
    rounds.coop.large_amount_pence = 50_000
    db.session.commit()
    message = refused(rounds, "repeat_amount", LARGE_AMOUNT, amount_pence=60_000)
    assert message == "£600.00 is more than £500.00: type the amount again to confirm it."
    assert "differ" in refused(
        rounds, "repeat_amount", LARGE_AMOUNT, amount_pence=60_000, repeated_amount_pence=6000
    )

    entry = record(
        rounds.coop, treasurer(rounds), key="equipment", amount_pence=60_000, repeated=60_000
    )
    assert entry.amount_pence == 60_000


def test_spending_more_than_the_bank_holds_asks_first(rounds):
    message = refused(rounds, "method", BELOW_ZERO, amount_pence=4500, below_zero_confirmed=False)
    assert "Bank holds £0.00 by the books" in message and "-£45.00" in message

    entry = record(rounds.coop, treasurer(rounds), amount_pence=4500, below_zero_ok=True)
    assert kind_balances(rounds.coop)[AccountKind.BANK] == 4500  # overdrawn by £45.00
    assert entry.amount_pence == 4500


def test_income_never_asks_about_going_below_zero(rounds):
    entry = record(rounds.coop, treasurer(rounds), key="donations", below_zero_ok=False)
    assert entry.direction is FundDirection.INCOME


# --- receipts ------------------------------------------------------------------------------


def test_a_png_receipt_is_kept_by_its_content(rounds):
    entry = record(
        rounds.coop,
        treasurer(rounds),
        key="donations",
        upload=Upload(filename="C:\\scans\\thank you.PNG", data=PNG),
    )

    receipt = entry.receipt
    assert receipt is not None
    assert receipt.content_type == "image/png"
    assert receipt.filename == "thank you.png"
    assert receipt.size_bytes == len(PNG)
    assert receipt.sha256 == hashlib.sha256(PNG).hexdigest()
    assert receipt.content == PNG


def test_a_pdf_receipt_is_kept_whatever_its_name(rounds):
    entry = record(
        rounds.coop, treasurer(rounds), key="donations", upload=Upload("receipt.jpg", PDF)
    )
    assert entry.receipt is not None
    assert (entry.receipt.content_type, entry.receipt.filename) == (
        "application/pdf",
        "receipt.pdf",
    )


def test_a_text_file_named_pdf_is_refused(rounds):
    message = refused(rounds, "receipt", upload=Upload("hall.pdf", NOT_A_PDF))
    assert "not a PDF, PNG, JPEG or WebP" in message


def test_a_receipt_larger_than_the_limit_is_refused(rounds, app):
    app.config["RECEIPT_MAX_BYTES"] = 1000
    message = refused(rounds, "receipt", upload=Upload("big.png", PNG + b"\0" * 1000))
    assert "larger than 1 KB" in message


# --- categories ----------------------------------------------------------------------------


def test_the_built_in_categories_are_made_once_and_found_by_key(rounds):
    fund_categories(coop=rounds.coop)
    fund_categories(coop=rounds.coop)
    db.session.commit()

    keys = set(
        db.session.scalars(select(FundCategory.key).where(FundCategory.coop_id == rounds.coop.id))
    )
    assert keys == {key for key, _, _ in BUILT_IN_CATEGORIES}
    assert {"card_fees", "bank_charges", "stock_sales", "hall_hire"} <= keys
    assert count_rows(FundCategory, FundCategory.coop_id == rounds.coop.id) == len(keys)


def test_a_coop_adds_and_archives_its_own_category(rounds):
    training = add_category(coop=rounds.coop, name="  Training  ", direction=FundDirection.EXPENSE)
    db.session.commit()
    assert training.name == "Training" and training.key is None
    spending = fund_categories(coop=rounds.coop, direction=FundDirection.EXPENSE)
    assert "Training" in [c.name for c in spending]

    assert "already" in refusal_message(
        lambda: add_category(coop=rounds.coop, name="training", direction=FundDirection.EXPENSE),
        field="name",
    )
    # The same name for income is a different category.
    add_category(coop=rounds.coop, name="Training", direction=FundDirection.INCOME)
    assert "Name the category" in refusal_message(
        lambda: add_category(coop=rounds.coop, name="  ", direction=FundDirection.INCOME),
        field="name",
    )


def test_a_periods_totals_by_category_leave_out_reversed_entries_and_other_days(rounds):
    user = treasurer(rounds)
    today = local_today()
    record(rounds.coop, user, key="donations", amount_pence=1000, method=HeldIn.CASH)
    record(rounds.coop, user, key="donations", amount_pence=2500)
    record(
        rounds.coop, user, key="donations", amount_pence=700, occurred_on=today - timedelta(days=40)
    )
    wrong = record(rounds.coop, user, key="hall_hire", amount_pence=4500)
    reverse_entry(transaction=wrong.transaction, reason="paid by the council", by=user)
    db.session.commit()

    totals = category_totals(coop=rounds.coop, start=today - timedelta(days=7), end=today)

    assert [(t.key, t.method, t.amount_pence) for t in totals] == [
        ("donations", HeldIn.BANK, 2500),
        ("donations", HeldIn.CASH, 1000),
    ]
