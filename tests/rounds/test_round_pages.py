"""Coordinators' round pages: the list, new and edit, items, opening, closing, and who may."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from support import CHROMIUM, PASSWORD, PHONE, count_rows, field_error, layout_problems, text

from coop.domain.roles import Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Allocation, OutboxMessage, Round, RoundItem, RoundSupplier, Supplier
from coop.models.types import utcnow
from coop.services.rounds.closing import close_round
from rounds.admin_support import admin_url, round_form, sheet_url, typed

ROUNDS = "/coops/fishwick/admin/rounds"


@pytest.fixture
def coordinator(client, auth, rounds):
    """The client, signed in as the co-op's coordinator."""
    auth.login_as(rounds.coordinator)
    return client


@pytest.fixture
def treasurer(client, auth, rounds, factory):
    auth.login_as(factory.member(rounds.coop, Role.TREASURER))
    return client


def fresh(round_: Round) -> Round:
    db.session.expire_all()
    return db.session.get(Round, round_.id)


def mail_text(mailbox, message) -> str:
    return mailbox.body(message).replace("\r\n", "\n")


def flashes(page: str) -> str:
    return (
        page.split('<div class="flashes">', 1)[1].split("</div>", 1)[0] if "flashes" in page else ""
    )


# --- the list and the overview -------------------------------------------------------


def test_the_list_groups_rounds_by_state_with_their_counts(coordinator, rounds):
    oats, rice = rounds.product(), rounds.product()
    open_round = rounds.round(oats, rice, title="This week")
    rounds.ask(open_round, oats, rounds.households[0], 2)
    rounds.ask(open_round, rice, rounds.households[1], 1)
    rounds.round(oats, state=RoundState.DRAFT, title="Next week")
    cancelled = rounds.round(oats, title="Last week")
    cancelled.state = RoundState.CANCELLED
    db.session.commit()

    page = text(coordinator.get(ROUNDS))

    open_part, rest = page.split("<h2>Drafts</h2>")
    drafts, rest = rest.split("<h2>Closed, waiting for delivery or pickup</h2>")
    closed, past = rest.split("<h2>Past rounds</h2>")
    assert "This week" in open_part and "2 items" in open_part
    assert "2 households ordered" in open_part
    assert "Next week" in drafts and "0 households ordered" in drafts
    assert "None." in closed
    assert "Last week" in past
    assert 'href="/coops/fishwick/admin/rounds/new"' in page


def test_the_overview_shows_current_rounds_and_a_new_round_link(coordinator, rounds):
    rounds.round(rounds.product(), title="This week")

    page = text(coordinator.get("/coops/fishwick/admin/"))

    assert "<h2>Rounds</h2>" in page
    assert "This week" in page
    assert ">New round</a>" in page
    assert 'href="/coops/fishwick/admin/rounds">Rounds</a>' in page


# --- new and edit --------------------------------------------------------------------


def test_the_new_round_form_offers_the_coops_pickup_address_and_explains_the_choices(
    coordinator,
):
    page = text(coordinator.get(f"{ROUNDS}/new"))

    assert "Community Centre, 1 Market Street</textarea>" in page
    assert 'type="radio"' in page
    assert "the households that ordered first get theirs first" in page
    assert "each household gets a share in proportion" in page
    assert "lower, and the co-op pays for the units nobody takes" in page
    assert 'type="datetime-local"' in page
    assert re.search(r'<input [^>]*id="fill_percent"[^>]* type="number" value="100">', page)


