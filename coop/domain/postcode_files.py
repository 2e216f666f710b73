"""Reading the ONS postcode directory and the English Indices of Deprivation, row by row.

Both are open data under the Open Government Licence, published as CSV
files whose column names change between releases: the postcode directory
(NSPL or ONSPD) has the postcode as ``pcds`` (or ``pcd``, ``pcd2``,
``pcd7``, ``pcd8``), the ward as ``wd25cd`` (``wd24cd``, ``osward``...),
the LSOA as ``lsoa21cd`` or ``lsoa11`` and the local authority as
``lad25cd`` (``laua``, ``oslaua``), so columns are found by pattern. The
LSOA column's name says which census's LSOAs the file uses (2011 or 2021).

The Indices of Deprivation file has an LSOA code column (``LSOA code
(2011)`` in IoD 2019, ``LSOA code (2021)`` in IoD 2025) and the IMD decile
("Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10%
of LSOAs)"). An edition's deciles hold for its own LSOAs only: IoD 2019
for 2011 LSOAs, IoD 2025 for 2021 LSOAs.

Files are read a line at a time, never whole: a national directory has
about 2.7 million lines. Every line must be UTF-8 (a byte-order mark is
allowed) and have as many columns as the header; the first that does not
is refused with its line number.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

# The LSOAs each edition of the Indices of Deprivation is published for.
IMD_LSOA_VINTAGE = {2019: 2011, 2025: 2021}

# A postcode as the directory writes it: outward code (or GIR), then the inward code.
_DIRECTORY_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?|GIR)([0-9][A-Z]{2})")
# A postcode a person may give: the inward code's letters are never C, I, K, M, O or V.
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})")
_GSS_CODE = re.compile(r"[A-Z][0-9]{8}")

_POSTCODE_COLUMNS = ("pcds", "pcd2", "pcd8", "pcd", "pcd7")
_WARD = re.compile(r"wd\d\dcd|osward|ward")
_LAD = re.compile(r"lad\d\dcd|oslaua|laua")
_LSOA = re.compile(r"lsoa(\d\d)(?:cd)?")
_IMD_LSOA = re.compile(r"lsoa\s*code\s*\((\d{4})\)|lsoa(\d\d)cd")
_IMD_DECILE = re.compile(r"index of multiple deprivation \(imd\) decile\b.*|imd_?decile|imddecil")


class FileProblem(ValueError):
    """A file that cannot be loaded, with what is wrong and the line it is on."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = f"Line {line:,}: {message}" if line is not None else message
        self.line = line


@dataclass(frozen=True)
class PostcodeColumns:
    """Where a postcode directory keeps each thing, by position, and which LSOAs it uses."""

    postcode: int
    ward: int
    lsoa: int
    lad: int
    lsoa_vintage: int
    names: tuple[str, str, str, str]
    width: int


@dataclass(frozen=True)
class ImdColumns:
    """Where an Indices of Deprivation file keeps the LSOA code and the IMD decile."""

    lsoa: int
    decile: int
    lsoa_vintage: int
    width: int


def compact_postcode(text: str) -> str | None:
    """Return a postcode a person gave in upper case without spaces ("PR15XX"), or None."""
    compact = re.sub(r"\s+", "", text).upper()
    return compact if _POSTCODE.fullmatch(compact) else None


def spaced_postcode(compact: str) -> str:
    """Return a compact postcode as it is written, with its one space ("PR1 5XX")."""
    return f"{compact[:-3]} {compact[-3:]}"


def _vintage(two_digits: str) -> int:
    return 2000 + int(two_digits)


def _first(header: Sequence[str], pattern: re.Pattern[str]) -> int | None:
    for index, name in enumerate(header):
        if pattern.fullmatch(name):
            return index
    return None


def postcode_columns(header: Sequence[str]) -> PostcodeColumns:
    """Find the postcode, ward, LSOA and local-authority columns of a directory's header."""
    names = [name.strip().lower() for name in header]
    postcode = next((names.index(name) for name in _POSTCODE_COLUMNS if name in names), None)
    ward = _first(names, _WARD)
    lad = _first(names, _LAD)
    # A directory with LSOAs of two censuses (some ONSPD releases) is read by the newer.
    lsoas = sorted(
        (
            (_vintage(match[1]), index)
            for index, name in enumerate(names)
            if (match := _LSOA.fullmatch(name))
        ),
        reverse=True,
    )
    missing = [
        label
        for label, found in (
            ("the postcode (pcds)", postcode),
            ("the ward (such as wd25cd)", ward),
            ("the LSOA (such as lsoa21cd or lsoa11)", lsoas or None),
            ("the local authority (such as lad25cd)", lad),
        )
        if found is None
    ]
    if missing:
        raise FileProblem(
            "This is not a postcode directory file (NSPL or ONSPD): its first line has no column "
            f"for {_and(missing)}.",
            line=1,
        )
    assert postcode is not None and ward is not None and lad is not None
    vintage, lsoa = lsoas[0]
    if vintage not in IMD_LSOA_VINTAGE.values():
        raise FileProblem(
            f"The LSOA column {names[lsoa]} is of {vintage} LSOAs; the Indices of Deprivation "
            "use 2011 or 2021 LSOAs, so load a directory with one of those.",
            line=1,
        )
    return PostcodeColumns(
        postcode=postcode,
        ward=ward,
        lsoa=lsoa,
        lad=lad,
        lsoa_vintage=vintage,
        names=(names[postcode], names[ward], names[lsoa], names[lad]),
        width=len(names),
    )


