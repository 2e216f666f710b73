"""Helpers any test module may import (``from support import ...``).

pytest puts ``tests/`` on the import path (``tests/`` holds ``conftest.py``
and no ``__init__.py``), so ``from support import ...`` works from every
folder. Fixtures live in the ``conftest.py`` files; everything a test or a
fixture imports lives here or in a folder's own helper module
(``rounds.builders``, ``money.support``...). No test imports ``conftest`` or
another test module.
"""

from __future__ import annotations

import html
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, func, make_url, select
from sqlalchemy import text as sql
from werkzeug.serving import make_server

from config import TestingConfig
from coop import create_app
from coop.extensions import db
from coop.services.errors import ServiceError

PASSWORD = "correct horse battery"


def text(response: Any) -> str:
    """Return a response's page as a person reads it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, field: str) -> str | None:
    """Return the error shown next to a form field on *page*, if any."""
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else None


def count_rows(model: Any, *where: Any) -> int:
    """Return how many rows of *model*'s table match *where*, as the database sees it."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def refusal_message(action: Callable[[], Any], field: str | None = None) -> str:
    """Run a service that must refuse, roll back, and return its message.

    With *field*, also check the refusal names that form field.
    """
    with pytest.raises(ServiceError) as caught:
        action()
    db.session.rollback()
    if field is not None:
        assert caught.value.field == field
    return caught.value.message


# Chromium comes from Debian (``apt-get install chromium``): Playwright cannot
# download its own browsers here, so it is pointed at ``/usr/bin/chromium``.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


# --- the database and the app ---------------------------------------------