def test_a_new_round_is_saved_in_utc_from_uk_clock_times(coordinator, rounds):
    response = coordinator.post(
        f"{ROUNDS}/new",
        data=round_form(
            opens_at="2030-07-14T09:00", closes_at="2030-07-16T18:30", pickup_at="2030-07-18T10:00"
        ),
    )

    round_ = db.session.scalar(select(Round))
    assert response.headers["Location"] == admin_url(round_, "/items")
    assert (round_.opens_at, round_.closes_at, round_.pickup_at) == (
        datetime(2030, 7, 14, 8, 0, tzinfo=UTC),
        datetime(2030, 7, 16, 17, 30, tzinfo=UTC),
        datetime(2030, 7, 18, 9, 0, tzinfo=UTC),
    )
    assert (round_.state, round_.policy, round_.fill_percent, round_.max_per_household) == (
        RoundState.DRAFT,
        "fair_share",
        80,
        12,
    )
    assert (round_.pickup_place, round_.notes) == (
        "Church hall, Fishwick Parade",
        "Bring your own bags.",
    )
    page = text(coordinator.get(admin_url(round_)))
    assert "Tue 16 Jul 2030, 18:30" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Give the round a title."),
        (
            {"opens_at": "2030-07-16T09:00", "closes_at": "2030-07-15T09:00"},
            "closes_at",
            "The deadline must be after the opening time.",
        ),
        (
            {
                "closes_at": "2030-07-16T18:30",
                "pickup_at": "2030-07-16T18:00",
                "opens_at": "2030-07-14T09:00",
            },
            "pickup_at",
            "Pickup must be after the deadline.",
        ),
        ({"closes_at": "next Tuesday"}, "closes_at", "Enter a date and time, such as"),
        ({"opens_at": "2030-03-31T01:30"}, "opens_at", "the clocks go forward then"),
        ({"fill_percent": "0"}, "fill_percent", "Enter a percentage from 1 to 100."),
        ({"policy": "lottery"}, "policy", "Choose how short items are shared out."),
        ({"max_per_household": "-2"}, "max_per_household", "or leave it blank"),
    ],
)
def test_bad_round_details_are_shown_at_their_field_and_keep_what_was_typed(
    coordinator, changes, field, message
):
    response = coordinator.post(f"{ROUNDS}/new", data=round_form(notes="Bring bags", **changes))

    page = text(response)
    assert response.status_code == 200
    assert message.lower() in (field_error(page, field) or "").lower()
    assert "There is a problem" in page
    assert "Bring bags</textarea>" in page
    for name, value in changes.items():
        if name != "policy" and value:
            assert f'value="{value}"' in page
    assert count_rows(Round) == 0


def test_a_draft_can_be_edited(coordinator, rounds):
    round_ = rounds.round(rounds.product(), state=RoundState.DRAFT)

    response = coordinator.post(
        admin_url(round_, "/edit"),
        data=round_form(
            title="Summer round",
            closes_at="2030-07-20T12:00",
            opens_at="2030-07-14T09:00",
            pickup_at="",
        ),
    )

    assert response.headers["Location"] == admin_url(round_)
    round_ = fresh(round_)
    assert (round_.title, round_.closes_at, round_.pickup_at) == (
        "Summer round",
        datetime(2030, 7, 20, 11, 0, tzinfo=UTC),
        None,
    )


def test_editing_an_open_round_leaves_its_timing_and_rules_alone(coordinator, rounds):
    round_ = rounds.round(rounds.product(), policy="first_come")
    opened, deadline = round_.opens_at, round_.closes_at

    form = text(coordinator.get(admin_url(round_, "/edit")))
    response = coordinator.post(
        admin_url(round_, "/edit"),
        data=round_form(title="Renamed", policy="fair_share", closes_at="2030-01-01T10:00"),
    )

    assert 'name="closes_at"' not in form and 'name="policy"' not in form
    assert "Extend the deadline" in form
    assert response.status_code == 302
    round_ = fresh(round_)
    assert (round_.title, round_.policy, round_.opens_at, round_.closes_at) == (
        "Renamed",
        "first_come",
        opened,
        deadline,
    )


def test_a_closed_round_cannot_be_edited(coordinator, rounds):
    round_ = rounds.round(rounds.product())
    round_.state = RoundState.CLOSED
    db.session.commit()

    response = coordinator.post(
        admin_url(round_, "/edit"), data=round_form(title="Renamed"), follow_redirects=True
    )

    assert "A round that is closed can no longer be edited." in text(response)
    assert fresh(round_).title == "Weekly order"


# --- the round's page -----------------------------------------------------------------


