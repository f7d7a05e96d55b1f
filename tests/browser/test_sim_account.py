"""The "Mon compte en ligne" simulator in a real browser, from the lessons' steps: create
an account (the rules tick while typing), confirm it from the pretend mailbox, sign in;
then a form, the right photo and the certificate. Axe on every screen, a small phone,
and not one request leaves the site."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser import test_sim_webmail as webmail
from tests.browser.test_accounts import AxeAudit
from tests.browser.test_sim_webmail import coach, mission, open_simulation

pytestmark = pytest.mark.browser

MODULE = "sites-du-service-public"
MODULE_DIR = settings.BASE_DIR / "content" / "modules" / MODULE
EMAIL = "moi@ma-messagerie.exemple"
PASSWORD = "Jardin-2031"


def step_url(slug):
    path = next(p for p in MODULE_DIR.glob("[0-9]*.md") if f"slug: {slug}\n" in p.read_text())
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    steps = re.split(r"^## ", body, flags=re.MULTILINE)[1:]
    number = next(n for n, step in enumerate(steps, start=1) if "```simulation" in step)
    return f"/modules/{MODULE}/{slug}/?etape={number}"


outside_requests = webmail.outside_requests  # the fixture, shared

CREATE_STEP = step_url("creer-son-compte")
PROCEDURE_STEP = step_url("faire-une-demarche")


def tab(page, name):
    return page.get_by_role("navigation", name="Onglets du navigateur").get_by_role(
        "link", name=re.compile(name)
    )


def test_create_confirm_and_sign_in_from_the_lesson(live_curriculum, page, outside_requests):
    audit = AxeAudit(page)
    open_simulation(page, live_curriculum.url, CREATE_STEP)
    expect(tab(page, "Mon compte en ligne")).to_have_attribute("aria-current", "page")
    audit.check("account home")

    page.get_by_role("link", name="Créer mon compte").click()
    expect(page.locator("h2.acc-title")).to_have_text("Créer mon compte")
    audit.check("account creation")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    password = page.locator("#create-password")
    password.press_sequentially("jardin")
    rules = page.locator("[data-password-rules]")
    expect(rules.locator("[data-rule=capital]")).to_have_class(re.compile("acc-rule-ko"))
    expect(rules.locator("[data-rule=length]")).to_have_class(re.compile("acc-rule-ko"))
    password.press_sequentially("-2031")
    expect(rules.locator("[data-rule=length]")).to_have_class(re.compile("acc-rule-ok"))
    expect(rules.locator("[data-rule=special]")).to_have_class(re.compile("acc-rule-ok"))
    expect(rules.locator("[data-rule=capital]")).to_have_class(re.compile("acc-rule-ko"))
    page.get_by_label("Mot de passe, encore une fois").fill("jardin-2031")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("alert")).to_contain_text("Il manque une lettre majuscule")
    expect(coach(page)).to_contain_text("Il manque une lettre majuscule dans le mot de passe")
    expect(rules.locator("[data-rule=capital]")).to_contain_text("✗")
    audit.check("account creation with a weak password")

    password.fill(PASSWORD)
    page.get_by_label("Mot de passe, encore une fois").fill(PASSWORD)
    page.get_by_role("button", name="Afficher le mot de passe").first.click()
    expect(password).to_have_attribute("type", "text")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator("h2.acc-title")).to_contain_text("confirmez votre compte")
    expect(coach(page)).to_contain_text("Objectif atteint : Créez votre compte")
    audit.check("confirmation pending")

    # Too early: the account must be confirmed first.
    tab(page, "Mon compte en ligne").click()
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Votre compte n'est pas encore activé.")
    expect(coach(page)).to_contain_text("Ouvrez « Ma messagerie »")

    expect(tab(page, "Ma messagerie")).to_contain_text("1")
    tab(page, "Ma messagerie").click()
    expect(tab(page, "Ma messagerie")).to_have_attribute("aria-current", "page")
    expect(page.locator(".sim-address")).to_contain_text("https://ma-messagerie.exemple/")
    audit.check("account mailbox")
    page.locator(".wm-list a", has_text="Confirmez la création de votre compte").click()
    audit.check("confirmation message")
    page.get_by_role("link", name="Confirmer mon compte").click()
    expect(page.locator(".acc-notice")).to_contain_text("Votre compte est confirmé")
    expect(coach(page)).to_contain_text("Objectif atteint : Confirmez votre compte")

    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    expect(page.locator("h2.acc-title")).to_have_text("Mon espace")
    expect(coach(page)).to_contain_text("Bravo, vous avez réussi la mission")
    expect(mission(page).locator(".sim-goal-done")).to_have_count(3)
    audit.check("signed in")

    page.get_by_role("link", name="Retour à la leçon").click()
    expect(page.locator(".simulation")).to_contain_text("Vous avez réussi cette mission.")
    audit.assert_clean()
    assert outside_requests == []


def test_a_form_the_right_photo_and_the_certificate(live_curriculum, page, outside_requests):
    audit = AxeAudit(page)
    open_simulation(page, live_curriculum.url, PROCEDURE_STEP)
    expect(page.locator("h2.acc-title")).to_have_text("Mon espace")
    audit.check("my space")

    page.get_by_role("link", name="Déclarer un changement de situation").click()
    audit.check("form")
    page.get_by_role("button", name="Envoyer ma déclaration").click()
    expect(page.get_by_role("alert")).to_contain_text("Choisissez une réponse : c'est obligatoire.")
    expect(page.get_by_label("J'ai déménagé")).to_be_focused()
    audit.check("form with errors")
    page.get_by_label("J'ai déménagé").check()
    page.get_by_label("Date du changement").fill("2025-03-01")
    page.get_by_label(re.compile("^Combien de personnes")).fill("3")
    page.get_by_role("button", name="Envoyer ma déclaration").click()
    expect(page.locator("h2.acc-title")).to_have_text("Votre déclaration est envoyée")
    expect(page.locator(".acc-recap")).to_contain_text("01/03/2025")
    expect(coach(page)).to_contain_text("Objectif atteint")
    audit.check("form sent")

    page.get_by_role("link", name="Retour à mon espace").click()
    page.get_by_role("link", name="Envoyer un justificatif").click()
    page.get_by_role("link", name="Choisir une photo").click()
    expect(page.locator(".acc-photo")).to_have_count(6)
    audit.check("gallery")
    page.get_by_role("button", name="Photo 1 : un chat").click()
    expect(page.get_by_role("img", name="un chat")).to_be_visible()
    page.get_by_role("button", name="Envoyer ce document").click()
    expect(coach(page)).to_contain_text("Ce n'est pas le bon document")
    audit.check("upload with a hint")
    page.get_by_role("link", name="Envoyer un autre document").click()
    page.get_by_role("button", name="Photo 2 : un avis d'imposition").click()
    page.get_by_role("button", name="Envoyer ce document").click()
    expect(coach(page)).to_contain_text("Objectif atteint : Envoyez la photo")

    page.get_by_role("link", name="Mon espace", exact=True).click()
    page.get_by_role("link", name="Mes attestations").click()
    audit.check("certificates")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mon attestation").click()
    assert download.value.suggested_filename == "attestation-simulation.pdf"
    page.get_by_role("link", name="Mon espace", exact=True).click()
    expect(coach(page)).to_contain_text("Bravo, vous avez réussi la mission")
    expect(mission(page).locator(".sim-goal-done")).to_have_count(3)

    page.get_by_role("link", name="Retour à la leçon").click()
    expect(page.locator(".simulation")).to_contain_text("Vous avez réussi cette mission.")
    audit.assert_clean()
    assert outside_requests == []


def test_the_account_site_fits_a_small_phone(live_curriculum, page):
    page.set_viewport_size({"width": 360, "height": 740})
    audit = AxeAudit(page)

    def fits(where):
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{where} scrolls sideways ({width} px)"

    open_simulation(page, live_curriculum.url, CREATE_STEP)
    fits("home")
    page.get_by_role("link", name="Créer mon compte").click()
    page.get_by_label("Adresse e-mail").fill("quelqu'un" * 10)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("alert")).to_be_visible()
    fits("creation with errors")
    audit.check("creation at 360 px")
    tab(page, "Ma messagerie").click()
    fits("mailbox")

    open_simulation(page, live_curriculum.url, PROCEDURE_STEP)
    page.get_by_role("link", name="Déclarer un changement de situation").click()
    page.get_by_role("button", name="Envoyer ma déclaration").click()
    fits("form with errors")
    audit.check("form at 360 px")
    page.goto(page.url.replace("demarche", "justificatif/galerie"))
    fits("gallery")
    audit.check("gallery at 360 px")
    audit.assert_clean()
