"""Catalogue files in every layout coop reads: one entry point for them all.

A file is first read into a `Table` (CSV here, spreadsheets in the
services); `detect_format` names its layout from the header and
`parse_table` reads it into a `ParsedCatalogue`. `write_foodsoft` writes a
catalogue in Foodsoft's article CSV layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from coop.domain import catalogue_csv as _csv
from coop.domain.catalogue_csv import FileProblem, ParsedCatalogue, ProductRow, RowError
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
    """Name the layout of *table* from its header; None when it is none coop knows."""
    header = [cell.strip() for cell in table.header]
    if (header and header[0].lower() == "avail.") or "Order number" in header:
        return FOODSOFT
    lowered = {cell.lower() for cell in header}
    if all(column in lowered for column in _csv.REQUIRED):
        return COOP
    return None


def parse_table(
    table: Table,
    *,
    format: str = AUTO,
    vat_map: Mapping[int, int] | None = None,
    mapping: ColumnMapping | None = None,
) -> ParsedCatalogue:
    """Read *table* in *format* (detected from the header by default).

    Raises `FileProblem` when the layout is unknown and no *mapping* is given.
    """
    kind = format
    if kind == AUTO:
        kind = detect_format(table) or (MAPPED if mapping is not None else "")
    if kind == MAPPED or (not kind and mapping is not None):
        if mapping is None:
            raise FileProblem(UNKNOWN_LAYOUT)
        return parse_mapped(table, mapping, vat_map=vat_map)
    if kind not in FORMATS or not kind:
        raise FileProblem(UNKNOWN_LAYOUT)
    return _read_rows(table, kind)


def _read_rows(table: Table, kind: str) -> ParsedCatalogue:
    # The first cut: the CSV readers, fed the table's rows.
    header = [cell.strip() for cell in table.header]
    if kind == COOP:
        header = [cell.lower() for cell in header]
        fields = {_csv.OWN_FIELDS[c] for c in header if c in _csv.OWN_FIELDS}
        convert = _csv._own_row
    else:
        fields = {"code"} | {_csv.FOODSOFT_FIELDS[c] for c in header if c in _csv.FOODSOFT_FIELDS}
        convert = _csv._foodsoft_row
    rows: list[ProductRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, record in table.rows:
        if not any(cell.strip() for cell in record):
            continue
        problems: list[str] = []
        row = convert(line, dict(zip(header, map(str.strip, record), strict=False)), problems)
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
        kind,
        rows,
        errors,
        frozenset(fields),
        sheet_names=table.sheet_names,
        table_header=tuple(table.header),
    )


def write_foodsoft(rows: Iterable[ProductRow]) -> str:
    """Write *rows* in Foodsoft's article CSV layout."""
    raise NotImplementedError
