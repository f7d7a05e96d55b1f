"""The "Vie scolaire" simulator in a real browser: each mission of the Pronote module,
from the lesson step's "Ouvrir la simulation" to "Bravo"; a wrong answer and its hint;
one mission with the keyboard alone; axe on every screen; a 360 px phone. Nothing
but the live server is ever asked for anything."""

import re

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

MODULE_DIR = settings.BASE_DIR / "content" / "modules" / "pronote"
MAX_TABS = 80
SUCCESS = "Bravo, vous avez réussi la mission !"


def read_lesson(path):
    """A lesson's URL and the number of its simulation step, from its file."""
    front, body = path.read_text(encoding="utf-8").split("---\n", 2)[1:]
    sections = re.split(r"^## ", body, flags=re.MULTILINE)[1:]
    step = next(
        number for number, section in enumerate(sections, start=1) if "```simulation" in section
    )
    return f"/modules/pronote/{yaml.safe_load(front)['slug']}/?etape={step}"


LESSONS = {path.stem.split("-", 1)[1]: read_lesson(path) for path in MODULE_DIR.glob("0*.md")}
HOMEWORK = LESSONS["trouver-les-devoirs"]
MESSAGE = LESSONS["lire-un-message"]
ABSENCE = LESSONS["justifier-une-absence"]
GRADES = LESSONS["notes-et-emploi-du-temps"]


