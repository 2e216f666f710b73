"""Reading a stored catalogue upload with the choices the coordinator made on its preview.

An upload is read (`coop.services.catalogue.spreadsheets`) into a table and
its layout detected from the header. A layout coop does not know is read
through a column mapping: the one chosen on the preview, else the
supplier's saved one while it fits the file's header; without either the
preview asks for one, offering a guess from the header words. The choices
are kept on the upload (`CatalogueImport.format`, `sheet`, `vat_map`,
`mapping`), so the confirmation reads the file exactly as it was
previewed; the mapping is saved on the supplier when the import is
confirmed, so next week's list of the same columns imports in one step.

Foreign VAT rates (a Foodsoft file's 7 or 19%) are mapped once for the
whole file, to 0, 5 or 20%, and kept as text such as ``7=5,19=20``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from coop.domain.catalogue_csv import FileProblem, ParsedCatalogue, RowError
from coop.domain.catalogue_files import AUTO, FORMATS, MAPPED, detect_format, parse_table
from coop.domain.catalogue_files.mapped import (
    UK_VAT_PERCENT,
    ColumnMapping,
    guess_mapping,
    mapping_problems,
)
from coop.domain.catalogue_files.tables import Table
from coop.models import CatalogueImport
from coop.services.catalogue.spreadsheets import CSV, Upload, read_file
from coop.services.errors import ServiceError

FORMAT_LABELS = {
    "coop": "coop CSV",
    "foodsoft": "Foodsoft article CSV",
    "ofn": "Open Food Network product import",
    MAPPED: "the supplier's own columns, mapped",
}
KIND_LABELS = {
    CSV: "CSV",
    "xlsx": "Excel workbook (.xlsx)",
    "xls": "Excel 97-2003 (.xls)",
    "ods": "OpenDocument spreadsheet (.ods)",
}
#: How many of the file's first rows the mapping step shows.
SAMPLE_ROWS = 5


class MappingRefused(ServiceError):
    """The chosen column mapping does not fit the file; *problems* says why, by field."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__(
            "The columns are not mapped yet: " + " ".join(problems.values()), field="mapping"
        )
        self.problems = dict(problems)


@dataclass(frozen=True)
class ReadUpload:
    """A stored upload as read with its choices.

    *parsed* is None when the layout is unknown and no mapping fits: then
    *mapping* is the guess the mapping step offers; otherwise it is the
    mapping the file was read through (None for a known layout).
    """

    table: Table
    kind: str
    parsed: ParsedCatalogue | None
    mapping: ColumnMapping | None
    vat_map: dict[int, int]

    @property
    def needs_mapping(self) -> bool:
        return self.parsed is None


def parse_vat_map(text: str) -> dict[int, int]:
    """Read ``7=5,19=20`` into {7: 5, 19: 20}, or refuse what is not that."""
    found: dict[int, int] = {}
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        left, sep, right = part.partition("=")
        try:
            rate, uk = int(left.strip().removesuffix("%")), int(right.strip().removesuffix("%"))
        except ValueError:
            raise ServiceError(
                f"'{part.strip()}' is not a VAT rate mapped to a UK one, such as 7=5.",
                field="vat_map",
            ) from None
        if not sep or uk not in UK_VAT_PERCENT or rate < 0 or rate > 100:
            raise ServiceError(
                f"'{part.strip()}': a rate maps to 0, 5 or 20 per cent, such as 7=5.",
                field="vat_map",
            )
        found[rate] = uk
    return found


def vat_map_text(vat_map: Mapping[int, int]) -> str:
    return ",".join(f"{rate}={vat_map[rate]}" for rate in sorted(vat_map))


def _fits(mapping: ColumnMapping | None, header: Sequence[str]) -> bool:
    return mapping is not None and mapping.fits(header)


def read_upload_as_chosen(
    data: bytes, *, format: str, sheet: str, vat_map: str, mapping: str, saved_mapping: str
) -> ReadUpload:
    """Read an upload with the choices kept on it and the supplier's saved mapping.

    Raises `ServiceError` (field "file") when the file as a whole cannot be read.
    """
    chosen = ColumnMapping.from_json(mapping)
    saved = ColumnMapping.from_json(saved_mapping)
    rates = parse_vat_map(vat_map)

    def recognise(cells: Sequence[str]) -> bool:
        if format not in (AUTO, MAPPED):
            return False
        known = format == AUTO and detect_format(Table(1, list(cells), [])) is not None
        return known or _fits(chosen, cells) or _fits(saved, cells)

    try:
        upload = read_file(data, sheet=sheet or None, recognise=recognise)
        return _parse(upload, format, rates, chosen, saved)
    except FileProblem as problem:
        raise ServiceError(str(problem), field="file") from None