def test_the_round_page_shows_items_by_supplier_with_demand_and_the_minimum(coordinator, rounds):
    rounds.supplier.min_order_pence = 5000
    growers = Supplier(coop=rounds.coop, name="Ribble Valley Growers")
    db.session.add(growers)
    db.session.commit()
    oats = rounds.product(name="Porridge oats", case_size=6, case_price_pence=1200)
    leeks = rounds.product(name="Leeks", supplier=growers, case_size=10, case_price_pence=800)
    round_ = rounds.round(oats, leeks)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 4)
    rounds.ask(round_, oats, b, 6, 2)
    rounds.ask(round_, leeks, a, 10)

    page = text(coordinator.get(admin_url(round_)))

    sections = page.split('<section aria-labelledby="supplier-')
    assert "Open for orders" in page
    assert "Northern Wholefoods" in page and "Ribble Valley Growers" in page
    assert (
        "Porridge oats" in page
        and "£12.00" in page
        and "6 \N{MULTIPLICATION SIGN} 500 g bag" in page
    )
    assert "10 (+2 extra if it fills a case)" in page
    assert "1 full, then 4 of 6 in this case; 2 more needed" in page
    assert "Case full" in page
    assert (
        "£24.00 ex VAT, £26.00 short of the minimum order of £50.00 for Northern Wholefoods" in page
    )
    assert "Ribble Valley Growers has no minimum order" in page
    assert len(sections) == 3
    for action in ("/edit", "/items", "/close", "/extend", "/cancel"):
        assert admin_url(round_, action) in page
    assert admin_url(round_, "/open") not in page
    assert admin_url(round_, "/delete") not in page


def test_a_draft_offers_opening_and_deleting_but_not_closing(coordinator, rounds):
    round_ = rounds.round(rounds.product(), state=RoundState.DRAFT)

    page = text(coordinator.get(admin_url(round_)))

    assert admin_url(round_, "/open") in page
    assert admin_url(round_, "/delete") in page
    assert admin_url(round_, "/close") not in page
    assert admin_url(round_, "/extend") not in page


def test_another_coops_round_is_not_found(coordinator, rounds, factory):
    other = factory.coop(name="Ribbleton Pantry", slug="ribbleton")
    theirs = Round(
        coop=other,
        title="Theirs",
        opens_at=utcnow(),
        closes_at=utcnow() + timedelta(days=1),
    )
    db.session.add(theirs)
    db.session.commit()

    assert coordinator.get(f"{ROUNDS}/{theirs.id}").status_code == 404
    assert coordinator.post(f"{ROUNDS}/{theirs.id}/open").status_code == 404
    assert coordinator.post(f"{ROUNDS}/{theirs.id}/delete").status_code == 404


# --- items ----------------------------------------------------------------------------


def test_products_are_found_by_search_and_supplier_and_added_to_the_round(coordinator, rounds):
    growers = Supplier(coop=rounds.coop, name="Ribble Valley Growers")
    db.session.add(growers)
    db.session.commit()
    oats = rounds.product(name="Porridge oats", category="Cereals")
    rounds.product(name="Oat milk", category="Drinks")
    rounds.product(name="Rice", category="Cereals")
    rounds.product(name="Old stock", available=False)
    leeks = rounds.product(name="Leeks", supplier=growers)
    round_ = rounds.round(state=RoundState.DRAFT)
    items = admin_url(round_, "/items")

    searched = text(coordinator.get(f"{items}?q=oat&category=Cereals"))
    by_supplier = text(coordinator.get(f"{items}?supplier={growers.id}"))
    everything = text(coordinator.get(items))
    response = coordinator.post(
        f"{items}?q=oat", data={"action": "add", "product_ids": [str(oats.id), str(leeks.id)]}
    )

    assert "Porridge oats" in searched and "Oat milk" not in searched and "Rice" not in searched
    assert "Leeks" in by_supplier and "Porridge oats" not in by_supplier
    assert "Old stock" not in everything
    assert response.headers["Location"] == f"{items}?q=oat"
    page = text(coordinator.get(items))
    assert "2 products are added to the round." in page
    assert page.count("In the round") == 2
    assert {item.product_id for item in db.session.scalars(select(RoundItem))} == {
        oats.id,
        leeks.id,
    }


def test_adding_nothing_says_so_at_the_list(coordinator, rounds):
    rounds.product(name="Porridge oats")
    round_ = rounds.round(state=RoundState.DRAFT)

    page = text(coordinator.post(admin_url(round_, "/items"), data={"action": "add"}))

    assert field_error(page, "product_ids") == "Choose at least one product to offer."
    assert count_rows(RoundItem) == 0


