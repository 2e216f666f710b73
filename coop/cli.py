"""Command-line commands: ``flask --app coop COMMAND``.

Each command runs one transaction: it commits once when everything worked,
and a service's refusal becomes a plain error message with nothing written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from coop.demo import seed as demo
from coop.domain.catalogue_files import AUTO, FORMATS, MAPPED
from coop.domain.roles import JoiningPolicy
from coop.extensions import db
from coop.models import Coop, Supplier
from coop.models.coops import DEFAULT_HOUSEHOLD_CAP
from coop.services.catalogue.export import (
    EXPORT_FORMATS,
    XLSX,
    catalogue_supplier_named,
    export_file,
)
from coop.services.catalogue.feed_pull import pull_catalogue
from coop.services.catalogue.import_files import parse_vat_map
from coop.services.catalogue.imports import (
    ImportPreview,
    apply_import,
    check_import_size,
    own_supplier_named,
    preview_import,
)
from coop.services.catalogue.products import SupplierDetails, create_supplier
from coop.services.errors import ServiceError
from coop.services.jobs import JobFunction, enqueue, function_path, run_job, work
from coop.services.mail import outbox_due, requeue_stale_claims, send_outbox
from coop.services.notices.deadlines import deadline_near, rounds_near_deadline
from coop.services.notices.owing import coops_reminding_owing, owing_reminders
from coop.services.people.admins import create_platform_admin
from coop.services.people.coops import appoint_coordinator, coop_by_slug, create_coop
from coop.services.people.councils import (
    appoint_officer,
    council_by_gss_code,
    create_council,
    set_successor,
)
from coop.services.people.logins import any_old_logins, forget_old_logins
from coop.services.places.loading import (
    load_imd_job,
    load_postcodes_job,
    start_imd_load,
    start_postcode_load,
)
from coop.services.progress import job_run, run_result
from coop.services.rounds.closing import close_round
from coop.services.rounds.lifecycle import due_rounds, open_round
from coop.services.support.due import remind_officers, reminders_due
from coop.web.links import order_link

DATE = click.DateTime(formats=["%Y-%m-%d"])


@contextmanager
def one_transaction(*, keep: bool = True) -> Iterator[None]:
    """Commit what the block did, or roll it back and report a service's refusal.

    With *keep* false (a dry run) the block's work is rolled back even when it succeeds.
    """
    try:
        yield
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    if keep:
        db.session.commit()
    else:
        db.session.rollback()


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@click.command("create-admin")
@with_appcontext
@click.option("--email", required=True, help="The admin's email address.")
@click.option("--name", required=True, help="The admin's name.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for (twice) when not given.",
)
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a platform admin account."""
    with one_transaction():
        user = create_platform_admin(email=email, name=name, password=password)
    click.echo(f"Created platform admin {user.email}.")


@click.command("create-council")
@with_appcontext
@click.option("--name", required=True, help="The council's name.")
@click.option("--gss", "gss_code", required=True, help="Its GSS code, e.g. E07000123.")
@click.option("--valid-from", required=True, type=DATE, help="YYYY-MM-DD")
@click.option("--valid-to", type=DATE, help="YYYY-MM-DD, when the council is replaced.")
@click.option(
    "--replaces",
    "replaces",
    multiple=True,
    help="GSS code of a council this one replaces (repeat for each); it ends the day before.",
)
def create_council_command(
    name: str,
    gss_code: str,
    valid_from: datetime,
    valid_to: datetime | None,
    replaces: tuple[str, ...],
) -> None:
    """Create a council, and record which councils it replaces."""
    with one_transaction():
        council = create_council(
            name=name, gss_code=gss_code, valid_from=valid_from.date(), valid_to=_day(valid_to)
        )
        for code in replaces:
            set_successor(council=council_by_gss_code(gss_code=code), successor=council)
    click.echo(f"Created council {council.name} ({council.gss_code}).")
    for code in replaces:
        click.echo(f"It replaces {code.strip().upper()}.")


