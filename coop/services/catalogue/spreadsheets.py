"""Reading an uploaded price list, CSV or spreadsheet, into a `Table` of text cells.

The kind of file is told by its content, never its name: a zip holding
``xl/workbook.xml`` is .xlsx, one whose ``mimetype`` entry names an
OpenDocument spreadsheet is .ods, an OLE2 compound file is .xls, and
anything else is text read as CSV. A web page saved with a spreadsheet's
name (as some wholesalers' "Export to Excel" buttons do) is refused with a
message saying so. Spreadsheets are read with python-calamine.

A zip is checked before calamine opens it, from the sizes its directory
declares, without unpacking anything: more than `MAX_UNPACKED` bytes in
all, more than `MAX_ENTRIES` entries, or an entry of more than
`RATIO_FLOOR` bytes that is over `MAX_RATIO` times smaller packed, is
refused as a possible zip bomb.

Cells become text as the spreadsheet stores them: a number is the
shortest decimal that is the same number (a cell of 1.2 is "1.2", 20.0 is
"20", never 1.19999…), a date is ``YYYY-MM-DD`` (with `` HH:MM`` when it
has a time of day), true and false are "yes" and "no". Row numbers are the
spreadsheet's own, so a refused row is named as the coordinator sees it.

The header is the first row, within the first `HEADER_SEARCH` rows, that
*recognise* accepts (a known layout's header, or one the supplier's saved
column mapping fits); without one, or when no row is accepted, it is the
first row with at least two filled cells, most of them text, and at least
half as many filled cells as the fullest of those rows: a title ("Price
list, November") and a line such as "Prices ex VAT" above it are skipped.

A cell whose formula evaluates to an error (``#DIV/0!``, ``#N/A``...) is
found in .xlsx and .ods files and its row refused with the cell named;
calamine reads such a cell as empty, and in an .xls file it stays empty
(a missing price or name is then refused as missing). Merged cells in the
header row are refused, naming them, since a merged heading leaves
columns without a name (.xlsx and .xls say where cells are merged; .ods
files do not through calamine).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook

from coop.domain.catalogue_csv import FileProblem, RowError, decode
from coop.domain.catalogue_files.tables import Table, csv_table, heading

XLSX = "xlsx"
XLS = "xls"
ODS = "ods"
CSV = "csv"

MAX_UNPACKED = 100 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
HEADER_SEARCH = 30

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

NOT_A_SPREADSHEET = (
    "The file is a zip archive but not a spreadsheet. Upload the price list as "
    ".xlsx, .xls, .ods or CSV."
)
WEB_PAGE = (
    "The file is a web page (HTML), not a spreadsheet, even if its name ends in .xlsx or "
    ".xls. Open it in your spreadsheet program and save it as .xlsx or CSV, then upload that."
)
XML_SPREADSHEET = (
    "The file is an XML spreadsheet (Excel 2003 XML), which coop does not read. Save it "
    "from your spreadsheet program as .xlsx or CSV, then upload that."
)
ZIP_BOMB = (
    "The spreadsheet would unpack to more than {limit} MB, far more than a price list "
    "needs, so it was not opened. Save the price list again, or as CSV, and upload that."
)
ZIP_ENTRIES = (
    "The spreadsheet holds {count:,} parts, more than the {limit:,} a price list could "
    "need, so it was not opened. Save the price list again, or as CSV, and upload that."
)
ZIP_RATIO = (
    "Part of the spreadsheet ({name}) would unpack to {size} MB from {packed} KB, more than "
    "{ratio} times its packed size as only a zip bomb does, so it was not opened. Save the "
    "price list again, or as CSV, and upload that."
)

# Decides whether a row's cells are the header coop should read.
Recognise = Callable[[Sequence[str]], bool]


@dataclass(frozen=True)
class Upload:
    """A file read as a table, with the rows refused for a formula error in a cell."""

    table: Table
    kind: str
    cell_errors: list[RowError] = field(default_factory=list)


def file_kind(data: bytes) -> str:
    """Name the kind of an uploaded file from its first bytes (and a zip's entries)."""
    if data.startswith(ZIP_MAGIC):
        return _zip_kind(data)
    if data.startswith(OLE2_MAGIC):
        return XLS
    return CSV


def is_spreadsheet(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC) or data.startswith(OLE2_MAGIC)


def _zip_kind(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileProblem(
            "The file looks like a spreadsheet but is damaged or cut short."
        ) from None
    with archive:
        _check_sizes(archive)
        names = set(archive.namelist())
        if "xl/workbook.xml" in names and "[Content_Types].xml" in names:
            return XLSX
        # The mimetype entry is tiny, and its size was checked above.
        if (
            "mimetype" in names
            and "content.xml" in names
            and archive.read("mimetype").strip() == ODS_MIMETYPE
        ):
            return ODS
    raise FileProblem(NOT_A_SPREADSHEET)


def _check_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose declared sizes say it unpacks to far more than a price list."""
    entries = archive.infolist()
    total = sum(entry.file_size for entry in entries)
    bomb = ZIP_BOMB.format(limit=MAX_UNPACKED // (1024 * 1024))
    if len(entries) > MAX_ENTRIES:
        raise FileProblem(ZIP_ENTRIES.format(count=len(entries), limit=MAX_ENTRIES))
    if total > MAX_UNPACKED:
        raise FileProblem(bomb)
    for entry in entries:
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise FileProblem(
                ZIP_RATIO.format(
                    name=entry.filename[:80],
                    size=f"{entry.file_size / (1024 * 1024):.1f}".removesuffix(".0"),
                    packed=max(1, round(entry.compress_size / 1024)),
                    ratio=MAX_RATIO,
                )
            )


def read_upload(data: bytes, *, sheet: str | None = None) -> Table:
    """Read an uploaded file, CSV or spreadsheet, into a table (a workbook's *sheet*)."""
    return read_file(data, sheet=sheet).table


def read_file(
    data: bytes, *, sheet: str | None = None, recognise: Recognise | None = None
) -> Upload:
    """Read an uploaded file into a table, with any cells holding a formula error.

    Raises `FileProblem` when the file as a whole cannot be read.
    """
    kind = file_kind(data)
    if kind == CSV:
        text = decode(data)
        start = text.lstrip("\ufeff \t\r\n")[:200].lower()
        if start.startswith(("<html", "<!doctype", "<head", "<body", "<table", "<meta")):
            raise FileProblem(WEB_PAGE)
        if start.startswith("<?xml"):
            raise FileProblem(WEB_PAGE if "<html" in start else XML_SPREADSHEET)
        return Upload(csv_table(text), CSV)
    return _read_workbook(data, kind, sheet, recognise)


# A worksheet's stated extent; some writers give rows only (``<dimension ref="1:5"/>``).
_XLSX_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="([^"]*)"[^>]*/>')
_CELL_RANGE = re.compile(rb"[A-Z]{1,3}[0-9]+(:[A-Z]{1,3}[0-9]+)?")


def _with_readable_dimensions(data: bytes) -> bytes:
    """The .xlsx *data*, without any worksheet extent calamine cannot read.

    LibreOffice has saved extents of rows only (``1:5``, as in Foodsoft's
    own example .xlsx), which calamine refuses; the extent is only a hint,
    so such a worksheet is read without it. Sizes were checked already.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        bad = set()
        for name in sheets:
            with archive.open(name) as part:
                found = _XLSX_DIMENSION.search(part.read(4096))
            if found is not None and not _CELL_RANGE.fullmatch(found.group(1)):
                bad.add(name)
        if not bad:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as patched:
            for info in archive.infolist():
                content = archive.read(info)
                if info.filename in bad:
                    content = _XLSX_DIMENSION.sub(b"", content, count=1)
                patched.writestr(info, content)
    return out.getvalue()


def _read_workbook(
    data: bytes, kind: str, sheet: str | None, recognise: Recognise | None
) -> Upload:
    try:
        if kind == XLSX:
            data = _with_readable_dimensions(data)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as error:
        raise FileProblem(_unreadable(kind, error)) from None
    except Exception as error:  # calamine raises plain errors for some damaged files
        raise FileProblem(_unreadable(kind, error)) from None
    with workbook:
        names = tuple(workbook.sheet_names)
        chosen = _chosen_sheet(workbook, names, sheet)
        try:
            found = workbook.get_sheet_by_name(chosen)
            values = found.to_python(skip_empty_area=False)
            merged = found.merged_cell_ranges or []
        except CalamineError as error:
            raise FileProblem(_unreadable(kind, error)) from None
    rows = [(number, [_text(value) for value in cells]) for number, cells in enumerate(values, 1)]
    rows = [(number, cells) for number, cells in rows if any(cell.strip() for cell in cells)]
    if not rows:
        raise FileProblem(f"The sheet '{chosen}' is empty.")
    position = _header_position(rows, recognise)
    header_line, header = rows[position]
    _refuse_merged_header(header_line, merged)
    table = Table(
        header_line,
        [heading(cell) for cell in header],
        rows[position + 1 :],
        sheet=chosen,
        sheet_names=names,
        source=kind,
    )
    errors = _error_cells(data, kind, chosen, names)
    below = {line: cells for line, cells in errors.items() if line > header_line}
    if not below:
        return Upload(table, kind)
    refused = [
        RowError(
            line,
            "; ".join(f"Cell {ref} holds a formula error {value}" for ref, value in cells)
            + ". Correct the formula in the spreadsheet and upload it again.",
        )
        for line, cells in sorted(below.items())
    ]
    kept = [(line, cells) for line, cells in table.rows if line not in below]
    return Upload(replace(table, rows=kept), kind, refused)


def _unreadable(kind: str, error: Exception) -> str:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if "password" in detail.lower() or "encrypt" in detail.lower():
        return (
            "The spreadsheet is protected by a password. Save it without one and upload it again."
        )
    label = {XLSX: ".xlsx", XLS: ".xls", ODS: ".ods"}[kind]
    return (
        f"The file could not be read as an {label} spreadsheet"
        + (f" ({detail[:120]})" if detail else "")
        + ". Save it again from your spreadsheet program, or as CSV, and upload that."
    )


def _chosen_sheet(workbook: CalamineWorkbook, names: Sequence[str], sheet: str | None) -> str:
    if sheet:
        if sheet not in names:
            raise FileProblem(
                f"The spreadsheet has no sheet called '{sheet}'; its sheets are "
                + ", ".join(f"'{name}'" for name in names)
                + "."
            )
        return sheet
    for meta in workbook.sheets_metadata:
        if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet"):
            return meta.name
    if not names:
        raise FileProblem("The spreadsheet has no sheets.")
    return names[0]


def _text(value: object) -> str:
    """A cell's value as the text a reader of the catalogue sees."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # repr is the shortest text that reads back as the same float.
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _looks_like_header(cells: Sequence[str]) -> tuple[int, bool]:
    filled = [cell.strip() for cell in cells if cell.strip()]
    text = [cell for cell in filled if _NUMBER.match(cell) is None]
    return len(filled), len(filled) >= 2 and len(text) * 2 > len(filled)


_NUMBER = re.compile(r"^[-+£€$]?\d[\d,.]*%?$|^\d{4}-\d\d-\d\d")


def _header_position(rows: Sequence[tuple[int, list[str]]], recognise: Recognise | None) -> int:
    search = rows[:HEADER_SEARCH]
    if recognise is not None:
        for position, (_, cells) in enumerate(search):
            if recognise([heading(cell) for cell in cells]):
                return position
    widest = max(_looks_like_header(cells)[0] for _, cells in search)
    for position, (_, cells) in enumerate(search):
        filled, header_like = _looks_like_header(cells)
        if header_like and filled * 2 >= widest:
            return position
    return 0


def column_letters(index: int) -> str:
    """A column's letters as a spreadsheet shows them: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _refuse_merged_header(
    header_line: int, merged: Sequence[tuple[tuple[int, int], tuple[int, int]]]
) -> None:
    row = header_line - 1
    spans = [
        f"{column_letters(start[1])}{start[0] + 1}:{column_letters(end[1])}{end[0] + 1}"
        for start, end in merged
        if start[0] <= row <= end[0]
    ]
    if spans:
        raise FileProblem(
            f"The header row (row {header_line}) has merged cells ({', '.join(spans)}), which "
            "leave columns without a heading. Unmerge them so that each column has its own "
            "heading, and upload the file again."
        )


# Cell references and values of a worksheet's error cells: <c r="C5" t="e"><v>#DIV/0!</v>.
_XLSX_ERROR = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?\bt="e"[^>]*>(.*?)</c>|'
    rb'<c\b[^>]*?\bt="e"[^>]*?\br="([A-Z]+)(\d+)"[^>]*>(.*?)</c>',
    re.S,
)
_XLSX_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)


def _error_cells(
    data: bytes, kind: str, sheet: str, names: Sequence[str]
) -> dict[int, list[tuple[str, str]]]:
    """Find the cells of *sheet* whose formula evaluates to an error, by row."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if kind == XLSX:
                return _xlsx_errors(archive, sheet)
            if kind == ODS:
                return _ods_errors(archive, sheet)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return {}
    return {}


def _xlsx_sheet_path(archive: zipfile.ZipFile, sheet: str) -> str | None:
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    target_id = None
    for element in workbook.iter(f"{main}sheet"):
        if element.get("name") == sheet:
            target_id = element.get(rel)
    if target_id is None:
        return None
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for element in rels:
        if element.get("Id") == target_id:
            target = element.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def _xlsx_errors(archive: zipfile.ZipFile, sheet: str) -> dict[int, list[tuple[str, str]]]:
    path = _xlsx_sheet_path(archive, sheet)
    if path is None:
        return {}
    xml = archive.read(path)
    found: dict[int, list[tuple[str, str]]] = {}
    if b't="e"' not in xml:
        return found
    for match in _XLSX_ERROR.finditer(xml):
        letters, number, inner = match.group(1, 2, 3) if match.group(1) else match.group(4, 5, 6)
        value = _XLSX_VALUE.search(inner)
        text = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
        found.setdefault(int(number), []).append((f"{letters.decode()}{number.decode()}", text))
    return found


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CALCEXT_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"


def _ods_errors(archive: zipfile.ZipFile, sheet: str) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    with archive.open("content.xml") as content:
        if b'value-type="error"' not in content.read():
            return found
    with archive.open("content.xml") as content:
        row = column = 0
        inside = False
        for event, element in ElementTree.iterparse(content, events=("start", "end")):
            tag = element.tag
            if tag == f"{_ODS_TABLE}table":
                if event == "start":
                    inside = element.get(f"{_ODS_TABLE}name") == sheet
                    row = 0
                else:
                    if inside:
                        return found
                    element.clear()
            if not inside:
                continue
            if tag == f"{_ODS_TABLE}table-row" and event == "start":
                column = 0
            elif tag == f"{_ODS_TABLE}table-row" and event == "end":
                row += int(element.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
                element.clear()
            elif (
                tag in (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell")
                and event == "end"
            ):
                if element.get(_CALCEXT_TYPE) == "error":
                    text = "".join(element.itertext()).strip() or "#ERROR"
                    ref = f"{column_letters(column)}{row + 1}"
                    found.setdefault(row + 1, []).append((ref, text))
                column += int(element.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
    return found