def test_a_product_of_another_coop_is_refused_on_the_items_page(coordinator, rounds, factory):
    other = factory.coop(name="Ribbleton Pantry", slug="ribbleton")
    private = Supplier(coop=other, name="Private Wholesale")
    db.session.add(private)
    db.session.commit()
    theirs = rounds.product(supplier=private)
    round_ = rounds.round(state=RoundState.DRAFT)

    page = text(
        coordinator.post(
            admin_url(round_, "/items"), data={"action": "add", "product_ids": [str(theirs.id)]}
        )
    )

    assert "not in the co-op's catalogues" in page
    assert count_rows(RoundItem) == 0


def test_item_limits_are_saved_and_a_bad_one_is_shown_at_its_row(coordinator, rounds):
    oats, rice = rounds.product(name="Porridge oats"), rounds.product(name="Rice")
    round_ = rounds.round(oats, rice, state=RoundState.DRAFT)
    oat_item, rice_item = rounds.item(round_, oats), rounds.item(round_, rice)
    items = admin_url(round_, "/items")

    bad = text(
        coordinator.post(
            items,
            data={"action": "limits", f"limit_{oat_item.id}": "3", f"limit_{rice_item.id}": "lots"},
        )
    )
    assert "Enter a whole number from 1 to" in (field_error(bad, f"limit_{rice_item.id}") or "")
    assert 'value="lots"' in bad
    assert rounds.item(round_, oats).max_per_household is None

    coordinator.post(
        items, data={"action": "limits", f"limit_{oat_item.id}": "3", f"limit_{rice_item.id}": ""}
    )
    db.session.expire_all()
    assert (
        rounds.item(round_, oats).max_per_household,
        rounds.item(round_, rice).max_per_household,
    ) == (3, None)


def test_an_item_nobody_ordered_can_be_removed_but_not_an_ordered_one(coordinator, rounds):
    oats, rice = rounds.product(name="Porridge oats"), rounds.product(name="Rice")
    round_ = rounds.round(oats, rice)
    rounds.ask(round_, oats, rounds.households[0], 2)

    kept = coordinator.post(
        admin_url(round_, f"/items/{rounds.item(round_, oats).id}/remove"), follow_redirects=True
    )
    removed = coordinator.post(
        admin_url(round_, f"/items/{rounds.item(round_, rice).id}/remove"), follow_redirects=True
    )

    assert "Households have ordered Porridge oats; it stays in the round." in text(kept)
    assert "Rice is no longer offered." in text(removed)
    assert count_rows(RoundItem) == 1


# --- opening, extending, cancelling, deleting ----------------------------------------


def test_opening_by_hand(coordinator, rounds):
    round_ = rounds.round(rounds.product(), state=RoundState.DRAFT)

    page = text(coordinator.post(admin_url(round_, "/open"), follow_redirects=True))

    assert "Weekly order is open: households can order until the deadline." in page
    assert fresh(round_).state is RoundState.OPEN


def test_opening_a_round_without_items_is_refused_with_a_message(coordinator, rounds):
    round_ = rounds.round(state=RoundState.DRAFT)

    page = text(coordinator.post(admin_url(round_, "/open"), follow_redirects=True))

    assert "Add at least one item before opening the round." in flashes(page)
    assert fresh(round_).state is RoundState.DRAFT


def test_the_deadline_is_extended_from_the_round_page(coordinator, rounds):
    round_ = rounds.round(rounds.product())
    later = (round_.closes_at + timedelta(days=1)).replace(second=0, microsecond=0)

    response = coordinator.post(admin_url(round_, "/extend"), data={"closes_at": typed(later)})

    assert response.headers["Location"] == admin_url(round_)
    assert fresh(round_).closes_at == later


def test_an_earlier_deadline_is_refused_at_the_field(coordinator, rounds):
    round_ = rounds.round(rounds.product())
    deadline = round_.closes_at

    page = text(
        coordinator.post(
            admin_url(round_, "/extend"), data={"closes_at": typed(deadline - timedelta(hours=2))}
        )
    )

    assert "Choose a deadline later than the current one" in field_error(page, "closes_at")
    assert fresh(round_).closes_at == deadline


