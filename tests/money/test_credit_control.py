"""Credit control: a household past the co-op's credit limit cannot add to its orders."""

from __future__ import annotations

import pytest
from rounds.ordering_support import item_card, item_url, order_url, place, queue
from support import count_rows, field_error, layout_problems, text

from coop.domain.credit import Standing
from coop.extensions import db
from coop.models import CreditApproval, OrderRequest
from money.treasury_support import settled_round, treasurer


def limit(rounds, pence, *, needs_approval=False):
    rounds.coop.credit_limit_pence = pence
    rounds.coop.credit_limit_needs_approval = needs_approval
    db.session.commit()


@pytest.fixture
def owing(rounds, auth):
    """The first household owes £12.00 for a settled round, and is logged in; a round is open."""
    settled_round(rounds, 6)  # 6 of porridge oats at £2.00
    household = rounds.households[0]
    auth.login_as(household.user)
    return household


@pytest.fixture
def rice(rounds):
    return rounds.product(name="Brown rice", case_price_pence=1200)  # £2.00 each


# --- the rule, pure ---------------------------------------------------------------------


def test_an_order_may_not_take_what_a_household_owes_past_the_limit():
    standing = Standing(limit_pence=500, available_pence=-100)

    assert not standing.over_limit
    assert not standing.refuses(more_pence=400, asks_more=True)
    assert standing.refuses(more_pence=401, asks_more=True)
    assert "take what you owe to £5.01, past the co-op's limit of £5.00" in standing.refusal(
        more_pence=401
    )


def test_asking_for_less_is_never_refused_even_far_past_the_limit():
    standing = Standing(limit_pence=0, available_pence=-10_000)

    assert standing.over_limit
    assert standing.to_pay_pence == 10_000
    assert not standing.refuses(more_pence=-200, asks_more=False)
    assert standing.refuses(more_pence=0, asks_more=True)  # more extra units only


def test_no_limit_refuses_nothing_and_a_limit_of_nothing_means_pay_first():
    assert not Standing(limit_pence=None, available_pence=-1_000_000).refuses(
        more_pence=1_000, asks_more=True
    )
    in_credit = Standing(limit_pence=0, available_pence=300)
    assert not in_credit.refuses(more_pence=300, asks_more=True)
    assert in_credit.refuses(more_pence=301, asks_more=True)


def test_an_approved_order_is_not_held_to_the_limit():
    standing = Standing(limit_pence=0, available_pence=-900, needs_approval=True, approved=True)

    assert not standing.over_limit
    assert not standing.refuses(more_pence=5_000, asks_more=True)


# --- the ordering page ---------------------------------------------------------------------


def test_a_household_past_the_limit_is_told_why_and_how_to_pay_and_cannot_order(
    rounds, client, owing, rice
):
    treasurer(rounds)
    limit(rounds, 500)
    round_ = rounds.round(rice, title="Next week")

    response = client.get(order_url(round_))
    page = text(response)

    assert not layout_problems(response.get_data(as_text=True))
    assert (
        "You owe £12.00, counting your orders not yet paid for; the co-op's limit is £5.00." in page
    )
    assert "Pay £7.00 to order again." in page
    assert "In cash, to Tess Urer (the co-op's treasurer)" in page
    assert "ask Tess Urer for Fishwick Food's bank details" in page
    assert page.index('id="credit-limit"') < page.index('id="your-order"')

    item_id = rounds.item(round_, rice).id
    response = client.post(item_url(rounds, round_, rice), data={"quantity": "1"})

    assert response.status_code == 400
    error = field_error(text(response), f"quantity-{item_id}")
    assert error is not None
    assert error.startswith("You owe £12.00, more than the co-op's limit of £5.00.")
    assert "Pay £9.00 to add this, or order less." in error  # £12 + £2 - £5
    assert count_rows(OrderRequest, OrderRequest.round_id == round_.id) == 0


