"""A supplier's catalogue as a file, and as the rows an import compares with.

A catalogue downloads in four formats (`EXPORT_FORMATS`):

- ``coop``: coop's own CSV, which imports back unchanged;
- ``foodsoft``: Foodsoft's article CSV layout
  (`coop.domain.catalogue_files.write_foodsoft`), for a Foodsoft co-op to
  import, written without a byte-order mark since Foodsoft matches its
  first header cell as it is: Foodsoft 5's layout;
- ``foodsoft4``: Foodsoft 4's layout, which Foodsoft 4 reads by position
  (`coop.domain.catalogue_files.write_foodsoft_4`);
- ``xlsx``: an Excel workbook of one sheet with the columns of coop's CSV
  in the same order. Prices are numbers (an exact `Decimal` from the pence,
  never a float) shown to two decimals, the VAT rate a number, the case
  size a whole number, the reference price's date a date; every other
  cell is text, written as text, so a name beginning with "=" is never a
  formula (and no apostrophe is put before it, as the CSV needs). An
  empty field is an empty cell. It imports back unchanged.

Every format lists the products by category, name and code.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from sqlalchemy import func, select

from coop.domain.catalogue import bits_to_tags
from coop.domain.catalogue_csv import COLUMNS, PRODUCT_FIELDS, ProductRow, write_catalogue
from coop.domain.catalogue_files import write_foodsoft, write_foodsoft_4
from coop.domain.spreadsheets import file_slug, protect_formula
from coop.extensions import db
from coop.models import Coop, Product, Supplier
from coop.services.catalogue.products import visible_to
from coop.services.errors import ServiceError

_COLUMNS = [getattr(Product, name) for name in PRODUCT_FIELDS]

COOP = "coop"
FOODSOFT = "foodsoft"
FOODSOFT_4 = "foodsoft4"
XLSX = "xlsx"


@dataclass(frozen=True)
class ExportFormat:
    """One way a catalogue downloads: its name, label, file name ending and content type."""

    name: str
    label: str
    suffix: str
    content_type: str


EXPORT_FORMATS = {
    COOP: ExportFormat(COOP, "CSV", "catalogue.csv", "text/csv; charset=utf-8"),
    FOODSOFT: ExportFormat(
        FOODSOFT, "Foodsoft 5 CSV", "catalogue-foodsoft.csv", "text/csv; charset=utf-8"
    ),
    FOODSOFT_4: ExportFormat(
        FOODSOFT_4, "Foodsoft 4 CSV", "catalogue-foodsoft4.csv", "text/csv; charset=utf-8"
    ),
    XLSX: ExportFormat(
        XLSX,
        "Excel (.xlsx)",
        "catalogue.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}

#: How the workbook shows money and dates.
POUNDS_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
_MONEY_COLUMNS = frozenset({"case_price", "deposit", "reference_price"})


def product_rows(*, supplier: Supplier) -> list[tuple[int, ProductRow]]:
    """Return each of *supplier*'s products as a file row, with its id, in id order.

    One query of plain columns: an import of 20,000 rows compares against
    these, so no ORM objects are built.
    """
    result = db.session.execute(
        select(Product.id, *_COLUMNS).where(Product.supplier_id == supplier.id).order_by(Product.id)
    )
    return [
        (product_id, ProductRow(line=0, **dict(zip(PRODUCT_FIELDS, values, strict=True))))
        for product_id, *values in result
    ]


def catalogue_supplier_named(*, coop: Coop, name: str) -> Supplier:
    """Return the supplier called *name* in *coop*'s catalogue, or refuse.

    Its own supplier of that name first, else one it subscribes to: a
    shared catalogue downloads as well as an own one.
    """
    found = db.session.scalars(
        select(Supplier)
        .where(visible_to(coop), func.lower(Supplier.name) == name.strip().lower())
        .order_by((Supplier.coop_id == coop.id).desc(), Supplier.id)
    ).first()
    if found is None:
        raise ServiceError(
            f"{coop.name} has no supplier called '{name.strip()}' in its catalogue.",
            field="supplier",
        )
    return found


def listed_rows(*, supplier: Supplier) -> list[ProductRow]:
    """Return *supplier*'s products as file rows, by category, name and code."""
    return sorted(
        (row for _, row in product_rows(supplier=supplier)),
        key=lambda row: (row.category.lower(), row.name.lower(), row.code),
    )


