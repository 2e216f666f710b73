"""Importing a supplier's price list: a preview first, then one all-or-nothing write.

The uploaded file is stored with a digest of the catalogue as it stood, so
the confirmation writes exactly what was previewed, or refuses when the
catalogue changed in between. The file is a CSV file or a spreadsheet, in
a known layout or the supplier's own columns mapped on the preview
(`coop.services.catalogue.import_files`), whose mapping is saved on the
supplier when the import is confirmed. Products are matched by code, ignoring
letter case (the file's spelling of a code then replaces the stored one).
The write is a fixed handful of statements whatever the size of the file:
one bulk INSERT of new products, one bulk UPDATE of changed ones, one bulk
INSERT of their price history and one UPDATE marking products missing from
the file unavailable. A large file's import, run as a job that reports its
progress (`coop.services.catalogue.import_jobs`), writes the same statements
in batches of `BATCH_ROWS` rows, saying after each how many rows are written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, insert, select, update

from coop.domain.catalogue_csv import PRODUCT_FIELDS, ProductRow
from coop.domain.catalogue_files import AUTO, MAPPED
from coop.domain.catalogue_files.mapped import ColumnMapping
from coop.extensions import db
from coop.models import CatalogueImport, Coop, PriceChange, Product, Supplier, User
from coop.models.types import utcnow
from coop.services.catalogue.export import product_rows
from coop.services.catalogue.import_files import ReadUpload, read_stored_upload, vat_map_text
from coop.services.catalogue.import_results import (
    FieldChange,
    ImportPreview,
    ImportResult,
    MissingProduct,
    ProductChange,
    RowsRefused,
)
from coop.services.errors import ServiceError

# An upload nobody confirmed within this time is deleted at the next upload.
KEEP_UNCONFIRMED = timedelta(days=1)
# Rows written between two reports of progress, when progress is asked for.
BATCH_ROWS = 1000

# Told how many of the file's rows are written so far, and of how many.
OnProgress = Callable[[int, int], None]

ALREADY_IMPORTED = "This file has already been imported."
NEEDS_MAPPING = "Say which column of the file holds which field before importing it."
FOREIGN_VAT = "Say which UK VAT rate each of the file's other rates is before importing it."
CATALOGUE_CHANGED = (
    "The catalogue changed since you previewed this file; upload it again to see what it "
    "would change now."
)


def import_size_limit() -> int:
    """Return the largest catalogue file accepted, in bytes."""
    return int(current_app.config["CATALOGUE_IMPORT_MAX_BYTES"])


def import_size_label() -> str:
    """Return the size limit as people read it, e.g. "5 MB"."""
    limit = import_size_limit()
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{limit / 1024:.1f}".removesuffix(".0") + " KB"


def check_import_size(*, size: int) -> None:
    """Refuse a file of *size* bytes when it is over the limit; change nothing."""
    if size > import_size_limit():
        raise ServiceError(
            f"The file is larger than {import_size_label()}. Split it into smaller files, "
            "or leave out columns you do not need, and import each one.",
            field="file",
        )


def own_supplier_named(*, coop: Coop, name: str) -> Supplier:
    """Return the supplier called *name* whose catalogue *coop* keeps, or refuse."""
    supplier = db.session.scalar(
        select(Supplier).where(
            Supplier.coop_id == coop.id, func.lower(Supplier.name) == name.strip().lower()
        )
    )
    if supplier is None:
        raise ServiceError(
            f"{coop.name} has no supplier called '{name.strip()}' of its own; "
            "a catalogue can only be imported into a supplier the co-op keeps.",
            field="supplier",
        )
    return supplier


def _digest(rows: Sequence[tuple[int, ProductRow]]) -> str:
    """Fingerprint the catalogue as an import sees it (rows in id order)."""
    digest = hashlib.sha256()
    for product_id, row in rows:
        # Field values in a fixed order, not the row's repr, so the fingerprint
        # does not depend on how the dataclass is declared or printed.
        digest.update(repr((product_id, [getattr(row, name) for name in PRODUCT_FIELDS])).encode())
    return digest.hexdigest()


def _compare(
    rows: Sequence[ProductRow],
    provided: frozenset[str],
    current: Sequence[tuple[int, ProductRow]],
) -> tuple[list[ProductRow], list[ProductChange], int, list[MissingProduct]]:
    by_code = {row.code: (product_id, row) for product_id, row in current}
    by_lower = {row.code.lower(): (product_id, row) for product_id, row in reversed(current)}
    # A column the file does not have leaves that field as it is; the code
    # can differ only in letter case, and the file's spelling is the newer.
    compared = [name for name in PRODUCT_FIELDS if name in provided]
    additions: list[ProductRow] = []
    changes: list[ProductChange] = []
    unchanged = 0
    for row in rows:
        # An exact match first: codes stored before the rule ignored case may differ only so.
        found = by_code.get(row.code) or by_lower.get(row.code.lower())
        if found is None:
            additions.append(row)
            continue
        product_id, old = found
        fields = [
            FieldChange(name, getattr(old, name), getattr(row, name))
            for name in compared
            if getattr(old, name) != getattr(row, name)
        ]
        if fields:
            changes.append(ProductChange(product_id, old, row, fields))
        else:
            unchanged += 1
    in_file = {row.code.lower() for row in rows}
    missing = [
        MissingProduct(product_id, row)
        for product_id, row in current
        if row.available and row.code.lower() not in in_file
    ]
    missing.sort(key=lambda item: (item.row.name.lower(), item.row.code))
    return additions, changes, unchanged, missing


def _preview(
    stored: CatalogueImport,
    read: ReadUpload,
    current: Sequence[tuple[int, ProductRow]],
    digest: str,
) -> ImportPreview:
    table = read.table
    about: dict[str, Any] = {
        "import_id": stored.id,
        "filename": stored.filename,
        "mark_missing_unavailable": stored.mark_missing_unavailable,
        "stale": digest != stored.catalogue_digest,
        "kind": read.kind,
        "sheet": table.sheet,
        "sheet_names": tuple(table.sheet_names),
        "mapping": read.mapping,
        "header": tuple(table.header),
        "vat_map": read.vat_map,
    }
    parsed = read.parsed
    if parsed is None:
        empty: dict[str, Any] = {"additions": [], "changes": [], "missing": [], "errors": []}
        return ImportPreview(format=MAPPED, unchanged=0, needs_mapping=True, **empty, **about)
    additions, changes, unchanged, missing = _compare(parsed.rows, parsed.provided, current)
    return ImportPreview(
        format=parsed.format,
        additions=additions,
        changes=changes,
        unchanged=unchanged,
        missing=missing,
        errors=sorted(parsed.errors, key=lambda error: error.line),
        notes=dict(parsed.notes),
        unkept=tuple(parsed.unkept),
        foreign_vat_rates=tuple(parsed.foreign_vat_rates),
        **about,
    )


def _preview_now(stored: CatalogueImport, supplier: Supplier) -> ImportPreview:
    current = product_rows(supplier=supplier)
    return _preview(stored, read_stored_upload(stored), current, _digest(current))


def preview_import(
    *,
    supplier: Supplier,
    data: bytes,
    filename: str,
    mark_missing_unavailable: bool,
    uploaded_by: User | None,
    format: str = AUTO,
    sheet: str | None = None,
    vat_map: Mapping[int, int] | None = None,
    mapping: ColumnMapping | None = None,
) -> ImportPreview:
    """Store an uploaded catalogue file and say what importing it would change.

    *format* is "auto" (detected from the header) or one layout; *sheet* a
    workbook's sheet (the first when None); *vat_map* maps foreign VAT rates
    to UK ones; *mapping* reads the supplier's own columns (the supplier's
    saved mapping is used when none is given and it fits the header).
    """
    check_import_size(size=len(data))
    current = product_rows(supplier=supplier)
    digest = _digest(current)
    db.session.execute(
        delete(CatalogueImport).where(
            CatalogueImport.supplier_id == supplier.id,
            CatalogueImport.applied_at.is_(None),
            CatalogueImport.created_at < utcnow() - KEEP_UNCONFIRMED,
        )
    )
    stored = CatalogueImport(
        supplier_id=supplier.id,
        uploaded_by_id=uploaded_by.id if uploaded_by is not None else None,
        filename=filename[:255],
        content=data,
        format=MAPPED if mapping is not None else format,
        sheet=sheet or "",
        vat_map=vat_map_text(vat_map or {}),
        mapping=mapping.to_json() if mapping is not None else "",
        mark_missing_unavailable=mark_missing_unavailable,
        catalogue_digest=digest,
    )
    stored.supplier = supplier
    read = read_stored_upload(stored)
    if read.parsed is not None and read.mapping is not None:
        # The supplier's saved mapping is kept on the upload, so the
        # confirmation reads the file as it was previewed.
        stored.mapping = read.mapping.to_json()
    if read.table.sheet:
        stored.sheet = read.table.sheet
    db.session.add(stored)
    db.session.flush()
    return _preview(stored, read, current, digest)


def stored_import(*, supplier: Supplier, import_id: int) -> CatalogueImport | None:
    """Return the stored upload *import_id* of *supplier*, or None."""
    return db.session.scalar(
        select(CatalogueImport).where(
            CatalogueImport.id == import_id, CatalogueImport.supplier_id == supplier.id
        )
    )


def preview_stored_import(*, catalogue_import: CatalogueImport) -> ImportPreview:
    """Say what confirming a stored upload would change now; change nothing."""
    if catalogue_import.applied_at is not None:
        return ImportPreview(
            import_id=catalogue_import.id,
            filename=catalogue_import.filename,
            format="",
            mark_missing_unavailable=catalogue_import.mark_missing_unavailable,
            additions=[],
            changes=[],
            unchanged=0,
            missing=[],
            errors=[],
            applied_at=catalogue_import.applied_at,
        )
    return _preview_now(catalogue_import, catalogue_import.supplier)


def import_line_count(*, catalogue_import: CatalogueImport) -> int:
    """Return about how many rows a stored upload has: its lines, or rows, after the header."""
    if catalogue_import.content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        try:
            return len(read_stored_upload(catalogue_import).table.rows)
        except ServiceError:
            return 0
    lines = sum(1 for line in catalogue_import.content.splitlines() if line.strip())
    return max(0, lines - 1)


def apply_import(
    *,
    import_id: int,
    supplier: Supplier,
    user: User | None,
    on_progress: OnProgress | None = None,
) -> ImportResult:
    """Write a previewed file into *supplier*'s catalogue, all of it or, on refusal, nothing.

    With *on_progress*, the rows are written in batches and it is told after each.
    """
    stored = stored_import(supplier=supplier, import_id=import_id)
    if stored is None:
        raise ServiceError("There is no such upload; upload the file again.")
    if stored.applied_at is not None:
        raise ServiceError(ALREADY_IMPORTED)
    read = read_stored_upload(stored)
    parsed = read.parsed
    if parsed is None:
        raise ServiceError(NEEDS_MAPPING, field="mapping")
    if parsed.foreign_vat_rates:
        raise ServiceError(FOREIGN_VAT, field="vat_map")
    if parsed.errors:
        raise RowsRefused(
            "Some rows of the file have errors, so nothing was imported. "
            "Correct them and upload the file again.",
            rows=parsed.errors,
        )
    current = product_rows(supplier=supplier)
    if _digest(current) != stored.catalogue_digest:
        raise ServiceError(CATALOGUE_CHANGED)
    now = utcnow()
    # Claiming the upload with a conditional UPDATE makes two confirmations at
    # once safe: the second waits for the first and then finds it applied. The
    # file itself is no longer needed once written.
    claimed = db.session.execute(
        update(CatalogueImport)
        .where(CatalogueImport.id == stored.id, CatalogueImport.applied_at.is_(None))
        .values(applied_at=now, content=b"")
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise ServiceError(ALREADY_IMPORTED)
    if parsed.format == MAPPED and read.mapping is not None:
        # Next week's price list of the same columns then imports in one step.
        supplier.column_mapping = read.mapping.to_json()
    return apply_rows(
        supplier=supplier,
        rows=parsed.rows,
        provided=parsed.provided,
        mark_missing_unavailable=stored.mark_missing_unavailable,
        user=user,
        reason="import",
        current=current,
        now=now,
        on_progress=on_progress,
    )


def _batches(items: Sequence[Any], size: int | None) -> list[Sequence[Any]]:
    """Cut *items* into batches of *size* (all in one when None); none when empty."""
    if not items:
        return []
    if size is None:
        return [items]
    return [items[start : start + size] for start in range(0, len(items), size)]


def apply_rows(
    *,
    supplier: Supplier,
    rows: Sequence[ProductRow],
    mark_missing_unavailable: bool,
    user: User | None,
    reason: str,
    provided: frozenset[str] = frozenset(PRODUCT_FIELDS),
    current: Sequence[tuple[int, ProductRow]] | None = None,
    now: datetime | None = None,
    on_progress: OnProgress | None = None,
) -> ImportResult:
    """Write checked *rows* into *supplier*'s catalogue, matching products by code.

    New codes are added, products that differ are changed (only the fields
    in *provided*), price changes are recorded with *reason*, and, when
    asked, products the rows leave out are marked unavailable. *current*
    is the catalogue as the caller already read it (read now when None).
    With *on_progress*, each statement is run in batches of `BATCH_ROWS`
    rows and it is told, after each batch, how many rows are written.
    """
    if current is None:
        current = product_rows(supplier=supplier)
    now = now or utcnow()
    additions, changes, unchanged, missing = _compare(rows, provided, current)
    size = BATCH_ROWS if on_progress is not None else None
    total = len(rows)
    done = unchanged

    def advanced(count: int) -> None:
        nonlocal done
        done += count
        if on_progress is not None:
            on_progress(done, total)

    for batch in _batches(additions, size):
        db.session.execute(
            insert(Product),
            [{**row.values(), "supplier_id": supplier.id} for row in batch],
        )
        advanced(len(batch))
    # Every row carries the same keys, so the UPDATE is one statement run many times.
    written = sorted({change.field for item in changes for change in item.fields})
    for batch in _batches(changes, size):
        db.session.execute(
            update(Product),
            [
                {
                    "id": item.product_id,
                    **{name: getattr(item.new, name) for name in written},
                    "updated_at": now,
                }
                for item in batch
            ],
        )
        _record_prices(batch, user=user, reason=reason, now=now)
        advanced(len(batch))
    unavailable = missing if mark_missing_unavailable else []
    if unavailable:
        db.session.execute(
            update(Product),
            [
                {"id": item.product_id, "available": False, "updated_at": now}
                for item in unavailable
            ],
        )
    # The bulk statements bypass whatever this session had loaded.
    db.session.expire_all()
    return ImportResult(
        added=len(additions),
        changed=len(changes),
        price_changes=sum(1 for item in changes if item.price_changed),
        marked_unavailable=len(unavailable),
    )


def _record_prices(
    changes: Sequence[ProductChange], *, user: User | None, reason: str, now: datetime
) -> None:
    """Record the price history of those *changes* that change a price or VAT rate."""
    priced = [item for item in changes if item.price_changed]
    if priced:
        db.session.execute(
            insert(PriceChange),
            [
                {
                    "product_id": item.product_id,
                    "changed_by_id": user.id if user is not None else None,
                    "changed_at": now,
                    "old_case_price_pence": item.old.case_price_pence,
                    "new_case_price_pence": _new(item, "case_price_pence"),
                    "old_vat_bp": item.old.vat_bp,
                    "new_vat_bp": _new(item, "vat_bp"),
                    "reason": reason,
                }
                for item in priced
            ],
        )


def _new(item: ProductChange, name: str) -> object:
    """Return the value a change leaves in *name*: the file's when it changes it."""
    for change in item.fields:
        if change.field == name:
            return change.new
    return getattr(item.old, name)