@click.command("create-coop")
@with_appcontext
@click.option("--name", required=True, help="The co-op's name.")
@click.option("--slug", required=True, help="Its web address, e.g. fishwick-food.")
@click.option("--council", "gss_code", help="GSS code of the council it belongs to.")
@click.option("--from", "council_from", type=DATE, help="YYYY-MM-DD it joins the council.")
@click.option("--cap", default=DEFAULT_HOUSEHOLD_CAP, show_default=True, type=click.IntRange(1))
@click.option(
    "--policy",
    type=click.Choice([policy.value for policy in JoiningPolicy]),
    default=JoiningPolicy.APPROVAL.value,
    show_default=True,
)
@click.option("--pickup", default="", help="Where households collect their orders.")
@click.option("--coordinator", help="Email of an existing account to make coordinator.")
def create_coop_command(
    name: str,
    slug: str,
    gss_code: str | None,
    council_from: datetime | None,
    cap: int,
    policy: str,
    pickup: str,
    coordinator: str | None,
) -> None:
    """Create a co-op, optionally in a council and with its first coordinator."""
    with one_transaction():
        coop = create_coop(
            name=name,
            slug=slug,
            pickup_address=pickup,
            household_cap=cap,
            joining_policy=JoiningPolicy(policy),
            council=council_by_gss_code(gss_code=gss_code) if gss_code else None,
            council_from=_day(council_from),
            coordinator_email=coordinator,
        )
    click.echo(f"Created co-op {coop.name} at /coops/{coop.slug}/.")


@click.command("appoint-coordinator")
@with_appcontext
@click.option("--coop", "slug", required=True, help="The co-op's slug.")
@click.option("--email", required=True, help="Email of an existing account.")
def appoint_coordinator_command(slug: str, email: str) -> None:
    """Make a person a coordinator of a co-op."""
    with one_transaction():
        membership = appoint_coordinator(coop=coop_by_slug(slug=slug), email=email)
    click.echo(f"{membership.user.name} is now a coordinator of {membership.coop.name}.")


@click.command("appoint-officer")
@with_appcontext
@click.option("--council", "gss_code", required=True, help="The council's GSS code.")
@click.option("--email", required=True, help="Email of an existing account.")
def appoint_officer_command(gss_code: str, email: str) -> None:
    """Make a person an officer of a council."""
    with one_transaction():
        officer = appoint_officer(council=council_by_gss_code(gss_code=gss_code), email=email)
    click.echo(f"{officer.user.name} is now an officer of {officer.council.name}.")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Load nothing when any account exists.")
@click.option(
    "--history/--no-history",
    default=True,
    help="With the council's year of history (the default), or just a few weeks (quicker).",
)
def seed_demo_command(if_empty: bool, history: bool) -> None:
    """Load demo data (a council, its co-ops, people) and print the demo logins."""
    if if_empty and demo.has_accounts():
        click.echo("The database already has accounts, so no demo data was loaded.")
        logins = demo.existing_demo_logins()
        if logins:
            _print_logins(logins)
        return
    with one_transaction():
        loaded = demo.load_demo_data(history=history)
    click.echo("Demo data loaded.")
    _print_logins(loaded.logins)
    if loaded.history_households:
        click.echo(
            f"\nThe year of history has {loaded.history_rounds} settled rounds and "
            f"{loaded.history_households} more households, such as {loaded.history_example}; "
            f"they log in with the members' password, {demo.MEMBER_PASSWORD}."
        )
    click.echo(
        f"\nAn open invitation to {loaded.invitation_coop} (after the site's address, "
        f"e.g. http://127.0.0.1:5000): /join/{loaded.invitation_token}"
    )


def _print_logins(logins: list[demo.DemoLogin]) -> None:
    rows = [("Email", "Role", "Password"), *((x.email, x.role, x.password) for x in logins)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    click.echo("\nDemo logins (for trying coop only; never use these passwords for real):")
    for n, row in enumerate(rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())
        if n == 0:
            click.echo("  ".join("-" * width for width in widths))


class VatMap(click.ParamType):
    """``--vat-map 7=5,19=20``: each of a file's foreign VAT rates and the UK rate it becomes."""

    name = "RATE=UK,..."

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, dict):
            return value
        try:
            return parse_vat_map(str(value))
        except ServiceError as refused:
            self.fail(refused.message, param, ctx)


