"""Learner accounts in a real browser: a trainer creates a learner and prints the card,
the learner signs in with the code and the pictures, is signed out after inactivity,
comes back to the very step they left, and ends with "J'ai fini". With axe on every
page, on a small phone, and without JavaScript."""

import re
import time

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect
from wagtail.models import Site

from learning import services
from learning.middleware import ACTIVITY_KEY
from learning.models import LearnerSettings, Structure
from learning.pictures import PICTURES
from tests.browser.conftest import wait_for_requests_in_flight, wait_until
from tests.factories import trainer

pytestmark = pytest.mark.browser

LESSON_FILE = sorted((settings.BASE_DIR / "content" / "modules" / "la-souris").glob("[0-9]*.md"))[0]
LESSON_SLUG = yaml.safe_load(LESSON_FILE.read_text(encoding="utf-8").split("---\n", 2)[1])["slug"]
LESSON_URL = f"/modules/la-souris/{LESSON_SLUG}/"
FIRST_NAME = "Zéphyrine"  # in no lesson: if the page shows it, it is the learner's data
PASSWORD = ["soleil", "chat", "coeur"]
WRONG_PASSWORD = ["lune", "lune", "lune"]
TRAINER_PASSWORD = "a long test password"
MAX_TABS = 80


def label(picture):
    return str(PICTURES[picture])


# --- Fixtures ---------------------------------------------------------------------


@pytest.fixture
def structure(live_curriculum):
    return Structure.objects.create(name="Antenne du Centre", help_phone="01 23 45 67 89")


@pytest.fixture
def learner(structure):
    learner, _pictures = services.learner_create(
        first_name=FIRST_NAME, structure=structure, pictures=PASSWORD
    )
    return learner


@pytest.fixture
def new_context(browser, browser_context_args):
    """Opens more browser contexts (another person, another computer), closed at the end."""
    contexts = []

    def open_context(**kwargs):
        context = browser.new_context(**{**browser_context_args, **kwargs})
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def learner_settings(**values):
    site_settings = LearnerSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in values.items():
        setattr(site_settings, name, value)
    site_settings.save()
    return site_settings


# --- Helpers ----------------------------------------------------------------------


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


def picture_button(page, picture):
    return page.get_by_role("button", name=label(picture), exact=True)


def pick_pictures(page, pictures, *, keyboard=False):
    """Picks the pictures in order; waits for each answer (htmx swap or new page) but
    not after the last one, which signs in (or fails)."""
    already = page.locator("#picker .slot-filled").count()
    for number, picture in enumerate(pictures, start=1):
        if keyboard:
            tab_to(
                page,
                f"el.matches('button.picture-button') && el.value === {picture!r}",
                f"picture {picture!r}",
            )
            page.keyboard.press("Enter")
        else:
            picture_button(page, picture).click()
        if number < len(pictures):
            expect(page.locator("#picker .slot-filled")).to_have_count(already + number)


def sign_in(page, base_url, code, pictures, *, keyboard=False):
    page.goto(f"{base_url}/connexion/?code={code}")
    pick_pictures(page, pictures, keyboard=keyboard)


def session_of(context):
    """The context's server-side session (database sessions), or None without a cookie."""
    for cookie in context.cookies():
        if cookie["name"] == settings.SESSION_COOKIE_NAME:
            return SessionStore(session_key=cookie["value"])
    return None


