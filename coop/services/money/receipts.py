"""Receipt files for the fund's income and spending, told by their content and kept in the database.

A receipt is a PDF, PNG, JPEG or WebP by its first bytes (never its name or
declared type), at most ``RECEIPT_MAX_BYTES``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import exists, select

from coop.domain.receipts import receipt_content_type, receipt_filename, size_label
from coop.extensions import db
from coop.models import Coop, FundEntry, Receipt, User
from coop.services.errors import ServiceError


@dataclass(frozen=True)
class Upload:
    """A file as it was sent: its name and at most one byte more than the size limit."""

    filename: str
    data: bytes


def receipt_max_bytes() -> int:
    """Return the largest receipt kept, in bytes (``RECEIPT_MAX_BYTES``)."""
    return int(current_app.config["RECEIPT_MAX_BYTES"])


def checked_upload(upload: Upload) -> tuple[str, str]:
    """Return a receipt's content type and kept name; refuse one that is not a receipt."""
    limit = receipt_max_bytes()
    if not upload.data:
        raise ServiceError("The file is empty: choose the receipt again.", field="receipt")
    if len(upload.data) > limit:
        raise ServiceError(
            f"The file is larger than {size_label(limit)}: "
            "scan or photograph the receipt at a lower resolution.",
            field="receipt",
        )
    content_type = receipt_content_type(upload.data)
    if content_type is None:
        raise ServiceError(
            "The file is not a PDF, PNG, JPEG or WebP image: "
            "choose a photo or scan of the receipt.",
            field="receipt",
        )
    return content_type, receipt_filename(upload.filename, content_type)


def keep_receipt(*, coop: Coop, upload: Upload, by: User) -> Receipt:
    """Store a receipt file for the co-op (flushes); refuse one that is not a PDF or image."""
    content_type, filename = checked_upload(upload)
    receipt = Receipt(
        coop_id=coop.id,
        filename=filename,
        content_type=content_type,
        size_bytes=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        content=upload.data,
        created_by_id=by.id,
    )
    db.session.add(receipt)
    db.session.flush()
    return receipt


def pending_receipt(*, coop: Coop, receipt_id: int | None, by: User) -> Receipt | None:
    """Return a receipt *by* kept for an entry still being confirmed, or None.

    Only the same person's receipt, of the same co-op, that no entry uses yet.
    """
    if receipt_id is None:
        return None
    return db.session.scalar(
        select(Receipt).where(
            Receipt.id == receipt_id,
            Receipt.coop_id == coop.id,
            Receipt.created_by_id == by.id,
            ~exists().where(FundEntry.receipt_id == Receipt.id),
        )
    )


def receipt_for(*, coop: Coop, receipt_id: int) -> Receipt | None:
    """Return the co-op's receipt *receipt_id*, with its file, or None."""
    return db.session.scalar(
        select(Receipt).where(Receipt.id == receipt_id, Receipt.coop_id == coop.id)
    )
