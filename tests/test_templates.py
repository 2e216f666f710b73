"""The layout every page shares, and times shown in the UK's zone.

The layout checks walk ``app.url_map`` for pages without URL parameters, so
a new page is checked the moment its route exists.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import current_app, render_template_string
from support import layout_problems, parse

from coop.domain import permissions
from coop.domain.roles import JoiningPolicy, Role
from coop.services.people.access import viewer_for
from coop.web.access import access_rule

# --- times ---------------------------------------------------------------


def localtime(value: datetime | None, *args: str) -> str:
    with current_app.test_request_context():
        return render_template_string("{{ value|localtime(*args) }}", value=value, args=args)


def test_a_summer_time_is_shown_an_hour_ahead_of_utc(app):
    assert localtime(datetime(2025, 7, 14, 17, 30, tzinfo=UTC)) == "14 Jul 2025, 18:30"


def test_a_winter_time_is_shown_as_utc(app):
    assert localtime(datetime(2025, 1, 14, 17, 30, tzinfo=UTC)) == "14 Jan 2025, 17:30"


def test_a_late_summer_evening_in_utc_is_the_next_day_in_london(app):
    assert localtime(datetime(2025, 7, 14, 23, 30, tzinfo=UTC), "%Y-%m-%d %H:%M") == (
        "2025-07-15 00:30"
    )


def test_no_time_shows_nothing(app):
    assert localtime(None) == ""


# --- layout --------------------------------------------------------------


def pages(app, rules: set[str]) -> list[str]:
    """Return the paths of GET routes without URL parameters under *rules*."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and access_rule(app.view_functions[rule.endpoint]) in rules
    )


def html_pages(client, paths: list[str]) -> dict[str, str]:
    found = {}
    for path in paths:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        if response.mimetype == "text/html":
            found[path] = response.get_data(as_text=True)
        response.close()  # a file such as /favicon.ico is streamed from disk
    return found


def check_layout(found: dict[str, str]) -> None:
    problems = [
        f"{path}: {problem}" for path, html in found.items() for problem in layout_problems(html)
    ]
    assert not problems, "\n".join(problems)


def test_public_pages_follow_the_layout(app, client):
    paths = pages(app, {"public"})
    assert "/" in paths and "/login" in paths
    check_layout(html_pages(client, paths))


def test_signed_in_pages_follow_the_layout(app, client, auth, factory):
    coop = factory.coop()
    auth.login_as(factory.member(coop))
    paths = pages(app, {"public", "signed in"})
    assert "/account" in paths
    check_layout(html_pages(client, paths))


def test_coop_pages_follow_the_layout_for_their_coordinator(app, client, auth, factory):
    coop = factory.coop()
    coordinator = factory.member(coop, Role.COORDINATOR)
    auth.login_as(coordinator)
    viewer = viewer_for(coordinator)

    def coordinator_may(rule) -> bool:
        kind = access_rule(app.view_functions[rule.endpoint]) or ""
        if kind in {"public", "signed in"}:
            return True
        check = getattr(permissions, kind.removeprefix("coop:"), None)
        return kind.startswith("coop:") and check is not None and check(viewer, coop.id)

    paths = sorted(
        rule.rule.replace("<slug>", coop.slug)
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and set(rule.arguments) == {"slug"} and coordinator_may(rule)
    )
    assert f"/coops/{coop.slug}/" in paths
    check_layout(html_pages(client, paths))


def test_a_households_pages_follow_the_layout_for_their_coordinator(app, client, auth, factory):
    coop = factory.coop()
    coordinator = factory.member(coop, Role.COORDINATOR)
    member = factory.membership(coop=coop, household_size=2, postcode="PR1 5XX")
    auth.login_as(coordinator)
    base = f"/coops/{coop.slug}/admin/members/{member.id}"

    found = html_pages(client, [base, base + "/remove"])
    # After a refusal the page comes back with its errors.
    found["refused role"] = client.post(base + "/role", data={"role": "member"}).get_data(
        as_text=True
    )
    check_layout(found)


def test_platform_pages_with_several_forms_follow_the_layout(app, client, auth, factory):
    council = factory.council()
    coop = factory.coop(council=council)
    auth.login_as(factory.user(is_platform_admin=True))

    check_layout(
        html_pages(client, [f"/platform/coops/{coop.slug}", f"/platform/councils/{council.id}/"])
    )


def test_error_pages_follow_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert not layout_problems(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<h1>A</h1><h1>B</h1>", "2 <h1> elements instead of one"),
        ("<h1>A</h1><h3>B</h3>", "heading levels jump from h1 to h3"),
        ('<h1>A</h1><input id="q" name="q">', "<input name='q'> has no label"),
        (
            '<h1>A</h1><script src="https://cdn.example.com/x.js"></script>',
            "loads https://cdn.example.com/x.js from another site; serve it from static/",
        ),
        (
            '<h1>A</h1><form><input type="hidden" id="csrf_token" name="csrf_token"></form>'
            '<form><input type="hidden" id="csrf_token" name="csrf_token"></form>',
            "id 'csrf_token' is used more than once",
        ),
    ],
)
def test_the_layout_check_reports_broken_pages(html, problem):
    page = (
        '<html lang="en-GB"><meta name="viewport" content="width=device-width">'
        f'<a href="#content">Skip</a><main id="content">{html}</main></html>'
    )
    assert layout_problems(page) == [problem]