def trainer_signs_in(page, base_url, structure):
    user = trainer(username="formatrice@example.org")
    structure.members.add(user)
    page.goto(f"{base_url}/admin/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(TRAINER_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(f"{base_url}/admin/")
    return user


class AxeAudit:
    """Runs axe on several pages of a journey and reports every violation at the end."""

    def __init__(self, page):
        self.page = page
        self.axe = Axe()
        self.reports = []

    def check(self, what):
        # Colours are checked once short transitions are over (Wagtail's messages fade
        # in); long or endless decorations (Wagtail's 25 s badge "ping") are left alone.
        wait_until(
            self.page,
            "document.getAnimations().every(a => a.playState !== 'running'"
            " || a.effect.getComputedTiming().endTime > 5000)",
        )
        # Wagtail's messages fade their background in for up to a second.
        self.page.wait_for_timeout(1200)
        results = self.axe.run(self.page)
        assert results.response["passes"], f"{what}: axe checked nothing"
        if results.violations_count:
            self.reports.append(f"== {what} ({self.page.url})\n{results.generate_report()}")

    def assert_clean(self):
        assert not self.reports, "\n\n".join(self.reports)


# --- 1. The whole story -------------------------------------------------------------


def test_a_trainer_creates_a_learner_who_signs_in_times_out_and_comes_back_to_the_same_step(
    live_curriculum, page, structure, new_context
):
    base_url = live_curriculum.url

    # The trainer creates the account in the admin, pictures drawn at random.
    trainer_signs_in(page, base_url, structure)
    page.goto(f"{base_url}/admin/apprenants/new/")
    page.locator("#id_first_name").fill(FIRST_NAME)
    page.locator("#id_last_initial").fill("m")
    page.locator("#id_structure").select_option(label=structure.name)
    page.locator("#id_first_name").press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/apprenants/\d+/acces/$"))

    # The access page shows the code and the 3 pictures, once.
    display_code = page.locator("main h2 span").first.inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", display_code), display_code
    code = display_code.replace("-", "")
    items = page.locator("main ol li")
    expect(items).to_have_count(3)
    labels = [re.sub(r"^\d+\.\s*", "", text.strip()) for text in items.all_inner_texts()]
    by_label = {label(picture): picture for picture in PICTURES}
    assert all(text in by_label for text in labels), labels
    pictures = [by_label[text] for text in labels]

    # The card, with the password ticked: the code and the pictures, in order.
    page.get_by_label("Imprimer le mot de passe").check()
    page.get_by_role("button", name="Imprimer la carte").click()
    expect(page).to_have_url(re.compile(r"/admin/apprenants/cartes/\?.*mot_de_passe=1"))
    card = page.locator("article.learner-card")
    expect(card).to_have_count(1)
    expect(card.locator(".card-code")).to_have_text(display_code)
    expect(card.locator(".card-name")).to_have_text(f"{FIRST_NAME} M.")
    card_pictures = card.locator(".card-pictures li")
    expect(card_pictures).to_have_count(3)
    for number, text in enumerate(labels):
        expect(card_pictures.nth(number)).to_contain_text(f"{number + 1}. {text}")

    # The learner, on another computer, follows the card's QR code and picks the
    # pictures with the keyboard.
    learner_page = new_context().new_page()
    learner_page.goto(f"{base_url}/connexion/?code={code}")
    expect(learner_page.locator(".signin-code strong")).to_have_text(display_code)
    pick_pictures(learner_page, pictures, keyboard=True)
    expect(learner_page).to_have_url(f"{base_url}/moi/")
    expect(learner_page.locator("h1")).to_have_text(f"Bonjour {FIRST_NAME} !")

    # A lesson, up to step 3 with "Suivant".
    learner_page.goto(base_url + LESSON_URL)
    for number in (2, 3):
        learner_page.get_by_role("link", name="Suivant", exact=True).click()
        expect(learner_page).to_have_url(re.compile(rf"\?etape={number}$"))
    step_url = learner_page.url
    step_title = learner_page.locator("#step-title").inner_text()

    # 21 minutes without doing anything (the server's clock, in the session). The
    # step 2 page's last heartbeat may still be on its way: let it land first.
    wait_for_requests_in_flight()
    session = session_of(learner_page.context)
    assert session[ACTIVITY_KEY] > time.time() - 60
    session[ACTIVITY_KEY] = time.time() - 21 * 60
    session.save()
    learner_page.reload()
    expect(learner_page).to_have_url(f"{base_url}/connexion/?expire=1")
    expect(learner_page.get_by_role("status")).to_contain_text(
        "Vous n'avez rien fait pendant un moment"
    )
    expect(learner_page.get_by_role("button", name="J'ai fini")).to_have_count(0)

    # Back with the code and the pictures: exactly the same step.
    learner_page.locator("#code").fill(display_code.lower())
    learner_page.get_by_role("button", name="Suivant").click()
    pick_pictures(learner_page, pictures)
    expect(learner_page).to_have_url(step_url)
    expect(learner_page).to_have_url(re.compile(r"\?etape=3$"))
    expect(learner_page.locator("#step-title")).to_have_text(step_title)

    # Home shows the name, and "Continuer" leads to that same step.
    learner_page.goto(f"{base_url}/moi/")
    expect(learner_page.locator("h1")).to_have_text(f"Bonjour {FIRST_NAME} !")
    expect(learner_page.get_by_role("link", name="Continuer", exact=True)).to_have_attribute(
        "href", f"{LESSON_URL}?etape=3"
    )

    # "J'ai fini": signed out, the browser told to forget everything.
    with learner_page.expect_response(
        lambda r: r.url.endswith("/deconnexion/") and r.request.method == "POST"
    ) as signout:
        learner_page.get_by_role("button", name="J'ai fini").click()
    headers = signout.value.all_headers()  # .headers leaves security headers out
    assert "cookies" in headers.get("clear-site-data", ""), headers
    assert "no-store" in headers.get("cache-control", ""), headers
    expect(learner_page.locator("main")).to_contain_text("C'est fini pour aujourd'hui")
    expect(learner_page.locator("main")).to_contain_text("Vous pouvez laisser l'ordinateur")
    session = session_of(learner_page.context)
    assert session is None or "_auth_user_id" not in session, "signed out on the server"

    # The next person presses "Back": nothing of hers shows, only the sign-in page.
    learner_page.go_back()
    expect(learner_page).to_have_url(f"{base_url}/connexion/")
    expect(learner_page.locator("h1")).to_have_text("Me connecter")
    assert FIRST_NAME not in learner_page.content()
    expect(learner_page.get_by_role("button", name="J'ai fini")).to_have_count(0)
    # One more "Back": the lesson step, now a guest's.
    learner_page.go_back()
    expect(learner_page).to_have_url(step_url)
    assert FIRST_NAME not in learner_page.content()
    expect(learner_page.get_by_role("link", name="Me connecter")).to_be_visible()
    expect(learner_page.get_by_role("button", name="J'ai fini")).to_have_count(0)


# --- 2. "Vous êtes toujours là ?" ---------------------------------------------------


def test_the_inactivity_warning_opens_a_minute_before_and_still_here_keeps_the_session(
    live_curriculum, page, learner
):
    learner_settings(inactivity_minutes=2)
    page.clock.install()  # the page's timers run on Playwright's clock from now on
    sign_in(page, live_curriculum.url, learner.code_id, PASSWORD)
    expect(page).to_have_url(f"{live_curriculum.url}/moi/")
    assert page.locator("body").get_attribute("data-inactivity-seconds") == "120"
    dialog = page.get_by_role("dialog", name="Vous êtes toujours là ?")
    expect(dialog).to_be_hidden()

    page.clock.fast_forward("00:55")
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("00:10")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Dans une minute, vous serez déconnecté.")
    still_here = dialog.get_by_role("button", name="Je suis toujours là")
    expect(still_here).to_be_focused()  # showModal() focuses the only button

    # On the server, 100 of the 120 seconds have gone by: the ping counts as activity.
    session = session_of(page.context)
    session[ACTIVITY_KEY] = time.time() - 100
    session.save()
    with page.expect_response("**/session/present/") as ping:
        page.keyboard.press("Enter")
    assert ping.value.status == 204
    expect(dialog).to_be_hidden()
    assert session_of(page.context)[ACTIVITY_KEY] > time.time() - 10

    # The warning comes back a minute before the (new) end, and the session is still on.
    page.clock.fast_forward("00:55")
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("00:10")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")  # closing the dialog also says "still here"
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page).to_have_url(f"{live_curriculum.url}/moi/")
    expect(page.locator("h1")).to_have_text(f"Bonjour {FIRST_NAME} !")


