import re

from flask_login import current_user
from sqlalchemy import select
from support import PASSWORD, count_rows, field_error, text

from coop.extensions import db
from coop.models import User

CONFIRM_LINK = re.compile(r"http://localhost(/register/confirm/\S+)")
SENT = "Check your inbox"


def register(client, query="", **fields):
    data = {
        "email": "ada@example.org",
        "name": "Ada Lovelace",
        "password": "a long enough password",
        "confirm": "a long enough password",
        **fields,
    }
    return client.post("/register" + query, data=data)


def confirm_path(mailbox, address="ada@example.org") -> str:
    [message] = mailbox.to(address)
    match = CONFIRM_LINK.search(mailbox.body(message))
    assert match, mailbox.body(message)
    return match.group(1)


def test_registering_emails_a_link_that_creates_the_account(client, mailbox):
    response = register(client, email="  Ada@Example.ORG ")

    assert response.status_code == 200
    assert SENT in text(response)
    assert "ada@example.org" in text(response)
    assert count_rows(User) == 0, "nothing is made until the address is shown to work"
    [message] = mailbox.to("ada@example.org")
    assert message["Subject"] == "Finish creating your coop account"
    page = client.get(confirm_path(mailbox))
    assert page.status_code == 200
    assert "Create my account" in text(page)
    assert count_rows(User) == 0, "opening the link (as a mail scanner might) makes nothing"


def test_the_emailed_link_creates_the_account_logs_in_and_welcomes(client, mailbox):
    register(client, email="  Ada@Example.ORG ")

    response = client.post(confirm_path(mailbox))

    assert response.status_code == 302
    # Straight to finding a co-op: a new account has none, so home would only send it on.
    assert response.headers["Location"] == "/coops"
    user = db.session.scalars(select(User)).one()
    assert user.email == "ada@example.org"
    assert user.name == "Ada Lovelace"
    with client:
        page = client.get("/coops").get_data(as_text=True)
        assert current_user.is_authenticated
        assert current_user.id == user.id
    assert "Welcome to coop, Ada Lovelace" in page


def test_registering_from_an_invitation_returns_to_it(client, mailbox):
    register(client, query="?next=/join/abc123")

    response = client.post(confirm_path(mailbox))

    assert response.headers["Location"] == "/join/abc123"


def test_registering_never_redirects_to_another_site(client, mailbox):
    register(client, query="?next=https://evil.example/")

    response = client.post(confirm_path(mailbox))

    assert response.headers["Location"] == "/coops"


def test_registering_an_address_in_use_answers_the_same_and_tells_its_owner(
    client, factory, mailbox
):
    owner = factory.user(email="ada@example.org", name="Ada King")
    hash_before = owner.password_hash

    new = text(register(client, email="bea@example.org")).replace("bea@example.org", "ADDRESS")
    taken = text(register(client, email="ADA@example.ORG")).replace("ada@example.org", "ADDRESS")

    assert taken == new
    assert SENT in taken
    assert count_rows(User) == 1
    assert owner.password_hash == hash_before
    [message] = mailbox.to("ada@example.org")
    body = mailbox.body(message)
    assert "Someone tried to create a coop account with this email address" in body
    assert "http://localhost/login" in body
    assert "http://localhost/password/forgot" in body
    assert "/register/confirm/" not in body


def test_a_registration_link_works_once(app, client, mailbox):
    register(client)
    path = confirm_path(mailbox)
    client.post(path)
    other = app.test_client()

    again = other.post(path)

    assert again.status_code == 400
    assert "An account with this email address already exists" in text(again)
    assert 'href="/login"' in again.get_data(as_text=True)
    assert count_rows(User) == 1


def test_an_expired_or_tampered_registration_link_is_refused(app, client, mailbox):
    register(client)
    path = confirm_path(mailbox)

    tampered = client.post(path[:-2] + ("AA" if path[-2:] != "AA" else "BB"))
    app.config["REGISTRATION_MAX_AGE"] = -1
    expired = client.post(path)

    assert tampered.status_code == expired.status_code == 400
    assert "This link is not valid." in text(tampered)
    assert "This link has expired. Create your account again." in text(expired)
    assert count_rows(User) == 0


def test_the_account_made_from_the_link_logs_in_with_the_password_chosen(client, auth, mailbox):
    register(client)
    client.post(confirm_path(mailbox))
    auth.logout()

    assert auth.login("ada@example.org", PASSWORD).status_code == 200
    assert auth.login("ada@example.org", "a long enough password").status_code == 302


def test_a_short_password_is_refused_next_to_the_field(client, app):
    app.config["PASSWORD_MIN_LENGTH"] = 12

    response = register(client, password="elevenchars", confirm="elevenchars")

    assert field_error(response.get_data(as_text=True), "password") == (
        "Use at least 12 characters."
    )
    assert count_rows(User) == 0


def test_a_confirmation_that_does_not_match_is_refused(client):
    response = register(client, confirm="a different long password")

    assert field_error(response.get_data(as_text=True), "confirm") == (
        "The two passwords are not the same."
    )
    assert count_rows(User) == 0


def test_an_invalid_email_address_is_refused(client):
    response = register(client, email="ada.example.org")

    page = response.get_data(as_text=True)
    assert field_error(page, "email") == "Enter an email address like name@example.org."
    assert 'value="Ada Lovelace"' in page, "what was typed is kept"
    assert count_rows(User) == 0


def test_a_blank_name_is_refused(client):
    response = register(client, name="   ")

    assert field_error(response.get_data(as_text=True), "name") == "Enter your name."
    assert count_rows(User) == 0


def test_registering_from_an_invitation_welcomes_without_sending_them_elsewhere(client, mailbox):
    register(client, query="?next=/join/abc123")
    response = client.post(confirm_path(mailbox))

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Welcome to coop, Ada Lovelace." in page
    assert "Find a co-op near you" not in page


def test_registrations_from_one_network_address_are_limited(app, client, mailbox):
    app.config["REGISTER_RATE_LIMIT"] = "2 per hour"
    for n in range(2):
        assert register(client, email=f"person{n}@example.org").status_code != 429

    refused = register(client, email="person9@example.org")

    assert refused.status_code == 429
    assert mailbox.to("person9@example.org") == []
