"""Catalogue files in every layout coop reads: one entry point for them all.

A file is first read into a `Table` (CSV here, spreadsheets in the
services); `detect_format` names its layout from the header and
`parse_table` reads it into a `ParsedCatalogue`. `write_foodsoft` writes a
catalogue in Foodsoft's article CSV layout. How each layout is read is
said in its module: `foodsoft` (units, cases, deposits, VAT), `ofn`,
`mapped`; coop's own is `coop.domain.catalogue_csv`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from coop.domain import catalogue_csv as _csv
from coop.domain.catalogue_csv import FileProblem, ParsedCatalogue, ProductRow, RowError
from coop.domain.catalogue_files import foodsoft, ofn
from coop.domain.catalogue_files.mapped import ColumnMapping, parse_mapped
from coop.domain.catalogue_files.tables import Table

COOP = "coop"
FOODSOFT = "foodsoft"
OFN = "ofn"
MAPPED = "mapped"
FORMATS = (COOP, FOODSOFT, OFN, MAPPED)
AUTO = "auto"

__all__ = [
    "FORMATS",
    "ColumnMapping",
    "FileProblem",
    "ParsedCatalogue",
    "Table",
    "detect_format",
    "parse_table",
    "write_foodsoft",
]

UNKNOWN_LAYOUT = (
    "The columns of this file are not a layout coop knows (coop's own, Foodsoft's or "
    "Open Food Network's). Map the columns: say which one holds the code, the name, "
    "the price and so on."
)


def detect_format(table: Table) -> str | None:
    """Name the layout of *table* from its header; None when it is none coop knows.

    Foodsoft's are known by their column names at each position (English,
    German or Dutch, Foodsoft 4 or 5, or the older fixed-column layout),
    coop's by its required columns, Open Food Network's by its template's.
    """
    header = [cell.strip() for cell in table.header]
    if foodsoft.detect(header) is not None:
        return FOODSOFT
    lowered = {cell.lower() for cell in header}
    if all(column in lowered for column in _csv.REQUIRED):
        return COOP
    if ofn.detect(header):
        return OFN
    return None


def parse_table(
    table: Table,
    *,
    format: str = AUTO,
    vat_map: Mapping[int, int] | None = None,
    mapping: ColumnMapping | None = None,
) -> ParsedCatalogue:
    """Read *table* in *format* ("auto": detected from the header, else *mapping*).

    Raises `FileProblem` when the layout is unknown and no *mapping* is
    given, saying to map the columns. *vat_map* maps a foreign VAT rate
    (percent) to a UK one for the whole file; a foreign rate it does not map
    leaves the row at 0% with a note and is listed in
    `ParsedCatalogue.foreign_vat_rates`: the rows are not refused, but a
    file with any such rate must not be confirmed until it is mapped.
    """
    kind = format
    if kind == AUTO:
        kind = detect_format(table) or MAPPED
    if kind not in FORMATS:
        raise FileProblem(f"'{format}' is not a format coop reads: use " + ", ".join(FORMATS) + ".")
    if kind == MAPPED:
        if mapping is None:
            raise FileProblem(UNKNOWN_LAYOUT)
        return parse_mapped(table, mapping, vat_map=vat_map)
    if kind == FOODSOFT:
        layout = foodsoft.detect(table.header)
        if layout is None:
            raise FileProblem(
                "This file is not in a layout of Foodsoft's article files. " + UNKNOWN_LAYOUT
            )
        return foodsoft.parse(table, layout, vat_map=vat_map)
    if kind == OFN:
        if not ofn.detect(table.header):
            raise FileProblem(
                "This file lacks the columns of Open Food Network's product import "
                "(name, units, unit_type or variant_unit_name, price). " + UNKNOWN_LAYOUT
            )
        return ofn.parse(table)
    return _read_rows(table)


def _read_rows(table: Table) -> ParsedCatalogue:
    """coop's own format, through the CSV reader's row rules."""
    header = [cell.strip().lower() for cell in table.header]
    missing = [column for column in _csv.REQUIRED if column not in header]
    if missing:
        raise FileProblem(
            "The header row lacks the column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing)
            + ". "
            + UNKNOWN_LAYOUT
        )
    provided = {_csv.OWN_FIELDS[c] for c in header if c in _csv.OWN_FIELDS}
    rows: list[ProductRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, record in table.rows:
        if not any(str(cell).strip() for cell in record):
            continue
        problems: list[str] = []
        cells = dict(zip(header, (str(cell).strip() for cell in record), strict=False))
        row = _csv._own_row(line, cells, problems)
        if not problems:
            earlier = seen.setdefault(row.code.lower(), line)
            if earlier != line:
                problems.append(f"the code '{row.code}' is already used on line {earlier}")
        if problems:
            message = "; ".join(problems)
            errors.append(RowError(line, message[0].upper() + message[1:] + "."))
        else:
            rows.append(row)
    return ParsedCatalogue(
        COOP,
        rows,
        errors,
        frozenset(provided),
        unkept=tuple(c for c in table.header if c and c.strip().lower() not in _csv.OWN_FIELDS),
        sheet_names=tuple(table.sheet_names),
        table_header=tuple(table.header),
    )


def write_foodsoft(rows: Iterable[ProductRow]) -> str:
    """Write *rows* in Foodsoft 5's article CSV layout (see `foodsoft.write`)."""
    return foodsoft.write(rows)


def write_foodsoft_4(rows: Iterable[ProductRow]) -> str:
    """Write *rows* in Foodsoft 4's article CSV layout (see `foodsoft.write_4`)."""
    return foodsoft.write_4(rows)