@pytest.fixture
def offline(page, live_curriculum):
    """Every request the page makes goes to the live server, or fails the test."""
    outside = []

    def guard(route):
        if route.request.url.startswith(live_curriculum.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    yield live_curriculum.url
    assert outside == [], f"requests outside the live server: {outside}"


def open_simulation(page, base_url, lesson_url):
    page.goto(base_url + lesson_url)
    page.get_by_role("button", name="Ouvrir la simulation").click()
    expect(page).to_have_url(re.compile(r"/simulation/[0-9a-f-]{36}/$"))
    expect(page.locator(".sim-banner")).to_contain_text("rien n'est envoyé pour de vrai")


def menu(page, name):
    page.get_by_role("navigation", name="Menu de la vie scolaire").get_by_role(
        "link", name=re.compile(f"^{name}")
    ).click()


def answer(page, choice):
    """Checks a choice of a mission's question and validates that question."""
    option = page.get_by_label(choice, exact=True)
    option.check()
    page.locator("form.vs-question", has=option).get_by_role("button").click()


def back_to_the_lesson_shows_the_mission_passed(page):
    page.get_by_role("link", name="Retour à la leçon").click()
    expect(page.get_by_text("Vous avez réussi cette mission.")).to_be_visible()
    expect(page.get_by_role("button", name="Rouvrir la simulation")).to_be_visible()


# --- Every goal, end to end ------------------------------------------------------------


def test_the_homework_mission_a_wrong_answer_then_the_right_one(page, offline):
    open_simulation(page, offline, HOMEWORK)
    menu(page, "Travail à faire")
    expect(page.get_by_role("heading", name=re.compile("^Pour demain, "))).to_be_visible()
    answer(page, "Mathématiques : Revoir la leçon sur les fractions.")
    hint = page.locator(".sim-feedback .feedback-retry")
    expect(hint).to_have_text("Regardez dans « Travail à faire », la partie « Pour demain ».")
    answer(page, "Mathématiques : Faire les exercices 3 et 4 page 52.")
    expect(page.locator(".sim-feedback")).to_contain_text(SUCCESS)
    expect(page.locator(".sim-goal-done")).to_have_count(1)
    back_to_the_lesson_shows_the_mission_passed(page)


def test_the_message_mission_read_then_reply(page, offline):
    open_simulation(page, offline, MESSAGE)
    expect(page.get_by_role("link", name=re.compile("^Messagerie 2"))).to_be_visible()
    menu(page, "Messagerie")
    page.get_by_role("link", name="Non lu Contrôle de mathématiques").click()
    expect(page.locator(".sim-feedback")).to_contain_text("Objectif atteint : Ouvrez et lisez")
    expect(page.get_by_text("la classe aura un contrôle sur les fractions")).to_be_visible()

    page.get_by_label("Votre message").fill("Bonjour Madame, merci. Inès va réviser.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.locator(".sim-feedback")).to_contain_text(SUCCESS)
    expect(page.locator(".vs-notices")).to_contain_text("Votre réponse est envoyée à Mme Martin.")
    expect(page.get_by_text("Bonjour Madame, merci. Inès va réviser.")).to_be_visible()
    back_to_the_lesson_shows_the_mission_passed(page)


def test_the_absence_mission_with_the_lateness_first(page, offline):
    open_simulation(page, offline, ABSENCE)
    menu(page, "Absences")
    page.get_by_role("link", name=re.compile("^Justifier : Retard")).click()
    page.get_by_label("Maladie").check()
    page.get_by_role("button", name="Envoyer la justification").click()
    expect(page.locator(".sim-feedback .feedback-retry")).to_contain_text("pas le retard")

    page.get_by_role("link", name=re.compile("^Justifier : Absence")).click()
    page.get_by_label("Maladie").check()
    page.get_by_label("Commentaire").fill("Elle avait de la fièvre.")
    page.get_by_label("Document").select_option(label="Photo du certificat médical")
    page.get_by_role("button", name="Envoyer la justification").click()
    expect(page.locator(".sim-feedback")).to_contain_text(SUCCESS)
    expect(page.get_by_text("Justification envoyée — en attente de validation")).to_have_count(2)
    expect(page.get_by_text("Non justifiée")).to_have_count(0)
    back_to_the_lesson_shows_the_mission_passed(page)


def test_the_grade_and_timetable_mission_with_the_cancelled_lesson(page, offline):
    open_simulation(page, offline, GRADES)
    menu(page, "Emploi du temps")
    expect(page.get_by_role("table")).to_contain_text("Cours annulé")
    expect(page.get_by_role("group", name=re.compile("^Le jeudi"))).to_be_visible()
    answer(page, "8 h")
    expect(page.locator(".sim-feedback .feedback-retry")).to_contain_text(
        "Un cours annulé ne compte pas."
    )
    answer(page, "9 h")
    expect(page.locator(".sim-feedback")).to_contain_text("Objectif atteint : Trouvez à quelle")

    menu(page, "Notes")
    expect(page.get_by_role("heading", name="Mathématiques")).to_be_visible()
    answer(page, "14 / 20")
    expect(page.locator(".sim-feedback")).to_contain_text(SUCCESS)
    expect(page.locator(".sim-goal-done")).to_have_count(2)
    back_to_the_lesson_shows_the_mission_passed(page)


def test_a_mission_works_without_javascript(live_curriculum, browser, browser_context_args):
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    try:
        open_simulation(page, live_curriculum.url, HOMEWORK)
        menu(page, "Travail à faire")
        page.get_by_role("button", name=re.compile("^Marquer comme fait")).first.click()
        expect(page.locator(".vs-notices")).to_contain_text("ce travail est fait")
        answer(page, "Mathématiques : Faire les exercices 3 et 4 page 52.")
        expect(page.locator(".sim-feedback")).to_contain_text(SUCCESS)
    finally:
        context.close()


# --- The keyboard alone ---------------------------------------------------------------


def focused(page, script):
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()")


def tab_to(page, script, what, key="Tab"):
    """Presses Tab until the focused element matches `script`; the focus must show."""
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if focused(page, script):
            style = focused(
                page,
                "el.matches(':focus-visible') && getComputedStyle(el).outlineStyle + ' '"
                " + getComputedStyle(el).outlineWidth",
            )
            assert style and not style.startswith("none") and not style.endswith(" 0px"), (
                f"{what}: the focus is not visible ({style})"
            )
            return
    pytest.fail(f"{what}: not reached with {key} in {MAX_TABS} presses")


def text_is(text):
    return f"el.textContent.trim().replace(/\\s+/g, ' ') === {text!r}"


def test_the_absence_mission_with_the_keyboard_alone(page, offline):
    page.goto(offline + ABSENCE)
    tab_to(page, f"el.matches('button') && {text_is('Ouvrir la simulation')}", "Ouvrir")
    page.keyboard.press("Enter")
    expect(page.locator(".sim-banner")).to_be_visible()

    tab_to(page, f"el.matches('.vs-menu a') && {text_is('Absences')}", "the menu")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Absences et retards")).to_be_visible()

    tab_to(page, "el.matches('a') && el.textContent.includes(': Absence')", "Justifier")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Justifier une absence")).to_be_visible()

    tab_to(page, "el.matches('input[name=motif]')", "the reasons")
    assert focused(page, "el.value") == "maladie"
    page.keyboard.press("Space")
    assert focused(page, "el.checked")
    tab_to(page, "el.matches('textarea')", "the comment")
    page.keyboard.type("Elle avait de la fièvre.")
    tab_to(page, "el.matches('button[type=submit]') && el.textContent.includes('Envoyer')", "send")
    page.keyboard.press("Enter")

    expect(page.locator(".sim-feedback")).to_contain_text(SUCCESS)
    expect(page.get_by_text("Justification envoyée — en attente de validation")).to_be_visible()
    tab_to(page, f"el.matches('a') && {text_is('Retour à la leçon')}", "back")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Vous avez réussi cette mission.")).to_be_visible()


# --- axe on every screen, and a small phone --------------------------------------------


SCREENS = [
    ("home", []),
    ("timetable", ["Emploi du temps"]),
    ("homework", ["Travail à faire"]),
    ("grades", ["Notes"]),
    ("messages", ["Messagerie"]),
    ("message", ["Messagerie", "link:Contrôle de mathématiques"]),  # read: "Non lu" goes
    ("reply-error", ["Messagerie", "link:Contrôle de mathématiques", "button:Envoyer"]),
    ("compose", ["Messagerie", "link:Écrire un message"]),
    ("compose-error", ["Messagerie", "link:Écrire un message", "button:Envoyer"]),
    ("absences", ["Absences"]),
    ("justify", ["Absences", "link:Justifier : Absence"]),
    ("justify-error", ["Absences", "link:Justifier : Absence", "button:Envoyer"]),
    ("justified", ["Absences", "link:Justifier : Absence", "label:Maladie", "button:Envoyer"]),
    ("wrong-answer", ["Emploi du temps", "answer:8 h"]),
]


def go(page, steps):
    for step in steps:
        kind, colon, name = step.partition(":")
        kind = kind if colon else "menu"
        name = name if colon else step
        if kind == "link":
            page.get_by_role("link", name=re.compile(re.escape(name))).first.click()
        elif kind == "button":
            page.get_by_role("button", name=re.compile(f"^{name}")).first.click()
        elif kind == "label":
            page.get_by_label(name, exact=True).first.check()
        elif kind == "answer":
            answer(page, name)
        else:
            menu(page, name)
        page.wait_for_load_state("load")


@pytest.mark.parametrize("width", [1024, 360])
def test_every_screen_has_no_axe_violations_and_fits_a_small_phone(page, offline, width):
    page.set_viewport_size({"width": width, "height": 740 if width < 400 else 768})
    open_simulation(page, offline, GRADES)
    start = page.url
    reports = []
    for name, steps in SCREENS:
        page.goto(start)
        go(page, steps)
        results = Axe().run(page)
        assert results.response["passes"], f"{name}: axe checked nothing"
        if results.violations_count:
            reports.append(f"== {name} at {width} px\n{results.generate_report()}")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{name}: the page scrolls sideways ({scroll} px)"
        clipped = page.evaluate(
            "(() => { const w = document.querySelector('.sim-window');"
            " return w.scrollWidth - w.clientWidth; })()"
        )
        assert clipped <= 0, f"{name}: the site is wider than its window by {clipped} px"
    page.goto(start + "nulle-part")
    results = Axe().run(page)
    if results.violations_count:
        reports.append(f"== not found at {width} px\n{results.generate_report()}")
    assert not reports, "\n\n".join(reports)


def test_the_timetable_scrolls_in_its_own_captioned_box_on_a_phone(page, offline):
    page.set_viewport_size({"width": 360, "height": 740})
    open_simulation(page, offline, GRADES)
    menu(page, "Emploi du temps")
    box = page.get_by_role("region", name=re.compile("^Emploi du temps · Semaine du"))
    expect(box).to_be_visible()
    assert box.evaluate("el => el.scrollWidth > el.clientWidth"), "the table fits: no scroll"
    box.focus()
    page.keyboard.press("ArrowRight")
    wait_until(
        page, "document.querySelector('.vs-table-scroll').scrollLeft > 0"
    )  # the keyboard scrolls it too
    for target in page.locator(".vs-menu a").all():
        size = target.bounding_box()
        assert size["height"] >= 44 and size["width"] >= 44, target.inner_text()
