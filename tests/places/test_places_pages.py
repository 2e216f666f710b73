"""The platform admin's postcode data page, the CLI loads, and where places show."""

from __future__ import annotations

import io
import re

from support import count_rows, field_error, layout_problems, text

from coop.demo.places import PLACES, PRESTON, iod_text, nspl_text, write
from coop.domain.roles import Role
from coop.extensions import db
from coop.models import JobRun, JobRunStatus, PostcodeEdition, Supplier


def _upload(client, route, field, content: str | bytes, filename: str, **data):
    body = content.encode() if isinstance(content, str) else content
    return client.post(
        f"/platform/places/{route}",
        data={field: (io.BytesIO(body), filename), **data},
        content_type="multipart/form-data",
    )


def _run_of(response) -> JobRun:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    match = re.fullmatch(r".*/jobs/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    db.session.expire_all()
    run = db.session.get(JobRun, int(match[1]))
    assert run is not None
    return run


def test_the_synthetic_files_load_as_jobs_through_the_platform_page(client, as_admin):
    response = _upload(
        client,
        "postcodes",
        "postcode_file",
        nspl_text(),
        "NSPL_MAY_2025_UK.csv",
        name="NSPL May 2025",
    )
    run = _run_of(response)
    page = text(client.get(f"/jobs/{run.id}"))
    assert run.status is JobRunStatus.DONE, run.error
    assert "Done" in page and "NSPL May 2025" in page and "3 of 3 rows" in page

    run = _run_of(
        _upload(client, "imd", "imd_file", iod_text(), "File_7_IoD2025.csv", edition="2025")
    )
    assert run.status is JobRunStatus.DONE, run.error
    assert "English Indices of Deprivation 2025" in text(client.get(f"/jobs/{run.id}"))

    response = client.get("/platform/places/?postcode=PR1+5XX")
    assert not layout_problems(response.get_data(as_text=True))
    page = text(response)
    assert "NSPL May 2025: 3 postcodes, 2021 LSOAs" in page
    assert re.search(r"<dt>Ward</dt><dd>E05012345</dd>", page)
    assert "1 (English Indices of Deprivation 2025; 1 is the most deprived tenth)" in page


def test_a_refused_file_shows_its_line_on_the_status_page_and_nothing_is_loaded(client, as_admin):
    truncated = nspl_text()[:-60]

    run = _run_of(_upload(client, "postcodes", "postcode_file", truncated, "NSPL.csv"))

    page = text(client.get(f"/jobs/{run.id}"))
    assert "Failed" in page and "Line 4: This line has" in page
    assert "Nothing of this file was loaded" in page
    assert count_rows(PostcodeEdition) == 0


def test_an_iod_file_before_any_postcodes_is_refused_at_the_edition(
    client, as_admin, upload_folder
):
    response = _upload(client, "imd", "imd_file", iod_text(), "iod.csv", edition="2025")

    assert response.status_code == 400
    assert "Load the postcode directory first" in field_error(text(response), "edition")
    assert list(upload_folder.iterdir()) == []


def test_a_file_that_is_not_csv_or_zip_is_refused_at_its_field(client, as_admin):
    response = _upload(client, "postcodes", "postcode_file", "x", "nspl.xlsx")

    assert response.status_code == 400
    assert "Choose the CSV file" in field_error(text(response), "postcode_file")


def test_an_unknown_or_malformed_postcode_is_told_on_the_lookup(
    client, as_admin, load_postcodes, tmp_path
):
    load_postcodes(write(tmp_path / "nspl.csv", nspl_text()))

    assert "PR9 9ZZ is not in the postcode directory" in field_error(
        text(client.get("/platform/places/?postcode=PR9+9ZZ")), "postcode"
    )
    assert "is not a UK postcode" in field_error(
        text(client.get("/platform/places/?postcode=12345")), "postcode"
    )


def test_the_postcode_upload_takes_a_file_larger_than_other_uploads(app, client, as_admin):
    app.config["PLACES_UPLOAD_MAX_BYTES"] = app.config["MAX_CONTENT_LENGTH"] * 2
    rows = [
        (f"PR{n // 4000 + 1} {n % 10}{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}", *PLACES[0][1:])
        for n in range(0, 4000 * 9)
    ]
    big = nspl_text(list(dict.fromkeys(rows)))
    big = big + "\r\n" * max(0, app.config["MAX_CONTENT_LENGTH"] + 1 - len(big))
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]

    # Raw bodies: the test client would spool a body it builds to a file it never closes.
    body = (
        b'--x\r\nContent-Disposition: form-data; name="postcode_file"; filename="NSPL.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + big.encode() + b"\r\n--x--\r\n"
    )
    run = _run_of(
        client.post(
            "/platform/places/postcodes", data=body, content_type="multipart/form-data; boundary=x"
        )
    )

    assert run.status is JobRunStatus.DONE, run.error
    other = client.post(
        "/platform/councils/new", data=body, content_type="multipart/form-data; boundary=x"
    )
    assert other.status_code == 413


