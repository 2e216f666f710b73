"""Loading the ONS postcode directory and the IMD deciles, as jobs with a progress bar.

A load reads its file a line at a time and writes it in batches of
`BATCH_ROWS` into a new edition that stays inactive until the end; the
transaction that finishes it deletes the edition it replaces and makes the
new one active, so a lookup sees the old edition or the new one, whole.
A refusal (a column missing, a line cut short, bytes that are not UTF-8,
an IoD edition of other LSOAs than the postcodes') rolls everything back:
the refused edition is removed and the one before stays active.

The file comes from the platform admin's upload (kept in
``PLACES_UPLOAD_DIR`` until its load ends) or from a path given to the
``load-postcodes`` / ``load-imd`` commands; a zip as the ONS ships it is
read from its largest CSV member.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from coop.domain.postcode_files import (
    IMD_LSOA_VINTAGE,
    FileProblem,
    check_imd_edition,
    csv_rows,
    directory_row,
    imd_columns,
    imd_row,
    postcode_columns,
)
from coop.extensions import db
from coop.models import ImdDecile, ImdEdition, JobRun, JobRunStatus, Postcode, PostcodeEdition, User
from coop.models.bulk import bulk_insert
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.progress import Progress, job_run, run_tracked, start_run

POSTCODE_KIND = "postcode_load"
IMD_KIND = "imd_load"
BATCH_ROWS = 10_000

Edition = PostcodeEdition | ImdEdition

UPLOAD_GONE = "The file to load is no longer here, so nothing was loaded; upload it again."
EMPTY = "The file is empty: nothing was loaded."
BAD_ZIP = "The zip file is damaged or holds no CSV file: nothing was loaded. Download it again."


def upload_dir() -> Path:
    """Return the folder uploaded files wait in until their load ends."""
    folder = Path(
        current_app.config["PLACES_UPLOAD_DIR"] or Path(current_app.instance_path) / "places"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _is_upload(source: Path) -> bool:
    return source.resolve().parent == upload_dir().resolve()


def start_postcode_load(
    *, source: Path, name: str, user: User | None, back_link: str = ""
) -> JobRun:
    """Record a new, inactive postcode edition and a queued run to load it from *source*."""
    name = " ".join(name.split())[:120] or source.stem[:120] or "Postcode directory"
    edition = PostcodeEdition(name=name, source=str(source.resolve()))
    db.session.add(edition)
    db.session.flush()
    return start_run(
        kind=POSTCODE_KIND,
        title=f"Loading the postcode directory {name}",
        coop_id=None,
        started_by=user,
        subject_id=edition.id,
        back_link=back_link,
    )


def start_imd_load(*, source: Path, year: int, user: User | None, back_link: str = "") -> JobRun:
    """Record a new, inactive IMD edition and a queued run loading it from *source*; flushed."""
    if year not in IMD_LSOA_VINTAGE:
        raise ServiceError("Choose IoD 2019 or IoD 2025.", field="edition")
    directory = _active(PostcodeEdition)
    try:
        check_imd_edition(
            year=year,
            file_vintage=IMD_LSOA_VINTAGE[year],
            postcode_vintage=directory.lsoa_vintage if directory is not None else None,
        )
    except FileProblem as problem:
        raise ServiceError(problem.message, field="edition") from None
    edition = ImdEdition(
        year=year, lsoa_vintage=IMD_LSOA_VINTAGE[year], source=str(source.resolve())
    )
    db.session.add(edition)
    db.session.flush()
    return start_run(
        kind=IMD_KIND,
        title=f"Loading the IMD deciles of {edition.name}",
        coop_id=None,
        started_by=user,
        subject_id=edition.id,
        back_link=back_link,
    )


def load_postcodes_job(*, run_id: int) -> None:
    """Job: load run *run_id*'s postcode directory and make it the one lookups use."""
    run_tracked(run_id=run_id, kind=POSTCODE_KIND, work=_load_postcodes)
    _tidy(run_id, PostcodeEdition)


def load_imd_job(*, run_id: int) -> None:
    """Job: load run *run_id*'s IMD deciles and make them the ones lookups use."""
    run_tracked(run_id=run_id, kind=IMD_KIND, work=_load_imd)
    _tidy(run_id, ImdEdition)


def _tidy(run_id: int, model: type[PostcodeEdition] | type[ImdEdition]) -> None:
    """After a run's final outcome, remove its uploaded file, and its edition if refused."""
    run = job_run(run_id=run_id)
    if run is None or run.subject_id is None:
        return
    edition = _edition(model, run.subject_id)
    if edition is None:
        return
    if edition.source and _is_upload(Path(edition.source)):
        Path(edition.source).unlink(missing_ok=True)
    if run.status is JobRunStatus.FAILED and not edition.active:
        db.session.delete(edition)
    else:
        edition.source = ""
    db.session.flush()


def _edition(model: type[Edition], edition_id: int | None) -> Edition | None:
    found = db.session.get(model, edition_id) if edition_id is not None else None
    return found if isinstance(found, PostcodeEdition | ImdEdition) else None


def _active(model: type[PostcodeEdition] | type[ImdEdition]) -> Any:
    return db.session.scalar(select(model).where(model.active.is_(True)))


def _source(run: JobRun, model: type[PostcodeEdition] | type[ImdEdition]) -> Any:
    edition = _edition(model, run.subject_id)
    if edition is None or not edition.source or not Path(edition.source).is_file():
        raise ServiceError(UPLOAD_GONE)
    return edition


