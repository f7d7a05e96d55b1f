"""A group session in two browsers: the trainer watches the live dashboard, the learner
raises a hand from a lesson; the trainer sees it without reloading, says "C'est fait",
and proposes a lesson, which the learner's home then offers. With axe on every page."""

import re

import pytest
from playwright.sync_api import expect

from learning import services
from learning.models import Group, HelpRequest, Structure
from modules.models import LessonPage, ParcoursPage
from tests.browser.test_accounts import (
    PASSWORD,
    AxeAudit,
    new_context,  # noqa: F401 (a fixture)
    sign_in,
    trainer_signs_in,
)

pytestmark = pytest.mark.browser

FIRST_NAME = "Zéphyrine"
# One refresh is 10 s; the hand must show within it, plus the time to answer.
ONE_REFRESH_MS = 12_000


@pytest.fixture
def structure(live_curriculum):
    return Structure.objects.create(name="Antenne du Centre", help_phone="01 23 45 67 89")


@pytest.fixture
def group(structure):
    group = Group.objects.create(
        structure=structure,
        name="Mardi matin",
        parcours=ParcoursPage.objects.get(source_key="parcours-initiation"),
    )
    learner, _pictures = services.learner_create(
        first_name=FIRST_NAME, structure=structure, pictures=PASSWORD
    )
    group.learners.add(learner)
    other, _pictures = services.learner_create(first_name="Amina", structure=structure)
    group.learners.add(other)
    return group


