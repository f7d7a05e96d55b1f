"""The "Ma messagerie" simulator in a real browser, from the lessons' steps: every goal
reached end to end, wrong actions get hints, the CV mission with the keyboard alone, axe
on every screen, a small phone, and not one request leaves the site."""

import re

import pytest
import yaml
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.test_accounts import AxeAudit

pytestmark = pytest.mark.browser

MODULE_DIR = settings.BASE_DIR / "content" / "modules" / "utiliser-sa-boite-mail"
MAX_TABS = 80
CV_TO = "recrutement@emploi-proximite.exemple"


def simulation_step_url(path):
    """The URL of the lesson step that holds the simulation, read from the lesson file."""
    head, body = path.read_text(encoding="utf-8").split("---\n", 2)[1:]
    slug = yaml.safe_load(head)["slug"]
    steps = re.split(r"^## ", body, flags=re.MULTILINE)[1:]
    number = next(n for n, step in enumerate(steps, start=1) if "```simulation" in step)
    return f"/modules/{MODULE_DIR.name}/{slug}/?etape={number}"


def lesson_file(slug):
    return next(p for p in MODULE_DIR.glob("[0-9]*.md") if slug in p.read_text(encoding="utf-8"))


CV_STEP = simulation_step_url(lesson_file("slug: envoyer-une-piece-jointe"))
FRAUD_STEP = simulation_step_url(lesson_file("slug: reconnaitre-un-message-frauduleux"))
REPLY_STEP = simulation_step_url(lesson_file("slug: lire-et-repondre"))


@pytest.fixture
def outside_requests(page, live_curriculum):
    """Every request that tries to leave the live server, aborted and listed."""
    attempts = []

    def guard(route):
        if route.request.url.startswith(live_curriculum.url):
            route.continue_()
        else:
            attempts.append(route.request.url)
            route.abort()

    page.context.route("**/*", guard)
    return attempts


def open_simulation(page, base_url, step):
    page.goto(base_url + step)
    page.get_by_role("button", name="Ouvrir la simulation").click()
    expect(page).to_have_url(re.compile(r"/simulation/[0-9a-f-]{36}/$"))
    expect(page.locator(".sim-banner")).to_contain_text("rien n'est envoyé pour de vrai")


def mission(page):
    return page.locator(".sim-mission")


def coach(page):
    return page.locator(".sim-feedback")


def message_link(page, subject):
    return page.locator(".wm-list a", has_text=subject)


# --- Every goal, with the mouse, axe on every screen ---------------------------------------


def test_the_cv_mission_from_the_lesson_with_a_wrong_address_first(
    live_curriculum, page, outside_requests
):
    base_url = live_curriculum.url
    audit = AxeAudit(page)
    open_simulation(page, base_url, CV_STEP)
    expect(page.locator(".wm-list li")).to_have_count(7)
    audit.check("inbox")

    message_link(page, "Offre : agent d'entretien").click()
    expect(page.locator("#mail-subject")).to_have_text("Offre : agent d'entretien à Villeurbanne")
    expect(coach(page)).to_contain_text("Objectif atteint : Ouvrez le message d'Emploi Proximité")
    expect(mission(page).locator(".sim-goal-done")).to_have_count(1)
    audit.check("message")

    page.get_by_role("button", name="Nouveau message").click()
    expect(page.locator("h2.wm-title")).to_have_text("Nouveau message")
    audit.check("compose")
    page.get_by_label("À", exact=True).fill("recrutement @emploi-proximite.exemple")
    page.get_by_label("Objet").fill("Candidature agent d'entretien")
    page.get_by_label("Votre message").fill("Bonjour,\nVoici mon CV.\nCordialement")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "il n'y a pas d'espace dans une adresse e-mail"
    )
    expect(page.get_by_label("À", exact=True)).to_be_focused()
    expect(page.get_by_label("Votre message")).to_have_value(
        "Bonjour,\nVoici mon CV.\nCordialement"
    )
    audit.check("compose with a wrong address")

    page.get_by_label("À", exact=True).fill(CV_TO)
    page.get_by_role("button", name="Joindre un fichier").click()
    expect(page.locator("#picker-title")).to_have_text("Mes documents")
    audit.check("my documents")
    page.get_by_role("button", name="Joindre Mon_CV.pdf").click()
    expect(page.locator(".wm-notice")).to_contain_text("Le fichier Mon_CV.pdf est joint")
    expect(page.locator(".wm-attachments")).to_contain_text("Mon_CV.pdf")
    expect(page.get_by_label("À", exact=True)).to_have_value(CV_TO)
    audit.check("compose with an attachment")

    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("h2.wm-title")).to_have_text("Envoyés")
    expect(coach(page)).to_contain_text("Bravo, vous avez réussi la mission")
    expect(mission(page).locator(".sim-goal-done")).to_have_count(2)
    expect(message_link(page, "Candidature agent d'entretien")).to_be_visible()
    audit.check("sent folder")

    page.get_by_role("link", name="Retour à la leçon").click()
    expect(page.locator(".simulation")).to_contain_text("Vous avez réussi cette mission.")
    audit.assert_clean()
    assert outside_requests == []


