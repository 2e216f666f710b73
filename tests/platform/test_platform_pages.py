"""The platform admin's pages: councils, co-ops, coordinators, officers, outbox.

This folder is not a package: as one it would be named ``platform`` and clash
with the standard library module, so its modules have unique names.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from support import count_rows, field_error, text

from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db
from coop.models import (
    Coop,
    CoopCouncilLink,
    Council,
    CouncilOfficer,
    Membership,
    OutboxMessage,
    OutboxStatus,
)
from coop.models.types import utcnow
from coop.services.mail import send_email


@pytest.fixture
def admin(factory):
    return factory.user(name="Alex Admin", is_platform_admin=True)


@pytest.fixture
def as_admin(auth, admin):
    auth.login_as(admin)
    return admin


def _council_form(**overrides):
    return {
        "name": "Preston City Council",
        "gss_code": "E07000123",
        "valid_from": "1974-04-01",
        "valid_to": "",
        **overrides,
    }


def _coop_form(**overrides):
    return {
        "name": "Fishwick Food Co-op",
        "slug": "fishwick-food",
        "council": "0",
        "council_from": "",
        "pickup_address": "Community Hall, 12 Example Road",
        "household_cap": "20",
        "joining_policy": "approval",
        "coordinator_email": "",
        **overrides,
    }


# Who may come in


def _platform_requests(app, *, council, coop, message):
    values = {"council_id": council.id, "slug": coop.slug, "message_id": message.id}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("platform."):
            continue
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        yield ("POST" if "POST" in rule.methods else "GET"), url


@pytest.fixture
def platform_world(factory):
    council = factory.council()
    coop = factory.coop(council=council)
    message = OutboxMessage(
        recipient="x@example.org", subject="Hi", body="Secret body", status=OutboxStatus.STORED
    )
    db.session.add(message)
    db.session.commit()
    return {"council": council, "coop": coop, "message": message}


@pytest.mark.parametrize("who", ["member", "coordinator", "officer", "signed in"])
def test_people_who_are_not_platform_admins_are_refused_every_platform_page(
    app, client, auth, factory, platform_world, who
):
    coop, council = platform_world["coop"], platform_world["council"]
    person = {
        "member": lambda: factory.member(coop),
        "coordinator": lambda: factory.member(coop, Role.COORDINATOR),
        "officer": lambda: factory.officer(council),
        "signed in": lambda: factory.user(),
    }[who]()
    auth.login_as(person)
    requests = list(_platform_requests(app, **platform_world))
    assert len(requests) >= 10
    before = count_rows(Council), count_rows(Coop), count_rows(Membership)
    for method, url in requests:
        response = client.open(url, method=method, data={"email": person.email})
        assert response.status_code == 403, f"{method} {url}"
    assert (count_rows(Council), count_rows(Coop), count_rows(Membership)) == before


def test_anonymous_visitors_are_sent_to_log_in(app, client, platform_world):
    for method, url in _platform_requests(app, **platform_world):
        response = client.open(url, method=method)
        assert response.status_code == 302, f"{method} {url}"
        assert response.headers["Location"].startswith("/login")


# The dashboard


def test_the_dashboard_lists_councils_and_co_ops_with_active_households(client, as_admin, factory):
    preston = factory.council(name="Preston City Council", gss_code="E07000123")
    fishwick = factory.coop(name="Fishwick Food Co-op", council=preston, household_cap=15)
    factory.coop(name="Ribbleton Pantry")
    factory.membership(coop=fishwick)
    factory.membership(coop=fishwick)
    factory.membership(coop=fishwick, status=MembershipStatus.PENDING)

    page = text(client.get("/platform/"))

    assert "Preston City Council" in page and "E07000123" in page
    assert "Fishwick Food Co-op" in page and "2 of 15" in page
    assert "Ribbleton Pantry" in page and "0 of 20" in page
    assert 'href="/platform/outbox"' in page


def test_the_dashboard_needs_no_more_queries_for_more_co_ops(
    client, as_admin, factory, count_queries
):
    council = factory.council()

    def queries_for_dashboard() -> int:
        with count_queries() as statements:
            assert client.get("/platform/").status_code == 200
        return len(statements)

    factory.membership(coop=factory.coop(council=council))
    few = queries_for_dashboard()
    for _ in range(5):
        coop = factory.coop(council=factory.council())
        factory.membership(coop=coop)
        factory.membership(coop=coop)
    assert queries_for_dashboard() == few


# Councils


def test_a_council_is_created_through_the_form(client, as_admin):
    response = client.post("/platform/councils/new", data=_council_form(gss_code="e07000123"))

    council = db.session.query(Council).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/platform/councils/{council.id}/"
    assert council.gss_code == "E07000123"
    page = text(client.get(response.headers["Location"]))
    assert "Preston City Council (E07000123) has been added." in page


def test_a_duplicate_gss_code_is_shown_at_its_field_and_nothing_is_written(
    client, as_admin, factory
):
    factory.council(gss_code="E07000123")

    response = client.post("/platform/councils/new", data=_council_form())

    assert response.status_code == 200
    assert field_error(text(response), "gss_code") == (
        "A council with GSS code E07000123 already exists."
    )
    assert count_rows(Council) == 1
    assert 'value="Preston City Council"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"gss_code": "E0712"}, "gss_code", "A GSS code is a letter E, W, S or N"),
        ({"valid_to": "1970-01-01"}, "valid_to", "The end date cannot be before the start date."),
        ({"valid_from": ""}, "valid_from", "Enter the day the council came into being."),
        ({"name": ""}, "name", "Enter the council's name."),
        ({"gss_code": ""}, "gss_code", "Enter the council's GSS code."),
    ],
)
def test_bad_council_details_are_shown_at_their_field(client, as_admin, overrides, field, message):
    response = client.post("/platform/councils/new", data=_council_form(**overrides))

    assert message in (field_error(text(response), field) or "")
    assert count_rows(Council) == 0


def test_a_bad_gss_code_is_shown_with_the_other_errors_at_once(client, as_admin):
    response = client.post(
        "/platform/councils/new", data=_council_form(name="", gss_code="E0712", valid_from="")
    )

    page = text(response)
    assert field_error(page, "name") == "Enter the council's name."
    assert field_error(page, "valid_from") == "Enter the day the council came into being."
    assert "A GSS code is a letter E, W, S or N" in (field_error(page, "gss_code") or "")
    assert count_rows(Council) == 0


def test_a_council_is_edited_through_the_form(client, as_admin, factory):
    council = factory.council(name="Preston", gss_code="E07000123")
    url = f"/platform/councils/{council.id}/edit"
    assert 'value="E07000123"' in client.get(url).get_data(as_text=True)

    response = client.post(url, data=_council_form(valid_to="2028-03-31"))

    assert response.status_code == 302
    db.session.expire_all()
    assert (council.name, council.valid_to) == ("Preston City Council", date(2028, 3, 31))


def test_the_council_page_shows_its_co_ops_and_officers(client, as_admin, factory):
    council = factory.council(name="Preston City Council")
    coop = factory.coop(name="Fishwick Food Co-op", council=council)
    factory.membership(coop=coop)
    factory.officer(council, factory.user(name="Olu Officer", email="olu@example.org"))
    moved = factory.coop(name="Moved Away", council=council)
    moved.council_links[0].ends_on = date(2024, 6, 30)
    db.session.commit()

    page = text(client.get(f"/platform/councils/{council.id}/"))

    assert "Fishwick Food Co-op" in page
    assert "Moved Away" not in page
    assert "Olu Officer" in page and "olu@example.org" in page


def test_an_officer_is_appointed_and_removed_through_the_council_page(client, as_admin, factory):
    council = factory.council(name="Preston City Council")
    olu = factory.user(name="Olu Officer", email="olu@example.org")

    response = client.post(
        f"/platform/councils/{council.id}/officers", data={"email": "OLU@example.org"}
    )
    assert response.status_code == 302
    assert "Olu Officer is now an officer of Preston City Council." in text(
        client.get(response.headers["Location"])
    )
    assert count_rows(CouncilOfficer) == 1

    response = client.post(
        f"/platform/councils/{council.id}/officers/remove", data={"user_id": str(olu.id)}
    )
    assert response.status_code == 302
    assert "Olu Officer is no longer an officer of Preston City Council." in text(
        client.get(response.headers["Location"])
    )
    assert count_rows(CouncilOfficer) == 0


def test_appointing_an_unknown_or_existing_officer_is_refused_at_the_field(
    client, as_admin, factory
):
    council = factory.council(name="Preston City Council")
    officer = factory.officer(council, factory.user(name="Olu Officer"))
    url = f"/platform/councils/{council.id}/officers"

    unknown = text(client.post(url, data={"email": "nobody@example.org"}))
    again = text(client.post(url, data={"email": officer.email}))

    assert field_error(unknown, "email") == (
        "There is no account for nobody@example.org. Ask them to register first."
    )
    assert (
        field_error(again, "email") == "Olu Officer is already an officer of Preston City Council."
    )
    assert count_rows(CouncilOfficer) == 1


def test_an_unknown_council_is_not_found(client, as_admin):
    assert client.get("/platform/councils/999/").status_code == 404


# Co-ops


def test_a_co_op_is_created_with_its_council_and_first_coordinator(client, as_admin, factory):
    council = factory.council(name="Preston City Council")
    cath = factory.user(name="Cath Coordinator", email="cath@example.org")

    response = client.post(
        "/platform/coops/new",
        data=_coop_form(
            council=str(council.id),
            council_from="2024-04-01",
            household_cap="12",
            joining_policy="open",
            coordinator_email="Cath@Example.org",
        ),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/platform/coops/fishwick-food"
    coop = db.session.query(Coop).one()
    assert (coop.household_cap, coop.joining_policy.value) == (12, "open")
    assert [(link.council, link.starts_on) for link in coop.council_links] == [
        (council, date(2024, 4, 1))
    ]
    membership = db.session.query(Membership).one()
    assert (membership.user, membership.role, membership.status) == (
        cath,
        Role.COORDINATOR,
        MembershipStatus.ACTIVE,
    )
    page = text(client.get(response.headers["Location"]))
    assert "Fishwick Food Co-op has been created." in page
    assert "Cath Coordinator" in page
    assert "Preston City Council" in page


def test_the_new_co_op_form_offers_councils_and_a_cap_of_20(client, as_admin, factory):
    factory.council(name="Preston City Council", gss_code="E07000123")

    page = client.get("/platform/coops/new").get_data(as_text=True)

    assert "Preston City Council (E07000123)" in page
    assert 'value="20"' in page


def test_a_taken_slug_is_shown_at_the_slug_field_and_nothing_is_written(client, as_admin, factory):
    factory.coop(slug="fishwick-food")
    factory.user(email="cath@example.org")
    before = count_rows(Coop), count_rows(Membership), count_rows(CoopCouncilLink)

    response = client.post(
        "/platform/coops/new", data=_coop_form(coordinator_email="cath@example.org")
    )

    assert response.status_code == 200
    assert field_error(text(response), "slug") == (
        "The address 'fishwick-food' is already taken by another co-op."
    )
    assert (count_rows(Coop), count_rows(Membership), count_rows(CoopCouncilLink)) == before


def test_an_unknown_coordinator_email_creates_nothing(client, as_admin, factory):
    council = factory.council()

    response = client.post(
        "/platform/coops/new",
        data=_coop_form(council=str(council.id), coordinator_email="nobody@example.org"),
    )

    assert field_error(text(response), "coordinator_email") == (
        "There is no account for nobody@example.org. Ask them to register first."
    )
    assert (count_rows(Coop), count_rows(Membership), count_rows(CoopCouncilLink)) == (0, 0, 0)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"slug": "Not A Slug!"}, "slug", "Use 2 to 60 lower-case letters"),
        ({"household_cap": "0"}, "household_cap", "Enter a whole number from 1 to 500."),
        ({"household_cap": "2.5"}, "household_cap", "Enter a whole number from 1 to 500."),
        ({"household_cap": ""}, "household_cap", "Enter the largest number of households."),
        ({"name": ""}, "name", "Enter the co-op's name."),
        ({"slug": ""}, "slug", "Enter the co-op's web address"),
        ({"joining_policy": "secret"}, "joining_policy", "Choose how households join."),
        ({"pickup_address": "x" * 501}, "pickup_address", "Use at most 500 characters."),
    ],
)
def test_bad_co_op_details_are_shown_at_their_field(client, as_admin, overrides, field, message):
    response = client.post("/platform/coops/new", data=_coop_form(**overrides))

    assert message in (field_error(text(response), field) or "")
    assert count_rows(Coop) == 0


def test_the_co_op_page_shows_its_settings_and_coordinators(client, as_admin, factory):
    council = factory.council(name="Preston City Council")
    coop = factory.coop(name="Fishwick Food Co-op", council=council, household_cap=15)
    factory.member(coop, Role.COORDINATOR, user=factory.user(name="Cath Coordinator"))
    factory.member(coop)

    page = text(client.get(f"/platform/coops/{coop.slug}"))

    assert "<h1>Fishwick Food Co-op</h1>" in page
    assert "2 active, cap 15" in page
    assert "Community Centre, 1 Market Street" in page
    assert "Cath Coordinator" in page
    assert "Preston City Council" in page


def test_a_coordinator_is_appointed_through_the_co_op_page(client, as_admin, factory):
    coop = factory.coop(name="Fishwick Food Co-op")
    member = factory.member(coop, user=factory.user(name="Mo Member"))

    response = client.post(
        f"/platform/coops/{coop.slug}/coordinators", data={"email": member.email}
    )

    assert response.status_code == 302
    assert "Mo Member is now a coordinator of Fishwick Food Co-op." in text(
        client.get(response.headers["Location"])
    )
    assert db.session.query(Membership).one().role is Role.COORDINATOR


def test_appointing_a_coordinator_to_a_full_co_op_shows_why(client, as_admin, factory):
    coop = factory.coop(name="Fishwick Food Co-op", household_cap=1)
    factory.member(coop)
    outsider = factory.user()

    response = client.post(
        f"/platform/coops/{coop.slug}/coordinators", data={"email": outsider.email}
    )

    assert field_error(text(response), "email") == (
        "Fishwick Food Co-op is full: it has 1 of 1 households."
    )
    assert count_rows(Membership) == 1


def test_a_co_op_is_moved_to_another_council_from_a_date(client, as_admin, factory):
    preston = factory.council(name="Preston City Council")
    unitary = factory.council(name="Central Lancashire", valid_from=date(2028, 4, 1))
    coop = factory.coop(name="Fishwick Food Co-op", council=preston)

    response = client.post(
        f"/platform/coops/{coop.slug}/council",
        data={"council": str(unitary.id), "starts_on": "2028-04-01"},
    )

    assert response.status_code == 302
    assert "Fishwick Food Co-op belongs to Central Lancashire from 1 April 2028." in text(
        client.get(response.headers["Location"])
    )
    links = db.session.query(CoopCouncilLink).order_by(CoopCouncilLink.starts_on).all()
    assert [(link.council_id, link.ends_on) for link in links] == [
        (preston.id, date(2028, 3, 31)),
        (unitary.id, None),
    ]


def test_a_move_that_overlaps_the_current_link_is_refused_at_the_date(client, as_admin, factory):
    preston, other = factory.council(), factory.council()
    coop = factory.coop(name="Fishwick", council=preston)

    response = client.post(
        f"/platform/coops/{coop.slug}/council",
        data={"council": str(other.id), "starts_on": "2023-06-01"},
    )

    assert "must start after it" in (field_error(text(response), "starts_on") or "")
    assert count_rows(CoopCouncilLink) == 1


# Outbox


def _messages(n: int) -> list[OutboxMessage]:
    start = utcnow() - timedelta(hours=n)
    messages = [
        OutboxMessage(
            recipient=f"person{i}@example.org",
            subject=f"Message {i}",
            body=f"Body of message {i}",
            status=OutboxStatus.STORED,
            created_at=start + timedelta(minutes=i),
        )
        for i in range(n)
    ]
    db.session.add_all(messages)
    db.session.commit()
    return messages


def test_the_outbox_lists_the_newest_message_first_a_page_at_a_time(client, as_admin):
    _messages(30)

    first = text(client.get("/platform/outbox"))
    second = text(client.get("/platform/outbox?page=2"))

    assert first.index("Message 29") < first.index("Message 28")
    assert "Message 5" in first and "Message 4" not in first
    assert "Page 1 of 2" in first
    assert "Message 4" in second and "Message 0" in second and "Message 5" not in second


def test_the_outbox_links_to_every_page_like_the_other_lists(client, as_admin):
    _messages(130)  # six pages of 25

    first = client.get("/platform/outbox").get_data(as_text=True)
    third = client.get("/platform/outbox?page=3").get_data(as_text=True)

    assert 'href="/platform/outbox?page=6" aria-label="Page 6"' in first
    assert 'href="/platform/outbox?page=2" rel="next"' in first
    assert '<strong aria-current="page">3</strong>' in third
    assert 'href="/platform/outbox?page=2" rel="prev"' in third
    assert 'href="/platform/outbox?page=1" aria-label="Page 1"' in third


def test_an_outbox_message_shows_its_body(client, as_admin):
    message = _messages(1)[0]

    page = text(client.get(f"/platform/outbox/{message.id}"))

    assert "Body of message 0" in page
    assert "person0@example.org" in page


def test_an_unknown_outbox_message_is_not_found(client, as_admin):
    assert client.get("/platform/outbox/12345").status_code == 404


def test_an_empty_outbox_says_so(client, as_admin):
    assert "The outbox is empty." in text(client.get("/platform/outbox"))


def test_platform_forms_refuse_a_post_without_a_csrf_token(app, client, as_admin):
    app.config["WTF_CSRF_ENABLED"] = True

    response = client.post("/platform/councils/new", data=_council_form())

    assert response.status_code == 400
    assert count_rows(Council) == 0


def test_the_outbox_list_and_message_label_the_status_alike(client, as_admin):
    message = _messages(1)[0]

    listing = text(client.get("/platform/outbox"))
    page = text(client.get(f"/platform/outbox/{message.id}"))

    assert '<span class="tag">Stored</span>' in listing
    assert "<dd>Stored</dd>" in page


def test_a_sent_message_shows_when_and_what_the_mail_server_answered(client, as_admin, mailbox):
    send_email(to="sam@example.org", subject="Your order", body="Ready at 5pm.")
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage)).one()

    listing = text(client.get("/platform/outbox"))
    page = text(client.get(f"/platform/outbox/{message.id}"))

    assert '<span class="tag">Sent</span>' in listing
    assert "<dd>Sent</dd>" in page
    assert "250 Message accepted for delivery" in page


def test_a_message_whose_answer_was_lost_says_to_check_before_sending_again(client, as_admin):
    message = _messages(1)[0]
    message.status, message.handed_at, message.attempts = OutboxStatus.SENDING, utcnow(), 1
    db.session.commit()

    page = text(client.get(f"/platform/outbox/{message.id}"))

    assert "<dd>Sending</dd>" in page
    assert "it may have arrived, so it is not sent again by itself" in page


def test_the_web_address_links_to_the_public_profile(client, as_admin, factory):
    coop = factory.coop(slug="fishwick-food")

    page = text(client.get(f"/platform/coops/{coop.slug}"))

    assert (
        '<a href="/coops/fishwick-food/about">http://localhost/coops/fishwick-food/about</a>'
        in page
    )


def test_the_first_coordinator_is_emailed_with_a_link_to_manage_the_co_op(
    client, as_admin, factory, mailbox
):
    factory.user(name="Cath Coordinator", email="cath@example.org")

    client.post("/platform/coops/new", data=_coop_form(coordinator_email="cath@example.org"))

    (mail,) = mailbox.to("cath@example.org")
    assert mail["Subject"] == "You are a coordinator of Fishwick Food Co-op"
    assert "http://localhost/coops/fishwick-food/admin/" in mailbox.body(mail)


def test_a_coordinator_appointed_later_is_emailed_too(client, as_admin, factory, mailbox):
    coop = factory.coop(name="Fishwick Food Co-op", slug="fishwick")
    person = factory.user(name="Mo Member")

    client.post(f"/platform/coops/{coop.slug}/coordinators", data={"email": person.email})

    (mail,) = mailbox.to(person.email)
    assert "http://localhost/coops/fishwick/admin/" in mailbox.body(mail)


def test_a_new_council_officer_is_emailed_a_link_to_the_dashboard(
    client, as_admin, factory, mailbox
):
    council = factory.council(name="Preston City Council")
    olu = factory.user(name="Olu Officer", email="olu@example.org")

    client.post(f"/platform/councils/{council.id}/officers", data={"email": olu.email})

    (mail,) = mailbox.to("olu@example.org")
    assert mail["Subject"] == "You are an officer of Preston City Council on coop"
    assert f"http://localhost/councils/{council.id}/" in mailbox.body(mail)


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/platform/councils/new", ["name", "gss_code", "valid_from"]),
        ("/platform/coops/new", ["name", "slug", "household_cap"]),
    ],
)
def test_empty_required_fields_each_say_what_is_missing(client, as_admin, url, fields):
    page = text(client.post(url, data=dict.fromkeys(fields, "")))

    for name in fields:
        message = field_error(page, name)
        assert message and message != "This field is required.", name
    assert "This field is required." not in page and "Not a valid" not in page


def test_an_empty_appointment_says_whose_address_is_missing(client, as_admin, factory):
    coop = factory.coop()
    council = factory.council()

    for url in (
        f"/platform/coops/{coop.slug}/coordinators",
        f"/platform/councils/{council.id}/officers",
    ):
        assert field_error(text(client.post(url, data={"email": ""})), "email") == (
            "Enter the email address of the person to appoint."
        )


def test_the_outbox_hides_the_body_of_a_message_with_a_sign_in_link(client, auth, admin, factory):
    factory.user(email="sam@example.org")
    client.post("/password/forgot", data={"email": "sam@example.org"})
    ordinary = _messages(1)[0]
    reset = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == "Reset your coop password")
    ).one()
    assert "/password/reset/" in reset.body  # kept whole in the table, as sent
    auth.login_as(admin)

    page = text(client.get(f"/platform/outbox/{reset.id}"))

    assert "(body hidden: it contains a sign-in link)" in page
    assert "/password/reset/" not in page
    assert "sam@example.org" in page
    assert "Body of message 0" in text(client.get(f"/platform/outbox/{ordinary.id}"))


def test_the_outbox_hides_the_body_of_an_invitation(client, auth, admin, factory):
    from coop.services.people.invitations import create_invitation
    from coop.web.links import site_url_for

    coop = factory.coop(slug="fishwick")
    coordinator = factory.member(coop, role=Role.COORDINATOR)
    create_invitation(
        coop=coop,
        created_by=coordinator,
        email="newcomer@example.org",
        link_for=lambda token: site_url_for("members.accept_invitation", token=token),
    )
    db.session.commit()
    invitation = db.session.scalars(select(OutboxMessage)).one()
    auth.login_as(admin)

    page = text(client.get(f"/platform/outbox/{invitation.id}"))

    assert "(body hidden: it contains a sign-in link)" in page
    assert "/join/" not in page


def _registration_message(client) -> OutboxMessage:
    client.post(
        "/register",
        data={
            "email": "ada@example.org",
            "name": "Ada Lovelace",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "ada@example.org")
    ).one()


def test_the_outbox_hides_the_body_of_a_registration_link(client, auth, admin):
    message = _registration_message(client)
    assert "/register/confirm/" in message.body
    auth.login_as(admin)

    page = text(client.get(f"/platform/outbox/{message.id}"))

    assert "(body hidden: it contains a sign-in link)" in page
    assert "/register/confirm/" not in page


def test_a_development_outbox_shows_a_sign_in_link_so_it_can_be_followed(client, auth, admin, app):
    app.config["OUTBOX_SHOWS_SECRETS"] = True
    message = _registration_message(client)
    auth.login_as(admin)

    page = text(client.get(f"/platform/outbox/{message.id}"))

    assert "/register/confirm/" in page
