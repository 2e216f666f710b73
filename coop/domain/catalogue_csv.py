"""Reading and writing catalogue CSV files in the project's own format.

Plain text in, plain rows and errors out. A file is read whole; every bad
row is reported with its line number and nothing is left half-read.

The project's format has one header row with these columns (any order;
unknown columns are ignored, `code`, `name`, `case_price` are required)::

    code,name,description,category,tags,unit,case_size,case_price,vat_rate,
    deposit,origin,manufacturer,reference_price,reference_price_date,
    reference_price_source,available

Prices are in pounds (``12.50`` or ``£12.50``), the VAT rate a percentage
(0, 5 or 20), tags separated by ``|`` (``vegan|organic``), dates
``YYYY-MM-DD``, `available` yes/no (blank is yes), `case_size` a whole
number (blank is 1). Files are UTF-8, with or without a byte-order mark,
comma- or semicolon-separated.

A written file is a CSV file as `coop.domain.spreadsheets` writes every one:
lines end in CRLF, and text a spreadsheet would run as a formula (a cell
beginning with = + - @, a tab or a carriage return) gets an apostrophe
first. Reading takes one apostrophe off again: writing then reading gives
the same text, whatever it is.

Every other layout (Foodsoft's, Open Food Network's, a wholesaler's own
columns) is read by `coop.domain.catalogue_files`, which shares the row
types and the rules of this module's cells.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache

from coop.domain.catalogue import (
    DEFAULT_UNIT,
    MAX_CASE_SIZE,
    MAX_PENCE,
    MAX_PENCE_TEXT,
    VAT_RATES_BP,
    ProductDetails,
    Tag,
    bits_to_tags,
    bp_to_percent,
    percent_to_bp,
)
from coop.domain.money import parse_pence, plain_pounds
from coop.domain.numbers import is_digits
from coop.domain.spreadsheets import csv_text, unprotect_formula
from coop.domain.text import first_control_line

COLUMNS = (
    "code",
    "name",
    "description",
    "category",
    "tags",
    "unit",
    "case_size",
    "case_price",
    "vat_rate",
    "deposit",
    "origin",
    "manufacturer",
    "reference_price",
    "reference_price_date",
    "reference_price_source",
    "available",
)
REQUIRED = ("code", "name", "case_price")


OWN = "coop"

MAX_CODE = 40
MAX_NAME = 200
MAX_TEXT = 200

#: The Product field each column of the project's format fills.
OWN_FIELDS = {
    "code": "code",
    "name": "name",
    "description": "description",
    "category": "category",
    "tags": "tag_bits",
    "unit": "unit_label",
    "case_size": "case_size",
    "case_price": "case_price_pence",
    "vat_rate": "vat_bp",
    "deposit": "deposit_pence",
    "origin": "origin",
    "manufacturer": "manufacturer",
    "reference_price": "reference_price_pence",
    "reference_price_date": "reference_price_date",
    "reference_price_source": "reference_price_source",
    "available": "available",
}
#: The Product field each column of Foodsoft's export fills.


@dataclass(frozen=True, kw_only=True)
class ProductRow(ProductDetails):
    """One product as a file describes it, already checked and converted."""

    line: int

    def values(self) -> dict[str, object]:
        """Return the product's fields, without the line number."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "line"}


@dataclass(frozen=True)
class RowError:
    """A reason a line of the file cannot be imported."""

    line: int
    message: str


#: The Product fields a file can describe, in the order of `ProductDetails`.
PRODUCT_FIELDS = tuple(f.name for f in fields(ProductDetails))


@dataclass(frozen=True)
class ParsedCatalogue:
    """What a file holds: its format, its good rows and its bad ones.

    `provided` names the Product fields the file has columns for: a file
    without, say, a tags column says nothing about tags, so an import
    should leave them as they are rather than clear them.
    """

    format: str
    rows: list[ProductRow]
    errors: list[RowError]
    provided: frozenset[str] = frozenset(PRODUCT_FIELDS)
    #: Per line, how a value was converted (``1.20 per 500 g x 20 = £24.00 a case``).
    notes: dict[int, str] = field(default_factory=dict)
    #: VAT rates the file uses that are not UK rates, each once, for the coordinator to map.
    foreign_vat_rates: tuple[int, ...] = ()
    #: The file's columns coop has no place for, which the preview lists.
    unkept: tuple[str, ...] = ()
    #: A spreadsheet's sheet names, for choosing another sheet.
    sheet_names: tuple[str, ...] = ()
    #: The header row as the file has it (for the column mapping step).
    table_header: tuple[str, ...] = ()