def imd_columns(header: Sequence[str]) -> ImdColumns:
    """Find the LSOA code and IMD decile columns of an Indices of Deprivation file's header."""
    names = [" ".join(name.strip().lower().split()) for name in header]
    lsoa = vintage = None
    for index, name in enumerate(names):
        match = _IMD_LSOA.fullmatch(name)
        if match:
            lsoa = index
            vintage = int(match[1]) if match[1] else _vintage(match[2])
            break
    decile = _first(names, _IMD_DECILE)
    missing = [
        label
        for label, found in (
            ("the LSOA code (such as “LSOA code (2021)”)", lsoa),
            ("the IMD decile (“Index of Multiple Deprivation (IMD) Decile”)", decile),
        )
        if found is None
    ]
    if missing:
        raise FileProblem(
            "This is not an Indices of Deprivation file: its first line has no column for "
            f"{_and(missing)}.",
            line=1,
        )
    assert lsoa is not None and decile is not None and vintage is not None
    return ImdColumns(lsoa=lsoa, decile=decile, lsoa_vintage=vintage, width=len(names))


def check_imd_edition(*, year: int, file_vintage: int, postcode_vintage: int | None) -> None:
    """Refuse an IoD edition whose LSOAs are not the file's or the loaded postcodes' own."""
    if year not in IMD_LSOA_VINTAGE:
        raise FileProblem("The edition must be IoD 2019 or IoD 2025.")
    wanted = IMD_LSOA_VINTAGE[year]
    if file_vintage != wanted:
        raise FileProblem(
            f"IoD {year} is published for {wanted} LSOAs, but this file's LSOA codes are "
            f"{file_vintage} LSOAs. Choose the edition the file is from.",
            line=1,
        )
    if postcode_vintage is None:
        raise FileProblem(
            "Load the postcode directory first: deciles are matched to its LSOAs.",
        )
    if postcode_vintage != wanted:
        other = next(
            edition for edition, lsoas in IMD_LSOA_VINTAGE.items() if lsoas == postcode_vintage
        )
        raise FileProblem(
            f"The postcode directory loaded uses {postcode_vintage} LSOAs and IoD {year} is for "
            f"{wanted} LSOAs: they cannot be mixed. Load IoD {other}, or a postcode directory "
            f"with {wanted} LSOAs first.",
        )


def directory_row(
    row: Sequence[str], columns: PostcodeColumns, *, line: int
) -> tuple[str, str | None, str | None, str | None]:
    """Return (compact postcode, ward, LSOA, local authority) of a directory row, or refuse it."""
    compact = row[columns.postcode].replace(" ", "").upper()
    if not _DIRECTORY_POSTCODE.fullmatch(compact):
        raise FileProblem(f"“{row[columns.postcode]}” is not a postcode.", line=line)
    return (
        compact,
        _code(row[columns.ward], "ward", line),
        _code(row[columns.lsoa], "LSOA", line),
        _code(row[columns.lad], "local authority", line),
    )


def imd_row(row: Sequence[str], columns: ImdColumns, *, line: int) -> tuple[str, int]:
    """Return (LSOA code, decile) of an Indices of Deprivation row, or refuse it."""
    lsoa = _code(row[columns.lsoa], "LSOA", line)
    if lsoa is None:
        raise FileProblem("The LSOA code is empty.", line=line)
    text = row[columns.decile].strip()
    if not text.isdigit() or not 1 <= int(text) <= 10:
        raise FileProblem(f"The IMD decile “{text}” is not a whole number from 1 to 10.", line=line)
    return lsoa, int(text)


def _code(text: str, what: str, line: int) -> str | None:
    code = text.strip().upper()
    if not code:
        return None
    if not _GSS_CODE.fullmatch(code):
        raise FileProblem(f"The {what} code “{text}” is not a GSS code like E05012345.", line=line)
    return code


def csv_rows(lines: Iterable[bytes]) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) of each row after the header of a CSV file's *lines*.

    The header comes first, as line 1. A row of the wrong width (a line cut
    short, say) or a line that is not UTF-8 is refused with its number.
    """
    numbered = _decoded(lines)
    reader = csv.reader((text for _, text in numbered), strict=True)
    width = None
    try:
        for cells in reader:
            line = reader.line_num
            if width is None:
                width = len(cells)
            elif not cells or cells == [""]:
                continue
            elif len(cells) != width:
                raise FileProblem(
                    f"This line has {len(cells)} columns where the first line has {width}: "
                    "the file may have been cut short. Download it again.",
                    line=line,
                )
            yield line, cells
    except csv.Error as error:
        raise FileProblem(
            f"This line is not valid CSV ({error}).", line=reader.line_num + 1
        ) from None


def _decoded(lines: Iterable[bytes]) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(lines, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FileProblem(
                "This line is not UTF-8 text. Save the file as CSV UTF-8 (the ONS and "
                "government files are already), or download it again.",
                line=number,
            ) from None


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
