"""A large catalogue import on the real job queue: waiting on its status page, then done."""

from __future__ import annotations

import re

import pytest
from jobs.conftest import needs_redis, store  # noqa: F401 (a fixture)
from support import count_rows, text

from coop.models import Product
from coop.services.jobs import build_worker
from imports.support import OWN_HEADER, csv_lines, upload

pytestmark = [pytest.mark.committing, needs_redis]


def test_a_large_import_waits_for_the_worker_then_shows_what_it_wrote(
    app,
    client,
    auth,
    shop,
    store,  # noqa: F811
):
    app.config["IMPORT_JOB_ROWS"] = 5
    auth.login_as(shop.coordinator)
    rows = [f"R{i:03d},Rice {i},1 kg,5,9.45,0,Rice" for i in range(12)]
    preview = upload(client, shop, csv_lines(OWN_HEADER, *rows)).headers["Location"]

    status = client.post(preview + "/confirm").headers["Location"]
    assert re.fullmatch(r"/jobs/\d+", status)
    waiting = text(client.get(status))

    assert "Waiting to start" in waiting
    assert "0 of 12 rows" in waiting
    assert 'http-equiv="refresh"' in waiting
    assert count_rows(Product) == 0

    build_worker(app).work(burst=True)

    done = text(client.get(status))
    assert "Done" in done
    assert "12 of 12 rows" in done
    assert re.search(r"New products</dt><dd>12</dd>", done)
    assert 'http-equiv="refresh"' not in done
    assert count_rows(Product) == 12