def test_the_fraud_mission_with_the_wrong_reflexes_first(live_curriculum, page, outside_requests):
    audit = AxeAudit(page)
    open_simulation(page, live_curriculum.url, FRAUD_STEP)

    # A genuine message reported: a hint, and it can come back.
    message_link(page, "Votre relevé de compte est disponible").click()
    page.get_by_role("button", name="Signaler comme frauduleux").click()
    expect(coach(page)).to_contain_text("Ce message est normal")
    page.get_by_role("link", name="Indésirables").click()
    audit.check("spam folder")
    message_link(page, "Votre relevé de compte est disponible").click()
    expect(page.locator(".wm-warning")).to_be_visible()
    page.get_by_role("button", name=re.compile("le remettre dans la boîte de réception")).click()
    expect(page.locator(".wm-notice")).to_contain_text("de retour dans « Boîte de réception »")

    # The fraudulent link: a warning page, nothing opened outside.
    page.get_by_role("link", name=re.compile("^Boîte de réception")).click()
    message_link(page, "URGENT : votre carte bancaire est bloquée").click()
    expect(page.locator(".wm-address").first).to_contain_text("verif-client-2931.exemple")
    page.get_by_role("link", name="Confirmer ma carte").click()
    expect(page.locator(".wm-danger h2")).to_have_text("Stop ! Ce lien mène à un faux site.")
    expect(coach(page)).to_contain_text("ne cliquez jamais sur le lien d'un message suspect")
    audit.check("fraudulent link warning")
    page.get_by_role("link", name="Retour au message").click()
    page.get_by_role("button", name="Signaler comme frauduleux").click()
    expect(coach(page)).to_contain_text("Objectif atteint")
    expect(message_link(page, "URGENT")).to_have_count(0)

    message_link(page, "-20 % sur tout le magasin").click()
    page.get_by_role("button", name="Supprimer").click()
    expect(coach(page)).to_contain_text("Bravo, vous avez réussi la mission")
    page.get_by_role("link", name="Corbeille").click()
    expect(message_link(page, "-20 % sur tout le magasin")).to_be_visible()
    audit.check("trash")
    audit.assert_clean()
    assert outside_requests == []


def test_the_reply_mission(live_curriculum, page, outside_requests):
    open_simulation(page, live_curriculum.url, REPLY_STEP)
    message_link(page, "Rendez-vous pour votre dossier").click()
    page.get_by_role("button", name="Répondre").click()
    expect(page.get_by_label("À", exact=True)).to_have_value("a.diallo@maison-solidarites.exemple")
    expect(page.get_by_label("Objet")).to_have_value("RE: Rendez-vous pour votre dossier")
    page.get_by_label("Votre message").fill("Bonjour,\nMerci.")
    page.get_by_role("button", name="Envoyer").click()
    expect(coach(page)).to_contain_text("il manque « disponible » dans le texte")

    page.get_by_role("link", name=re.compile("^Boîte de réception")).click()
    message_link(page, "Rendez-vous pour votre dossier").click()
    page.get_by_role("button", name="Répondre").click()
    page.get_by_label("Votre message").fill("Bonjour,\nJe suis disponible mardi.\nMerci.")
    page.get_by_role("button", name="Envoyer").click()
    expect(coach(page)).to_contain_text("Bravo, vous avez réussi la mission")
    page.get_by_role("link", name="Retour à la leçon").click()
    expect(page.locator(".simulation")).to_contain_text("Vous avez réussi cette mission.")
    assert outside_requests == []


