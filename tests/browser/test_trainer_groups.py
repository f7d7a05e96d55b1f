"""A trainer's group in a real browser: create the group in the Wagtail admin, create
its 10 learners in one go and print their cards, plan a session and take attendance
for the 10 in under a minute, with one tap each. axe checks the custom pages; the
attendance also works without JavaScript."""

import datetime
import re
import time

import pytest
from playwright.sync_api import expect

from learning.models import Attendance, Group, Learner, TrainingSession
from modules.models import ParcoursPage
from tests.browser.test_accounts import TRAINER_PASSWORD, AxeAudit, trainer_signs_in
from tests.factories import GroupFactory, TrainingSessionFactory, learner, staff_member

pytestmark = pytest.mark.browser

NAMES = [
    "Fatou D", "Ali", "Marie-Claire B", "Jean Pierre", "Zoé",
    "Ibrahim K", "Ana", "Lou", "Nadia", "Éric",
]  # fmt: skip
# One tap each: most are present, a few are not.
TAPS = ["Présent"] * 7 + ["Absent", "En retard", "Excusé"]


@pytest.fixture
def structure(live_curriculum):
    from learning.models import Structure

    return Structure.objects.create(name="Antenne du Centre", help_phone="01 23 45 67 89")


def attendance_row(page, name):
    return page.locator("li.attendance-row").filter(
        has=page.locator("legend", has_text=re.compile(rf"^{re.escape(name)}$"))
    )


def test_a_trainer_creates_a_group_its_ten_learners_and_takes_attendance_in_under_a_minute(
    live_curriculum, page, structure
):
    base_url = live_curriculum.url
    user = trainer_signs_in(page, base_url, structure)
    parcours = ParcoursPage.objects.live().order_by("title").first()
    audit = AxeAudit(page)

    # 1. The group: a name, the structure, a parcours, its trainer.
    page.goto(f"{base_url}/admin/groupes/new/")
    page.locator("#id_name").fill("Emploi du mardi")
    page.locator("#id_structure").select_option(label=structure.name)
    page.locator("#id_parcours").select_option(label=parcours.title)
    page.get_by_label(user.username, exact=True).check()
    page.locator("#id_name").press("Enter")
    group = Group.objects.get(name="Emploi du mardi")
    assert group.parcours_id == parcours.pk and list(group.trainers.all()) == [user]
    # Saved: the group's page, with what to do next.
    expect(page).to_have_url(f"{base_url}/admin/groupes/inspect/{group.pk}/")
    audit.check("group page")

    # 2. Ten learners in one go.
    page.get_by_role("link", name="Créer des apprenants").click()
    expect(page).to_have_url(re.compile(r"/creer-apprenants/$"))
    audit.check("bulk creation")
    page.get_by_label("Prénoms, un par ligne").fill("\n".join(NAMES))
    page.get_by_role("button", name="Créer les comptes").click()
    expect(page).to_have_url(re.compile(r"/nouveaux-apprenants/\?id="))
    rows = page.locator("table.new-learners tbody tr")
    expect(rows).to_have_count(10)
    expect(rows.locator("ol li")).to_have_count(30)  # 3 pictures each, shown now
    created = list(group.learners.all())
    assert len(created) == 10
    for each in created:
        expect(page.locator("table.new-learners")).to_contain_text(each.display_code)
    audit.check("new learners")

    # One PDF of the ten cards, with their pictures.
    page.get_by_label("Imprimer les images").check()
    form = page.locator("form").filter(has=page.get_by_role("button", name="Toutes les cartes"))
    query = form.evaluate("f => new URLSearchParams(new FormData(f)).toString()")
    pdf = page.request.get(f"{base_url}/admin/apprenants/cartes.pdf?{query}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF") and query.count("id=") == 10

    # 3. A session, planned from the group's page.
    page.goto(f"{base_url}/admin/groupes/inspect/{group.pk}/")
    page.get_by_role("link", name="Nouvelle séance").click()
    expect(page.locator("#id_group")).to_have_value(str(group.pk))
    page.locator("#id_date").fill(f"{datetime.date.today():%Y-%m-%d}")
    page.locator("#id_start_time").fill("09:30")
    page.locator("#id_end_time").fill("12:00")
    page.locator("#id_place").fill("Salle 3")
    page.locator("#id_place").press("Enter")
    session = TrainingSession.objects.get(group=group)
    assert (session.start_time, session.end_time) == (datetime.time(9, 30), datetime.time(12))
    expect(page).to_have_url(f"{base_url}/admin/seances/inspect/{session.pk}/")

    # 4. Attendance: one tap per learner, each saved at once.
    page.get_by_role("link", name="Prendre les présences").click()
    expect(page.locator("li.attendance-row")).to_have_count(10)
    audit.check("attendance, nobody recorded yet")
    started = time.monotonic()
    for each, label in zip(created, TAPS, strict=True):
        row = attendance_row(page, each.display_name)
        row.locator("label", has_text=re.compile(rf"^{label}$")).click()
        expect(row.get_by_role("status")).to_have_text(f"Enregistré : {label}")
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"10 taps took {elapsed:.1f} s"
    audit.check("attendance, everyone recorded")

    statuses = dict(Attendance.objects.filter(session=session).values_list("learner_id", "status"))
    labels = dict(Attendance.Status.choices)
    assert {pk: str(labels[status]) for pk, status in statuses.items()} == {
        each.pk: label for each, label in zip(created, TAPS, strict=True)
    }
    # The page shows the same after a reload.
    page.reload()
    for each, label in zip(created, TAPS, strict=True):
        expect(
            attendance_row(page, each.display_name).get_by_label(label, exact=True)
        ).to_be_checked()

    # The attendance sheet of the session.
    sheet = page.request.get(f"{base_url}/admin/seances/{session.pk}/emargement.pdf")
    assert sheet.status == 200 and sheet.headers["content-type"] == "application/pdf"
    audit.assert_clean()