@click.command("import-catalogue")
@with_appcontext
@click.option("--coop", "slug", required=True, help="The co-op's slug.")
@click.option("--supplier", "supplier_name", required=True, help="The supplier's name.")
@click.option(
    "--create-supplier",
    is_flag=True,
    help="Create the supplier in the co-op when it has none of that name.",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice([AUTO, *FORMATS]),
    default=AUTO,
    show_default=True,
    help="The file's layout: auto (told from its header), coop, foodsoft, ofn (Open Food "
    "Network's product import) or mapped (the supplier's own columns, through the mapping "
    "saved on the supplier).",
)
@click.option("--sheet", help="The sheet of a workbook to read (the first by default).")
@click.option(
    "--vat-map",
    "vat_map",
    type=VatMap(),
    default="",
    help="Map the file's VAT rates that are not UK rates, e.g. 7=5,19=20 (each to 0, 5 or 20).",
)
@click.option(
    "--mark-missing-unavailable",
    is_flag=True,
    help="Mark the supplier's products that the file leaves out as unavailable.",
)
@click.option("--dry-run", is_flag=True, help="Show what the file would change; write nothing.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_catalogue_command(
    slug: str,
    supplier_name: str,
    create_supplier: bool,
    format_name: str,
    sheet: str | None,
    vat_map: dict[int, int],
    mark_missing_unavailable: bool,
    dry_run: bool,
    file: Path,
) -> None:
    """Import a supplier's price list from FILE: CSV, .xlsx, .xls or .ods.

    The kind of file is told from its content, not its name, and its layout
    from its header unless --format says it. Every row is checked first: a
    file with any refused row, an unknown layout or a VAT rate that is not
    mapped writes nothing, lists why, and exits with status 1. Meant for
    scripts and cron, e.g. every Monday at 06:00:

    \b
        0 6 * * 1  cd /srv/coop && flask --app coop import-catalogue \\
            --coop fishwick --supplier "Greens" --vat-map 7=5,19=20 prices.xlsx
    """
    # A dry run keeps nothing, not even the stored upload or a new supplier.
    with one_transaction(keep=not dry_run):
        coop = coop_by_slug(slug=slug)
        supplier, created = _import_supplier(coop, supplier_name, create=create_supplier)
        if format_name == MAPPED and not supplier.column_mapping:
            raise ServiceError(
                f"{supplier.name} has no saved column mapping. Import one of its files on the "
                "supplier's page once, mapping its columns, or leave out --format mapped."
            )
        check_import_size(size=file.stat().st_size)
        preview = preview_import(
            supplier=supplier,
            data=file.read_bytes(),
            filename=file.name,
            mark_missing_unavailable=mark_missing_unavailable,
            uploaded_by=None,
            format=format_name,
            sheet=sheet,
            vat_map=vat_map,
        )
        _refuse_unready(preview, supplier)
        _print_preview(preview)
        if preview.errors:
            raise ServiceError(
                f"Nothing was imported: {len(preview.errors)} "
                + ("row has errors." if len(preview.errors) == 1 else "rows have errors.")
            )
        if dry_run:
            if created:
                click.echo(f"The supplier {supplier.name} would be created in {coop.name}.")
            click.echo("Dry run: nothing was written.")
            return
        result = apply_import(import_id=preview.import_id, supplier=supplier, user=None)
    if created:
        # Only now that it is kept: a refused file or a dry run keeps no new supplier.
        click.echo(f"Created the supplier {supplier.name} in {coop.name}.")
    click.echo(
        f"Imported into {supplier.name}: {result.added} added, {result.changed} changed "
        f"({result.price_changes} with a new price), "
        f"{result.marked_unavailable} marked unavailable."
    )


def _import_supplier(coop: Coop, name: str, *, create: bool) -> tuple[Supplier, bool]:
    """The co-op's own supplier called *name*; with *create*, a new one when there is none."""
    try:
        return own_supplier_named(coop=coop, name=name), False
    except ServiceError:
        if not create:
            raise
    return create_supplier(coop=coop, details=SupplierDetails(name=name)), True


