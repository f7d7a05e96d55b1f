"""The "Offres d'emploi" simulator in a real browser: every mission of the job lessons
done from its lesson step, a hint after a wrong action, the apply mission with the
keyboard alone, axe on every screen, and a 360 px phone. Nothing but the live server
is ever asked for anything."""

import re
from urllib.parse import urlparse

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MODULES = settings.BASE_DIR / "content" / "modules"
LESSON_FILES = {
    "search": MODULES / "chercher-un-emploi" / "01-chercher-une-offre.md",
    "apply": MODULES / "candidater-en-ligne" / "01-postuler-avec-son-cv.md",
    "actualisation": MODULES / "espace-france-travail" / "01-faire-son-actualisation.md",
}
MESSAGE = "Bonjour, votre offre m'intéresse. Je suis disponible tout de suite. Bonne journée."
MAX_TABS = 80


def simulation_steps(path):
    """{first goal key: step URL} for the lesson's simulation steps, read from its file."""
    front, body = path.read_text(encoding="utf-8").split("---\n", 2)[1:]
    url = f"/modules/{path.parent.name}/{yaml.safe_load(front)['slug']}/"
    steps = {}
    for number, section in enumerate(re.split(r"^## ", body, flags=re.MULTILINE)[1:], start=1):
        fence = re.search(r"^```simulation\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
        if fence:
            steps[yaml.safe_load(fence.group(1))["goals"][0]] = f"{url}?etape={number}"
    return steps


STEPS = {name: simulation_steps(path) for name, path in LESSON_FILES.items()}


@pytest.fixture
def site(live_curriculum, page):
    """The page, with every request outside the live server refused and remembered."""
    allowed = urlparse(live_curriculum.url).netloc
    outside = []

    def gate(route):
        if urlparse(route.request.url).netloc == allowed:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", gate)
    yield page
    assert outside == [], f"requests left the server: {outside}"


def open_simulation(page, base_url, step_url):
    """From the lesson step, "Ouvrir la simulation", as a learner does."""
    page.goto(base_url + step_url)
    page.get_by_role("button", name="Ouvrir la simulation").click()
    expect(page.locator(".sim-banner")).to_contain_text("rien n'est envoyé pour de vrai")
    expect(page.locator(".jobs-header")).to_be_visible()


def expect_mission_done(page, goals):
    expect(page.locator(".sim-goals li")).to_have_count(goals)
    expect(page.locator(".sim-goals li.sim-goal-done")).to_have_count(goals)
    expect(page.locator(".sim-feedback .feedback-success").last).to_contain_text(
        "Bravo, vous avez réussi la mission"
    )


def back_to_the_lesson_says_passed(page, base_url, step_url):
    page.get_by_role("link", name="Retour à la leçon").click()
    expect(page).to_have_url(base_url + step_url)
    expect(page.locator(".simulation .feedback-success")).to_contain_text(
        "Vous avez réussi cette mission."
    )


def search(page, keyword, town):
    page.get_by_label("Quel métier ?").fill(keyword)
    page.get_by_label("Où ?").fill(town)
    page.get_by_role("button", name="Rechercher", exact=True).click()


def hint(page):
    return page.locator(".sim-feedback .feedback-retry")


# --- Every mission, from its lesson step ------------------------------------------------


def test_the_search_lesson_missions_end_to_end(live_curriculum, site):
    page, base_url = site, live_curriculum.url
    step = STEPS["search"]["chercher-serveur"]
    open_simulation(page, base_url, step)

    search(page, "serveur", "Lyon")  # the wrong town first
    expect(hint(page)).to_contain_text("Dans « Où ? », écrivez la ville : « Vénissieux ».")
    search(page, "Serveur", "venissieux")
    expect(page.locator(".jobs-results-count")).to_contain_text("1 offre")
    page.get_by_role("link", name="Serveur / Serveuse (H/F)").click()
    expect(page.locator("#jobs-offer-title")).to_have_text("Serveur / Serveuse (H/F)")
    page.get_by_role("button", name="Sauvegarder").click()
    expect(page.locator(".jobs-notice")).to_contain_text("Offre sauvegardée")
    expect_mission_done(page, 3)
    page.get_by_role("link", name=re.compile("Mes offres sauvegardées")).click()
    expect(page.locator(".jobs-card h3")).to_have_text(["Serveur / Serveuse (H/F)"])
    back_to_the_lesson_says_passed(page, base_url, step)

    step = STEPS["search"]["chercher-entretien-departement"]
    open_simulation(page, base_url, step)
    search(page, "agent d'entretien", "Vénissieux")
    expect(hint(page)).to_contain_text("Ouvrez les filtres")
    filters = page.locator("details.jobs-filters")
    if filters.get_attribute("open") is None:
        filters.locator("summary").click()
    page.get_by_label("CDI", exact=True).check()
    page.get_by_label("Dans tout le département").check()
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.locator(".jobs-results-count")).to_contain_text("2 offres")
    expect_mission_done(page, 1)
    back_to_the_lesson_says_passed(page, base_url, step)


