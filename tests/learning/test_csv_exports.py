"""Every spreadsheet export keeps a spreadsheet from running what people typed.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a
formula by spreadsheets (CSV injection, OWASP): in CSV files it gets a leading
`'`, whatever the value's type (text, a learner, a group…); numbers stay numbers.
In XLSX files such text is stored as text, never as a formula.

The names below are written straight to the database: the forms refuse them
today, but older rows (or an import) may still hold them.
"""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.functional import lazy
from openpyxl import load_workbook
from wagtail.log_actions import log

from learning.exports import csv_safe
from learning.models import Attendance, Group, Learner, Partner, Referral, TrainingSession
from tests.factories import (
    GroupFactory,
    PartnerFactory,
    ReferralFactory,
    StructureFactory,
    TrainingSessionFactory,
    UserFactory,
    learner,
    manager,
    staff_member,
)

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "equals": '=HYPERLINK("http://evil.example","Cliquez")',
    "plus": "+33 6 12 34 56 78+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "carriage_return": "\r=1+1",
}


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_cells(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv.reader(io.StringIO(body(response).decode("utf-8"), newline=""))
    return [cell for row in rows for cell in row]


def assert_inert(cells, payload):
    """The payload is in the file, behind a quote; nowhere as it was typed."""
    assert "'" + payload in cells, cells
    assert payload not in cells, cells


@pytest.fixture
def world():
    """A structure whose every name a trainer can type holds a formula."""

    class World:
        pass

    world = World()
    world.structure = StructureFactory(name="Antenne Nord")
    world.manager = staff_member(world.structure, role=manager)
    world.learner, _pictures = learner(structure=world.structure, first_name="Aminata")
    world.group = GroupFactory(structure=world.structure, name="Emploi du lundi")
    world.group.learners.add(world.learner)
    world.partner = PartnerFactory(structure=world.structure, name="CCAS de Roubaix")
    world.referral = ReferralFactory(learner=world.learner, partner=world.partner)
    world.session = TrainingSessionFactory(
        group=world.group, date=datetime.date.today() - datetime.timedelta(days=1)
    )
    Attendance.objects.create(
        session=world.session, learner=world.learner, status=Attendance.Status.PRESENT
    )
    return world


def poison(world, payload):
    """The payload in every name and free text the exports show."""
    Learner.objects.filter(pk=world.learner.pk).update(first_name=payload, last_initial="")
    Group.objects.filter(pk=world.group.pk).update(name=payload)
    Partner.objects.filter(pk=world.partner.pk).update(name=payload)
    Referral.objects.filter(pk=world.referral.pk).update(
        referent_name=payload, referent_contact=payload, needs=payload
    )
    TrainingSession.objects.filter(pk=world.session.pk).update(place=payload)
    for each in (world.learner, world.group, world.partner, world.referral, world.session):
        each.refresh_from_db()


# --- The one function ------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_any_text_starting_like_a_formula_gets_a_quote_whatever_its_type(world, payload):
    poison(world, payload)

    assert csv_safe(payload) == "'" + payload
    assert csv_safe(world.group) == "'" + payload  # a model instance
    assert csv_safe(lazy(lambda: payload, str)()) == "'" + payload  # a lazy translation


def test_numbers_and_ordinary_text_are_left_as_they_are():
    for number in (-3, 0, 2.5, -1.25, Decimal("-7.5"), True):
        assert csv_safe(number) == number
    assert csv_safe(None) is None
    assert csv_safe("Aminata") == "Aminata"
    assert csv_safe("'=déjà protégé") == "'=déjà protégé"
    assert csv_safe(datetime.date(2026, 1, 2)) == "2026-01-02"


# --- Every export, in CSV ----------------------------------------------------------------

LISTINGS = {
    "groupes": "group name",
    "seances": "group column, place",
    "orientations": "learner and partner columns, referent, needs",
    "partenaires": "partner name",
}


@pytest.mark.parametrize("prefix", LISTINGS)
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_the_admin_listings_csv_never_holds_a_live_formula(client, world, prefix, payload):
    poison(world, payload)
    client.force_login(world.manager)

    cells = csv_cells(client.get(f"/admin/{prefix}/", {"export": "csv"}))

    assert_inert(cells, payload)


def test_the_referrals_csv_cleans_the_learner_and_the_partner_columns(client, world):
    Learner.objects.filter(pk=world.learner.pk).update(first_name="=1+1", last_initial="")
    Partner.objects.filter(pk=world.partner.pk).update(name="@SUM(1)")
    client.force_login(world.manager)

    heading, row = csv.reader(
        io.StringIO(body(client.get("/admin/orientations/", {"export": "csv"})).decode())
    )

    assert row[heading.index("Apprenant")] == "'=1+1"
    assert row[heading.index("Partenaire")] == "'@SUM(1)"


def test_the_sessions_csv_cleans_the_group_column_and_keeps_numbers(client, world):
    Group.objects.filter(pk=world.group.pk).update(name="-1+1")
    client.force_login(world.manager)

    heading, row = csv.reader(
        io.StringIO(body(client.get("/admin/seances/", {"export": "csv"})).decode())
    )

    assert row[heading.index("Groupe")] == "'-1+1"
    assert row[heading.index("Durée (heures)")] == "2.5"
    assert row[heading.index("Présents")] == "1"


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_the_group_progress_export_never_holds_a_live_formula(client, world, payload):
    poison(world, payload)
    client.force_login(world.manager)

    url = reverse("group_export", args=[world.group.pk])
    cells = csv_cells(client.get(url, {"export": "csv"}))

    assert_inert(cells, payload)
    # The learner's figures stay plain numbers: present once, 2.5 hours.
    assert "'" + payload in cells and cells[-1] == "2.5"


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_the_structure_report_never_holds_a_live_formula(client, world, payload):
    poison(world, payload)
    Referral.objects.filter(pk=world.referral.pk).update(date=datetime.date.today())
    client.force_login(world.manager)
    today = datetime.date.today()

    cells = csv_cells(
        client.get(
            reverse("structure_report"),
            {
                "structure": world.structure.pk,
                "start": today.replace(month=1, day=1).isoformat(),
                "end": today.isoformat(),
                "export": "csv",
            },
        )
    )

    assert_inert(cells, payload)  # the group's and the partner's names
    assert cells.count("'" + payload) == 2


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_wagtails_site_history_csv_never_holds_a_live_formula(client, world, payload):
    poison(world, payload)
    log(world.group, "wagtail.edit", user=world.manager)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)

    cells = csv_cells(client.get("/admin/reports/site-history/", {"export": "csv"}))

    assert_inert(cells, payload)


