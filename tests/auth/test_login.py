import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_login import current_user
from sqlalchemy import select
from support import PASSWORD

from coop.extensions import db
from coop.models import Login
from coop.models.types import utcnow
from coop.web.auth.routes import safe_next


def is_signed_in(client) -> bool:
    with client:
        client.get("/")
        return current_user.is_authenticated


def test_logging_in_goes_to_the_home_page(client, auth, person):
    response = auth.login("sam@example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_signed_in(client)


def test_the_email_address_is_matched_in_any_letter_case(client, auth, person):
    assert auth.login("  SAM@Example.org").status_code == 302
    assert is_signed_in(client)


@pytest.mark.parametrize(
    ("email", "password"),
    [("sam@example.org", "not the password"), ("nobody@example.org", PASSWORD)],
    ids=["wrong password", "unknown email"],
)
def test_a_failed_login_says_the_same_thing_and_keeps_the_email(
    client, auth, person, email, password
):
    response = auth.login(email, password)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Email or password is not right." in page
    assert f'value="{email}"' in page
    assert not is_signed_in(client)


def test_the_next_page_is_honoured(client, auth, person):
    response = auth.login("sam@example.org", query_string={"next": "/account?tab=coops"})

    assert response.headers["Location"] == "/account?tab=coops"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "account",
        "",
    ],
)
def test_a_next_page_off_the_site_is_ignored(app, client, auth, person, target):
    response = auth.login("sam@example.org", query_string={"next": target})

    assert response.headers["Location"] == "/"
    with app.test_request_context():
        assert safe_next(target) == "/"


def test_a_page_that_needs_a_login_comes_back_after_it(client, auth, person):
    response = client.get("/account")
    assert response.status_code == 302
    login_page = response.headers["Location"]
    assert login_page.startswith("/login?next=")

    response = client.post(login_page, data={"email": "sam@example.org", "password": PASSWORD})

    assert response.headers["Location"] == "/account"


def test_remember_me_sets_a_lasting_cookie(client, person):
    client.post("/login", data={"email": "sam@example.org", "password": PASSWORD, "remember": "y"})

    assert client.get_cookie("remember_token") is not None


def test_without_remember_me_no_lasting_cookie_is_set(client, auth, person):
    auth.login("sam@example.org")

    assert client.get_cookie("remember_token") is None


def test_logging_out_ends_the_session(client, auth, person):
    auth.login_as(person)

    response = auth.logout()

    assert response.status_code == 302
    assert not is_signed_in(client)
    assert client.get("/account").status_code == 302


def test_logging_out_by_get_is_not_possible(client, auth, person):
    auth.login_as(person)

    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)


def test_an_outdated_password_hash_is_upgraded_on_login(app, client, auth, factory):
    app.config["ARGON2_TIME_COST"] = 1
    user = factory.user(email="old@example.org")
    weak_hash = user.password_hash
    app.config["ARGON2_TIME_COST"] = 2

    auth.login_as(user)

    assert user.password_hash != weak_hash
    assert "t=2" in user.password_hash


def test_login_attempts_are_limited(app, client, person):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    wrong = {"email": "sam@example.org", "password": "guess"}

    for _ in range(3):
        assert client.post("/login", data=wrong).status_code == 200
    response = client.post("/login", data=wrong)

    assert response.status_code == 429
    assert "Too many attempts in a short time" in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200, "only attempts are counted"


def test_a_login_without_a_csrf_token_is_refused(app, client, person):
    app.config["WTF_CSRF_ENABLED"] = True

    response = client.post("/login", data={"email": "sam@example.org", "password": PASSWORD})

    assert response.status_code == 400
    assert not is_signed_in(client)