def export_catalogue(*, supplier: Supplier) -> str:
    """Return *supplier*'s catalogue in the project's CSV format, by category and name."""
    return write_catalogue(listed_rows(supplier=supplier))


def export_foodsoft(*, supplier: Supplier, version: int = 5) -> str:
    """Return *supplier*'s catalogue in Foodsoft's article CSV layout, of Foodsoft 5 or 4."""
    write = write_foodsoft_4 if version == 4 else write_foodsoft
    return write(listed_rows(supplier=supplier))


def pounds(pence: int) -> Decimal:
    """Return *pence* as an exact amount of pounds: 1250 -> Decimal("12.50")."""
    return Decimal(pence).scaleb(-2)


def _percent(bp: int) -> int | Decimal:
    whole, rest = divmod(bp, 100)
    return Decimal(bp).scaleb(-2).normalize() if rest else whole


def _cells(row: ProductRow) -> list[object]:
    """The row's values in the order of `COLUMNS`; None for an empty cell."""
    money = (row.case_price_pence, row.deposit_pence, row.reference_price_pence)
    case_price, deposit, reference = (None if pence is None else pounds(pence) for pence in money)
    return [
        row.code,
        row.name,
        row.description,
        row.category,
        "|".join(tag.slug for tag in bits_to_tags(row.tag_bits)),
        row.unit_label,
        row.case_size,
        case_price,
        _percent(row.vat_bp),
        deposit,
        row.origin,
        row.manufacturer,
        reference,
        row.reference_price_date,
        row.reference_price_source,
        "yes" if row.available else "no",
    ]


def _styled(sheet: object, column: str, value: object) -> WriteOnlyCell | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.startswith("'"):
        # An import takes one apostrophe off text such as "'=x" (see
        # `coop.domain.spreadsheets`), so such text gets one more here.
        value = protect_formula(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text: never a formula
    elif column in _MONEY_COLUMNS:
        cell.number_format = POUNDS_FORMAT
    elif column == "reference_price_date":
        cell.number_format = DATE_FORMAT
    return cell


def write_workbook(rows: Iterable[ProductRow], *, title: str = "Catalogue") -> bytes:
    """Return *rows* as the bytes of an .xlsx workbook with the columns of coop's CSV.

    Written in openpyxl's write-only mode, row by row, so 20,000 rows take
    seconds and little memory.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "Catalogue")
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column)
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(
            [
                _styled(sheet, column, value)
                for column, value in zip(COLUMNS, _cells(row), strict=True)
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_workbook(*, supplier: Supplier) -> bytes:
    """Return *supplier*'s catalogue as an .xlsx workbook (see `write_workbook`)."""
    return write_workbook(listed_rows(supplier=supplier))


def export_format(name: str) -> ExportFormat:
    """Return the export format called *name*, or refuse naming those there are."""
    found = EXPORT_FORMATS.get(name.strip().lower())
    if found is None:
        raise ServiceError(
            f"There is no export format '{name}'; choose one of {', '.join(EXPORT_FORMATS)}.",
            field="format",
        )
    return found


def export_file(*, supplier: Supplier, format: str = COOP) -> str | bytes:
    """Return *supplier*'s catalogue in *format*: text for the CSV formats, bytes for xlsx."""
    name = export_format(format).name
    if name == XLSX:
        return export_workbook(supplier=supplier)
    if name == FOODSOFT:
        return export_foodsoft(supplier=supplier)
    if name == FOODSOFT_4:
        return export_foodsoft(supplier=supplier, version=4)
    return export_catalogue(supplier=supplier)


def export_filename(*, supplier: Supplier, format: str = COOP) -> str:
    """Return a file name for *supplier*'s catalogue, e.g. ``greens-wholesale-catalogue.csv``.

    ``greens-wholesale-catalogue-foodsoft.csv`` in Foodsoft's layout and
    ``greens-wholesale-catalogue.xlsx`` as a workbook.
    """
    return f"{file_slug(supplier.name, limit=60) or 'supplier'}-{export_format(format).suffix}"