def test_cancelling_needs_a_reason_and_then_tells_the_households(coordinator, rounds, mailbox):
    oats = rounds.product()
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 2)

    refused = text(coordinator.post(admin_url(round_, "/cancel"), data={"reason": " "}))
    assert "Say why the round is cancelled" in field_error(refused, "reason")
    assert fresh(round_).state is RoundState.OPEN

    page = text(
        coordinator.post(
            admin_url(round_, "/cancel"),
            data={"reason": "No van this week."},
            follow_redirects=True,
        )
    )

    assert "Weekly order is cancelled" in page
    assert "No van this week." in page
    assert fresh(round_).state is RoundState.CANCELLED
    body = mailbox.body(mailbox.to(rounds.households[0].user.email)[0])
    assert "Why: No van this week." in body
    assert "http://localhost/coops/fishwick/" in body


def test_a_draft_is_deleted_but_an_open_round_is_not(coordinator, rounds):
    draft = rounds.round(rounds.product(), state=RoundState.DRAFT, title="Scrap me")
    live = rounds.round(rounds.product(), title="Keep me")

    deleted = coordinator.post(admin_url(draft, "/delete"), follow_redirects=True)
    kept = coordinator.post(admin_url(live, "/delete"), follow_redirects=True)

    assert "The draft Scrap me is deleted." in text(deleted)
    assert "Only a draft round can be deleted; cancel it instead." in text(kept)
    assert [r.title for r in db.session.scalars(select(Round))] == ["Keep me"]


# --- closing ---------------------------------------------------------------------------


def test_the_close_page_warns_of_a_minimum_not_met_and_offers_to_drop(coordinator, rounds):
    rounds.supplier.min_order_pence = 5000
    growers = Supplier(coop=rounds.coop, name="Ribble Valley Growers")
    db.session.add(growers)
    db.session.commit()
    oats = rounds.product(name="Porridge oats", case_size=6, case_price_pence=1200)
    leeks = rounds.product(name="Leeks", supplier=growers, case_size=10, case_price_pence=800)
    round_ = rounds.round(oats, leeks)
    rounds.ask(round_, oats, rounds.households[0], 12)
    rounds.ask(round_, leeks, rounds.households[1], 10)

    page = text(coordinator.get(admin_url(round_, "/close")))

    assert "1 supplier's minimum order is not met." in page
    assert (
        "£24.00 ex VAT, £26.00 short of the minimum order of £50.00 for Northern Wholefoods" in page
    )
    assert admin_url(round_, f"/suppliers/{rounds.supplier.id}/drop") in page
    assert admin_url(round_, f"/suppliers/{growers.id}/drop") not in page
    assert "Close the round now" in page
    assert fresh(round_).state is RoundState.OPEN


def test_dropping_a_supplier_before_closing_orders_none_of_its_items(coordinator, rounds, mailbox):
    rounds.supplier.min_order_pence = 5000
    db.session.commit()
    oats = rounds.product(name="Porridge oats")
    round_ = rounds.round(oats)
    a = rounds.households[0]
    rounds.ask(round_, oats, a, 6)

    dropped = coordinator.post(
        admin_url(round_, f"/suppliers/{rounds.supplier.id}/drop"), follow_redirects=True
    )
    closed = coordinator.post(admin_url(round_, "/close"), follow_redirects=True)

    assert "Northern Wholefoods' items are dropped" in text(dropped)
    assert "Dropped: nothing is ordered from Northern Wholefoods" in text(dropped)
    assert "is closed: 0 cases of 1 items" in text(closed)
    assert rounds.item(round_, oats).cases_ordered == 0
    drop_mail, close_mail = mailbox.to(a.user.email)
    assert "did not reach its minimum of £50.00" in mail_text(mailbox, drop_mail)
    assert "- Porridge oats: 6 x 500 g bag" in mail_text(mailbox, drop_mail)
    assert "the supplier's minimum order was not met" in mail_text(mailbox, close_mail)