# --- 3. axe on every page, and a small phone ----------------------------------------


def test_the_sign_in_pages_have_no_axe_violations_up_to_the_lockout(live_curriculum, page, learner):
    base_url = live_curriculum.url
    audit = AxeAudit(page)
    page.goto(f"{base_url}/connexion/")
    audit.check("code step")
    page.goto(f"{base_url}/connexion/?code={learner.code_id}")
    expect(page.locator("button.picture-button")).to_have_count(len(PICTURES))
    audit.check("picture step")
    picture_button(page, "arbre").click()
    expect(page.locator("#picker .slot-filled")).to_have_count(1)
    audit.check("picture step, one picture picked")

    # Wrong pictures: the message, and the picker back at the start.
    pick_pictures(page, WRONG_PASSWORD[1:])
    error = page.get_by_role("alert")
    expect(error).to_have_text("Ce ne sont pas les bonnes images. Réessayez depuis le début.")
    expect(error).to_be_focused()
    expect(page.locator("#picker .slot-filled")).to_have_count(0)
    audit.check("picture step after wrong pictures")

    # Wrong again, 5 failures in all: the lockout page, not a silent picker.
    for _attempt in range(3):
        pick_pictures(page, WRONG_PASSWORD)
        expect(page.locator("#picker .slot-filled")).to_have_count(0)
    pick_pictures(page, WRONG_PASSWORD)
    expect(page.locator("h1")).to_have_text("Trop d'essais")
    expect(page.locator("main")).to_contain_text("Demandez à votre formateur")
    audit.check("lockout page")
    # The card's link now leads straight to the lockout, from this computer.
    response = page.goto(f"{base_url}/connexion/?code={learner.code_id}")
    assert response.status == 429
    expect(page.locator("h1")).to_have_text("Trop d'essais")
    expect(page.locator("button.picture-button")).to_have_count(0)
    session = session_of(page.context)
    assert session is None or "_auth_user_id" not in session
    audit.assert_clean()


