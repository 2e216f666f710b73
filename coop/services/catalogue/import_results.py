"""What a catalogue import would change, and what it wrote: the preview's and result's shapes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from coop.domain.catalogue_csv import ProductRow, RowError
from coop.domain.catalogue_files.mapped import ColumnMapping
from coop.services.catalogue.import_files import FORMAT_LABELS, KIND_LABELS
from coop.services.errors import ServiceError

FIELD_LABELS = {
    "code": "Code",
    "name": "Name",
    "description": "Description",
    "category": "Category",
    "tag_bits": "Tags",
    "unit_label": "Unit",
    "case_size": "Case size",
    "case_price_pence": "Case price",
    "vat_bp": "VAT",
    "deposit_pence": "Deposit",
    "origin": "Origin",
    "manufacturer": "Manufacturer",
    "reference_price_pence": "Reference price",
    "reference_price_date": "Reference price date",
    "reference_price_source": "Reference price source",
    "available": "Available",
}


@dataclass(frozen=True)
class FieldChange:
    """One field of a product the file changes: its old and new value."""

    field: str
    old: object
    new: object

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.field]


class RowsRefused(ServiceError):
    """The file has rows with errors, so nothing was imported; *rows* says which."""

    def __init__(self, message: str, *, rows: Sequence[RowError]) -> None:
        super().__init__(message)
        self.rows = sorted(rows, key=lambda error: error.line)


@dataclass(frozen=True)
class ProductChange:
    """A product already in the catalogue that the file changes."""

    product_id: int
    old: ProductRow
    new: ProductRow
    fields: list[FieldChange]

    @property
    def price_changed(self) -> bool:
        return any(change.field in ("case_price_pence", "vat_bp") for change in self.fields)


@dataclass(frozen=True)
class MissingProduct:
    """An available product of the catalogue that the file leaves out."""

    product_id: int
    row: ProductRow


@dataclass(frozen=True)
class ImportPreview:
    """What importing a stored file would do to the catalogue as it is now."""

    import_id: int
    filename: str
    format: str
    mark_missing_unavailable: bool
    additions: list[ProductRow]
    changes: list[ProductChange]
    unchanged: int
    missing: list[MissingProduct]
    errors: list[RowError]
    stale: bool = False
    applied_at: datetime | None = None
    #: What kind of file it is ("csv", "xlsx", "xls", "ods"), its sheet and the workbook's sheets.
    kind: str = "csv"
    sheet: str | None = None
    sheet_names: tuple[str, ...] = ()
    #: The layout is unknown and no mapping fits: the preview asks for one (*mapping* is a guess).
    needs_mapping: bool = False
    mapping: ColumnMapping | None = None
    header: tuple[str, ...] = ()
    #: Per line, how a value was converted; the file's columns coop does not keep.
    notes: dict[int, str] = field(default_factory=dict)
    unkept: tuple[str, ...] = ()
    #: VAT rates that are not UK ones, still to map, and those already mapped.
    foreign_vat_rates: tuple[int, ...] = ()
    vat_map: dict[int, int] = field(default_factory=dict)

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def ready(self) -> bool:
        """Whether confirming could write: the columns are known and every VAT rate is mapped."""
        return not self.needs_mapping and not self.foreign_vat_rates

    @property
    def row_count(self) -> int:
        return len(self.additions) + len(self.changes) + self.unchanged + len(self.errors)

    @property
    def price_changes(self) -> int:
        return sum(1 for change in self.changes if change.price_changed)

    @property
    def to_mark_unavailable(self) -> int:
        return len(self.missing) if self.mark_missing_unavailable else 0

    @property
    def changes_anything(self) -> bool:
        return bool(self.additions or self.changes or self.to_mark_unavailable)


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    added: int
    changed: int
    price_changes: int
    marked_unavailable: int
