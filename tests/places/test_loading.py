"""Loading the postcode directory and IMD deciles, and placing postcodes with them."""

from __future__ import annotations

import zipfile

import pytest
from support import count_rows, refusal_message

from coop.demo.places import (
    BLACKBURN,
    NSPL_HEADER,
    PLACES,
    PRESTON,
    iod_text,
    nspl_text,
    onspd_text,
    write,
)
from coop.models import ImdDecile, ImdEdition, JobRunStatus, Postcode, PostcodeEdition
from coop.services.places.lookup import (
    NOT_A_POSTCODE,
    NOT_IN_DIRECTORY,
    household_places,
    place_of,
)


@pytest.fixture
def nspl(tmp_path):
    return write(tmp_path / "NSPL_MAY_2025_UK.csv", nspl_text())


def test_a_synthetic_nspl_file_loads_as_a_job_and_places_a_postcode(load_postcodes, nspl):
    run = load_postcodes(nspl, name="NSPL May 2025")

    assert run.status is JobRunStatus.DONE, run.error
    assert (run.done, run.total) == (3, 3)
    place = place_of(postcode="pr15xx")
    assert (place.postcode, place.ward, place.lsoa, place.lad) == (
        "PR1 5XX",
        "E05012345",
        "E01025300",
        PRESTON,
    )
    assert place.directory == "NSPL May 2025"
    assert place.imd_decile is None


def test_a_members_postcode_maps_to_its_ward_lsoa_and_decile(
    load_postcodes, load_imd, nspl, tmp_path, factory
):
    load_postcodes(nspl)
    run = load_imd(write(tmp_path / "iod2025.csv", iod_text(2021, 2024)), year=2025)
    assert run.status is JobRunStatus.DONE, run.error

    membership = factory.membership(coop=factory.coop(), postcode="PR1 5XX")
    place = household_places(memberships=[membership])[membership.id]

    assert (place.ward, place.lsoa, place.imd_decile) == ("E05012345", "E01025300", 1)
    assert place.deprived
    assert place.imd_edition == "English Indices of Deprivation 2025"


def test_an_onspd_file_with_2011_lsoas_takes_iod_2019(load_postcodes, load_imd, tmp_path):
    run = load_postcodes(write(tmp_path / "ONSPD_FEB_2020_UK.csv", onspd_text()))
    assert run.status is JobRunStatus.DONE, run.error
    assert run_result_vintage(run) == 2011

    run = load_imd(write(tmp_path / "iod2019.csv", iod_text(2011, 2019)), year=2019)

    assert run.status is JobRunStatus.DONE, run.error
    assert place_of(postcode="BB1 1AA").imd_decile == 3
    assert place_of(postcode="BB1 1AA").lad == BLACKBURN


def run_result_vintage(run) -> int:
    import json

    return json.loads(run.result)["lsoa_vintage"]


def test_a_new_edition_replaces_the_old_one_whole(load_postcodes, nspl, tmp_path):
    load_postcodes(nspl, name="NSPL Feb 2025")
    moved = [
        ("PR1 5XX", "E05099999", "E01025300", PRESTON),
        ("PR3 2XX", "E05012347", "E01025302", PRESTON),
    ]

    run = load_postcodes(write(tmp_path / "newer.csv", nspl_text(moved)), name="NSPL May 2025")

    assert run.status is JobRunStatus.DONE, run.error
    assert count_rows(PostcodeEdition) == 1
    assert count_rows(Postcode) == 2
    assert place_of(postcode="PR1 5XX").ward == "E05099999"
    assert "not in the postcode directory" in refusal_message(lambda: place_of(postcode="PR2 9XX"))


def test_the_zip_the_ons_ships_is_read_from_its_data_file(load_postcodes, tmp_path):
    path = tmp_path / "NSPL_MAY_2025.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Documents/NSPL User Guide.csv", "a,b\n1,2\n")
        archive.writestr("Data/NSPL_MAY_2025_UK.csv", nspl_text())

    run = load_postcodes(path)

    assert run.status is JobRunStatus.DONE, run.error
    assert place_of(postcode="PR2 9XX").ward == "E05012346"


def _missing_column() -> bytes:
    return nspl_text().replace("wd25cd", "ward_name").encode()


