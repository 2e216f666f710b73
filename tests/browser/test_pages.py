"""Pages in a real browser: a phone's width, the keyboard, labels, signing up."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from support import CHROMIUM, PHONE

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import OutboxMessage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium` "
        "(.ci/run does)",
    ),
]

PASSWORD = "a long walk to the market"


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/coops"])
def test_pages_fit_a_phone_without_sideways_scrolling(page, factory, path):
    # Long names are what push a narrow page wider than the screen.
    for n in range(3):
        factory.coop(
            name=f"Fishwick and St Matthew's Neighbourhood Food Co-operative {n}",
            slug=f"fishwick-and-st-matthews-neighbourhood-food-cooperative-{n}",
        )
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width}px wide on a {PHONE['width']}px screen"


def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.textContent]")
    assert focused == ["A", "Skip to main content"]

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    assert page.evaluate("document.activeElement.tagName") == "MAIN"


UNLABELLED_FIELDS = """
() => Array.from(document.querySelectorAll("input, select, textarea"))
    .filter((el) => !["hidden", "submit", "button"].includes(el.type))
    .filter((el) => el.labels.length === 0 && !el.getAttribute("aria-label"))
    .map((el) => el.name || el.id)
"""


@pytest.mark.parametrize("path", ["/login", "/register"])
def test_every_field_has_a_label(page, path):
    page.goto(path)
    assert page.locator("input:not([type=hidden])").count() >= 2
    assert page.evaluate(UNLABELLED_FIELDS) == []


def test_a_person_registers_logs_out_and_logs_in_again(page):
    page.goto("/register")
    page.get_by_label("Email address").fill("Robin.Hartley@Example.org")
    page.get_by_label("Name").fill("Robin Hartley")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    # Without a mail server the message waits in the outbox, where the test reads it.
    body = db.session.scalars(
        select(OutboxMessage.body).where(OutboxMessage.recipient == "robin.hartley@example.org")
    ).one()
    link = re.search(r"https?://[^\s/]+(/register/confirm/\S+)", body)
    assert link, body
    page.goto(link.group(1))
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_text("Welcome to coop, Robin Hartley")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    # expect() waits for the page the logout leads to; is_visible() would not.
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()

    page.goto("/login")
    page.get_by_label("Email address").fill("robin.hartley@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(re.compile(r"/$|/coops|/my-coops"))
    page.goto("/account")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("button", name="Log out").is_visible()
    assert "robin.hartley@example.org" in page.content()


def test_a_wrong_password_is_refused_in_the_browser(page, factory):
    factory.user(email="sam@example.org")
    page.goto("/login")
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Password", exact=True).fill("not the password at all")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Email or password is not right.").first).to_be_visible()
    assert page.url.endswith("/login")


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_long_unbroken_text_fits_a_phone_on_the_management_pages(page, factory):
    from coop.domain.roles import Role

    long_word = "Quillfeatherandmarrowbonecommunityhallannexe" * 3
    coop = factory.coop(
        name="Fishwick and St Matthew's Neighbourhood Food Co-operative",
        slug="fishwick",
        pickup_address=f"{long_word}\n7 Marrowbone Lane\nPreston",
    )
    coordinator = factory.user(email="cora@example.org", password=PASSWORD)
    factory.membership(coop=coop, user=coordinator, role=Role.COORDINATOR)
    household = factory.membership(
        coop=coop,
        user=factory.user(
            name="Bartholomew " + "Quince" * 8,
            email="bartholomew.quince.of.the.very.long.address@example.org",
        ),
        household_size=4,
        postcode="PR1 5XX",
    )
    log_in(page, "cora@example.org", PASSWORD)

    for path in (
        "/coops/fishwick/",
        "/coops/fishwick/admin/",
        "/coops/fishwick/admin/members",
        f"/coops/fishwick/admin/members/{household.id}",
        f"/coops/fishwick/admin/members/{household.id}/remove",
        "/coops/fishwick/admin/settings",
        "/coops/fishwick/about",
    ):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide on a {PHONE['width']}px screen"


def test_a_pickup_address_shows_on_its_own_lines(page, factory):
    coop = factory.coop(slug="fishwick", pickup_address="St Teresa's Hall\nCog Lane\nPreston")
    factory.member(coop, user=factory.user(email="mina@example.org", password=PASSWORD))
    log_in(page, "mina@example.org", PASSWORD)

    page.goto("/coops/fishwick/")

    address = page.locator("p.address")
    assert address.inner_text().splitlines() == ["St Teresa's Hall", "Cog Lane", "Preston"]


def test_after_a_failed_submit_focus_moves_to_the_error_summary(page):
    page.goto("/login")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    assert page.evaluate("document.activeElement.className") == "error-summary"
    assert "Enter your email address." in page.evaluate("document.activeElement.textContent")


# What the page's Content-Security-Policy refused, as the browser reports it.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _watch_csp(page) -> list[str]:
    console: list[str] = []
    page.add_init_script(WATCH_CSP)
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return console


def _visit_without_violations(page, console: list[str], path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, path
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.cspViolations") == [], path
    assert console == [], path


def test_the_main_pages_break_no_rule_of_the_content_security_policy(page, rounds):
    rice = rounds.product(name="Basmati rice")
    round_ = rounds.round(rice)
    rounds.ask(round_, rice, rounds.households[0], 2)
    console = _watch_csp(page)

    for path in ("/", "/login", "/register", "/coops", "/coops/fishwick/about"):
        _visit_without_violations(page, console, path)
    # A failed login runs the script that moves focus to the errors.
    page.goto("/login")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.className") == "error-summary"
    assert page.evaluate("window.cspViolations") == [] and console == []

    log_in(page, rounds.households[0].user.email, "correct horse battery")
    for path in (
        "/coops/fishwick/",
        f"/coops/fishwick/rounds/{round_.id}",
        "/coops/fishwick/statement",
        "/account",
    ):
        _visit_without_violations(page, console, path)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    log_in(page, rounds.coordinator.email, "correct horse battery")
    supplier = rounds.supplier.id
    for path in (
        "/coops/fishwick/admin/",
        "/coops/fishwick/admin/members",
        "/coops/fishwick/admin/catalogue",
        f"/coops/fishwick/admin/suppliers/{supplier}/",
        f"/coops/fishwick/admin/suppliers/{supplier}/import",
        f"/coops/fishwick/admin/rounds/{round_.id}",
        f"/coops/fishwick/admin/rounds/{round_.id}/items",
        "/coops/fishwick/admin/money",
    ):
        _visit_without_violations(page, console, path)


def test_the_policy_refuses_inline_script_in_a_real_browser(page):
    _watch_csp(page)
    page.goto("/login")

    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true;";
          document.body.append(script);
        }"""
    )

    assert page.evaluate("window.inlineRan") is None
    assert any("script-src" in violation for violation in page.evaluate("window.cspViolations"))


DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def long_round(rounds):
    """A draft round of 120 items with long names, so its lists run to several pages."""
    from coop.extensions import db
    from coop.models import Product

    products = [
        Product(
            supplier=rounds.supplier,
            code=f"P{n:04d}",
            name=f"Organic wholegrain sourdough spelt flour, stoneground {n}",
            case_size=6,
            case_price_pence=1200,
            unit_label="1.5 kg bag",
        )
        for n in range(120)
    ]
    db.session.add_all(products)
    db.session.commit()
    return rounds.round(*products, state=RoundState.DRAFT)


def _small_targets(page) -> list[str]:
    boxes = page.evaluate(
        """() => Array.from(document.querySelectorAll('nav[aria-label="Pages"] a'))
            .map((a) => [a.textContent.trim(), a.getBoundingClientRect().width,
                         a.getBoundingClientRect().height])"""
    )
    assert boxes, "no page links"
    return [f"{name}: {w:.0f} x {h:.0f}" for name, w, h in boxes if w < 24 or h < 24]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_page_links_are_targets_of_at_least_24_by_24_pixels(page, rounds, long_round, viewport):
    page.set_viewport_size(viewport)
    log_in(page, rounds.coordinator.email, "correct horse battery")

    for path in (
        f"/coops/fishwick/admin/suppliers/{rounds.supplier.id}/products",
        f"/coops/fishwick/admin/rounds/{long_round.id}/items",
    ):
        page.goto(path)
        assert _small_targets(page) == [], path


def test_remove_buttons_keep_their_word_whole_on_a_desktop(page, rounds, long_round):
    page.set_viewport_size(DESKTOP)
    log_in(page, rounds.coordinator.email, "correct horse battery")

    page.goto(f"/coops/fishwick/admin/rounds/{long_round.id}/items")

    heights = page.evaluate(
        """() => Array.from(document.querySelectorAll("td button"))
            .filter((b) => b.textContent.startsWith("Remove"))
            .map((b) => {
              const range = document.createRange();
              range.selectNodeContents(b.firstChild);
              return range.getClientRects().length;
            })"""
    )
    assert heights and set(heights) == {1}, "a Remove button's word is broken over lines"
