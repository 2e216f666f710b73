"""No hostile value in any form, address or query string reaches the database as a 500.

The demo data is loaded, with last week's round received and a draft round
added, so that every kind of page has something to show. Then, as each kind
of person (platform admin, council officer, coordinator, treasurer, member,
applicant, anonymous), the site is crawled from its home page, following its
own links, and every form met on the way (its action, fields and the values
the page fills in) is noted. Each field of each form is then posted with
each hostile value, the other fields keeping the page's values, and every
page is asked for with each of its whole-number parameters, and its page
number and search, past anything the database holds. Every answer must be
something other than a server error. Each post is undone after it (a
savepoint), so one form's success never hides another's page.

It runs on whichever database the suite runs on: SQLite by default,
PostgreSQL with ``COOP_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, RequestRedirect

from coop.demo.seed import (
    ADMIN,
    APPLICANT,
    FISHWICK_COORDINATOR,
    FISHWICK_MEMBERS,
    FISHWICK_TREASURER,
    MEMBER_PASSWORD,
    OFFICER,
)
from coop.extensions import db, limiter

PAST_2_63 = str(2**63)
HOSTILE = {
    "a NUL byte": "Fuzz\x00fuzz",
    "10^30": "1" + "0" * 30,
    "a superscript two": "²",
    "Arabic-Indic digits": "١٢",
    "an id past 2^63": PAST_2_63,
    "a 1 MB string": "x" * 1_000_000,
}
# Addresses no page links to, with a hostile value in their token.
UNLINKED = [
    "/api/catalogues/1.json?token={}",
    "/join/{}",
    "/password/reset/{}",
    "/login?next={}",
]
# Asked of every page, whether or not it reads them.
HOSTILE_QUERY = {"page": "1" + "0" * 30, "q": "Fuzz\x00fuzz"}

# Ending the login would sign the crawler out; what is left of each is fuzzed elsewhere.
SKIPPED_ENDPOINTS = {"static", "auth.logout"}
VISITS_PER_ENDPOINT = 3


@dataclass
class Form:
    """A form as a page offers it: where it posts and the values the page fills in."""

    action: str
    multipart: bool
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # name, kind, value
    choices: dict[str, list[str]] = field(default_factory=dict)

    def baseline(self) -> MultiDict[str, str]:
        return MultiDict([(name, value) for name, _, value in self.fields])

    def fuzzable(self) -> list[str]:
        """Return one field of each shape: ``qty_1`` and ``qty_2`` are fuzzed once."""
        seen, names = set(), []
        for name, kind, _ in self.fields:
            shape = re.sub(r"\d+", "#", name)
            if kind in {"submit", "file"} or name == "csrf_token" or shape in seen:
                continue
            seen.add(shape)
            names.append(name)
        return names


FILLERS = {
    "email": "fuzz@example.org",
    "number": "1",
    "password": "a long fuzzing password",
    "tel": "01234 567890",
    "url": "https://example.org",
}


class FormParser(HTMLParser):
    """Collect the links and the post forms of a page."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._radios: dict[str, str] = {}
        self._dates = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form" and a.get("method", "get").lower() == "post":
            self._form = Form(
                action=urljoin(self.url, a.get("action") or self.url),
                multipart="multipart" in a.get("enctype", ""),
            )
            self._radios = {}
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            name, value = a["name"], a.get("value", "")
            if kind in {"checkbox", "radio"}:
                self._form.choices.setdefault(name, []).append(value or "y")
                if kind == "radio" and name not in self._radios:
                    self._radios[name] = value
                    self._form.fields.append((name, kind, value))
                elif kind == "checkbox" and "checked" in a:
                    self._form.fields.append((name, kind, value or "y"))
                return
            if kind == "submit" and any(f[0] == name for f in self._form.fields):
                return
            if not value and "required" not in a:
                pass  # an optional field left blank, as a person would
            elif not value and kind in {"date", "datetime-local"}:
                # Later fields are later days: opening, then deadline, then pickup.
                self._dates += 1
                value = f"2030-06-{self._dates:02d}" + ("T18:00" if "time" in kind else "")
            elif not value and kind not in {"submit", "hidden", "file"}:
                value = FILLERS.get(kind, "Fuzz")
            self._form.fields.append((name, kind, value))
        elif tag == "button" and a.get("type", "submit") == "submit":
            if not any(f[0] == a["name"] for f in self._form.fields):
                self._form.fields.append((a["name"], "submit", a.get("value", "")))
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "form":
            self.forms.append(self._form)
            self._form = None
        elif tag == "select" and self._select is not None:
            values = [value for value, _ in self._options]
            chosen = next((v for v, selected in self._options if selected), None)
            if chosen is None:
                chosen = next((v for v in values if v), values[0] if values else "")
            self._form.fields.append((self._select, "select", chosen))
            self._form.choices[self._select] = values
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text).strip()
            self._form.fields.append((self._textarea, "textarea", text))
            self._textarea = None