def test_closing_by_hand_allocates_and_closing_twice_changes_nothing(coordinator, rounds, mailbox):
    oats = rounds.product(name="Porridge oats")
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 4)
    rounds.ask(round_, oats, b, 2)

    first = text(coordinator.post(admin_url(round_, "/close"), follow_redirects=True))
    again = text(coordinator.post(admin_url(round_, "/close"), follow_redirects=True))
    confirm_again = text(coordinator.get(admin_url(round_, "/close"), follow_redirects=True))

    assert "Weekly order is closed: 1 cases of 1 items ordered; 2 households" in first
    assert "The round is already closed." in flashes(again)
    assert "The round is already closed." in flashes(confirm_again)
    round_ = fresh(round_)
    assert (round_.state, round_.closed_by_id) == (RoundState.CLOSED, rounds.coordinator.id)
    assert count_rows(Allocation) == 2
    assert count_rows(OutboxMessage) == 2  # one per household, sent once
    assert len(mailbox.messages) == 2
    body = mailbox.body(mailbox.to(a.user.email)[0])
    assert f"http://localhost/coops/fishwick/rounds/{round_.id}" in body
    page = text(coordinator.get(admin_url(round_)))
    assert "Cases ordered" in page and "Closed" in page and "by Cora Ord" in page


def test_dropping_a_supplier_after_closing_takes_back_its_cases_and_shares(
    coordinator, rounds, mailbox
):
    oats = rounds.product(name="Porridge oats")
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 4)
    rounds.ask(round_, oats, b, 2)
    coordinator.post(admin_url(round_, "/close"))
    mailbox.messages.clear()

    page = text(
        coordinator.post(
            admin_url(round_, f"/suppliers/{rounds.supplier.id}/drop"), follow_redirects=True
        )
    )

    assert "Northern Wholefoods' items are dropped" in page
    assert rounds.item(round_, oats).cases_ordered == 0
    assert [row.units for row in db.session.scalars(select(Allocation))] == [0, 0]
    assert "you will not receive:\n- Porridge oats: 4 x 500 g bag" in mail_text(
        mailbox, mailbox.to(a.user.email)[0]
    )
    assert len(mailbox.to(b.user.email)) == 1
    again = text(
        coordinator.post(
            admin_url(round_, f"/suppliers/{rounds.supplier.id}/drop"), follow_redirects=True
        )
    )
    assert "Northern Wholefoods' items are already dropped from this round." in again


def test_a_supplier_cannot_be_dropped_once_the_round_is_received(coordinator, rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 6)
    coordinator.post(admin_url(round_, "/close"))
    round_ = fresh(round_)
    round_.state = RoundState.RECEIVED
    db.session.commit()

    page = text(
        coordinator.post(
            admin_url(round_, f"/suppliers/{rounds.supplier.id}/drop"), follow_redirects=True
        )
    )

    assert "only while the round is open or closed; this round is received" in page
    assert db.session.scalar(select(RoundSupplier.dropped_at)) is None


# --- who may -----------------------------------------------------------------------------


def test_a_treasurer_sees_rounds_but_cannot_change_them(treasurer, rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 6)

    listing = text(treasurer.get(ROUNDS))
    page = text(treasurer.get(admin_url(round_)))

    assert "Weekly order" in listing and "New round" not in listing
    assert "Case full" in page
    assert admin_url(round_, "/close") not in page and admin_url(round_, "/edit") not in page
    for path in ("/new", f"/{round_.id}/edit", f"/{round_.id}/items", f"/{round_.id}/close"):
        assert treasurer.get(ROUNDS + path).status_code == 403, path
    for action in (
        "open",
        "close",
        "extend",
        "cancel",
        "delete",
        f"suppliers/{rounds.supplier.id}/drop",
    ):
        assert (
            treasurer.post(admin_url(round_, f"/{action}"), data={"reason": "x"}).status_code == 403
        )
    assert fresh(round_).state is RoundState.OPEN


def test_a_member_may_not_see_the_coordinators_round_pages(client, auth, rounds):
    round_ = rounds.round(rounds.product())
    auth.login_as(rounds.households[0].user)

    for path in (ROUNDS, admin_url(round_), admin_url(round_, "/items"), f"{ROUNDS}/new"):
        assert client.get(path).status_code == 403, path
    assert client.post(admin_url(round_, "/close")).status_code == 403
    assert fresh(round_).state is RoundState.OPEN


# --- layout ------------------------------------------------------------------------------