def test_a_login_with_the_csrf_token_from_the_page_works(app, client, person):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    response = client.post(
        "/login", data={"email": "sam@example.org", "password": PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 302
    assert is_signed_in(client)


REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_is_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_is_up(), reason="needs Redis on 127.0.0.1:6379 (CI starts it)")
def test_with_redis_configured_login_attempts_are_counted_in_redis(database_uri, person):
    """Counts kept in Redis are shared by every app server, as gunicorn workers need."""
    import redis
    from support import FreshRequestClient, make_app

    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    app = make_app(database_uri, RATELIMIT_STORAGE_URI=REDIS_URL, LOGIN_RATE_LIMIT="3 per minute")
    app.test_client_class = FreshRequestClient
    client = app.test_client()
    wrong = {"email": "sam@example.org", "password": "guess"}
    try:
        for _ in range(3):
            assert client.post("/login", data=wrong).status_code == 200
        assert any(b"login" in key for key in store.keys("*")), "no count was kept in Redis"
        assert client.post("/login", data=wrong).status_code == 429
    finally:
        store.flushdb()
        store.close()
        with app.app_context():
            db.engine.dispose()


def test_successful_logins_are_not_counted_against_the_limit(app, client, auth, person):
    """A community hall's Wi-Fi gives twenty households one address; they all get in."""
    for _ in range(20):
        assert auth.login("sam@example.org").status_code == 302
        auth.logout()


def test_failed_attempts_on_many_accounts_from_one_address_are_limited(app, client, factory):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    factory.user(email="sam@example.org")
    neighbour = factory.user(email="ned@example.org")
    for n in range(3):
        client.post("/login", data={"email": f"guess{n}@example.org", "password": "guess"})

    refused = client.post("/login", data={"email": neighbour.email, "password": PASSWORD})

    assert refused.status_code == 429


def _from(address: str) -> dict[str, dict[str, str]]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_failed_attempts_on_one_email_lock_it_for_the_addresses_that_failed(app, client, person):
    app.config["LOGIN_RATE_LIMIT_PER_EMAIL"] = "3 per minute"
    wrong = {"email": "sam@example.org", "password": "guess"}

    for n in range(3):
        assert client.post("/login", data=wrong, **_from(f"10.0.0.{n}")).status_code == 200
    again = client.post(
        "/login", data={"email": "  SAM@example.org", "password": PASSWORD}, **_from("10.0.0.1")
    )
    other = client.post(
        "/login", data={"email": "nobody@example.org", "password": "guess"}, **_from("10.0.0.1")
    )

    assert again.status_code == 429, "the address typed is limited, whatever its case"
    assert other.status_code == 200, "other accounts can still be tried from there"


def test_a_stranger_guessing_a_password_does_not_lock_its_owner_out(app, client, person):
    app.config["LOGIN_RATE_LIMIT_PER_EMAIL"] = "3 per minute"
    wrong = {"email": person.email, "password": "guess"}
    for _ in range(3):
        client.post("/login", data=wrong, **_from("203.0.113.66"))

    owner = client.post(
        "/login", data={"email": person.email, "password": PASSWORD}, **_from("192.0.2.5")
    )

    assert owner.status_code == 302
    assert is_signed_in(client)


def test_a_locked_email_allows_one_wrong_guess_from_a_new_address_and_no_more(app, client, person):
    app.config["LOGIN_RATE_LIMIT_PER_EMAIL"] = "3 per minute"
    wrong = {"email": person.email, "password": "guess"}
    for n in range(3):
        client.post("/login", data=wrong, **_from(f"10.0.0.{n}"))

    first = client.post("/login", data=wrong, **_from("10.0.0.9"))
    second = client.post("/login", data=wrong, **_from("10.0.0.9"))

    assert first.status_code == 200
    assert "Email or password is not right." in first.get_data(as_text=True)
    assert second.status_code == 429
    assert "Wait 15 minutes and try again, or reset your password." in second.get_data(as_text=True)


def test_the_limit_page_does_not_promise_a_minute(app, client, person):
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute; 1 per hour"
    wrong = {"email": "sam@example.org", "password": "guess"}
    client.post("/login", data=wrong)

    response = client.post("/login", data=wrong)

    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Please wait a while and try again." in page
    assert "minute" not in page


def test_a_page_that_needs_a_login_says_so_on_the_login_page(client, person):
    response = client.get("/account", follow_redirects=True)

    assert response.request.path == "/login"
    assert "Please log in to see that page." in response.get_data(as_text=True)


def test_a_log_in_link_from_a_public_page_does_not_say_a_page_needed_it(client):
    page = client.get("/login?next=/coops/fishwick/about").get_data(as_text=True)
    plain = client.get("/login").get_data(as_text=True)

    assert "<h1>Log in</h1>" in page and "<h1>Log in</h1>" in plain
    assert "Please log in to see that page." not in page
    assert "Please log in to see that page." not in plain


def test_a_copied_session_cookie_is_refused_after_logout(app, client, auth, person):
    auth.login_as(person)
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/account").status_code == 200

    auth.logout()

    assert thief.get("/account").status_code == 302
    assert not is_signed_in(thief)


def test_a_copied_remember_cookie_is_refused_after_logout(app, client, person):
    client.post("/login", data={"email": person.email, "password": PASSWORD, "remember": "y"})
    copied = client.get_cookie("remember_token").value
    thief = app.test_client()
    thief.set_cookie("remember_token", copied)
    assert thief.get("/account").status_code == 200

    client.post("/logout")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", copied)

    assert fresh.get("/account").status_code == 302
    assert not is_signed_in(fresh)


def test_remember_me_lasts_thirty_days(client, person):
    client.post("/login", data={"email": person.email, "password": PASSWORD, "remember": "y"})

    cookie = client.get_cookie("remember_token")
    days = (cookie.expires - datetime.now(UTC)).days
    assert 29 <= days <= 30


def test_a_remembered_login_stops_working_once_its_time_is_up(app, client, person):
    client.post("/login", data={"email": person.email, "password": PASSWORD, "remember": "y"})
    copied = client.get_cookie("remember_token").value
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(seconds=-1)
    later = app.test_client()
    later.set_cookie("remember_token", copied)

    assert later.get("/account").status_code == 302


def test_a_login_records_its_device_and_when_it_was_last_seen(client, auth, person):
    client.post(
        "/login",
        data={"email": person.email, "password": PASSWORD},
        headers={"User-Agent": "Mozilla/5.0 (Android 14; Mobile)"},
    )
    login = db.session.scalars(select(Login).where(Login.user_id == person.id)).one()
    login.last_seen_at = utcnow() - timedelta(hours=1)
    db.session.commit()

    client.get("/account")

    assert login.user_agent == "Mozilla/5.0 (Android 14; Mobile)"
    assert utcnow() - login.last_seen_at < timedelta(minutes=1)
    assert login.ended_at is None
    auth.logout()
    assert login.ended_at is not None