def test_the_refusal_comes_back_to_the_page_s_script_at_the_quantity_box(
    rounds, client, owing, rice
):
    limit(rounds, 500)
    round_ = rounds.round(rice)

    response = client.post(
        item_url(rounds, round_, rice),
        data={"quantity": "2"},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert "more than the co-op's limit of £5.00" in response.get_json()["errors"]["quantity"]


def test_a_household_past_the_limit_can_still_order_less(rounds, client, owing, rice):
    round_ = rounds.round(rice)
    place(rounds, round_, rice, owing, 3, 2)
    limit(rounds, 500)

    response = client.post(item_url(rounds, round_, rice), data={"quantity": "1", "tolerance": "2"})

    assert response.status_code == 302
    assert queue(rounds, round_, rice) == [(owing.id, 1, 2)]
    raised = client.post(item_url(rounds, round_, rice), data={"quantity": "1", "tolerance": "3"})
    assert raised.status_code == 400
    removed = client.post(item_url(rounds, round_, rice), data={"quantity": "0", "tolerance": "0"})
    assert removed.status_code == 302
    assert queue(rounds, round_, rice) == []


def test_an_order_that_would_pass_the_limit_is_refused_before_it_is_written(
    rounds, client, auth, rice
):
    household = rounds.households[1]
    auth.login_as(household.user)
    limit(rounds, 500)
    round_ = rounds.round(rice)
    item_id = rounds.item(round_, rice).id

    assert client.post(item_url(rounds, round_, rice), data={"quantity": "2"}).status_code == 302
    response = client.post(item_url(rounds, round_, rice), data={"quantity": "3"})

    assert response.status_code == 400
    assert field_error(text(response), f"quantity-{item_id}").startswith(
        "This would take what you owe to £6.00, past the co-op's limit of £5.00."
    )
    assert queue(rounds, round_, rice) == [(household.id, 2, 0)]
    assert 'id="credit-limit"' not in text(client.get(order_url(round_)))


def test_with_no_limit_a_household_that_owes_orders_as_before(rounds, client, owing, rice):
    limit(rounds, None)
    round_ = rounds.round(rice)

    page = text(client.get(order_url(round_)))
    response = client.post(item_url(rounds, round_, rice), data={"quantity": "5"})

    assert 'id="credit-limit"' not in page
    assert response.status_code == 302
    assert queue(rounds, round_, rice) == [(owing.id, 5, 0)]


# --- approval ----------------------------------------------------------------------------------


def test_a_household_asks_the_treasurer_who_approves_its_order_in_the_round(
    rounds, client, auth, owing, rice, mailbox
):
    tess = treasurer(rounds)
    limit(rounds, 500, needs_approval=True)
    round_ = rounds.round(rice, title="Next week")
    item_id = rounds.item(round_, rice).id

    page = text(client.get(order_url(round_)))
    assert "Adding to your order needs the treasurer's approval, or pay £7.00" in page
    assert "Ask the treasurer to approve my order in this round" in page
    refused = client.post(item_url(rounds, round_, rice), data={"quantity": "1"})
    assert "Ask the treasurer to approve your order, or pay £9.00 to add this." in field_error(
        text(refused), f"quantity-{item_id}"
    )

    asked = client.post(order_url(round_, "credit-approval"), follow_redirects=True)
    assert "The treasurer is asked to approve your order in this round." in text(asked)
    assert "Waiting for the treasurer's approval." in text(asked)
    (message,) = mailbox.to(tess.email)
    assert "Household 1 asks to order past the credit limit" in message["Subject"]
    assert "/coops/fishwick/admin/money/credit" in mailbox.body(message)
    waiting = client.post(item_url(rounds, round_, rice), data={"quantity": "1"})
    assert "once the treasurer approves it" in field_error(text(waiting), f"quantity-{item_id}")
    again = client.post(order_url(round_, "credit-approval"), follow_redirects=True)
    assert "You have already asked" in text(again)
    assert count_rows(CreditApproval) == 1

    auth.logout()
    auth.login_as(tess)
    other = rounds.households[1]
    db.session.add(CreditApproval(membership_id=other.id, round_id=round_.id))
    db.session.commit()
    listed = client.get("/coops/fishwick/admin/money/credit")
    assert not layout_problems(listed.get_data(as_text=True))
    listing = text(listed)
    assert "Household 1" in listing and "Next week" in listing
    approval = db.session.scalars(db.select(CreditApproval).filter_by(membership_id=owing.id)).one()
    approved = client.post(
        f"/coops/fishwick/admin/money/credit/{approval.id}/approve", follow_redirects=True
    )
    assert "Household 1 can now order in Next week." in text(approved)
    assert "Household 2" in text(approved)  # still waiting
    assert mailbox.to(owing.user.email, "is approved")

    auth.logout()
    auth.login_as(owing.user)
    assert 'id="credit-limit"' not in text(client.get(order_url(round_)))
    ordered = client.post(item_url(rounds, round_, rice), data={"quantity": "4"})
    assert ordered.status_code == 302
    assert queue(rounds, round_, rice) == [(owing.id, 4, 0)]
    assert "Saved: 4 of Brown rice" in item_card(text(client.get(order_url(round_))), item_id)


def test_only_a_co_op_that_approves_takes_requests(rounds, client, owing, rice):
    limit(rounds, 500)
    round_ = rounds.round(rice)

    response = client.post(order_url(round_, "credit-approval"), follow_redirects=True)

    assert "The co-op does not approve orders past its credit limit." in text(response)
    assert count_rows(CreditApproval) == 0


def test_a_member_cannot_see_or_approve_requests(rounds, client, owing):
    assert client.get("/coops/fishwick/admin/money/credit").status_code == 403
    assert client.post("/coops/fishwick/admin/money/credit/1/approve").status_code == 403


# --- the setting ----------------------------------------------------------------------------------


def settings(**changes: str) -> dict[str, str]:
    data = {
        "name": "Fishwick Food",
        "pickup_address": "Church hall",
        "household_cap": "20",
        "joining_policy": "approval",
    }
    data.update(changes)
    return data


def test_a_coordinator_sets_the_limit_and_what_happens_past_it(rounds, client, auth):
    auth.login_as(rounds.coordinator)

    response = client.post(
        "/coops/fishwick/admin/settings",
        data=settings(credit_limit_pence="30", credit_limit_needs_approval="approve"),
    )

    assert response.status_code == 302
    db.session.refresh(rounds.coop)
    assert rounds.coop.credit_limit_pence == 3000
    assert rounds.coop.credit_limit_needs_approval is True
    page = text(client.get("/coops/fishwick/admin/settings"))
    assert 'value="30.00"' in page
    assert 'checked id="credit_limit_needs_approval-1"' in page

    client.post("/coops/fishwick/admin/settings", data=settings(credit_limit_pence=""))
    db.session.refresh(rounds.coop)
    assert rounds.coop.credit_limit_pence is None
    assert rounds.coop.credit_limit_needs_approval is True  # not posted: kept


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Enter an amount in pounds and pence"),
        ("-5", "cannot be negative"),
        ("1.234", "at most two digits"),
    ],
)
def test_a_limit_that_cannot_be_read_is_refused_at_the_field(rounds, client, auth, typed, message):
    auth.login_as(rounds.coordinator)

    response = client.post(
        "/coops/fishwick/admin/settings", data=settings(credit_limit_pence=typed)
    )

    assert response.status_code == 200
    assert message in field_error(text(response), "credit_limit_pence")
    db.session.refresh(rounds.coop)
    assert rounds.coop.credit_limit_pence is None


