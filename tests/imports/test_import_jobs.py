"""A large catalogue import runs as a job: its status page shows progress, then the result."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from support import count_rows, text

from coop.extensions import db
from coop.models import CatalogueImport, JobRun, JobRunStatus, PriceChange, Product
from coop.services.catalogue import imports
from coop.services.catalogue.import_jobs import run_catalogue_import
from imports.support import OWN_HEADER, csv_lines, upload

# Lowered from its default so a file of a dozen rows is "large".
THRESHOLD = 5


def big_file(count: int = 12, *, price: str = "9.45") -> str:
    return csv_lines(
        OWN_HEADER, *(f"R{i:03d},Rice {i},1 kg,5,{price},0,Rice" for i in range(count))
    )


@pytest.fixture
def coordinator(app, client, auth, shop):
    app.config["IMPORT_JOB_ROWS"] = THRESHOLD
    auth.login_as(shop.coordinator)
    return shop


def preview_of(client, shop, content: str) -> str:
    response = upload(client, shop, content)
    assert response.status_code == 302, text(response)
    return response.headers["Location"]


def confirm(client, preview: str):
    return client.post(preview + "/confirm")


def status_url(response) -> str:
    assert response.status_code == 302, text(response)
    location = response.headers["Location"]
    assert re.fullmatch(r"/jobs/\d+", location), location
    return location


def test_confirming_a_large_file_lands_on_its_status_page_done_with_counts(client, coordinator):
    coordinator.add(code="R000", name="Rice 0", unit_label="1 kg", case_size=5)

    page_url = status_url(confirm(client, preview_of(client, coordinator, big_file())))
    response = client.get(page_url)

    page = text(response)
    assert response.status_code == 200
    assert "Importing catalogue.csv into Greens Wholesale" in page
    assert "Done" in page
    assert re.search(r'<progress id="job-progress" max="12" value="12">', page)
    assert "12 of 12 rows" in page
    assert re.search(r"New products</dt><dd>11</dd>", page)
    assert re.search(r"Changed products</dt><dd>1 \(1 with a new price", page)
    assert 'http-equiv="refresh"' not in page
    assert "job-status.js" not in page
    back = f'href="/coops/fishwick/admin/suppliers/{coordinator.supplier.id}/"'
    assert back in page and "Back to the supplier's catalogue" in page
    assert count_rows(Product, Product.supplier_id == coordinator.supplier.id) == 12


def test_the_preview_of_a_large_file_says_it_is_written_in_the_background(client, coordinator):
    large = text(client.get(preview_of(client, coordinator, big_file())))
    small = text(client.get(preview_of(client, coordinator, big_file(THRESHOLD))))

    assert "written in the background" in large
    assert "written in the background" not in small


def test_a_file_at_the_threshold_is_still_imported_at_once(client, coordinator):
    response = confirm(client, preview_of(client, coordinator, big_file(THRESHOLD)))

    assert "/jobs/" not in response.headers["Location"]
    assert count_rows(JobRun) == 0
    assert count_rows(Product) == THRESHOLD


def test_confirming_twice_follows_the_same_run(client, coordinator):
    preview = preview_of(client, coordinator, big_file())
    first = status_url(confirm(client, preview))
    second = status_url(confirm(client, preview))

    assert first == second
    assert count_rows(JobRun) == 1
    assert count_rows(Product) == 12


def test_refused_rows_are_listed_on_the_status_page_and_nothing_is_written(client, coordinator):
    rows = [f"R{i:03d},Rice {i},1 kg,5,9.45,0,Rice" for i in range(10)]
    rows[3] = "R003,,1 kg,5,9.45,0,Rice"
    rows[7] = "R007,Pasta,500 g,12,abc,0,Pasta"
    preview = preview_of(client, coordinator, csv_lines(OWN_HEADER, *rows))

    # The preview offers no confirmation; a confirmation sent all the same is refused by the job.
    page = text(client.get(confirm(client, preview).headers["Location"]))

    assert "Failed" in page
    assert "Some rows of the file have errors, so nothing was imported." in page
    assert "2 rows refused" in page
    assert re.search(r'data-label="Line">5</td><td data-label="Problem">[^<]*name', page, re.I)
    assert re.search(r'data-label="Line">9</td>', page)
    assert count_rows(Product) == 0
    assert count_rows(CatalogueImport, CatalogueImport.applied_at.is_not(None)) == 0


def test_a_catalogue_changed_since_the_preview_fails_the_job_and_writes_nothing(
    client, coordinator
):
    preview = preview_of(client, coordinator, big_file())
    coordinator.add(code="ZZZ", name="Added meanwhile")

    page = text(client.get(status_url(confirm(client, preview))))

    assert "Failed" in page
    assert "Nothing was written" in page
    assert "The catalogue changed since you previewed this file" in page
    assert 'http-equiv="refresh"' not in page
    assert count_rows(Product) == 1


def test_running_the_job_again_after_it_is_done_changes_nothing(app, client, coordinator):
    page_url = status_url(confirm(client, preview_of(client, coordinator, big_file())))
    run_id = int(page_url.rsplit("/", 1)[1])
    finished = db.session.get(JobRun, run_id).finished_at

    run_catalogue_import(run_id=run_id)
    db.session.commit()

    db.session.expire_all()
    run = db.session.get(JobRun, run_id)
    assert run.status is JobRunStatus.DONE
    assert run.finished_at == finished
    assert count_rows(Product) == 12


def test_a_run_whose_upload_is_gone_fails_with_a_readable_error(app, client, coordinator):
    preview = preview_of(client, coordinator, big_file())
    page_url = status_url(confirm(client, preview))
    run_id = int(page_url.rsplit("/", 1)[1])
    run = db.session.get(JobRun, run_id)
    # The run is put back as if it were still waiting and its upload were deleted meanwhile.
    run.status = JobRunStatus.QUEUED
    db.session.delete(db.session.get(CatalogueImport, run.subject_id))
    db.session.commit()

    run_catalogue_import(run_id=run_id)
    db.session.commit()

    page = text(client.get(page_url))
    assert "Failed" in page
    assert "The uploaded file is no longer here, so nothing was imported" in page


def test_a_job_for_a_run_that_no_longer_exists_does_nothing(app, caplog):
    run_catalogue_import(run_id=999_999)

    assert "no longer exists" in caplog.text
    assert count_rows(JobRun) == 0


def test_a_file_written_in_several_batches_is_written_whole(client, coordinator, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 4)
    for i in range(0, 12, 2):
        coordinator.add(code=f"R{i:03d}", name=f"Rice {i}", unit_label="1 kg", case_size=5)

    page = text(
        client.get(status_url(confirm(client, preview_of(client, coordinator, big_file()))))
    )

    assert "12 of 12 rows" in page
    assert re.search(r"New products</dt><dd>6</dd>", page)
    assert re.search(r"Changed products</dt><dd>6 \(6 with a new price", page)
    assert count_rows(Product) == 12
    assert count_rows(PriceChange) == 6
    assert {p.case_price_pence for p in db.session.scalars(select(Product))} == {945}


def test_when_the_queue_cannot_be_reached_the_status_page_says_so(app, client, coordinator):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    preview = preview_of(client, coordinator, big_file())

    page = text(client.get(status_url(confirm(client, preview))))

    assert "Failed" in page
    assert "the job queue cannot be reached" in page
    assert 'http-equiv="refresh"' not in page
    assert count_rows(Product) == 0
