"""The treasurer's income-and-spending and reconciliation pages, through the web."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from support import count_rows, field_error, layout_problems, text

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import (
    FundCategory,
    FundEntry,
    HeldIn,
    Posting,
    Receipt,
    ReconciledPosting,
    Reconciliation,
)
from coop.services.money.fund import local_today
from money.fund_support import NOT_A_PDF, PNG, category, record
from money.treasury_support import treasurer

BASE = "/coops/fishwick/admin"


@pytest.fixture
def signed_in(rounds, auth):
    """Sign the co-op's treasurer in; return the user."""
    user = treasurer(rounds)
    auth.login_as(user)
    return user


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert not layout_problems(response.get_data(as_text=True))
    return text(response)


def spend(client, rounds, *, receipt=None, **changes: str):
    """Post the record-spending form with a hall hire from the bank, changed by *changes*."""
    data = {
        "category": str(category(rounds.coop, "hall_hire").id),
        "amount": "45.00",
        "method": "bank",
        "occurred_on": local_today().isoformat(),
        "reference": "INV-12",
        **changes,
    }
    if receipt is not None:
        data["receipt"] = receipt
    return client.post(f"{BASE}/money/fund/spend", data=data, content_type="multipart/form-data")


def confirmation(page: str) -> str:
    """What the below-zero warning left in the form, to send back unchanged to confirm."""
    found = re.search(r'name="below_zero_ok" type="hidden" value="([^"]*)"', page)
    assert found is not None and found.group(1), "no confirmation in the form"
    return found.group(1)


def nothing_written(before: tuple[int, int, int]) -> bool:
    return (count_rows(Posting), count_rows(FundEntry), count_rows(Receipt)) == before


def counts() -> tuple[int, int, int]:
    return count_rows(Posting), count_rows(FundEntry), count_rows(Receipt)


def fund_paths(rounds, user) -> list[tuple[str, str]]:
    entry = record(rounds.coop, user, key="donations", upload=None)
    hall = category(rounds.coop, "hall_hire")
    receipt = Receipt(
        coop_id=rounds.coop.id,
        filename="r.png",
        content_type="image/png",
        size_bytes=len(PNG),
        sha256="0" * 64,
        content=PNG,
    )
    db.session.add(receipt)
    db.session.commit()
    del entry
    return [
        ("GET", f"{BASE}/money/fund"),
        ("GET", f"{BASE}/money/fund/spend"),
        ("POST", f"{BASE}/money/fund/spend"),
        ("GET", f"{BASE}/money/fund/income"),
        ("POST", f"{BASE}/money/fund/income"),
        ("GET", f"{BASE}/money/fund/categories"),
        ("POST", f"{BASE}/money/fund/categories"),
        ("POST", f"{BASE}/money/fund/categories/{hall.id}/archive"),
        ("POST", f"{BASE}/money/fund/categories/{hall.id}/restore"),
        ("GET", f"{BASE}/money/receipts/{receipt.id}"),
        ("GET", f"{BASE}/money/reconcile/bank"),
        ("POST", f"{BASE}/money/reconcile/bank"),
        ("GET", f"{BASE}/money/reconcile/cash"),
        ("POST", f"{BASE}/money/reconcile/cash"),
    ]


# --- who may -------------------------------------------------------------------------------


def test_a_member_is_refused_every_fund_page_and_receipt(rounds, client, auth):
    paths = fund_paths(rounds, treasurer(rounds))
    auth.login_as(rounds.households[0].user)
    before = counts()

    for method, path in paths:
        response = client.open(path, method=method, data={"amount": "5", "name": "x"})
        assert response.status_code == 403, (method, path)

    assert nothing_written(before)