def test_a_forged_choice_of_what_happens_past_the_limit_is_refused(rounds, client, auth):
    auth.login_as(rounds.coordinator)

    response = client.post(
        "/coops/fishwick/admin/settings",
        data=settings(credit_limit_pence="10", credit_limit_needs_approval="maybe"),
    )

    assert "Choose whether to refuse" in field_error(text(response), "credit_limit_needs_approval")
    db.session.refresh(rounds.coop)
    assert rounds.coop.credit_limit_pence is None


def test_a_household_within_the_limit_sees_it_and_can_ask_before_going_past_it(
    rounds, client, auth, rice
):
    household = rounds.households[1]
    auth.login_as(household.user)
    limit(rounds, 500, needs_approval=True)
    round_ = rounds.round(rice)

    page = text(client.get(order_url(round_)))
    refused = client.post(item_url(rounds, round_, rice), data={"quantity": "3"})
    asked = client.post(order_url(round_, "credit-approval"), follow_redirects=True)

    assert "Credit limit" in page and "£5.00: you can owe up to that" in page
    assert 'id="credit-limit"' not in page
    assert "To order past the limit in this round, ask the treasurer" in page
    assert "Ask the treasurer to approve your order, or pay £1.00 to add this." in text(refused)
    assert "Waiting for the treasurer's approval." in text(asked)
    assert count_rows(CreditApproval, CreditApproval.membership_id == household.id) == 1
