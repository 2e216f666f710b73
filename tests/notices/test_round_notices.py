"""A round's opening and pickup reach each household once, with a one-click unsubscribe."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from coop.domain.notifications import NotificationKind
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import NotificationOptOut
from coop.services import notices
from coop.services.notices.rounds import ready_for_pickup, round_opened
from coop.services.rounds.closing import close_round
from coop.services.rounds.receiving import Arrived, items_to_receive, receive_round

UNSUBSCRIBE = re.compile(r"Stop \"[^\"]+\" emails: (\S+)")


def _unsubscribe_path(mailbox, message) -> str:
    found = UNSUBSCRIBE.search(mailbox.body(message))
    assert found, mailbox.body(message)
    return urlsplit(found.group(1)).path


def _opened(mailbox):
    return [m for m in mailbox.messages if "is open for orders" in m["Subject"]]


def test_opening_a_round_tells_every_active_household_once_with_deadline_and_pickup(
    rounds, mailbox
):
    oats = rounds.product(name="Porridge oats")
    round_ = rounds.round(oats, title="December order", notify=True)

    opened = _opened(mailbox)
    people = {household.user.email for household in rounds.households}
    assert people <= {message["To"] for message in opened}
    assert len(opened) == len({message["To"] for message in opened})
    message = mailbox.to(rounds.households[0].user.email)[0]
    body = mailbox.body(message)
    assert "December order" in message["Subject"]
    assert "Northern Wholefoods" in body
    assert "Church hall, Fishwick Parade" in body
    assert f"/rounds/{round_.id}" in body
    assert message["List-Unsubscribe"].startswith("<http")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    round_opened(round_id=round_.id)  # the job again, as a retry would run it
    db.session.commit()
    assert len(_opened(mailbox)) == len(opened)


def test_the_opening_message_names_what_is_on_offer(rounds, mailbox):
    names = [f"Item {letter}" for letter in "ABCDEFGHIJ"]
    round_ = rounds.round(*(rounds.product(name=name) for name in names), notify=True)

    body = mailbox.body(mailbox.to(rounds.households[0].user.email)[0])
    assert "10 items from Northern Wholefoods, among them:" in body
    for name in names[:8]:
        assert f"- {name}\n" in body.replace("\r\n", "\n")
    assert "Item I" not in body
    assert "- and 2 more on the ordering page" in body
    assert f"Order here: http://localhost/coops/fishwick/rounds/{round_.id}" in body


def test_one_click_unsubscribe_stops_that_kind_only_and_needs_no_login(rounds, mailbox, client):
    household = rounds.households[0]
    first = rounds.round(rounds.product(), title="First", notify=True)
    message = mailbox.to(household.user.email)[0]
    header = message["List-Unsubscribe"].strip("<>")

    # What a mail client does (RFC 8058): POST the header's address, no cookie, no token.
    response = client.post(urlsplit(header).path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "no longer get" in response.get_data(as_text=True)
    assert db.session.scalars(
        db.select(NotificationOptOut.kind).filter_by(membership_id=household.id)
    ).all() == [NotificationKind.ROUND_OPENED]

    mailbox.messages.clear()
    rounds.round(rounds.product(), title="Second", notify=True)
    assert household.user.email not in {m["To"] for m in _opened(mailbox)}
    assert rounds.households[1].user.email in {m["To"] for m in _opened(mailbox)}

    # Unsubscribing stopped one kind, no other.
    assert notices.choices(membership=household) == frozenset(NotificationKind) - {
        NotificationKind.ROUND_OPENED
    }
    assert first.state is RoundState.OPEN


def test_the_unsubscribe_page_asks_first_on_get_and_changes_nothing(rounds, mailbox, client):
    household = rounds.households[0]
    rounds.round(rounds.product(), notify=True)
    path = _unsubscribe_path(mailbox, mailbox.to(household.user.email)[0])

    page = client.get(path)
    assert page.status_code == 200
    assert "Stop these emails?" in page.get_data(as_text=True)
    assert notices.choices(membership=household) == frozenset(NotificationKind)


def test_a_tampered_unsubscribe_link_is_refused_and_changes_nothing(rounds, mailbox, client):
    household = rounds.households[0]
    rounds.round(rounds.product(), notify=True)
    path = _unsubscribe_path(mailbox, mailbox.to(household.user.email)[0])
    token = path.rsplit("/", 1)[1]
    # Another household's id under the first one's signature.
    other = notices.unsubscribe_token(
        membership_id=rounds.households[1].id, kind=NotificationKind.ROUND_OPENED
    )
    forged = other.split(".")[0] + "." + token.split(".")[1]
    for bad in (forged, token[:-3], "nonsense"):
        response = client.post(f"/unsubscribe/{bad}")
        assert response.status_code == 404
        assert "not one coop made" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(NotificationOptOut)) == 0


def test_the_account_page_sets_each_kind_and_the_choice_is_kept(rounds, auth, client):
    household = rounds.households[0]
    auth.login_as(household.user)
    page = client.get("/account").get_data(as_text=True)
    assert "What you hear by email" in page
    assert "A round has opened" in page

    prefix = f"m{household.id}"
    response = client.post(
        f"/account/notifications/{household.id}",
        data={f"{prefix}-hearing": ["round_opened", "ready_for_pickup"]},
    )
    assert response.status_code == 302
    assert notices.choices(membership=household) == {
        NotificationKind.ROUND_OPENED,
        NotificationKind.READY_FOR_PICKUP,
    }
    # Another household's choices are not this person's to change.
    other = rounds.households[1]
    assert client.post(f"/account/notifications/{other.id}", data={}).status_code == 404
    assert notices.choices(membership=other) == frozenset(NotificationKind)


def test_recording_the_delivery_tells_households_with_something_to_collect_once(rounds, mailbox):
    oats = rounds.product(name="Porridge oats", case_size=2)
    round_ = rounds.round(oats, notify=True)
    first, second, third = rounds.households[:3]
    rounds.ask(round_, oats, first, 1)
    rounds.ask(round_, oats, second, 1)
    close_round(round_id=round_.id, by=rounds.coordinator)
    db.session.commit()
    mailbox.messages.clear()

    lines = [
        Arrived(item_id=item.id, amount=item.units_ordered or 0)
        for item in items_to_receive(round_id=round_.id)
    ]
    receive_round(round_id=round_.id, by=rounds.coordinator, lines=lines)
    db.session.commit()

    ready = [m for m in mailbox.messages if "ready for pickup" in m["Subject"]]
    assert sorted(m["To"] for m in ready) == sorted([first.user.email, second.user.email])
    body = mailbox.body(mailbox.to(first.user.email)[0])
    assert "Porridge oats: 1 x 500 g bag" in body
    assert "Church hall, Fishwick Parade" in body
    assert third.user.email not in {m["To"] for m in ready}

    ready_for_pickup(round_id=round_.id)
    db.session.commit()
    assert len([m for m in mailbox.messages if "ready for pickup" in m["Subject"]]) == 2


def test_a_job_for_a_round_that_is_gone_is_a_logged_no_op(rounds, mailbox, caplog):
    round_opened(round_id=987654)
    ready_for_pickup(round_id=987654)
    draft = rounds.round(rounds.product(), state=RoundState.DRAFT, notify=True)
    round_opened(round_id=draft.id)
    db.session.commit()
    assert mailbox.messages == []
    assert "no longer exists" in caplog.text


def test_a_household_that_left_chooses_only_owing_reminders_and_keeps_its_other_choices(
    rounds, auth, client
):
    from coop.domain.roles import MembershipStatus

    household = rounds.households[0]
    notices.turn_off(membership=household, kinds=[NotificationKind.ANNOUNCEMENT])
    household.status = MembershipStatus.LEFT
    db.session.commit()
    auth.login_as(household.user)

    page = client.get("/account").get_data(as_text=True)
    assert "You have left Fishwick Food" in page
    assert "You owe the co-op money" in page and "A round has opened" not in page
    client.post(f"/account/notifications/{household.id}", data={})

    assert notices.choices(membership=household) == frozenset(NotificationKind) - {
        NotificationKind.ANNOUNCEMENT,
        NotificationKind.OWING_REMINDER,
    }


def test_a_household_that_left_before_pickup_is_told_without_the_members_page_link(rounds, mailbox):
    from coop.domain.roles import MembershipStatus

    oats = rounds.product(name="Porridge oats", case_size=2)
    round_ = rounds.round(oats)
    first, second = rounds.households[:2]
    rounds.ask(round_, oats, first, 1)
    rounds.ask(round_, oats, second, 1)
    close_round(round_id=round_.id, by=rounds.coordinator)
    first.status = MembershipStatus.LEFT
    db.session.commit()
    mailbox.messages.clear()

    lines = [
        Arrived(item_id=item.id, amount=item.units_ordered or 0)
        for item in items_to_receive(round_id=round_.id)
    ]
    receive_round(round_id=round_.id, by=rounds.coordinator, lines=lines)
    db.session.commit()

    gone = mailbox.body(mailbox.to(first.user.email, about="ready for pickup")[0])
    assert "Porridge oats: 1 x 500 g bag" in gone and "Your order:" not in gone
    assert "Your order:" in mailbox.body(mailbox.to(second.user.email, about="ready for pickup")[0])