def _refuse_unready(preview: ImportPreview, supplier: Supplier) -> None:
    """Refuse a file whose columns are not known, or whose VAT rates are not all mapped."""
    if preview.needs_mapping:
        columns = ", ".join(preview.header) or "none"
        raise ServiceError(
            "The file's columns are not a layout coop knows (coop's own, Foodsoft's or Open "
            f"Food Network's), and {supplier.name} has no saved column mapping that fits them "
            f"(its columns: {columns}). Import it once on the supplier's page, mapping its "
            "columns; later files of the same columns then import here."
        )
    if preview.foreign_vat_rates:
        rates = ", ".join(f"{rate}%" for rate in preview.foreign_vat_rates)
        example = ",".join(f"{rate}=20" for rate in preview.foreign_vat_rates)
        raise ServiceError(
            f"The file has VAT rates that are not UK rates: {rates}. Say which UK rate (0, 5 "
            f"or 20) each one is with --vat-map, e.g. --vat-map {example}."
        )


def _print_preview(preview: ImportPreview) -> None:
    missing = len(preview.missing)
    fate = " (to be marked unavailable)" if preview.mark_missing_unavailable else " (kept)"
    sheet = f", sheet '{preview.sheet}'" if preview.sheet else ""
    click.echo(
        f"{preview.filename}: {preview.kind_label}{sheet}, {preview.format_label}, "
        f"{preview.row_count} rows."
    )
    click.echo(f"  To add:              {len(preview.additions)}")
    click.echo(
        f"  To change:           {len(preview.changes)} ({preview.price_changes} with a new price)"
    )
    click.echo(f"  Unchanged:           {preview.unchanged}")
    click.echo(f"  Missing from file:   {missing}{fate if missing else ''}")
    click.echo(f"  Rows with errors:    {len(preview.errors)}")
    if preview.vat_map:
        mapped = ", ".join(f"{rate}% as {uk}%" for rate, uk in sorted(preview.vat_map.items()))
        click.echo(f"  VAT rates mapped:    {mapped}")
    if preview.unkept:
        click.echo(f"  Columns not kept:    {', '.join(preview.unkept)}")
    for line, note in sorted(preview.notes.items()):
        click.echo(f"Line {line}: {note}")
    for error in preview.errors:
        click.echo(f"Line {error.line}: {error.message}", err=True)


@click.command("export-catalogue")
@with_appcontext
@click.option("--coop", "slug", required=True, help="The co-op's slug.")
@click.option(
    "--supplier",
    "supplier_name",
    required=True,
    help="The supplier's name: one the co-op keeps or subscribes to.",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(EXPORT_FORMATS)),
    default="coop",
    show_default=True,
    help="coop: coop's own CSV; foodsoft: Foodsoft 5's article CSV; foodsoft4: Foodsoft 4's; "
    "xlsx: an Excel workbook with the columns of coop's CSV.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the file here rather than to standard output.",
)
def export_catalogue_command(
    slug: str, supplier_name: str, format_name: str, output: Path | None
) -> None:
    """Write a supplier's catalogue to standard output, or to a file with -o.

    An import of coop's CSV or of the workbook changes nothing. A workbook
    is not sent to a terminal: give -o, or redirect standard output.

    \b
        flask --app coop export-catalogue --coop fishwick --supplier "Greens" \\
            --format foodsoft -o greens-foodsoft.csv
    """
    stdout = sys.stdout.buffer
    if format_name == XLSX and output is None and stdout.isatty():
        raise click.UsageError(
            "An .xlsx workbook is not text for a terminal: give -o FILE, "
            "e.g. -o catalogue.xlsx, or redirect standard output to a file."
        )
    with one_transaction(keep=False):
        supplier = catalogue_supplier_named(coop=coop_by_slug(slug=slug), name=supplier_name)
        content = export_file(supplier=supplier, format=format_name)
        name = supplier.name
    data = content.encode() if isinstance(content, str) else content
    if output is None:
        stdout.write(data)
        stdout.flush()
        return
    output.write_bytes(data)
    click.echo(f"Wrote the catalogue of {name} to {output} ({len(data):,} bytes).")


