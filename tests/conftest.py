"""Shared fixtures: an app on a real database, a client, logins, factories, a mailbox.

The suite runs on a SQLite file by default and on PostgreSQL when
``COOP_TEST_DATABASE_URL`` is set. The schema is built once per run; every
test leaves empty tables behind it, so tests can commit as the app does.
"""

from __future__ import annotations

import email
import email.policy
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url, text
from support import CHROMIUM, CHROMIUM_ARGS, PHONE
from werkzeug.serving import make_server

from config import TestingConfig, database_url
from coop import create_app
from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from coop.extensions import db
from coop.models import Coop, CoopCouncilLink, Council, CouncilOfficer, Membership, User
from coop.services.people.passwords import hash_password

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def server_database_url() -> str | None:
    """Return the PostgreSQL URL given by ``COOP_TEST_DATABASE_URL``, if any."""
    url = os.environ.get("COOP_TEST_DATABASE_URL")
    return database_url(url) if url else None


@contextmanager
def scratch_database(server_url: str | None, directory: Path, name: str) -> Iterator[str]:
    """Yield the URL of a new, empty database, dropped afterwards.

    On PostgreSQL the database is created beside the one in *server_url*, so
    parallel runs never share tables; on SQLite it is a file in *directory*.
    """
    if server_url is None:
        yield f"sqlite:///{directory / (name + '.sqlite')}"
        return
    url = make_url(server_url)
    db_name = f"{url.database}_{name}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{db_name}"'))
    try:
        yield url.set(database=db_name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_uri(
    server_database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Return the URL of this run's own database, with the schema created."""
    with scratch_database(server_database_url, tmp_path_factory.mktemp("db"), "run") as url:
        engine = create_engine(url)
        db.metadata.create_all(engine)
        engine.dispose()
        yield url


def make_app(database_uri: str, **settings: Any) -> Flask:
    """Build an app on the test database with *settings* laid over testing."""
    config = type(
        "TestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_uri, **settings}
    )
    return create_app(config)


@pytest.fixture
def app(database_uri: str) -> Iterator[Flask]:
    app = make_app(database_uri)
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def fresh_app(database_uri: str) -> Iterator[Flask]:
    """A new app on the test database, to which a test may add routes."""
    app = make_app(database_uri)
    yield app
    with app.app_context():
        db.engine.dispose()


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as in production.

    The `app` fixture keeps one app context pushed for the whole test and Flask
    reuses it for each request, so what a request caches in `g` (Flask-Login's
    user, the viewer) would otherwise carry over to the next one, e.g. a page
    would still see the person who just logged out.
    """

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        from flask import g

        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = FreshRequestClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], AbstractContextManager[list[str]]]:
    """Return a context manager collecting the SQL statements run inside it, to catch N+1."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany) -> None:
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting


class AuthActions:
    """Log a test client in and out through the real pages."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD, **kwargs: Any):
        return self._client.post("/login", data={"email": email, "password": password}, **kwargs)

    def login_as(self, user: User, password: str = PASSWORD):
        response = self.login(user.email, password)
        assert response.status_code == 302, "login failed"
        return response

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@dataclass
class Factory:
    """Small builders for rows tests need; each commits, as a request would."""

    counter: int = 0
    created: list[Any] = field(default_factory=list)

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _save(self, row: Any) -> Any:
        db.session.add(row)
        db.session.commit()
        return row

    def user(
        self,
        *,
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        is_platform_admin: bool = False,
    ) -> User:
        n = self._next()
        return self._save(
            User(
                email=(email or f"person{n}@example.org").lower(),
                name=name or f"Person {n}",
                password_hash=hash_password(password),
                is_platform_admin=is_platform_admin,
            )
        )

    def council(
        self,
        *,
        name: str | None = None,
        gss_code: str | None = None,
        valid_from: date = date(2019, 4, 1),
        valid_to: date | None = None,
    ) -> Council:
        n = self._next()
        return self._save(
            Council(
                name=name or f"Council {n}",
                gss_code=gss_code or f"E0700{n:04d}",
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )

    def coop(
        self,
        *,
        name: str | None = None,
        slug: str | None = None,
        council: Council | None = None,
        household_cap: int = 20,
        joining_policy: JoiningPolicy = JoiningPolicy.APPROVAL,
        pickup_address: str = "Community Centre, 1 Market Street",
    ) -> Coop:
        n = self._next()
        coop = Coop(
            name=name or f"Co-op {n}",
            slug=slug or f"coop-{n}",
            household_cap=household_cap,
            joining_policy=joining_policy,
            pickup_address=pickup_address,
        )
        if council is not None:
            coop.council_links.append(CoopCouncilLink(council=council, starts_on=date(2024, 1, 1)))
        return self._save(coop)

    def membership(
        self,
        *,
        coop: Coop,
        user: User | None = None,
        role: Role = Role.MEMBER,
        status: MembershipStatus = MembershipStatus.ACTIVE,
        household_size: int | None = None,
        postcode: str | None = None,
    ) -> Membership:
        from coop.models.types import utcnow

        user = user or self.user()
        return self._save(
            Membership(
                coop=coop,
                user=user,
                role=role,
                status=status,
                household_size=household_size,
                postcode=postcode,
                postcode_consent=postcode is not None,
                joined_at=utcnow() if status is MembershipStatus.ACTIVE else None,
            )
        )

    def member(self, coop: Coop, role: Role = Role.MEMBER, **kwargs: Any) -> User:
        """Return a new user with an active membership of *coop* in *role*."""
        return self.membership(coop=coop, role=role, **kwargs).user

    def households(self, coop: Coop, count: int, **kwargs: Any) -> list[Membership]:
        """Return *count* new memberships of *coop*, each with its own new user."""
        return [self.membership(coop=coop, **kwargs) for _ in range(count)]

    def officer(self, council: Council, user: User | None = None) -> User:
        user = user or self.user()
        self._save(CouncilOfficer(council=council, user=user))
        return user


@pytest.fixture
def factory(app: Flask) -> Factory:
    return Factory()


@dataclass
class Mailbox:
    """Messages a real SMTP server on loopback received."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]

    @staticmethod
    def body(message: email.message.EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return part.get_content()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mailbox(app: Flask) -> Iterator[Mailbox]:
    """Run an SMTP server on loopback and point the app's mail at it."""
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield box
    finally:
        controller.stop()


# --- a live server on loopback and Chromium to drive it ------------------------


@pytest.fixture(scope="session")
def live_server(database_uri: str) -> Iterator[str]:
    """Serve the app on a free loopback port; yield its base URL."""
    # CSRF protection is on, as in production, since a real browser sends the tokens.
    app = make_app(database_uri, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(app, browser, live_server):
    """A fresh browser tab with no cookies, at a phone's width.

    It asks for ``app`` so the tables are emptied after each test.
    """
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
