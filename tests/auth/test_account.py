from support import PASSWORD, field_error

from coop.domain.roles import MembershipStatus, Role

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)


def test_the_account_page_needs_a_login(client):
    response = client.get("/account")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_account_page_shows_the_person_and_their_coops(client, auth, factory, person):
    fishwick = factory.coop(name="Fishwick Food")
    ribbleton = factory.coop(name="Ribbleton Pantry")
    factory.membership(coop=fishwick, user=person, role=Role.COORDINATOR)
    factory.membership(coop=ribbleton, user=person, status=MembershipStatus.PENDING)
    factory.member(factory.coop(name="Someone Else's Co-op"))
    auth.login_as(person)

    page = client.get("/account").get_data(as_text=True)

    assert "Sam Patel" in page
    assert "sam@example.org" in page
    assert "Fishwick Food" in page
    assert "Coordinator" in page
    assert "Ribbleton Pantry" in page
    assert "Pending" in page
    assert "Someone Else" not in page
    assert 'href="/account/password"' in page


def test_a_person_can_change_their_name(client, auth, person):
    auth.login_as(person)

    response = client.post("/account", data={"name": "  Samira Patel "}, follow_redirects=True)

    assert "Your name has been saved." in response.get_data(as_text=True)
    assert person.name == "Samira Patel"


def test_a_blank_name_is_refused(client, auth, person):
    auth.login_as(person)

    response = client.post("/account", data={"name": "  "})

    assert field_error(response.get_data(as_text=True), "name") == "Enter your name."
    assert person.name == "Sam Patel"


def change_password(client, current, new, confirm=None):
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm": confirm or new},
    )


def test_after_a_password_change_only_the_new_password_works(client, auth, person):
    changed_before = person.password_changed_at
    auth.login_as(person)

    response = change_password(client, PASSWORD, "a brand new passphrase")

    assert response.headers["Location"] == "/account"
    assert person.password_changed_at > changed_before
    auth.logout()
    assert "Email or password is not right." in auth.login(person.email).get_data(as_text=True)
    assert auth.login(person.email, "a brand new passphrase").status_code == 302


def test_a_wrong_current_password_is_shown_at_that_field(client, auth, person):
    auth.login_as(person)
    hash_before = person.password_hash

    response = change_password(client, "not my password", "a brand new passphrase")

    page = response.get_data(as_text=True)
    assert field_error(page, "current_password") == "Your current password is not right."
    assert person.password_hash == hash_before


def test_a_new_password_must_be_long_enough_and_confirmed(client, auth, person):
    auth.login_as(person)

    short = change_password(client, PASSWORD, "short").get_data(as_text=True)
    mismatch = change_password(
        client, PASSWORD, "a brand new passphrase", "another passphrase"
    ).get_data(as_text=True)

    assert field_error(short, "new_password") == "Use at least 10 characters."
    assert field_error(mismatch, "confirm") == "The two passwords are not the same."
    auth.logout()
    assert auth.login(person.email).status_code == 302


def test_changing_the_password_signs_out_other_sessions(app, client, auth, factory):
    user = factory.user(email="pat@example.org")
    other_device = app.test_client()
    other_device.post("/login", data={"email": "pat@example.org", "password": PASSWORD})
    assert other_device.get("/account").status_code == 200

    auth.login_as(user)
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )

    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302


def test_signing_out_other_devices_ends_their_logins_but_not_this_one(app, client, auth, person):
    phone = app.test_client()
    phone.post(
        "/login",
        data={"email": person.email, "password": PASSWORD, "remember": "y"},
        headers={"User-Agent": ANDROID_CHROME},
    )
    auth.login_as(person)
    page = client.get("/account").get_data(as_text=True)
    assert "also signed in on 1 other device" in page
    assert "Chrome on Android, last seen" in page

    response = client.post("/account/sign-out-others", follow_redirects=True)

    assert "You are signed out on every other device." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    assert "You are signed in on this device only." in client.get("/account").get_data(as_text=True)


def test_signing_out_other_devices_needs_the_forms_csrf_token(app, client, auth, person):
    phone = app.test_client()
    phone.post("/login", data={"email": person.email, "password": PASSWORD})
    auth.login_as(person)
    app.config["WTF_CSRF_ENABLED"] = True

    assert client.post("/account/sign-out-others").status_code == 400
    assert phone.get("/account").status_code == 200


def test_a_password_reset_ends_every_login(app, client, auth, person):
    from coop.services.people.accounts import make_reset_token

    phone = app.test_client()
    phone.post("/login", data={"email": person.email, "password": PASSWORD, "remember": "y"})
    remembered = phone.get_cookie("remember_token").value

    client.post(
        f"/password/reset/{make_reset_token(user=person)}",
        data={"password": "a fresh passphrase", "confirm": "a fresh passphrase"},
    )
    later = app.test_client()
    later.set_cookie("remember_token", remembered)

    assert phone.get("/account").status_code == 302
    assert later.get("/account").status_code == 302


def test_guesses_at_the_current_password_are_limited(app, client, auth, person):
    app.config["PASSWORD_CHANGE_RATE_LIMIT"] = "3 per hour"
    auth.login_as(person)
    guess = {"new_password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    for n in range(3):
        response = client.post("/account/password", data={**guess, "current_password": f"x{n}"})
        assert response.status_code == 200

    refused = client.post("/account/password", data={**guess, "current_password": PASSWORD})

    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    auth.logout()
    assert auth.login(person.email).status_code == 302, "the password did not change"