def test_the_sign_up_limit_page_has_no_axe_violations(live_curriculum, page, structure, settings):
    settings.PASAPAS_SIGNUP_LIMIT_PER_IP = 0  # this computer has used up its sign-ups
    learner_settings(self_signup=True, signup_structure=structure)

    response = page.goto(f"{live_curriculum.url}/inscription/")

    assert response.status == 429
    expect(page.locator("main")).to_contain_text("Trop de comptes ont été créés ici")
    audit = AxeAudit(page)
    audit.check("sign-up limit")
    audit.assert_clean()


def test_self_sign_up_the_card_home_and_farewell_have_no_axe_violations(
    live_curriculum, page, structure
):
    base_url = live_curriculum.url
    response = page.goto(f"{base_url}/inscription/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Créer un compte")
    learner_settings(self_signup=True, signup_structure=structure)

    audit = AxeAudit(page)
    page.goto(f"{base_url}/inscription/")
    audit.check("sign-up, first name")
    page.get_by_label("Votre prénom").fill(FIRST_NAME)
    page.get_by_role("button", name="Suivant").click()
    expect(page.locator("button.picture-button")).to_have_count(len(PICTURES))
    audit.check("sign-up, pictures")
    for number, picture in enumerate(PASSWORD[:2], start=1):
        picture_button(page, picture).click()
        expect(page.locator(".slot-filled")).to_have_count(number)
    audit.check("sign-up, two pictures picked")
    picture_button(page, PASSWORD[2]).click()

    expect(page).to_have_url(f"{base_url}/moi/carte/")
    card = page.locator("article.learner-card")
    expect(card.locator(".card-name")).to_have_text(FIRST_NAME)
    expect(card.locator(".card-pictures li")).to_have_count(3)
    for number, picture in enumerate(PASSWORD):
        expect(card.locator(".card-pictures li").nth(number)).to_contain_text(label(picture))
    audit.check("my card, with the pictures")

    page.get_by_role("link", name="Continuer").click()
    expect(page).to_have_url(f"{base_url}/moi/")
    expect(page.locator("h1")).to_have_text(f"Bonjour {FIRST_NAME} !")
    audit.check("home")

    page.get_by_role("button", name="J'ai fini").click()
    expect(page.locator("h1")).to_have_text("C'est fini pour aujourd'hui.")
    audit.check("farewell")
    audit.assert_clean()