def test_a_raised_hand_reaches_the_dashboard_and_a_proposed_lesson_reaches_home(
    live_curriculum,
    page,
    group,
    structure,
    new_context,  # noqa: F811
):
    base_url = live_curriculum.url
    learner = group.learners.get(first_name=FIRST_NAME)
    first_lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    proposed = LessonPage.objects.get(source_key="lecon-souris-cliquer")
    trainer_audit = AxeAudit(page)

    # The trainer opens the dashboard from the admin menu.
    trainer_signs_in(page, base_url, structure)
    page.goto(f"{base_url}/admin/groupes/tableaux/")
    trainer_audit.check("list of group dashboards")
    page.get_by_role("link", name="Tableau de bord : Mardi matin").click()
    expect(page).to_have_url(f"{base_url}/admin/groupes/{group.pk}/tableau/")
    expect(page.locator(".gd-no-hands")).to_have_text("Personne ne demande d'aide pour le moment.")
    matrix = page.locator("table.gd-matrix")
    expect(matrix.locator("tbody tr")).to_have_count(2)
    trainer_audit.check("dashboard, nobody needs help")

    # The learner, on another computer, signs in and opens a lesson.
    learner_page = new_context().new_page()
    learner_audit = AxeAudit(learner_page)
    sign_in(learner_page, base_url, learner.code_id, PASSWORD)
    expect(learner_page).to_have_url(f"{base_url}/moi/")
    learner_page.goto(f"{base_url}{first_lesson.url}?etape=2")
    help_button = learner_page.get_by_role("button", name="J'ai besoin d'aide")
    expect(help_button).to_be_visible()
    box = help_button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box
    learner_audit.check("lesson step with the help button")

    # The dashboard, left alone, shows where she is within one refresh.
    row = matrix.locator("tbody tr", has_text=FIRST_NAME)
    expect(row.locator(".gd-where")).to_contain_text(
        f"{first_lesson.title}, étape 2", timeout=ONE_REFRESH_MS
    )
    expect(row.locator(".gd-where")).to_contain_text("Actif maintenant")

    # She presses "J'ai besoin d'aide": the button becomes the answer, in place.
    help_button.click()
    status = learner_page.get_by_role("status")
    expect(status).to_have_text("Un formateur arrive. Continuez si vous pouvez.")
    expect(status).to_be_focused()
    expect(learner_page.get_by_role("button", name="Je n'ai plus besoin d'aide")).to_be_visible()
    expect(learner_page).to_have_url(re.compile(r"\?etape=2$"))  # still on her step
    learner_audit.check("lesson step, help asked")

    # The trainer's page, never reloaded, shows the hand within one refresh, first.
    page.evaluate("window.notReloaded = true")
    hand = page.locator(".gd-hand", has_text=FIRST_NAME)
    expect(hand).to_be_visible(timeout=ONE_REFRESH_MS)
    expect(hand).to_contain_text("Demande de l'aide")
    expect(hand).to_contain_text("depuis moins d'1 min")
    expect(hand).to_contain_text(f"{first_lesson.title}, étape 2")
    expect(matrix.locator("tbody tr").first).to_contain_text(FIRST_NAME)
    expect(matrix.locator("tbody tr").first).to_contain_text("Demande de l'aide")
    expect(page.locator("#gd-announcer")).to_have_text(f"{FIRST_NAME} demande de l’aide.")
    expect(page).to_have_title(re.compile(r"^\(1 ✋\) "))
    assert page.evaluate("window.notReloaded") is True
    trainer_audit.check("dashboard with a raised hand")

    # "C'est fait": the hand goes down, at once.
    hand.get_by_role("button", name=f"C'est fait : {FIRST_NAME}").click()
    expect(page.locator(".gd-hand")).to_have_count(0)
    expect(page.locator(".gd-no-hands")).to_be_visible()
    resolved = HelpRequest.objects.get(learner=learner)
    assert resolved.resolved_at is not None and resolved.resolved_by.username.startswith("form")

    # "Proposer cette leçon au groupe".
    page.get_by_label("Leçon", exact=True).select_option(label=proposed.title)
    page.get_by_role("button", name="Proposer au groupe").click()
    expect(page.locator(".gd-proposed")).to_contain_text(proposed.title)
    expect(page.locator("th.gd-lesson-proposed")).to_contain_text(proposed.title)
    trainer_audit.check("dashboard with a proposed lesson")

    # Her home offers it, with a big "Commencer".
    learner_page.goto(f"{base_url}/moi/")
    card = learner_page.locator("section.proposed-lesson")
    expect(card.get_by_role("heading")).to_have_text(
        f"Votre formateur vous propose : {proposed.title}"
    )
    start = card.get_by_role("link", name="Commencer")
    box = start.bounding_box()
    assert box["height"] >= 44, box
    learner_audit.check("home with the proposed lesson")
    start.click()
    expect(learner_page.locator("h1")).to_have_text(proposed.title)

    # She asks for help again, then no longer needs it: the hand goes down by itself.
    learner_page.get_by_role("button", name="J'ai besoin d'aide").click()
    expect(learner_page.get_by_role("status")).to_be_visible()
    learner_page.get_by_role("button", name="Je n'ai plus besoin d'aide").click()
    expect(learner_page.get_by_role("button", name="J'ai besoin d'aide")).to_be_focused()
    assert not HelpRequest.objects.filter(resolved_at__isnull=True).exists()

    # The trainer stops proposing: her home no longer offers it.
    page.get_by_role("button", name="Ne plus proposer de leçon").click()
    expect(page.locator(".group-dashboard")).to_contain_text(
        "Aucune leçon n'est proposée au groupe."
    )
    learner_page.goto(f"{base_url}/moi/")
    expect(learner_page.locator("section.proposed-lesson")).to_have_count(0)

    trainer_audit.assert_clean()
    learner_audit.assert_clean()


def test_the_help_button_fits_a_small_phone(live_curriculum, page, group):
    learner = group.learners.get(first_name=FIRST_NAME)
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_curriculum.url, learner.code_id, PASSWORD)
    expect(page).to_have_url(f"{live_curriculum.url}/moi/")
    page.goto(f"{live_curriculum.url}{lesson.url}?etape=1")
    page.get_by_role("button", name="J'ai besoin d'aide").click()
    expect(page.get_by_role("status")).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"the lesson scrolls sideways ({scroll_width} px)"
    box = page.get_by_role("button", name="Je n'ai plus besoin d'aide").bounding_box()
    assert box["height"] >= 44 and box["width"] <= 360, box
    audit = AxeAudit(page)
    audit.check("lesson step at 360 px, help asked")
    audit.assert_clean()