def _latin1() -> bytes:
    lines = nspl_text().encode().split(b"\r\n")
    lines[2] = lines[2].replace(b"E05012346", b"E05012346\xe9")
    return b"\r\n".join(lines)


def _truncated() -> bytes:
    return nspl_text().encode()[:-60]


def _bad_postcode() -> bytes:
    return nspl_text().replace("BB1 1AA", "BB1 1A").encode()


def _duplicate() -> bytes:
    return nspl_text([*PLACES, PLACES[0]]).encode()


@pytest.mark.parametrize(
    "content, message",
    [
        (_missing_column, "Line 1: This is not a postcode directory file (NSPL or ONSPD)"),
        (_latin1, "Line 3: This line is not UTF-8 text"),
        (_truncated, "Line 4: This line has"),
        (_bad_postcode, "Line 4: “BB1 1A” is not a postcode."),
        (_duplicate, "A postcode is in the file twice"),
        (lambda: b"", "The file is empty"),
        (lambda: (",".join(NSPL_HEADER) + "\r\n").encode(), "no postcodes"),
    ],
    ids=[
        "missing column",
        "not utf-8",
        "truncated",
        "bad postcode",
        "duplicate",
        "empty",
        "header only",
    ],
)
def test_a_bad_postcode_file_is_refused_and_the_edition_before_stays(
    load_postcodes, nspl, tmp_path, content, message
):
    load_postcodes(nspl, name="NSPL Feb 2025")

    run = load_postcodes(write(tmp_path / "bad.csv", content()), name="NSPL May 2025")

    assert run.status is JobRunStatus.FAILED
    assert run.error.startswith(message) if message.startswith("Line") else message in run.error
    assert count_rows(PostcodeEdition) == 1
    assert count_rows(Postcode) == 3
    assert place_of(postcode="PR1 5XX").directory == "NSPL Feb 2025"


def test_an_iod_file_of_other_lsoas_than_its_edition_is_refused(
    load_postcodes, load_imd, nspl, tmp_path
):
    load_postcodes(nspl)

    run = load_imd(write(tmp_path / "iod2019.csv", iod_text(2011, 2019)), year=2025)

    assert run.status is JobRunStatus.FAILED
    assert "IoD 2025 is published for 2021 LSOAs, but this file's LSOA codes are 2011" in run.error
    assert count_rows(ImdEdition) == 0
    assert count_rows(ImdDecile) == 0


def test_an_iod_edition_of_other_lsoas_than_the_postcodes_is_refused(
    load_postcodes, load_imd, nspl, tmp_path
):
    load_postcodes(nspl)

    message = refusal_message(
        lambda: load_imd(write(tmp_path / "iod2019.csv", iod_text(2011, 2019)), year=2019)
    )

    assert "uses 2021 LSOAs and IoD 2019 is for 2011 LSOAs: they cannot be mixed" in message
    assert count_rows(ImdEdition) == 0


def test_a_bad_decile_is_refused_with_its_line_and_the_deciles_before_stay(
    load_postcodes, load_imd, nspl, tmp_path
):
    load_postcodes(nspl)
    load_imd(write(tmp_path / "iod.csv", iod_text()))

    run = load_imd(write(tmp_path / "bad.csv", iod_text(deciles={"E01025300": 4, "E01025301": 11})))

    assert run.status is JobRunStatus.FAILED
    assert run.error.startswith("Line 3: The IMD decile “11” is not a whole number from 1 to 10.")
    assert count_rows(ImdEdition) == 1
    assert place_of(postcode="PR1 5XX").imd_decile == 1


def test_an_unknown_or_malformed_postcode_gets_a_clear_message(load_postcodes, nspl):
    load_postcodes(nspl)

    assert refusal_message(lambda: place_of(postcode="PR1 1ZZ"), field="postcode").startswith(
        "PR1 1ZZ is not in the postcode directory"
    )
    assert "is not a UK postcode" in refusal_message(lambda: place_of(postcode="hello"))
    assert NOT_A_POSTCODE != NOT_IN_DIRECTORY


def test_the_uploaded_file_is_removed_once_its_load_ends(load_postcodes, upload_folder, nspl):
    upload_folder.mkdir(parents=True, exist_ok=True)
    upload = upload_folder / "upload.csv"
    upload.write_bytes(nspl.read_bytes())

    load_postcodes(upload)

    assert not upload.exists()
    assert nspl.exists()  # a file given by path is the admin's own, and stays