def test_the_apply_mission_end_to_end_after_a_wrong_document(live_curriculum, site):
    page, base_url = site, live_curriculum.url
    step = STEPS["apply"]["postuler-employe-rayon"]
    open_simulation(page, base_url, step)
    page.get_by_role("link", name="Voir toutes les offres").click()
    page.get_by_role("link", name="Employé de rayon (H/F)").click()
    page.get_by_role("link", name="Postuler").click()

    page.get_by_label("Lettre_motivation.pdf").check()
    message = page.get_by_label("2. Votre message au recruteur")
    message.fill(MESSAGE)
    expect(page.locator("#jobs-message-count")).to_have_text(f"{len(MESSAGE)} caractères sur 1000")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    expect(hint(page)).to_contain_text("Ce n'est pas un CV : choisissez votre CV.")
    expect(page.locator(".jobs-notice")).to_contain_text("Candidature envoyée (simulation)")

    page.get_by_role("link", name="Employé de rayon (H/F)").click()
    expect(page.locator(".jobs-applied")).to_contain_text("Vous avez déjà postulé")
    page.get_by_role("link", name="Postuler").click()
    page.get_by_label("CV_2025.pdf").check()
    page.get_by_label("2. Votre message au recruteur").fill(MESSAGE)
    page.get_by_role("button", name="Envoyer ma candidature").click()
    expect_mission_done(page, 1)
    expect(page.locator(".jobs-card")).to_have_count(2)
    expect(page.get_by_role("link", name=re.compile("Mes candidatures"))).to_contain_text("2")
    back_to_the_lesson_says_passed(page, base_url, step)


def actualise(page, *, hours, salary, available="Oui"):
    page.get_by_role("link", name="Mon espace").click()
    page.get_by_role("link", name="M'actualiser").click()
    page.get_by_role("button", name=re.compile("mon actualisation")).click()
    worked = page.get_by_role("group", name=re.compile("Avez-vous travaillé"))
    worked.get_by_label("Oui" if hours else "Non").check()
    page.get_by_role("button", name="Continuer").click()
    if hours:
        page.get_by_label(re.compile("Combien d'heures")).fill(hours)
        page.get_by_label(re.compile("Combien avez-vous gagné")).fill(salary)
        page.get_by_role("button", name="Continuer").click()
    for question, answer in [
        ("toujours à la recherche", "Oui"),
        ("disponible", available),
    ]:
        page.get_by_role("group", name=re.compile(question)).get_by_label(answer).check()
        page.get_by_role("button", name="Continuer").click()
    page.get_by_role("group", name=re.compile("formation")).get_by_label("Non").check()
    page.get_by_role("group", name=re.compile("arrêt maladie")).get_by_label("Non").check()
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", name="Vérifiez vos réponses")).to_be_visible()
    page.get_by_role("button", name="Je confirme et j'envoie").click()