class FileProblem(ValueError):
    """The file as a whole cannot be read (not a row's fault)."""


def decode(data: bytes) -> str:
    """Decode UTF-8 with or without a byte-order mark, or say what is wrong."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(
            "The file is not UTF-8 text. Save it from your spreadsheet as "
            "'CSV UTF-8' and try again."
        ) from None
    line = first_control_line(text)
    if line is not None:
        raise FileProblem(
            f"Line {line} of the file holds a control character (such as a NUL byte), "
            "which a price list never has. Check that this is the file you meant, "
            "saved from your spreadsheet as 'CSV UTF-8'."
        )
    return text


def _sniff_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def parse_catalogue(text: str) -> ParsedCatalogue:
    """Read a catalogue file in coop's own format, reporting every bad row.

    Every other layout (Foodsoft's, Open Food Network's, a wholesaler's
    columns) and spreadsheets are read by `coop.domain.catalogue_files`.
    """
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise FileProblem("The file is empty: it needs a header row and one row per product.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    header = [column.strip() for column in next(reader)]
    lowered = [column.lower() for column in header]
    missing = [column for column in REQUIRED if column not in lowered]
    if missing:
        raise FileProblem(
            "The header row lacks the column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing)
            + ". The first row must name the columns: "
            + ",".join(COLUMNS)
            + "."
        )
    provided = {OWN_FIELDS[c] for c in lowered if c in OWN_FIELDS}
    return _parse(reader, lowered, OWN, _own_row, provided)


def _parse(  # type: ignore[no-untyped-def]
    reader, header: list[str], kind: str, convert, provided: set[str]
) -> ParsedCatalogue:
    rows: list[ProductRow] = []
    errors: list[RowError] = []
    first_line_of_code: dict[str, int] = {}
    try:
        # A quoted cell may span lines; a row is named by the line it starts on.
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            cells = dict(zip(header, map(str.strip, record), strict=False))
            problems: list[str] = []
            row = convert(line, cells, problems)
            if row is not None and not problems:
                earlier = first_line_of_code.get(row.code.lower())
                if earlier is not None:
                    problems.append(f"the code '{row.code}' is already used on line {earlier}")
                else:
                    first_line_of_code[row.code.lower()] = line
            if problems:
                message = "; ".join(problems)
                errors.append(RowError(line, message[0].upper() + message[1:] + "."))
            elif row is not None:
                rows.append(row)
    except csv.Error as error:
        raise FileProblem(f"Line {reader.line_num} cannot be read as CSV: {error}.") from None
    return ParsedCatalogue(kind, rows, errors, frozenset(provided))


def _cell(cells: dict[str, str], key: str) -> str:
    return unprotect_formula(cells.get(key, "") or "")


def _text(cells: dict[str, str], key: str, problems: list[str], *, limit: int = MAX_TEXT) -> str:
    value = _cell(cells, key)
    if len(value) > limit:
        problems.append(f"{key} is longer than {limit} characters")
    return value[:limit]


def _money(value: str, what: str, problems: list[str], *, required: bool = False) -> int | None:
    if not value:
        if required:
            problems.append(f"the {what} is missing")
        return None
    try:
        pence = parse_pence(value, allow_negative=True)
    except ValueError:
        problems.append(f"the {what} '{value}' is not a number")
        return None
    if pence > MAX_PENCE:
        problems.append(f"the {what} '{value}' is more than {MAX_PENCE_TEXT}")
        return None
    return pence


def _not_negative(pence: int | None, what: str, problems: list[str]) -> int | None:
    if pence is not None and pence < 0:
        problems.append(f"the {what} cannot be negative")
    return pence


def _vat(value: str, problems: list[str]) -> int:
    if not value:
        return 0
    try:
        bp = percent_to_bp(value)
    except ValueError:
        bp = -1
    if bp not in VAT_RATES_BP:
        problems.append(f"the VAT rate '{value}' is not a UK rate (0, 5 or 20%)")
        return 0
    return bp


def _case_size(value: str, problems: list[str]) -> int:
    if not value:
        return 1
    if not is_digits(value):
        problems.append(f"the case size '{value}' is not a whole number")
        return 1
    # A case size of thousands of digits is never read as a number.
    if len(value.lstrip("0")) > len(str(MAX_CASE_SIZE)) or int(value) > MAX_CASE_SIZE:
        problems.append(f"the case size '{value}' is more than {MAX_CASE_SIZE:,}")
        return 1
    if int(value) < 1:
        problems.append("the case size must be at least 1")
        return 1
    return int(value)


def _available(value: str, problems: list[str]) -> bool:
    lowered = value.strip().lower()
    if lowered in ("", "yes", "y", "true", "1"):
        return True
    if lowered in ("no", "n", "false", "0"):
        return False
    problems.append(f"available must be yes or no, not '{value}'")
    return True


@lru_cache(maxsize=512)
def _tag_bit(text: str) -> int:
    # A catalogue repeats a handful of tags thousands of times.
    return Tag.from_text(text).bit


def _tags(value: str, problems: list[str]) -> int:
    bits = 0
    for part in value.split("|"):
        if part.strip():
            try:
                bits |= _tag_bit(part)
            except ValueError as error:
                message = str(error).rstrip(".")
                problems.append(message[0].lower() + message[1:])
    return bits


def _date(value: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"the date '{value}' is not a date like 2026-03-31")
        return None


def _code_and_name(code: str, name: str, problems: list[str]) -> tuple[str, str]:
    if not name:
        problems.append("the name is missing")
    if not code:
        problems.append("the code is missing")
    if len(code) > MAX_CODE:
        problems.append(f"the code is longer than {MAX_CODE} characters")
    if len(name) > MAX_NAME:
        problems.append(f"the name is longer than {MAX_NAME} characters")
    return code, name


def _own_row(line: int, cells: dict[str, str], problems: list[str]) -> ProductRow:
    code, name = _code_and_name(_cell(cells, "code"), _cell(cells, "name"), problems)
    price = _not_negative(
        _money(cells.get("case_price", ""), "case price", problems, required=True),
        "case price",
        problems,
    )
    deposit = _not_negative(
        _money(cells.get("deposit", ""), "deposit", problems), "deposit", problems
    )
    reference = _not_negative(
        _money(cells.get("reference_price", ""), "reference price", problems),
        "reference price",
        problems,
    )
    return ProductRow(
        line=line,
        code=code,
        name=name,
        description=_text(cells, "description", problems, limit=2000),
        category=_text(cells, "category", problems, limit=80),
        tag_bits=_tags(cells.get("tags", ""), problems),
        unit_label=_text(cells, "unit", problems, limit=60) or DEFAULT_UNIT,
        case_size=_case_size(cells.get("case_size", ""), problems),
        case_price_pence=price or 0,
        vat_bp=_vat(cells.get("vat_rate", ""), problems),
        deposit_pence=deposit or 0,
        origin=_text(cells, "origin", problems, limit=80),
        manufacturer=_text(cells, "manufacturer", problems, limit=120),
        reference_price_pence=reference,
        reference_price_date=_date(cells.get("reference_price_date", ""), problems),
        reference_price_source=_text(cells, "reference_price_source", problems),
        available=_available(cells.get("available", ""), problems),
    )


_RATIO = re.compile(r"^\s*(?P<number>\d+(?:[.,]\d+)?)")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d{1,2}$")


def _pounds(pence: int | None) -> str:
    return "" if pence is None else plain_pounds(pence)


def write_catalogue(rows: Iterable[ProductRow]) -> str:
    """Write rows in the project's format; reading it back gives the same rows."""
    return csv_text(
        COLUMNS,
        (
            [
                row.code,
                row.name,
                row.description,
                row.category,
                "|".join(tag.slug for tag in bits_to_tags(row.tag_bits)),
                row.unit_label,
                row.case_size,
                _pounds(row.case_price_pence),
                bp_to_percent(row.vat_bp),
                _pounds(row.deposit_pence),
                row.origin,
                row.manufacturer,
                _pounds(row.reference_price_pence),
                row.reference_price_date.isoformat() if row.reference_price_date else "",
                row.reference_price_source,
                "yes" if row.available else "no",
            ]
            for row in rows
        ),
    )


def describe_errors(errors: Sequence[RowError]) -> list[str]:
    """Return each error as "Line N: reason", in line order."""
    return [f"Line {error.line}: {error.message}" for error in sorted(errors, key=lambda e: e.line)]
