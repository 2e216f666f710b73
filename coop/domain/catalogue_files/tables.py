"""A price list as a table of text cells, whatever file it came from.

Every reader of a catalogue layout (coop's own, Foodsoft's, Open Food
Network's, a wholesaler's mapped columns) reads a `Table`: the header row,
and each later row with the line (or spreadsheet row) number a coordinator
would look for. Cells are text exactly as the file holds them; a
spreadsheet's numbers are turned into their shortest decimal text before
they get here (a cell of 1.2 is "1.2", never 1.19999…), so no reader ever
sees a float. CSV text is read here; spreadsheets are read outside the
domain (`coop.services.catalogue.spreadsheets`), since that needs a library.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

CSV = "csv"


@dataclass(frozen=True)
class Table:
    """The header and rows of one sheet or CSV file."""

    header_line: int
    header: list[str]
    rows: list[tuple[int, list[str]]]
    sheet: str | None = None
    sheet_names: tuple[str, ...] = field(default=())
    source: str = CSV


def heading(cell: str) -> str:
    """A header cell as its column is named: a wrapped or spaced heading on one line.

    A browser sends a line break in a form's value back as CRLF, so a
    heading keeping one could not be chosen on the mapping step.
    """
    return " ".join(cell.split())


def sniff_delimiter(line: str) -> str:
    """Semicolons when a line has more of them than commas (Foodsoft's and Europe's CSV)."""
    return ";" if line.count(";") > line.count(",") else ","


def csv_table(text: str) -> Table:
    """Read CSV *text* (already decoded) into a table whose first row is the header.

    The header is the first row; line numbers count physical lines, so a
    quoted cell holding a line break moves the numbers on as an editor does.
    """
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    found: list[tuple[int, list[str]]] = []
    start = 1
    for values in reader:
        found.append((start, values))
        start = reader.line_num + 1
    if not found:
        return Table(1, [], [])
    header_line, header = found[0]
    return Table(header_line, [heading(value) for value in header], found[1:])