def test_the_actualisation_missions_end_to_end(live_curriculum, site):
    page, base_url = site, live_curriculum.url
    step = STEPS["actualisation"]["actualisation-sans-travail"]
    open_simulation(page, base_url, step)
    actualise(page, hours="", salary="")
    expect(page.locator(".jobs-receipt")).to_contain_text("Numéro de confirmation")
    expect_mission_done(page, 1)
    back_to_the_lesson_says_passed(page, base_url, step)

    step = STEPS["actualisation"]["actualisation-10-heures"]
    open_simulation(page, base_url, step)
    page.get_by_role("link", name="Mon espace").click()
    page.get_by_role("link", name="M'actualiser").click()
    page.get_by_role("button", name="Commencer mon actualisation").click()
    page.get_by_role("group", name=re.compile("Avez-vous travaillé")).get_by_label("Non").check()
    page.get_by_role("button", name="Continuer").click()
    expect(hint(page)).to_contain_text("vous avez travaillé : répondez « Oui »")
    page.get_by_role("link", name="Précédent").click()
    page.get_by_role("group", name=re.compile("Avez-vous travaillé")).get_by_label("Oui").check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label(re.compile("Combien d'heures")).fill("dix")
    page.get_by_label(re.compile("Combien avez-vous gagné")).fill("120")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("#jobs-hours-error")).to_contain_text("en chiffres")
    page.get_by_label(re.compile("Combien d'heures")).fill("10")
    page.get_by_role("button", name="Continuer").click()
    for question in ["toujours à la recherche", "disponible"]:
        page.get_by_role("group", name=re.compile(question)).get_by_label("Oui").check()
        page.get_by_role("button", name="Continuer").click()
    page.get_by_role("group", name=re.compile("formation")).get_by_label("Non").check()
    page.get_by_role("group", name=re.compile("arrêt maladie")).get_by_label("Non").check()
    page.get_by_role("button", name="Continuer").click()
    summary = page.locator(".jobs-summary")
    expect(summary).to_contain_text("10 heures")
    expect(summary).to_contain_text("120 €")
    page.get_by_role("button", name="Je confirme et j'envoie").click()
    expect_mission_done(page, 1)
    back_to_the_lesson_says_passed(page, base_url, step)


# --- Keyboard only ----------------------------------------------------------------------


def focused(page, script):
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()")


def tab_to(page, script, what):
    """Presses Tab until the focused element matches `script`; the focus must show."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
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
    pytest.fail(f"{what}: not reached with Tab in {MAX_TABS} presses")


def tab_to_link(page, text):
    tab_to(page, f"el.matches('a') && el.textContent.trim() === {text!r}", f"link {text!r}")


def test_the_apply_mission_with_the_keyboard_alone(live_curriculum, site):
    page, base_url = site, live_curriculum.url
    step = STEPS["apply"]["postuler-employe-rayon"]
    page.goto(base_url + step)
    tab_to(
        page,
        "el.matches('button') && el.textContent.trim() === 'Ouvrir la simulation'",
        "Ouvrir la simulation",
    )
    page.keyboard.press("Enter")
    expect(page.locator(".jobs-header")).to_be_visible()

    tab_to(page, "el.id === 'jobs-keyword'", "Quel métier ?")
    page.keyboard.type("employé de rayon")
    tab_to(page, "el.id === 'jobs-town'", "Où ?")
    page.keyboard.type("Vénissieux")
    page.keyboard.press("Enter")  # submits the search form
    expect(page.locator(".jobs-results-count")).to_contain_text("1 offre")

    tab_to_link(page, "Employé de rayon (H/F)")
    page.keyboard.press("Enter")
    expect(page.locator("#jobs-offer-title")).to_have_text("Employé de rayon (H/F)")
    tab_to_link(page, "Postuler")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Postuler à cette offre")).to_be_visible()

    tab_to(page, "el.name === 'document'", "the documents")
    # Arrow keys move through the radio buttons and check the one they reach.
    for _ in range(4):
        if focused(page, "el.labels[0].textContent").find("CV_2025.pdf") >= 0:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert focused(page, "el.checked")
    assert "CV_2025.pdf" in focused(page, "el.labels[0].textContent")
    tab_to(page, "el.id === 'jobs-message'", "the message")
    page.keyboard.type(MESSAGE)
    expect(page.locator("#jobs-message-count")).to_have_text(f"{len(MESSAGE)} caractères sur 1000")
    tab_to(
        page,
        "el.matches('button') && el.textContent.trim() === 'Envoyer ma candidature'",
        "Envoyer ma candidature",
    )
    page.keyboard.press("Enter")
    expect_mission_done(page, 1)
    expect(page.locator(".jobs-notice")).to_contain_text("Candidature envoyée (simulation)")

    tab_to_link(page, "Retour à la leçon")
    page.keyboard.press("Enter")
    expect(page.locator(".simulation .feedback-success")).to_contain_text(
        "Vous avez réussi cette mission."
    )


# --- Every screen: axe, and a small phone -------------------------------------------------


def screens(page):
    """Walks through every screen of the site; yields each screen's name once shown."""
    yield "accueil"
    search(page, "serveur", "Vénissieux")
    yield "résultats"
    search(page, "je cherche un travail de serveur", "Vénissieux")
    yield "aucune offre"
    page.locator("details.jobs-filters summary").click()
    yield "filtres ouverts"
    page.get_by_role("link", name="Rechercher", exact=True).click()
    page.get_by_role("link", name="Voir toutes les offres").click()
    yield "toutes les offres"
    page.get_by_role("link", name="Employé de rayon (H/F)").click()
    yield "offre"
    page.get_by_role("button", name="Sauvegarder").click()
    yield "offre sauvegardée"
    page.get_by_role("link", name="Postuler").click()
    yield "postuler"
    page.get_by_label("2. Votre message au recruteur").fill("Bonjour")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    yield "postuler sans document"
    page.get_by_label("CV_ancien.pdf").check()
    page.get_by_role("button", name="Envoyer ma candidature").click()
    yield "candidatures"
    page.get_by_role("link", name=re.compile("Mes offres sauvegardées")).click()
    yield "offres sauvegardées"
    page.get_by_role("link", name="Mon espace").click()
    yield "mon espace"
    page.get_by_role("link", name="Lire mes messages").click()
    yield "messages"
    page.get_by_role("link", name="Votre rendez-vous du 8 avril").click()
    yield "un message"
    page.get_by_role("link", name="Mon espace").click()
    page.get_by_role("link", name="M'actualiser").click()
    yield "actualisation"
    page.get_by_role("button", name="Commencer mon actualisation").click()
    yield "actualisation : travail"
    page.get_by_role("button", name="Continuer").click()
    yield "actualisation : pas de réponse"
    page.get_by_role("group", name=re.compile("Avez-vous travaillé")).get_by_label("Oui").check()
    page.get_by_role("button", name="Continuer").click()
    yield "actualisation : heures"
    page.get_by_label(re.compile("Combien d'heures")).fill("<b>dix</b>")
    page.get_by_role("button", name="Continuer").click()
    yield "actualisation : heures fausses"
    page.get_by_label(re.compile("Combien d'heures")).fill("10")
    page.get_by_label(re.compile("Combien avez-vous gagné")).fill("120")
    page.get_by_role("button", name="Continuer").click()
    yield "actualisation : recherche"
    page.get_by_role("group", name=re.compile("toujours")).get_by_label("Oui").check()
    page.get_by_role("button", name="Continuer").click()
    yield "actualisation : disponible"
    page.get_by_role("group", name=re.compile("disponible")).get_by_label("Oui").check()
    page.get_by_role("button", name="Continuer").click()
    yield "actualisation : situation"
    page.get_by_role("group", name=re.compile("formation")).get_by_label("Non").check()
    page.get_by_role("group", name=re.compile("maladie")).get_by_label("Non").check()
    page.get_by_role("button", name="Continuer").click()
    yield "actualisation : vérifier"
    page.get_by_role("button", name="Je confirme et j'envoie").click()
    yield "actualisation : confirmation"
    page.goto(page.url.split("/espace/")[0] + "/offre/inconnue")
    yield "page introuvable"


