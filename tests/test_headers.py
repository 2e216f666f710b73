"""The headers every answer carries: what the browser may load, frame, send and keep."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config import ProductionConfig
from coop.domain.roles import Role
from coop.web.headers import content_security_policy

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: value.strip()
        for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))
        if name
    }


@pytest.mark.parametrize("path", ["/", "/login", "/coops", "/no-such-page"])
def test_every_page_says_what_the_browser_may_load_and_frame(client, path):
    response = client.get(path)

    directives = _directives(response)
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_page_may_add_sources_to_the_policy_without_changing_the_rest():
    base = {"default-src": ("'self'",), "object-src": ("'none'",), "frame-ancestors": ("'none'",)}

    policy = content_security_policy(
        base, {"script-src": ("https://js.stripe.com",), "object-src": ("https://x.example",)}
    )

    # A directive the base lacks starts from default-src; one that was 'none' loses it.
    assert policy == (
        "default-src 'self'; object-src https://x.example; frame-ancestors 'none'; "
        "script-src 'self' https://js.stripe.com"
    )


def test_strict_transport_security_is_sent_in_production_only(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers

    app.config["STRICT_TRANSPORT_SECURITY"] = ProductionConfig.STRICT_TRANSPORT_SECURITY
    hsts = client.get("/").headers["Strict-Transport-Security"]

    assert hsts.startswith("max-age=")
    assert int(hsts.removeprefix("max-age=").split(";")[0]) >= 180 * 24 * 3600


def test_the_app_names_no_server_or_version(client):
    response = client.get("/login")

    assert "Server" not in response.headers
    assert "X-Powered-By" not in response.headers


def test_pages_for_visitors_may_be_kept_but_signed_in_pages_may_not(client, auth, factory):
    coop = factory.coop(slug="fishwick")
    member = factory.member(coop)

    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    auth.login_as(member)

    assert client.get("/coops/fishwick/").headers["Cache-Control"] == "no-store"
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    # The stylesheet is the same for everyone, so browsers may keep it.
    with client.get("/static/css/coop.css") as stylesheet:
        assert "no-store" not in stylesheet.headers.get("Cache-Control", "")


def test_a_downloaded_file_is_never_kept_by_a_cache(client, auth, factory):
    coop = factory.coop(slug="fishwick")
    auth.login_as(factory.member(coop, role=Role.TREASURER))

    response = client.get("/coops/fishwick/admin/money/balances.csv")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)


def test_no_template_holds_what_the_policy_would_refuse():
    # Inline script, inline style and on...= handlers would be refused by the
    # policy in the browser; keep them in files under static/.
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_no_script_sets_an_inline_style():
    found = [
        f"{path.name}: {match.group(0)}"
        for path in sorted(STATIC.rglob("*.js"))
        for match in re.finditer(r"\.style\b|setAttribute\(\s*['\"]style|cssText", path.read_text())
    ]
    assert found == []
