"""Shared fixtures: one app on a real database, a client, logins, factories, a mailbox.

The database. The suite runs on a SQLite file by default and on PostgreSQL
when ``COOP_TEST_DATABASE_URL`` is set. Each run, and each pytest-xdist
worker, gets a database of its own with the schema built once. SQLite is
told not to wait for the disk (`support.fast_sqlite`).

One app. Building an app compiles the whole URL map, so ``app`` is the same
app for every test of a run, with an app context of its own pushed for each
test. After each test its config is put back as it was and the rate limits
are forgotten; `g` starts empty at every request (`FreshRequestClient`). A
test that adds routes asks for ``fresh_app``, a new app of its own.

Isolation. A test runs inside one transaction that is rolled back after it:
its session is bound to a single connection with an outer transaction and
works in savepoints on it (``join_transaction_mode="create_savepoint"``), so
each ``commit()`` of a view, a service or a factory releases a savepoint,
each ``rollback()`` goes back to the last one, and nothing is ever written
for good. While it runs, ``db.engine`` *is* that connection: event listeners
on it see the test's statements, and asking it for another connection
(``db.engine.connect()``) fails, on purpose. On SQLite the savepoints take
SQLAlchemy's documented pysqlite workaround: the driver's own BEGIN is
turned off on that connection and the transaction begun explicitly.

Tests marked ``committing`` commit for real, because another connection,
thread or server must see their rows; their tables are emptied after them.
They are:

- tests asking for ``page`` or ``live_server`` (the browser talks to a
  server with its own app and connections), for ``fresh_app`` (another app,
  another engine) or for ``database_uri`` (they connect on their own);
- the concurrency tests (`support.race`: each attempt is a thread with its
  own connection), marked in their modules;
- the leak sweep (`tests/test_leaks.py`), which reads every table on a
  connection of its own before and after each request.

The migration tests need neither: they build scratch databases of their own.
A test that needs a second connection and is not marked fails loudly
(``db.engine`` has no ``connect()``), or waits for a lock the test's own
transaction holds; mark it ``committing``.
"""

from __future__ import annotations

import email
import email.policy
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from members.support import TwoCoops, build_two_coops
from rounds.builders import RoundWorld, build_round_world
from sqlalchemy import create_engine, event
from support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    PHONE,
    FreshRequestClient,
    make_app,
    scratch_database,
    serving,
)

from config import database_url
from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from coop.extensions import db, limiter
from coop.models import Coop, CoopCouncilLink, Council, CouncilOfficer, Membership, User
from coop.services.people.passwords import hash_password

# Statements that stand for BEGIN and COMMIT while a test is rolled back.
TRANSACTION_CONTROL = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")