def test_a_treasurer_and_a_coordinator_reach_every_fund_page(rounds, client, auth):
    paths = [path for method, path in fund_paths(rounds, treasurer(rounds)) if method == "GET"]
    for user in (treasurer(rounds), rounds.coordinator):
        auth.login_as(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            if response.mimetype == "text/html":
                assert not layout_problems(response.get_data(as_text=True)), path
        auth.logout()


def test_another_coops_treasurer_cannot_read_a_receipt(rounds, client, auth, factory):
    entry = record(rounds.coop, treasurer(rounds), key="donations", upload=None, amount_pence=100)
    receipt = Receipt(
        coop_id=rounds.coop.id,
        filename="r.png",
        content_type="image/png",
        size_bytes=len(PNG),
        sha256="0" * 64,
        content=PNG,
    )
    db.session.add(receipt)
    db.session.commit()
    del entry
    other = factory.coop(name="Ribbleton Food Co-op", slug="ribbleton")
    auth.login_as(factory.member(other, Role.TREASURER))

    assert client.get(f"{BASE}/money/receipts/{receipt.id}").status_code == 403
    assert client.get(f"/coops/ribbleton/admin/money/receipts/{receipt.id}").status_code == 404


# --- recording spending --------------------------------------------------------------------


def test_recording_hall_hire_with_a_receipt_shows_in_the_list_and_the_ledger(
    rounds, client, signed_in
):
    record(rounds.coop, signed_in, key="grants_received", amount_pence=10_000)

    response = spend(client, rounds, receipt=(io.BytesIO(PNG), "hall.png"))

    assert response.status_code == 302, field_error(text(response), "receipt")
    listing = page_of(client.get(f"{BASE}/money/fund"))
    assert "Spending: Hall hire" in listing and "-£45.00" in listing and "INV-12" in listing
    assert "Income less spending" in listing and "£55.00" in listing
    ledger = page_of(client.get(f"{BASE}/money/ledger"))
    assert "Spent from the fund" in ledger and "Hall hire: paid from the bank (INV-12)" in ledger
    entry = db.session.scalars(db.select(FundEntry).order_by(FundEntry.id.desc())).first()
    assert entry is not None and entry.receipt_id is not None

    shown = client.get(f"{BASE}/money/receipts/{entry.receipt_id}")
    assert shown.status_code == 200 and shown.data == PNG
    assert shown.mimetype == "image/png"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.headers["Content-Disposition"].startswith("inline")
    downloaded = client.get(f"{BASE}/money/receipts/{entry.receipt_id}?download=1")
    assert downloaded.headers["Content-Disposition"] == "attachment; filename=hall.png"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "0"}, "amount", "more than £0.00"),
        ({"amount": "-5"}, "amount", "cannot be negative"),
        ({"amount": "abc"}, "amount", "pounds and pence"),
        ({"amount": "1.234"}, "amount", "two digits after the decimal point"),
        ({"category": ""}, "category", "Choose a category"),
        ({"occurred_on": "2999-01-01"}, "occurred_on", "in the future"),
        ({"occurred_on": "yesterday"}, "occurred_on", "like 2026-12-03"),
    ],
)
def test_bad_input_is_refused_at_its_field_keeping_what_was_typed(
    rounds, client, signed_in, changes, field, message
):
    record(rounds.coop, signed_in, key="grants_received", amount_pence=10_000)
    before = counts()

    page = page_of(spend(client, rounds, **changes))

    assert message in (field_error(page, field) or ""), page
    assert 'value="INV-12"' in page
    typed = changes.get("amount")
    if typed:
        assert f'value="{typed}"' in page
    assert nothing_written(before)


def test_a_receipt_that_is_text_named_pdf_is_refused(rounds, client, signed_in):
    record(rounds.coop, signed_in, key="grants_received", amount_pence=10_000)
    before = counts()

    page = page_of(spend(client, rounds, receipt=(io.BytesIO(NOT_A_PDF), "hall.pdf")))

    assert "not a PDF, PNG, JPEG or WebP" in (field_error(page, "receipt") or "")
    assert nothing_written(before)