def fast_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    """Tell a SQLite connection not to wait for the disk (a ``connect`` event listener).

    The test database is thrown away after the run, so nothing needs to
    survive a crash: no fsync (``synchronous=OFF``) and the rollback journal
    in memory. Locking is as with the default journal, so a reader still
    holds off a writer as it would in development.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.execute("PRAGMA journal_mode=MEMORY")
    cursor.close()


@contextmanager
def scratch_database(server_url: str | None, directory: Path, name: str) -> Iterator[str]:
    """Yield the URL of a new, empty database, dropped afterwards.

    On PostgreSQL the database is created beside the one in *server_url*, so
    parallel runs (and pytest-xdist's workers) never share tables; on SQLite
    it is a file in *directory*.
    """
    if server_url is None:
        yield f"sqlite:///{directory / (name + '.sqlite')}"
        return
    url = make_url(server_url)
    db_name = f"{url.database}_{name}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sql(f'CREATE DATABASE "{db_name}"'))
    try:
        yield url.set(database=db_name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def serving(app: Flask, name: str) -> Iterator[str]:
    """Serve *app* on a free loopback port in a thread; yield its base URL, then stop it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def make_app(database_uri: str, **settings: Any) -> Flask:
    """Build an app on the test database with *settings* laid over testing.

    On SQLite its engine does without fsync (`fast_sqlite`).
    """
    config = type(
        "TestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_uri, **settings}
    )
    app = create_app(config)
    if database_uri.startswith("sqlite"):
        with app.app_context():
            event.listen(db.engine, "connect", fast_sqlite)
    return app


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as in production.

    The `app` fixture keeps one app context pushed for the whole test and Flask
    reuses it for each request, so what a request caches in `g` (Flask-Login's
    user, the viewer) would otherwise carry over to the next one, e.g. a page
    would still see the person who just logged out.
    """

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


# --- the layout every page shares -------------------------------------------


@dataclass
class Page:
    """What the layout checks need to know about an HTML page."""

    lang: str | None = None
    viewport: bool = False
    headings: list[int] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # hrefs of <a>, in order
    ids: dict[str, str] = field(default_factory=dict)  # id -> tag
    duplicate_ids: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)  # src/href of scripts, styles, images
    labelled_ids: set[str] = field(default_factory=set)
    fields: list[tuple[str, dict[str, str | None], bool]] = field(default_factory=list)


class PageParser(HTMLParser):
    UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}

    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self.open_labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        page = self.page
        if attributes.get("id"):
            if attributes["id"] in page.ids:
                page.duplicate_ids.append(attributes["id"] or "")
            page.ids[attributes["id"]] = tag
        if tag == "html":
            page.lang = attributes.get("lang")
        elif tag == "meta" and attributes.get("name") == "viewport":
            page.viewport = True
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            page.headings.append(int(tag[1]))
        elif tag == "a" and attributes.get("href") is not None:
            page.links.append(attributes["href"] or "")
        elif tag in {"script", "img", "iframe"} and attributes.get("src"):
            page.resources.append(attributes["src"] or "")
        elif tag == "link" and attributes.get("href"):
            page.resources.append(attributes["href"] or "")
        elif tag == "label":
            self.open_labels += 1
            if attributes.get("for"):
                page.labelled_ids.add(attributes["for"] or "")
        elif tag in {"input", "select", "textarea"} and (
            tag != "input" or attributes.get("type", "text") not in self.UNLABELLED_INPUTS
        ):
            page.fields.append((tag, attributes, self.open_labels > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.open_labels:
            self.open_labels -= 1


def parse(html: str) -> Page:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


def layout_problems(html: str) -> list[str]:
    """List how a page breaks the shared layout's promises."""
    page = parse(html)
    problems = []
    if page.lang != "en-GB":
        problems.append(f"<html lang> is {page.lang!r}, not 'en-GB'")
    if not page.viewport:
        problems.append("no <meta name=viewport>, so phones show it zoomed out")
    if page.headings.count(1) != 1:
        problems.append(f"{page.headings.count(1)} <h1> elements instead of one")
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        if after > before + 1:
            problems.append(f"heading levels jump from h{before} to h{after}")
    if not page.links or page.links[0] != "#content":
        problems.append("the first link is not the skip link to #content")
    if page.ids.get("content") != "main":
        problems.append("#content is not the <main> element")
    for duplicate in dict.fromkeys(page.duplicate_ids):
        problems.append(f"id {duplicate!r} is used more than once")
    for resource in page.resources:
        if resource.startswith(("http:", "https:", "//")):
            problems.append(f"loads {resource} from another site; serve it from static/")
    for tag, attributes, wrapped in page.fields:
        named = wrapped or attributes.get("aria-label") or attributes.get("aria-labelledby")
        if not (named or attributes.get("id") in page.labelled_ids):
            problems.append(f"<{tag} name={attributes.get('name')!r}> has no label")
    return problems


# --- two transactions at once (PostgreSQL) -----------------------------------
#
# Each attempt runs in a thread of its own, with its own app context and so its
# own session and connection. They start together at a barrier; whichever takes
# a row lock first holds its transaction open, before committing, until
# PostgreSQL shows the other one waiting for that lock, so the two really
# overlap rather than merely run one after the other. Tests using these commit
# for real (``pytest.mark.committing``).

WAIT_SECONDS = 10


@dataclass
class Outcome:
    """How one racer's attempt ended: what it returned, or the refusal it got."""

    result: Any = None
    refusal: str | None = None
    error: BaseException | None = None


@dataclass
class Overlap:
    """Whether the first to commit saw the other waiting for its lock."""

    seen: list[bool] = field(default_factory=list)


def _connections_waiting_for_a_lock() -> int:
    # Asked on a connection of its own: a transaction sees pg_stat_activity as it
    # was when first asked. Each test run has a database of its own, so other
    # runs' waits do not count.
    with db.engine.connect() as observer:
        return observer.execute(
            sql(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()


@contextmanager
def commits_held_until_someone_waits() -> Iterator[Overlap]:
    """Make the first commit wait (a while at most) until another connection waits for a lock.

    Only the first: the commits after it (the outbox's sending, say) go at once.
    """
    overlap = Overlap()

    def hold(session) -> None:
        if overlap.seen:
            return
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if _connections_waiting_for_a_lock():
                overlap.seen.append(True)
                return
            time.sleep(0.02)
        overlap.seen.append(False)

    event.listen(db.session, "before_commit", hold)
    try:
        yield overlap
    finally:
        event.remove(db.session, "before_commit", hold)


def race(app: Flask, *attempts: Callable[[], Any]) -> list[Outcome]:
    """Run each attempt in its own thread, app context and session, all starting together.

    A refused attempt is rolled back, as a view or `flask tick` does.
    """
    barrier = threading.Barrier(len(attempts))
    outcomes = [Outcome() for _ in attempts]

    def run(attempt: Callable[[], Any], outcome: Outcome) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=WAIT_SECONDS)
                outcome.result = attempt()
            except ServiceError as refusal:
                db.session.rollback()
                outcome.refusal = refusal.message
            except BaseException as error:  # reported by the test, not lost in the thread
                db.session.rollback()
                outcome.error = error
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=run, args=pair, name=f"racer-{n}")
        for n, pair in enumerate(zip(attempts, outcomes, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * WAIT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a racer is stuck"
    for outcome in outcomes:
        if outcome.error is not None:
            raise outcome.error
    return outcomes