# --- The keyboard alone -------------------------------------------------------------------


def focused(page, script):
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()")


def tab_to(page, script, what, key="Tab"):
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


def test_the_cv_mission_with_the_keyboard_alone(live_curriculum, page, outside_requests):
    page.goto(live_curriculum.url + CV_STEP)
    tab_to(page, f"el.matches('button') && {text_is('Ouvrir la simulation')}", "open")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/simulation/[0-9a-f-]{36}/$"))

    tab_to(page, "el.matches('.wm-list a') && el.textContent.includes('Offre :')", "the offer")
    page.keyboard.press("Enter")
    expect(coach(page)).to_contain_text("Objectif atteint")
    tab_to(page, "el.matches('button.wm-new')", "Nouveau message")
    page.keyboard.press("Enter")
    expect(page.locator("h2.wm-title")).to_have_text("Nouveau message")

    tab_to(page, "el.id === 'mail-to'", "the To field")
    page.keyboard.type(CV_TO)
    tab_to(page, "el.id === 'mail-subject'", "the subject")
    page.keyboard.type("Candidature agent d'entretien")
    tab_to(page, "el.id === 'mail-body'", "the message")
    page.keyboard.type("Bonjour,")
    page.keyboard.press("Enter")
    page.keyboard.type("Voici mon CV.")
    tab_to(page, f"el.matches('button') && {text_is('Joindre un fichier')}", "attach")
    page.keyboard.press("Enter")
    expect(page.locator("#picker-title")).to_have_text("Mes documents")
    tab_to(page, f"el.matches('button') && {text_is('Joindre Mon_CV.pdf')}", "the CV")
    page.keyboard.press("Enter")
    expect(page.locator(".wm-attachments")).to_contain_text("Mon_CV.pdf")
    expect(page.locator("#mail-body")).to_have_value("Bonjour,\nVoici mon CV.")
    tab_to(page, f"el.matches('button') && {text_is('Envoyer')}", "send")
    page.keyboard.press("Enter")
    expect(coach(page)).to_contain_text("Bravo, vous avez réussi la mission")

    tab_to(page, f"el.matches('a') && {text_is('Retour à la leçon')}", "back", key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".simulation")).to_contain_text("Vous avez réussi cette mission.")
    assert outside_requests == []


# --- A small phone ------------------------------------------------------------------------


def test_the_webmail_fits_a_small_phone(live_curriculum, page):
    page.set_viewport_size({"width": 360, "height": 740})
    audit = AxeAudit(page)
    open_simulation(page, live_curriculum.url, CV_STEP)
    base = page.url

    def fits(where):
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{where} scrolls sideways ({width} px)"

    fits("inbox")
    audit.check("inbox at 360 px")
    message_link(page, "URGENT").click()
    fits("message")
    page.get_by_role("link", name="Confirmer ma carte").click()
    fits("link warning")
    page.goto(base + "dossier/indesirables")
    fits("spam folder")
    page.get_by_role("button", name="Nouveau message").click()
    page.get_by_label("À", exact=True).fill("quelqu'un.exemple.fr" * 5)
    page.get_by_role("button", name="Joindre un fichier").click()
    fits("my documents")
    page.get_by_role("button", name="Joindre Attestation_allocations.pdf").click()
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("alert")).to_be_visible()
    fits("compose with errors and an attachment")
    audit.check("compose at 360 px")
    audit.assert_clean()