def test_a_receipt_over_the_size_limit_is_refused(rounds, client, signed_in, app):
    app.config["RECEIPT_MAX_BYTES"] = 2048
    record(rounds.coop, signed_in, key="grants_received", amount_pence=10_000)
    before = counts()

    page = page_of(spend(client, rounds, receipt=(io.BytesIO(PNG + b"\0" * 4096), "big.png")))

    assert "larger than 2 KB" in (field_error(page, "receipt") or "")
    assert nothing_written(before)


def test_a_large_amount_asks_for_it_again_then_records_it(rounds, client, signed_in):
    record(rounds.coop, signed_in, key="grants_received", amount_pence=100_000, repeated=100_000)
    before = counts()

    page = page_of(spend(client, rounds, amount="600"))

    assert "£600.00 is more than £500.00" in (field_error(page, "repeat_amount") or "")
    assert nothing_written(before)
    wrong = page_of(spend(client, rounds, amount="600", repeat_amount="60"))
    assert "differ" in (field_error(wrong, "repeat_amount") or "")

    response = spend(client, rounds, amount="600", repeat_amount="600.00")
    assert response.status_code == 302
    assert count_rows(FundEntry) == before[1] + 1


def test_spending_below_zero_warns_then_records_with_the_receipt_kept(rounds, client, signed_in):
    before = counts()

    page = page_of(spend(client, rounds, receipt=(io.BytesIO(PNG), "hall.png")))

    assert "Bank holds £0.00 by the books" in page
    assert "Record it anyway" in page and "Receipt kept: hall.png" in page
    assert (count_rows(Posting), count_rows(FundEntry)) == before[:2]
    kept = db.session.scalars(db.select(Receipt).order_by(Receipt.id.desc())).first()
    assert kept is not None

    response = spend(client, rounds, below_zero_ok=confirmation(page), receipt_id=str(kept.id))

    assert response.status_code == 302
    entry = db.session.scalars(db.select(FundEntry).order_by(FundEntry.id.desc())).first()
    assert entry is not None and entry.receipt_id == kept.id
    assert count_rows(Receipt) == before[2] + 1


def test_spending_changed_after_its_below_zero_warning_is_checked_again(rounds, client, signed_in):
    record(rounds.coop, signed_in, key="donations", amount_pence=1000, method=HeldIn.CASH)
    before = counts()
    warned = page_of(spend(client, rounds, amount="45.00", method="bank"))
    assert "Bank holds £0.00 by the books" in (field_error(warned, "method") or "")
    token = confirmation(warned)

    more = page_of(spend(client, rounds, amount="60.00", method="bank", below_zero_ok=token))
    assert "so spending £60.00 takes it to -£60.00" in (field_error(more, "method") or "")
    in_cash = page_of(spend(client, rounds, amount="45.00", method="cash", below_zero_ok=token))
    assert "Cash holds £10.00 by the books" in (field_error(in_cash, "method") or "")
    assert nothing_written(before)

    response = spend(
        client, rounds, amount="45.00", method="cash", below_zero_ok=confirmation(in_cash)
    )
    assert response.status_code == 302
    assert count_rows(FundEntry) == before[1] + 1


def test_a_large_amount_below_zero_is_typed_twice_and_confirmed_once(rounds, client, signed_in):
    before = counts()
    asked = page_of(spend(client, rounds, amount="600"))
    assert field_error(asked, "repeat_amount")

    warned = page_of(spend(client, rounds, amount="600", repeat_amount="600"))
    assert "Bank holds £0.00 by the books" in (field_error(warned, "method") or "")
    assert 'value="600"' in warned, "the amount typed again is kept"
    assert nothing_written(before)

    response = spend(
        client, rounds, amount="600", repeat_amount="600", below_zero_ok=confirmation(warned)
    )
    assert response.status_code == 302
    assert count_rows(FundEntry) == before[1] + 1


