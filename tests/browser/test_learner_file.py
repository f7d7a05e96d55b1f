"""The learner file in a real browser: a trainer opens it from the learner list,
writes a note with bold and a list in Wagtail's editor, and sees it on the file.
With axe on the file and on the note form."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from learning import services
from learning.models import Attendance, Group, Structure, TrainerNote, TrainingSession
from modules.models import LessonPage
from tests.browser.conftest import wait_until
from tests.factories import trainer

pytestmark = pytest.mark.browser

TRAINER_PASSWORD = "a long test password"
FIRST_NAME = "Zéphyrine"


class AxeAudit:
    """Runs axe on several pages and reports every violation at the end."""

    def __init__(self, page):
        self.page = page
        self.axe = Axe()
        self.reports = []

    def check(self, what):
        # Colours are checked once Wagtail's short transitions are over.
        wait_until(
            self.page,
            "document.getAnimations().every(a => a.playState !== 'running'"
            " || a.effect.getComputedTiming().endTime > 5000)",
        )
        results = self.axe.run(self.page)
        assert results.response["passes"], f"{what}: axe checked nothing"
        if results.violations_count:
            self.reports.append(f"== {what} ({self.page.url})\n{results.generate_report()}")

    def assert_clean(self):
        assert not self.reports, "\n\n".join(self.reports)


@pytest.fixture
def structure(live_curriculum):
    return Structure.objects.create(name="Antenne du Centre")


@pytest.fixture
def someone(structure):
    """A learner with a lesson started, an exercise tried, a group and a session."""
    person, _pictures = services.learner_create(
        first_name=FIRST_NAME, last_initial="B", structure=structure
    )
    lesson = next(each for each in LessonPage.objects.live().order_by("path") if each.exercises())
    services.lesson_step_view(user=person.user, lesson=lesson, step_number=1)
    group = Group.objects.create(structure=structure, name="Groupe du mardi")
    group.learners.add(person)
    session = TrainingSession.objects.create(
        group=group,
        date=datetime.date(2026, 3, 3),
        start_time=datetime.time(9, 0),
        end_time=datetime.time(11, 30),
    )
    Attendance.objects.create(session=session, learner=person, status="present")
    return person


def trainer_signs_in(page, base_url, structure):
    user = trainer(username="formatrice@example.org", first_name="Alice", last_name="Martin")
    structure.members.add(user)
    page.goto(f"{base_url}/admin/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(TRAINER_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(f"{base_url}/admin/")
    return user


def test_a_trainer_writes_a_note_with_bold_and_a_list_and_sees_it_on_the_file(
    live_curriculum, page, structure, someone
):
    base_url = live_curriculum.url
    trainer_signs_in(page, base_url, structure)
    audit = AxeAudit(page)

    page.goto(f"{base_url}/admin/apprenants/")
    page.get_by_role("link", name=f"{FIRST_NAME} B.").click()
    expect(page).to_have_url(re.compile(rf"/admin/apprenants/{someone.pk}/dossier/$"))
    expect(page.get_by_role("heading", name="Progression")).to_be_visible()
    expect(page.get_by_text("Heures suivies : 2,5 h")).to_be_visible()
    audit.check("learner file")

    page.get_by_role("link", name="Écrire une note").click()
    expect(page).to_have_url(re.compile(r"/notes/nouvelle/$"))
    expect(page.get_by_text("La personne peut demander à lire son dossier.")).to_be_visible()
    editor = page.get_by_role("textbox", name="Note")
    expect(editor).to_be_visible()
    audit.check("note form")

    editor.click()
    page.keyboard.press("Control+b")
    page.keyboard.type("Très motivée")
    page.keyboard.press("Control+b")
    page.keyboard.type(" depuis mars.")
    page.keyboard.press("Enter")
    page.keyboard.type("- ")  # Draftail turns a leading "- " into a bulleted list
    page.keyboard.type("Vient à l'heure")
    page.keyboard.press("Enter")
    page.keyboard.type("Pose des questions")
    page.get_by_label("Moi seulement").check()
    # Draftail saves its content to the form 250 ms after the last change.
    expect(page.locator("input[name=body]")).to_have_value(re.compile("Pose des questions"))
    page.get_by_role("button", name="Enregistrer la note").click()

    expect(page).to_have_url(re.compile(rf"/admin/apprenants/{someone.pk}/dossier/#notes$"))
    note = page.locator(".note-body").first
    expect(note.locator("b, strong")).to_have_text("Très motivée")
    expect(note.locator("ul > li")).to_have_text(["Vient à l'heure", "Pose des questions"])
    expect(page.get_by_text("Visible par : Moi seulement")).to_be_visible()
    stored = TrainerNote.objects.get()
    assert stored.visibility == "auteur" and "<ul><li>" in stored.body
    audit.check("learner file with a note")
    audit.assert_clean()