def test_the_group_and_session_pages_have_no_axe_violations_in_their_content(
    live_curriculum, page, structure
):
    """Wagtail's own pages (listing, edit, inspect) with our content in them."""
    base_url = live_curriculum.url
    user = trainer_signs_in(page, base_url, structure)
    group = GroupFactory(structure=structure, name="Initiation du jeudi")
    group.trainers.add(user)
    group.learners.add(*(learner(structure=structure, first_name=n)[0] for n in ("Ana", "Lou")))
    session = TrainingSessionFactory(group=group)
    audit = AxeAudit(page)
    for what, url in [
        ("group listing", "/admin/groupes/"),
        ("group page", f"/admin/groupes/inspect/{group.pk}/"),
        ("group form", f"/admin/groupes/edit/{group.pk}/"),
        ("session listing", "/admin/seances/"),
        ("session page", f"/admin/seances/inspect/{session.pk}/"),
        ("session form", f"/admin/seances/edit/{session.pk}/"),
    ]:
        page.goto(base_url + url)
        audit.check(what)
    audit.assert_clean()


def test_attendance_is_taken_without_javascript(live_curriculum, browser, browser_context_args):
    from learning.models import Structure

    structure = Structure.objects.create(name="Antenne sans script")
    user = staff_member(structure)
    group = GroupFactory(structure=structure)
    people = [learner(structure=structure, first_name=n)[0] for n in ("Ana", "Lou", "Zoé")]
    group.learners.add(*people)
    session = TrainingSessionFactory(group=group)
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_curriculum.url}/admin/login/")
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(TRAINER_PASSWORD)
        page.locator("#id_password").press("Enter")
        page.goto(f"{live_curriculum.url}/admin/seances/{session.pk}/presences/")

        attendance_row(page, "Lou").locator("label", has_text="Absent").click()
        page.get_by_role("button", name="Tous présents").click()

        expect(page.locator(".messages")).to_contain_text("Présences enregistrées.")
        statuses = dict(
            Attendance.objects.filter(session=session).values_list("learner__first_name", "status")
        )
        assert statuses == {"Ana": "present", "Lou": "absent", "Zoé": "present"}
        assert Learner.objects.filter(structure=structure).count() == 3
    finally:
        context.close()


def test_the_pages_that_keep_history_have_no_axe_violations(live_curriculum, page, structure):
    """What a manager sees instead of deleting a group or a séance that has
    attendance, an archived group, and a learner's access page with its PIN."""
    from learning import services
    from tests.factories import attendance, manager

    base_url = live_curriculum.url
    boss = staff_member(structure, role=manager, username="responsable@example.org")
    group = GroupFactory(structure=structure, name="Emploi du vendredi")
    person, _pictures = learner(structure=structure, first_name="Ana", pin="4821")
    group.learners.add(person)
    session = TrainingSessionFactory(group=group)
    attendance(session, person)
    ended = GroupFactory(structure=structure, name="Initiation de l'an dernier")
    services.group_archive(group=ended, by=boss)
    page.goto(f"{base_url}/admin/login/")
    page.locator("#id_username").fill(boss.username)
    page.locator("#id_password").fill(TRAINER_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(f"{base_url}/admin/")

    audit = AxeAudit(page)
    for what, url, says in [
        ("group delete refused", f"/admin/groupes/delete/{group.pk}/", "Archivez-le plutôt"),
        ("session delete refused", f"/admin/seances/delete/{session.pk}/", "présence notée"),
        ("archived group page", f"/admin/groupes/inspect/{ended.pk}/", "Désarchiver"),
        ("learner access and PIN", f"/admin/apprenants/{person.pk}/acces/", "code secret"),
    ]:
        page.goto(base_url + url)
        expect(page.locator("main")).to_contain_text(says)
        audit.check(what)
    audit.assert_clean()
