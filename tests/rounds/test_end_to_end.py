"""Close, receive with a shortfall, and pack, end to end, with emails: all through the pages."""

from __future__ import annotations

from support import text

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Collection, Round
from rounds.receiving_support import form_data, units_of, words

ADMIN = "/coops/fishwick/admin"


def test_close_receive_a_shortfall_pack_and_collect(rounds, client, auth, mailbox):
    oats = rounds.product(name="Porridge oats", case_size=6, case_price_pence=1200)
    rice = rounds.product(name="Brown rice", case_size=4, unit_label="1 kg", case_price_pence=800)
    round_ = rounds.round(oats, rice, policy="fair_share", title="Spring order")
    a, b, c = rounds.households[:3]
    oats_id, rice_id = rounds.item(round_, oats).id, rounds.item(round_, rice).id

    # Households order on their page.
    for household, item_id, quantity in ((a, oats_id, 3), (b, oats_id, 3), (c, rice_id, 4)):
        auth.login_as(household.user)
        response = client.post(
            f"/coops/fishwick/rounds/{round_.id}/items/{item_id}",
            data={"quantity": str(quantity), "tolerance": "0"},
        )
        assert response.status_code == 302
        auth.logout()

    # The coordinator closes the round: one case of each, everyone told.
    auth.login_as(rounds.coordinator)
    response = client.post(f"{ADMIN}/rounds/{round_.id}/close", follow_redirects=True)
    assert "is closed" in text(response)
    assert units_of(round_, oats) == {a.id: 3, b.id: 3}
    for household in (a, b, c):
        assert len(mailbox.to(household.user.email)) == 1
    mailbox.messages.clear()

    # Four oats arrive instead of six, and the rice at a new price.
    response = client.post(
        f"{ADMIN}/rounds/{round_.id}/receive",
        data=form_data(
            round_,
            **{
                str(oats_id): {"amount": "4", "counted_in": "units"},
                str(rice_id): {"case_price": "10.00"},
            },
        ),
        follow_redirects=True,
    )
    page = words(response)
    assert "The delivery is recorded. 1 item shared out again by the round's rule." in page
    assert "3 households told what changed." in page
    assert db.session.get(Round, round_.id).state is RoundState.RECEIVED

    # Fair shares of the shortfall, and each household hears what changed for it.
    assert units_of(round_, oats) == {a.id: 2, b.id: 2}
    for household in (a, b):
        (message,) = mailbox.to(household.user.email, about="what arrived")
        assert "Porridge oats: 3 -> 2 x 500 g bag (less arrived than was ordered)" in (
            mailbox.body(message)
        )
    (message,) = mailbox.to(c.user.email, about="what arrived")
    assert "Brown rice: the supplier sent the same item, at £2.50 a unit (was £2.00)" in (
        mailbox.body(message)
    )

    # The packing lists show the new split.
    page = words(client.get(f"{ADMIN}/rounds/{round_.id}/packing"))
    assert "Household 1 1 item, 2 units Item Units Unit Packed Porridge oats 2 500 g bag" in page
    assert "Household 3 1 item, 4 units Item Units Unit Packed Brown rice 4 1 kg" in page
    page = words(client.get(f"{ADMIN}/rounds/{round_.id}/packing/products"))
    assert "Porridge oats R0001 · 4 × 500 g bag to share" in page  # noqa: RUF001
    assert "Case 1 (4 of 6): Household 1 2, Household 2 2" in page

    # Household 2 collects, and the pickup sheet says so.
    response = client.post(
        f"{ADMIN}/rounds/{round_.id}/pickup/{b.id}",
        data={"collected": "1"},
        follow_redirects=True,
    )
    assert "Household 2 has collected." in text(response)
    assert "1 of 3 households have collected." in words(response)
    assert db.session.scalars(db.select(Collection.membership_id)).all() == [b.id]