def test_the_layout_check_accepts_labelled_fields():
    page = (
        '<html lang="en-GB"><meta name="viewport" content="width=device-width">'
        '<a href="#content">Skip</a><main id="content"><h1>A</h1><h2>B</h2>'
        '<label for="e">Email</label><input id="e" name="email">'
        '<label>Name <input name="name"></label><input type="hidden" name="csrf_token">'
        '<button type="submit">Go</button></main></html>'
    )
    assert layout_problems(page) == []


# --- navigation ----------------------------------------------------------


def nav_links(client) -> set[str]:
    html = client.get("/coops").get_data(as_text=True)
    nav = html[html.index("<nav") : html.index("</nav>")]
    return set(parse(nav).links)


def test_visitors_are_offered_to_log_in_or_register(client):
    assert {"/login", "/register"} <= nav_links(client)


def test_members_see_their_coop_but_not_its_management(client, auth, factory):
    coop = factory.coop()
    auth.login_as(factory.member(coop))
    links = nav_links(client)
    assert f"/coops/{coop.slug}/" in links
    assert f"/coops/{coop.slug}/admin/" not in links
    assert "/platform/" not in links
    assert "/login" not in links


def test_coordinators_see_where_to_manage_their_coop(client, auth, factory):
    coop = factory.coop()
    auth.login_as(factory.member(coop, Role.COORDINATOR))
    assert f"/coops/{coop.slug}/admin/" in nav_links(client)


def test_officers_see_their_council(client, auth, factory):
    council = factory.council()
    auth.login_as(factory.officer(council))
    assert f"/councils/{council.id}/" in nav_links(client)


def test_platform_admins_see_the_platform(client, auth, factory):
    auth.login_as(factory.user(is_platform_admin=True))
    assert "/platform/" in nav_links(client)


def test_a_person_in_several_coops_gets_one_link_to_them_all(client, auth, factory):
    person = factory.member(factory.coop(name="Fishwick"))
    second = factory.coop(name="Ribbleton")
    factory.membership(coop=second, user=person, role=Role.COORDINATOR)
    auth.login_as(person)

    links = nav_links(client)

    assert "/my-coops" in links
    assert not any(link.startswith("/coops/") and link != "/coops" for link in links)


def test_the_manage_link_is_short(client, auth, factory):
    coop = factory.coop(name="Fishwick and St Matthew's Neighbourhood Food Co-operative")
    auth.login_as(factory.member(coop, Role.COORDINATOR))

    html = client.get("/coops").get_data(as_text=True)

    assert (
        f'<a href="/coops/{coop.slug}/admin/">Manage<span class="visually-hidden"> '
        f"{coop.name}</span></a>"
    ) in html.replace("&#39;", "'")


def test_officers_of_several_councils_get_one_link_to_them(client, auth, factory):
    officer = factory.officer(factory.council())
    factory.officer(factory.council(), user=officer)
    auth.login_as(officer)

    links = nav_links(client)

    assert "/councils/" in links
    assert not any(link.startswith("/councils/") and link != "/councils/" for link in links)


# --- messages and focus --------------------------------------------------


def test_error_messages_are_marked_as_such(client, auth, factory):
    coop = factory.coop(joining_policy=JoiningPolicy.INVITATION)
    auth.login_as(factory.user())

    page = client.post(f"/coops/{coop.slug}/join", follow_redirects=True).get_data(as_text=True)

    assert '<span class="visually-hidden">Error: </span>This co-op takes new households' in page


def test_success_messages_are_marked_as_such(client, auth, factory):
    person = factory.user()
    auth.login_as(person)

    page = client.post("/account", data={"name": "New Name"}, follow_redirects=True)

    assert '<span class="visually-hidden">Success: </span>Your name has been saved.' in (
        page.get_data(as_text=True)
    )


def test_every_page_loads_the_script_that_focuses_the_error_summary(app, client):
    html = client.get("/login").get_data(as_text=True)
    assert '<script src="/static/js/focus-errors.js" defer></script>' in html
    script = client.get("/static/js/focus-errors.js")
    assert script.status_code == 200
    assert b".error-summary" in script.data
    script.close()


def test_every_pager_has_the_large_targets_of_the_pages_style():
    """WCAG 2.2 target size: the `pages` style makes page links at least 44 px each way."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    pagers = {
        f"{path.relative_to(templates)}: {nav}"
        for path in templates.rglob("*.html")
        for nav in re.findall(r'<nav aria-label="Pages[^>]*>', path.read_text())
    }

    assert pagers
    assert {pager for pager in pagers if not re.search(r'class="[^"]*\bpages\b', pager)} == set()