def test_income_is_recorded_through_its_page(rounds, client, signed_in):
    page_of(client.get(f"{BASE}/money/fund/income"))
    response = client.post(
        f"{BASE}/money/fund/income",
        data={
            "category": str(category(rounds.coop, "membership_fees").id),
            "amount": "12",
            "method": "cash",
            "occurred_on": local_today().isoformat(),
            "reference": "",
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    listing = page_of(client.get(f"{BASE}/money/fund"))
    assert "Income: Membership fees" in listing and "£12.00" in listing


def test_a_coop_adds_and_archives_a_category_through_the_page(rounds, client, signed_in):
    response = client.post(
        f"{BASE}/money/fund/categories",
        data={"name": "Training", "direction": "expense"},
        follow_redirects=True,
    )
    assert "Added the category Training." in page_of(response)
    twice = page_of(
        client.post(
            f"{BASE}/money/fund/categories", data={"name": "training", "direction": "expense"}
        )
    )
    assert "already a category called Training" in (field_error(twice, "name") or "")
    training = db.session.scalars(
        db.select(FundCategory).where(
            FundCategory.coop_id == rounds.coop.id, FundCategory.name == "Training"
        )
    ).one()

    archived = client.post(
        f"{BASE}/money/fund/categories/{training.id}/archive", follow_redirects=True
    )
    assert "Training is archived" in page_of(archived)
    offered = page_of(client.get(f"{BASE}/money/fund/spend"))
    assert ">Training<" not in offered


# --- reconciling ---------------------------------------------------------------------------


def test_reconciling_the_bank_through_the_page_ticks_the_entries(rounds, client, signed_in):
    record(rounds.coop, signed_in, key="donations", amount_pence=10_000)
    record(rounds.coop, signed_in, key="hall_hire", amount_pence=4500)
    today = local_today().isoformat()

    page = page_of(client.get(f"{BASE}/money/reconcile/bank"))
    assert "£55.00" in page and "Hall hire: paid from the bank" in page

    compared = page_of(
        client.post(
            f"{BASE}/money/reconcile/bank",
            data={"as_of": today, "statement_balance": "50", "action": "compare"},
        )
    )
    assert "Difference" in compared and "-£5.00" in compared
    assert count_rows(Reconciliation) == 0

    refused = page_of(
        client.post(
            f"{BASE}/money/reconcile/bank",
            data={"as_of": today, "statement_balance": "50", "action": "save"},
        )
    )
    assert "balances differ" in (field_error(refused, "note") or "")

    saved = client.post(
        f"{BASE}/money/reconcile/bank",
        data={"as_of": today, "statement_balance": "55.00", "action": "save"},
        follow_redirects=True,
    )
    done = page_of(saved)
    assert "the balances agree" in done and "Every entry up to that day is reconciled." in done
    assert count_rows(ReconciledPosting) == 2


def test_a_reconciliation_in_the_future_is_refused_at_its_field(rounds, client, signed_in):
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    page = page_of(
        client.post(
            f"{BASE}/money/reconcile/cash",
            data={"as_of": tomorrow, "statement_balance": "0", "action": "save"},
        )
    )
    assert "in the future" in (field_error(page, "as_of") or "")
    assert count_rows(Reconciliation) == 0


def test_the_categories_a_new_coops_form_offers_are_the_ones_it_accepts(rounds, client, signed_in):
    form = client.get(f"{BASE}/money/fund/spend").get_data(as_text=True)
    offered = re.search(r'<option value="(\d+)">Hall hire</option>', form)
    assert offered is not None

    warned = page_of(spend(client, rounds, category=offered[1]))
    response = spend(client, rounds, category=offered[1], below_zero_ok=confirmation(warned))

    assert response.status_code == 302, field_error(text(response), "category")
    entry = db.session.scalars(db.select(FundEntry)).one()
    assert entry.category.name == "Hall hire"