def _parse(
    upload: Upload,
    format: str,
    rates: dict[int, int],
    chosen: ColumnMapping | None,
    saved: ColumnMapping | None,
) -> ReadUpload:
    table = upload.table
    known = format in FORMATS and format != MAPPED
    if format == AUTO and detect_format(table) is not None:
        known = True
    used: ColumnMapping | None = None
    if known:
        parsed = parse_table(table, format=format, vat_map=rates)
    else:
        used = next((m for m in (chosen, saved) if _fits(m, table.header)), None)
        if used is None:
            return ReadUpload(table, upload.kind, None, guess_mapping(table.header), rates)
        parsed = parse_table(table, format=MAPPED, vat_map=rates, mapping=used)
    if upload.cell_errors:
        errors: list[RowError] = sorted(
            [*parsed.errors, *upload.cell_errors], key=lambda error: error.line
        )
        parsed = replace(parsed, errors=errors)
    return ReadUpload(table, upload.kind, parsed, used, rates)


def read_stored_upload(catalogue_import: CatalogueImport) -> ReadUpload:
    """Read a stored upload with the choices made on its preview."""
    return read_upload_as_chosen(
        catalogue_import.content,
        format=catalogue_import.format or AUTO,
        sheet=catalogue_import.sheet,
        vat_map=catalogue_import.vat_map,
        mapping=catalogue_import.mapping,
        saved_mapping=catalogue_import.supplier.column_mapping,
    )


def sample_rows(table: Table) -> list[tuple[int, list[str]]]:
    """The first rows of the file with a cell, as the mapping step shows them."""
    return [(line, cells) for line, cells in table.rows if any(c.strip() for c in cells)][
        :SAMPLE_ROWS
    ]


def sample_import(
    table: Table, mapping: ColumnMapping, vat_map: Mapping[int, int]
) -> ParsedCatalogue:
    """Read the first rows of *table* through *mapping*, to show them as they would import."""
    head = replace(table, rows=sample_rows(table))
    return parse_table(head, format=MAPPED, vat_map=vat_map, mapping=mapping)


def choose_sheet(*, catalogue_import: CatalogueImport, sheet: str) -> None:
    """Read another sheet of a workbook upload; its mapping is chosen again when needed."""
    _not_applied(catalogue_import)
    read = read_upload_as_chosen(
        catalogue_import.content,
        format=catalogue_import.format or AUTO,
        sheet=sheet,
        vat_map="",
        mapping="",
        saved_mapping="",
    )
    if sheet not in read.table.sheet_names:
        raise ServiceError("Choose one of the workbook's sheets.", field="sheet")
    catalogue_import.sheet = sheet
    if not _fits(ColumnMapping.from_json(catalogue_import.mapping), read.table.header):
        catalogue_import.mapping = ""


def choose_vat_map(*, catalogue_import: CatalogueImport, vat_map: Mapping[int, int]) -> None:
    """Map the file's foreign VAT rates to UK ones, for every row of the file."""
    _not_applied(catalogue_import)
    for rate, uk in vat_map.items():
        if uk not in UK_VAT_PERCENT:
            raise ServiceError(f"Map {rate}% to 0, 5 or 20%.", field="vat_map")
    catalogue_import.vat_map = vat_map_text(vat_map)


def choose_mapping(*, catalogue_import: CatalogueImport, mapping: ColumnMapping) -> None:
    """Read the upload through *mapping*, or refuse it with what is wrong, by field."""
    _not_applied(catalogue_import)
    read = read_stored_upload(catalogue_import)
    problems = mapping_problems(mapping, read.table.header)
    if problems:
        raise MappingRefused(problems)
    catalogue_import.format = MAPPED
    catalogue_import.mapping = mapping.to_json()


def _not_applied(catalogue_import: CatalogueImport) -> None:
    if catalogue_import.applied_at is not None:
        raise ServiceError("This file has already been imported.")