@pytest.mark.parametrize("width", [1024, 360])
def test_every_screen_passes_axe_and_fits_the_screen(live_curriculum, site, width):
    page = site
    page.set_viewport_size({"width": width, "height": 740 if width < 400 else 768})
    open_simulation(page, live_curriculum.url, STEPS["apply"]["postuler-employe-rayon"])
    problems, seen = [], []
    for name in screens(page):
        seen.append(name)
        page.wait_for_load_state("load")
        results = Axe().run(page)
        if results.violations_count:
            problems.append(f"{name}:\n{results.generate_report()}")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{name}: scrolls sideways ({scroll_width} px)")
        # Links inside a sentence are exempt; every other control is 44 px high.
        targets = page.evaluate(
            """(() => Array.from(document.querySelectorAll(
                '.jobs a, .jobs button, .jobs summary, .jobs input[type=radio],'
                + ' .jobs input[type=checkbox], .jobs input[type=text], .jobs textarea'))
              .filter(el => el.offsetParent !== null && !(el.matches('a') && el.closest('p')))
              .map(el => (el.matches('input[type=radio], input[type=checkbox]')
                          ? el.closest('label') : el))
              .map(el => [el.getBoundingClientRect().height,
                          el.textContent.trim().slice(0, 40) || el.outerHTML.slice(0, 60)]))()"""
        )
        assert len(targets) >= 5, f"{name}: the controls were not found"
        small = [what for height, what in targets if height < 44]
        if small:
            problems.append(f"{name}: targets under 44 px high: {small}")
    assert len(seen) == 25
    assert problems == [], "\n".join(problems)