@click.command("pull-catalogue")
@with_appcontext
@click.option("--coop", "slug", required=True, help="The slug of the co-op that keeps the copy.")
@click.option(
    "--url",
    required=True,
    help="The feed's address, e.g. https://coop.example.org/api/catalogues/12.json.",
)
@click.option(
    "--token",
    required=True,
    envvar="COOP_FEED_TOKEN",
    help="The feed token the sharing co-op made for you. COOP_FEED_TOKEN in the "
    "environment does as well and keeps the token out of the list of processes.",
)
@click.option(
    "--supplier",
    "supplier_name",
    help="Keep the copy in the co-op's supplier of this name (created when missing). "
    "By default: the supplier pulled from this address before, or a new one named as "
    "the feed names it.",
)
@click.option(
    "--keep-missing",
    is_flag=True,
    help="Leave products the feed no longer lists as they are, rather than marking them "
    "unavailable.",
)
def pull_catalogue_command(
    slug: str, url: str, token: str, supplier_name: str | None, keep_missing: bool
) -> None:
    """Copy a catalogue another coop instance shares through its signed JSON feed.

    The first run creates the supplier in the co-op, noting the address in
    its notes; each later run brings its products up to date with the feed
    (new products, prices, availability) in one transaction, or writes
    nothing when the feed cannot be read or checked. Meant to run from cron
    to keep the copy current, e.g. every night at 03:15:

    \b
        15 3 * * *  cd /srv/coop && COOP_FEED_TOKEN=... flask --app coop \\
            pull-catalogue --coop ribbleton --url https://.../api/catalogues/12.json
    """
    with one_transaction():
        result = pull_catalogue(
            coop=coop_by_slug(slug=slug),
            url=url,
            token=token,
            supplier_name=supplier_name,
            mark_missing_unavailable=not keep_missing,
        )
        name = result.supplier.name
    if result.created:
        click.echo(f"Created the supplier {name}, pulled from {url}.")
    source = f" ({result.published_by})" if result.published_by else ""
    click.echo(
        f"Pulled into {name}{source}: {result.added} added, {result.changed} changed "
        f"({result.price_changes} with a new price), "
        f"{result.marked_unavailable} marked unavailable."
    )


@click.command("tick")
@with_appcontext
def tick_command() -> None:
    """Open and close the rounds whose time has come; safe to run every minute from cron.

    Each round is its own transaction: one that cannot open (no items, say)
    is reported and left as it is, and the others go ahead. A round another
    process has just closed is skipped. Logins that have ended or run out are
    then forgotten, and the outbox is sent when a message is due: one a sender
    claimed and vanished with is put back first (never one already handed to
    the mail server), and one that waits after an error is tried again.

    The time-based notifications are written in between, each round's and
    each co-op's in a transaction of its own: the deadline reminders of the
    rounds inside their co-op's window, and the reminders to households that
    owe. Each household hears of each event once, so a second run sends
    nothing new and says nothing.
    """
    due = due_rounds()
    for action, round_ids in (("opened", due.to_open), ("closed", due.to_close)):
        for round_id in round_ids:
            try:
                with one_transaction():
                    if action == "opened":
                        open_round(round_id=round_id)
                    else:
                        close_round(round_id=round_id, by=None, link_for=order_link)
            except click.ClickException as refused:
                click.echo(f"Round {round_id} was not {action}: {refused.message}", err=True)
                continue
            click.echo(f"Round {round_id} {action}.")
    _time_based_notices()
    max_age = current_app.config["REMEMBER_COOKIE_DURATION"]
    if any_old_logins(max_age=max_age):  # most minutes there are none: no commit then
        with one_transaction():
            forgotten = forget_old_logins(max_age=max_age)
        click.echo(f"Forgot {forgotten} login(s) that had ended or run out.")
    # With the queue's Redis down, what would be queued waits for the next tick.
    unqueued: ServiceError | None = None
    try:
        _support_reminders()
    except ServiceError as refusal:
        unqueued = refusal
    if current_app.config.get("MAIL_SERVER"):
        with one_transaction():
            given_back = requeue_stale_claims()
        if given_back:
            click.echo(f"Put {given_back} message(s) back on the outbox's queue.")
        if outbox_due():
            try:
                enqueue(send_outbox, key="outbox")
            except ServiceError as refusal:
                unqueued = refusal
    if unqueued is not None:
        raise click.ClickException(
            f"{unqueued.message} The outbox and officers' reminders wait; "
            "a tick once it is back queues them."
        )


