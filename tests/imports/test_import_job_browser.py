"""A large import's status page in a real browser follows the job to its end, with or without JS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jobs.conftest import REDIS_URL, needs_redis, store  # noqa: F401 (a fixture)
from support import CHROMIUM, PASSWORD, PHONE, make_app, serving

from coop.services.jobs import build_worker
from imports.support import OWN_HEADER, csv_lines

pytestmark = [
    pytest.mark.browser,
    pytest.mark.committing,
    needs_redis,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]

ROWS = 12
FILE = csv_lines(OWN_HEADER, *(f"N{i:05d},Thing {i},each,1,1.00,0,Misc" for i in range(ROWS)))


@pytest.fixture
def queue_server(run_database_uri: str, store) -> Iterator[str]:  # noqa: F811
    """Serve an app whose large imports (over 5 rows) wait on the test Redis for a worker."""
    app = make_app(run_database_uri, WTF_CSRF_ENABLED=True, REDIS_URL=REDIS_URL, IMPORT_JOB_ROWS=5)
    with serving(app, "queue-server") as url:
        yield url


@pytest.mark.parametrize("javascript", [True, False], ids=["with-script", "without-javascript"])
def test_the_status_page_follows_the_job_from_waiting_to_done(
    app,
    browser,
    queue_server,
    shop,
    tmp_path,
    javascript,
):
    path = tmp_path / "prices.csv"
    path.write_text(FILE, encoding="utf-8")
    context = browser.new_context(
        base_url=queue_server, viewport=PHONE, java_script_enabled=javascript
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    polls: list[int] = []
    tab.on(
        "response",
        lambda response: polls.append(response.status) if response.url.endswith(".json") else None,
    )
    try:
        tab.goto("/login")
        tab.get_by_label("Email address").fill(shop.coordinator.email)
        tab.get_by_label("Password", exact=True).fill(PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url(lambda url: "/login" not in url)
        tab.goto(shop.url())
        tab.get_by_label("Catalogue file").set_input_files(path)
        tab.get_by_role("button", name="Upload and check").click()
        tab.wait_for_url("**/import/*")
        tab.get_by_role("button", name="Confirm the import").click()

        tab.wait_for_url("**/jobs/*")
        assert "Waiting to start" in tab.locator(".job-status").inner_text()
        assert tab.get_by_role("status").inner_text().startswith(f"0 of {ROWS} rows")

        # The worker runs here, while the page waits: the script (or the refresh) notices.
        build_worker(app).work(burst=True)

        tab.get_by_role("heading", name="What the import wrote").wait_for()
        assert tab.get_by_role("status").inner_text() == f"{ROWS} of {ROWS} rows"
        bar = tab.get_by_role("progressbar", name="Progress")
        assert bar.get_attribute("value") == str(ROWS)
        assert bar.get_attribute("max") == str(ROWS)
        assert "Done" in tab.locator(".job-status").inner_text()
        if javascript:
            # The script asked the run's JSON, rather than loading the page again and again.
            assert polls and set(polls) == {200}
        else:
            assert polls == []
    finally:
        context.close()
