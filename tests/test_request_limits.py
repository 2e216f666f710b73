"""Request bodies have a size limit, and every form refuses what no field takes at the field."""

from __future__ import annotations

from support import field_error, layout_problems, text

from coop.web.forms import NO_CONTROL_CHARACTERS


def test_a_plain_form_larger_than_a_megabyte_gets_a_too_large_page(client):
    response = client.post("/login", data={"email": "x" * 2_000_000, "password": "p"})

    assert response.status_code == 413
    assert "Too large to send" in text(response)
    assert not layout_problems(response.get_data(as_text=True))


def test_a_huge_email_address_is_refused_at_the_field_by_its_length(client):
    response = client.post("/password/forgot", data={"email": "a" * 900_000 + "@example.org"})

    assert field_error(text(response), "email") == "Use at most 254 characters."


def test_a_nul_byte_is_refused_at_the_field(client):
    response = client.post(
        "/register",
        data={
            "email": "nul@example.org",
            "name": "Ada\x00Lovelace",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )

    assert field_error(text(response), "name") == NO_CONTROL_CHARACTERS