# Asking for any of these makes a test commit for real (see above).
COMMITTING_FIXTURES = frozenset({"page", "live_server", "fresh_app", "database_uri"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    committing = pytest.mark.committing
    for item in items:
        if COMMITTING_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(committing)


@pytest.fixture(scope="session")
def server_database_url() -> str | None:
    """Return the PostgreSQL URL given by ``COOP_TEST_DATABASE_URL``, if any."""
    url = os.environ.get("COOP_TEST_DATABASE_URL")
    return database_url(url) if url else None


@pytest.fixture(scope="session")
def run_database_uri(
    server_database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Return the URL of this run's own database, with the schema created."""
    with scratch_database(server_database_url, tmp_path_factory.mktemp("db"), "run") as url:
        engine = create_engine(url)
        db.metadata.create_all(engine)
        engine.dispose()
        yield url


@pytest.fixture
def database_uri(run_database_uri: str) -> str:
    """The URL of this run's database, for a test that connects on its own.

    Asking for it makes the test commit for real, so what it wrote is there to see.
    """
    return run_database_uri


@pytest.fixture(scope="session")
def shared_app(run_database_uri: str) -> Iterator[Flask]:
    """The one app of this run; tests get it through ``app``."""
    app = make_app(run_database_uri)
    app.test_client_class = FreshRequestClient
    # Only takes effect while a session is bound to a connection (see `_rolled_back`).
    db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Bind ``db.session`` to one connection whose transaction is rolled back at the end."""
    engines = db.engines  # the app's own mapping of bind keys to engines
    engine = engines[None]
    connection = engine.connect()
    outer = connection.begin()
    raw = connection.connection.driver_connection
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # pysqlite would BEGIN only before a write and never before a SAVEPOINT,
        # so a savepoint released on its own would be written for good.
        own_begin = raw.isolation_level
        raw.isolation_level = None
        connection.exec_driver_sql("BEGIN")
    engines[None] = connection  # type: ignore[index]
    try:
        yield
    finally:
        db.session.remove()
        engines[None] = engine  # type: ignore[index]
        if outer.is_active:
            outer.rollback()
        if sqlite:
            raw.isolation_level = own_begin
        connection.close()


def _empty_tables() -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def app(shared_app: Flask, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The run's app with an app context pushed, its database as the test left it.

    The test's writes are rolled back after it, or, for a ``committing`` test,
    committed and deleted after it.
    """
    settings = dict(shared_app.config)
    storage = limiter.storage
    with shared_app.app_context():
        if request.node.get_closest_marker("committing"):
            try:
                yield shared_app
            finally:
                _empty_tables()
        else:
            with _rolled_back():
                yield shared_app
    shared_app.config.clear()
    shared_app.config.update(settings)
    if limiter.storage is storage:
        limiter.reset()
    else:  # another app was built and took the limiter over
        limiter.init_app(shared_app)


@pytest.fixture
def fresh_app(run_database_uri: str) -> Iterator[Flask]:
    """A new app on the test database, to which a test may add routes."""
    app = make_app(run_database_uri)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], AbstractContextManager[list[str]]]:
    """Return a context manager collecting the SQL statements run inside it, to catch N+1.

    Transaction control is left out: BEGIN and COMMIT never reach the cursor,
    and the savepoints that stand in for them while a test is rolled back
    (see above) are no queries either.
    """

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany) -> None:
            if not statement.startswith(TRANSACTION_CONTROL):
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
        from coop.domain.household import Fact
        from coop.models import HouseholdFact
        from coop.models.types import utcnow

        user = user or self.user()
        facts = [
            HouseholdFact(fact=Fact.HOUSEHOLD_SIZE, number=household_size, consent_version=1)
            for _ in [household_size]
            if household_size is not None
        ] + [
            HouseholdFact(fact=Fact.POSTCODE, postcode=postcode, consent_version=1)
            for _ in [postcode]
            if postcode is not None
        ]
        return self._save(
            Membership(
                coop=coop,
                user=user,
                role=role,
                status=status,
                facts=facts,
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


@pytest.fixture
def rounds(app: Flask, factory: Factory) -> RoundWorld:
    """A co-op with a coordinator, households and a supplier, ready for rounds."""
    return build_round_world(factory)


@pytest.fixture
def two_coops(factory: Factory) -> TwoCoops:
    """Fishwick with a coordinator, a treasurer and a member; Ribbleton next door."""
    return build_two_coops(factory)


@dataclass
class Mailbox:
    """Messages a real SMTP server on loopback received."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    # The client's address and port each message came from: one per SMTP session.
    peers: list[object] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"

    def to(self, address: str, about: str = "") -> list[email.message.EmailMessage]:
        """The messages to *address*, only those whose subject holds *about* if given."""
        return [m for m in self.messages if address in m["To"] and about in m["Subject"]]

    @staticmethod
    def body(message: email.message.EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return part.get_content()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """Run one SMTP server on loopback for the run; yield what it received and its port."""
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(app: Flask, smtp_server: tuple[Mailbox, int]) -> Mailbox:
    """Point the app's mail at the SMTP server on loopback; its mailbox starts empty."""
    box, port = smtp_server
    box.messages.clear()
    box.peers.clear()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    return box


# --- a live server on loopback and Chromium to drive it ------------------------


@pytest.fixture(scope="session")
def live_server(run_database_uri: str) -> Iterator[str]:
    """Serve an app of its own on a free loopback port; yield its base URL."""
    # CSRF protection is on, as in production, since a real browser sends the tokens.
    app = make_app(run_database_uri, WTF_CSRF_ENABLED=True)
    with serving(app, "live-server") as url:
        yield url


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

    The test commits for real, as the server reads what it wrote; it asks for
    ``app`` so the tables are emptied after it.
    """
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
