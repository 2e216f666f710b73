"""Fixtures for loading postcode and IoD files: an upload folder and a way to load a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from coop.extensions import db
from coop.models import JobRun
from coop.services.jobs import enqueue
from coop.services.places.loading import (
    load_imd_job,
    load_postcodes_job,
    start_imd_load,
    start_postcode_load,
)
from coop.services.progress import job_run


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    app.config["PLACES_UPLOAD_DIR"] = str(folder)
    return folder


@pytest.fixture
def admin(factory):
    return factory.user(name="Alex Admin", is_platform_admin=True)


@pytest.fixture
def as_admin(auth, admin):
    auth.login_as(admin)
    return admin


def _finished(run_id: int) -> JobRun:
    db.session.expire_all()
    run = job_run(run_id=run_id)
    assert run is not None
    return run


@pytest.fixture
def load_postcodes(app) -> Callable[..., JobRun]:
    """Load a postcode directory file as the platform page does: a run, then its job."""

    def load(path: Path, name: str = "NSPL test") -> JobRun:
        run = start_postcode_load(source=path, name=name, user=None)
        db.session.commit()
        enqueue(load_postcodes_job, run_id=run.id)
        return _finished(run.id)

    return load


@pytest.fixture
def load_imd(app) -> Callable[..., JobRun]:
    """Load an IoD file as the platform page does; a refusal at the start is raised."""

    def load(path: Path, year: int = 2025) -> JobRun:
        run = start_imd_load(source=path, year=year, user=None)
        db.session.commit()
        enqueue(load_imd_job, run_id=run.id)
        return _finished(run.id)

    return load
