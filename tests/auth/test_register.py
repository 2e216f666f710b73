from flask_login import current_user
from sqlalchemy import select
from support import count_rows, field_error

from coop.extensions import db
from coop.models import User


def register(client, query="", **fields):
    data = {
        "email": "ada@example.org",
        "name": "Ada Lovelace",
        "password": "a long enough password",
        "confirm": "a long enough password",
        **fields,
    }
    return client.post("/register" + query, data=data)


def test_registering_logs_the_person_in_and_welcomes_them(client):
    response = register(client, email="  Ada@Example.ORG ")

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


def test_registering_from_an_invitation_returns_to_it(client):
    response = register(client, query="?next=/join/abc123")

    assert response.headers["Location"] == "/join/abc123"


def test_registering_never_redirects_to_another_site(client):
    response = register(client, query="?next=https://evil.example/")

    assert response.headers["Location"] == "/coops"


def test_an_email_already_used_in_another_letter_case_is_refused(client, factory):
    factory.user(email="ada@example.org")

    response = register(client, email="ADA@example.ORG")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, "email") == "An account with this email address already exists."
    assert count_rows(User) == 1


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


def test_registering_from_an_invitation_welcomes_without_sending_them_elsewhere(client):
    response = register(client, query="?next=/join/abc123")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Welcome to coop, Ada Lovelace." in page
    assert "Find a co-op near you" not in page


def test_registrations_from_one_network_address_are_limited(app, client):
    app.config["REGISTER_RATE_LIMIT"] = "2 per hour"
    for n in range(2):
        fresh = app.test_client()
        assert register(fresh, email=f"person{n}@example.org").status_code != 429

    refused = register(app.test_client(), email="person9@example.org")

    assert refused.status_code == 429
    assert count_rows(User) == 2