def test_the_trainers_access_page_and_card_print_page_have_no_axe_violations(
    live_curriculum, page, structure
):
    base_url = live_curriculum.url
    trainer_signs_in(page, base_url, structure)
    page.goto(f"{base_url}/admin/apprenants/new/")
    page.locator("#id_first_name").fill(FIRST_NAME)
    page.locator("#id_structure").select_option(label=structure.name)
    for number, picture in enumerate(PASSWORD, start=1):
        page.locator(f"#id_picture_{number}").select_option(picture)
    page.locator("#id_first_name").press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/apprenants/\d+/acces/$"))
    expect(page.locator("main ol li")).to_have_text(
        [f"{n}. {label(p)}" for n, p in enumerate(PASSWORD, start=1)]
    )
    audit = AxeAudit(page)
    audit.check("admin access page")
    page.get_by_label("Imprimer le mot de passe").check()
    page.get_by_role("button", name="Imprimer la carte").click()
    expect(page.locator("article.learner-card .card-pictures li")).to_have_count(3)
    audit.check("card print page")
    audit.assert_clean()


def test_the_picture_step_fits_a_small_phone(live_curriculum, page, learner):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_curriculum.url}/connexion/?code={learner.code_id}")
    page.wait_for_load_state("load")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"the picture step scrolls sideways ({scroll_width} px)"
    buttons = page.locator("button.picture-button")
    expect(buttons).to_have_count(len(PICTURES))
    for button in buttons.all():
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, f"{button.inner_text()}: {box}"
    audit = AxeAudit(page)
    audit.check("picture step at 360 px")
    audit.assert_clean()


# --- 4. Without JavaScript ------------------------------------------------------------


def test_a_learner_signs_in_with_code_and_pictures_without_javascript(
    live_curriculum, learner, new_context
):
    base_url = live_curriculum.url
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Votre code").fill(learner.display_code)
    page.get_by_role("button", name="Suivant").click()
    expect(page.locator(".signin-code strong")).to_have_text(learner.display_code)

    # A wrong try first: a whole new page with the message.
    for number, picture in enumerate(WRONG_PASSWORD, start=1):
        with page.expect_navigation():
            picture_button(page, picture).click()
        if number < 3:
            expect(page.locator(".slot-filled")).to_have_count(number)
    expect(page.get_by_role("alert")).to_contain_text("Ce ne sont pas les bonnes images")

    for number, picture in enumerate(PASSWORD, start=1):
        with page.expect_navigation():
            picture_button(page, picture).click()
        if number < 3:
            expect(page.locator(".slot-filled")).to_have_count(number)
    expect(page).to_have_url(f"{base_url}/moi/")
    expect(page.locator("h1")).to_have_text(f"Bonjour {FIRST_NAME} !")

    page.get_by_role("button", name="J'ai fini").click()
    expect(page.locator("h1")).to_have_text("C'est fini pour aujourd'hui.")
    page.goto(f"{base_url}/moi/")
    expect(page).to_have_url(f"{base_url}/connexion/")
