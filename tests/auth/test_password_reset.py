import pytest
from sqlalchemy import select
from support import field_error

from coop.extensions import db
from coop.models import OutboxMessage, OutboxStatus
from coop.services.errors import ServiceError
from coop.services.people.accounts import (
    ResetRefusal,
    check_reset_token,
    make_reset_token,
    reset_password,
)

NEW_PASSWORD = "a fresh passphrase"
SENT = "If an account uses that email address, we have sent it a link"


def ask_for_reset(client, email="sam@example.org"):
    return client.post("/password/forgot", data={"email": email}, follow_redirects=True)


def set_password(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def test_a_forgotten_password_is_reset_through_the_emailed_link(
    client, auth, person, mailbox, reset_path
):
    changed_before = person.password_changed_at

    response = ask_for_reset(client, "Sam@Example.org")

    assert SENT in response.get_data(as_text=True)
    [message] = mailbox.to("sam@example.org")
    assert message["Subject"] == "Reset your coop password"
    body = mailbox.body(message)
    assert "http://localhost/password/reset/" in body
    path = reset_path(body)

    form = client.get(path)
    assert form.status_code == 200
    assert "Choose a new password" in form.get_data(as_text=True)

    response = set_password(client, path)
    assert response.headers["Location"] == "/login"
    assert person.password_changed_at > changed_before
    assert "Email or password is not right." in auth.login(person.email).get_data(as_text=True)
    assert auth.login(person.email, NEW_PASSWORD).status_code == 302


def test_a_reset_link_works_only_once(client, auth, person, mailbox, reset_path):
    ask_for_reset(client)
    path = reset_path(mailbox.body(mailbox.to("sam@example.org")[0]))
    set_password(client, path)

    again = client.get(path)
    attempt = set_password(client, path, "yet another passphrase")

    assert again.status_code == 400
    assert "This reset link has already been used." in again.get_data(as_text=True)
    assert "This reset link has already been used." in attempt.get_data(as_text=True)
    assert auth.login(person.email, NEW_PASSWORD).status_code == 302


def test_an_expired_reset_link_is_refused(app, client, person):
    path = f"/password/reset/{make_reset_token(user=person)}"
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    hash_before = person.password_hash

    page = client.get(path).get_data(as_text=True)
    attempt = set_password(client, path).get_data(as_text=True)

    assert "This reset link has expired. Ask for a new one." in page
    assert 'href="/password/forgot"' in page
    assert "This reset link has expired." in attempt
    assert person.password_hash == hash_before


def test_each_refused_reset_link_says_why_by_its_code(app, person):
    token = make_reset_token(user=person)
    reset_password(token=token, password=NEW_PASSWORD)
    refusals = {}
    for name, link in (("used", token), ("invalid", token + "x")):
        with pytest.raises(ServiceError) as caught:
            check_reset_token(token=link)
        refusals[name] = caught.value.code
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    with pytest.raises(ServiceError) as caught:
        check_reset_token(token=make_reset_token(user=person))
    refusals["expired"] = caught.value.code

    assert refusals == {
        "used": ResetRefusal.USED,
        "invalid": ResetRefusal.INVALID,
        "expired": ResetRefusal.EXPIRED,
    }


def test_a_tampered_reset_link_is_refused(client, person):
    token = make_reset_token(user=person)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    hash_before = person.password_hash

    page = client.get(f"/password/reset/{tampered}").get_data(as_text=True)
    attempt = set_password(client, f"/password/reset/{tampered}").get_data(as_text=True)

    assert "This reset link is not valid." in page
    assert 'href="/password/forgot"' in page
    assert "This reset link is not valid." in attempt
    assert person.password_hash == hash_before


def test_a_reset_link_signed_for_another_purpose_is_refused(app, client, person):
    from itsdangerous import URLSafeTimedSerializer

    token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something else").dumps(
        {"user": person.id, "pw": "x"}
    )

    assert "This reset link is not valid." in client.get(f"/password/reset/{token}").get_data(
        as_text=True
    )