@contextmanager
def _lines(path: Path) -> Iterator[Iterator[bytes]]:
    """Yield the lines of the CSV file at *path*, or of the largest CSV in a zip there."""
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            yield iter(handle)
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
            if not members:
                raise ServiceError(BAD_ZIP)
            largest = max(members, key=lambda member: member.file_size)
            with archive.open(largest) as handle:
                yield iter(handle)
    except (zipfile.BadZipFile, EOFError):
        raise ServiceError(BAD_ZIP) from None


def count_rows(path: Path) -> int:
    """Return how many lines follow the header of the file at *path*, reading it in blocks."""
    lines = 0
    last = b"\n"
    with _lines(path) as handle:
        stream = getattr(handle, "read", None)
        if stream is None:  # pragma: no cover - a file object always reads
            return 0
        while block := stream(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1
    return max(0, lines - 1)


def _read(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield the numbered rows of the file at *path*, a refusal for the first bad one."""
    with _lines(path) as lines:
        try:
            yield from csv_rows(lines)
        except FileProblem as problem:
            raise ServiceError(problem.message) from None


def _header(rows: Iterator[tuple[int, list[str]]]) -> list[str]:
    first = next(rows, None)
    if first is None:
        raise ServiceError(EMPTY)
    return first[1]


def _load_postcodes(run: JobRun, progress: Progress) -> dict[str, Any]:
    edition: PostcodeEdition = _source(run, PostcodeEdition)
    path = Path(edition.source)
    progress.advance(0, count_rows(path))
    rows = _read(path)
    try:
        columns = postcode_columns(_header(rows))
        edition.lsoa_vintage = columns.lsoa_vintage
        db.session.flush()
        connection = db.session.connection()
        names = ["edition_id", "postcode", "ward", "lsoa", "lad"]
        batch: list[tuple[Any, ...]] = []
        written = 0
        first_line = 2
        for line, cells in rows:
            if not batch:
                first_line = line
            batch.append((edition.id, *directory_row(cells, columns, line=line)))
            if len(batch) >= BATCH_ROWS:
                _insert(connection, Postcode, names, batch, first_line, line, "postcode")
                written += len(batch)
                batch = []
                progress.advance(written)
    except FileProblem as problem:
        raise ServiceError(problem.message) from None
    if batch:
        _insert(connection, Postcode, names, batch, first_line, line, "postcode")
        written += len(batch)
    if not written:
        raise ServiceError("The file has a header but no postcodes: nothing was loaded.")
    replaced = _switch(edition, PostcodeEdition, Postcode, written)
    return {
        "rows": written,
        "edition": edition.name,
        "lsoa_vintage": columns.lsoa_vintage,
        "columns": list(columns.names),
        "replaced": replaced,
    }


def _load_imd(run: JobRun, progress: Progress) -> dict[str, Any]:
    edition: ImdEdition = _source(run, ImdEdition)
    path = Path(edition.source)
    progress.advance(0, count_rows(path))
    rows = _read(path)
    seen: set[str] = set()
    deciles: list[tuple[Any, ...]] = []
    try:
        columns = imd_columns(_header(rows))
        directory = _active(PostcodeEdition)
        check_imd_edition(
            year=edition.year,
            file_vintage=columns.lsoa_vintage,
            postcode_vintage=directory.lsoa_vintage if directory is not None else None,
        )
        for line, cells in rows:
            lsoa, decile = imd_row(cells, columns, line=line)
            if lsoa in seen:
                raise FileProblem(f"The LSOA {lsoa} is in the file twice.", line=line)
            seen.add(lsoa)
            deciles.append((edition.id, lsoa, decile))
    except FileProblem as problem:
        raise ServiceError(problem.message) from None
    if not deciles:
        raise ServiceError("The file has a header but no LSOAs: nothing was loaded.")
    connection = db.session.connection()
    for start in range(0, len(deciles), BATCH_ROWS):
        bulk_insert(
            connection,
            ImdDecile,
            ["edition_id", "lsoa", "decile"],
            deciles[start : start + BATCH_ROWS],
        )
        progress.advance(start + BATCH_ROWS)
    replaced = _switch(edition, ImdEdition, ImdDecile, len(deciles))
    return {
        "rows": len(deciles),
        "edition": edition.name,
        "lsoa_vintage": edition.lsoa_vintage,
        "replaced": replaced,
    }


def _insert(
    connection: Any,
    model: type[Postcode],
    names: list[str],
    batch: list[tuple[Any, ...]],
    first_line: int,
    last_line: int,
    what: str,
) -> None:
    try:
        bulk_insert(connection, model, names, batch)
    except IntegrityError:
        raise ServiceError(
            f"A {what} is in the file twice, on one of lines {first_line:,} to {last_line:,}: "
            "nothing was loaded."
        ) from None


def _switch(
    edition: PostcodeEdition | ImdEdition,
    model: type[PostcodeEdition] | type[ImdEdition],
    rows_model: type[Postcode] | type[ImdDecile],
    written: int,
) -> str | None:
    """Delete the active edition of *model* and make *edition* active, in the load's transaction."""
    replaced = None
    olds: list[Edition] = list(
        db.session.scalars(select(model).where(model.active.is_(True), model.id != edition.id))
    )
    for old in olds:
        replaced = old.name
        db.session.execute(delete(rows_model).where(rows_model.edition_id == old.id))
        db.session.delete(old)
    db.session.flush()
    edition.active = True
    edition.activated_at = utcnow()
    edition.rows = written
    db.session.flush()
    return replaced