def _time_based_notices() -> None:
    """Write the deadline and owing reminders that are due, and say so when any were."""
    for round_id in rounds_near_deadline():
        with one_transaction():
            sent = deadline_near(round_id=round_id)
        if sent:
            click.echo(f"Round {round_id}: {sent} household(s) reminded that the deadline is near.")
    for coop_id in coops_reminding_owing():
        with one_transaction():
            sent = owing_reminders(coop_id=coop_id)
        if sent:
            click.echo(f"Co-op {coop_id}: {sent} household(s) reminded of what they owe.")


def _support_reminders() -> None:
    """Queue a reminder to officers for each thing due on a support record not yet told of.

    The key names the record, what is due and its date, so a reminder still
    waiting in the queue is not queued twice; the job itself records that it
    was sent, so a later tick sends nothing more.
    """
    for record_id, what, due_on in reminders_due():
        enqueue(
            remind_officers,
            key=f"support-{record_id}-{what}-{due_on:%Y%m%d}",
            record_id=record_id,
            what=what,
            due_on=due_on.isoformat(),
        )


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Run the jobs queued now, then exit.")
def worker_command(burst: bool) -> None:
    """Run jobs from the queue on Redis (REDIS_URL) until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: without it jobs run inline.")
    try:
        work(app, burst=burst)
    except ServiceError as refusal:
        raise click.ClickException(refusal.message) from refusal


def _run_here(job: JobFunction, run_id: int) -> dict[str, object]:
    """Run a load's job in this process (the file is here), then report how its run ended."""
    try:
        run_job(function_path(job), run_id=run_id)
    except Exception as error:
        raise click.ClickException(
            f"The load stopped on an error, so nothing was kept: {error}"
        ) from error
    db.session.expire_all()
    run = job_run(run_id=run_id)
    assert run is not None
    if run.error:
        raise click.ClickException(run.error)
    click.echo(f"Run {run.id}: {run.title} is done; its page is /jobs/{run.id}.")
    return run_result(run)


@click.command("load-postcodes")
@with_appcontext
@click.option(
    "--name", default="", help='The release, e.g. "NSPL May 2025" (default: the file\'s name).'
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_postcodes_command(name: str, file: Path) -> None:
    """Load the ONS postcode directory (NSPL or ONSPD, CSV or zip) and put it in use."""
    with one_transaction():
        run = start_postcode_load(source=file, name=name or file.stem, user=None)
    result = _run_here(load_postcodes_job, run.id)
    click.echo(
        f"Loaded {result['rows']:,} postcodes of {result['edition']} "
        f"({result['lsoa_vintage']} LSOAs)"
        + (f", replacing {result['replaced']}." if result.get("replaced") else ".")
    )


@click.command("load-imd")
@with_appcontext
@click.option(
    "--edition",
    "year",
    required=True,
    type=click.Choice(["2019", "2025"]),
    help="IoD 2019 (2011 LSOAs) or IoD 2025 (2021 LSOAs).",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_imd_command(year: str, file: Path) -> None:
    """Load the IMD deciles of the English Indices of Deprivation and put them in use."""
    with one_transaction():
        run = start_imd_load(source=file, year=int(year), user=None)
    result = _run_here(load_imd_job, run.id)
    click.echo(f"Loaded the IMD deciles of {result['rows']:,} LSOAs from {result['edition']}.")


COMMANDS = (
    create_admin_command,
    create_council_command,
    create_coop_command,
    appoint_coordinator_command,
    appoint_officer_command,
    seed_demo_command,
    import_catalogue_command,
    export_catalogue_command,
    pull_catalogue_command,
    tick_command,
    worker_command,
    load_postcodes_command,
    load_imd_command,
)


def register(app: Flask) -> None:
    """Attach the project's commands to the ``flask`` command."""
    for command in COMMANDS:
        app.cli.add_command(command)
