"""Configuration: production's refusals and cookie flags, database URLs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import database_url
from coop import create_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def production_env(monkeypatch, database_uri):
    """Set what production needs; a test removes what it wants to see missing."""
    monkeypatch.setenv("COOP_CONFIG", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.setenv("DATABASE_URL", database_uri)
    monkeypatch.setenv("SITE_URL", "https://food.example.org")
    return database_uri


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "SITE_URL"])
def test_production_refuses_to_start_without_a_required_setting(
    production_env, monkeypatch, missing
):
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        create_app("production")


def test_production_names_both_settings_when_both_are_missing(production_env, monkeypatch):
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.delenv("DATABASE_URL")
    with pytest.raises(RuntimeError, match="SECRET_KEY and DATABASE_URL"):
        create_app("production")


def test_production_names_every_missing_setting(production_env, monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "SITE_URL"):
        monkeypatch.delenv(name)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL and SITE_URL"):
        create_app("production")


def test_production_sends_cookies_only_over_https(production_env):
    # The config classes read the environment when imported, so lay the
    # secret and database over production here.
    app = create_app(
        {
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": production_env,
            "SITE_URL": "https://food.example.org",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True

    # The login form puts its CSRF token in the session, so the page sets the cookie.
    response = app.test_client().get("/login", base_url="https://food.example.org")
    cookie = response.headers["Set-Cookie"]
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_development_cookies_work_over_plain_http(monkeypatch):
    monkeypatch.delenv("COOP_CONFIG", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert not app.config.get("SESSION_COOKIE_SECURE")


@pytest.mark.parametrize(
    ("given", "used"),
    [
        (
            "postgresql://coop:pw@db.internal:5432/coop",
            "postgresql+psycopg://coop:pw@db.internal:5432/coop",
        ),
        ("postgres://coop@db/coop", "postgresql+psycopg://coop@db/coop"),
        ("postgresql+psycopg://coop@db/coop", "postgresql+psycopg://coop@db/coop"),
        ("sqlite:////srv/coop/coop.sqlite", "sqlite:////srv/coop/coop.sqlite"),
    ],
)
def test_database_urls_are_pointed_at_psycopg(given, used):
    assert database_url(given) == used


def test_a_deployments_postgresql_url_reaches_the_engine_with_psycopg():
    # A new interpreter, as in a deployment: the environment is read at start-up.
    env = {
        **os.environ,
        "COOP_CONFIG": "production",
        "SECRET_KEY": "a-long-random-production-secret",
        "DATABASE_URL": "postgresql://coop@127.0.0.1:5432/coop",
        "SITE_URL": "https://food.example.org",
    }
    code = (
        "from coop import create_app\n"
        "from coop.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context(): print(db.engine.url.drivername)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "postgresql+psycopg"


def test_the_flask_command_explains_what_production_is_missing():
    env = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "SITE_URL"}
    }
    env["COOP_CONFIG"] = "production"
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(
        [str(flask), "--app", "coop", "routes"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY, DATABASE_URL and SITE_URL" in result.stderr


def test_production_answers_only_the_host_of_its_site_url(production_env):
    app = create_app(
        {
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": production_env,
            "SITE_URL": "https://food.example.org",
        }
    )
    client = app.test_client()

    foreign = client.get("/login", base_url="https://evil.example")
    own = client.get("/login", base_url="https://food.example.org")

    assert foreign.status_code == 400
    assert "Log in" not in foreign.get_data(as_text=True)
    assert own.status_code == 200


def test_production_trusts_the_hosts_listed_in_trusted_hosts():
    # A new interpreter, as in a deployment: the environment is read at start-up.
    env = {
        **os.environ,
        "COOP_CONFIG": "production",
        "SECRET_KEY": "a-long-random-production-secret",
        "DATABASE_URL": "sqlite://",
        "SITE_URL": "https://food.example.org",
        "TRUSTED_HOSTS": "food.example.org, www.food.example.org",
    }
    code = (
        "from coop import create_app\n"
        "client = create_app().test_client()\n"
        "for host in ('food.example.org', 'www.food.example.org', 'evil.example'):\n"
        "    print(host, client.get('/login', base_url='https://' + host).status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == [
        "food.example.org 200",
        "www.food.example.org 200",
        "evil.example 400",
    ]
