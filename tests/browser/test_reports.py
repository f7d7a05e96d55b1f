"""The structure report in a real browser: a manager opens it, changes the period,
reads the figures and downloads the XLSX file. With axe on the page."""

import datetime

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from learning.models import Attendance, Referral, Structure
from tests.browser.conftest import wait_until
from tests.factories import (
    GroupFactory,
    PartnerFactory,
    TrainingSessionFactory,
    learner,
    manager,
)

pytestmark = pytest.mark.browser

PASSWORD = "a long test password"


@pytest.fixture
def structure_with_a_spring(live_curriculum):
    """A structure whose only activity is one session in March 2025."""
    structure = Structure.objects.create(name="Antenne du Port")
    partner = PartnerFactory(structure=structure, name="France Travail Port", kind="france-travail")
    group = GroupFactory(structure=structure, name="Mardi matin")
    session = TrainingSessionFactory(
        group=group,
        date=datetime.date(2025, 3, 11),
        start_time=datetime.time(9, 0),
        end_time=datetime.time(12, 0),
    )
    for first_name, status in (("Inès", "present"), ("Omar", "retard"), ("Lou", "absent")):
        someone, _pictures = learner(structure=structure, first_name=first_name)
        group.learners.add(someone)
        Attendance.objects.create(session=session, learner=someone, status=status)
        Referral.objects.create(learner=someone, partner=partner, date=datetime.date(2025, 3, 1))
    return structure


def manager_signs_in(page, base_url, structure):
    user = manager(username="responsable@example.org")
    structure.members.add(user)
    page.goto(f"{base_url}/admin/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(f"{base_url}/admin/")
    return user


def axe_violations(page):
    # Colours are checked once Wagtail's short transitions are over.
    wait_until(
        page,
        "document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect.getComputedTiming().endTime > 5000)",
    )
    results = Axe().run(page)
    assert results.response["passes"], "axe checked nothing"
    return results.generate_report() if results.violations_count else ""


def test_a_manager_changes_the_period_and_downloads_the_xlsx(
    page, live_server, structure_with_a_spring, tmp_path
):
    base_url = live_server.url
    manager_signs_in(page, base_url, structure_with_a_spring)

    page.get_by_role("link", name="Rapport d'activité").click()
    expect(page.get_by_role("heading", name="Rapport d'activité")).to_be_visible()
    # This year so far: the spring of 2025 is not in it.
    start = page.get_by_label("Début de la période")
    expect(start).to_have_value(f"{datetime.date.today().year}-01-01")

    page.get_by_label("Début de la période").fill("2025-01-01")
    page.get_by_label("Fin de la période").fill("2025-06-30")
    page.get_by_role("button", name="Afficher les chiffres").click()

    key_figures = page.get_by_role("table", name="Chiffres clés")
    expect(key_figures.get_by_role("row", name="Apprenants actifs")).to_contain_text("2")
    # 3 hours for Inès (present) and 3 for Omar (late); Lou was absent.
    expect(key_figures.get_by_role("row", name="Heures de présence")).to_contain_text("6")
    months = page.get_by_role("table", name="Par mois")
    expect(months.get_by_role("row", name="Mars 2025")).to_contain_text("2")
    assert axe_violations(page) == ""

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tableur Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename == "rapport-antenne-du-port-2025-01-01-2025-06-30.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = openpyxl.load_workbook(saved)
    summary = {row[0].value: row[1].value for row in book["Chiffres clés"].iter_rows(min_row=2)}
    assert summary["Apprenants actifs"] == 2
    assert summary["Heures de présence"] == 6.0
    partners = [[cell.value for cell in row] for row in book["Par partenaire qui oriente"].rows]
    assert partners[1] == ["France Travail Port", "France Travail", 3, 2]


def test_a_wrong_period_is_explained_on_the_page(page, live_server, structure_with_a_spring):
    base_url = live_server.url
    manager_signs_in(page, base_url, structure_with_a_spring)
    page.goto(f"{base_url}/admin/rapport/")

    page.get_by_label("Début de la période").fill("2025-06-30")
    page.get_by_label("Fin de la période").fill("2025-01-01")
    page.get_by_role("button", name="Afficher les chiffres").click()

    expect(page.get_by_text("La date de début doit être avant la date de fin.")).to_be_visible()
    expect(page.get_by_role("link", name="Tableur Excel (XLSX)")).to_have_count(0)
    assert axe_violations(page) == ""