def test_people_other_than_platform_admins_cannot_load_files(client, auth, factory):
    coop = factory.coop()
    auth.login_as(factory.member(coop, Role.COORDINATOR))

    assert client.get("/platform/places/").status_code == 403
    assert _upload(client, "postcodes", "postcode_file", nspl_text(), "n.csv").status_code == 403
    assert count_rows(PostcodeEdition) == 0


def test_the_cli_loads_the_postcode_directory_and_the_deciles(runner, tmp_path):
    nspl = write(tmp_path / "NSPL_MAY_2025_UK.csv", nspl_text())
    result = runner.invoke(args=["load-postcodes", str(nspl), "--name", "NSPL May 2025"])
    assert result.exit_code == 0, result.output
    assert "Loaded 3 postcodes of NSPL May 2025 (2021 LSOAs)." in result.output

    iod = write(tmp_path / "iod2025.csv", iod_text())
    result = runner.invoke(args=["load-imd", str(iod), "--edition", "2025"])
    assert result.exit_code == 0, result.output
    assert (
        "Loaded the IMD deciles of 3 LSOAs from English Indices of Deprivation 2025."
        in result.output
    )


def test_the_cli_refuses_an_iod_edition_of_other_lsoas(runner, load_postcodes, tmp_path):
    load_postcodes(write(tmp_path / "nspl.csv", nspl_text()))
    iod = write(tmp_path / "iod2019.csv", iod_text(2011, 2019))

    result = runner.invoke(args=["load-imd", str(iod), "--edition", "2019"])

    assert result.exit_code != 0
    assert "they cannot be mixed" in result.output


def test_the_cli_refuses_a_truncated_file_with_its_line(runner, tmp_path):
    nspl = write(tmp_path / "nspl.csv", nspl_text()[:-60])

    result = runner.invoke(args=["load-postcodes", str(nspl)])

    assert result.exit_code != 0
    assert "Line 4: This line has" in result.output
    assert count_rows(PostcodeEdition) == 0


def test_a_supplier_in_the_councils_area_shows_as_local(
    client, auth, factory, load_postcodes, tmp_path
):
    load_postcodes(write(tmp_path / "nspl.csv", nspl_text()))
    coop = factory.coop(council=factory.council(gss_code=PRESTON))
    auth.login_as(factory.member(coop, Role.COORDINATOR))
    near = Supplier(coop=coop, name="Grower nearby", postcode="PR2 9XX")
    far = Supplier(coop=coop, name="Wholesaler away", postcode="BB1 1AA")
    db.session.add_all([near, far])
    db.session.commit()

    assert "Wholesaler, local (its postcode is in the council's area)" in text(
        client.get(f"/coops/{coop.slug}/admin/suppliers/{near.id}/")
    )
    assert ", local" not in text(client.get(f"/coops/{coop.slug}/admin/suppliers/{far.id}/"))


def test_coordinators_see_a_households_ward_and_decile_beside_its_postcode(
    client, auth, factory, load_postcodes, load_imd, tmp_path
):
    load_postcodes(write(tmp_path / "nspl.csv", nspl_text()))
    load_imd(write(tmp_path / "iod.csv", iod_text()))
    coop = factory.coop()
    auth.login_as(factory.member(coop, Role.COORDINATOR))
    membership = factory.membership(coop=coop, postcode="PR2 9XX")

    page = text(client.get(f"/coops/{coop.slug}/admin/members/{membership.id}"))

    assert "<dt>Ward and LSOA</dt><dd>E05012346, E01025301</dd>" in page
    assert "7 of 10 (English Indices of Deprivation 2025" in page
