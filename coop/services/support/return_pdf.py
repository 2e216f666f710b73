"""A monitoring return as a PDF: made by a job from the return's print page, kept in the database.

The officer's click starts a run (`start_pdf_run`); the job renders the same
template the printed page uses and hands the HTML to WeasyPrint
(`html_to_pdf`), which may read the app's own static files and nothing else:
no address on the network, no file outside ``static/``, no ``data:``. The PDF
is kept with the return (`store_pdf`), one per return, replaced each time it
is made again, with when it was made and from which saved version of the
narrative.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

from coop.extensions import db
from coop.models import JobRun, JobRunStatus, MonitoringReturn, MonitoringReturnPdf, User
from coop.models.types import utcnow
from coop.services.progress import start_run

KIND = "monitoring_return_pdf"
# The address the print page's own files are given under, so nothing else resolves.
BASE_URL = "coop-static:/"
STATIC_SCHEME = "coop-static"
# The steps a run counts: the figures, the page, the PDF, and keeping it.
STEPS = 4


class StaticOnlyFetcher(URLFetcher):
    """Give WeasyPrint the app's own static files (its CSS); refuse every other address."""

    def __init__(self, static_folder: str) -> None:
        super().__init__(allowed_protocols=[STATIC_SCHEME])
        self.root = Path(static_folder).resolve()

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        # urljoin leaves a relative address against an unknown scheme as it is: "css/coop.css".
        if parts.scheme not in (STATIC_SCHEME, "") or parts.netloc or parts.query:
            raise ValueError(f"the PDF may not fetch {url[:80]!r}")
        path = (self.root / unquote(parts.path).lstrip("/")).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError(f"no static file {parts.path[:80]!r}")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})


def html_to_pdf(*, html: str, static_folder: str) -> bytes:
    """Return *html* as an A4 PDF, its stylesheets read from *static_folder* alone."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher(static_folder))
    pdf: bytes = document.write_pdf()
    return pdf


def running_pdf_run(*, monitoring_return: MonitoringReturn) -> JobRun | None:
    """Return a run making this return's PDF that is waiting or running, if any."""
    return db.session.scalar(
        select(JobRun)
        .where(
            JobRun.kind == KIND,
            JobRun.subject_id == monitoring_return.id,
            JobRun.status.in_([JobRunStatus.QUEUED, JobRunStatus.RUNNING]),
        )
        .order_by(JobRun.id.desc())
        .limit(1)
    )


def start_pdf_run(
    *, monitoring_return: MonitoringReturn, title: str, user: User, back_link: str
) -> JobRun:
    """Record a queued run making the return's PDF, or return the one under way; flushed."""
    earlier = running_pdf_run(monitoring_return=monitoring_return)
    if earlier is not None:
        return earlier
    # No co-op: the run is the officer's, and the co-op's coordinators do not follow it.
    return start_run(
        kind=KIND,
        title=title,
        coop_id=None,
        started_by=user,
        subject_id=monitoring_return.id,
        total=STEPS,
        back_link=back_link,
    )


def store_pdf(
    *, monitoring_return: MonitoringReturn, content: bytes, by_id: int | None
) -> MonitoringReturnPdf:
    """Keep *content* as the return's PDF, in place of any made before; flushed."""
    stored = stored_pdf(monitoring_return=monitoring_return)
    if stored is None:
        stored = MonitoringReturnPdf(monitoring_return_id=monitoring_return.id)
        db.session.add(stored)
    stored.content = content
    stored.version = monitoring_return.version
    stored.generated_at = utcnow()
    stored.generated_by_id = by_id
    db.session.flush()
    return stored


def stored_pdf(*, monitoring_return: MonitoringReturn) -> MonitoringReturnPdf | None:
    """Return the PDF last made of the return, or None."""
    return db.session.scalar(
        select(MonitoringReturnPdf).where(
            MonitoringReturnPdf.monitoring_return_id == monitoring_return.id
        )
    )