def test_an_unknown_address_gets_the_same_answer_and_a_note_without_a_link(client, person, mailbox):
    known = ask_for_reset(client, "sam@example.org").get_data(as_text=True)
    unknown = ask_for_reset(client, "nobody@example.org").get_data(as_text=True)

    assert SENT in unknown
    assert known == unknown
    # Each address gets one message, so the answer takes as long either way.
    assert len(mailbox.to("sam@example.org")) == 1
    [note] = mailbox.to("nobody@example.org")
    body = mailbox.body(note)
    assert "there is no coop account with this email address" in body
    assert "/password/reset/" not in body
    assert "http://localhost/register" in body


def test_without_a_mail_server_the_reset_email_waits_in_the_outbox(client, person, reset_path):
    ask_for_reset(client)

    [kept] = db.session.scalars(select(OutboxMessage)).all()
    assert kept.recipient == "sam@example.org"
    assert kept.status is OutboxStatus.STORED
    assert client.get(reset_path(kept.body)).status_code == 200


def test_the_new_password_must_be_long_enough_and_confirmed(client, person):
    path = f"/password/reset/{make_reset_token(user=person)}"
    hash_before = person.password_hash

    short = set_password(client, path, "short").get_data(as_text=True)
    mismatch = client.post(
        path, data={"password": NEW_PASSWORD, "confirm": "something else"}
    ).get_data(as_text=True)

    assert field_error(short, "password") == "Use at least 10 characters."
    assert field_error(mismatch, "confirm") == "The two passwords are not the same."
    assert person.password_hash == hash_before


def test_a_used_reset_link_suggests_the_new_password_rather_than_denying_a_change(
    client, person, mailbox, reset_path
):
    ask_for_reset(client)
    path = reset_path(mailbox.body(mailbox.to("sam@example.org")[0]))
    set_password(client, path)

    page = client.get(path).get_data(as_text=True)

    assert "If you used it, log in with your new password." in page
    assert "Your password has not been changed." not in page


def test_a_reset_email_that_could_not_be_sent_keeps_no_working_link(app, client, person):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port, MAIL_TIMEOUT=2)

    ask_for_reset(client)

    kept = db.session.scalars(select(OutboxMessage)).one()
    assert kept.status is OutboxStatus.QUEUED  # waiting for the server to come back
    assert kept.body == "(withheld: this message contains a sign-in link)"
    assert "/password/reset/" not in kept.body


def test_a_reset_asked_for_under_a_foreign_host_links_to_the_site(client, person, mailbox):
    client.post(
        "/password/forgot",
        data={"email": person.email},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )

    body = mailbox.body(mailbox.to(person.email)[0])
    assert "http://localhost/password/reset/" in body
    assert "evil.example" not in body


def test_a_reset_asked_for_through_a_proxy_with_a_foreign_forwarded_host_links_to_the_site(
    database_uri, smtp_server, person
):
    """Behind a proxy the forwarded host is the request's host; the link still is not."""
    from support import FreshRequestClient, make_app

    box, port = smtp_server
    box.messages.clear()
    app = make_app(
        database_uri,
        PROXY_COUNT=1,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        SITE_URL="https://food.example.org",
    )
    app.test_client_class = FreshRequestClient
    try:
        with app.app_context():
            app.test_client().post(
                "/password/forgot",
                data={"email": "sam@example.org"},
                headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
            )
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    body = box.body(box.to("sam@example.org")[0])
    assert "https://food.example.org/password/reset/" in body
    assert "evil.example" not in body


def test_reset_emails_to_one_account_are_limited_without_saying_so(app, client, person, mailbox):
    app.config["RESET_EMAIL_RATE_LIMIT_PER_ACCOUNT"] = "2 per hour"

    pages = [
        client.post(
            "/password/forgot",
            data={"email": person.email},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
            follow_redirects=True,
        )
        for n in range(4)
    ]

    assert [page.status_code for page in pages] == [200] * 4
    assert all(SENT in page.get_data(as_text=True) for page in pages)
    assert len(mailbox.to(person.email)) == 2
