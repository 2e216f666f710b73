"""CSV files people open in a spreadsheet: one dialect, and no cell a spreadsheet would run.

Every CSV file the app writes comes from `csv_text` (or `csv_line`, for a
writer that counts lines as it goes), in the dialect of RFC 4180: cells
separated by commas, a cell holding a comma, a double quote or a line
break put in double quotes, and every line ending in CRLF.

A spreadsheet runs a cell beginning with = + - @ (or a tab or a carriage
return) as a formula, so any text cell beginning like that, after any
apostrophes, gets one more apostrophe in front (`protect_formula`);
reading a file back takes one off again (`unprotect_formula`), so what is
written and read back is the same text, whatever it is. Numbers stay
numbers: whole numbers are written as they are, and text that is a plain
decimal number ("-12.34", "-3", as `plain_pounds` writes a negative
amount) is left alone, since a spreadsheet reads it as a number and runs
nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

#: A cell whose text a spreadsheet would run as a formula, once its apostrophes are off.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
#: A cell a written file protected with an apostrophe.
_PROTECTED = re.compile(r"'+[=+\-@\t\r]")
#: Text a spreadsheet reads as a number; a leading minus makes it negative, not a formula.
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

LINE_END = "\r\n"


def protect_formula(text: str) -> str:
    """Put an apostrophe before text a spreadsheet would run as a formula."""
    if _FORMULA.match(text) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def unprotect_formula(text: str) -> str:
    """Take off the apostrophe `protect_formula` put before text; leave other text alone."""
    return text[1:] if _PROTECTED.match(text) else text


def _cells(row: Iterable[object]) -> list[object]:
    return [
        cell
        if cell is None or isinstance(cell, int)
        else protect_formula(cell if isinstance(cell, str) else str(cell))
        for cell in row
    ]


def csv_text(header: Sequence[str], rows: Iterable[Iterable[object]]) -> str:
    """Return a CSV file of *header* and *rows*, every text cell protected from running.

    A cell may be text, a whole number or None (an empty cell); anything
    else is written as its text.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=LINE_END)
    writer.writerow(_cells(header))
    writer.writerows(map(_cells, rows))
    return out.getvalue()


def file_slug(text: str, *, limit: int = 50) -> str:
    """Return *text* as a piece of a download's file name: "Fresh & Co. Ltd" -> "fresh-co-ltd".

    ASCII letters and digits joined by hyphens, accents dropped, at most
    *limit* characters; "" when nothing is left, for the caller's fallback.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def csv_line(cells: Iterable[object]) -> str:
    """Return one line of a CSV file as `csv_text` writes it, its CRLF included."""
    out = io.StringIO()
    csv.writer(out, lineterminator=LINE_END).writerow(_cells(cells))
    return out.getvalue()