@dataclass
class Crawl:
    """What one person's crawl found: a page per endpoint and the forms on them."""

    client: FlaskClient
    who: str
    pages: dict[str, list[str]] = field(default_factory=dict)  # endpoint -> paths
    forms: dict[tuple[str, tuple[str, ...]], Form] = field(default_factory=dict)


@dataclass
class Fuzz:
    """Crawls and fuzzes the app, noting every server error."""

    app: Flask
    problems: list[str] = field(default_factory=list)
    posted: set[str] = field(default_factory=set)  # endpoints whose forms were fuzzed
    requests: int = 0

    def endpoint(self, path: str, method: str = "GET") -> tuple[str, dict] | None:
        split = urlsplit(path)
        if split.netloc not in {"", "localhost"}:
            return None
        adapter = self.app.url_map.bind("localhost")
        try:
            return adapter.match(split.path, method=method)
        except (HTTPException, RequestRedirect):
            return None

    @contextmanager
    def undone(self) -> Iterator[None]:
        """Undo whatever the request wrote, whether it succeeded or not."""
        db.session.remove()
        # While a test runs, the engine is its one connection (see conftest).
        savepoint = db.engines[None].begin_nested()
        try:
            yield
        finally:
            db.session.remove()
            if savepoint.is_active:
                savepoint.rollback()

    def ask(self, client: FlaskClient, who: str, method: str, path: str, what: str, **kw):
        self.requests += 1
        try:
            response = client.open(path, method=method, **kw)
        except Exception as error:  # a view that raises is what is looked for
            self.problems.append(f"{method} {path} as {who} with {what}: raised {error!r:.300}")
            return None
        if response.status_code >= 500:
            self.problems.append(
                f"{method} {path} as {who} with {what}: answered {response.status_code}"
            )
        return response

    def crawl(self, client: FlaskClient, who: str, start: str = "/") -> Crawl:
        found = Crawl(client, who)
        queue, seen = deque([start]), set()
        while queue:
            url = queue.popleft()
            split = urlsplit(url)
            path = split.path + (f"?{split.query}" if split.query else "")
            matched = self.endpoint(path)
            if path in seen or matched is None:
                continue
            seen.add(path)
            endpoint, _ = matched
            visits = found.pages.setdefault(endpoint, [])
            if endpoint in SKIPPED_ENDPOINTS or len(visits) >= VISITS_PER_ENDPOINT:
                continue
            with self.undone():
                response = self.ask(client, who, "GET", path, "the crawl")
            if response is not None and response.status_code in {301, 302, 303}:
                seen.discard(path)
                visits.append(path)
                queue.append(urljoin("http://localhost" + path, response.location))
            if response is None or response.status_code != 200:
                continue
            visits.append(path)
            if response.mimetype != "text/html":
                continue
            parser = FormParser("http://localhost" + path)
            parser.feed(response.get_data(as_text=True))
            queue.extend(parser.links)
            for form in parser.forms:
                target = self.endpoint(form.action, "POST")
                if target is None or target[0] in SKIPPED_ENDPOINTS:
                    continue
                key = (target[0], tuple(sorted(form.fuzzable())))
                found.forms.setdefault(key, form)
        return found

    def post_forms(self, found: Crawl) -> None:
        for (endpoint, _), form in found.forms.items():
            self.posted.add(endpoint)
            baseline = form.baseline()
            for name in form.fuzzable():
                for label, value in HOSTILE.items():
                    data = baseline.copy()
                    data.setlist(name, [value])
                    what = f"{label} in {name!r}"
                    with self.undone():
                        self.ask(found.client, found.who, "POST", form.action, what, data=data)

    def get_pages(self, found: Crawl) -> None:
        adapter = self.app.url_map.bind("localhost")
        for endpoint, paths in found.pages.items():
            if not paths:
                continue
            path = paths[0]
            _, values = self.endpoint(path)
            rule = next(r for r in self.app.url_map.iter_rules(endpoint))
            split = urlsplit(path)
            query = dict(parse_qsl(split.query))
            with self.undone():
                self.ask(
                    found.client,
                    found.who,
                    "GET",
                    f"{split.path}?{urlencode({**query, **HOSTILE_QUERY})}",
                    "a page number past 2^63 and a NUL in the search",
                )
            for name in query:
                for label, value in HOSTILE.items():
                    with self.undone():
                        self.ask(
                            found.client,
                            found.who,
                            "GET",
                            f"{split.path}?{urlencode({**query, name: value})}",
                            f"{label} in ?{name}",
                        )
            for name, converter in rule._converters.items():
                if isinstance(converter, IntegerConverter):
                    huge = adapter.build(endpoint, {**values, name: 2**63})
                    with self.undone():
                        self.ask(found.client, found.who, "GET", huge, f"<{name}> past 2^63")


