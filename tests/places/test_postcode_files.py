"""Finding the columns of postcode directory and IoD files by pattern, and reading their lines."""

from __future__ import annotations

import pytest

from coop.demo.places import NSPL_HEADER, ONSPD_HEADER, iod_header
from coop.domain.postcode_files import (
    FileProblem,
    compact_postcode,
    csv_rows,
    imd_columns,
    postcode_columns,
)

# An NSPL of 2022, with the LSOAs of three censuses and unnumbered codes.
NSPL_2022_HEADER = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oa11",
    "cty",
    "ced",
    "laua",
    "ward",
    "hlthau",
    "nhser",
    "ctry",
    "rgn",
    "pcon",
    "eer",
    "teclec",
    "ttwa",
    "pct",
    "itl",
    "statsward",
    "oa01",
    "casward",
    "park",
    "lsoa01",
    "msoa01",
    "ur01ind",
    "oac01",
    "lsoa11",
    "msoa11",
    "wz11",
    "sicbl",
    "bua11",
    "buasd11",
    "ru11ind",
    "oac11",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "calncv",
    "icb",
    "oa21",
    "lsoa21",
    "msoa21",
]


@pytest.mark.parametrize(
    "header, names, vintage",
    [
        (NSPL_HEADER, ("pcds", "wd25cd", "lsoa21cd", "lad25cd"), 2021),
        (ONSPD_HEADER, ("pcds", "osward", "lsoa11", "oslaua"), 2011),
        (NSPL_2022_HEADER, ("pcds", "ward", "lsoa21", "laua"), 2021),
        (
            [" PCD ", "WD24CD", "LSOA11CD", "LAD24CD"],
            ("pcd", "wd24cd", "lsoa11cd", "lad24cd"),
            2011,
        ),
    ],
    ids=["NSPL 2025", "ONSPD 2011 LSOAs", "NSPL with three censuses", "upper case"],
)
def test_a_directorys_columns_are_found_by_their_pattern(header, names, vintage):
    columns = postcode_columns(header)

    assert columns.names == names
    assert columns.lsoa_vintage == vintage


def test_a_directory_without_a_column_says_which_are_missing():
    with pytest.raises(FileProblem) as refused:
        postcode_columns(["pcds", "lsoa21cd"])

    assert refused.value.message == (
        "Line 1: This is not a postcode directory file (NSPL or ONSPD): its first line has no "
        "column for the ward (such as wd25cd) or the local authority (such as lad25cd)."
    )


def test_a_directory_of_2001_lsoas_only_is_refused():
    with pytest.raises(FileProblem, match="2001 LSOAs"):
        postcode_columns(["pcds", "ward", "lsoa01", "laua"])


@pytest.mark.parametrize("lsoa_year, lad_year", [(2011, 2019), (2021, 2024)])
def test_an_iod_files_lsoa_and_decile_columns_are_found(lsoa_year, lad_year):
    columns = imd_columns(iod_header(lsoa_year, lad_year))

    assert (columns.lsoa, columns.decile, columns.lsoa_vintage) == (0, 6, lsoa_year)


def test_the_income_decile_is_not_taken_for_the_imd_decile():
    header = [h for h in iod_header(2021, 2024) if "(IMD) Decile" not in h]

    with pytest.raises(FileProblem, match="no column for the IMD decile"):
        imd_columns(header)


def test_lines_are_read_with_their_numbers_after_a_byte_order_mark():
    lines = [b"\xef\xbb\xbfpcds,ward\r\n", b"PR1 5XX,E05012345\r\n", b"\r\n", b"PR2 9XX,E05012346"]

    assert list(csv_rows(lines)) == [
        (1, ["pcds", "ward"]),
        (2, ["PR1 5XX", "E05012345"]),
        (4, ["PR2 9XX", "E05012346"]),
    ]


@pytest.mark.parametrize(
    "given, compact",
    [
        ("pr1 5xx", "PR15XX"),
        (" PR1  5XX ", "PR15XX"),
        ("EC1A 1BB", "EC1A1BB"),
        ("PR1 5CX", None),
        ("hello", None),
    ],
)
def test_a_postcode_a_person_gave_is_compacted_or_refused(given, compact):
    assert compact_postcode(given) == compact