def test_round_pages_follow_the_layout(coordinator, rounds):
    oats = rounds.product(name="Porridge oats")
    rounds.product(name="Rice")
    draft = rounds.round(oats, state=RoundState.DRAFT)
    live = rounds.round(oats)
    rounds.ask(live, oats, rounds.households[0], 3, 1)
    closed = rounds.round(oats, title="Closed one")
    rounds.ask(closed, oats, rounds.households[1], 6)
    close_round(round_id=closed.id, by=rounds.coordinator)
    db.session.commit()
    gets = [
        admin_url(closed),
        admin_url(closed, "/items"),
        sheet_url(closed, rounds.supplier.id),
        sheet_url(live, rounds.supplier.id),
        ROUNDS,
        f"{ROUNDS}/new",
        admin_url(draft),
        admin_url(draft, "/edit"),
        admin_url(draft, "/items"),
        admin_url(live),
        admin_url(live, "/edit"),
        admin_url(live, "/items"),
        admin_url(live, "/close"),
        "/coops/fishwick/admin/",
    ]
    posts = [
        (f"{ROUNDS}/new", {"title": ""}),
        (admin_url(draft, "/items"), {"action": "add"}),
        (
            admin_url(draft, "/items"),
            {"action": "limits", f"limit_{rounds.item(draft, oats).id}": "x"},
        ),
        (admin_url(live, "/extend"), {"closes_at": "soon"}),
        (admin_url(live, "/cancel"), {"reason": ""}),
    ]

    problems = [
        f"GET {path}: {problem}"
        for path in gets
        for problem in layout_problems(coordinator.get(path).get_data(as_text=True))
    ] + [
        f"POST {path}: {problem}"
        for path, data in posts
        for problem in layout_problems(coordinator.post(path, data=data).get_data(as_text=True))
    ]

    assert not problems, "\n".join(problems)


# --- in a real browser, at a phone's width -------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_a_coordinator_sets_up_and_opens_a_round_on_a_phone(page, rounds):
    rounds.product(name="Organic jumbo porridge oats, stoneground", code="OAT-25KG-ORG")
    rounds.supplier.min_order_pence = 15000
    db.session.commit()
    problems = []

    def check_width() -> None:
        # Measured once the page's stylesheets have loaded: unstyled tables are wide.
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{page.url} is {width}px wide")
        # With CSRF on, as here, a page of several forms must not repeat the token's id.
        ids = page.evaluate("Array.from(document.querySelectorAll('[id]'), (el) => el.id)")
        if len(ids) != len(set(ids)):
            problems.append(f"{page.url} repeats an id")

    def follow(link: str) -> None:
        # Wait for the next page, so that nothing reads the one being left.
        with page.expect_navigation():
            page.get_by_role("link", name=link).click()

    page.goto("/login")
    page.get_by_label("Email address").fill(rounds.coordinator.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(f"{ROUNDS}/new")
    check_width()
    page.get_by_label("Title").fill("Week of 14 July")
    page.get_by_label("Opens for orders").fill("2030-07-14T09:00")
    page.get_by_label("Deadline for orders").fill("2030-07-16T18:30")
    page.get_by_label("Pickup time (optional)").fill("2030-07-18T10:00")
    page.get_by_label("Fair shares", exact=False).check()
    page.get_by_role("button", name="Save as a draft").click()

    page.get_by_text("Now choose what it offers").wait_for()
    check_width()
    page.get_by_label("Add Organic jumbo porridge oats").check()
    page.get_by_role("button", name="Add to round").click()
    page.get_by_text("is added to the round").wait_for()
    check_width()
    # Enter in a limit saves the limits; it must not press a row's Remove button.
    page.get_by_label("Limit for Organic jumbo porridge oats").fill("4")
    page.get_by_label("Limit for Organic jumbo porridge oats").press("Enter")
    page.get_by_text("The limits are saved.").wait_for()

    follow("Back to the round")
    check_width()
    page.get_by_role("button", name="Open it now").click()
    page.get_by_text("households can order until the deadline").wait_for()
    check_width()
    follow("Close it now")
    check_width()
    follow("Back to the round")
    follow("Projected order sheet")
    check_width()

    round_ = db.session.scalar(select(Round))
    assert (round_.state, round_.policy) == (RoundState.OPEN, "fair_share")
    assert round_.closes_at == datetime(2030, 7, 16, 17, 30, tzinfo=UTC)
    assert db.session.scalar(select(RoundItem.max_per_household)) == 4
    assert not problems, problems