def sign_in(client: FlaskClient, email: str, password: str) -> None:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, f"{email} could not log in"


@pytest.fixture
def world(app, runner, client):
    """The demo data, with last week's round received and a draft round added."""
    result = runner.invoke(args=["seed-demo", "--no-history"])
    assert result.exit_code == 0, result.output
    sign_in(client, FISHWICK_COORDINATOR.email, FISHWICK_COORDINATOR.password)
    fuzz = Fuzz(app)
    found = fuzz.crawl(client, "coordinator", "/coops/fishwick-food/admin/rounds")
    for (endpoint, _), form in found.forms.items():
        if endpoint in {"admin.receive_round", "admin.new_round"}:
            response = client.post(form.action, data=form.baseline())
            errors = re.findall(r'class="error"[^>]*>([^<]*)<', response.get_data(as_text=True))
            assert response.status_code == 302, f"{endpoint}: {errors[:5]} {form.baseline()}"
    client.post("/logout")
    db.session.remove()


PEOPLE = {
    "platform admin": (ADMIN.email, ADMIN.password),
    "council officer": (OFFICER.email, OFFICER.password),
    "coordinator": (FISHWICK_COORDINATOR.email, FISHWICK_COORDINATOR.password),
    "treasurer": (FISHWICK_TREASURER.email, FISHWICK_TREASURER.password),
    "member": (FISHWICK_MEMBERS[0][0], MEMBER_PASSWORD),
    "applicant": (APPLICANT.email, APPLICANT.password),
    "anonymous": None,
}


@pytest.fixture
def no_rate_limits():
    """Let the hostile logins through to the forms, rather than to the rate limit."""
    limiter.enabled = False
    yield
    limiter.enabled = True


def test_no_hostile_value_in_any_form_or_address_gives_a_server_error(app, world, no_rate_limits):
    fuzz = Fuzz(app)
    for who, login in PEOPLE.items():
        client = app.test_client()
        if login is not None:
            sign_in(client, *login)
        found = fuzz.crawl(client, who)
        fuzz.get_pages(found)
        fuzz.post_forms(found)
        for path in UNLINKED:
            for label, value in HOSTILE.items():
                with fuzz.undone():
                    fuzz.ask(client, who, "GET", path.format(quote(value)), label)
    # The crawl must reach the forms, or the test proves nothing.
    expected = {
        "auth.login",
        "auth.register",
        "auth.account",
        "members.order_item",
        "members.household",
        "admin.new_product",
        "admin.edit_supplier",
        "admin.new_round",
        "admin.add_round_cost",
        "admin.settle_round",
        "admin.record_payment",
        "admin.settings",
        "admin.announcements",
        "platform.new_coop",
        "platform.appoint_officer",
    }
    assert expected <= fuzz.posted, f"never found a form for {sorted(expected - fuzz.posted)}"
    assert not fuzz.problems, f"{len(fuzz.problems)} server error(s):\n" + "\n".join(
        fuzz.problems[:60]
    )


@pytest.mark.parametrize("written", ["\u0661", "²", "1" + "0" * 30, str(2**31)])
def test_an_id_in_an_address_in_other_digits_or_past_the_columns_is_not_found(app, client, written):
    assert client.get(f"/councils/{written}/").status_code == 404
