"""Every route states who may use it, and the app refuses one that does not.

The checks walk ``app.url_map``, so a route added anywhere is covered the
moment it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Blueprint, Flask

from coop.web.access import access_rule

ACCESS_DECORATORS = "@public, @signed_in, @platform_admin, @for_coop(can_x) or @for_council(can_x)"


def rules_along(view: Callable[..., Any]) -> list[str]:
    """Return the access rules found down a view's chain of decorators."""
    found = []
    while view is not None:
        rule = access_rule(view)
        if rule is not None and (not found or found[-1] != rule):
            found.append(rule)
        view = getattr(view, "__wrapped__", None)
    return found


def access_rule_problems(app: Flask) -> list[str]:
    """List every route of *app* whose access rule is missing or unusable."""
    problems = []
    for url_rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[url_rule.endpoint]
        rules = rules_along(view)
        where = f"{url_rule.endpoint} ({url_rule.rule})"
        if not rules:
            problems.append(f"{where} has no access rule; put one of {ACCESS_DECORATORS} under it")
        elif len(rules) > 1:
            problems.append(f"{where} has several access rules {rules}; keep exactly one")
        elif rules[0].startswith("coop:") and "slug" not in url_rule.arguments:
            problems.append(f"{where} uses @for_coop but has no <slug>")
        elif rules[0].startswith("council:") and "council_id" not in url_rule.arguments:
            problems.append(f"{where} uses @for_council but has no <int:council_id>")
    return problems


def test_every_route_has_exactly_one_usable_access_rule(app):
    problems = access_rule_problems(app)
    assert not problems, "Routes without a proper access rule:\n" + "\n".join(problems)


def test_the_url_map_holds_every_audience(app):
    blueprints = {rule.endpoint.partition(".")[0] for rule in app.url_map.iter_rules()}
    assert {"auth", "members", "admin", "council", "platform"} <= blueprints


@pytest.fixture
def bare_app(fresh_app) -> Flask:
    """An app with one route on the app and one on a blueprint, neither with a rule."""
    fresh_app.add_url_rule("/forgotten", "forgotten", lambda: "secret things")
    extra = Blueprint("extra", __name__)
    extra.add_url_rule("/extra/forgotten", "forgotten", lambda: "more secret things")
    fresh_app.register_blueprint(extra)
    return fresh_app


def test_the_checker_reports_routes_without_a_rule(bare_app):
    problems = access_rule_problems(bare_app)
    assert any(
        problem.startswith("forgotten (/forgotten) has no access rule") for problem in problems
    )
    assert any(problem.startswith("extra.forgotten (/extra/forgotten)") for problem in problems)
    assert len(problems) == 2


def test_the_app_refuses_to_serve_a_route_without_a_rule(bare_app):
    client = bare_app.test_client()
    for path in ("/forgotten", "/extra/forgotten"):
        response = client.get(path)
        assert response.status_code == 403
        assert b"secret things" not in response.data


def test_the_checker_reports_two_rules_on_one_route(fresh_app):
    from coop.web.access import public, signed_in

    fresh_app.add_url_rule("/twice", "twice", signed_in(public(lambda: "hello")))
    assert access_rule_problems(fresh_app) == [
        "twice (/twice) has several access rules ['signed in', 'public']; keep exactly one"
    ]


def test_the_checker_reports_a_coop_rule_without_a_slug(fresh_app):
    from coop.domain.permissions import can_view_coop
    from coop.web.access import for_coop

    fresh_app.add_url_rule("/no-slug", "no_slug", for_coop(can_view_coop)(lambda coop: "hello"))
    assert access_rule_problems(fresh_app) == [
        "no_slug (/no-slug) uses @for_coop but has no <slug>"
    ]


def signed_in_pages(app: Flask) -> list[str]:
    """Return the paths of GET routes without parameters that need a login only."""
    return [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and access_rule(app.view_functions[rule.endpoint]) == "signed in"
    ]


def test_json_clients_get_401_and_browsers_the_login_page_on_signed_in_routes(app, client):
    paths = signed_in_pages(app)
    assert paths, "expected at least one signed-in page, such as /account"
    for path in paths:
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 401, path
        assert response.is_json, path
        assert "location" not in response.headers, path

        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login"), path
