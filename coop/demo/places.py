"""Made-up postcode directory and IoD files in the shapes the ONS and GOV.UK publish.

The places are invented (PR1 5XX is not a real postcode); the columns are
the real files', so the loaders read these as they read the published ones.
Tests, the postcode benchmark and the demo use them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

# NSPL from 2025: 2021 LSOAs, columns named for the year of their boundaries.
NSPL_HEADER = [
    "pcd7",
    "pcd8",
    "pcds",
    "dointr",
    "doterm",
    "usrtypind",
    "east1m",
    "north1m",
    "gridind",
    "oa21cd",
    "cty25cd",
    "ced25cd",
    "lad25cd",
    "wd25cd",
    "nhser24cd",
    "ctry25cd",
    "rgn25cd",
    "pcon24cd",
    "ttwa15cd",
    "itl25cd",
    "npark16cd",
    "lsoa21cd",
    "msoa21cd",
    "wz11cd",
    "sicbl24cd",
    "bua24cd",
    "ruc21ind",
    "oac11ind",
    "lat",
    "long",
    "lep21cd1",
    "lep21cd2",
    "pfa23cd",
    "imd20ind",
    "icb23cd",
]
# ONSPD as it was with 2011 LSOAs: unnumbered ward and local authority columns.
ONSPD_HEADER = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "oscty",
    "ced",
    "oslaua",
    "osward",
    "parish",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oshlthau",
    "nhser",
    "ctry",
    "rgn",
    "streg",
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
    "oa11",
    "lsoa11",
    "msoa11",
    "wz11",
    "ccg",
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
    "stp",
]

IOD_DECILE = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"


def iod_header(lsoa_year: int, lad_year: int) -> list[str]:
    return [
        f"LSOA code ({lsoa_year})",
        f"LSOA name ({lsoa_year})",
        f"Local Authority District code ({lad_year})",
        f"Local Authority District name ({lad_year})",
        "Index of Multiple Deprivation (IMD) Score",
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
        IOD_DECILE,
        "Income Score (rate)",
        "Income Rank (where 1 is most deprived)",
        "Income Decile (where 1 is most deprived 10% of LSOAs)",
    ]


PRESTON = "E07000123"
BLACKBURN = "E06000008"

# (postcode, ward, LSOA, local authority)
PLACES = [
    ("PR1 5XX", "E05012345", "E01025300", PRESTON),
    ("PR2 9XX", "E05012346", "E01025301", PRESTON),
    ("BB1 1AA", "E05001600", "E01012500", BLACKBURN),
]
# LSOA -> IMD decile
DECILES = {"E01025300": 1, "E01025301": 7, "E01012500": 3}


def _pcd7(postcode: str) -> str:
    outward, inward = postcode.split()
    return f"{outward:<4}{inward}"


def nspl_text(places: Sequence[tuple[str, str, str, str]] = PLACES) -> str:
    """Return an NSPL file (2021 LSOAs) holding *places*."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(NSPL_HEADER)
    for postcode, ward, lsoa, lad in places:
        row = dict.fromkeys(NSPL_HEADER, "")
        row.update(
            pcd7=_pcd7(postcode),
            pcd8=postcode,
            pcds=postcode,
            dointr="198001",
            usrtypind="0",
            oa21cd="E00" + lsoa[3:],
            lad25cd=lad,
            wd25cd=ward,
            ctry25cd="E92000001",
            lsoa21cd=lsoa,
            msoa21cd="E02004000",
            lat="53.76",
            long="-2.70",
        )
        writer.writerow(row.values())
    return out.getvalue()


def onspd_text(places: Sequence[tuple[str, str, str, str]] = PLACES) -> str:
    """Return an ONSPD file (2011 LSOAs) holding *places*."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ONSPD_HEADER)
    for postcode, ward, lsoa, lad in places:
        row = dict.fromkeys(ONSPD_HEADER, "")
        row.update(
            pcd=_pcd7(postcode),
            pcd2=postcode,
            pcds=postcode,
            oslaua=lad,
            osward=ward,
            lsoa01="E01000001",
            lsoa11=lsoa,
            ctry="E92000001",
        )
        writer.writerow(row.values())
    return out.getvalue()


def iod_text(
    lsoa_year: int = 2021, lad_year: int = 2024, deciles: dict[str, int] | None = None
) -> str:
    """Return an IoD file of scores, ranks and deciles (File 7's shape) with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(iod_header(lsoa_year, lad_year))
    for lsoa, decile in (deciles or DECILES).items():
        writer.writerow(
            [
                lsoa,
                f"Preston {lsoa[-3:]}A",
                PRESTON,
                "Preston",
                "41.2",
                "3001",
                decile,
                "0.2",
                "2900",
                decile,
            ]
        )
    return "\ufeff" + out.getvalue()


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path