# --- XLSX: text, never a formula --------------------------------------------------------


def xlsx_body(response):
    assert response.status_code == 200
    return body(response)


def assert_no_formula(content, payload):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name
    values = [
        cell.value
        for sheet in load_workbook(io.BytesIO(content))
        for row in sheet.iter_rows()
        for cell in row
    ]
    assert payload.strip("\t\r") in [str(v).strip("\t\r") for v in values if v is not None]


@pytest.mark.parametrize("payload", [PAYLOADS["equals"], PAYLOADS["at"], "=1+1"])
def test_every_xlsx_export_stores_formulas_as_text(client, world, payload):
    poison(world, payload)
    log(world.group, "wagtail.edit", user=world.manager)
    client.force_login(world.manager)
    today = datetime.date.today()

    for prefix in LISTINGS:
        assert_no_formula(xlsx_body(client.get(f"/admin/{prefix}/", {"export": "xlsx"})), payload)
    group_export = reverse("group_export", args=[world.group.pk])
    assert_no_formula(xlsx_body(client.get(group_export, {"export": "xlsx"})), payload)
    report = client.get(
        reverse("structure_report"),
        {
            "structure": world.structure.pk,
            "start": today.replace(month=1, day=1).isoformat(),
            "end": today.isoformat(),
            "export": "xlsx",
        },
    )
    assert_no_formula(xlsx_body(report), payload)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    history = client.get("/admin/reports/site-history/", {"export": "xlsx"})
    assert_no_formula(xlsx_body(history), payload)
